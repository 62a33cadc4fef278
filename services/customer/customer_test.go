package customer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
)

func TestAddCustomerValidation(t *testing.T) {
	business := func() customer.AddCustomerInput {
		return customer.AddCustomerInput{Type: "BUSINESS", BusinessNameLegal: "Choice Microfinance Bank", DateEstablished: "20100301",
			Identification: []customer.Identification{{Type: "KRA_PIN", Value: "P051234567Q"}},
			Contact:        customer.Contact{Email: "ops@choice.example"}}
	}
	tests := []struct {
		name   string
		mutate func(*customer.AddCustomerInput)
		base   func() customer.AddCustomerInput
		want   string // sorted field:REASON list; "" means valid
	}{
		{name: "valid individual", mutate: func(*customer.AddCustomerInput) {}},
		{name: "valid business", base: business, mutate: func(*customer.AddCustomerInput) {}},
		{name: "nothing given", mutate: func(in *customer.AddCustomerInput) { *in = customer.AddCustomerInput{} },
			want: "contact:REQUIRED type:REQUIRED"},
		{name: "unknown type", mutate: func(in *customer.AddCustomerInput) { in.Type = "PERSON" }, want: "type:INVALID_VALUE"},
		{name: "individual without names and DOB", mutate: func(in *customer.AddCustomerInput) { in.FirstName, in.LastName, in.DOB = "", " ", "" },
			want: "DOB:REQUIRED firstName:REQUIRED lastName:REQUIRED"},
		{name: "DOB not a date", mutate: func(in *customer.AddCustomerInput) { in.DOB = "19850230" }, want: "DOB:INVALID_FORMAT"},
		{name: "DOB in another layout", mutate: func(in *customer.AddCustomerInput) { in.DOB = "1985-04-12" }, want: "DOB:INVALID_FORMAT"},
		{name: "DOB in the future", mutate: func(in *customer.AddCustomerInput) { in.DOB = "20270101" }, want: "DOB:FUTURE_DATE"},
		{name: "DOB before 1900", mutate: func(in *customer.AddCustomerInput) { in.DOB = "18991231" }, want: "DOB:INVALID_VALUE"},
		{name: "bad gender", mutate: func(in *customer.AddCustomerInput) { in.Gender = "M" }, want: "gender:INVALID_VALUE"},
		{name: "bad e-mail", mutate: func(in *customer.AddCustomerInput) { in.Contact.Email = "dave@@example" }, want: "contact.email:INVALID_FORMAT"},
		{name: "e-mail with a name", mutate: func(in *customer.AddCustomerInput) { in.Contact.Email = "Dave <dave@example.com>" }, want: "contact.email:INVALID_FORMAT"},
		{name: "phone not a number", mutate: func(in *customer.AddCustomerInput) { in.Contact.PhoneNumber = "+1202555" }, want: "contact.phoneNumber:INVALID_FORMAT"},
		{name: "national phone in the default region", mutate: func(in *customer.AddCustomerInput) { in.Contact.PhoneNumber = "0912345678" }},
		{name: "no contact at all", mutate: func(in *customer.AddCustomerInput) { in.Contact = customer.Contact{} }, want: "contact:REQUIRED"},
		{name: "no identification", mutate: func(in *customer.AddCustomerInput) { in.Identification = nil }, want: "identification:REQUIRED"},
		{name: "identification without value", mutate: func(in *customer.AddCustomerInput) { in.Identification[0].Value = "" }, want: "identification[0].value:REQUIRED"},
		{name: "SSN that cannot be issued", mutate: func(in *customer.AddCustomerInput) { in.Identification[0].Value = "666-12-3456" }, want: "identification[0].value:INVALID_FORMAT"},
		{name: "business document on a person", mutate: func(in *customer.AddCustomerInput) { in.Identification[0].Type = "EIN" }, want: "identification[0].type:INVALID_VALUE"},
		{name: "two documents of a type", mutate: func(in *customer.AddCustomerInput) {
			in.Identification = append(in.Identification, customer.Identification{Type: "SSN", Value: "234-56-7890"})
		}, want: "identification[1].type:DUPLICATE_FIELD"},
		{name: "CCCD that agrees", mutate: func(in *customer.AddCustomerInput) {
			in.Identification = []customer.Identification{{Type: "CCCD", Value: "079085000999"}}
		}},
		{name: "CCCD born another year", mutate: func(in *customer.AddCustomerInput) {
			in.Identification = []customer.Identification{{Type: "CCCD", Value: "079090000999"}}
		}, want: "identification[0].value:INVALID_VALUE"},
		{name: "CCCD of a woman for a man", mutate: func(in *customer.AddCustomerInput) {
			in.Identification = []customer.Identification{{Type: "CCCD", Value: "079185000999"}}
		}, want: "identification[0].value:INVALID_VALUE"},
		{name: "CCCD with no such province", mutate: func(in *customer.AddCustomerInput) {
			in.Identification = []customer.Identification{{Type: "CCCD", Value: "003085000999"}}
		}, want: "identification[0].value:INVALID_FORMAT"},
		{name: "person with a business KRA PIN", mutate: func(in *customer.AddCustomerInput) {
			in.Identification = []customer.Identification{{Type: "KRA_PIN", Value: "P051234567Q"}}
		}, want: "identification[0].value:INVALID_VALUE"},
		{name: "business fields on a person", mutate: func(in *customer.AddCustomerInput) { in.BusinessNameLegal = "Acme" }, want: "businessNameLegal:NOT_ALLOWED"},
		{name: "person fields on a business", base: business, mutate: func(in *customer.AddCustomerInput) { in.FirstName, in.DOB = "Dave", "19850412" },
			want: "DOB:NOT_ALLOWED firstName:NOT_ALLOWED"},
		{name: "business without name and date", base: business, mutate: func(in *customer.AddCustomerInput) { in.BusinessNameLegal, in.DateEstablished = "", "" },
			want: "businessNameLegal:REQUIRED dateEstablished:REQUIRED"},
		{name: "business established tomorrow", base: business, mutate: func(in *customer.AddCustomerInput) { in.DateEstablished = "20261122" }, want: "dateEstablished:FUTURE_DATE"},
		{name: "business with a passport", base: business, mutate: func(in *customer.AddCustomerInput) { in.Identification[0].Type = "PASSPORT" }, want: "identification[0].type:INVALID_VALUE"},
		{name: "bad country", mutate: func(in *customer.AddCustomerInput) { in.Address.Country = "USA" }, want: "address.country:INVALID_VALUE"},
		{name: "name too long", mutate: func(in *customer.AddCustomerInput) { in.FirstName = strings.Repeat("ă", 141) }, want: "firstName:TOO_LONG"},
		{name: "name with a control character", mutate: func(in *customer.AddCustomerInput) { in.LastName = "Mil\x00ler" }, want: "lastName:INVALID_FORMAT"},
		{name: "name of a zero-width space", mutate: func(in *customer.AddCustomerInput) { in.FirstName = "\u200b" }, want: "firstName:INVALID_FORMAT"},
		{name: "name with a right-to-left override", mutate: func(in *customer.AddCustomerInput) { in.LastName = "\u202eMiller" }, want: "lastName:INVALID_FORMAT"},
		{name: "Vietnamese name", mutate: func(in *customer.AddCustomerInput) { in.FirstName, in.LastName = "Nguyễn Văn", "Ân" }},
		{name: "alien ID with letters", mutate: func(in *customer.AddCustomerInput) {
			in.Identification = []customer.Identification{{Type: "ALIEN_ID", Value: "ABCDE"}}
		}, want: "identification[0].value:INVALID_FORMAT"},
		{name: "every problem at once", mutate: func(in *customer.AddCustomerInput) {
			in.DOB, in.Contact.Email, in.Contact.PhoneNumber, in.Identification[0].Value = "2099", "x", "12", "1"
		}, want: "DOB:INVALID_FORMAT contact.email:INVALID_FORMAT contact.phoneNumber:INVALID_FORMAT identification[0].value:INVALID_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := banktest.New(t)
			base := banktest.Dave
			if tt.base != nil {
				base = tt.base
			}
			in := base()
			tt.mutate(&in)
			_, err := e.Bank.Customers.AddCustomer(context.Background(), banktest.With(e.Alpha, "CustomerService.AddCustomer", ""), in)
			if got := banktest.Join(banktest.FieldReasons(err)); got != tt.want {
				t.Fatalf("field errors = %q, want %q (err %v)", got, tt.want, err)
			}
			if tt.want == "" && err != nil {
				t.Fatalf("valid customer refused: %v", err)
			}
		})
	}
}

