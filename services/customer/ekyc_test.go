package customer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
)

// TestValidateEKYC runs the whole set of checks and reports each one, not
// just the first failure.
func TestValidateEKYC(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t) // the clock says 2026-11-21
	e.AddCustomer(t, e.Alpha, banktest.Kenyan("45000001", "+254712000051", "k51@example.com"))
	if _, err := e.Bank.Customers.UpdateBlacklist(ctx, banktest.With(e.Alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		PhoneNumber: "+84987000222", Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	good := func() customer.ValidateEKYCInput {
		return customer.ValidateEKYCInput{FirstName: "An", LastName: "Nguyen", DOB: "19840506", Gender: "MALE",
			Identification: customer.EKYCDocument{Type: "CCCD", Number: "087084000999", IssueDate: "20210101", ExpiryDate: "20440506"},
			PhoneNumber:    "+84912345678"}
	}
	tests := []struct {
		name   string
		change func(*customer.ValidateEKYCInput)
		failed string // "CHECK:PROBLEM ..." for every failed check
	}{
		{"everything right", func(*customer.ValidateEKYCInput) {}, ""},
		{"17 years and 364 days old", func(in *customer.ValidateEKYCInput) {
			in.DOB, in.Identification = "20081122", customer.EKYCDocument{Type: "CCCD", Number: "087208000999", IssueDate: "20240101"}
		}, "AGE:UNDER_AGE"},
		{"18 today", func(in *customer.ValidateEKYCInput) {
			in.DOB, in.Identification = "20081121", customer.EKYCDocument{Type: "CCCD", Number: "087208000999", IssueDate: "20240101"}
		}, ""},
		{"expired card of another birth year, a landline, all at once", func(in *customer.ValidateEKYCInput) {
			in.DOB, in.Identification.ExpiryDate, in.PhoneNumber = "19850506", "20240506", "+842838123456"
		}, "DOCUMENT:HOLDER_MISMATCH DOCUMENT:EXPIRED PHONE:NOT_A_MOBILE_NUMBER"},
		{"card issued in the future", func(in *customer.ValidateEKYCInput) { in.Identification.IssueDate = "20270101" }, "DOCUMENT:NOT_YET_ISSUED"},
		{"blacklisted phone", func(in *customer.ValidateEKYCInput) { in.PhoneNumber = "0987000222"; in.Country = "VN" }, "NOT_BLACKLISTED:BLACKLISTED"},
		{"already a customer by ID and by phone", func(in *customer.ValidateEKYCInput) {
			in.Identification = customer.EKYCDocument{Type: "101", Number: "45000001"}
			in.PhoneNumber = "+254712000051"
		}, "NOT_ALREADY_A_CUSTOMER:ALREADY_A_CUSTOMER NOT_ALREADY_A_CUSTOMER:ALREADY_A_CUSTOMER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good()
			tt.change(&in)
			res, err := e.Bank.Customers.ValidateEKYC(ctx, e.Alpha, in)
			if err != nil {
				t.Fatal(err)
			}
			var failed []string
			names := []string{}
			for _, c := range res.Checks {
				names = append(names, c.Name)
				if c.Passed != (len(c.Problems) == 0) {
					t.Errorf("check %s: passed %v with problems %+v", c.Name, c.Passed, c.Problems)
				}
				for _, p := range c.Problems {
					failed = append(failed, c.Name+":"+p.Code)
				}
			}
			if strings.Join(names, " ") != "AGE DOCUMENT PHONE NOT_BLACKLISTED NOT_ALREADY_A_CUSTOMER" {
				t.Fatalf("checks %v: every check must be reported", names)
			}
			if got := strings.Join(failed, " "); got != tt.failed || res.Passed != (tt.failed == "") {
				t.Fatalf("passed %v, failed %q; want %q", res.Passed, got, tt.failed)
			}
		})
	}
	// The minimum age is a setting.
	e15 := banktest.NewLifecycle(t, func(s *bank.Settings) { s.MinEKYCAge = 15 })
	in := good()
	in.DOB, in.Identification = "20100101", customer.EKYCDocument{Type: "CCCD", Number: "087210000999"}
	if res, err := e15.Bank.Customers.ValidateEKYC(ctx, e15.Alpha, in); err != nil || !res.Passed {
		t.Fatalf("16 years old with a minimum of 15: %+v, %v", res, err)
	}
	bad := []struct {
		change func(*customer.ValidateEKYCInput)
		want   string
	}{
		{func(in *customer.ValidateEKYCInput) { in.DOB = "" }, "DOB:REQUIRED"},
		{func(in *customer.ValidateEKYCInput) { in.Identification.Type = "SSN" }, "identification.type:INVALID_VALUE"},
		{func(in *customer.ValidateEKYCInput) { in.Identification.ExpiryDate = "2044" }, "identification.expiryDate:INVALID_FORMAT"},
		{func(in *customer.ValidateEKYCInput) { in.PhoneNumber, in.FirstName = "", "" }, "firstName:REQUIRED phoneNumber:REQUIRED"},
	}
	for _, tt := range bad {
		in := good()
		tt.change(&in)
		_, err := e.Bank.Customers.ValidateEKYC(ctx, e.Alpha, in)
		if got := banktest.Join(banktest.FieldReasons(err)); got != tt.want {
			t.Errorf("%+v: %q, want %q", in, got, tt.want)
		}
	}
}
