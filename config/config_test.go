package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/config"
	"github.com/spf13/pflag"
)

// allKeys is every configuration key; an error about one key must not name
// another.
var allKeys = []string{
	"server.addr", "server.admin_addr", "server.max_body_bytes", "server.max_batch",
	"server.read_timeout", "server.write_timeout", "server.shutdown_timeout",
	"server.tls_cert", "server.tls_key",
	"database.driver", "database.dsn", "database.max_open_conns",
	"bank.institution_id", "bank.phone_region",
	"log.level", "log.format",
	"auth.key_cache_ttl", "auth.max_clock_skew", "idempotency.ttl",
	"ratelimit.redis_url", "ratelimit.default_tier",
	"ratelimit.bronze", "ratelimit.silver", "ratelimit.gold", "ratelimit.platinum",
	"bank.code", "bank.timezone", "dormancy.days", "dormancy.sweep_interval",
	"otp.ttl", "otp.channel", "otp.webhook_url", "otp.webhook_secret", "otp.message_key",
	"otp.dispatch_interval", "otp.mobile_changes_per_day", "otp.operations_per_hour", "ekyc.min_age", "ekyc.onboarding_ttl", "ekyc.picture_retries",
	"ekyc.hash_distance", "ekyc.max_picture_bytes", "server.max_upload_body_bytes",
	"server.max_inflight_body_bytes", "server.max_unauthenticated_per_ip", "server.max_connections_per_ip", "server.call_timeout",
	"ekyc.data_key", "ekyc.data_key_id", "ekyc.old_data_keys", "ekyc.picture_retention", "ekyc.completed_picture_retention",
	"nice.hold_ttl", "nice.fee_currency", "nice.fees", "nice.reserved",
	"idempotency.wait", "ratelimit.costs", "nice.max_search_depth", "nice.max_search_candidates",
	"audit.checkpoint_interval", "audit.checkpoint_file", "audit.checkpoint_public_keys",
}

// writeYAML writes body to a new file in a temporary directory and returns
// its path.
func writeYAML(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "accountd.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return path
}

// load registers the flags on a fresh flag set, parses args (with
// --config FILE first when yaml is not empty) and loads from env.
func load(t *testing.T, yaml string, env []string, args ...string) (config.Config, error) {
	t.Helper()
	if yaml != "" {
		args = append([]string{"--config", writeYAML(t, yaml)}, args...)
	}
	return loadArgs(t, env, args...)
}

func loadArgs(t *testing.T, env []string, args ...string) (config.Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("accountd", pflag.ContinueOnError)
	fs.SetOutput(&strings.Builder{})
	config.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse flags %q: %v", args, err)
	}
	return config.LoadFrom(fs, env)
}

