// Package config loads accountd's configuration: defaults, then a YAML file
// (--config), then ACCOUNTD_* environment variables, then command-line flags.
// It is the only package that reads the environment, and it returns one
// validated struct.
package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is accountd's whole configuration.
type Config struct {
	Server      Server
	Database    Database
	Bank        Bank
	Log         Log
	Auth        Auth
	Idempotency Idempotency
	RateLimit   RateLimit
	Dormancy    Dormancy
	OTP         OTP
	EKYC        EKYC
	Nice        Nice
}

// Nice prices and holds nice ("beautiful") account numbers.
type Nice struct {
	HoldTTL     time.Duration // nice.hold_ttl: how long a held number stays held
	FeeCurrency string        // nice.fee_currency: the currency of the fee table
	Fees        string        // nice.fees: CATEGORY=amount,... in minor units, over the defaults
	Reserved    []string      // nice.reserved: numbers the bank keeps back, comma-separated
	// MaxSearchDepth is nice.max_search_depth: the largest pageNumber ×
	// pageSize of a search.
	MaxSearchDepth int
	// MaxSearchCandidates is nice.max_search_candidates: how many candidate
	// numbers one search may examine before it answers a truncated page.
	MaxSearchCandidates int
}

// EKYC tunes electronic onboarding.
type EKYC struct {
	MinAge int // ekyc.min_age: the youngest age at which a person may onboard electronically
	// OnboardingTTL is ekyc.onboarding_ttl: how long an onboarding package
	// may take from InitCustomerInfo to its confirmed code.
	OnboardingTTL time.Duration
	// PictureRetries is ekyc.picture_retries: how often a failed picture
	// may be uploaded again before the package is rejected.
	PictureRetries int
	// HashDistance is ekyc.hash_distance: the largest Hamming distance (of
	// 64 bits) at which two perceptual hashes are the same picture.
	HashDistance int
	// MaxPictureBytes is ekyc.max_picture_bytes: the largest picture, as
	// decoded from Base64.
	MaxPictureBytes int
	// DataKey is ekyc.data_key: 64 hex digits, the key that encrypts the
	// packages' pictures and personal data at rest; serve needs one.
	DataKey []byte
	// DataKeyID is ekyc.data_key_id: the name stored with each value
	// sealed under DataKey.
	DataKeyID string
	// OldDataKeys is ekyc.old_data_keys: earlier keys by id, still read.
	OldDataKeys map[string][]byte
	// PictureRetention is ekyc.picture_retention: how long the pictures
	// and applicant data of a REJECTED or EXPIRED package are kept.
	PictureRetention time.Duration
	// CompletedPictureRetention is ekyc.completed_picture_retention: how
	// long those of a COMPLETED package are kept once every account of its
	// customer is closed.
	CompletedPictureRetention time.Duration
}

// Dormancy is the dormancy sweep.
type Dormancy struct {
	Days          int           // dormancy.days: days without customer activity before an account is DORMANT
	SweepInterval time.Duration // dormancy.sweep_interval: how often each server sweeps
}

// OTP is the one-time codes and the delivery of messages.
type OTP struct {
	TTL                 time.Duration // otp.ttl: how long a code is accepted
	Channel             string        // otp.channel: log (codes printed on the console) or webhook; serve needs one
	WebhookURL          string        // otp.webhook_url: the SMS/e-mail gateway for the webhook channel
	WebhookSecret       string        // otp.webhook_secret: HMAC-SHA256 key of the webhook signature
	MessageKey          []byte        // otp.message_key: 64 hex digits, encrypts queued messages; shared by replicas
	DispatchInterval    time.Duration // otp.dispatch_interval: how often queued messages are looked for
	MobileChangesPerDay int           // otp.mobile_changes_per_day: mobile-change requests a customer may make a day
	OperationsPerHour   int           // otp.operations_per_hour: one-time-code operations one customer may start an hour
}

