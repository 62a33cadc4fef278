package bank_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/otp"
)

// TestMobileChangeAndBlacklist: a mobile change to a blacklisted number is
// refused (and counted), and a confirmed change moves the customer's
// e-banking user to the new number.
func TestMobileChangeAndBlacklist(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	codes := &captureSender{}
	res, err := e.svc.Ebank.OnboardCombo(ctx, with(e.alpha, "CustomerService.OnboardCombo", ""), combo("53000001", "+254712000131", "mobile.mover"))
	if err != nil {
		t.Fatal(err)
	}
	e.verifyContact(t, e.alpha, codes, "53000001", "mobile")
	if _, err := e.svc.Customers.UpdateBlacklist(ctx, with(e.alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		PhoneNumber: "+254712000139", Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	change := func(number string) (otp.OperationStarted, error) {
		return e.svc.Contacts.ChangeMobile(ctx, with(e.alpha, "CustomerService.ChangeMobile", ""), contact.ChangeMobileInput{
			AccountID: res.AccountNumber, NewMobileCountryCode: "254", NewMobileNumber: number})
	}
	if _, err := change("0712000139"); !errors.Is(err, services.ErrBlacklisted) {
		t.Fatalf("change to a blacklisted number: %v", err)
	}
	op, err := change("0712000138")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.OTP.ConfirmMobileChange(ctx, with(e.alpha, "CustomerService.ConfirmMobileChange", ""), otp.ConfirmMobileChangeInput{
		RequestID: op.RequestID, ProveIDCode: e.code(t, codes, op.RequestID, otp.PurposeProveID),
		ConfirmChangeCode: e.code(t, codes, op.RequestID, otp.PurposeConfirmChange)}); err != nil {
		t.Fatal(err)
	}
	u, err := e.svc.Ebank.ValidateMobileUser(ctx, e.alpha, ebank.ValidateMobileUserInput{PhoneNumber: "+254712000138"})
	if err != nil || !u.Registered || u.Username != "mobile.mover" {
		t.Fatalf("the user after the change: %+v, %v", u, err)
	}
	if old, _ := e.svc.Ebank.ValidateMobileUser(ctx, e.alpha, ebank.ValidateMobileUserInput{PhoneNumber: "+254712000131"}); old.Registered {
		t.Fatalf("the old number still has the user: %+v", old)
	}
}

// TestBlacklistAddedAtOnce: the same new entry added by several calls at
// once is added once, and no call fails.
func TestBlacklistAddedAtOnce(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	for round := range 5 {
		phone := "+25471200014" + string(rune('0'+round))
		var wg sync.WaitGroup
		var mu sync.Mutex
		changed := 0
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := e.svc.Customers.UpdateBlacklist(ctx, e.alpha, customer.UpdateBlacklistInput{PhoneNumber: phone, Action: "ADD", Reason: "at once"})
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
