package services_test

import (
	"context"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store/storetest"
)

// BenchmarkSearchNiceNumbers searches with a million rows in the way:
// 600,000 accounts and 400,000 holds on 8-digit numbers starting with 1 (a
// number in three of the first 3,000,000 is free). Run with
//
//	go test -run '^$' -bench SearchNiceNumbers -benchtime 200x ./services/
//
// (ACCOUNTD_TEST_DRIVER=postgres for PostgreSQL); the setup takes a while.
func BenchmarkSearchNiceNumbers(b *testing.B) {
	ctx := context.Background()
	st, dsn := storetest.OpenDSN(b)
	svc := services.New(st, services.Settings{InstitutionID: "101115399"})
	partners := services.NewPartners(st, nil)
	if _, err := partners.CreateKey(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	p, _ := partners.FindPartner(ctx, "bench")
	call := services.Call{PartnerID: p.ID}
	c, err := svc.AddCustomer(ctx, call, services.AddCustomerInput{Type: "INDIVIDUAL", FirstName: "B", LastName: "M", DOB: "19800101",
		Identification: []services.Identification{{Type: "PASSPORT", Value: "B1234567"}}, Contact: services.Contact{PhoneNumber: "+84912345678"}})
	if err != nil {
		b.Fatal(err)
	}
	storetest.Exec(b, dsn, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 599999)
		INSERT INTO accounts (id, partner_id, customer_id, account_number, name, account_type, currency, status,
			created_at, updated_at, seq, last_activity_at)
		SELECT 800000000 + i, ?, ?, CAST(10000000 + i * 5 AS TEXT), 'X', 'CHECKING', 'VND', 'ACTIVE', 0, 0, 5000000 + i, 0 FROM n`, p.ID, c.ID)
	storetest.Exec(b, dsn, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 399999)
		INSERT INTO nice_holds (number, partner_id, customer_id, category, fee_minor, currency, key_id, created_at, expires_at)
		SELECT CAST(10000001 + i * 5 AS TEXT), ?, ?, 'ORDINARY', 200000, 'VND', 'k', 0, 9000000000000 FROM n`, p.ID, c.ID)
	if n := storetest.Count(b, dsn, `SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM nice_holds)`); n < 1_000_000 {
		b.Fatalf("%d rows", n)
	}
	twenty, eight := 20, 8
	for _, tt := range []struct {
		name string
		in   services.SearchNiceNumbersInput
	}{
		{"pattern *6868", services.SearchNiceNumbersInput{Pattern: "*6868", Length: &eight, PageSize: &twenty}},
		{"pattern 1*****39 page 50", services.SearchNiceNumbersInput{Pattern: "1*****39", PageSize: &twenty, PageNumber: intp(50)}},
		{"category FOUR_OF_A_KIND", services.SearchNiceNumbersInput{Category: services.NiceFourOfAKind, PageSize: &twenty}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				page, err := svc.SearchNiceNumbers(ctx, call, tt.in)
				if err != nil || len(page.Numbers) != 20 {
					b.Fatalf("%+v, %v", page, err)
				}
			}
		})
	}
}
