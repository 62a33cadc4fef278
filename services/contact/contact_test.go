package contact_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/otp"
)

// contactFixture holds customers of every document kind the Kenyan seed
// names them by.
type contactFixture struct {
	e      *banktest.Env
	sender *banktest.CaptureSender
	ids    map[string]string // document -> customer ID
}

func newContactFixture(t *testing.T) contactFixture {
	t.Helper()
	e := banktest.NewLifecycle(t)
	f := contactFixture{e: e, sender: &banktest.CaptureSender{}, ids: map[string]string{}}
	alien := banktest.Kenyan("", "", "otieno@example.com")
	alien.Identification = []customer.Identification{{Type: "ALIEN_ID", Value: "654321"}}
	passport := banktest.Kenyan("", "", "")
	passport.Identification = []customer.Identification{{Type: "PASSPORT", Value: "AK1234567"}}
	passport.Contact = customer.Contact{PhoneNumber: "+254722000111"}
	f.ids["12345678"] = e.AddCustomer(t, e.Alpha, banktest.Kenyan("12345678", "+254712345678", "wanjiru@example.com"))
	f.ids["654321"] = e.AddCustomer(t, e.Alpha, alien)
	f.ids["AK1234567"] = e.AddCustomer(t, e.Alpha, passport)
	f.ids["PVT-2019/0042"] = e.AddCustomer(t, e.Alpha, banktest.Business("PVT-2019/0042", "Choice Microfinance Bank", "ops@choice.example"))
	e.AddCustomer(t, e.Alpha, banktest.Kenyan("77778888", "", "Taken@example.com"))
	e.AddCustomer(t, e.Beta, banktest.Kenyan("99887766", "+254733000222", "beta.customer@example.com"))
	return f
}

func (f contactFixture) email(t *testing.T, customerID string) string {
	t.Helper()
	c, err := f.e.Bank.Accounts.GetCustomer(context.Background(), f.e.Alpha, account.GetCustomerInput{ID: customerID})
	if err != nil {
		t.Fatal(err)
	}
	return c.Contact.Email
}

func TestAddOrUpdateEmail(t *testing.T) {
	ctx := context.Background()
	f := newContactFixture(t)
	e := f.e
	tests := []struct {
		name      string
		in        contact.AddOrUpdateEmailInput
		call      services.Call
		wantErr   error
		wantField string
	}{
		{name: "national ID (101)", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678", Email: "wanjiru.k@example.com"}},
		{name: "alien ID (102)", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "102", DocumentNumber: "654321", Email: "otieno@mail.example"}},
		{name: "passport (103) without an e-mail yet", in: contact.AddOrUpdateEmailInput{OnboardType: "PERSONAL", PersonalIDType: " 103 ", DocumentNumber: "ak1234567", Email: "first@example.com"}},
		{name: "business", in: contact.AddOrUpdateEmailInput{OnboardType: "business", DocumentNumber: "PVT-2019/0042", Email: "finance@choice.example"}},
		{name: "another partner's customer's e-mail", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678", Email: "beta.customer@example.com"}},
		{name: "e-mail of another customer", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678", Email: "Taken@example.com"},
			wantErr: customer.ErrEmailExists},
		{name: "e-mail of another customer in other case", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "102", DocumentNumber: "654321", Email: "taken@EXAMPLE.com"},
			wantErr: customer.ErrEmailExists},
		{name: "unknown document", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "11112222", Email: "x@example.com"},
			wantErr: customer.ErrCustomerNotFound},
		{name: "document of another type", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "103", DocumentNumber: "12345678", Email: "x@example.com"},
			wantErr: customer.ErrCustomerNotFound},
		{name: "another partner's customer", call: e.Beta, in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678", Email: "x@example.com"},
			wantErr: customer.ErrCustomerNotFound},
		{name: "bad onboardType", in: contact.AddOrUpdateEmailInput{OnboardType: "corporate", DocumentNumber: "12345678", Email: "x@example.com"},
			wantErr: services.ErrInvalidInput, wantField: "onboardType:INVALID_VALUE"},
		{name: "no onboardType", in: contact.AddOrUpdateEmailInput{DocumentNumber: "12345678", Email: "x@example.com"},
			wantErr: services.ErrInvalidInput, wantField: "onboardType:REQUIRED"},
		{name: "bad personalIdType", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "104", DocumentNumber: "12345678", Email: "x@example.com"},
			wantErr: services.ErrInvalidInput, wantField: "personalIdType:INVALID_VALUE"},
		{name: "no personalIdType", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", DocumentNumber: "12345678", Email: "x@example.com"},
			wantErr: services.ErrInvalidInput, wantField: "personalIdType:REQUIRED"},
		{name: "malformed alien ID", in: contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "102", DocumentNumber: "12A", Email: "x@example.com"},
			wantErr: services.ErrInvalidInput, wantField: "documentNumber:INVALID_FORMAT"},
		{name: "nothing but the type", in: contact.AddOrUpdateEmailInput{OnboardType: "business"},
			wantErr: services.ErrInvalidInput, wantField: "documentNumber:REQUIRED email:REQUIRED"},
		{name: "bad e-mail", in: contact.AddOrUpdateEmailInput{OnboardType: "business", DocumentNumber: "PVT-2019/0042", Email: "finance@choice"},
			wantErr: services.ErrInvalidInput, wantField: "email:INVALID_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := tt.call
			if call.PartnerID == 0 {
				call = e.Alpha
			}
			id := f.ids[normalizedDocument(tt.in.DocumentNumber)]
			var before string
			if id != "" {
				before = f.email(t, id)
			}
			op, err := e.Bank.Contacts.AddOrUpdateEmail(ctx, banktest.With(call, "CustomerService.AddOrUpdateEmail", ""), tt.in)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if got := banktest.Join(banktest.FieldReasons(err)); got != tt.wantField {
				t.Fatalf("field errors %q, want %q", got, tt.wantField)
			}
			if err != nil {
				return
			}
			if op.Operation != "ADD_OR_UPDATE_EMAIL" || op.CustomerID != id || len(op.SentTo) != 1 || op.SentTo[0].Channel != "email" {
				t.Fatalf("started %+v", op)
			}
			m := e.Message(t, f.sender, op.RequestID, otp.PurposeOTP)
			if m.To != tt.in.Email {
				t.Fatalf("code sent to %s, want the new address %s", m.To, tt.in.Email)
			}
			if got := f.email(t, id); got != before {
				t.Fatalf("e-mail before the code is confirmed: %q, want %q", got, before)
			}
			res, err := e.Bank.OTP.ConfirmOTP(ctx, call, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: m.Code})
			if err != nil || res.Verified != "email" {
				t.Fatalf("confirm: %+v, %v", res, err)
			}
			if got := f.email(t, id); got != tt.in.Email {
				t.Fatalf("e-mail after confirming: %q, want %q", got, tt.in.Email)
			}
			if _, err := e.Bank.Contacts.AddOrUpdateEmail(ctx, call, tt.in); !errors.Is(err, contact.ErrContactAlreadyVerified) {
				t.Fatalf("the same e-mail again: got %v, want ErrContactAlreadyVerified", err)
			}
		})
	}
}

