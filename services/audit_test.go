package services_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

// auditRow returns row seq of the audit trail.
func auditRow(t *testing.T, e *banktest.Env, seq int64) services.AuditEntry {
	t.Helper()
	rows, err := e.Store.AuditEntries(context.Background(), seq-1, 1)
	if err != nil || len(rows) != 1 || rows[0].Seq != seq {
		t.Fatalf("audit row %d: %+v, %v", seq, rows, err)
	}
	return rows[0]
}

// dropAuditTriggers removes the triggers that keep audit_log append-only,
// so that a test can tamper with it as someone with the database's owner
// rights could.
func dropAuditTriggers(t *testing.T, dsn string) {
	t.Helper()
	if storetest.IsPostgres() {
		storetest.Exec(t, dsn, `DROP TRIGGER audit_log_append_only ON audit_log`)
		return
	}
	storetest.Exec(t, dsn, `DROP TRIGGER audit_log_no_update`)
	storetest.Exec(t, dsn, `DROP TRIGGER audit_log_no_delete`)
}

func TestAuditRecordsCalls(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	before := len(banktest.AuditRows(t, e)) // the two keys.create rows of banktest.New

	addCustomer := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"c-1"`)
	c, err := e.Bank.Customers.AddCustomer(ctx, addCustomer, banktest.Dave())
	if err != nil {
		t.Fatal(err)
	}
	addAccount := banktest.With(e.Alpha, "CustomerService.AddAccount", `7`)
	accountIn := account.AddAccountInput{CustomerID: c.ID, Name: "DAVE", AccountType: "CHECKING", Currency: "USD"}
	a, err := e.Bank.Accounts.AddAccount(ctx, addAccount, accountIn)
	if err != nil {
		t.Fatal(err)
	}
	rows := banktest.AuditRows(t, e)
	if got, want := len(rows), before+2; got != want {
		t.Fatalf("%d audit rows, want %d", got, want)
	}
	tests := []struct {
		name     string
		row      services.AuditEntry
		call     services.Call
		entities map[string]string
	}{
		{"AddCustomer", rows[before], addCustomer, map[string]string{"customerId": c.ID, "customerNumber": c.CustomerNumber}},
		{"AddAccount", rows[before+1], addAccount, map[string]string{"accountId": a.ID, "accountNumber": a.AccountNumber, "customerId": c.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.row
			if r.Method != tt.call.Method || r.PartnerID != tt.call.PartnerID || r.KeyID != tt.call.KeyID || r.RequestID != tt.call.RequestID {
				t.Errorf("got method %q partner %d key %q request %q; want %q %d %q %q",
					r.Method, r.PartnerID, r.KeyID, r.RequestID, tt.call.Method, tt.call.PartnerID, tt.call.KeyID, tt.call.RequestID)
			}
			if got := banktest.Entities(t, r); !maps.Equal(got, tt.entities) {
				t.Errorf("entities: got %v, want %v", got, tt.entities)
			}
			if r.Outcome != services.AuditOK {
				t.Errorf("outcome: got %q, want %q", r.Outcome, services.AuditOK)
			}
			if !r.At.Equal(e.Clock.Now()) {
				t.Errorf("at: got %v, want %v", r.At, e.Clock.Now())
			}
		})
	}

	// A replay answers from the idempotency record and changes nothing.
	if again, err := e.Bank.Customers.AddCustomer(ctx, addCustomer, banktest.Dave()); err != nil || again != c {
		t.Fatalf("replay: %+v, %v", again, err)
	}
	if again, err := e.Bank.Accounts.AddAccount(ctx, addAccount, accountIn); err != nil || again != a {
		t.Fatalf("replay: %+v, %v", again, err)
	}
	if got, want := len(banktest.AuditRows(t, e)), before+2; got != want {
		t.Fatalf("%d audit rows after replays, want %d", got, want)
	}
	// A call without a request id is recorded with an empty one.
	if _, err := e.Bank.Customers.AddCustomer(ctx, banktest.With(e.Beta, "CustomerService.AddCustomer", ""), banktest.Dave()); err != nil {
		t.Fatal(err)
	}
	rows = banktest.AuditRows(t, e)
	if last := rows[len(rows)-1]; len(rows) != before+3 || last.RequestID != "" || last.PartnerID != e.Beta.PartnerID {
		t.Fatalf("call without id: %d rows, last %+v", len(rows), last)
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() || rep.Rows != int64(len(rows)) {
		t.Fatalf("verify: %+v", rep)
	}
}

func TestAuditRefusal(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"r-1"`)
	if _, err := e.Bank.Customers.AddCustomer(ctx, banktest.With(e.Alpha, "CustomerService.AddCustomer", ""), banktest.Dave()); err != nil {
		t.Fatal(err)
	}
	_, dup := e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave())
	if !errors.Is(dup, customer.ErrIdentificationExists) {
		t.Fatalf("duplicate: got %v, want ErrIdentificationExists", dup)
	}
	// The refusal of a call with a request id is recorded with the id, in
	// the audit trail too, by the call itself.
	if r := banktest.AuditRows(t, e); r[len(r)-1].RequestID != call.RequestID || r[len(r)-1].Outcome != "REFUSED: "+customer.ErrIdentificationExists.Error() {
		t.Fatalf("the refused call's own audit row: %+v", r[len(r)-1])
	}
	bad := banktest.Dave()
	bad.DOB = "1985"
	_, invalid := e.Bank.Customers.AddCustomer(ctx, call, bad)
	if !errors.Is(invalid, services.ErrInvalidInput) {
		t.Fatalf("bad DOB: got %v, want ErrInvalidInput", invalid)
	}
	tests := []struct {
		name        string
		err         error
		wantOutcome string // "" when nothing is recorded
	}{
		{"business refusal", fmt.Errorf("add customer: %w", customer.ErrIdentificationExists), "REFUSED: " + customer.ErrIdentificationExists.Error()},
		{"refusal recorded with its request id", dup, ""},
		{"invalid params", invalid, "REFUSED: " + services.ErrInvalidInput.Error()},
		{"wrapped sentinel", fmt.Errorf("add account: %w", customer.ErrCustomerNotFound), "REFUSED: " + customer.ErrCustomerNotFound.Error()},
		{"internal error", errors.New("x"), ""},
		{"database error", fmt.Errorf("commit: %w", errors.New("disk I/O error")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := banktest.AuditRows(t, e)
			if err := e.Bank.Kernel.AuditRefusal(ctx, call, tt.err); err != nil {
				t.Fatal(err)
			}
			rows := banktest.AuditRows(t, e)
			if tt.wantOutcome == "" {
				if len(rows) != len(before) {
					t.Fatalf("recorded %+v, want nothing", rows[len(rows)-1])
				}
				return
			}
			if len(rows) != len(before)+1 {
				t.Fatalf("%d rows after, %d before: want one more", len(rows), len(before))
			}
			r := rows[len(rows)-1]
			if r.Outcome != tt.wantOutcome || r.Method != call.Method || r.PartnerID != call.PartnerID ||
				r.KeyID != call.KeyID || r.RequestID != call.RequestID || r.Entities != "{}" {
				t.Fatalf("got %+v, want outcome %q for %+v and no entities", r, tt.wantOutcome, call)
			}
		})
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() {
		t.Fatalf("verify: %+v", rep)
	}
}

