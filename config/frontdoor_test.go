package config_test

import (
	"strings"
	"testing"
	"time"
)

// TestFrontDoorKeys covers the keys that bound what a client may hold
// before it is authenticated, and the call deadline: defaults, values from
// each source, and refusals naming the key.
func TestFrontDoorKeys(t *testing.T) {
	c, err := load(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Server
	if s.MaxInflightBodyBytes != 64<<20 || s.MaxUnauthenticatedPerIP != 256 || s.MaxConnectionsPerIP != 512 || s.CallTimeout != 10*time.Second {
		t.Fatalf("defaults: budget %d, per address %d requests and %d connections, call timeout %s",
			s.MaxInflightBodyBytes, s.MaxUnauthenticatedPerIP, s.MaxConnectionsPerIP, s.CallTimeout)
	}
	c, err = load(t, "server:\n  max_inflight_body_bytes: 16777216\n  max_unauthenticated_per_ip: 8\n  max_connections_per_ip: 16\n",
		[]string{"ACCOUNTD_SERVER_CALL_TIMEOUT=2s"})
	if err != nil {
		t.Fatal(err)
	}
	s = c.Server
	if s.MaxInflightBodyBytes != 16<<20 || s.MaxUnauthenticatedPerIP != 8 || s.MaxConnectionsPerIP != 16 || s.CallTimeout != 2*time.Second {
		t.Fatalf("from YAML and env: %+v", s)
	}
	m := c.Masked(func(s string) string { return s })
	if m["server.max_inflight_body_bytes"] != int64(16<<20) || m["server.call_timeout"] != "2s" ||
		m["server.max_unauthenticated_per_ip"] != 8 || m["server.max_connections_per_ip"] != 16 {
		t.Errorf("Masked: %v", m)
	}
	for _, bad := range []struct {
		name, yaml, key string
	}{
		{"budget below the upload limit", "server:\n  max_inflight_body_bytes: 4194304\n", "server.max_inflight_body_bytes"},
		{"budget below a raised body limit", "server:\n  max_body_bytes: 134217728\n", "server.max_inflight_body_bytes"},
		{"budget not a number", "server:\n  max_inflight_body_bytes: lots\n", "server.max_inflight_body_bytes"},
		{"no unauthenticated requests at all", "server:\n  max_unauthenticated_per_ip: 0\n", "server.max_unauthenticated_per_ip"},
		{"no connections at all", "server:\n  max_connections_per_ip: 0\n", "server.max_connections_per_ip"},
		{"call timeout without a unit", "server:\n  call_timeout: 10\n", "server.call_timeout"},
		{"call timeout equal to the write timeout", "server:\n  call_timeout: 30s\n", "server.call_timeout"},
		{"call timeout above a lowered write timeout", "server:\n  write_timeout: 5s\n", "server.call_timeout"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			if _, err := load(t, bad.yaml, nil); err == nil || !strings.Contains(err.Error(), bad.key) {
				t.Errorf("got %v, want an error naming %s", err, bad.key)
			}
		})
	}
	if _, err := load(t, "server:\n  write_timeout: 5s\n  call_timeout: 4s\n", nil); err != nil {
		t.Errorf("a call timeout below the write timeout: %v", err)
	}
}

// TestPublicURL: server.public_url names the endpoint rpc.discover gives in
// servers; it must be an absolute http(s) URL without credentials.
func TestPublicURL(t *testing.T) {
	c, err := load(t, "", nil)
	if err != nil || c.Server.PublicURL != "" {
		t.Fatalf("default: %q, %v; want empty", c.Server.PublicURL, err)
	}
	c, err = load(t, "", []string{"ACCOUNTD_SERVER_PUBLIC_URL=https://api.bank.example/jsonrpc"})
	if err != nil || c.Server.PublicURL != "https://api.bank.example/jsonrpc" {
		t.Fatalf("from env: %q, %v", c.Server.PublicURL, err)
	}
	for _, bad := range []string{"api.bank.example/jsonrpc", "ftp://api.bank.example/", "https:///jsonrpc", "https://user:pw@api.bank.example/jsonrpc"} {
		if _, err := load(t, "server:\n  public_url: "+bad+"\n", nil); err == nil || !strings.Contains(err.Error(), "server.public_url") {
			t.Errorf("%q: got %v, want an error naming server.public_url", bad, err)
		}
	}
}
