package contact_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/otp"
)

// mobileFixture is a Kenyan customer with a verified mobile number and an
// account, and another customer holding a second number.
type mobileFixture struct {
	e       *banktest.Env
	sender  *banktest.CaptureSender
	id      string // the customer's ID
	account string
}

const (
	mobileNationalID = "11223344"
	mobileOld        = "+254712345678"
	mobileTaken      = "+254722000111"
)

func newMobileFixture(t *testing.T, change ...func(*bank.Settings)) mobileFixture {
	t.Helper()
	e := banktest.NewLifecycle(t, change...)
	f := mobileFixture{e: e, sender: &banktest.CaptureSender{}}
	f.id = e.AddCustomer(t, e.Alpha, banktest.Kenyan(mobileNationalID, mobileOld, "baraka@example.com"))
	f.account = e.OpenAccount(t, e.Alpha, f.id, "SAVINGS", "KES", "")
	e.AddCustomer(t, e.Alpha, banktest.Kenyan("44332211", mobileTaken, ""))
	e.AddCustomer(t, e.Beta, banktest.Kenyan("55667788", "+254733000222", ""))
	e.VerifyContact(t, e.Alpha, f.sender, mobileNationalID, "mobile")
	return f
}

func (f mobileFixture) change(call services.Call, acct, cc, number string) (otp.OperationStarted, error) {
	return f.e.Bank.Contacts.ChangeMobile(context.Background(), banktest.With(call, "CustomerService.ChangeMobile", ""),
		contact.ChangeMobileInput{AccountID: acct, NewMobileCountryCode: cc, NewMobileNumber: number})
}

func (f mobileFixture) phone(t *testing.T) string {
	t.Helper()
	c, err := f.e.Bank.Accounts.GetCustomer(context.Background(), f.e.Alpha, account.GetCustomerInput{ID: f.id})
	if err != nil {
		t.Fatal(err)
	}
	return c.Contact.PhoneNumber
}

func TestChangeMobileBothCodes(t *testing.T) {
	ctx := context.Background()
	f := newMobileFixture(t)
	e := f.e
	op, err := f.change(e.Alpha, f.account, "254", "0733123456")
	if err != nil {
		t.Fatal(err)
	}
	want := []otp.SentTo{{Purpose: "PROVE_ID", Channel: "sms", To: "+2547*****678"}, {Purpose: "CONFIRM_CHANGE", Channel: "sms", To: "+2547*****456"}}
	if op.Operation != "CHANGE_MOBILE" || op.AccountID != f.account || len(op.SentTo) != 2 || op.SentTo[0] != want[0] || op.SentTo[1] != want[1] {
		t.Fatalf("started %+v", op)
	}
	prove := e.Message(t, f.sender, op.RequestID, otp.PurposeProveID)
	confirmMsg := e.Message(t, f.sender, op.RequestID, otp.PurposeConfirmChange)
	if prove.To != mobileOld || confirmMsg.To != "+254733123456" {
		t.Fatalf("codes sent to %s and %s, want %s and +254733123456", prove.To, confirmMsg.To, mobileOld)
	}
	confirm := func(proveCode, confirmCode string) (otp.OperationConfirmed, error) {
		return e.Bank.OTP.ConfirmMobileChange(ctx, banktest.With(e.Alpha, "CustomerService.ConfirmMobileChange", ""),
			otp.ConfirmMobileChangeInput{RequestID: op.RequestID, ProveIDCode: proveCode, ConfirmChangeCode: confirmCode})
	}
	wrong := []struct {
		name                string
		proveID, confirmNew string
	}{
		{"old number's code wrong", banktest.WrongCode(prove.Code), confirmMsg.Code},
		{"new number's code wrong", prove.Code, banktest.WrongCode(confirmMsg.Code)},
		{"codes swapped", confirmMsg.Code, prove.Code},
	}
	for i, w := range wrong {
		if prove.Code == confirmMsg.Code && w.name == "codes swapped" {
			continue // one chance in a million: swapping changes nothing
		}
		_, err := confirm(w.proveID, w.confirmNew)
		if !errors.Is(err, otp.ErrWrongOTP) || banktest.AttemptsLeft(err) != 4-i {
			t.Fatalf("%s: got %v (attempts left %d), want ErrWrongOTP with %d left", w.name, err, banktest.AttemptsLeft(err), 4-i)
		}
		if got := f.phone(t); got != mobileOld {
			t.Fatalf("%s: phone %s, want it unchanged", w.name, got)
		}
	}
	res, err := confirm(prove.Code, confirmMsg.Code)
	if err != nil || res.Verified != "mobile" || res.Status != "COMPLETED" {
		t.Fatalf("confirm: %+v, %v", res, err)
	}
	if got := f.phone(t); got != "+254733123456" {
		t.Fatalf("phone %s, want +254733123456", got)
	}
	if _, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{Contact: customer.Contact{PhoneNumber: mobileOld}}); !errors.Is(err, customer.ErrCustomerNotFound) {
		t.Fatalf("lookup by the old number: got %v, want ErrCustomerNotFound", err)
	}
	// The new number is verified: it proves the next change.
	next, err := f.change(e.Alpha, f.account, "254", "0712345678")
	if err != nil {
		t.Fatalf("change back: %v", err)
	}
	if m := e.Message(t, f.sender, next.RequestID, otp.PurposeProveID); m.To != "+254733123456" {
		t.Fatalf("next change proved at %s, want the new number", m.To)
	}
}