func TestAuditRecordsOperatorChanges(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	k, err := e.Partners.CreateKey(ctx, "gamma", partner.KeyOptions{Tier: partner.TierSilver, Methods: []string{"CustomerService.GetCustomer", "AccountService.GetDetails"}})
	if err != nil {
		t.Fatal(err)
	}
	gamma, err := e.Partners.FindPartner(ctx, "gamma")
	if err != nil {
		t.Fatal(err)
	}
	created := banktest.AuditRows(t, e)
	if err := e.Partners.RevokeKey(ctx, k.KeyID); err != nil {
		t.Fatal(err)
	}
	if err := e.Partners.SetTier(ctx, "gamma", partner.TierGold); err != nil {
		t.Fatal(err)
	}
	// Refused operator changes leave no row.
	if err := e.Partners.RevokeKey(ctx, k.KeyID); !errors.Is(err, partner.ErrKeyRevoked) {
		t.Fatalf("second revoke: got %v, want ErrKeyRevoked", err)
	}
	if err := e.Partners.SetTier(ctx, "nobody", partner.TierGold); !errors.Is(err, partner.ErrPartnerNotFound) {
		t.Fatalf("set tier of nobody: got %v, want ErrPartnerNotFound", err)
	}
	rows := banktest.AuditRows(t, e)
	if len(rows) != len(created)+2 {
		t.Fatalf("%d rows, want %d", len(rows), len(created)+2)
	}
	tests := []struct {
		name     string
		row      services.AuditEntry
		method   string
		entities map[string]string
	}{
		{"create", created[len(created)-1], "keys.create", map[string]string{"keyId": k.KeyID, "tier": partner.TierSilver, "methods": "CustomerService.GetCustomer AccountService.GetDetails", "signature": partner.SignatureV2}},
		{"revoke", rows[len(rows)-2], "keys.revoke", map[string]string{"keyId": k.KeyID}},
		{"tier", rows[len(rows)-1], "partners.setTier", map[string]string{"tier": partner.TierGold}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.row
			if r.Method != tt.method || r.PartnerID != gamma.ID || r.KeyID != "operator" || r.RequestID != "" || r.Outcome != services.AuditOK {
				t.Errorf("got %+v; want %s by operator for partner %d, OK", r, tt.method, gamma.ID)
			}
			if got := banktest.Entities(t, r); !maps.Equal(got, tt.entities) {
				t.Errorf("entities: got %v, want %v", got, tt.entities)
			}
		})
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() || rep.Rows != int64(len(rows)) {
		t.Fatalf("verify: %+v", rep)
	}
}

