// Package banktest builds a bank on a real database for the tests of the
// services packages: fixtures, a clock to move, a capturing OTP sender and
// helpers shared by several domains' tests. Only tests import it.
package banktest

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// FakeClock is a clock that tests move by hand.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward by d.
func (c *FakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Env is a bank on a real database (SQLite, or PostgreSQL as storetest
// chooses) with two partners, alpha and beta.
type Env struct {
	Bank     *bank.Bank
	Store    *store.Store
	Path     string
	Clock    *FakeClock
	Partners *partner.Partners
	Alpha    services.Call
	Beta     services.Call
}

// New opens an Env on a fresh database, its clock at 2026-11-21 10:00 UTC.
func New(t *testing.T) *Env {
	t.Helper()
	st, path := storetest.OpenDSN(t)
	clock := &FakeClock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	e := &Env{Store: st, Path: path, Clock: clock, Partners: partner.NewPartners(st, clock)}
	e.Bank = bank.New(st, bank.Settings{InstitutionID: "101115399", PhoneRegion: "VN", IdempotencyTTL: 24 * time.Hour}, bank.WithClock(clock))
	CloseAtEnd(t, e.Bank)
	e.Alpha = e.PartnerCall(t, "alpha")
	e.Beta = e.PartnerCall(t, "beta")
	return e
}

// PartnerCall creates a partner with a key and returns a call as that partner.
func (e *Env) PartnerCall(t *testing.T, name string) services.Call {
	t.Helper()
	ctx := context.Background()
	k, err := e.Partners.CreateKey(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Partners.FindPartner(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return services.Call{PartnerID: p.ID, KeyID: k.KeyID}
}

// With returns the call as a given method with a given request id.
func With(c services.Call, method, requestID string) services.Call {
	c.Method, c.RequestID = method, requestID
	return c
}

// SetStatus sets a row's status directly in the database.
func (e *Env) SetStatus(t *testing.T, table, column, value, status string) {
	t.Helper()
	storetest.Exec(t, e.Path, `UPDATE `+table+` SET status = ? WHERE `+column+` = ?`, status, value)
}

// BankCode is the bank's code in name inquiries, as NewLifecycle sets it.
const BankCode = "970"

// NewLifecycle is New with the settings the account lifecycle needs
// (the bank code), changed further by the given functions.
func NewLifecycle(t *testing.T, change ...func(*bank.Settings)) *Env {
	t.Helper()
	e := New(t)
	s := bank.Settings{InstitutionID: "101115399", PhoneRegion: "VN", IdempotencyTTL: 24 * time.Hour, BankCode: BankCode}
	for _, f := range change {
		f(&s)
	}
	e.Bank = bank.New(e.Store, s, bank.WithClock(e.Clock))
	CloseAtEnd(t, e.Bank)
	return e
}

// CloseAtEnd closes b when the test ends, before its database closes (the
// cleanups run last first), so that no audit row waits in memory.
func CloseAtEnd(t testing.TB, b *bank.Bank) {
	t.Cleanup(func() {
		if err := b.Close(context.Background()); err != nil {
			t.Errorf("close the bank: %v", err)
		}
	})
}

// IntPtr returns a pointer to n.
func IntPtr(n int) *int { return &n }

// MustID parses a decimal ID, failing the test when it is not one.
func MustID(t testing.TB, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
