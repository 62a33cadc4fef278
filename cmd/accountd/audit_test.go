package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/store/storetest"
)

// auditedCall posts one signed request and returns its result, failing the
// test on a JSON-RPC error.
func auditedCall(t *testing.T, in *instance, key *client.KeyFile, method, id, payload string) json.RawMessage {
	t.Helper()
	body, err := key.Envelope(method, json.RawMessage(id), []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	_, raw, err := (&client.Client{URL: in.url}).Post(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	var resp client.Response
	if err := json.Unmarshal(raw, &resp); err != nil || resp.Error != nil {
		t.Fatalf("%s: %v %s", method, err, raw)
	}
	return resp.Result
}

func TestAuditVerifyCommand(t *testing.T) {
	in := start(t) // two keys.create rows
	key := loadKey(t, in.alphaKey)
	customer := `{"type":"INDIVIDUAL","firstName":"An","lastName":"Nguyen","DOB":"19900115",
		"identification":[{"type":"PASSPORT","value":"C1000001"}],"contact":{"email":"an@example.com"}}`
	var c struct{ ID string }
	json.Unmarshal(auditedCall(t, in, key, "CustomerService.AddCustomer", `"c-1"`, customer), &c)
	auditedCall(t, in, key, "CustomerService.AddCustomer", `"c-1"`, customer) // a replay: no row
	auditedCall(t, in, key, "CustomerService.AddCustomer", `"c-2"`,
		`{"type":"INDIVIDUAL","firstName":"Binh","lastName":"Tran","DOB":"19910216",
			"identification":[{"type":"PASSPORT","value":"C1000002"}],"contact":{"email":"binh@example.com"}}`)
	auditedCall(t, in, key, "CustomerService.AddAccount", `"a-1"`,
		`{"customerID":"`+c.ID+`","name":"AN","accountType":"CHECKING","currency":"VND"}`)
	auditedCall(t, in, key, "CustomerService.GetCustomer", `"g-1"`, `{"ID":"`+c.ID+`"}`) // a read: no row

	db := []string{"--database.driver", driver, "--database.dsn", in.db}
	// On PostgreSQL rows are chained once older writing transactions of
	// the server (other tests') have ended; audit verify seals what it can.
	storetest.SealedDSN(t, in.db)
	out := mustRun(t, append([]string{"audit", "verify"}, db...)...)
	if !strings.Contains(out, "OK: 5 rows") || !strings.Contains(out, "last row 5") {
		t.Fatalf("audit verify on an intact trail:\n%s", out)
	}

	if storetest.IsPostgres() {
		storetest.Exec(t, in.db, `DROP TRIGGER audit_log_append_only ON audit_log`)
	} else {
		storetest.Exec(t, in.db, `DROP TRIGGER audit_log_no_update`)
	}
	storetest.Exec(t, in.db, `UPDATE audit_log SET entities = '{}' WHERE seq = 4`)
	out, _, err := runCmd(t, "", append([]string{"audit", "verify"}, db...)...)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "row 4") {
		t.Fatalf("audit verify on a changed row: got %v, want an error naming row 4", err)
	}
	if !strings.Contains(out, "BROKEN at row 4") || !strings.Contains(out, "3 rows before it are intact") {
		t.Fatalf("audit verify on a changed row:\n%s", out)
	}

	// Usage mistakes.
	for _, args := range [][]string{{"audit"}, {"audit", "check"}, {"audit", "verify", "extra"}} {
		if _, _, err := runCmd(t, "", append(args, db...)...); exitCode(err) != 2 {
			t.Errorf("accountd %v: got %v, want a usage error", args, err)
		}
	}
}

// keyLine returns the fields of keyID's line in `keys list`: key id,
// partner, tier, status, created, revoked, methods.
func keyLine(t *testing.T, db []string, keyID string) []string {
	t.Helper()
	out := mustRun(t, append([]string{"keys", "list"}, db...)...)
	if !strings.Contains(out, "TIER") || !strings.Contains(out, "METHODS") {
		t.Fatalf("keys list header:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 8 && f[0] == keyID {
			return f
		}
	}
	t.Fatalf("keys list has no line of %s:\n%s", keyID, out)
	return nil
}

func TestKeysTierAndMethods(t *testing.T) {
	dir := t.TempDir()
	db := []string{"--database.driver", driver, "--database.dsn", storetest.DSN(t)}
	keysCmd := func(args ...string) []string { return append(append([]string{"keys"}, args...), db...) }

	mustRun(t, keysCmd("create", "--partner", "gamma", "--tier", "GOLD", "--methods", "CustomerService.GetCustomer",
		"--out", filepath.Join(dir, "g1.json"))...)
	limited := loadKey(t, filepath.Join(dir, "g1.json")).KeyID
	mustRun(t, keysCmd("create", "--partner", "gamma", "--methods", "CustomerService.GetCustomer,AccountService.GetDetails",
		"--out", filepath.Join(dir, "g2.json"))...)
	two := loadKey(t, filepath.Join(dir, "g2.json")).KeyID
	mustRun(t, keysCmd("create", "--partner", "delta", "--out", filepath.Join(dir, "d.json"))...)
	all := loadKey(t, filepath.Join(dir, "d.json")).KeyID

	checkList := func(t *testing.T, want map[string][2]string) {
		t.Helper()
		for keyID, w := range want {
			if f := keyLine(t, db, keyID); f[2] != w[0] || f[7] != w[1] {
				t.Errorf("%s: got tier %s methods %s, want %s %s", keyID, f[2], f[7], w[0], w[1])
			}
		}
	}
	checkList(t, map[string][2]string{
		limited: {"GOLD", "CustomerService.GetCustomer"},
		two:     {"GOLD", "CustomerService.GetCustomer,AccountService.GetDetails"},
		all:     {"BRONZE", "all"},
	})

	out := mustRun(t, keysCmd("tier", "--partner", "gamma", "--tier", "platinum")...)
	if !strings.Contains(out, "PLATINUM") {
		t.Fatalf("keys tier output: %s", out)
	}
	checkList(t, map[string][2]string{limited: {"PLATINUM", "CustomerService.GetCustomer"}, all: {"BRONZE", "all"}})

	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"unknown tier", keysCmd("tier", "--partner", "gamma", "--tier", "DIAMOND"), "tier"},
		{"unknown partner", keysCmd("tier", "--partner", "nobody", "--tier", "GOLD"), "partner not found"},
		{"unknown method", keysCmd("create", "--partner", "epsilon", "--methods", "No.Such", "--out", filepath.Join(dir, "e.json")), "methods"},
		{"create with an unknown tier", keysCmd("create", "--partner", "epsilon", "--tier", "DIAMOND", "--out", filepath.Join(dir, "e.json")), "tier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, "", tt.args...)
			if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error naming %q", err, tt.want)
			}
		})
	}
	if out := mustRun(t, keysCmd("list")...); strings.Contains(out, "epsilon") {
		t.Errorf("a refused key was created:\n%s", out)
	}
	checkList(t, map[string][2]string{limited: {"PLATINUM", "CustomerService.GetCustomer"}})

	// The operator's changes are in the audit trail; the refused ones are not.
	storetest.SealedDSN(t, db[3])
	out = mustRun(t, append([]string{"audit", "verify"}, db...)...)
	if !strings.Contains(out, "OK: 4 rows") {
		t.Fatalf("audit verify after 3 keys and a tier change:\n%s", out)
	}
}

