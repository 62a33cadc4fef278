package nice_test

import (
	"context"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

// BenchmarkSearchNiceNumbers searches with a million rows in the way:
// 600,000 accounts and 400,000 holds on 8-digit numbers starting with 1 (a
// number in three of the first 3,000,000 is free). Run with
//
//	go test -run '^$' -bench SearchNiceNumbers -benchtime 200x ./services/
//
// (ACCOUNTD_TEST_DRIVER=postgres for PostgreSQL); the setup takes a while.
// The "worst" cases are the most expensive calls a partner can make.
func BenchmarkSearchNiceNumbers(b *testing.B) {
	ctx := context.Background()
	st, dsn := storetest.OpenDSN(b)
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399"})
	partners := partner.NewPartners(st, nil)
	if _, err := partners.CreateKey(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	p, _ := partners.FindPartner(ctx, "bench")
	call := services.Call{PartnerID: p.ID}
	c, err := svc.Customers.AddCustomer(ctx, call, customer.AddCustomerInput{Type: "INDIVIDUAL", FirstName: "B", LastName: "M", DOB: "19800101",
		Identification: []customer.Identification{{Type: "PASSPORT", Value: "B1234567"}}, Contact: customer.Contact{PhoneNumber: "+84912345678"}})
	if err != nil {
		b.Fatal(err)
	}
	storetest.FillTakenNumbers(b, dsn, p.ID, banktest.MustID(b, c.ID))
	twenty, eight := 20, 8
	for _, tt := range []struct {
		name string
		in   nice.SearchNiceNumbersInput
	}{
		{"pattern *6868", nice.SearchNiceNumbersInput{Pattern: "*6868", Length: &eight, PageSize: &twenty}},
		{"pattern 1*****39 page 50", nice.SearchNiceNumbersInput{Pattern: "1*****39", PageSize: &twenty, PageNumber: banktest.IntPtr(50)}},
		{"category FOUR_OF_A_KIND", nice.SearchNiceNumbersInput{Category: nice.NiceFourOfAKind, PageSize: &twenty}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				page, err := svc.Nice.SearchNiceNumbers(ctx, call, tt.in)
				if err != nil || len(page.Numbers) != 20 {
					b.Fatalf("%+v, %v", page, err)
				}
			}
		})
	}
	// The worst cases: as many candidates as a call may examine, each
	// looked up in the million rows. They end in a partial page, a
	// truncated one or a refusal of the depth; each is reported.
	for _, tt := range []struct {
		name string
		in   nice.SearchNiceNumbersInput
	}{
		{"worst ******** page 10000 of 100", nice.SearchNiceNumbersInput{Pattern: "********", PageSize: banktest.IntPtr(100), PageNumber: banktest.IntPtr(10000)}},
		{"worst ******** deepest allowed page of 100", nice.SearchNiceNumbersInput{Pattern: "********", PageSize: banktest.IntPtr(100), PageNumber: banktest.IntPtr(deepestPage(100))}},
		{"worst 1******5 every candidate taken", nice.SearchNiceNumbersInput{Pattern: "1******5", PageSize: banktest.IntPtr(100)}},
		{"worst ************ MIRROR", nice.SearchNiceNumbersInput{Pattern: "************", Category: nice.NiceMirror, PageSize: banktest.IntPtr(100), PageNumber: banktest.IntPtr(deepestPage(100))}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var page nice.NiceNumberPage
			var err error
			for b.Loop() {
				page, err = svc.Nice.SearchNiceNumbers(ctx, call, tt.in)
			}
			b.Logf("%d numbers, hasMore %v, truncated %v, %v", len(page.Numbers), page.HasMore, page.Truncated, err)
		})
	}
}

// deepestPage is the last page of size the search allows.
func deepestPage(size int) int { return nice.DefaultNiceMaxSearchDepth / size }
