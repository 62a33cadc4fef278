package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOperationsKeys covers the keys for PostgreSQL, TLS and rate limits.
func TestOperationsKeys(t *testing.T) {
	c, err := load(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantTiers := map[string]int{"BRONZE": 200, "SILVER": 500, "GOLD": 1000, "PLATINUM": 2000}
	for tier, n := range wantTiers {
		if c.RateLimit.Tiers[tier] != n {
			t.Errorf("default %s = %d, want %d", tier, c.RateLimit.Tiers[tier], n)
		}
	}
	if c.RateLimit.DefaultTier != "BRONZE" || c.RateLimit.RedisURL != "" || c.Database.MaxOpenConns != 10 || c.Server.TLSCert != "" {
		t.Errorf("defaults: %+v %+v %+v", c.RateLimit, c.Database, c.Server)
	}

	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, []byte("x"), 0o644)
	os.WriteFile(key, []byte("x"), 0o600)

	good := []struct {
		name string
		yaml string
		env  []string
		args []string
	}{
		{"postgres URL", "database:\n  driver: postgres\n  dsn: postgres://u:p@db:5432/bank?sslmode=disable\n", nil, nil},
		{"postgres key=value", "", []string{"ACCOUNTD_DATABASE_DRIVER=postgres", "ACCOUNTD_DATABASE_DSN=host=db user=u dbname=bank"}, nil},
		{"tier numbers from YAML", "ratelimit:\n  gold: 1500\n  default_tier: silver\n", nil, nil},
		{"redis from env", "", []string{"ACCOUNTD_RATELIMIT_REDIS_URL=redis://127.0.0.1:6379/0"}, nil},
		{"redis from flag", "", nil, []string{"--ratelimit.redis_url", "rediss://cache:6380/1"}},
		{"TLS pair", "", nil, []string{"--server.tls_cert", cert, "--server.tls_key", key}},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := load(t, tt.yaml, tt.env, tt.args...); err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
	c, _ = load(t, "ratelimit:\n  gold: 1500\n  default_tier: silver\n", nil)
	if c.RateLimit.Tiers["GOLD"] != 1500 || c.RateLimit.DefaultTier != "SILVER" {
		t.Errorf("YAML tiers: %+v", c.RateLimit)
	}

	bad := []struct {
		name, yaml, key string
		env, args       []string
	}{
		{"unknown driver", "database:\n  driver: mysql\n", "database.driver", nil, nil},
		{"postgres with a file path", "database:\n  driver: postgres\n  dsn: ./accountd.db\n", "database.dsn", nil, nil},
		{"pool of zero", "database:\n  max_open_conns: 0\n", "database.max_open_conns", nil, nil},
		{"certificate without key", "", "server.tls_", nil, []string{"--server.tls_cert", cert}},
		{"missing certificate file", "", "server.tls_cert", nil, []string{"--server.tls_cert", filepath.Join(dir, "none.pem"), "--server.tls_key", key}},
		{"redis not a URL", "", "ratelimit.redis_url", []string{"ACCOUNTD_RATELIMIT_REDIS_URL=127.0.0.1:6379"}, nil},
		{"tier of zero", "ratelimit:\n  bronze: 0\n", "ratelimit.bronze", nil, nil},
		{"tier not a number", "ratelimit:\n  platinum: lots\n", "ratelimit.platinum", nil, nil},
		{"unknown default tier", "ratelimit:\n  default_tier: TIN\n", "ratelimit.default_tier", nil, nil},
		{"unknown ratelimit key", "ratelimit:\n  diamond: 9000\n", "ratelimit.diamond", nil, nil},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.yaml, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("got %v, want an error naming %s", err, tt.key)
			}
		})
	}
}
