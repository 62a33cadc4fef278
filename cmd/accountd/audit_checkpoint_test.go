package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store/storetest"
)

// waitFor polls cond until it holds, failing the test after 20 seconds
// (a bound on a background loop, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
	}
}

// coversRow reports whether the checkpoints published in text (a file of
// lines or the JSON log) include one of row seq.
func coversRow(text string, seq int64) bool {
	cps, _ := services.ReadCheckpoints(strings.NewReader(text))
	for _, c := range cps {
		if c.Seq == seq {
			return true
		}
	}
	return false
}

// TestAuditCheckpointCommands runs a server that publishes checkpoints to
// its log and a file, then `audit checkpoint` and `audit verify` with and
// without --checkpoint, before and after the trail's last rows (and the
// stored checkpoints) are cut.
func TestAuditCheckpointCommands(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "checkpoints.jsonl")
	cfg := filepath.Join(dir, "accountd.yaml")
	if err := os.WriteFile(cfg, []byte("audit:\n  checkpoint_file: "+file+"\n  checkpoint_interval: 50ms\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := start(t, "--config", cfg) // two keys.create rows
	key := loadKey(t, in.alphaKey)
	for _, n := range []string{"1", "2", "3"} { // rows 3, 4 and 5
		auditedCall(t, in, key, "CustomerService.AddCustomer", `"cp-`+n+`"`, `{"type":"INDIVIDUAL","firstName":"An","lastName":"Le",
			"DOB":"19900115","identification":[{"type":"PASSPORT","value":"C200000`+n+`"}],"contact":{"email":"an`+n+`@example.com"}}`)
	}
	readFile := func() string { b, _ := os.ReadFile(file); return string(b) }
	waitFor(t, "the server's checkpoint of row 5 in its file", func() bool { return coversRow(readFile(), 5) })
	if !coversRow(in.logs.String(), 5) {
		t.Fatalf("the server's log has no checkpoint of row 5:\n%s", in.logs.String())
	}

	db := []string{"--database.driver", driver, "--database.dsn", in.db}
	verify := func(stdin string, extra ...string) (string, error) {
		out, _, err := runCmd(t, stdin, append(append([]string{"audit", "verify"}, extra...), db...)...)
		return out, err
	}
	line := mustRun(t, append([]string{"audit", "checkpoint"}, db...)...)
	var cp services.AuditCheckpoint
	if err := json.Unmarshal([]byte(line), &cp); err != nil || cp.Seq != 5 || len(cp.Signature) != 128 || strings.Count(line, "\n") != 1 {
		t.Fatalf("audit checkpoint printed %q: %+v, %v", line, cp, err)
	}
	for _, args := range [][]string{nil, {"--checkpoint", file}, {"--checkpoint", "-"}} {
		out, err := verify(line, args...)
		if err != nil || !strings.Contains(out, "OK: 5 rows") || !strings.Contains(out, "newest checkpoint covered: row 5") {
			t.Fatalf("audit verify %v on an intact trail: %v\n%s", args, err, out)
		}
		if len(args) > 0 && !strings.Contains(out, "checkpoints that hold: external ") {
			t.Errorf("audit verify %v does not count the external checkpoints:\n%s", args, out)
		}
	}
	forged := strings.Replace(line, cp.Signature[:8], "00000000", 1)
	if out, err := verify(forged, "--checkpoint", "-"); exitCode(err) != 1 || !strings.Contains(out, "forged or changed") {
		t.Fatalf("audit verify of a forged checkpoint: %v\n%s", err, out)
	}

	// Cut rows 4 and 5: the stored checkpoints show it.
	if storetest.IsPostgres() {
		storetest.Exec(t, in.db, `DROP TRIGGER audit_log_append_only ON audit_log`)
		storetest.Exec(t, in.db, `DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints`)
	} else {
		storetest.Exec(t, in.db, `DROP TRIGGER audit_log_no_delete`)
		storetest.Exec(t, in.db, `DROP TRIGGER audit_checkpoints_no_delete`)
	}
	storetest.Exec(t, in.db, `DELETE FROM audit_log WHERE seq > 3`)
	out, err := verify("")
	if exitCode(err) != 1 || !strings.Contains(out, "the trail ends at row 3 but the stored checkpoint of") ||
		!strings.Contains(out, "covers row 5: rows were cut from the end") {
		t.Fatalf("audit verify after the last rows were cut: %v\n%s", err, out)
	}
	// The running server refuses to sign the cut trail, and says so.
	waitFor(t, "the server's error about the cut trail", func() bool {
		return strings.Contains(in.logs.String(), "rows were cut from the end of the audit trail")
	})

	// Cut the stored checkpoints too: only the published ones show it.
	storetest.Exec(t, in.db, `DELETE FROM audit_checkpoints`)
	if out, err := verify(""); err != nil || !strings.Contains(out, "OK: 3 rows") {
		t.Fatalf("audit verify without checkpoints: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		name, stdin string
		args        []string
	}{
		{"the server's file", "", []string{"--checkpoint", file}},
		{"the server's log", in.logs.String(), []string{"--checkpoint", "-"}},
		{"the command's checkpoint", line, []string{"--checkpoint", "-"}},
	} {
		out, err := verify(tt.stdin, tt.args...)
		if exitCode(err) != 1 || !strings.Contains(out, "the trail ends at row 3 but the external checkpoint of") ||
			!strings.Contains(out, "covers row 5: rows were cut from the end") {
			t.Errorf("audit verify with %s: %v\n%s", tt.name, err, out)
		}
	}

	// Mistakes.
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"audit", "checkpoint", "extra"}, 2},
		{[]string{"audit", "checkpoint", "--checkpoint", file}, 2},
		{[]string{"audit", "verify", "--checkpoint", filepath.Join(dir, "none.jsonl")}, 1},
		{[]string{"audit", "verify", "--checkpoint", cfg}, 1}, // not checkpoints
	} {
		if _, _, err := runCmd(t, "", append(tt.args, db...)...); exitCode(err) != tt.code {
			t.Errorf("accountd %v: got %v, want exit %d", tt.args, err, tt.code)
		}
	}
}