func TestChangeMobileNumbers(t *testing.T) {
	f := newMobileFixture(t, func(s *bank.Settings) { s.MobileChangesPerDay, s.OTPOperationsPerHour = 100, 100 })
	e := f.e
	closed := e.OpenAccount(t, e.Alpha, f.id, "CHECKING", "KES", "")
	e.ChangeStatus(t, e.Alpha, closed, "CLOSED")
	tests := []struct {
		name       string
		call       services.Call
		account    string
		cc, number string
		wantTo     string
		wantErr    error
		wantField  string
	}{
		{name: "national with trunk 0", cc: "254", number: "0733123456", wantTo: "+254733123456"},
		{name: "national without trunk 0", cc: "254", number: "733123456", wantTo: "+254733123456"},
		{name: "spaces, dashes and a plus", cc: "+254", number: "0733 123-456", wantTo: "+254733123456"},
		{name: "international", cc: "254", number: "+254733123456", wantTo: "+254733123456"},
		{name: "011 range", cc: "254", number: "0110123456", wantTo: "+254110123456"},
		{name: "Vietnamese 055 (allow-list)", cc: "84", number: "0551234567", wantTo: "+84551234567"},
		{name: "Vietnamese 091", cc: "84", number: "0912345678", wantTo: "+84912345678"},
		{name: "another partner's customer's number", cc: "254", number: "0733000222", wantTo: "+254733000222"},
		{name: "landline", cc: "254", number: "0202123456", wantErr: services.ErrInvalidInput, wantField: "newMobileNumber:INVALID_VALUE"},
		{name: "number of another country", cc: "254", number: "+84912345678", wantErr: services.ErrInvalidInput, wantField: "newMobileNumber:CONFLICT"},
		{name: "letters", cc: "254", number: "07ABC23456", wantErr: services.ErrInvalidInput, wantField: "newMobileNumber:INVALID_FORMAT"},
		{name: "too short", cc: "254", number: "07123", wantErr: services.ErrInvalidInput, wantField: "newMobileNumber:INVALID_VALUE"},
		{name: "Vietnamese 055 one digit short", cc: "84", number: "055123456", wantErr: services.ErrInvalidInput, wantField: "newMobileNumber:INVALID_VALUE"},
		{name: "unassigned country code", cc: "999", number: "0733123456", wantErr: services.ErrInvalidInput, wantField: "newMobileCountryCode:INVALID_VALUE"},
		{name: "country as letters", cc: "KE", number: "0733123456", wantErr: services.ErrInvalidInput, wantField: "newMobileCountryCode:INVALID_VALUE"},
		{name: "nothing", wantErr: services.ErrInvalidInput, wantField: "newMobileCountryCode:REQUIRED newMobileNumber:REQUIRED"},
		{name: "the current number", cc: "254", number: "0712345678", wantErr: services.ErrInvalidInput, wantField: "newMobileNumber:INVALID_VALUE"},
		{name: "another customer's number", cc: "254", number: "0722000111", wantErr: customer.ErrPhoneExists},
		{name: "closed account", account: closed, cc: "254", number: "0733123456", wantErr: account.ErrAccountClosed},
		{name: "another partner's account", call: e.Beta, cc: "254", number: "0733123456", wantErr: account.ErrAccountNotFound},
		{name: "account number malformed", account: "12", cc: "254", number: "0733123456", wantErr: services.ErrInvalidInput, wantField: "accountId:INVALID_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, acct := tt.call, tt.account
			if call.PartnerID == 0 {
				call = e.Alpha
			}
			if acct == "" {
				acct = f.account
			}
			op, err := f.change(call, acct, tt.cc, tt.number)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if got := banktest.Join(banktest.FieldReasons(err)); got != tt.wantField {
				t.Fatalf("field errors %q, want %q", got, tt.wantField)
			}
			if err == nil {
				if m := e.Message(t, f.sender, op.RequestID, otp.PurposeConfirmChange); m.To != tt.wantTo {
					t.Fatalf("new number's code sent to %s, want %s", m.To, tt.wantTo)
				}
			}
			if got := f.phone(t); got != mobileOld {
				t.Fatalf("phone %s, want it unchanged until confirmed", got)
			}
		})
	}
}

