package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/client"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/replay"
	"github.com/accountd/accountd/store/storetest"
)

// driver is the database driver under test.
var driver = storetest.Driver()

// syncBuffer collects a command's output while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCmd runs the program in-process and returns its stdout and stderr.
func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut syncBuffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := runCmd(t, "", args...)
	if err != nil {
		t.Fatalf("accountd %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// instance is a running `accountd serve` with two partners' key files.
type instance struct {
	dir, db, url      string
	alphaKey, betaKey string
	logs              *syncBuffer
}

// start creates two partners' keys with `accountd keys create` and starts
// `accountd serve` on a free port, stopping it when the test ends.
func start(t *testing.T, extra ...string) *instance {
	t.Helper()
	return startOut(t, io.Discard, extra...)
}

// startOut is start with the server's standard output, where the log
// channel prints one-time codes, going to stdout.
func startOut(t *testing.T, stdout io.Writer, extra ...string) *instance {
	t.Helper()
	dir := t.TempDir()
	in := &instance{dir: dir, db: storetest.DSN(t), logs: &syncBuffer{},
		alphaKey: filepath.Join(dir, "alpha.key.json"), betaKey: filepath.Join(dir, "beta.key.json")}
	// PLATINUM (2000 a minute), so that these tests stay under the rate limit.
	mustRun(t, "keys", "create", "--partner", "alpha", "--tier", "PLATINUM", "--out", in.alphaKey, "--database.driver", driver, "--database.dsn", in.db)
	mustRun(t, "keys", "create", "--partner", "beta", "--tier", "PLATINUM", "--out", in.betaKey, "--database.driver", driver, "--database.dsn", in.db)
	in.url = serveDBOut(t, in.db, stdout, in.logs, extra...)
	return in
}

// serveDB starts `accountd serve` on the database db and a free port, and
// returns the URL of its JSON-RPC endpoint; the server stops when the test
// ends. Several servers on one database are replicas.
func serveDB(t *testing.T, db string, logs *syncBuffer, extra ...string) string {
	t.Helper()
	return serveDBOut(t, db, io.Discard, logs, extra...)
}

// serveDBOut is serveDB with the server's standard output going to stdout.
func serveDBOut(t *testing.T, db string, stdout io.Writer, logs *syncBuffer, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	args := append([]string{"serve", "--database.driver", driver, "--database.dsn", db, "--server.addr", "127.0.0.1:0", "--otp.channel", "log"}, extra...)
	go func() { errc <- run(ctx, args, nil, stdout, logs) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve ended with %v", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	url := ""
	for url == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start:\n%s", logs.String())
		}
		select {
		case err := <-errc:
			t.Fatalf("serve stopped: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		url = servingURL(logs.String())
	}
	if strings.HasPrefix(url, "http://") {
		resp, err := http.Get(strings.TrimSuffix(url, "/jsonrpc") + "/healthz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /healthz: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	return url
}

// servingURL finds the address in the "serving" log line.
func servingURL(logs string) string {
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line struct {
			Message, Addr string
			TLS           bool
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "serving" {
			if line.TLS {
				return "https://" + line.Addr + "/jsonrpc"
			}
			return "http://" + line.Addr + "/jsonrpc"
		}
	}
	return ""
}

func loadKey(t *testing.T, path string) *client.KeyFile {
	t.Helper()
	k, err := client.LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestFixtures replays every scenario in testdata/fixtures against the real
// program, twice, as `accountd replay` would against a live server, with
// every hook: the one-time codes read off the server's standard output, a
// clock that scenarios move forward, and accountd commands run in-process
// on the same database and clock.
func TestFixtures(t *testing.T) {
	clock := useShiftClock(t)
	console := &syncBuffer{}
	in := startOut(t, console)
	scenarios, err := replay.Load(filepath.Join("..", "..", "testdata", "fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) < 10 {
		t.Fatalf("%d scenarios, want at least 10", len(scenarios))
	}
	r := &replay.Runner{Client: &client.Client{URL: in.url}, Key: loadKey(t, in.alphaKey), Other: loadKey(t, in.betaKey),
		Codes:        consoleCodes(console),
		AdvanceClock: clock.advance,
		Command:      in.command,
	}
	for round := 1; round <= 2; round++ {
		for _, sc := range scenarios {
			t.Run(sc.File, func(t *testing.T) {
				res := r.Run(context.Background(), sc)
				if res.Skipped || res.Err != nil {
					t.Fatalf("round %d: skipped=%v %s: %v", round, res.Skipped, res.Reason, res.Err)
				}
			})
		}
	}
	// Codes never appear in logs except through the console channel.
	codes := printedCodes(console.String())
	if len(codes) < 10 {
		t.Fatalf("%d codes printed on the console, want the fixtures' codes:\n%s", len(codes), console.String())
	}
	logs := in.logs.String()
	for _, code := range codes {
		if regexp.MustCompile(`(^|\D)` + code + `(\D|$)`).MatchString(logs) {
			t.Errorf("the one-time code %s appears in the server's log", code)
		}
	}
}

func TestReplayCommand(t *testing.T) {
	codes := filepath.Join(t.TempDir(), "server.out")
	f, err := os.Create(codes)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := startOut(t, f)
	fixtures := filepath.Join("..", "..", "testdata", "fixtures")
	out := mustRun(t, "replay", fixtures, "--key", in.alphaKey, "--other-key", in.betaKey, "--codes", codes, "--url", in.url)
	if !strings.Contains(out, " 0 failed") || strings.Contains(out, "FAIL") {
		t.Fatalf("replay output:\n%s", out)
	}
	// Against a live server, --codes lets the code scenarios run; only those
	// that move the clock or run commands are skipped, saying why.
	if !strings.Contains(out, "PASS One-time codes: wrong, reused, cancelled and failed (16-otp-codes.json)") {
		t.Errorf("a scenario with codes did not pass with --codes:\n%s", out)
	}
	skips := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "SKIP ") {
			skips++
			if !strings.Contains(line, "moving the server's clock") && !strings.Contains(line, "running accountd commands") {
				t.Errorf("skipped although the runner could: %s", line)
			}
		}
	}
	if skips == 0 {
		t.Errorf("no scenario skipped, want those that move the clock:\n%s", out)
	}
	// Without --codes and --other-key, their scenarios are skipped, not failed.
	out = mustRun(t, "replay", fixtures, "--key", in.alphaKey, "--url", in.url)
	for _, want := range []string{"needs the second partner's key", "needs the one-time codes the server sends"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay without --other-key and --codes: no %q\n%s", want, out)
		}
	}
	// A failing scenario makes the command fail.
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "bad.json"), []byte(`{"name":"bad","steps":[{"method":"AccountService.GetDetails","payload":{"accountId":"200982345048071"},"expect":{"result":{}}}]}`), 0o644)
	if out, _, err := runCmd(t, "", "replay", bad, "--key", in.alphaKey, "--url", in.url); err == nil || !strings.Contains(out, "FAIL bad") {
		t.Fatalf("a failing scenario: err %v, output:\n%s", err, out)
	}
}

func TestCallAndSign(t *testing.T) {
	in := start(t)
	payload := filepath.Join(in.dir, "customer.json")
	os.WriteFile(payload, []byte(`{"type":"INDIVIDUAL","firstName":"An","lastName":"Nguyen","DOB":"19900115",
		"identification":[{"type":"CCCD","value":"079090123456"}],"contact":{"phoneNumber":"+84912345678"}}`), 0o644)
	out := mustRun(t, "call", "CustomerService.AddCustomer", payload, "--key", in.alphaKey, "--url", in.url, "--id", "cli-1")
	var resp client.Response
	if err := json.Unmarshal([]byte(out), &resp); err != nil || resp.Error != nil || string(resp.ID) != `"cli-1"` {
		t.Fatalf("call: %v\n%s", err, out)
	}
	var c struct{ ID string }
	json.Unmarshal(resp.Result, &c)

	// The payload from stdin; a JSON-RPC error makes the command fail.
	out, _, err := runCmd(t, `{"ID":"`+c.ID+`"}`, "call", "CustomerService.GetCustomer", "-", "--key", in.betaKey, "--url", in.url)
	if err == nil || !strings.Contains(out, "NOT_FOUND_CUSTOMER") {
		t.Fatalf("another partner's customer: err %v\n%s", err, out)
	}

	// `sign` prints an envelope that any HTTP client can post.
	out2, _, _ := runCmd(t, `{"ID":"`+c.ID+`"}`, "sign", "CustomerService.GetCustomer", "-", "--key", in.alphaKey, "--id", "7")
	httpResp, err := http.Post(in.url, "application/json", strings.NewReader(out2))
	if err != nil {
		t.Fatal(err)
	}
	defer httpResp.Body.Close()
	json.NewDecoder(httpResp.Body).Decode(&resp)
	if resp.Error != nil || !strings.Contains(string(resp.Result), `"firstName":"An"`) {
		t.Fatalf("posting the signed envelope: %+v %s", resp.Error, resp.Result)
	}

	// Usage mistakes exit with status 2.
	for _, args := range [][]string{{"call"}, {"call", "X.Y"}, {"nonsense"}, {"keys", "create"}} {
		_, _, err := runCmd(t, "", args...)
		var ue usageError
		if !errors.As(err, &ue) || exitCode(err) != 2 {
			t.Errorf("accountd %v: got %v, want a usage error", args, err)
		}
	}
}

// TestRevokedKeyIsRefusedWithoutRestart revokes a key with the CLI while the
// server runs, and expects the server to refuse it within a few seconds.
func TestRevokedKeyIsRefusedWithoutRestart(t *testing.T) {
	in := start(t)
	key := loadKey(t, in.alphaKey)
	rpcClient := &client.Client{URL: in.url}
	call := func() *rpc.Error {
		body, _ := key.Envelope("CustomerService.GetCustomer", json.RawMessage(`"r"`), []byte(`{"ID":"1"}`))
		_, resp, err := rpcClient.Post(context.Background(), body)
		if err != nil {
			t.Fatal(err)
		}
		var r client.Response
		json.Unmarshal(resp, &r)
		return r.Error
	}
	if e := call(); e == nil || e.Code != 1001 {
		t.Fatalf("before revoking: %+v, want NOT_FOUND_CUSTOMER", e)
	}
	out := mustRun(t, "keys", "revoke", key.KeyID, "--database.driver", driver, "--database.dsn", in.db)
	if !strings.Contains(out, "revoked") {
		t.Fatalf("revoke output %q", out)
	}
	list := mustRun(t, "keys", "list", "--database.driver", driver, "--database.dsn", in.db)
	if !strings.Contains(list, key.KeyID) || !strings.Contains(list, "REVOKED") {
		t.Fatalf("keys list:\n%s", list)
	}
	// auth.key_cache_ttl is 2 s; allow a margin for a loaded machine.
	deadline := time.Now().Add(5 * time.Second)
	for {
		e := call()
		if e != nil && e.Code == rpc.CodeUnauthenticated {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the revoked key is still accepted after 5 s: %+v", e)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestKeyFile(t *testing.T) {
	if storetest.IsPostgres() {
		t.Skip("reads the SQLite file")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	path := filepath.Join(dir, "k.json")
	mustRun(t, "keys", "create", "--partner", "alpha", "--out", path, "--database.dsn", db)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	var kf map[string]string
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &kf); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"partner", "keyId", "credential", "privateKey"} {
		if kf[k] == "" {
			t.Errorf("key file lacks %s", k)
		}
	}
	if !strings.HasPrefix(kf["privateKey"], "-----BEGIN PRIVATE KEY-----") {
		t.Errorf("privateKey is not PKCS#8 PEM")
	}
	// The credential is not stored: only its hash.
	raw, _ := os.ReadFile(db)
	if bytes.Contains(raw, []byte(kf["credential"])) {
		t.Errorf("the database holds the credential itself")
	}
	if _, _, err := runCmd(t, "", "keys", "create", "--partner", "alpha", "--out", path, "--database.dsn", db); err == nil {
		t.Errorf("keys create overwrote an existing key file")
	}
}

func TestConfigErrorsStopStartUp(t *testing.T) {
	_, _, err := runCmd(t, "", "serve", "--server.max_body_bytes", "lots", "--database.dsn", filepath.Join(t.TempDir(), "a.db"))
	if err == nil || !strings.Contains(err.Error(), "server.max_body_bytes") {
		t.Fatalf("got %v, want an error naming server.max_body_bytes", err)
	}
	out := mustRun(t, "migrate", "--database.driver", driver, "--database.dsn", storetest.DSN(t))
	if !strings.Contains(out, "schema version ") {
		t.Fatalf("migrate: %s", out)
	}
}

// TestNewerSchemaRefused: a replica that starts on a database migrated by a
// newer accountd refuses to run, saying why.
func TestNewerSchemaRefused(t *testing.T) {
	db := storetest.DSN(t)
	mustRun(t, "migrate", "--database.driver", driver, "--database.dsn", db)
	storetest.Exec(t, db, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)`)
	for _, cmd := range []string{"serve", "migrate"} {
		_, _, err := runCmd(t, "", cmd, "--database.driver", driver, "--database.dsn", db, "--server.addr", "127.0.0.1:0")
		if err == nil || !strings.Contains(err.Error(), "newer than this accountd knows") || !strings.Contains(err.Error(), "999") {
			t.Errorf("accountd %s on a newer schema: %v, want a refusal naming the version", cmd, err)
		}
	}
}
