package customer_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/store/storetest"
)

// TestBlacklist: a blacklisted identification or phone number cannot
// become a customer; a customer blacklisted by ID cannot open an account;
// REMOVE lifts it; every change is recorded with key, time and reason, and
// another partner's blacklist does not apply.
func TestBlacklist(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	update := func(call services.Call, in customer.UpdateBlacklistInput) customer.BlacklistResult {
		t.Helper()
		res, err := e.Bank.Customers.UpdateBlacklist(ctx, banktest.With(call, "CustomerService.UpdateBlacklist", ""), in)
		if err != nil {
			t.Fatalf("update blacklist %+v: %v", in, err)
		}
		return res
	}
	res := update(e.Alpha, customer.UpdateBlacklistInput{Identification: &customer.Identification{Type: "NATIONAL_ID", Value: " 41000001 "}, Action: "ADD", Reason: "fraud ring"})
	if len(res.Entries) != 1 || res.Entries[0].Value != "NATIONAL_ID:41000001" || !res.Entries[0].Changed {
		t.Fatalf("ADD identification: %+v", res)
	}
	if again := update(e.Alpha, customer.UpdateBlacklistInput{Identification: &customer.Identification{Type: "NATIONAL_ID", Value: "41000001"}, Action: "ADD", Reason: "again"}); again.Entries[0].Changed {
		t.Fatalf("a second ADD changed something: %+v", again)
	}
	update(e.Alpha, customer.UpdateBlacklistInput{PhoneNumber: "+254 712 000 009", Action: "ADD", Reason: "SIM swap"})

	refused := []struct {
		name string
		in   customer.AddCustomerInput
		what string
	}{
		{"blacklisted identification", banktest.Kenyan("41000001", "+254712000011", "a@example.com"), "identification"},
		{"blacklisted phone", banktest.Kenyan("41000002", "+254712000009", "b@example.com"), "phone"},
	}
	for _, tt := range refused {
		_, err := e.Bank.Customers.AddCustomer(ctx, banktest.With(e.Alpha, "CustomerService.AddCustomer", ""), tt.in)
		if !errors.Is(err, customer.ErrBlacklisted) || !strings.Contains(banktest.Refusal(err).Detail, tt.what) || strings.Contains(banktest.Refusal(err).Detail, "4100") {
			t.Errorf("%s: %v, want ErrBlacklisted naming the %s without its value", tt.name, err, tt.what)
		}
	}
	// Another partner's blacklist does not apply.
	e.AddCustomer(t, e.Beta, banktest.Kenyan("41000001", "+254712000009", "c@example.com"))

	id := e.AddCustomer(t, e.Alpha, banktest.Kenyan("41000003", "+254712000013", "d@example.com"))
	res = update(e.Alpha, customer.UpdateBlacklistInput{CustomerID: id, Action: "ADD", Reason: "court order"})
	if len(res.Entries) != 2 {
		t.Fatalf("ADD by customer: %+v, want its document and its phone", res)
	}
	_, err := e.Bank.Accounts.AddAccount(ctx, banktest.With(e.Alpha, "CustomerService.AddAccount", ""), account.AddAccountInput{CustomerID: id, Name: "X", AccountType: "WALLET", Currency: "KES"})
	if !errors.Is(err, customer.ErrBlacklisted) {
		t.Fatalf("account for a blacklisted customer: %v", err)
	}
	e.Clock.Add(time.Hour)
	update(e.Alpha, customer.UpdateBlacklistInput{Identification: &customer.Identification{Type: "NATIONAL_ID", Value: "41000003"}, Action: "REMOVE", Reason: "cleared"})
	_, err = e.Bank.Accounts.AddAccount(ctx, banktest.With(e.Alpha, "CustomerService.AddAccount", ""), account.AddAccountInput{CustomerID: id, Name: "X", AccountType: "WALLET", Currency: "KES"})
	if !errors.Is(err, customer.ErrBlacklisted) {
		t.Fatalf("the phone is still blacklisted: %v", err)
	}
	update(e.Alpha, customer.UpdateBlacklistInput{PhoneNumber: "+254712000013", Action: "REMOVE", Reason: "cleared"})
	e.OpenAccount(t, e.Alpha, id, "WALLET", "KES", "")

	if n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM blacklist_history WHERE value = 'NATIONAL_ID:41000003' AND key_id = ? AND reason <> ''`, e.Alpha.KeyID); n != 2 {
		t.Fatalf("%d history rows for the customer's document, want ADD and REMOVE", n)
	}
	if n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM audit_log WHERE method = 'CustomerService.UpdateBlacklist' AND entities LIKE '%4100%'`); n != 0 {
		t.Fatal("the audit trail holds a blacklisted value")
	}

	bad := []struct {
		name string
		in   customer.UpdateBlacklistInput
		want string
	}{
		{"nothing named", customer.UpdateBlacklistInput{Action: "ADD", Reason: "x"}, "payload:INVALID_VALUE"},
		{"two named", customer.UpdateBlacklistInput{CustomerID: id, PhoneNumber: "+254712000013", Action: "ADD", Reason: "x"}, "payload:INVALID_VALUE"},
		{"bad action", customer.UpdateBlacklistInput{PhoneNumber: "+254712000013", Action: "BAN", Reason: "x"}, "action:INVALID_VALUE"},
		{"no reason", customer.UpdateBlacklistInput{PhoneNumber: "+254712000013", Action: "ADD"}, "reason:REQUIRED"},
		{"bad phone", customer.UpdateBlacklistInput{PhoneNumber: "12", Action: "ADD", Reason: "x"}, "phoneNumber:INVALID_FORMAT"},
	}
	for _, tt := range bad {
		_, err := e.Bank.Customers.UpdateBlacklist(ctx, e.Alpha, tt.in)
		if got := banktest.Join(banktest.FieldReasons(err)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if _, err := e.Bank.Customers.UpdateBlacklist(ctx, e.Beta, customer.UpdateBlacklistInput{CustomerID: id, Action: "ADD", Reason: "x"}); !errors.Is(err, customer.ErrCustomerNotFound) {
		t.Fatalf("another partner's customer: %v", err)
	}
}

// TestProtectAgreement: each consent change is kept as a record with its
// time and channel, and GetCustomer shows the latest.
func TestProtectAgreement(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	id := e.AddCustomer(t, e.Alpha, banktest.Kenyan("42000001", "+254712000021", "p@example.com"))
	view, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{ID: id})
	if err != nil || view.ProtectAgreement != nil {
		t.Fatalf("before any consent: %+v, %v", view.ProtectAgreement, err)
	}
	yes, no := true, false
	steps := []struct {
		agreed  *bool
		version string
		channel string
	}{{&yes, "2024.1", "MOBILE"}, {&no, "2024.1", "BRANCH"}, {&yes, "2025.2", "INTERNET"}}
	for i, st := range steps {
		e.Clock.Add(time.Minute)
		res, err := e.Bank.Customers.UpdateProtectAgreement(ctx, banktest.With(e.Alpha, "CustomerService.UpdateProtectAgreement", ""),
			customer.UpdateProtectAgreementInput{CustomerID: id, Agreed: st.agreed, Version: st.version, Channel: st.channel})
		if err != nil || res.Records != i+1 || res.Agreement.Agreed != *st.agreed || res.Agreement.At != e.Clock.Now().Unix() {
			t.Fatalf("change %d: %+v, %v", i, res, err)
		}
	}
	view, err = e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{ID: id})
	if err != nil || view.ProtectAgreement == nil || *view.ProtectAgreement != (customer.ProtectAgreement{Agreed: true, Version: "2025.2", Channel: "INTERNET", At: e.Clock.Now().Unix()}) {
		t.Fatalf("GetCustomer shows %+v, %v", view.ProtectAgreement, err)
	}
	records, err := e.Store.Consents(ctx, banktest.MustID(t, id))
	if err != nil || len(records) != 3 || records[1].Agreed || records[1].Channel != "BRANCH" {
		t.Fatalf("records %+v, %v", records, err)
	}
	_, err = storetest.Conn(t, e.Path).Exec(`UPDATE consents SET agreed = FALSE`)
	if err == nil {
		t.Fatal("a consent record was overwritten")
	}
	_, err = e.Bank.Customers.UpdateProtectAgreement(ctx, e.Alpha, customer.UpdateProtectAgreementInput{CustomerID: id, Version: "1", Channel: "FAX"})
	if got := banktest.Join(banktest.FieldReasons(err)); got != "agreed:REQUIRED channel:INVALID_VALUE" {
		t.Fatalf("bad consent: %q", got)
	}
	if _, err := e.Bank.Customers.UpdateProtectAgreement(ctx, e.Beta, customer.UpdateProtectAgreementInput{CustomerID: id, Agreed: &yes, Version: "1", Channel: "MOBILE"}); !errors.Is(err, customer.ErrCustomerNotFound) {
		t.Fatalf("another partner's customer: %v", err)
	}
}