func TestRegisterFlags(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("accountd", pflag.ContinueOnError)
	config.RegisterFlags(fs)
	for _, name := range []string{"config", "server.addr", "server.max_body_bytes", "database.driver",
		"database.dsn", "bank.institution_id", "log.level", "log.format"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if fs.Lookup(name) == nil {
				t.Errorf("flag --%s: got not registered, want registered", name)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want string
	}{
		{"server.addr", "SERVER_ADDR"},
		{"server.max_body_bytes", "SERVER_MAX_BODY_BYTES"},
		{"idempotency.ttl", "IDEMPOTENCY_TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			if got := config.EnvName(tt.key); got != tt.want {
				t.Errorf("EnvName(%q): got %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	// Both entry points must give the defaults: no flag set at all, and a
	// flag set with every flag registered but none given.
	loads := []struct {
		name string
		load func() (config.Config, error)
	}{
		{"nil flag set", func() (config.Config, error) { return config.LoadFrom(nil, nil) }},
		{"registered flags unset", func() (config.Config, error) { return loadArgs(t, nil) }},
		{"unrelated env", func() (config.Config, error) {
			return config.LoadFrom(nil, []string{"SERVER_ADDR=0.0.0.0:1", "accountd_server_addr=0.0.0.0:2", "PATH=/bin"})
		}},
	}
	for _, l := range loads {
		c, err := l.load()
		if err != nil {
			t.Fatalf("%s: load: got error %v, want none", l.name, err)
		}
		tests := []struct {
			key  string
			got  any
			want any
		}{
			{"server.addr", c.Server.Addr, "127.0.0.1:8080"},
			{"server.admin_addr (off)", c.Server.AdminAddr, ""},
			{"server.max_body_bytes", c.Server.MaxBodyBytes, int64(1 << 20)},
			{"server.max_batch", c.Server.MaxBatch, 100},
			{"server.read_timeout", c.Server.ReadTimeout, 15 * time.Second},
			{"server.write_timeout", c.Server.WriteTimeout, 30 * time.Second},
			{"server.shutdown_timeout", c.Server.ShutdownTimeout, 15 * time.Second},
			{"database.driver", c.Database.Driver, "sqlite"},
			{"database.dsn", c.Database.DSN, "./accountd.db"},
			{"bank.institution_id", c.Bank.InstitutionID, "101115399"},
			{"bank.phone_region", c.Bank.PhoneRegion, ""},
			{"log.level", c.Log.Level, "info"},
			{"log.format", c.Log.Format, "json"},
			{"auth.key_cache_ttl", c.Auth.KeyCacheTTL, 2 * time.Second},
			{"auth.max_clock_skew", c.Auth.MaxClockSkew, 5 * time.Minute},
			{"idempotency.ttl", c.Idempotency.TTL, 24 * time.Hour},
		}
		for _, tt := range tests {
			t.Run(l.name+"/"+tt.key, func(t *testing.T) {
				t.Parallel()
				if tt.got != tt.want {
					t.Errorf("%s: got %v, want %v", tt.key, tt.got, tt.want)
				}
			})
		}
	}
}

func TestPrecedence(t *testing.T) {
	t.Parallel()
	const (
		def  = "127.0.0.1:8080"
		file = "10.0.0.1:1001"
		env  = "10.0.0.2:1002"
		flag = "10.0.0.3:1003"
	)
	tests := []struct {
		name            string
		yaml, env, flag bool
		want            string
	}{
		{"defaults only", false, false, false, def},
		{"yaml beats default", true, false, false, file},
		{"env beats default", false, true, false, env},
		{"flag beats default", false, false, true, flag},
		{"env beats yaml", true, true, false, env},
		{"flag beats yaml", true, false, true, flag},
		{"flag beats env", false, true, true, flag},
		{"flag beats env and yaml", true, true, true, flag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var yaml string
			var envs, args []string
			if tt.yaml {
				// log.level is set in the file too so the file is never empty.
				yaml = "server:\n  addr: " + file + "\nlog:\n  level: debug\n"
			}
			if tt.env {
				envs = []string{"ACCOUNTD_SERVER_ADDR=" + env}
			}
			if tt.flag {
				args = []string{"--server.addr=" + flag}
			}
			c, err := load(t, yaml, envs, args...)
			if err != nil {
				t.Fatalf("load: got error %v, want none", err)
			}
			if c.Server.Addr != tt.want {
				t.Errorf("server.addr: got %q, want %q", c.Server.Addr, tt.want)
			}
		})
	}
}

// TestEachSource checks that every source reaches every key it may set, so a
// key misspelt in one layer is caught.
func TestEachSource(t *testing.T) {
	t.Parallel()
	want := config.Config{
		Server:   config.Server{Addr: "0.0.0.0:9090", MaxBodyBytes: 4096},
		Database: config.Database{Driver: "sqlite", DSN: "/var/lib/accountd/a.db"},
		Bank:     config.Bank{InstitutionID: "123456789", PhoneRegion: "VN"},
		Log:      config.Log{Level: "warn", Format: "console"},
	}
	tests := []struct {
		name  string
		yaml  string
		env   []string
		args  []string
		flags bool // only the keys that have flags are set
	}{
		{
			name: "yaml",
			yaml: `server:
  addr: 0.0.0.0:9090
  max_body_bytes: 4096
database:
  driver: sqlite
  dsn: /var/lib/accountd/a.db
bank:
  institution_id: "123456789"
  phone_region: VN
log:
  level: warn
  format: console
`,
		},
		{
			name: "env",
			env: []string{
				"ACCOUNTD_SERVER_ADDR=0.0.0.0:9090",
				"ACCOUNTD_SERVER_MAX_BODY_BYTES=4096",
				"ACCOUNTD_DATABASE_DRIVER=sqlite",
				"ACCOUNTD_DATABASE_DSN=/var/lib/accountd/a.db",
				"ACCOUNTD_BANK_INSTITUTION_ID=123456789",
				"ACCOUNTD_BANK_PHONE_REGION=VN",
				"ACCOUNTD_LOG_LEVEL=warn",
				"ACCOUNTD_LOG_FORMAT=console",
			},
		},
		{
			name: "flags",
			args: []string{
				"--server.addr=0.0.0.0:9090",
				"--server.max_body_bytes=4096",
				"--database.driver=sqlite",
				"--database.dsn=/var/lib/accountd/a.db",
				"--bank.institution_id=123456789",
				"--log.level=warn",
				"--log.format=console",
			},
			flags: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, tt.yaml, tt.env, tt.args...)
			if err != nil {
				t.Fatalf("load: got error %v, want none", err)
			}
			checks := []struct {
				key       string
				got, want any
			}{
				{"server.addr", c.Server.Addr, want.Server.Addr},
				{"server.max_body_bytes", c.Server.MaxBodyBytes, want.Server.MaxBodyBytes},
				{"database.driver", c.Database.Driver, want.Database.Driver},
				{"database.dsn", c.Database.DSN, want.Database.DSN},
				{"bank.institution_id", c.Bank.InstitutionID, want.Bank.InstitutionID},
				{"log.level", c.Log.Level, want.Log.Level},
				{"log.format", c.Log.Format, want.Log.Format},
			}
			if !tt.flags {
				checks = append(checks, struct {
					key       string
					got, want any
				}{"bank.phone_region", c.Bank.PhoneRegion, want.Bank.PhoneRegion})
			}
			for _, ch := range checks {
				if ch.got != ch.want {
					t.Errorf("%s: got %v, want %v", ch.key, ch.got, ch.want)
				}
			}
		})
	}
}

func TestNestedYAML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		get  func(config.Config) any
		want any
	}{
		{
			name: "flow mapping max_body_bytes",
			yaml: "server: {max_body_bytes: 2097152}\n",
			get:  func(c config.Config) any { return c.Server.MaxBodyBytes },
			want: int64(2097152),
		},
		{
			name: "block mapping max_body_bytes",
			yaml: "server:\n  max_body_bytes: 2097152\n",
			get:  func(c config.Config) any { return c.Server.MaxBodyBytes },
			want: int64(2097152),
		},
		{
			name: "max_batch",
			yaml: "server:\n  max_batch: 250\n",
			get:  func(c config.Config) any { return c.Server.MaxBatch },
			want: 250,
		},
		{
			name: "write_timeout",
			yaml: "server:\n  write_timeout: 1m\n",
			get:  func(c config.Config) any { return c.Server.WriteTimeout },
			want: time.Minute,
		},
		{
			name: "idempotency ttl",
			yaml: "idempotency:\n  ttl: 1h\n",
			get:  func(c config.Config) any { return c.Idempotency.TTL },
			want: time.Hour,
		},
		{
			name: "clock skew",
			yaml: "auth:\n  max_clock_skew: 30s\nidempotency:\n  ttl: 2m\n",
			get:  func(c config.Config) any { return c.Auth.MaxClockSkew },
			want: 30 * time.Second,
		},
		{
			name: "auth key cache ttl",
			yaml: "auth:\n  key_cache_ttl: 500ms\n",
			get:  func(c config.Config) any { return c.Auth.KeyCacheTTL },
			want: 500 * time.Millisecond,
		},
		{
			name: "phone region lower case is upper-cased",
			yaml: "bank:\n  phone_region: vn\n",
			get:  func(c config.Config) any { return c.Bank.PhoneRegion },
			want: "VN",
		},
		{
			name: "phone region NO is Norway, not false",
			yaml: "bank:\n  phone_region: NO\n",
			get:  func(c config.Config) any { return c.Bank.PhoneRegion },
			want: "NO",
		},
		{
			name: "quoted routing number keeps leading zero",
			yaml: "bank:\n  institution_id: \"011000015\"\n",
			get:  func(c config.Config) any { return c.Bank.InstitutionID },
			want: "011000015",
		},
		{
			name: "keys not in the file keep defaults",
			yaml: "log:\n  level: debug\n",
			get:  func(c config.Config) any { return c.Server.Addr },
			want: "127.0.0.1:8080",
		},
		{
			name: "empty file gives defaults",
			yaml: "# nothing set\n",
			get:  func(c config.Config) any { return c.Database.DSN },
			want: "./accountd.db",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, tt.yaml, nil)
			if err != nil {
				t.Fatalf("load: got error %v, want none", err)
			}
			if got := tt.get(c); got != tt.want {
				t.Errorf("got %v (%T), want %v (%T)", got, got, tt.want, tt.want)
			}
		})
	}
}

