package services_test

import (
	"context"
	"strings"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store/storetest"
)

// TestSearchNiceNumbers: numbers generated from a pattern or a category,
// in order, without the taken, held or reserved ones, page by page.
func TestSearchNiceNumbers(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t, func(s *services.Settings) { s.NiceReserved = map[string]bool{"10026868": true} })
	cust := e.addCustomer(t, e.alpha, kenyan("50000001", "+254712000101", "s101@example.com"))
	if _, err := e.svc.HoldNiceNumber(ctx, e.alpha, services.HoldNiceNumberInput{Number: "10016868", CustomerID: cust}); err != nil {
		t.Fatal(err)
	}
	search := func(in services.SearchNiceNumbersInput) services.NiceNumberPage {
		t.Helper()
		p, err := e.svc.SearchNiceNumbers(ctx, e.alpha, in)
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		return p
	}
	numbers := func(p services.NiceNumberPage) string {
		var out []string
		for _, n := range p.Numbers {
			out = append(out, n.Number)
		}
		return strings.Join(out, " ")
	}
	eight, three := 8, 3
	p := search(services.SearchNiceNumbersInput{Pattern: "*6868", Length: &eight, PageSize: &three})
	if got := numbers(p); got != "10006868 10036868 10046868" || !p.HasMore {
		t.Fatalf("*6868: %q hasMore %v; want held 10016868 and reserved 10026868 left out", got, p.HasMore)
	}
	for _, n := range p.Numbers {
		if n.Category != services.NiceRepeatedPairs && n.Category != services.NiceFourOfAKind || !n.Available || n.Status != services.NiceAvailable {
			t.Errorf("%+v", n)
		}
	}
	two := 2
	if got := numbers(search(services.SearchNiceNumbersInput{Pattern: "*6868", Length: &eight, PageSize: &three, PageNumber: &two})); got != "10056868 10066868 10076868" {
		t.Fatalf("page 2: %q", got)
	}
	if got := numbers(search(services.SearchNiceNumbersInput{Pattern: "09**39**79", PageSize: &three})); got != "0900390079 0900390179 0900390279" {
		t.Fatalf("09**39**79: %q", got)
	}
	six := 6
	p = search(services.SearchNiceNumbersInput{Category: "six_of_a_kind", Length: &six, PageSize: &three})
	if got := numbers(p); got != "111111 222222 333333" {
		t.Fatalf("six of a kind, 6 digits: %q", got)
	}
	p = search(services.SearchNiceNumbersInput{Category: services.NiceFourOfAKind, PageSize: &three})
	for _, n := range p.Numbers {
		if !contains(n.Features, services.NiceFourOfAKind) || len(n.Number) != 8 {
			t.Errorf("four of a kind: %+v", n)
		}
	}
	p = search(services.SearchNiceNumbersInput{Category: services.NicePhone, CustomerID: cust})
	if got := numbers(p); got != "712000101 0712000101" {
		t.Fatalf("her phone: %q", got)
	}
	// A whole taken range is skipped over, batch after batch.
	storetest.Exec(t, e.path, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 699)
		INSERT INTO accounts (id, partner_id, customer_id, account_number, name, account_type, currency, status,
			created_at, updated_at, seq, last_activity_at)
		SELECT 900000000 + i, ?, ?, CAST(20000000 + i AS TEXT), 'X', 'CHECKING', 'KES', 'ACTIVE', 0, 0, 5000000 + i, 0 FROM n`,
		e.alpha.PartnerID, mustID(t, cust))
	if got := numbers(search(services.SearchNiceNumbersInput{Pattern: "2000****", PageSize: &three})); got != "20000700 20000701 20000702" {
		t.Fatalf("after 700 taken numbers: %q", got)
	}
	bad := []struct {
		in   services.SearchNiceNumbersInput
		want string
	}{
		{services.SearchNiceNumbersInput{}, "pattern:REQUIRED"},
		{services.SearchNiceNumbersInput{Pattern: "68a8"}, "pattern:INVALID_FORMAT"},
		{services.SearchNiceNumbersInput{Pattern: "6868", Length: &eight}, "pattern:INVALID_VALUE"},
		{services.SearchNiceNumbersInput{Category: "GOLDEN"}, "category:INVALID_VALUE"},
		{services.SearchNiceNumbersInput{Pattern: "*68", Length: &three}, "length:INVALID_VALUE"},
	}
	for _, tt := range bad {
		_, err := e.svc.SearchNiceNumbers(ctx, e.alpha, tt.in)
		if got := join(fieldReasons(err)); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.in, got, tt.want)
		}
	}
}
