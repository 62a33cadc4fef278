// Package banktest builds a bank on a real database for the tests of the
// services packages: fixtures, a clock to move, a capturing OTP sender and
// helpers shared by several domains' tests. Only tests import it.
package banktest

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/customer"
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

// Dave is a valid individual customer.
func Dave() customer.AddCustomerInput {
	return customer.AddCustomerInput{
		Type: "INDIVIDUAL", FirstName: "Dave", LastName: "Miller", DOB: "19850412", Gender: "MALE",
		Identification: []customer.Identification{{Type: "SSN", Value: "123-45-6789"}},
		Contact:        customer.Contact{Email: "dave.miller@example.com", PhoneNumber: "+12025550142"},
		Address:        customer.Address{Line1: "1 Main St", City: "Austin", State: "TX", Country: "US", ZipCode: "73301"},
	}
}

// FieldReasons lists "field:REASON" for each field error of err, sorted.
func FieldReasons(err error) []string {
	var v *services.ValidationError
	if !errors.As(err, &v) {
		return nil
	}
	var out []string
	for _, f := range v.Fields {
		out = append(out, f.Field+":"+f.Reason)
	}
	sort.Strings(out)
	return out
}

// Join joins s with spaces.
func Join(s []string) string { return strings.Join(s, " ") }

// SetStatus sets a row's status directly in the database.
func (e *Env) SetStatus(t *testing.T, table, column, value, status string) {
	t.Helper()
	storetest.Exec(t, e.Path, `UPDATE `+table+` SET status = ? WHERE `+column+` = ?`, status, value)
}