// TestBlacklistedEverywhere: a blacklisted identity and phone are refused
// by every way in: new customers, combo onboarding, accounts, current
// accounts, nice-number holds, and the validation methods say so.
func TestBlacklistedEverywhere(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	id := e.AddCustomer(t, e.Alpha, banktest.Kenyan("52000001", "+254712000121", "b121@example.com"))
	if _, err := e.Bank.Customers.UpdateBlacklist(ctx, banktest.With(e.Alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		CustomerID: id, Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	refused := map[string]error{}
	_, refused["AddCustomer"] = e.Bank.Customers.AddCustomer(ctx, e.Alpha, banktest.Kenyan("52000001", "+254712000129", "other@example.com"))
	_, refused["OnboardCombo"] = e.Bank.Ebank.OnboardCombo(ctx, e.Alpha, banktest.Combo("52000009", "+254712000121", "blocked.user"))
	_, refused["AddAccount"] = e.Bank.Accounts.AddAccount(ctx, e.Alpha, account.AddAccountInput{CustomerID: id, Name: "X", AccountType: "WALLET", Currency: "KES"})
	_, refused["OpenCurrentAccount"] = e.Bank.Ebank.OpenCurrentAccount(ctx, e.Alpha, ebank.OpenCurrentAccountInput{CustomerID: id, Currency: "KES"})
	_, refused["HoldNiceNumber"] = e.Bank.Nice.HoldNiceNumber(ctx, e.Alpha, nice.HoldNiceNumberInput{Number: "52525252", CustomerID: id})
	for way, err := range refused {
		if !errors.Is(err, customer.ErrBlacklisted) {
			t.Errorf("%s: %v, want ErrBlacklisted", way, err)
		}
	}
	legal, err := e.Bank.Customers.ValidateLegalID(ctx, e.Alpha, customer.ValidateLegalIDInput{Type: "101", Number: "52000001"})
	if err != nil || !legal.Blacklisted || legal.Valid {
		t.Errorf("ValidateLegalID: %+v, %v", legal, err)
	}
	phone, err := e.Bank.Customers.ValidatePhoneNumber(ctx, e.Alpha, customer.ValidatePhoneNumberInput{PhoneNumber: "+254712000121"})
	if err != nil || !phone.Blacklisted || phone.Valid {
		t.Errorf("ValidatePhoneNumber: %+v, %v", phone, err)
	}
	ekyc, err := e.Bank.Customers.ValidateEKYC(ctx, e.Alpha, customer.ValidateEKYCInput{FirstName: "W", LastName: "K", DOB: "19900115",
		Identification: customer.EKYCDocument{Type: "101", Number: "52000001"}, PhoneNumber: "+254712000128"})
	if err != nil || ekyc.Passed || ekyc.Checks[3].Name != customer.CheckBlacklist || ekyc.Checks[3].Passed {
		t.Errorf("ValidateEKYC: %+v, %v", ekyc, err)
	}
}

// TestBlacklistAddedAtOnce: the same new entry added by several calls at
// once is added once, and no call fails.
func TestBlacklistAddedAtOnce(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	for round := range 5 {
		phone := "+25471200014" + string(rune('0'+round))
		var wg sync.WaitGroup
		var mu sync.Mutex
		changed := 0
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := e.Bank.Customers.UpdateBlacklist(ctx, e.Alpha, customer.UpdateBlacklistInput{PhoneNumber: phone, Action: "ADD", Reason: "at once"})
				if err != nil {
					t.Errorf("round %d: %v", round, err)
					return
				}
				mu.Lock()
				if res.Entries[0].Changed {
					changed++
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		if changed != 1 {
			t.Fatalf("round %d: %d calls changed the entry, want 1", round, changed)
		}
	}
}