func TestAddCustomerConflicts(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	call := banktest.With(e.Alpha, "CustomerService.AddCustomer", "")
	if _, err := e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		call   services.Call
		mutate func(*customer.AddCustomerInput)
		want   error
	}{
		{"same SSN written another way", call, func(in *customer.AddCustomerInput) {
			in.Identification[0].Value = "123456789"
			in.Contact = customer.Contact{Email: "other@example.com"}
		}, customer.ErrIdentificationExists},
		{"same e-mail in capitals", call, func(in *customer.AddCustomerInput) {
			in.Identification[0].Value = "234-56-7890"
			in.Contact = customer.Contact{Email: "DAVE.MILLER@example.com"}
		}, customer.ErrEmailExists},
		{"same phone written nationally", call, func(in *customer.AddCustomerInput) {
			in.Identification[0].Value = "234-56-7890"
			in.Contact = customer.Contact{PhoneNumber: "+1 (202) 555-0142"}
		}, customer.ErrPhoneExists},
		{"everything the same at another partner", banktest.With(e.Beta, "CustomerService.AddCustomer", ""), func(*customer.AddCustomerInput) {}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := banktest.Dave()
			tt.mutate(&in)
			_, err := e.Bank.Customers.AddCustomer(ctx, tt.call, in)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestGetCustomer(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	add := banktest.With(e.Alpha, "CustomerService.AddCustomer", "")
	in := banktest.Dave()
	in.Contact.PhoneNumber = "+84912345678"
	res, err := e.Bank.Customers.AddCustomer(ctx, add, in)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := e.Bank.Accounts.AddAccount(ctx, banktest.With(e.Alpha, "CustomerService.AddAccount", ""), account.AddAccountInput{CustomerID: res.ID, Name: "DAVE", AccountType: "CHECKING", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call services.Call
		in   account.GetCustomerInput
		want error
	}{
		{"by ID", e.Alpha, account.GetCustomerInput{ID: res.ID}, nil},
		{"by customer number", e.Alpha, account.GetCustomerInput{CustomerNumber: res.CustomerNumber}, nil},
		{"by e-mail in other case", e.Alpha, account.GetCustomerInput{Contact: customer.Contact{Email: "Dave.Miller@Example.com"}}, nil},
		{"by national phone", e.Alpha, account.GetCustomerInput{Contact: customer.Contact{PhoneNumber: "0912 345 678"}}, nil},
		{"by identification with dashes", e.Alpha, account.GetCustomerInput{Identification: &customer.Identification{Type: "SSN", Value: "123-45-6789"}}, nil},
		{"by ID at another partner", e.Beta, account.GetCustomerInput{ID: res.ID}, customer.ErrCustomerNotFound},
		{"unknown number", e.Alpha, account.GetCustomerInput{CustomerNumber: "000000000000"}, customer.ErrCustomerNotFound},
		{"two criteria", e.Alpha, account.GetCustomerInput{ID: res.ID, CustomerNumber: res.CustomerNumber}, services.ErrInvalidInput},
		{"e-mail and phone", e.Alpha, account.GetCustomerInput{Contact: customer.Contact{Email: "a@b.co", PhoneNumber: "+84912345678"}}, services.ErrInvalidInput},
		{"no criterion", e.Alpha, account.GetCustomerInput{}, services.ErrInvalidInput},
		{"ID not numeric", e.Alpha, account.GetCustomerInput{ID: "12a"}, services.ErrInvalidInput},
		{"ID with a leading zero", e.Alpha, account.GetCustomerInput{ID: "0" + res.ID}, services.ErrInvalidInput},
		{"only spaces", e.Alpha, account.GetCustomerInput{CustomerNumber: "  ", Contact: customer.Contact{Email: " "}}, services.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Bank.Accounts.GetCustomer(ctx, tt.call, tt.in)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				return
			}
			if got.ID != res.ID || got.DOB != "19850412" || got.Contact.PhoneNumber != "+84912345678" ||
				len(got.Accounts) != 1 || got.Accounts[0].AccountID != acc.AccountNumber || got.Identification[0].Value != "123456789" {
				t.Fatalf("got %+v", got)
			}
		})
	}
}
