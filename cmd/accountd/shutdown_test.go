package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/client"

	"github.com/accountd/accountd/store/storetest"
)

// buildProgram builds the accountd binary into a temporary folder, for tests
// that need a real process (signals).
func buildProgram(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "accountd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSIGTERMDuringLoad starts the real program, keeps clients adding
// customers, sends SIGTERM in the middle, and checks that the process exits
// cleanly and that every call answered with success is in the database,
// whole: the customer, its document, its idempotency record and its audit
// row.
func TestSIGTERMDuringLoad(t *testing.T) {
	signalDuringLoad(t, syscall.SIGTERM, 8)
}

// TestKillDuringGroupCommits kills the program (SIGKILL: no shutdown at
// all) while 32 clients keep it committing calls together in shared
// transactions, and checks that every call it answered with success
// survived, whole, and that nothing half-written is left.
func TestKillDuringGroupCommits(t *testing.T) {
	signalDuringLoad(t, syscall.SIGKILL, 32)
}

// signalDuringLoad runs workers clients adding customers against the real
// program, sends sig once 100 calls are answered, and checks the database
// afterwards: every success whole, nothing half-done.
func signalDuringLoad(t *testing.T, sig syscall.Signal, workers int) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	bin := buildProgram(t)
	dir := t.TempDir()
	db := storetest.DSN(t)
	keyPath := filepath.Join(dir, "alpha.key.json")
	mustRun(t, "keys", "create", "--partner", "alpha", "--tier", "PLATINUM", "--out", keyPath, "--database.driver", driver, "--database.dsn", db)
	key := loadKey(t, keyPath)

	cmd := exec.Command(bin, "serve", "--database.driver", driver, "--database.dsn", db, "--server.addr", "127.0.0.1:0", "--otp.channel", "log")
	cmd.Env = append(os.Environ(), "ACCOUNTD_SERVER_SHUTDOWN_TIMEOUT=20s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	logs := &syncBuffer{}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			if u := servingURL(sc.Text()); u != "" {
				urlc <- u
			}
		}
		exited <- cmd.Wait()
	}()
	var url string
	select {
	case url = <-urlc:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the server did not start:\n%s", logs.String())
	}

	var (
		mu        sync.Mutex
		succeeded = map[string]string{} // request id -> customer ID
		answered  int
	)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rpcClient := &client.Client{URL: url}
			for i := 0; ctx.Err() == nil; i++ {
				id := fmt.Sprintf(`"w%d-%d"`, w, i)
				payload := fmt.Sprintf(`{"type":"INDIVIDUAL","firstName":"An","lastName":"Nguyen","DOB":"19900115",
					"identification":[{"type":"PASSPORT","value":"S%02d%05d"}],"contact":{"email":"w%d-%d@example.com"}}`, w, i, w, i)
				body, _ := key.Envelope("CustomerService.AddCustomer", json.RawMessage(id), []byte(payload))
				_, raw, err := rpcClient.Post(context.Background(), body)
				if err != nil {
					return // the server stopped accepting
				}
				var resp client.Response
				if json.Unmarshal(raw, &resp) != nil {
					t.Errorf("unreadable answer: %s", raw)
					return
				}
				mu.Lock()
				answered++
				if resp.Error == nil {
					var c struct{ ID string }
					json.Unmarshal(resp.Result, &c)
					succeeded[id] = c.ID
				}
				mu.Unlock()
			}
		}()
	}
	// Let the load run, then signal.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := answered
		mu.Unlock()
		if n >= 100 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil && sig != syscall.SIGKILL {
			t.Fatalf("the server exited with %v after %v:\n%s", err, sig, logs.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the server did not stop within 30 s of %v:\n%s", sig, logs.String())
	}
	stop()
	wg.Wait()
	if sig != syscall.SIGKILL && !strings.Contains(logs.String(), `"stopped"`) {
		t.Errorf("no clean stop in the log:\n%s", logs.String())
	}
	if len(succeeded) == 0 {
		t.Fatal("no call succeeded before the signal")
	}

	// Every success is in the database, whole; nothing else is half there.
	storetest.SealedDSN(t, db)
	conn := storetest.Conn(t, db)
	for id, customerID := range succeeded {
		var n int
		err := conn.Get(&n, conn.Rebind(`SELECT
			(SELECT COUNT(*) FROM customers WHERE id = ?) +
			(SELECT COUNT(*) FROM customer_identifications WHERE customer_id = ?) +
			(SELECT COUNT(*) FROM idempotency_keys WHERE request_id = ? AND response IS NOT NULL) +
			(SELECT COUNT(*) FROM audit_log WHERE request_id = ? AND outcome = 'OK')`),
			customerID, customerID, "s:"+strings.Trim(id, `"`), "s:"+strings.Trim(id, `"`))
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("request %s answered with success but only %d of its 4 rows are stored", id, n)
		}
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM customer_identifications i WHERE i.customer_id = c.id)`,
		`SELECT COUNT(*) FROM idempotency_keys WHERE response IS NULL`,
		`SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entities LIKE '%' || CAST(c.id AS TEXT) || '%')`,
	} {
		if n := storetest.Count(t, db, q); n != 0 {
			t.Errorf("%d half-done rows: %s", n, q)
		}
	}
	t.Logf("%d calls succeeded before and during shutdown", len(succeeded))
}