// TestYAMLRoutingNumber checks that a routing number written in the YAML file
// is either kept exactly or refused, never silently changed.
func TestYAMLRoutingNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"quoted", "bank:\n  institution_id: \"021000021\"\n", "021000021"},
		{"unquoted without leading zero", "bank:\n  institution_id: 121000358\n", "121000358"},
		{
			name: "unquoted with leading zero and octal digits",
			yaml: "bank:\n  institution_id: 011000015\n",
			want: "011000015",
		},
		{
			name: "unquoted with leading zero",
			yaml: "bank:\n  institution_id: 012345678\n",
			want: "012345678",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, tt.yaml, nil)
			if err != nil {
				if !strings.Contains(err.Error(), "bank.institution_id") {
					t.Errorf("load: got error %q, want it to name bank.institution_id", err)
				}
				return
			}
			if c.Bank.InstitutionID != tt.want {
				t.Errorf("bank.institution_id: got %q, want %q (or an error)", c.Bank.InstitutionID, tt.want)
			}
		})
	}
}

func TestBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		env  []string
		args []string
		keys []string // every key the error must name; no other key may be named
	}{
		// server.addr
		{name: "addr without port flag", args: []string{"--server.addr=127.0.0.1"}, keys: []string{"server.addr"}},
		{name: "addr without port env", env: []string{"ACCOUNTD_SERVER_ADDR=localhost"}, keys: []string{"server.addr"}},
		{name: "addr port 70000 flag", args: []string{"--server.addr=127.0.0.1:70000"}, keys: []string{"server.addr"}},
		{name: "addr port 70000 env", env: []string{"ACCOUNTD_SERVER_ADDR=127.0.0.1:70000"}, keys: []string{"server.addr"}},
		{name: "addr port 70000 yaml", yaml: "server:\n  addr: 127.0.0.1:70000\n", keys: []string{"server.addr"}},
		{name: "addr port not a number env", env: []string{"ACCOUNTD_SERVER_ADDR=127.0.0.1:http"}, keys: []string{"server.addr"}},
		{name: "addr empty port flag", args: []string{"--server.addr=127.0.0.1:"}, keys: []string{"server.addr"}},
		{name: "addr bad host env", env: []string{"ACCOUNTD_SERVER_ADDR=bad host:80"}, keys: []string{"server.addr"}},
		{name: "addr empty env", env: []string{"ACCOUNTD_SERVER_ADDR="}, keys: []string{"server.addr"}},
		// server.admin_addr
		{name: "admin_addr without port flag", args: []string{"--server.admin_addr=localhost"}, keys: []string{"server.admin_addr"}},
		{name: "admin_addr port 70000 env", env: []string{"ACCOUNTD_SERVER_ADMIN_ADDR=127.0.0.1:70000"}, keys: []string{"server.admin_addr"}},
		// server.max_body_bytes
		{name: "max_body_bytes abc flag", args: []string{"--server.max_body_bytes=abc"}, keys: []string{"server.max_body_bytes"}},
		{name: "max_body_bytes abc env", env: []string{"ACCOUNTD_SERVER_MAX_BODY_BYTES=abc"}, keys: []string{"server.max_body_bytes"}},
		{name: "max_body_bytes 10 flag", args: []string{"--server.max_body_bytes=10"}, keys: []string{"server.max_body_bytes"}},
		{name: "max_body_bytes 10 env", env: []string{"ACCOUNTD_SERVER_MAX_BODY_BYTES=10"}, keys: []string{"server.max_body_bytes"}},
		{name: "max_body_bytes 10 yaml", yaml: "server:\n  max_body_bytes: 10\n", keys: []string{"server.max_body_bytes"}},
		{name: "max_body_bytes above maximum env", env: []string{"ACCOUNTD_SERVER_MAX_BODY_BYTES=2147483648"}, keys: []string{"server.max_body_bytes"}},
		{name: "max_batch zero env", env: []string{"ACCOUNTD_SERVER_MAX_BATCH=0"}, keys: []string{"server.max_batch"}},
		// database
		{name: "driver mysql flag", args: []string{"--database.driver=mysql"}, keys: []string{"database.driver"}},
		{name: "driver mysql env", env: []string{"ACCOUNTD_DATABASE_DRIVER=mysql"}, keys: []string{"database.driver"}},
		{name: "dsn empty flag", args: []string{"--database.dsn="}, keys: []string{"database.dsn"}},
		{name: "dsn empty env", env: []string{"ACCOUNTD_DATABASE_DSN="}, keys: []string{"database.dsn"}},
		{name: "dsn blank env", env: []string{"ACCOUNTD_DATABASE_DSN=   "}, keys: []string{"database.dsn"}},
		{name: "dsn empty yaml", yaml: "database:\n  dsn: \"\"\n", keys: []string{"database.dsn"}},
		// bank
		{name: "institution_id ABC flag", args: []string{"--bank.institution_id=ABC"}, keys: []string{"bank.institution_id"}},
		{name: "institution_id ABC env", env: []string{"ACCOUNTD_BANK_INSTITUTION_ID=ABC"}, keys: []string{"bank.institution_id"}},
		{name: "institution_id too long env", env: []string{"ACCOUNTD_BANK_INSTITUTION_ID=123456789012345678901"}, keys: []string{"bank.institution_id"}},
		{name: "phone_region Vietnam env", env: []string{"ACCOUNTD_BANK_PHONE_REGION=Vietnam"}, keys: []string{"bank.phone_region"}},
		{name: "phone_region Vietnam yaml", yaml: "bank:\n  phone_region: Vietnam\n", keys: []string{"bank.phone_region"}},
		// log
		{name: "level loud flag", args: []string{"--log.level=loud"}, keys: []string{"log.level"}},
		{name: "level loud env", env: []string{"ACCOUNTD_LOG_LEVEL=loud"}, keys: []string{"log.level"}},
		{name: "format xml flag", args: []string{"--log.format=xml"}, keys: []string{"log.format"}},
		{name: "format xml env", env: []string{"ACCOUNTD_LOG_FORMAT=xml"}, keys: []string{"log.format"}},
		// durations
		{name: "ttl -1s env", env: []string{"ACCOUNTD_IDEMPOTENCY_TTL=-1s"}, keys: []string{"idempotency.ttl"}},
		{name: "ttl soon env", env: []string{"ACCOUNTD_IDEMPOTENCY_TTL=soon"}, keys: []string{"idempotency.ttl"}},
		{name: "ttl -1s yaml", yaml: "idempotency:\n  ttl: -1s\n", keys: []string{"idempotency.ttl"}},
		{name: "ttl soon yaml", yaml: "idempotency:\n  ttl: soon\n", keys: []string{"idempotency.ttl"}},
		{name: "key_cache_ttl 0s env", env: []string{"ACCOUNTD_AUTH_KEY_CACHE_TTL=0s"}, keys: []string{"auth.key_cache_ttl"}},
		{name: "clock skew 2h env", env: []string{"ACCOUNTD_AUTH_MAX_CLOCK_SKEW=2h"}, keys: []string{"auth.max_clock_skew"}},
		{name: "clock skew 0s env", env: []string{"ACCOUNTD_AUTH_MAX_CLOCK_SKEW=0s"}, keys: []string{"auth.max_clock_skew"}},
		{name: "ttl within twice the default skew", env: []string{"ACCOUNTD_IDEMPOTENCY_TTL=10m"}, keys: []string{"idempotency.ttl"}},
		{name: "ttl within twice a longer skew", yaml: "auth:\n  max_clock_skew: 30m\nidempotency:\n  ttl: 1h\n", keys: []string{"idempotency.ttl"}},
		{name: "read_timeout soon env", env: []string{"ACCOUNTD_SERVER_READ_TIMEOUT=soon"}, keys: []string{"server.read_timeout"}},
		{
			name: "ttl without unit env", env: []string{"ACCOUNTD_IDEMPOTENCY_TTL=86400"}, keys: []string{"idempotency.ttl"},
		},
		{
			name: "ttl without unit yaml", yaml: "idempotency:\n  ttl: 86400\n", keys: []string{"idempotency.ttl"},
		},
		// A bad value in a lower layer does not matter once a higher one fixes it.
		{name: "bad flag beats good env", env: []string{"ACCOUNTD_LOG_LEVEL=debug"}, args: []string{"--log.level=loud"}, keys: []string{"log.level"}},
		// Several at once.
		{
			name: "several bad values all reported",
			yaml: "bank:\n  phone_region: Vietnam\n",
			env: []string{
				"ACCOUNTD_IDEMPOTENCY_TTL=soon",
				"ACCOUNTD_LOG_FORMAT=xml",
				"ACCOUNTD_DATABASE_DSN=",
			},
			args: []string{"--server.addr=127.0.0.1:70000", "--server.max_body_bytes=abc", "--database.driver=mysql", "--log.level=loud", "--bank.institution_id=ABC"},
			keys: []string{"server.addr", "server.max_body_bytes", "database.driver", "database.dsn",
				"bank.institution_id", "bank.phone_region", "log.level", "log.format", "idempotency.ttl"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, tt.yaml, tt.env, tt.args...)
			if err == nil {
				t.Fatalf("load: got no error, want one naming %v", tt.keys)
			}
			msg := err.Error()
			for _, k := range allKeys {
				named := namesKey(msg, k)
				wanted := slices.Contains(tt.keys, k)
				if wanted && !named {
					t.Errorf("error %q: got %s not named, want it named", msg, k)
				}
				if !wanted && named {
					t.Errorf("error %q: got %s named, want only %v", msg, k, tt.keys)
				}
			}
		})
	}
}