// normalizedDocument is a document number as the fixture's map keys it.
func normalizedDocument(s string) string {
	if s == "ak1234567" {
		return "AK1234567"
	}
	return s
}

// TestAddOrUpdateEmailTakenMeanwhile gives the new e-mail to another
// customer between the code and its confirmation.
func TestAddOrUpdateEmailTakenMeanwhile(t *testing.T) {
	ctx := context.Background()
	f := newContactFixture(t)
	e := f.e
	op, err := e.Bank.Contacts.AddOrUpdateEmail(ctx, e.Alpha, contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678", Email: "shared@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	code := e.Code(t, f.sender, op.RequestID, otp.PurposeOTP)
	e.AddCustomer(t, e.Alpha, banktest.Kenyan("55556666", "", "shared@example.com"))
	if _, err := e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: code}); !errors.Is(err, customer.ErrEmailExists) {
		t.Fatalf("confirm: got %v, want ErrEmailExists", err)
	}
	if got := f.email(t, f.ids["12345678"]); got != "wanjiru@example.com" {
		t.Fatalf("e-mail %q, want it unchanged", got)
	}
}

func TestVerifyContact(t *testing.T) {
	ctx := context.Background()
	f := newContactFixture(t)
	e := f.e
	tests := []struct {
		name      string
		in        contact.VerifyEmailOrMobileInput
		wantErr   error
		wantField string
		wantTo    string
	}{
		{name: "mobile", in: contact.VerifyEmailOrMobileInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678", VerifyType: "mobile"}, wantTo: "+254712345678"},
		{name: "e-mail, upper case type", in: contact.VerifyEmailOrMobileInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678", VerifyType: "EMAIL"}, wantTo: "wanjiru@example.com"},
		{name: "business e-mail", in: contact.VerifyEmailOrMobileInput{OnboardType: "business", DocumentNumber: "PVT-2019/0042", VerifyType: "email"}, wantTo: "ops@choice.example"},
		{name: "no e-mail on record", in: contact.VerifyEmailOrMobileInput{OnboardType: "personal", PersonalIDType: "103", DocumentNumber: "AK1234567", VerifyType: "email"},
			wantErr: contact.ErrContactMissing},
		{name: "no mobile on record", in: contact.VerifyEmailOrMobileInput{OnboardType: "business", DocumentNumber: "PVT-2019/0042", VerifyType: "mobile"},
			wantErr: contact.ErrContactMissing},
		{name: "unknown verifyType", in: contact.VerifyEmailOrMobileInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678", VerifyType: "fax"},
			wantErr: services.ErrInvalidInput, wantField: "verifyType:INVALID_VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := e.Bank.Contacts.VerifyEmailOrMobile(ctx, e.Alpha, tt.in)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if got := banktest.Join(banktest.FieldReasons(err)); got != tt.wantField {
				t.Fatalf("field errors %q, want %q", got, tt.wantField)
			}
			if err != nil {
				return
			}
			m := e.Message(t, f.sender, op.RequestID, otp.PurposeOTP)
			if m.To != tt.wantTo {
				t.Fatalf("code sent to %s, want %s", m.To, tt.wantTo)
			}
			if _, err := e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: m.Code}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Bank.Contacts.VerifyEmailOrMobile(ctx, e.Alpha, tt.in); !errors.Is(err, contact.ErrContactAlreadyVerified) {
				t.Fatalf("verify again: got %v, want ErrContactAlreadyVerified", err)
			}
		})
	}
	// VerifyEmailAddress is the e-mail case without verifyType.
	op, err := e.Bank.Contacts.VerifyEmailAddress(ctx, e.Alpha, contact.VerifyEmailAddressInput{OnboardType: "personal", PersonalIDType: "102", DocumentNumber: "654321"})
	if err != nil || op.Operation != "VERIFY_EMAIL" || op.SentTo[0].To != "o*****@example.com" {
		t.Fatalf("VerifyEmailAddress: %+v, %v", op, err)
	}
}

