// Package config loads accountd's configuration: defaults, then a YAML file
// (--config), then ACCOUNTD_* environment variables, then command-line flags.
// It is the only package that reads the environment, and it returns one
// validated struct.
package config

import (
	"errors"
	"fmt"
	"github.com/accountd/accountd/store"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

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
	Audit       Audit
	RateLimit   RateLimit
	Dormancy    Dormancy
	OTP         OTP
	EKYC        EKYC
	Nice        Nice
}

// Audit tunes the audit trail: the batched rows of name inquiries and the
// signed checkpoints.
type Audit struct {
	// FlushInterval is audit.flush_interval: how long the audit row of a
	// name inquiry may wait in memory before it is written with others.
	FlushInterval time.Duration
	// CheckpointInterval is audit.checkpoint_interval: how often each
	// server signs a checkpoint of the trail's head, when it moved.
	CheckpointInterval time.Duration
	// CheckpointFile is audit.checkpoint_file: a file each server appends
	// its checkpoints to, one JSON line each; none when empty.
	CheckpointFile string
	// CheckpointPublicKeys is audit.checkpoint_public_keys: hex Ed25519
	// public keys that audit verify also accepts checkpoints of.
	CheckpointPublicKeys []string
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
	// PublicURL is server.public_url: the JSON-RPC endpoint's URL as
	// partners reach it, for rpc.discover's servers; empty means the URL
	// each request came to.
	PublicURL string
	// AdminAddr is server.admin_addr: the listen address of the profiles
	// (net/http/pprof); empty for none.
	AdminAddr string
}

// Database is where data lives.
type Database struct {
	Driver       string // database.driver: sqlite or postgres
	DSN          string // database.dsn: a file path for sqlite, a URL for postgres
	MaxOpenConns int    // database.max_open_conns: PostgreSQL pool size per replica
	// GroupCommit is database.group_commit_*: how concurrent writes share
	// transactions.
	GroupCommit store.GroupCommit
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

// Audit tunes the audit trail.
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

// byName finds a key of the table by its name.
var byName = func() map[string]*key {
	m := make(map[string]*key, len(keys))
	for i := range keys {
		m[keys[i].name] = &keys[i]
	}
	return m
}()

// RegisterFlags adds --config and one flag per common key to fs.
func RegisterFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "YAML configuration file")
	for _, k := range keys {
		if k.flag {
			fs.String(k.name, "", fmt.Sprintf("%s (default %v; env ACCOUNTD_%s)", k.name, k.def, EnvName(k.name)))
		}
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
	for _, k := range keys {
		v.SetDefault(k.name, k.def)
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
		for _, k := range keys {
			if f := fs.Lookup(k.name); k.flag && f != nil && f.Changed {
				v.Set(k.name, f.Value.String())
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
	for _, k := range keys {
		if val, ok := vars["ACCOUNTD_"+EnvName(k.name)]; ok {
			v.Set(k.name, val)
		}
	}
}

func unknownKeys(v *viper.Viper) error {
	var unknown []string
	for _, k := range v.AllKeys() {
		if byName[k] == nil {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("config: unknown key %s", strings.Join(unknown, ", "))
}

// build reads every key in the table's order and checks it, naming every
// bad key.
func build(v *viper.Viper) (Config, error) {
	var c Config
	r := &reader{v: v}
	for _, k := range keys {
		r.key = k.name
		k.read(r, &c)
		if k.check != nil {
			k.check(r, &c)
		}
	}
	return c, errors.Join(r.errs...)
}

// Masked returns the configuration as key/value pairs for the start-up log:
// a secret key shows only whether it is set, and redact hides any password
// in the database's DSN and the Redis URL.
func (c Config) Masked(redact func(string) string) map[string]any {
	m := make(map[string]any, len(keys))
	for _, k := range keys {
		if k.secret && !k.safe {
			m[k.name] = hidden(isSet(k.field(&c)))
		} else {
			m[k.name] = k.show(&c, redact)
		}
	}
	return m
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
func maskedKeys(byID map[string][]byte) string {
	ids := make([]string, 0, len(byID))
	for id := range byID {
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