// namesKey reports whether msg names key as a whole: ekyc.data_key_id
// does not name ekyc.data_key.
func namesKey(msg, key string) bool {
	part := func(c byte) bool { return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	for i := strings.Index(msg, key); i >= 0; {
		end := i + len(key)
		if (i == 0 || !part(msg[i-1])) && (end == len(msg) || !part(msg[end])) {
			return true
		}
		next := strings.Index(msg[i+1:], key)
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

func TestGoodValuesAccepted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		args []string
	}{
		{"any interface", []string{"ACCOUNTD_SERVER_ADDR=:8080"}, nil},
		{"port 0", nil, []string{"--server.addr=127.0.0.1:0"}},
		{"admin_addr loopback", nil, []string{"--server.admin_addr=127.0.0.1:6060"}},
		{"ipv6", nil, []string{"--server.addr=[::1]:8080"}},
		{"host name", []string{"ACCOUNTD_SERVER_ADDR=localhost:65535"}, nil},
		{"max_body_bytes minimum", nil, []string{"--server.max_body_bytes=1024"}},
		{"max_body_bytes maximum", []string{"ACCOUNTD_SERVER_MAX_BODY_BYTES=1073741824", "ACCOUNTD_SERVER_MAX_INFLIGHT_BODY_BYTES=1073741824"}, nil},
		{"level upper case", []string{"ACCOUNTD_LOG_LEVEL=ERROR"}, nil},
		{"format console", nil, []string{"--log.format=console"}},
		{"phone_region empty", []string{"ACCOUNTD_BANK_PHONE_REGION="}, nil},
		{"ttl 90m", []string{"ACCOUNTD_IDEMPOTENCY_TTL=90m"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := loadArgs(t, tt.env, tt.args...); err != nil {
				t.Errorf("load: got error %v, want none", err)
			}
		})
	}
}

func TestYAMLFileRefused(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-such.yaml")
	tests := []struct {
		name string
		path func(t *testing.T) string
		want []string // every string the error must contain
	}{
		{
			name: "unknown nested key",
			path: func(t *testing.T) string { return writeYAML(t, "server:\n  adress: 127.0.0.1:9000\n") },
			want: []string{"server.adress"},
		},
		{
			name: "unknown flow key",
			path: func(t *testing.T) string { return writeYAML(t, "server: {adress: 127.0.0.1:9000}\n") },
			want: []string{"server.adress"},
		},
		{
			name: "unknown section",
			path: func(t *testing.T) string { return writeYAML(t, "serve:\n  addr: 127.0.0.1:9000\n") },
			want: []string{"serve.addr"},
		},
		{
			name: "two unknown keys beside a good one",
			path: func(t *testing.T) string {
				return writeYAML(t, "server:\n  addr: 127.0.0.1:9000\n  adress: x\nlog:\n  lvl: debug\n")
			},
			want: []string{"server.adress", "log.lvl"},
		},
		{
			name: "scalar where a section belongs",
			path: func(t *testing.T) string { return writeYAML(t, "log: debug\n") },
			want: []string{"unknown key log"},
		},
		{
			name: "missing file",
			path: func(t *testing.T) string { return missing },
			want: []string{missing},
		},
		{
			name: "malformed file",
			path: func(t *testing.T) string { return writeYAML(t, "server:\n  addr: [127.0.0.1\n") },
			want: []string{"accountd.yaml"},
		},
		{
			name: "malformed indentation",
			path: func(t *testing.T) string { return writeYAML(t, "server:\n  addr: x\n max_batch: 3\n") },
			want: []string{"accountd.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := tt.path(t)
			_, err := loadArgs(t, nil, "--config", path)
			if err == nil {
				t.Fatalf("load %s: got no error, want one containing %q", path, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error: got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestMasked(t *testing.T) {
	t.Parallel()
	const dsn = "file:/var/lib/accountd/a.db?_auth_user=app&_auth_pass=s3cret"
	tests := []struct {
		name   string
		redact func(string) string
		want   string
	}{
		{
			name:   "password replaced",
			redact: func(s string) string { return strings.ReplaceAll(s, "s3cret", "xxxxx") },
			want:   "file:/var/lib/accountd/a.db?_auth_user=app&_auth_pass=xxxxx",
		},
		{
			name:   "whole dsn hidden",
			redact: func(string) string { return "[redacted]" },
			want:   "[redacted]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := loadArgs(t, []string{"ACCOUNTD_DATABASE_DSN=" + dsn})
			if err != nil {
				t.Fatalf("load: got error %v, want none", err)
			}
			var calls []string
			m := c.Masked(func(s string) string {
				calls = append(calls, s)
				return tt.redact(s)
			})
			if got := m["database.dsn"]; got != tt.want {
				t.Errorf("Masked()[database.dsn]: got %v, want %q", got, tt.want)
			}
			if len(calls) != 1 || calls[0] != dsn {
				t.Errorf("redact calls: got %q, want exactly [%q]", calls, dsn)
			}
			for k, v := range m {
				if s, ok := v.(string); ok && strings.Contains(s, "s3cret") {
					t.Errorf("Masked()[%s]: got %q, want no password", k, s)
				}
			}
			if got := m["server.addr"]; got != "127.0.0.1:8080" {
				t.Errorf("Masked()[server.addr]: got %v, want %q", got, "127.0.0.1:8080")
			}
			if got := m["idempotency.ttl"]; got != "24h0m0s" {
				t.Errorf("Masked()[idempotency.ttl]: got %v, want %q", got, "24h0m0s")
			}
		})
	}
}