// Server is the HTTP server.
type Server struct {
	Addr         string // server.addr
	MaxBodyBytes int64  // server.max_body_bytes
	// MaxUploadBodyBytes is server.max_upload_body_bytes: the body limit of
	// a single request that uploads a picture.
	MaxUploadBodyBytes int64
	MaxBatch           int           // server.max_batch
	ReadTimeout        time.Duration // server.read_timeout
	WriteTimeout       time.Duration // server.write_timeout
	ShutdownTimeout    time.Duration // server.shutdown_timeout
	TLSCert            string        // server.tls_cert: PEM certificate chain; TLS when set
	TLSKey             string        // server.tls_key: PEM private key of the certificate

	// MaxInflightBodyBytes is server.max_inflight_body_bytes: the request-body
	// bytes the server holds at once, beyond the first 64 KiB of each.
	MaxInflightBodyBytes int64
	// MaxUnauthenticatedPerIP is server.max_unauthenticated_per_ip: requests
	// of one client address whose body is still being read.
	MaxUnauthenticatedPerIP int
	// MaxConnectionsPerIP is server.max_connections_per_ip: open connections
	// of one client address.
	MaxConnectionsPerIP int
	// CallTimeout is server.call_timeout: the deadline of a call or a batch,
	// below server.write_timeout.
	CallTimeout time.Duration
}

// Database is where data lives.
type Database struct {
	Driver       string // database.driver: sqlite or postgres
	DSN          string // database.dsn: a file path for sqlite, a URL for postgres
	MaxOpenConns int    // database.max_open_conns: PostgreSQL pool size per replica
}

// Bank holds the bank's own identifiers.
type Bank struct {
	InstitutionID string         // bank.institution_id: routing number echoed in results
	PhoneRegion   string         // bank.phone_region: region for national phone numbers
	Code          string         // bank.code: the bank's code in name inquiries
	Location      *time.Location // bank.timezone: IANA time zone of the bank's calendar days
}

// Log is the request and start-up log.
type Log struct {
	Level  string // log.level: debug, info, warn, error
	Format string // log.format: json or console
}

// Auth tunes authentication.
type Auth struct {
	KeyCacheTTL time.Duration // auth.key_cache_ttl: how soon a revoked key is refused
	// MaxClockSkew is auth.max_clock_skew: how far an ACCOUNTD-V2
	// timestamp may be from the server's clock. idempotency.ttl must be
	// longer, so that a request is remembered for as long as its signature
	// is accepted.
	MaxClockSkew time.Duration
}

// Idempotency tunes request-id replay.
type Idempotency struct {
	TTL time.Duration // idempotency.ttl: how long a request id is remembered
	// Wait is idempotency.wait: how long a duplicate that arrives while the
	// first call runs waits for its answer before it is -32006.
	Wait time.Duration
}

// RateLimit sets the requests per minute of each partner tier.
type RateLimit struct {
	RedisURL    string         // ratelimit.redis_url: shared limits across replicas; per process when empty
	Tiers       map[string]int // ratelimit.bronze, .silver, .gold, .platinum: requests per minute
	DefaultTier string         // ratelimit.default_tier: the tier of a new partner
	// Costs is ratelimit.costs: Service.Method=N,... units per call over
	// the built-in table (rpc.DefaultCosts); the method names are checked
	// where the methods are known, when the server starts.
	Costs map[string]int
}

// Tiers are the partner package tiers, from the smallest.
var Tiers = []string{"BRONZE", "SILVER", "GOLD", "PLATINUM"}

// defaults lists every key with its default value; a key not listed here is
// unknown and refused.
var defaults = map[string]any{
	"server.addr":                  "127.0.0.1:8080",
	"server.max_body_bytes":        1 << 20,
	"server.max_upload_body_bytes": 10 << 20,
	"server.max_batch":             100,
	"server.read_timeout":          "15s",
	"server.write_timeout":         "30s",
	"server.shutdown_timeout":      "15s",
	"server.tls_cert":              "",
	"server.tls_key":               "",
	"database.driver":              "sqlite",
	"database.dsn":                 "./accountd.db",
	"database.max_open_conns":      10,
	"bank.institution_id":          "101115399",
	"bank.phone_region":            "",
	"log.level":                    "info",
	"log.format":                   "json",
	"auth.key_cache_ttl":           "2s",
	"auth.max_clock_skew":          "5m",
	"idempotency.ttl":              "24h",
	"idempotency.wait":             "5s",
	"ratelimit.redis_url":          "",
	"ratelimit.default_tier":       "BRONZE",
	"ratelimit.bronze":             200,
	"ratelimit.silver":             500,
	"ratelimit.gold":               1000,
	"ratelimit.platinum":           2000,
	"ratelimit.costs":              "",
	"bank.code":                    "970",
	"bank.timezone":                "UTC",
	"dormancy.days":                180,
	"dormancy.sweep_interval":      "1h",
	"otp.ttl":                      "5m",
	"otp.channel":                  "",
	"otp.webhook_url":              "",
	"otp.webhook_secret":           "",
	"otp.message_key":              "",
	"otp.dispatch_interval":        "1s",
	"otp.mobile_changes_per_day":   3,
	"otp.operations_per_hour":      5,
	"ekyc.min_age":                 18,
	"ekyc.onboarding_ttl":          "24h",
	"ekyc.picture_retries":         2,
	"ekyc.hash_distance":           10,
	"ekyc.max_picture_bytes":       4 << 20,
	"nice.hold_ttl":                "15m",
	"nice.fee_currency":            "VND",
	"nice.fees":                    "",
	"nice.reserved":                "",

	// What a client may hold before it is authenticated, and the call deadline.
	"server.max_inflight_body_bytes":    64 << 20,
	"server.max_unauthenticated_per_ip": 256,
	"server.max_connections_per_ip":     512,
	"server.call_timeout":               "10s",

	// What one nice-number search may cost.
	"nice.max_search_depth":      1000,
	"nice.max_search_candidates": 10000,

	// eKYC data at rest: the data keys and the retention of pictures.
	"ekyc.data_key":                    "",
	"ekyc.data_key_id":                 "k1",
	"ekyc.old_data_keys":               "",
	"ekyc.picture_retention":           "30d",
	"ekyc.completed_picture_retention": "1827d",
}

