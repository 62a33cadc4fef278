package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/accountd/accountd/store/storetest"
)

// adminAddr finds the admin listener's address in the server's log; "" when
// it logged none.
func adminAddr(logs string) string {
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line struct{ Message, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && strings.HasPrefix(line.Message, "admin listener") {
			return line.Addr
		}
	}
	return ""
}

// get fetches url and returns its status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// TestAdminListenerOffByDefault: without server.admin_addr there is no
// admin listener, and the API's listener serves no profiles.
func TestAdminListenerOffByDefault(t *testing.T) {
	logs := &syncBuffer{}
	url := serveDB(t, storetest.DSN(t), logs)
	if addr := adminAddr(logs.String()); addr != "" {
		t.Errorf("an admin listener started on %s without server.admin_addr", addr)
	}
	if status, _ := get(t, strings.TrimSuffix(url, "/jsonrpc")+"/debug/pprof/"); status != http.StatusNotFound {
		t.Errorf("GET /debug/pprof/ on the API's listener: HTTP %d; want 404", status)
	}
}

// TestAdminListenerServesProfiles: with server.admin_addr the profiles
// answer there, a CPU profile included, and the command line (which may
// hold a DSN's password) does not.
func TestAdminListenerServesProfiles(t *testing.T) {
	logs := &syncBuffer{}
	serveDB(t, storetest.DSN(t), logs, "--server.admin_addr", "127.0.0.1:0")
	addr := adminAddr(logs.String())
	if addr == "" {
		t.Fatalf("no admin listener in the log:\n%s", logs.String())
	}
	base := "http://" + addr + "/debug/pprof/"
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"", http.StatusOK, "goroutine"},
		{"heap?debug=1", http.StatusOK, "heap profile"},
		{"goroutine?debug=1", http.StatusOK, "goroutine profile"},
		{"profile?seconds=1", http.StatusOK, "\x1f\x8b"}, // a gzipped profile, as go tool pprof reads it
		{"cmdline", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		status, body := get(t, base+tt.path)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET /debug/pprof/%s: HTTP %d, %d bytes; want HTTP %d containing %q", tt.path, status, len(body), tt.status, tt.want)
		}
	}
}
