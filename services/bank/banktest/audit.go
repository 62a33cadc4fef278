package banktest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store/storetest"
)

// AuditRows returns the whole audit trail, after writing the rows of name
// inquiries still waiting in memory and sealing the rows waiting to be
// chained (on PostgreSQL).
func AuditRows(t *testing.T, e *Env) []services.AuditEntry {
	t.Helper()
	FlushAudit(t, e)
	storetest.Sealed(t, e.Store)
	rows, err := e.Store.AuditEntries(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Entities decodes an audit row's entities.
func Entities(t *testing.T, e services.AuditEntry) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(e.Entities), &m); err != nil {
		t.Fatalf("row %d: entities %q: %v", e.Seq, e.Entities, err)
	}
	return m
}

// VerifyAudit runs VerifyAudit on e's database, after writing the rows of
// name inquiries still waiting in memory and sealing them.
func VerifyAudit(t *testing.T, e *Env) services.AuditReport {
	t.Helper()
	FlushAudit(t, e)
	storetest.Sealed(t, e.Store)
	rep, err := services.VerifyAudit(context.Background(), e.Store)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// FlushAudit writes the audit rows of name inquiries that e's bank holds
// in memory (services.Kernel.AuditLater).
func FlushAudit(t *testing.T, e *Env) {
	t.Helper()
	if err := e.Bank.Kernel.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
}