func TestPersonalIDTypeJSON(t *testing.T) {
	tests := []struct {
		payload string
		want    contact.PersonalIDType
		wantErr bool
	}{
		{payload: `{"personalIdType":"101"}`, want: "101"},
		{payload: `{"personalIdType":101}`, want: "101"},
		{payload: `{"personalIdType":103}`, want: "103"},
		{payload: `{}`, want: ""},
		{payload: `{"personalIdType":true}`, wantErr: true},
		{payload: `{"personalIdType":1.5}`, wantErr: true},
	}
	for _, tt := range tests {
		var in contact.AddOrUpdateEmailInput
		err := json.Unmarshal([]byte(tt.payload), &in)
		if (err != nil) != tt.wantErr || in.PersonalIDType != tt.want {
			t.Errorf("%s: got %q, %v; want %q (error %v)", tt.payload, in.PersonalIDType, err, tt.want, tt.wantErr)
		}
	}
	// A number finds the customer as the string does.
	ctx := context.Background()
	f := newContactFixture(t)
	var in contact.VerifyEmailOrMobileInput
	if err := json.Unmarshal([]byte(`{"onboardType":"personal","personalIdType":101,"documentNumber":"12345678","verifyType":"mobile"}`), &in); err != nil {
		t.Fatal(err)
	}
	if op, err := f.e.Bank.Contacts.VerifyEmailOrMobile(ctx, f.e.Alpha, in); err != nil || op.CustomerID != f.ids["12345678"] {
		t.Fatalf("numeric personalIdType: %+v, %v", op, err)
	}
}

// TestVerifyChangedContact confirms a verification whose e-mail changed
// after its code was sent: the new address is not verified by the old code.
func TestVerifyChangedContact(t *testing.T) {
	ctx := context.Background()
	f := newContactFixture(t)
	e := f.e
	stale, err := e.Bank.Contacts.VerifyEmailAddress(ctx, e.Alpha, contact.VerifyEmailAddressInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678"})
	if err != nil {
		t.Fatal(err)
	}
	staleCode := e.Code(t, f.sender, stale.RequestID, otp.PurposeOTP)
	change, err := e.Bank.Contacts.AddOrUpdateEmail(ctx, e.Alpha, contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "12345678", Email: "moved@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: change.RequestID, OTP: e.Code(t, f.sender, change.RequestID, otp.PurposeOTP)}); err != nil {
		t.Fatal(err)
	}
	// The new address was verified by its own code; the code sent to the
	// old one verifies nothing now.
	if _, err := e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: stale.RequestID, OTP: staleCode}); !errors.Is(err, contact.ErrContactMissing) {
		t.Fatalf("code sent to the old address: got %v, want ErrContactMissing", err)
	}
	if got := f.email(t, f.ids["12345678"]); got != "moved@example.com" {
		t.Fatalf("e-mail %q, want moved@example.com", got)
	}
}