// TestVerifyAuditManyPages checks a chain longer than one page of
// VerifyAudit, ending exactly on a page boundary, and a break found on the
// second page.
func TestVerifyAuditManyPages(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	const total = 2000 // two full pages of 1000
	first := len(banktest.AuditRows(t, e))
	err := e.Store.Update(ctx, func(tx services.Tx) error {
		for i := first; i < total; i++ {
			r := services.AuditEntry{At: e.Clock.Now(), PartnerID: e.Alpha.PartnerID, KeyID: e.Alpha.KeyID,
				Method: "CustomerService.AddCustomer", RequestID: fmt.Sprint(i), Entities: "{}", Outcome: services.AuditOK}
			if err := tx.AppendAudit(ctx, &r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep := banktest.VerifyAudit(t, e)
	last := auditRow(t, e, total)
	if !rep.OK() || rep.Rows != total || rep.LastSeq != total || rep.LastHash != last.Hash {
		t.Fatalf("got %+v, want %d intact rows ending with hash %s", rep, total, last.Hash)
	}
	dropAuditTriggers(t, e.Path)
	storetest.Exec(t, e.Path, `UPDATE audit_log SET outcome = 'REFUSED: x' WHERE seq = 1500`)
	if rep := banktest.VerifyAudit(t, e); rep.OK() || rep.BrokenSeq != 1500 || rep.Rows != 1499 {
		t.Fatalf("row 1500 changed: got %+v, want broken at 1500 after 1499 rows", rep)
	}
}

// seedAudit makes e's audit trail 6 rows long: banktest.New's two keys and four
// customers.
func seedAudit(t *testing.T, e *banktest.Env) []services.AuditEntry {
	t.Helper()
	for i := 1; i <= 4; i++ {
		if _, err := e.Bank.Customers.AddCustomer(context.Background(), banktest.With(e.Alpha, "CustomerService.AddCustomer", fmt.Sprint(i)), banktest.CustomerN(i)); err != nil {
			t.Fatal(err)
		}
	}
	rows := banktest.AuditRows(t, e)
	if len(rows) != 6 {
		t.Fatalf("%d audit rows, want 6", len(rows))
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() || rep.Rows != 6 {
		t.Fatalf("before tampering: %+v", rep)
	}
	return rows
}

// insertAuditRow writes r as it is, bypassing the chain.
func insertAuditRow(t *testing.T, dsn string, r services.AuditEntry) {
	t.Helper()
	storetest.Exec(t, dsn, `INSERT INTO audit_log (seq, at, partner_id, key_id, method, request_id, entities, outcome, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, r.At.UnixMilli(), r.PartnerID, r.KeyID, r.Method, r.RequestID, r.Entities, r.Outcome, r.PrevHash, r.Hash)
}

func TestVerifyAuditFindsTampering(t *testing.T) {
	tests := []struct {
		name     string
		tamper   func(t *testing.T, e *banktest.Env, rows []services.AuditEntry)
		wantSeq  int64
		wantRows int64 // intact rows before the break
		wantText string
	}{
		{
			name: "outcome changed",
			tamper: func(t *testing.T, e *banktest.Env, _ []services.AuditEntry) {
				storetest.Exec(t, e.Path, `UPDATE audit_log SET outcome = 'REFUSED: invalid params' WHERE seq = 4`)
			},
			wantSeq: 4, wantRows: 3, wantText: "content does not match",
		},
		{
			name: "row deleted",
			tamper: func(t *testing.T, e *banktest.Env, _ []services.AuditEntry) {
				storetest.Exec(t, e.Path, `DELETE FROM audit_log WHERE seq = 4`)
			},
			wantSeq: 5, wantRows: 3, wantText: "missing",
		},
		{
			name: "row changed and its hash recomputed",
			tamper: func(t *testing.T, e *banktest.Env, rows []services.AuditEntry) {
				r := rows[3]
				r.Entities = `{"customerId":"1"}`
				r.Hash = r.ComputeHash()
				storetest.Exec(t, e.Path, `UPDATE audit_log SET entities = ?, hash = ? WHERE seq = ?`, r.Entities, r.Hash, r.Seq)
			},
			wantSeq: 5, wantRows: 4, wantText: "does not link",
		},
		{
			name: "forged row inserted in the middle",
			tamper: func(t *testing.T, e *banktest.Env, rows []services.AuditEntry) {
				// Make room at 5, then insert a row that links to row 4
				// and whose own hash is right.
				storetest.Exec(t, e.Path, `UPDATE audit_log SET seq = -seq WHERE seq >= 5`)
				storetest.Exec(t, e.Path, `UPDATE audit_log SET seq = 1 - seq WHERE seq < 0`)
				forged := rows[4]
				forged.RequestID, forged.Entities = `"forged"`, `{"customerId":"1"}`
				forged.PrevHash = rows[3].Hash
				forged.Hash = forged.ComputeHash()
				insertAuditRow(t, e.Path, forged)
			},
			wantSeq: 6, wantRows: 5, wantText: "does not link",
		},
		{
			name: "forged row appended with a made-up hash",
			tamper: func(t *testing.T, e *banktest.Env, rows []services.AuditEntry) {
				forged := rows[5]
				forged.Seq, forged.PrevHash, forged.Hash = 7, rows[5].Hash, strings.Repeat("0", 64)
				insertAuditRow(t, e.Path, forged)
			},
			wantSeq: 7, wantRows: 6, wantText: "content does not match",
		},
		{
			name: "forged row numbered before the first",
			tamper: func(t *testing.T, e *banktest.Env, rows []services.AuditEntry) {
				forged := rows[0]
				forged.Seq, forged.PrevHash = 0, ""
				forged.Hash = forged.ComputeHash()
				insertAuditRow(t, e.Path, forged)
			},
			wantSeq: 0, wantRows: 0, wantText: "row 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := banktest.New(t)
			rows := seedAudit(t, e)
			dropAuditTriggers(t, e.Path)
			tt.tamper(t, e, rows)
			rep := banktest.VerifyAudit(t, e)
			if rep.OK() || rep.BrokenSeq != tt.wantSeq || rep.Rows != tt.wantRows || !strings.Contains(rep.Broken, tt.wantText) {
				t.Fatalf("got %+v; want broken at row %d after %d intact rows, saying %q", rep, tt.wantSeq, tt.wantRows, tt.wantText)
			}
		})
	}
}

// TestAuditLogIsAppendOnly checks that the database itself refuses to
// change or remove audit rows.
func TestAuditLogIsAppendOnly(t *testing.T) {
	e := banktest.New(t)
	seedAudit(t, e)
	db := storetest.Conn(t, e.Path)
	statements := []string{
		`UPDATE audit_log SET outcome = 'OK' WHERE seq = 3`,
		`UPDATE audit_log SET seq = seq + 100`,
		`DELETE FROM audit_log WHERE seq = 6`,
		`DELETE FROM audit_log`,
	}
	if storetest.IsPostgres() {
		statements = append(statements, `TRUNCATE audit_log`)
	}
	for _, q := range statements {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "audit_log rows are never") {
			t.Errorf("%s: got %v, want the trigger's refusal", q, err)
		}
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() || rep.Rows != 6 {
		t.Fatalf("after the refused statements: %+v", rep)
	}
}

// TestAuditChainUnderConcurrentCalls appends from many goroutines at once:
// on PostgreSQL the transactions really overlap, and the chain must still
// be one line with no gaps and no forks.
func TestAuditChainUnderConcurrentCalls(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	before := len(banktest.AuditRows(t, e))
	const workers, calls = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				n := 1 + w*calls + i
				call := banktest.With(e.Alpha, "CustomerService.AddCustomer", fmt.Sprintf(`"w%d-%d"`, w, i))
				if _, err := e.Bank.Customers.AddCustomer(ctx, call, banktest.CustomerN(n)); err != nil {
					errs <- fmt.Errorf("customer %d: %w", n, err)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rows := banktest.AuditRows(t, e)
	if got, want := len(rows), before+workers*calls; got != want {
		t.Fatalf("%d audit rows, want %d", got, want)
	}
	requests := make(map[string]bool)
	for i, r := range rows {
		if r.Seq != int64(i+1) {
			t.Fatalf("row %d has seq %d", i+1, r.Seq)
		}
		requests[r.RequestID] = true
	}
	if len(requests) != workers*calls+1 { // plus "" of the keys.create rows
		t.Errorf("%d distinct request ids, want %d", len(requests), workers*calls+1)
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() || rep.Rows != int64(len(rows)) {
		t.Fatalf("verify: %+v", rep)
	}
}