// TestChangeMobileDailyLimit counts every request of a calendar day,
// refused ones included.
func TestChangeMobileDailyLimit(t *testing.T) {
	f := newMobileFixture(t)
	e := f.e
	unverified := e.AddCustomer(t, e.Alpha, banktest.Kenyan("66778899", "+254799000333", ""))
	unverifiedAccount := e.OpenAccount(t, e.Alpha, unverified, "SAVINGS", "KES", "")
	steps := []struct {
		name       string
		account    string
		advance    time.Duration
		cc, number string
		wantErr    error
	}{
		{name: "landline", cc: "254", number: "0202123456", wantErr: services.ErrInvalidInput},
		{name: "letters", cc: "254", number: "07ABC23456", wantErr: services.ErrInvalidInput},
		{name: "third request", cc: "254", number: "0733123456"},
		{name: "fourth request", cc: "254", number: "0733123456", wantErr: contact.ErrMobileChangeLimit},
		{name: "fourth request, malformed", cc: "254", number: "07ABC", wantErr: contact.ErrMobileChangeLimit},
		{name: "another customer is not limited", account: unverifiedAccount, cc: "254", number: "0733123456", wantErr: customer.ErrNoVerifiedContact},
		{name: "last second of the day", advance: 14*time.Hour - time.Second, cc: "254", number: "0733123456", wantErr: contact.ErrMobileChangeLimit},
		{name: "next day", advance: time.Second, cc: "254", number: "0733123456"},
		{name: "unverified, first", account: unverifiedAccount, cc: "254", number: "0733123456", wantErr: customer.ErrNoVerifiedContact},
		{name: "unverified, second", account: unverifiedAccount, cc: "254", number: "0733123456", wantErr: customer.ErrNoVerifiedContact},
		{name: "unverified, third", account: unverifiedAccount, cc: "254", number: "0733123456", wantErr: customer.ErrNoVerifiedContact},
		{name: "unverified, fourth", account: unverifiedAccount, cc: "254", number: "0733123456", wantErr: contact.ErrMobileChangeLimit},
	}
	for _, s := range steps {
		e.Clock.Add(s.advance)
		acct := s.account
		if acct == "" {
			acct = f.account
		}
		_, err := f.change(e.Alpha, acct, s.cc, s.number)
		if !errors.Is(err, s.wantErr) || (s.wantErr == nil && err != nil) {
			t.Fatalf("%s (at %s): got %v, want %v", s.name, e.Clock.Now().Format(time.RFC3339), err, s.wantErr)
		}
	}
}

