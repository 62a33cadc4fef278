package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
)

// key is one configuration key, declared once. The defaults, the
// environment variables, the flags, the checks, the start-up log and
// docs/configuration.md are all read from the table of keys.
type key struct {
	name   string // section.name, as in the YAML file
	def    any    // the default, as the YAML file would give it
	flag   bool   // also a command-line flag --name
	secret bool   // the start-up log shows only whether it is set
	doc    string // what it means, one line for docs/configuration.md
	value         // how it is read into its Config field, checked and shown
	// check is a check that needs keys read before this one (the table's
	// order); nil when the value's own bounds are the whole check.
	check func(r *reader, c *Config)
}

// keys is every configuration key, in the order they are read and
// documented; a key not listed here is unknown and refused.
var keys = []key{
	{name: "server.addr", def: "127.0.0.1:8080", flag: true,
		doc:   "listen address (`host:port`; port 0 picks a free port)",
		value: text(func(c *Config) *string { return &c.Server.Addr }, nil, checkAddr)},
	{name: "server.admin_addr", def: "", flag: true,
		doc: "listen address of the admin listener, which serves Go's profiles (`/debug/pprof/`, for `go tool pprof`) and nothing else; empty (the default): no admin listener. Bind it to loopback (`127.0.0.1:6060`): profiles show the program's internals",
		value: text(func(c *Config) *string { return &c.Server.AdminAddr }, nil, func(v string) string {
			if v == "" {
				return ""
			}
			return checkAddr(v)
		})},
	{name: "server.max_body_bytes", def: 1 << 20, flag: true,
		doc:   "larger bodies get HTTP 413 and are not read further",
		value: number(func(c *Config) *int64 { return &c.Server.MaxBodyBytes }, 1024, 1<<30)},
	{name: "server.max_upload_body_bytes", def: 10 << 20,
		doc:   "the body limit of a single request that uploads a picture (`OnboardingService.UploadIDCard` or `UploadPortrait`) by a key that may call it; batches and other methods keep `server.max_body_bytes`",
		value: number(func(c *Config) *int64 { return &c.Server.MaxUploadBodyBytes }, 1024, 1<<30)},
	{name: "server.max_inflight_body_bytes", def: 64 << 20,
		doc:   "request-body bytes all requests hold at once, beyond the first 64 KiB of each (small calls never wait for it); a request that cannot get its share within 1 s gets HTTP 503 with `Retry-After`. At least the largest body",
		value: number(func(c *Config) *int64 { return &c.Server.MaxInflightBodyBytes }, 1<<20, 1<<40),
		check: checkInflight},
	{name: "server.max_unauthenticated_per_ip", def: 256,
		doc:   "requests of one client address whose body is still being read, before their key is known; more get HTTP 503 with `Retry-After`. Behind a proxy every client has the proxy's address: raise it there",
		value: number(func(c *Config) *int { return &c.Server.MaxUnauthenticatedPerIP }, 1, 1_000_000)},
	{name: "server.max_connections_per_ip", def: 512,
		doc:   "open connections of one client address; more are closed on accept",
		value: number(func(c *Config) *int { return &c.Server.MaxConnectionsPerIP }, 1, 1_000_000)},
	{name: "server.public_url", def: "",
		doc: "the JSON-RPC endpoint's URL as partners reach it (behind a proxy or load balancer), which `rpc.discover` names in `servers`; empty: the URL each request came to",
		value: text(func(c *Config) *string { return &c.Server.PublicURL }, nil, func(v string) string {
			if u, err := url.Parse(v); v != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil) {
				return "must be an http or https URL such as https://api.bank.example/jsonrpc"
			}
			return ""
		})},
	{name: "server.max_batch", def: 100,
		doc:   "requests per batch",
		value: number(func(c *Config) *int { return &c.Server.MaxBatch }, 1, 10000)},
	{name: "server.read_timeout", def: "15s",
		doc:   "HTTP read timeout",
		value: duration(func(c *Config) *time.Duration { return &c.Server.ReadTimeout }, 0, "")},
	{name: "server.write_timeout", def: "30s",
		doc:   "HTTP write timeout",
		value: duration(func(c *Config) *time.Duration { return &c.Server.WriteTimeout }, 0, "")},
	{name: "server.call_timeout", def: "10s",
		doc:   "deadline of a call, and of a whole batch, which shares one; below `server.write_timeout` (and kept within 90% of it), so that every answer is written. A call cut by it is -32008 `CALL_TIMEOUT`; batch elements not reached are -32008 `BATCH_DEADLINE`",
		value: duration(func(c *Config) *time.Duration { return &c.Server.CallTimeout }, 0, ""),
		check: checkCallTimeout},
	{name: "server.shutdown_timeout", def: "15s",
		doc:   "how long calls in flight may finish on shutdown",
		value: duration(func(c *Config) *time.Duration { return &c.Server.ShutdownTimeout }, 0, "")},
	{name: "server.tls_cert", def: "", flag: true,
		doc:   "PEM certificate chain: serve HTTPS when it and `server.tls_key` are set",
		value: text(func(c *Config) *string { return &c.Server.TLSCert }, nil, nil)},
	{name: "server.tls_key", def: "", flag: true,
		doc:   "PEM private key of `server.tls_cert`",
		value: text(func(c *Config) *string { return &c.Server.TLSKey }, nil, nil),
		check: checkTLSPair},

	{name: "database.driver", def: "sqlite", flag: true,
		doc:   "`sqlite` or `postgres`",
		value: text(func(c *Config) *string { return &c.Database.Driver }, strings.ToLower, mustBeOneOf("sqlite", "postgres"))},
	{name: "database.dsn", def: "./accountd.db", flag: true,
		doc: "SQLite file (or `file:` URI); for `postgres` a URL such as `postgres://accountd:secret@db:5432/bank?sslmode=verify-full` or `key=value` settings; the start-up log hides its password",
		value: text(func(c *Config) *string { return &c.Database.DSN }, nil, nil).
			shown(func(dsn string, redact func(string) string) string { return redact(dsn) }),
		check: checkDSN},
	{name: "database.max_open_conns", def: 10,
		doc:   "PostgreSQL connections per replica",
		value: number(func(c *Config) *int { return &c.Database.MaxOpenConns }, 1, 1000)},
	{name: "database.group_commit_batch", def: 0,
		doc: fmt.Sprintf("most data-changing calls that share one transaction and one commit (group commit; each call in its own savepoint); `1` turns group commit off; "+
			"`0`: %d on SQLite, %d on PostgreSQL (whose transactions keep 64 subtransactions cached)", store.DefaultMaxBatch, store.DefaultMaxBatchPostgres),
		value: number(func(c *Config) *int { return &c.Database.GroupCommit.MaxBatch }, 0, 1000)},
	{name: "database.group_commit_wait", def: durationDef(store.DefaultMaxWait),
		doc:   "longest a batch stays open to calls that arrive while it runs; a batch never waits for a call that has not arrived, so a lone call commits at once",
		value: duration(func(c *Config) *time.Duration { return &c.Database.GroupCommit.MaxWait }, 100*time.Millisecond, "a batch open longer delays every call in it")},
	{name: "database.group_commit_committers", def: store.DefaultCommitters,
		doc:   "PostgreSQL: batches that run at once per replica, each on its own connection (keep it below `database.max_open_conns`, which reads share); SQLite always runs one",
		value: number(func(c *Config) *int { return &c.Database.GroupCommit.Committers }, 1, 64)},

	{name: "bank.institution_id", def: "101115399", flag: true,
		doc:   "the bank's routing number, echoed as `institutionID`; quote it in YAML",
		value: quoted(func(c *Config) *string { return &c.Bank.InstitutionID }, reInstitution, "must be the bank's routing number, 1 to 20 digits")},
	{name: "bank.phone_region", def: "",
		doc: "ISO 3166 region for phone numbers written without `+CC` (e.g. `VN`); empty: international form only",
		value: text(func(c *Config) *string { return &c.Bank.PhoneRegion }, strings.ToUpper,
			emptyOr(reRegion, "must be empty or an ISO 3166 region such as VN"))},
	{name: "bank.code", def: "970",
		doc:   "the bank's code in name inquiries (`ValidateName`'s `bankCode`); quote it in YAML",
		value: quoted(func(c *Config) *string { return &c.Bank.Code }, reBankCode, "must be the bank's code, 3 to 8 digits (e.g. 014)")},
	{name: "bank.timezone", def: "UTC",
		doc:   "IANA time zone of the bank's calendar days (mobile-change limit)",
		value: custom("IANA time zone", func(c *Config) **time.Location { return &c.Bank.Location }, readLocation, func(c *Config) any { return c.Bank.Location.String() })},

	{name: "log.level", def: "info", flag: true,
		doc:   "`debug`, `info`, `warn`, `error`",
		value: text(func(c *Config) *string { return &c.Log.Level }, strings.ToLower, mustBeOneOf("debug", "info", "warn", "error"))},
	{name: "log.format", def: "json", flag: true,
		doc:   "`json` or `console`",
		value: text(func(c *Config) *string { return &c.Log.Format }, strings.ToLower, mustBeOneOf("json", "console"))},

	{name: "auth.key_cache_ttl", def: "2s",
		doc:   "how long a key is cached; bounds how soon a revocation takes effect",
		value: duration(func(c *Config) *time.Duration { return &c.Auth.KeyCacheTTL }, 0, "")},
	{name: "auth.max_clock_skew", def: durationDef(partner.DefaultMaxClockSkew),
		doc: "how far an ACCOUNTD-V2 `timestamp` may be from the server's clock",
		value: duration(func(c *Config) *time.Duration { return &c.Auth.MaxClockSkew }, time.Hour,
			"must be at most 1h: a signed request is valid for twice this window")},
	{name: "idempotency.ttl", def: durationDef(services.DefaultIdempotencyTTL),
		doc:   "how long a request id is remembered; must be at least a minute longer than twice `auth.max_clock_skew`, so that a request is remembered as long as its signature is accepted",
		value: duration(func(c *Config) *time.Duration { return &c.Idempotency.TTL }, 0, ""),
		check: checkIdempotencyTTL},
	{name: "idempotency.wait", def: durationDef(services.DefaultIdempotencyWait),
		doc: "how long a duplicate that arrives while the first call runs waits for its answer (never past the call's own deadline) before it is -32006",
		// A call's own deadline (server.call_timeout) cuts the wait short, so a
		// longer wait is harmless; the bound only catches a typo.
		value: duration(func(c *Config) *time.Duration { return &c.Idempotency.Wait }, time.Minute, "must be at most 1m")},

	{name: "audit.flush_interval", def: durationDef(services.DefaultAuditFlushInterval),
		doc: "how long the audit row of a name inquiry (`ValidateName`, a read) may wait in memory before it is written with the others waiting, in one transaction (also at once when 256 wait, and at shutdown). Rows still waiting are lost if the process dies; a data-changing call's row is always written with its change",
		value: duration(func(c *Config) *time.Duration { return &c.Audit.FlushInterval }, 10*time.Second,
			"must be at most 10s: rows waiting in memory are lost if the process dies")},

	{name: "ratelimit.bronze", def: 200, doc: "requests per minute of the BRONZE package tier", value: tier("BRONZE")},
	{name: "ratelimit.silver", def: 500, doc: "requests per minute of the SILVER package tier", value: tier("SILVER")},
	{name: "ratelimit.gold", def: 1000, doc: "requests per minute of the GOLD package tier", value: tier("GOLD")},
	{name: "ratelimit.platinum", def: 2000, doc: "requests per minute of the PLATINUM package tier", value: tier("PLATINUM")},
	{name: "ratelimit.default_tier", def: "BRONZE",
		doc: "the tier of a partner created without `--tier`",
		value: text(func(c *Config) *string { return &c.RateLimit.DefaultTier }, strings.ToUpper, func(s string) string {
			if !oneOf(s, Tiers...) {
				return "must be one of " + strings.Join(Tiers, ", ")
			}
			return ""
		})},
	{name: "ratelimit.costs", def: "",
		doc: "`Service.Method=units,...` (1 to 1000) over the built-in costs; a name that is not a method stops start-up",
		value: custom("Service.Method=units,...", func(c *Config) *map[string]int { return &c.RateLimit.Costs }, readCosts,
			func(c *Config) any { return maskedCosts(c.RateLimit.Costs) })},
	{name: "ratelimit.redis_url", def: "", flag: true,
		doc: "`redis://host:6379/0`: the limits hold across replicas; empty: each process limits on its own; the start-up log hides its password",
		value: text(func(c *Config) *string { return &c.RateLimit.RedisURL }, nil, checkRedisURL).
			shown(func(u string, redact func(string) string) string {
				if u == "" {
					return u
				}
				return redact(u)
			})},

	{name: "dormancy.days", def: int(account.DefaultDormancy / day), flag: true,
		doc:   "days without customer activity before an ACTIVE account becomes DORMANT",
		value: number(func(c *Config) *int { return &c.Dormancy.Days }, 1, 36500)},
	{name: "dormancy.sweep_interval", def: "1h",
		doc:   "how often each server runs the dormancy sweep",
		value: duration(func(c *Config) *time.Duration { return &c.Dormancy.SweepInterval }, 0, "")},

	{name: "otp.ttl", def: durationDef(otp.DefaultTTL),
		doc:   "how long a one-time code is accepted",
		value: duration(func(c *Config) *time.Duration { return &c.OTP.TTL }, 24*time.Hour, "must be at most 24h")},
	{name: "otp.channel", def: "", flag: true,
		doc: "`webhook`, or `log` (codes on the console: demos and tests only; the demo's default); `serve` refuses to start without one, so that no server prints codes by default",
		// "" is unset: serve refuses to start, demo uses log.
		value: text(func(c *Config) *string { return &c.OTP.Channel }, strings.ToLower, func(s string) string {
			if !oneOf(s, "", "log", "webhook") {
				return "must be log or webhook"
			}
			return ""
		})},
	{name: "otp.webhook_url", def: "", flag: true,
		doc: "the SMS/e-mail gateway of the `webhook` channel; the start-up log drops its credentials and query",
		value: text(func(c *Config) *string { return &c.OTP.WebhookURL }, nil, nil).
			shown(func(u string, _ func(string) string) string { return redactURL(u) }),
		check: checkWebhookURL},
	{name: "otp.webhook_secret", def: "", secret: true,
		doc:   "the HMAC-SHA256 key of the webhook's signature (at least 16 characters)",
		value: text(func(c *Config) *string { return &c.OTP.WebhookSecret }, nil, nil),
		check: checkWebhookSecret},
	{name: "otp.message_key", def: "", secret: true,
		doc:   "64 hex digits (`openssl rand -hex 32`): encrypts queued messages and keys the stored code hashes; give replicas the same key. Empty (demos): a random message key per process, which delivers only its own messages, and unkeyed code hashes",
		value: hexKey256(func(c *Config) *[]byte { return &c.OTP.MessageKey })},
	{name: "otp.dispatch_interval", def: "1s",
		doc:   "how often queued messages are looked for",
		value: duration(func(c *Config) *time.Duration { return &c.OTP.DispatchInterval }, 0, "")},
	{name: "otp.mobile_changes_per_day", def: contact.DefaultMobileChangesPerDay,
		doc:   "mobile-change requests a customer may make a calendar day",
		value: number(func(c *Config) *int { return &c.OTP.MobileChangesPerDay }, 1, 100)},
	{name: "otp.operations_per_hour", def: otp.DefaultOperationsPerHour,
		doc:   "one-time-code operations (codes sent to a customer) one customer may start in any hour; then 3013",
		value: number(func(c *Config) *int { return &c.OTP.OperationsPerHour }, 1, 1000)},

	{name: "ekyc.min_age", def: customer.DefaultMinEKYCAge,
		doc:   "the youngest age for electronic onboarding (Vietnam requires 18 for eKYC)",
		value: number(func(c *Config) *int { return &c.EKYC.MinAge }, 15, 100)},
	{name: "ekyc.onboarding_ttl", def: durationDef(onboarding.DefaultOnboardingTTL),
		doc:   "how long an onboarding package may take from InitCustomerInfo to its confirmed code; then it is EXPIRED",
		value: duration(func(c *Config) *time.Duration { return &c.EKYC.OnboardingTTL }, 0, "")},
	{name: "ekyc.picture_retries", def: onboarding.DefaultPictureRetries,
		doc:   "how often a failed picture may be uploaded again; the next failure rejects the package",
		value: number(func(c *Config) *int { return &c.EKYC.PictureRetries }, 1, 20)},
	{name: "ekyc.hash_distance", def: onboarding.DefaultHashDistance,
		doc:   "the largest Hamming distance (of 64 bits) between perceptual hashes at which two pictures count as the same picture",
		value: number(func(c *Config) *int { return &c.EKYC.HashDistance }, 1, 32)},
	{name: "ekyc.max_picture_bytes", def: 4 << 20,
		doc:   "the largest picture, decoded from Base64 (FILE_SIZE)",
		value: number(func(c *Config) *int { return &c.EKYC.MaxPictureBytes }, 64<<10, 64<<20)},
	{name: "ekyc.data_key_id", def: "k1",
		doc: "the name of `ekyc.data_key`, stored with each value it seals",
		value: text(func(c *Config) *string { return &c.EKYC.DataKeyID }, nil, func(id string) string {
			if !reKeyID.MatchString(id) {
				return "must be 1 to 32 letters, digits, dots, underscores or dashes, starting with a letter or digit"
			}
			return ""
		})},
	{name: "ekyc.data_key", def: "", secret: true,
		doc:   "64 hex digits (`openssl rand -hex 32`): encrypts the onboarding pictures, applicant data and FATCA declarations at rest (AES-256-GCM); the same on every replica, kept apart from the database and its backups, and another key than `otp.message_key`. `serve` refuses to start without one; the demo draws one into `demo/ekyc-data.key`",
		value: hexKey256(func(c *Config) *[]byte { return &c.EKYC.DataKey })},
	{name: "ekyc.old_data_keys", def: "", secret: true,
		doc: "earlier data keys still read, `id:hex,id:hex`; the start-up log shows their ids only",
		value: custom("id:hex,...", func(c *Config) *map[string][]byte { return &c.EKYC.OldDataKeys }, readOldDataKeys,
			func(c *Config) any { return maskedKeys(c.EKYC.OldDataKeys) }).hidesSecret()},
	{name: "ekyc.picture_retention", def: periodDef(onboarding.DefaultPictureRetention),
		doc:   "how long the pictures and applicant data of a REJECTED or EXPIRED package are kept (from the rejection, or from the package's expiry)",
		value: period(func(c *Config) *time.Duration { return &c.EKYC.PictureRetention })},
	{name: "ekyc.completed_picture_retention", def: periodDef(onboarding.DefaultCompletedPictureRetention),
		doc:   "how long those of a COMPLETED package are kept after the customer's last account closed: 5 years, the minimum that FATF Recommendation 11 and Vietnam's Law on Anti-Money Laundering (2022) set for identification records from the end of the relationship",
		value: period(func(c *Config) *time.Duration { return &c.EKYC.CompletedPictureRetention })},

	{name: "audit.checkpoint_interval", def: "1m",
		doc:   "how often each server signs a checkpoint of the audit trail's head, when it moved since the last one, stores it in `audit_checkpoints` and publishes it (an info log line `audit checkpoint`, and `audit.checkpoint_file`); see [Audit trail checkpoints](operating.md#audit-trail-checkpoints)",
		value: duration(func(c *Config) *time.Duration { return &c.Audit.CheckpointInterval }, 24*time.Hour, "must be at most 24h")},
	{name: "audit.checkpoint_file", def: "",
		doc:   "a file each server appends its checkpoints to, one JSON line each, synced to disk: ship it (or the log lines) to a store the database's administrators cannot change; empty: none",
		value: text(func(c *Config) *string { return &c.Audit.CheckpointFile }, nil, nil),
		check: checkCheckpointFile},
	{name: "audit.checkpoint_public_keys", def: "",
		doc:   "Ed25519 public keys (64 hex digits each) that `audit verify` accepts checkpoints of, besides those derived from `ekyc.data_key` and `ekyc.old_data_keys`: the `key` of checkpoints signed under a data key since removed, or every key for a checker who holds no data key",
		value: list(func(c *Config) *[]string { return &c.Audit.CheckpointPublicKeys }, reHexKey, "must be Ed25519 public keys of 64 hex digits, separated by commas")},

	{name: "nice.hold_ttl", def: durationDef(nice.DefaultHoldTTL),
		doc:   "how long a held nice number stays held",
		value: duration(func(c *Config) *time.Duration { return &c.Nice.HoldTTL }, 0, "")},
	{name: "nice.fee_currency", def: "VND",
		doc: "the currency of the nice-number fee table",
		value: text(func(c *Config) *string { return &c.Nice.FeeCurrency }, strings.ToUpper,
			matching(reCurrency, "must be an ISO 4217 code such as VND"))},
	{name: "nice.fees", def: "",
		doc: "`CATEGORY=amount,...` (minor units) over the default fees",
		value: text(func(c *Config) *string { return &c.Nice.Fees }, nil,
			matching(reNiceFees, "must be CATEGORY=amount pairs separated by commas, e.g. FOUR_OF_A_KIND=2000000"))},
	{name: "nice.reserved", def: "",
		doc:   "nice numbers the bank keeps back",
		value: list(func(c *Config) *[]string { return &c.Nice.Reserved }, reNiceNumber, "must be nice numbers (6 to 12 digits) separated by commas")},
	{name: "nice.max_search_depth", def: nice.DefaultNiceMaxSearchDepth,
		doc:   "the largest `pageNumber` × `pageSize` of `SearchNiceNumbers`",
		value: number(func(c *Config) *int { return &c.Nice.MaxSearchDepth }, 100, 1_000_000)},
	{name: "nice.max_search_candidates", def: nice.DefaultNiceMaxSearchCandidates,
		doc:   "how many candidate numbers one search examines at most before it answers a `truncated` page",
		value: number(func(c *Config) *int { return &c.Nice.MaxSearchCandidates }, 1000, 1_000_000)},
}

