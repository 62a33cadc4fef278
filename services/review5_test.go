package services_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/accountd/accountd/services"
)

// TestMobileChangeAndBlacklist: a mobile change to a blacklisted number is
// refused (and counted), and a confirmed change moves the customer's
// e-banking user to the new number.
func TestMobileChangeAndBlacklist(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	codes := &captureSender{}
	res, err := e.svc.OnboardCombo(ctx, with(e.alpha, "CustomerService.OnboardCombo", ""), combo("53000001", "+254712000131", "mobile.mover"))
	if err != nil {
		t.Fatal(err)
	}
	e.verifyContact(t, e.alpha, codes, "53000001", "mobile")
	if _, err := e.svc.UpdateBlacklist(ctx, with(e.alpha, "CustomerService.UpdateBlacklist", ""), services.UpdateBlacklistInput{
		PhoneNumber: "+254712000139", Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	change := func(number string) (services.OperationStarted, error) {
		return e.svc.ChangeMobile(ctx, with(e.alpha, "CustomerService.ChangeMobile", ""), services.ChangeMobileInput{
			AccountID: res.AccountNumber, NewMobileCountryCode: "254", NewMobileNumber: number})
	}
	if _, err := change("0712000139"); !errors.Is(err, services.ErrBlacklisted) {
		t.Fatalf("change to a blacklisted number: %v", err)
	}
	op, err := change("0712000138")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ConfirmMobileChange(ctx, with(e.alpha, "CustomerService.ConfirmMobileChange", ""), services.ConfirmMobileChangeInput{
		RequestID: op.RequestID, ProveIDCode: e.code(t, codes, op.RequestID, services.PurposeProveID),
		ConfirmChangeCode: e.code(t, codes, op.RequestID, services.PurposeConfirmChange)}); err != nil {
		t.Fatal(err)
	}
	u, err := e.svc.ValidateMobileUser(ctx, e.alpha, services.ValidateMobileUserInput{PhoneNumber: "+254712000138"})
	if err != nil || !u.Registered || u.Username != "mobile.mover" {
		t.Fatalf("the user after the change: %+v, %v", u, err)
	}
	if old, _ := e.svc.ValidateMobileUser(ctx, e.alpha, services.ValidateMobileUserInput{PhoneNumber: "+254712000131"}); old.Registered {
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
				res, err := e.svc.UpdateBlacklist(ctx, e.alpha, services.UpdateBlacklistInput{PhoneNumber: phone, Action: "ADD", Reason: "at once"})
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
