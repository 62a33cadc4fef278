package bank_test

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

// fakeClock is a clock that tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a Service on a real SQLite database with two partners.
type env struct {
	svc      *bank.Bank
	st       *store.Store
	path     string
	clock    *fakeClock
	partners *partner.Partners
	alpha    services.Call
	beta     services.Call
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, path := storetest.OpenDSN(t)
	clock := &fakeClock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	e := &env{st: st, path: path, clock: clock, partners: partner.NewPartners(st, clock)}
	e.svc = bank.New(st, bank.Settings{InstitutionID: "101115399", PhoneRegion: "VN", IdempotencyTTL: 24 * time.Hour}, bank.WithClock(clock))
	e.alpha = e.partnerCall(t, "alpha")
	e.beta = e.partnerCall(t, "beta")
	return e
}

func (e *env) partnerCall(t *testing.T, name string) services.Call {
	t.Helper()
	ctx := context.Background()
	k, err := e.partners.CreateKey(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.partners.FindPartner(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return services.Call{PartnerID: p.ID, KeyID: k.KeyID}
}

// with returns the call as a given method with a given request id.
func with(c services.Call, method, requestID string) services.Call {
	c.Method, c.RequestID = method, requestID
	return c
}

// dave is a valid individual customer.
func dave() customer.AddCustomerInput {
	return customer.AddCustomerInput{
		Type: "INDIVIDUAL", FirstName: "Dave", LastName: "Miller", DOB: "19850412", Gender: "MALE",
		Identification: []customer.Identification{{Type: "SSN", Value: "123-45-6789"}},
		Contact:        customer.Contact{Email: "dave.miller@example.com", PhoneNumber: "+12025550142"},
		Address:        customer.Address{Line1: "1 Main St", City: "Austin", State: "TX", Country: "US", ZipCode: "73301"},
	}
}

// fieldReasons lists "field:REASON" for each field error of err, sorted.
func fieldReasons(err error) []string {
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

func join(s []string) string { return strings.Join(s, " ") }

// setStatus sets a row's status directly in the database.
func (e *env) setStatus(t *testing.T, table, column, value, status string) {
	t.Helper()
	storetest.Exec(t, e.path, `UPDATE `+table+` SET status = ? WHERE `+column+` = ?`, status, value)
}
