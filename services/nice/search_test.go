package nice_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/store/storetest"
)

// TestSearchNiceNumbers: numbers generated from a pattern or a category,
// in order, without the taken, held or reserved ones, page by page.
func TestSearchNiceNumbers(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t, func(s *bank.Settings) { s.NiceReserved = map[string]bool{"10026868": true} })
	cust := e.AddCustomer(t, e.Alpha, banktest.Kenyan("50000001", "+254712000101", "s101@example.com"))
	if _, err := e.Bank.Nice.HoldNiceNumber(ctx, e.Alpha, nice.HoldNiceNumberInput{Number: "10016868", CustomerID: cust}); err != nil {
		t.Fatal(err)
	}
	search := func(in nice.SearchNiceNumbersInput) nice.NiceNumberPage {
		t.Helper()
		p, err := e.Bank.Nice.SearchNiceNumbers(ctx, e.Alpha, in)
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		return p
	}
	numbers := func(p nice.NiceNumberPage) string {
		var out []string
		for _, n := range p.Numbers {
			out = append(out, n.Number)
		}
		return strings.Join(out, " ")
	}
	eight, three := 8, 3
	p := search(nice.SearchNiceNumbersInput{Pattern: "*6868", Length: &eight, PageSize: &three})
	if got := numbers(p); got != "10006868 10036868 10046868" || !p.HasMore {
		t.Fatalf("*6868: %q hasMore %v; want held 10016868 and reserved 10026868 left out", got, p.HasMore)
	}
	for _, n := range p.Numbers {
		if n.Category != nice.NiceRepeatedPairs && n.Category != nice.NiceFourOfAKind || !n.Available || n.Status != nice.NiceAvailable {
			t.Errorf("%+v", n)
		}
	}
	two := 2
	if got := numbers(search(nice.SearchNiceNumbersInput{Pattern: "*6868", Length: &eight, PageSize: &three, PageNumber: &two})); got != "10056868 10066868 10076868" {
		t.Fatalf("page 2: %q", got)
	}
	if got := numbers(search(nice.SearchNiceNumbersInput{Pattern: "09**39**79", PageSize: &three})); got != "0900390079 0900390179 0900390279" {
		t.Fatalf("09**39**79: %q", got)
	}
	six := 6
	p = search(nice.SearchNiceNumbersInput{Category: "six_of_a_kind", Length: &six, PageSize: &three})
	if got := numbers(p); got != "111111 222222 333333" {
		t.Fatalf("six of a kind, 6 digits: %q", got)
	}
	p = search(nice.SearchNiceNumbersInput{Category: nice.NiceFourOfAKind, PageSize: &three})
	for _, n := range p.Numbers {
		if !slices.Contains(n.Features, nice.NiceFourOfAKind) || len(n.Number) != 8 {
			t.Errorf("four of a kind: %+v", n)
		}
	}
	p = search(nice.SearchNiceNumbersInput{Category: nice.NicePhone, CustomerID: cust})
	if got := numbers(p); got != "712000101 0712000101" {
		t.Fatalf("her phone: %q", got)
	}
	// A whole taken range is skipped over, batch after batch.
	storetest.Exec(t, e.Path, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 699)
		INSERT INTO accounts (id, partner_id, customer_id, account_number, name, account_type, currency, status,
			created_at, updated_at, seq, last_activity_at)
		SELECT 900000000 + i, ?, ?, CAST(20000000 + i AS TEXT), 'X', 'CHECKING', 'KES', 'ACTIVE', 0, 0, 5000000 + i, 0 FROM n`,
		e.Alpha.PartnerID, banktest.MustID(t, cust))
	if got := numbers(search(nice.SearchNiceNumbersInput{Pattern: "2000****", PageSize: &three})); got != "20000700 20000701 20000702" {
		t.Fatalf("after 700 taken numbers: %q", got)
	}
	bad := []struct {
		in   nice.SearchNiceNumbersInput
		want string
	}{
		{nice.SearchNiceNumbersInput{}, "pattern:REQUIRED"},
		{nice.SearchNiceNumbersInput{Pattern: "68a8"}, "pattern:INVALID_FORMAT"},
		{nice.SearchNiceNumbersInput{Pattern: "6868", Length: &eight}, "pattern:INVALID_VALUE"},
		{nice.SearchNiceNumbersInput{Category: "GOLDEN"}, "category:INVALID_VALUE"},
		{nice.SearchNiceNumbersInput{Pattern: "*68", Length: &three}, "length:INVALID_VALUE"},
	}
	for _, tt := range bad {
		_, err := e.Bank.Nice.SearchNiceNumbers(ctx, e.Alpha, tt.in)
		if got := banktest.Join(banktest.FieldReasons(err)); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSearchNiceNumbersBounds: a page deeper than NiceMaxSearchDepth is
// refused naming both paging fields; a search that examines
// NiceMaxSearchCandidates says its page is truncated; a search notices its
// call's context going away between lookups.
func TestSearchNiceNumbersBounds(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t, func(s *bank.Settings) { s.NiceMaxSearchDepth, s.NiceMaxSearchCandidates = 60, 750 })
	cust := e.AddCustomer(t, e.Alpha, banktest.Kenyan("50000002", "+254712000102", "s102@example.com"))
	// 20000000 to 20000699 are taken: the first 700 candidates of 2000****.
	storetest.Exec(t, e.Path, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 699)
		INSERT INTO accounts (id, partner_id, customer_id, account_number, name, account_type, currency, status,
			created_at, updated_at, seq, last_activity_at)
		SELECT 900000000 + i, ?, ?, CAST(20000000 + i AS TEXT), 'X', 'CHECKING', 'KES', 'ACTIVE', 0, 0, 5000000 + i, 0 FROM n`,
		e.Alpha.PartnerID, banktest.MustID(t, cust))
	three := 3
	tests := []struct {
		name      string
		in        nice.SearchNiceNumbersInput
		want      string // the numbers, or the refused fields
		hasMore   bool
		truncated bool
	}{
		{"the first page, 704 candidates", nice.SearchNiceNumbersInput{Pattern: "2000****", PageSize: &three},
			"20000700 20000701 20000702", true, false},
		{"page 16, 749 candidates", nice.SearchNiceNumbersInput{Pattern: "2000****", PageSize: &three, PageNumber: banktest.IntPtr(16)},
			"20000745 20000746 20000747", true, false},
		{"page 17 runs out of candidates", nice.SearchNiceNumbersInput{Pattern: "2000****", PageSize: &three, PageNumber: banktest.IntPtr(17)},
			"20000748 20000749", false, true},
		{"page 20 finds none within the limit", nice.SearchNiceNumbersInput{Pattern: "2000****", PageSize: &three, PageNumber: banktest.IntPtr(20)},
			"", false, true},
		{"every candidate examined counts, matching or not", nice.SearchNiceNumbersInput{Pattern: "2*******", Category: nice.NiceSixOfAKind},
			"", false, true},
		{"the candidates run out first", nice.SearchNiceNumbersInput{Pattern: "2000075*", PageSize: &three, PageNumber: banktest.IntPtr(4)},
			"20000759", false, false},
		{"page 21 of 3 is too deep", nice.SearchNiceNumbersInput{Pattern: "2000****", PageSize: &three, PageNumber: banktest.IntPtr(21)},
			"pageNumber:INVALID_VALUE pageSize:INVALID_VALUE", false, false},
		{"page 1 of 61 is too deep", nice.SearchNiceNumbersInput{Pattern: "2000****", PageSize: banktest.IntPtr(61)},
			"pageNumber:INVALID_VALUE pageSize:INVALID_VALUE", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := e.Bank.Nice.SearchNiceNumbers(ctx, e.Alpha, tt.in)
			if fields := banktest.FieldReasons(err); fields != nil {
				if got := banktest.Join(fields); got != tt.want {
					t.Fatalf("refused %q, want %q", got, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range p.Numbers {
				got = append(got, n.Number)
			}
			if banktest.Join(got) != tt.want || p.HasMore != tt.hasMore || p.Truncated != tt.truncated {
				t.Fatalf("%q hasMore %v truncated %v; want %q, %v, %v", banktest.Join(got), p.HasMore, p.Truncated, tt.want, tt.hasMore, tt.truncated)
			}
		})
	}
	// No candidate of 2********** has the birthday of a search without a
	// customer: nothing is looked up, and only the candidate loop itself
	// can notice that the call has gone.
	e2 := banktest.NewLifecycle(t)
	in := nice.SearchNiceNumbersInput{Pattern: "2***********", Category: nice.NiceBirthday}
	if p, err := e2.Bank.Nice.SearchNiceNumbers(ctx, e2.Alpha, in); err != nil || !p.Truncated {
		t.Fatalf("%+v, %v; want a truncated empty page", p, err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e2.Bank.Nice.SearchNiceNumbers(gone, e2.Alpha, in); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
