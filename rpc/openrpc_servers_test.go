package rpc

import (
	"crypto/tls"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/accountd/accountd/rpc/openrpc"
)

// TestDiscoverServers: servers names the URL the request came to, or the
// configured public URL; a Host header that is no plain host is not
// echoed.
func TestDiscoverServers(t *testing.T) {
	tests := []struct {
		name, host, publicURL string
		tls                   bool
		want                  string
	}{
		{"plain", "accountd.example:8080", "", false, "http://accountd.example:8080/jsonrpc"},
		{"tls", "accountd.example", "", true, "https://accountd.example/jsonrpc"},
		{"ipv6", "[::1]:8080", "", false, "http://[::1]:8080/jsonrpc"},
		{"configured", "10.0.0.5:8080", "https://api.bank.example/jsonrpc", false, "https://api.bank.example/jsonrpc"},
		{"odd host", "a b<script>", "", false, "/jsonrpc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/jsonrpc", nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			resp := discover(request{id: json.RawMessage(`1`), method: DiscoverMethod}, endpointURL(r, tt.publicURL), &callOutcome{})
			var doc struct {
				Servers []openrpc.Server `json:"servers"`
				OpenRPC string           `json:"openrpc"`
			}
			if err := json.Unmarshal(resp.Result, &doc); err != nil || doc.OpenRPC == "" {
				t.Fatalf("not the document: %v", err)
			}
			if len(doc.Servers) != 1 || doc.Servers[0].URL != tt.want {
				t.Fatalf("servers %+v, want one with url %s", doc.Servers, tt.want)
			}
		})
	}
}

// TestAPIVersion: info.version is the version make build sets.
func TestAPIVersion(t *testing.T) {
	defer func(v string) { Version = v }(Version)
	Version = "v1.4.2-3-gabc1234"
	if got := apiVersion(); got != Version {
		t.Fatalf("apiVersion() = %q, want %q", got, Version)
	}
	Version = ""
	if got := apiVersion(); got == "" {
		t.Fatal("apiVersion() is empty without a set version")
	}
}