// TestKeysSignaturePolicy creates keys that require ACCOUNTD-V2 by default,
// allows NetXD's payload-only form only when asked (flagged in keys list),
// and changes an existing key's policy.
func TestKeysSignaturePolicy(t *testing.T) {
	dir := t.TempDir()
	db := []string{"--database.driver", driver, "--database.dsn", storetest.DSN(t)}
	keysCmd := func(args ...string) []string { return append(append([]string{"keys"}, args...), db...) }
	signatureOf := func(keyID string) string { return keyLine(t, db, keyID)[4] }

	mustRun(t, keysCmd("create", "--partner", "zeta", "--out", filepath.Join(dir, "v2.json"))...)
	v2 := loadKey(t, filepath.Join(dir, "v2.json")).KeyID
	out := mustRun(t, keysCmd("create", "--partner", "zeta", "--signature", "netxd", "--out", filepath.Join(dir, "n.json"))...)
	netxd := loadKey(t, filepath.Join(dir, "n.json")).KeyID
	if !strings.Contains(out, "WARNING") {
		t.Errorf("keys create --signature netxd gave no warning:\n%s", out)
	}
	if got := signatureOf(v2); got != "V2" {
		t.Errorf("a new key's signature policy is %q, want V2", got)
	}
	if got := signatureOf(netxd); got != "NETXD*" {
		t.Errorf("a NETXD key is listed as %q, want NETXD* (flagged)", got)
	}
	if list := mustRun(t, keysCmd("list")...); !strings.Contains(list, "* also accepts NetXD's payload-only signature") {
		t.Errorf("keys list does not explain the flag:\n%s", list)
	}
	mustRun(t, keysCmd("signature", netxd, "v2")...)
	if got := signatureOf(netxd); got != "V2" {
		t.Errorf("after keys signature %s v2: %q, want V2", netxd, got)
	}
	if list := mustRun(t, keysCmd("list")...); strings.Contains(list, "*") {
		t.Errorf("keys list flags a key although none is NETXD:\n%s", list)
	}
	mustRun(t, keysCmd("revoke", v2)...)
	tests := []struct {
		name string
		args []string
		want string // in the error
		code int
	}{
		{"an unknown policy", keysCmd("signature", netxd, "v3"), "signature", 1},
		{"an unknown key", keysCmd("signature", "k_nobody", "v2"), "not found", 1},
		{"a revoked key", keysCmd("signature", v2, "netxd"), "revoked", 1},
		{"no policy", keysCmd("signature", netxd), "V2 or NETXD", 2},
		{"create with an unknown policy", keysCmd("create", "--partner", "eta", "--signature", "v1", "--out", filepath.Join(dir, "x.json")), "signature", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, "", tt.args...)
			if err == nil || exitCode(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want exit %d and an error naming %q", err, tt.code, tt.want)
			}
		})
	}
}