// flagKeys are the keys that also have a command-line flag of the same name.
var flagKeys = []string{"server.addr", "server.max_body_bytes", "database.driver", "database.dsn",
	"bank.institution_id", "log.level", "log.format", "ratelimit.redis_url", "server.tls_cert", "server.tls_key",
	"otp.channel", "otp.webhook_url", "dormancy.days"}

// RegisterFlags adds --config and one flag per common key to fs.
func RegisterFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "YAML configuration file")
	for _, k := range flagKeys {
		fs.String(k, "", fmt.Sprintf("%s (default %v; env ACCOUNTD_%s)", k, defaults[k], EnvName(k)))
	}
}

// EnvName is the environment variable suffix of a key: server.addr is
// ACCOUNTD_SERVER_ADDR.
func EnvName(key string) string {
	return strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Load reads the configuration for a command whose flags are fs (nil for
// none), from the process environment.
func Load(fs *pflag.FlagSet) (Config, error) {
	return LoadFrom(fs, os.Environ())
}

// LoadFrom is Load with the environment given as KEY=VALUE pairs.
func LoadFrom(fs *pflag.FlagSet, env []string) (Config, error) {
	v := viper.New()
	for k, d := range defaults {
		v.SetDefault(k, d)
	}
	if fs != nil {
		if f := fs.Lookup("config"); f != nil && f.Value.String() != "" {
			v.SetConfigFile(f.Value.String())
			v.SetConfigType("yaml")
			if err := v.ReadInConfig(); err != nil {
				return Config{}, fmt.Errorf("config file %s: %w", f.Value.String(), err)
			}
		}
	}
	if err := unknownKeys(v); err != nil {
		return Config{}, err
	}
	applyEnv(v, env)
	if fs != nil {
		for _, k := range flagKeys {
			if f := fs.Lookup(k); f != nil && f.Changed {
				v.Set(k, f.Value.String())
			}
		}
	}
	return build(v)
}

// applyEnv sets every key that has an ACCOUNTD_* variable in env.
func applyEnv(v *viper.Viper, env []string) {
	vars := map[string]string{}
	for _, kv := range env {
		if name, val, ok := strings.Cut(kv, "="); ok {
			vars[name] = val
		}
	}
	for k := range defaults {
		if val, ok := vars["ACCOUNTD_"+EnvName(k)]; ok {
			v.Set(k, val)
		}
	}
}

func unknownKeys(v *viper.Viper) error {
	var unknown []string
	for _, k := range v.AllKeys() {
		if _, ok := defaults[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("config: unknown key %s", strings.Join(unknown, ", "))
}

var (
	reInstitution = regexp.MustCompile(`^\d{1,20}$`)
	reRegion      = regexp.MustCompile(`^[A-Z]{2}$`)
	reHostName    = regexp.MustCompile(`^[A-Za-z0-9.-]+$`)
	reDigits      = regexp.MustCompile(`^\d+$`)
)

// build reads every key and checks it, naming every bad key.
func build(v *viper.Viper) (Config, error) {
	var c Config
	var errs []error
	bad := func(key string, why string, val any) {
		errs = append(errs, fmt.Errorf("config: %s: %s (got %q)", key, why, fmt.Sprint(val)))
	}
	str := func(key string) string { return strings.TrimSpace(cast.ToString(v.Get(key))) }
	num := func(key string, min, max int64) int64 {
		n, err := strictInt(v.Get(key))
		if err != nil || n < min || n > max {
			bad(key, fmt.Sprintf("must be a whole number from %d to %d", min, max), v.Get(key))
		}
		return n
	}
	dur := func(key string) time.Duration {
		// A number without a unit would be nanoseconds: refuse it.
		d, err := time.ParseDuration(cast.ToString(v.Get(key)))
		if err != nil || d <= 0 {
			bad(key, "must be a positive duration with a unit, such as 2s, 5m or 24h", v.Get(key))
		}
		return d
	}
	c.Server.Addr = str("server.addr")
	if err := checkAddr(c.Server.Addr); err != nil {
		bad("server.addr", err.Error(), c.Server.Addr)
	}
	c.Server.MaxBodyBytes = num("server.max_body_bytes", 1024, 1<<30)
	c.Server.MaxUploadBodyBytes = num("server.max_upload_body_bytes", 1024, 1<<30)
	c.Server.MaxBatch = int(num("server.max_batch", 1, 10000))
	c.Server.ReadTimeout = dur("server.read_timeout")
	c.Server.WriteTimeout = dur("server.write_timeout")
	buildFrontDoor(&c.Server, num, dur, bad)
	c.Server.ShutdownTimeout = dur("server.shutdown_timeout")
	c.Server.TLSCert, c.Server.TLSKey = str("server.tls_cert"), str("server.tls_key")
	switch {
	case (c.Server.TLSCert == "") != (c.Server.TLSKey == ""):
		bad("server.tls_cert", "server.tls_cert and server.tls_key must be set together", c.Server.TLSCert)
	case c.Server.TLSCert != "":
		for _, k := range []string{"server.tls_cert", "server.tls_key"} {
			if _, err := os.Stat(str(k)); err != nil {
				bad(k, "must name a readable PEM file", str(k))
			}
		}
	}
	if c.Database.Driver = strings.ToLower(str("database.driver")); !oneOf(c.Database.Driver, "sqlite", "postgres") {
		bad("database.driver", "must be sqlite or postgres", c.Database.Driver)
	}
	if c.Database.DSN = str("database.dsn"); c.Database.DSN == "" {
		bad("database.dsn", "must name the database (a file for sqlite, a postgres:// URL for postgres)", c.Database.DSN)
	} else if c.Database.Driver == "postgres" && !strings.Contains(c.Database.DSN, "://") && !strings.Contains(c.Database.DSN, "=") {
		bad("database.dsn", "must be a postgres:// URL or key=value settings for postgres", c.Database.DSN)
	}
	c.Database.MaxOpenConns = int(num("database.max_open_conns", 1, 1000))
	if _, isString := v.Get("bank.institution_id").(string); !isString {
		// YAML reads an unquoted 011000015 as a number and drops the zero.
		bad("bank.institution_id", "must be a string; quote it in YAML so that leading zeros stay", v.Get("bank.institution_id"))
	} else if c.Bank.InstitutionID = str("bank.institution_id"); !reInstitution.MatchString(c.Bank.InstitutionID) {
		bad("bank.institution_id", "must be the bank's routing number, 1 to 20 digits", c.Bank.InstitutionID)
	}
	if c.Bank.PhoneRegion = strings.ToUpper(str("bank.phone_region")); c.Bank.PhoneRegion != "" && !reRegion.MatchString(c.Bank.PhoneRegion) {
		bad("bank.phone_region", "must be empty or an ISO 3166 region such as VN", c.Bank.PhoneRegion)
	}
	if c.Log.Level = strings.ToLower(str("log.level")); !oneOf(c.Log.Level, "debug", "info", "warn", "error") {
		bad("log.level", "must be debug, info, warn or error", c.Log.Level)
	}
	if c.Log.Format = strings.ToLower(str("log.format")); !oneOf(c.Log.Format, "json", "console") {
		bad("log.format", "must be json or console", c.Log.Format)
	}
	c.Auth.KeyCacheTTL = dur("auth.key_cache_ttl")
	c.Auth.MaxClockSkew = dur("auth.max_clock_skew")
	c.Idempotency.TTL = dur("idempotency.ttl")
	if c.Auth.MaxClockSkew > time.Hour {
		bad("auth.max_clock_skew", "must be at most 1h: a signed request is valid for twice this window", c.Auth.MaxClockSkew)
	}
	if c.Idempotency.TTL > 0 && c.Idempotency.TTL < 2*c.Auth.MaxClockSkew+time.Minute {
		// A request is accepted from skew before to skew after its
		// timestamp; its id must be remembered at least that long, or a
		// captured request could run again once its id is forgotten.
		bad("idempotency.ttl", fmt.Sprintf("must be at least a minute longer than twice the signature clock-skew window of %s, "+
			"so that a request id is remembered for as long as its signature is accepted", c.Auth.MaxClockSkew), c.Idempotency.TTL)
	}
	// A call's own deadline (server.call_timeout) cuts the wait short, so a
	// longer wait is harmless; the bound only catches a typo.
	if c.Idempotency.Wait = dur("idempotency.wait"); c.Idempotency.Wait > time.Minute {
		bad("idempotency.wait", "must be at most 1m", c.Idempotency.Wait)
	}
	if c.RateLimit.RedisURL = str("ratelimit.redis_url"); c.RateLimit.RedisURL != "" &&
		!strings.HasPrefix(c.RateLimit.RedisURL, "redis://") && !strings.HasPrefix(c.RateLimit.RedisURL, "rediss://") {
		bad("ratelimit.redis_url", "must be empty or a redis:// or rediss:// URL", c.RateLimit.RedisURL)
	}
	c.RateLimit.Tiers = map[string]int{}
	for _, tier := range Tiers {
		key := "ratelimit." + strings.ToLower(tier)
		c.RateLimit.Tiers[tier] = int(num(key, 1, 1_000_000))
	}
	if c.RateLimit.DefaultTier = strings.ToUpper(str("ratelimit.default_tier")); !oneOf(c.RateLimit.DefaultTier, Tiers...) {
		bad("ratelimit.default_tier", "must be one of "+strings.Join(Tiers, ", "), c.RateLimit.DefaultTier)
	}
	costs, err := parseCosts(str("ratelimit.costs"))
	if err != nil {
		bad("ratelimit.costs", err.Error(), str("ratelimit.costs"))
	}
	c.RateLimit.Costs = costs
	if _, isString := v.Get("bank.code").(string); !isString {
		bad("bank.code", "must be a string; quote it in YAML so that leading zeros stay", v.Get("bank.code"))
	} else if c.Bank.Code = str("bank.code"); !reBankCode.MatchString(c.Bank.Code) {
		bad("bank.code", "must be the bank's code, 3 to 8 digits (e.g. 014)", c.Bank.Code)
	}
	loc, err := time.LoadLocation(str("bank.timezone"))
	if err != nil || str("bank.timezone") == "" {
		bad("bank.timezone", "must be an IANA time zone such as Africa/Nairobi or UTC", str("bank.timezone"))
		loc = time.UTC
	}
	c.Bank.Location = loc
	c.Dormancy.Days = int(num("dormancy.days", 1, 36500))
	c.Dormancy.SweepInterval = dur("dormancy.sweep_interval")
	c.OTP.TTL = dur("otp.ttl")
	if c.OTP.TTL > 24*time.Hour {
		bad("otp.ttl", "must be at most 24h", c.OTP.TTL)
	}
	c.OTP.DispatchInterval = dur("otp.dispatch_interval")
	c.OTP.MobileChangesPerDay = int(num("otp.mobile_changes_per_day", 1, 100))
	c.OTP.OperationsPerHour = int(num("otp.operations_per_hour", 1, 1000))
	buildOTPChannel(&c.OTP, str, bad)
	c.EKYC.MinAge = int(num("ekyc.min_age", 15, 100))
	c.EKYC.OnboardingTTL = dur("ekyc.onboarding_ttl")
	c.EKYC.PictureRetries = int(num("ekyc.picture_retries", 1, 20))
	c.EKYC.HashDistance = int(num("ekyc.hash_distance", 1, 32))
	c.EKYC.MaxPictureBytes = int(num("ekyc.max_picture_bytes", 64<<10, 64<<20))
	buildDataKeys(&c.EKYC, str, bad)
	c.EKYC.PictureRetention = retention("ekyc.picture_retention", str, bad)
	c.EKYC.CompletedPictureRetention = retention("ekyc.completed_picture_retention", str, bad)
	c.Nice.HoldTTL = dur("nice.hold_ttl")
	c.Nice.FeeCurrency, c.Nice.Fees = strings.ToUpper(str("nice.fee_currency")), str("nice.fees")
	if !reCurrency.MatchString(c.Nice.FeeCurrency) {
		bad("nice.fee_currency", "must be an ISO 4217 code such as VND", c.Nice.FeeCurrency)
	}
	if !reNiceFees.MatchString(c.Nice.Fees) {
		bad("nice.fees", "must be CATEGORY=amount pairs separated by commas, e.g. FOUR_OF_A_KIND=2000000", c.Nice.Fees)
	}
	for _, n := range strings.Split(str("nice.reserved"), ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if !reNiceNumber.MatchString(n) {
			bad("nice.reserved", "must be nice numbers (6 to 12 digits) separated by commas", n)
		}
		c.Nice.Reserved = append(c.Nice.Reserved, n)
	}
	c.Nice.MaxSearchDepth = int(num("nice.max_search_depth", 100, 1_000_000))
	c.Nice.MaxSearchCandidates = int(num("nice.max_search_candidates", 1000, 1_000_000))
	return c, errors.Join(errs...)
}

// buildFrontDoor reads the keys that bound what a client may hold before
// it is authenticated, and the call deadline.
func buildFrontDoor(s *Server, num func(string, int64, int64) int64, dur func(string) time.Duration, bad func(string, string, any)) {
	s.MaxInflightBodyBytes = num("server.max_inflight_body_bytes", 1<<20, 1<<40)
	// (Only when both body limits are valid: a bad one is named on its own.)
	if upload := max(s.MaxBodyBytes, s.MaxUploadBodyBytes); upload <= 1<<30 && s.MaxInflightBodyBytes < upload {
		bad("server.max_inflight_body_bytes", fmt.Sprintf("must be at least the largest body (%d bytes), or that body could never be read", upload), s.MaxInflightBodyBytes)
	}
	s.MaxUnauthenticatedPerIP = int(num("server.max_unauthenticated_per_ip", 1, 1_000_000))
	s.MaxConnectionsPerIP = int(num("server.max_connections_per_ip", 1, 1_000_000))
	s.CallTimeout = dur("server.call_timeout")
	if s.CallTimeout > 0 && s.WriteTimeout > 0 && s.CallTimeout >= s.WriteTimeout {
		bad("server.call_timeout", fmt.Sprintf("must be below server.write_timeout (%s), so that every answer is written", s.WriteTimeout), s.CallTimeout)
	}
}

// reCost is one entry of ratelimit.costs: Service.Method=N.
var reCost = regexp.MustCompile(`^([A-Za-z]+\.[A-Za-z]+)\s*=\s*(\d{1,4})$`)

// maxCost bounds a method's cost in ratelimit.costs.
const maxCost = 1000

// parseCosts reads "Service.Method=N,..." (N from 1 to maxCost), each
// method once.
func parseCosts(spec string) (map[string]int, error) {
	costs := map[string]int{}
	for _, item := range strings.Split(spec, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		m := reCost.FindStringSubmatch(item)
		if m == nil {
			return nil, fmt.Errorf("must be Service.Method=units pairs separated by commas, e.g. AccountService.SearchNiceNumbers=20; %q is not", item)
		}
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > maxCost {
			return nil, fmt.Errorf("%s: a cost must be from 1 to %d", m[1], maxCost)
		}
		if _, dup := costs[m[1]]; dup {
			return nil, fmt.Errorf("%s is given twice", m[1])
		}
		costs[m[1]] = n
	}
	return costs, nil
}

var (
	reBankCode   = regexp.MustCompile(`^\d{3,8}$`)
	reCurrency   = regexp.MustCompile(`^[A-Z]{3}$`)
	reNiceNumber = regexp.MustCompile(`^\d{6,12}$`)
	reNiceFees   = regexp.MustCompile(`^(\s*[A-Za-z_]+\s*=\s*\d+\s*(,\s*[A-Za-z_]+\s*=\s*\d+\s*)*)?$`)
)

// buildOTPChannel reads the delivery channel and its settings.
func buildOTPChannel(o *OTP, str func(string) string, bad func(string, string, any)) {
	o.Channel = strings.ToLower(str("otp.channel"))
	o.WebhookURL, o.WebhookSecret = str("otp.webhook_url"), str("otp.webhook_secret")
	switch o.Channel {
	case "", "log": // "" is unset: serve refuses to start, demo uses log
	case "webhook":
		if u, err := url.Parse(o.WebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("otp.webhook_url", "must be the gateway's http:// or https:// URL when otp.channel is webhook", o.WebhookURL)
		}
		if len(o.WebhookSecret) < 16 {
			bad("otp.webhook_secret", "must be at least 16 characters when otp.channel is webhook", "(hidden)")
		}
	default:
		bad("otp.channel", "must be log or webhook", o.Channel)
	}
	if key := str("otp.message_key"); key != "" {
		b, err := hex.DecodeString(key)
		if err != nil || len(b) != 32 {
			bad("otp.message_key", "must be 64 hex digits (32 bytes), e.g. from openssl rand -hex 32", "(hidden)")
		}
		o.MessageKey = b
	}
}

var reKeyID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// buildDataKeys reads the data key, its id and the old keys.
func buildDataKeys(e *EKYC, str func(string) string, bad func(string, string, any)) {
	const how = "must be 64 hex digits (32 bytes), e.g. from openssl rand -hex 32"
	if e.DataKeyID = str("ekyc.data_key_id"); !reKeyID.MatchString(e.DataKeyID) {
		bad("ekyc.data_key_id", "must be 1 to 32 letters, digits, dots, underscores or dashes, starting with a letter or digit", e.DataKeyID)
	}
	if key := str("ekyc.data_key"); key != "" {
		if e.DataKey = hexKey(key); e.DataKey == nil {
			bad("ekyc.data_key", how, "(hidden)")
		}
	}
	old := str("ekyc.old_data_keys")
	if old != "" && e.DataKey == nil {
		bad("ekyc.old_data_keys", "old keys are read alongside a current data key, and none is set", "(hidden)")
	}
	e.OldDataKeys = map[string][]byte{}
	for _, pair := range strings.Split(old, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		id, key, _ := strings.Cut(pair, ":")
		id = strings.TrimSpace(id)
		switch b := hexKey(strings.TrimSpace(key)); {
		case !reKeyID.MatchString(id):
			bad("ekyc.old_data_keys", "must be id:key pairs separated by commas, each id 1 to 32 letters, digits, dots, underscores or dashes", id)
		case b == nil:
			bad("ekyc.old_data_keys", "key "+id+" "+how, "(hidden)")
		case id == e.DataKeyID || e.OldDataKeys[id] != nil:
			bad("ekyc.old_data_keys", "names a key id twice, or the current key's id", id)
		default:
			e.OldDataKeys[id] = b
		}
	}
}

// hexKey reads 64 hex digits, or returns nil.
func hexKey(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil
	}
	return b
}

// retention reads a period given in whole days ("30d") or as a duration
// with a unit ("720h").
func retention(key string, str func(string) string, bad func(string, string, any)) time.Duration {
	v := str(key)
	if days, ok := strings.CutSuffix(v, "d"); ok && reDigits.MatchString(days) {
		if n, err := strconv.Atoi(days); err == nil && n > 0 && n <= 36500 {
			return time.Duration(n) * 24 * time.Hour
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > 36500*24*time.Hour {
		bad(key, "must be a number of days such as 30d, or a positive duration with a unit such as 720h (at most 100 years)", v)
	}
	return d
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("must be host:port, e.g. 127.0.0.1:8080")
	}
	if p, err := strconv.Atoi(port); err != nil || !reDigits.MatchString(port) || p > 65535 {
		return errors.New("port must be a number from 0 to 65535")
	}
	if host != "" && net.ParseIP(host) == nil && !reHostName.MatchString(host) {
		return errors.New("host must be an IP address or a host name")
	}
	return nil
}

// strictInt reads a whole number given as a YAML integer or as decimal
// digits; booleans, floats, hex and signs are refused.
func strictInt(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case uint64:
		if n > 1<<62 {
			return 0, errors.New("too large")
		}
		return int64(n), nil
	case string:
		s := strings.TrimSpace(n)
		if !reDigits.MatchString(s) {
			return 0, errors.New("not a whole number")
		}
		return strconv.ParseInt(s, 10, 64)
	}
	return 0, fmt.Errorf("not a whole number: %T", v)
}

func oneOf(s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

// Masked returns the configuration as key/value pairs for the start-up log,
// with any password in the DSN hidden.
func (c Config) Masked(redact func(string) string) map[string]any {
	redisURL := c.RateLimit.RedisURL
	if redisURL != "" {
		redisURL = redact(redisURL)
	}
	return map[string]any{
		"server.addr":                  c.Server.Addr,
		"server.max_body_bytes":        c.Server.MaxBodyBytes,
		"server.max_upload_body_bytes": c.Server.MaxUploadBodyBytes,
		"server.max_batch":             c.Server.MaxBatch,
		"server.read_timeout":          c.Server.ReadTimeout.String(),
		"server.write_timeout":         c.Server.WriteTimeout.String(),
		"server.shutdown_timeout":      c.Server.ShutdownTimeout.String(),
		"server.tls_cert":              c.Server.TLSCert,
		"server.tls_key":               c.Server.TLSKey,
		"database.driver":              c.Database.Driver,
		"database.dsn":                 redact(c.Database.DSN),
		"database.max_open_conns":      c.Database.MaxOpenConns,
		"bank.institution_id":          c.Bank.InstitutionID,
		"bank.phone_region":            c.Bank.PhoneRegion,
		"log.level":                    c.Log.Level,
		"log.format":                   c.Log.Format,
		"auth.key_cache_ttl":           c.Auth.KeyCacheTTL.String(),
		"auth.max_clock_skew":          c.Auth.MaxClockSkew.String(),
		"idempotency.ttl":              c.Idempotency.TTL.String(),
		"idempotency.wait":             c.Idempotency.Wait.String(),
		"ratelimit.redis_url":          redisURL,
		"ratelimit.default_tier":       c.RateLimit.DefaultTier,
		"ratelimit.bronze":             c.RateLimit.Tiers["BRONZE"],
		"ratelimit.silver":             c.RateLimit.Tiers["SILVER"],
		"ratelimit.gold":               c.RateLimit.Tiers["GOLD"],
		"ratelimit.platinum":           c.RateLimit.Tiers["PLATINUM"],
		"ratelimit.costs":              maskedCosts(c.RateLimit.Costs),
		"bank.code":                    c.Bank.Code,
		"bank.timezone":                c.Bank.Location.String(),
		"dormancy.days":                c.Dormancy.Days,
		"dormancy.sweep_interval":      c.Dormancy.SweepInterval.String(),
		"otp.ttl":                      c.OTP.TTL.String(),
		"otp.channel":                  c.OTP.Channel,
		"otp.webhook_url":              redactURL(c.OTP.WebhookURL),
		"otp.webhook_secret":           hidden(c.OTP.WebhookSecret != ""),
		"otp.message_key":              hidden(len(c.OTP.MessageKey) > 0),
		"otp.dispatch_interval":        c.OTP.DispatchInterval.String(),
		"otp.mobile_changes_per_day":   c.OTP.MobileChangesPerDay,
		"otp.operations_per_hour":      c.OTP.OperationsPerHour,
		"ekyc.min_age":                 c.EKYC.MinAge,
		"ekyc.onboarding_ttl":          c.EKYC.OnboardingTTL.String(),
		"ekyc.picture_retries":         c.EKYC.PictureRetries,
		"ekyc.hash_distance":           c.EKYC.HashDistance,
		"ekyc.max_picture_bytes":       c.EKYC.MaxPictureBytes,
		"nice.hold_ttl":                c.Nice.HoldTTL.String(),
		"nice.fee_currency":            c.Nice.FeeCurrency,
		"nice.fees":                    c.Nice.Fees,
		"nice.reserved":                strings.Join(c.Nice.Reserved, ","),

		"server.max_inflight_body_bytes":    c.Server.MaxInflightBodyBytes,
		"server.max_unauthenticated_per_ip": c.Server.MaxUnauthenticatedPerIP,
		"server.max_connections_per_ip":     c.Server.MaxConnectionsPerIP,
		"server.call_timeout":               c.Server.CallTimeout.String(),

		"nice.max_search_depth":      c.Nice.MaxSearchDepth,
		"nice.max_search_candidates": c.Nice.MaxSearchCandidates,

		"ekyc.data_key":                    hidden(len(c.EKYC.DataKey) > 0),
		"ekyc.data_key_id":                 c.EKYC.DataKeyID,
		"ekyc.old_data_keys":               maskedKeys(c.EKYC.OldDataKeys),
		"ekyc.picture_retention":           c.EKYC.PictureRetention.String(),
		"ekyc.completed_picture_retention": c.EKYC.CompletedPictureRetention.String(),
	}
}

// maskedCosts writes ratelimit.costs back in its own form, sorted.
func maskedCosts(costs map[string]int) string {
	items := make([]string, 0, len(costs))
	for m, n := range costs {
		items = append(items, m+"="+strconv.Itoa(n))
	}
	sort.Strings(items)
	return strings.Join(items, ",")
}

// hidden stands for a secret in the start-up log.
func hidden(set bool) string {
	if set {
		return "(set)"
	}
	return ""
}

// maskedKeys names the keys of a key map, for the log: "k0:(hidden),...".
func maskedKeys(keys map[string][]byte) string {
	ids := make([]string, 0, len(keys))
	for id := range keys {
		ids = append(ids, id+":(hidden)")
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// redactURL drops credentials and the query from a URL for the log.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return raw
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}