var (
	reInstitution = regexp.MustCompile(`^\d{1,20}$`)
	reRegion      = regexp.MustCompile(`^[A-Z]{2}$`)
	reHostName    = regexp.MustCompile(`^[A-Za-z0-9.-]+$`)
	reDigits      = regexp.MustCompile(`^\d+$`)
	reBankCode    = regexp.MustCompile(`^\d{3,8}$`)
	reCurrency    = regexp.MustCompile(`^[A-Z]{3}$`)
	reNiceNumber  = regexp.MustCompile(`^\d{6,12}$`)
	reNiceFees    = regexp.MustCompile(`^(\s*[A-Za-z_]+\s*=\s*\d+\s*(,\s*[A-Za-z_]+\s*=\s*\d+\s*)*)?$`)
	reKeyID       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	reHexKey      = regexp.MustCompile(`^[0-9A-Fa-f]{64}$`)
)

// checkInflight keeps the body budget at least the largest body, or that
// body could never be read.
func checkInflight(r *reader, c *Config) {
	s := &c.Server
	// (Only when both body limits are valid: a bad one is named on its own.)
	if upload := max(s.MaxBodyBytes, s.MaxUploadBodyBytes); upload <= 1<<30 && s.MaxInflightBodyBytes < upload {
		r.bad(fmt.Sprintf("must be at least the largest body (%d bytes), or that body could never be read", upload), s.MaxInflightBodyBytes)
	}
}