// TestShutdownWritesNameInquiries: the audit rows of name inquiries, which
// wait in memory (audit.flush_interval, here longer than the test), are
// written when the server shuts down, one per inquiry, and the chain
// verifies.
func TestShutdownWritesNameInquiries(t *testing.T) {
	t.Setenv("ACCOUNTD_AUDIT_FLUSH_INTERVAL", "10s")
	dir := t.TempDir()
	db := []string{"--database.driver", driver, "--database.dsn", storetest.DSN(t)}
	keyPath := filepath.Join(dir, "alpha.key.json")
	mustRun(t, append([]string{"keys", "create", "--partner", "alpha", "--tier", "PLATINUM", "--out", keyPath}, db...)...)
	key := loadKey(t, keyPath)
	inquiries := []string{
		`{"bankCode":"970","accountNumber":"900309799403557"}`, // no such account
		`{"bankCode":"014","accountNumber":"900309799403557"}`, // another bank
		`{"bankCode":"970","accountNumber":"900309799403558"}`,
	}
	t.Run("serve", func(t *testing.T) { // the server stops when it ends
		url := serveDB(t, db[3], &syncBuffer{})
		for i, payload := range inquiries {
			res := signedCall(t, url, key, "AccountService.ValidateName", fmt.Sprintf(`"v-%d"`, i), payload)
			if res.Error == nil {
				t.Fatalf("inquiry %d answered %s, want a refusal", i, res.Result)
			}
		}
	})
	if n := storetest.Count(t, db[3], `SELECT COUNT(*) FROM audit_log WHERE method = 'AccountService.ValidateName'`); n != len(inquiries) {
		t.Errorf("%d name inquiry rows after shutdown, want %d", n, len(inquiries))
	}
	if out := mustRun(t, append([]string{"audit", "verify"}, db...)...); !strings.HasPrefix(out, "OK: ") {
		t.Errorf("audit verify after shutdown:\n%s", out)
	}
}