// TestChangeMobileDayInBankTimeZone counts days in the bank's time zone.
func TestChangeMobileDayInBankTimeZone(t *testing.T) {
	eat := time.FixedZone("EAT", 3*60*60)
	f := newMobileFixture(t, func(s *bank.Settings) { s.Location = eat })
	e := f.e
	e.Clock.Add(10*time.Hour + 30*time.Minute) // 20:30 UTC, 23:30 in Nairobi
	for i := range 3 {
		if _, err := f.change(e.Alpha, f.account, "254", "0733123456"); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if _, err := f.change(e.Alpha, f.account, "254", "0733123456"); !errors.Is(err, contact.ErrMobileChangeLimit) {
		t.Fatalf("fourth request: got %v, want ErrMobileChangeLimit", err)
	}
	e.Clock.Add(time.Hour) // 21:30 UTC, still the same day in UTC, 00:30 in Nairobi
	if _, err := f.change(e.Alpha, f.account, "254", "0733123456"); err != nil {
		t.Fatalf("after midnight in Nairobi: %v", err)
	}
}

// confirmChange confirms a mobile change with the codes that were sent.
func (f mobileFixture) confirmChange(t *testing.T, op otp.OperationStarted) error {
	t.Helper()
	_, err := f.e.Bank.OTP.ConfirmMobileChange(context.Background(), f.e.Alpha, otp.ConfirmMobileChangeInput{RequestID: op.RequestID,
		ProveIDCode:       f.e.Code(t, f.sender, op.RequestID, otp.PurposeProveID),
		ConfirmChangeCode: f.e.Code(t, f.sender, op.RequestID, otp.PurposeConfirmChange)})
	return err
}

// TestChangeMobileNumberTakenMeanwhile gives the new number to another
// customer between the request and its confirmation.
func TestChangeMobileNumberTakenMeanwhile(t *testing.T) {
	f := newMobileFixture(t)
	op, err := f.change(f.e.Alpha, f.account, "254", "0733123456")
	if err != nil {
		t.Fatal(err)
	}
	f.e.AddCustomer(t, f.e.Alpha, banktest.Kenyan("99990000", "+254733123456", ""))
	if err := f.confirmChange(t, op); !errors.Is(err, customer.ErrPhoneExists) {
		t.Fatalf("confirm: got %v, want ErrPhoneExists", err)
	}
	if got := f.phone(t); got != mobileOld {
		t.Fatalf("phone %s, want it unchanged", got)
	}
}

// TestChangeMobileAfterAnotherChange confirms a second pending mobile change
// after a first one moved the customer to another number: the second's
// PROVE_ID code went to a number that is no longer the customer's, so it
// proves nothing (README: a code is refused when its contact changed since
// it was sent, 3010), and the number stays the one the first change set.
func TestChangeMobileAfterAnotherChange(t *testing.T) {
	f := newMobileFixture(t)
	first, err := f.change(f.e.Alpha, f.account, "254", "0733123456")
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.change(f.e.Alpha, f.account, "254", "0744123456")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.confirmChange(t, first); err != nil {
		t.Fatalf("first change: %v", err)
	}
	err = f.confirmChange(t, second)
	if !errors.Is(err, contact.ErrContactMissing) && !errors.Is(err, otp.ErrOperationCancelled) {
		t.Errorf("second change, proved by the old number %s: got %v, want ErrContactMissing (or ErrOperationCancelled)", mobileOld, err)
	}
	if got := f.phone(t); got != "+254733123456" {
		t.Errorf("phone %s, want +254733123456 from the first change", got)
	}
}

// TestMobileChangeAndBlacklist: a mobile change to a blacklisted number is
// refused (and counted), and a confirmed change moves the customer's
// e-banking user to the new number.
func TestMobileChangeAndBlacklist(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	codes := &banktest.CaptureSender{}
	res, err := e.Bank.Ebank.OnboardCombo(ctx, banktest.With(e.Alpha, "CustomerService.OnboardCombo", ""), banktest.Combo("53000001", "+254712000131", "mobile.mover"))
	if err != nil {
		t.Fatal(err)
	}
	e.VerifyContact(t, e.Alpha, codes, "53000001", "mobile")
	if _, err := e.Bank.Customers.UpdateBlacklist(ctx, banktest.With(e.Alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		PhoneNumber: "+254712000139", Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	change := func(number string) (otp.OperationStarted, error) {
		return e.Bank.Contacts.ChangeMobile(ctx, banktest.With(e.Alpha, "CustomerService.ChangeMobile", ""), contact.ChangeMobileInput{
			AccountID: res.AccountNumber, NewMobileCountryCode: "254", NewMobileNumber: number})
	}
	if _, err := change("0712000139"); !errors.Is(err, customer.ErrBlacklisted) {
		t.Fatalf("change to a blacklisted number: %v", err)
	}
	op, err := change("0712000138")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.OTP.ConfirmMobileChange(ctx, banktest.With(e.Alpha, "CustomerService.ConfirmMobileChange", ""), otp.ConfirmMobileChangeInput{
		RequestID: op.RequestID, ProveIDCode: e.Code(t, codes, op.RequestID, otp.PurposeProveID),
		ConfirmChangeCode: e.Code(t, codes, op.RequestID, otp.PurposeConfirmChange)}); err != nil {
		t.Fatal(err)
	}
	u, err := e.Bank.Ebank.ValidateMobileUser(ctx, e.Alpha, ebank.ValidateMobileUserInput{PhoneNumber: "+254712000138"})
	if err != nil || !u.Registered || u.Username != "mobile.mover" {
		t.Fatalf("the user after the change: %+v, %v", u, err)
	}
	if old, _ := e.Bank.Ebank.ValidateMobileUser(ctx, e.Alpha, ebank.ValidateMobileUserInput{PhoneNumber: "+254712000131"}); old.Registered {
		t.Fatalf("the old number still has the user: %+v", old)
	}
}