// checkCallTimeout keeps the call deadline below the write timeout.
func checkCallTimeout(r *reader, c *Config) {
	if s := &c.Server; s.CallTimeout > 0 && s.WriteTimeout > 0 && s.CallTimeout >= s.WriteTimeout {
		r.bad(fmt.Sprintf("must be below server.write_timeout (%s), so that every answer is written", s.WriteTimeout), s.CallTimeout)
	}
}

// checkTLSPair wants the certificate and its key together, both readable.
func checkTLSPair(r *reader, c *Config) {
	switch s := &c.Server; {
	case (s.TLSCert == "") != (s.TLSKey == ""):
		r.badKey("server.tls_cert", "server.tls_cert and server.tls_key must be set together", s.TLSCert)
	case s.TLSCert != "":
		for _, f := range []struct{ key, path string }{{"server.tls_cert", s.TLSCert}, {"server.tls_key", s.TLSKey}} {
			if _, err := os.Stat(f.path); err != nil {
				r.badKey(f.key, "must name a readable PEM file", f.path)
			}
		}
	}
}

// checkCheckpointFile wants the checkpoint file's folder to exist.
func checkCheckpointFile(r *reader, c *Config) {
	if f := c.Audit.CheckpointFile; f != "" {
		if st, err := os.Stat(filepath.Dir(f)); err != nil || !st.IsDir() {
			r.bad("must be a file in an existing folder", f)
		}
	}
}

