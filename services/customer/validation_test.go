package customer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
)

func problemCodes(ps []services.Problem) string {
	codes := make([]string, len(ps))
	for i, p := range ps {
		codes[i] = p.Code
	}
	return strings.Join(codes, " ")
}

// TestValidateLegalID: real checks, every problem listed, what a CCCD reads,
// and whether the document is a customer's or blacklisted.
func TestValidateLegalID(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t) // the clock says 2026-11-21
	e.AddCustomer(t, e.Alpha, banktest.Kenyan("43000001", "+254712000031", "v@example.com"))
	if _, err := e.Bank.Customers.UpdateBlacklist(ctx, banktest.With(e.Alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		Identification: &customer.Identification{Type: "CCCD", Value: "079190000001"}, Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		in       customer.ValidateLegalIDInput
		valid    bool
		problems string
		read     *customer.LegalIDReading
	}{
		{"CCCD agreeing with DOB and gender", customer.ValidateLegalIDInput{Type: "CCCD", Number: "087084000999", DOB: "19840506", Gender: "MALE", IssueDate: "20210101", ExpiryDate: "20440506"},
			true, "", &customer.LegalIDReading{ProvinceCode: "087", Sex: "MALE", BirthYear: 1984}},
		{"CCCD of a woman born in 2001", customer.ValidateLegalIDInput{Type: "cccd", Number: "001301123456"},
			true, "", &customer.LegalIDReading{ProvinceCode: "001", Sex: "FEMALE", BirthYear: 2001}},
		{"CCCD with another birth year", customer.ValidateLegalIDInput{Type: "CCCD", Number: "087084000999", DOB: "19850506"},
			false, "HOLDER_MISMATCH", &customer.LegalIDReading{ProvinceCode: "087", Sex: "MALE", BirthYear: 1984}},
		{"CCCD with the other sex", customer.ValidateLegalIDInput{Type: "CCCD", Number: "087084000999", Gender: "FEMALE"},
			false, "HOLDER_MISMATCH", &customer.LegalIDReading{ProvinceCode: "087", Sex: "MALE", BirthYear: 1984}},
		{"CCCD of no province", customer.ValidateLegalIDInput{Type: "CCCD", Number: "003084000999"}, false, "INVALID_FORMAT", nil},
		{"CCCD too short", customer.ValidateLegalIDInput{Type: "CCCD", Number: "08708400099"}, false, "INVALID_FORMAT", nil},
		{"expired and mismatched: every problem", customer.ValidateLegalIDInput{Type: "CCCD", Number: "087084000999", DOB: "19900101", IssueDate: "20100101", ExpiryDate: "20200101"},
			false, "HOLDER_MISMATCH EXPIRED", &customer.LegalIDReading{ProvinceCode: "087", Sex: "MALE", BirthYear: 1984}},
		{"issued in the future", customer.ValidateLegalIDInput{Type: "CMND", Number: "123456789", IssueDate: "20300101"}, false, "NOT_YET_ISSUED", nil},
		{"issued before birth", customer.ValidateLegalIDInput{Type: "CMND", Number: "123456789", DOB: "19900101", IssueDate: "19850101"}, false, "DATES_INCONSISTENT", nil},
		{"CMND of 12 digits", customer.ValidateLegalIDInput{Type: "CMND", Number: "123456789012"}, true, "", nil},
		{"passport", customer.ValidateLegalIDInput{Type: "PASSPORT", Number: "b1234567"}, true, "", nil},
		{"Kenyan 101 held by a customer", customer.ValidateLegalIDInput{Type: "101", Number: "43000001"}, false, "ALREADY_A_CUSTOMER", nil},
		{"Kenyan 102", customer.ValidateLegalIDInput{Type: "102", Number: "1234567"}, true, "", nil},
		{"Kenyan 102 too long", customer.ValidateLegalIDInput{Type: "102", Number: "1234567890"}, false, "INVALID_FORMAT", nil},
		{"blacklisted CCCD", customer.ValidateLegalIDInput{Type: "CCCD", Number: "079190000001"}, false, "BLACKLISTED",
			&customer.LegalIDReading{ProvinceCode: "079", Sex: "FEMALE", BirthYear: 1990}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.Bank.Customers.ValidateLegalID(ctx, e.Alpha, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid != tt.valid || problemCodes(res.Problems) != tt.problems {
				t.Fatalf("valid %v problems %q (%+v), want %v %q", res.Valid, problemCodes(res.Problems), res.Problems, tt.valid, tt.problems)
			}
			if (res.Read == nil) != (tt.read == nil) || (res.Read != nil && *res.Read != *tt.read) {
				t.Fatalf("read %+v, want %+v", res.Read, tt.read)
			}
		})
	}
	// Another partner's customer and blacklist do not count.
	res, err := e.Bank.Customers.ValidateLegalID(ctx, e.Beta, customer.ValidateLegalIDInput{Type: "101", Number: "43000001"})
	if err != nil || !res.Valid {
		t.Fatalf("for another partner: %+v, %v", res, err)
	}
	bad := []struct {
		in   customer.ValidateLegalIDInput
		want string
	}{
		{customer.ValidateLegalIDInput{Number: "123456789"}, "type:REQUIRED"},
		{customer.ValidateLegalIDInput{Type: "SSN", Number: "123456789"}, "type:INVALID_VALUE"},
		{customer.ValidateLegalIDInput{Type: "CMND"}, "number:REQUIRED"},
		{customer.ValidateLegalIDInput{Type: "CMND", Number: "123456789", DOB: "1990-01-01", ExpiryDate: "20xx0101"}, "DOB:INVALID_FORMAT expiryDate:INVALID_FORMAT"},
	}
	for _, tt := range bad {
		_, err := e.Bank.Customers.ValidateLegalID(ctx, e.Alpha, tt.in)
		if got := banktest.Join(banktest.FieldReasons(err)); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestValidatePhoneNumber: E.164, country, carrier and line type for VN, KE
// and ID numbers, the allow-listed ranges, and customers and blacklist.
func TestValidatePhoneNumber(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	e.AddCustomer(t, e.Alpha, banktest.Kenyan("44000001", "+254712000041", "p41@example.com"))
	if _, err := e.Bank.Customers.UpdateBlacklist(ctx, banktest.With(e.Alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		PhoneNumber: "+84987000111", Action: "ADD", Reason: "SIM swap"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                         string
		in                           customer.ValidatePhoneNumberInput
		valid                        bool
		e164, country, carrier, line string
		problems                     string
	}{
		{"Vinaphone, national with country", customer.ValidatePhoneNumberInput{PhoneNumber: "0912 345 678", Country: "vn"}, true, "+84912345678", "VN", "Vinaphone", "MOBILE", ""},
		{"Viettel, international", customer.ValidatePhoneNumberInput{PhoneNumber: "+84 96 123 4567"}, true, "+84961234567", "VN", "Viettel", "MOBILE", ""},
		{"Wintel 055 from the allow-list", customer.ValidatePhoneNumberInput{PhoneNumber: "0551234567", Country: "VN"}, true, "+84551234567", "VN", "Wintel", "MOBILE", ""},
		{"Safaricom", customer.ValidatePhoneNumberInput{PhoneNumber: "0722 000 111", Country: "KE"}, true, "+254722000111", "KE", "Safaricom", "MOBILE", ""},
		{"Telkomsel", customer.ValidatePhoneNumberInput{PhoneNumber: "+62 812 3456 7890"}, true, "+6281234567890", "ID", "Telkomsel", "MOBILE", ""},
		{"a Ho Chi Minh City landline", customer.ValidatePhoneNumberInput{PhoneNumber: "+84 28 3812 3456"}, false, "+842838123456", "VN", "", "FIXED_LINE", "NOT_A_MOBILE_NUMBER"},
		{"a Kenyan number said to be Vietnamese", customer.ValidatePhoneNumberInput{PhoneNumber: "+254722000111", Country: "VN"}, false, "+254722000111", "KE", "Safaricom", "MOBILE", "WRONG_COUNTRY"},
		{"a customer's number", customer.ValidatePhoneNumberInput{PhoneNumber: "+254712000041"}, false, "+254712000041", "KE", "Safaricom", "MOBILE", "ALREADY_A_CUSTOMER"},
		{"blacklisted", customer.ValidatePhoneNumberInput{PhoneNumber: "0987000111", Country: "VN"}, false, "+84987000111", "VN", "Viettel", "MOBILE", "BLACKLISTED"},
		{"national, read in bank.phone_region (VN)", customer.ValidatePhoneNumberInput{PhoneNumber: "0912345678"}, true, "+84912345678", "VN", "Vinaphone", "MOBILE", ""},
		{"not a number", customer.ValidatePhoneNumberInput{PhoneNumber: "call me"}, false, "", "", "", "", "INVALID_FORMAT"},
		{"too few digits", customer.ValidatePhoneNumberInput{PhoneNumber: "+84 91234"}, false, "", "VN", "", "", "INVALID_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Bank.Customers.ValidatePhoneNumber(ctx, e.Alpha, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{r.E164, r.Country, r.Carrier, r.LineType, problemCodes(r.Problems)}
			want := []string{tt.e164, tt.country, tt.carrier, tt.line, tt.problems}
			if r.Valid != tt.valid || strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("valid %v %q, want %v %q", r.Valid, got, tt.valid, want)
			}
		})
	}
	for in, want := range map[customer.ValidatePhoneNumberInput]string{
		{}: "phoneNumber:REQUIRED",
		{PhoneNumber: "0912345678", Country: "XX"}: "country:INVALID_VALUE",
	} {
		_, err := e.Bank.Customers.ValidatePhoneNumber(ctx, e.Alpha, in)
		if got := banktest.Join(banktest.FieldReasons(err)); got != want {
			t.Errorf("%+v: %q, want %q", in, got, want)
		}
	}
}
