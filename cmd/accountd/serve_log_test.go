package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/store/storetest"
)

// TestServeLogBufferedToFile: with stderr a file, as when a collector reads
// it, serve's log goes through the buffered writer: a call's line reaches
// the file while the server runs, without a shutdown, and once serve has
// returned every line is there, in order, "stopped" last.
func TestServeLogBufferedToFile(t *testing.T) {
	dir := t.TempDir()
	db := storetest.DSN(t)
	keyPath := filepath.Join(dir, "alpha.key.json")
	mustRun(t, "keys", "create", "--partner", "alpha", "--out", keyPath, "--database.driver", driver, "--database.dsn", db)
	stderr, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	logs := func() string {
		b, _ := os.ReadFile(stderr.Name())
		return string(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--database.driver", driver, "--database.dsn", db, "--server.addr", "127.0.0.1:0", "--otp.channel", "log"},
			nil, io.Discard, stderr)
	}()
	var url string
	if !eventually(func() bool { url = servingURL(logs()); return url != "" }) {
		t.Fatalf("no serving line in the log file:\n%s", logs())
	}
	key := loadKey(t, keyPath)
	body, _ := key.Envelope("OnboardingService.GetFatcaQuestions", json.RawMessage(`"q1"`), []byte(`{}`))
	if status, raw, err := (&client.Client{URL: url}).Post(context.Background(), body); err != nil || status != 200 {
		t.Fatalf("the call: %d %v %s", status, err, raw)
	}
	callLine := `"method":"OnboardingService.GetFatcaQuestions"`
	if !eventually(func() bool { return strings.Contains(logs(), callLine) }) {
		t.Fatalf("the call's line did not reach the log file while the server ran:\n%s", logs())
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(logs(), "\n"), "\n")
	var last struct{ Message string }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Message != "stopped" {
		t.Fatalf("the last line is %q, want the stop:\n%s", lines[len(lines)-1], logs())
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("a broken line in the log file: %q", l)
		}
	}
}

// eventually polls cond for a generous while.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