// checkDSN wants a database named in the form its driver reads.
func checkDSN(r *reader, c *Config) {
	if d := &c.Database; d.DSN == "" {
		r.bad("must name the database (a file for sqlite, a postgres:// URL for postgres)", d.DSN)
	} else if d.Driver == "postgres" && !strings.Contains(d.DSN, "://") && !strings.Contains(d.DSN, "=") {
		r.bad("must be a postgres:// URL or key=value settings for postgres", d.DSN)
	}
}

// checkIdempotencyTTL keeps a request id remembered for as long as its
// signature is accepted: from skew before to skew after its timestamp, or
// a captured request could run again once its id is forgotten.
func checkIdempotencyTTL(r *reader, c *Config) {
	if ttl, skew := c.Idempotency.TTL, c.Auth.MaxClockSkew; ttl > 0 && ttl < 2*skew+time.Minute {
		r.bad(fmt.Sprintf("must be at least a minute longer than twice the signature clock-skew window of %s, "+
			"so that a request id is remembered for as long as its signature is accepted", skew), ttl)
	}
}

// checkRedisURL wants an empty value or a redis:// URL.
func checkRedisURL(u string) string {
	if u != "" && !strings.HasPrefix(u, "redis://") && !strings.HasPrefix(u, "rediss://") {
		return "must be empty or a redis:// or rediss:// URL"
	}
	return ""
}

// checkWebhookURL wants the gateway's URL when the channel is webhook.
func checkWebhookURL(r *reader, c *Config) {
	if c.OTP.Channel != "webhook" {
		return
	}
	if u, err := url.Parse(c.OTP.WebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		r.bad("must be the gateway's http:// or https:// URL when otp.channel is webhook", c.OTP.WebhookURL)
	}
}

// checkWebhookSecret wants a long enough secret when the channel is webhook.
func checkWebhookSecret(r *reader, c *Config) {
	if c.OTP.Channel == "webhook" && len(c.OTP.WebhookSecret) < 16 {
		r.bad("must be at least 16 characters when otp.channel is webhook", "(hidden)")
	}
}

// day is a calendar day's length, for keys counted in days.
const day = 24 * time.Hour

// durationDef writes a domain's default duration as the YAML file would
// ("5m", "24h"), so that the domain's constant is the default's one copy.
func durationDef(d time.Duration) string {
	s := d.String() // "24h0m0s", "5m0s", "10s"
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// periodDef writes a whole number of days as a period ("30d").
func periodDef(d time.Duration) string { return fmt.Sprintf("%dd", d/day) }
