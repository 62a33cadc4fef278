package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
)

func freezeAccount(e *banktest.Env, call services.Call, number, reasonCode, expiresAt string) (account.StatusChangeResult, error) {
	return e.Bank.Accounts.FreezeAccount(context.Background(), banktest.With(call, "AccountService.FreezeAccount", ""),
		account.FreezeAccountInput{AccountNumber: number, ReasonCode: reasonCode, Reason: "case 7", ExpiresAt: expiresAt})
}

func unfreezeAccount(e *banktest.Env, call services.Call, number string) (account.StatusChangeResult, error) {
	return e.Bank.Accounts.UnfreezeAccount(context.Background(), banktest.With(call, "AccountService.UnfreezeAccount", ""),
		account.UnfreezeAccountInput{AccountNumber: number, Reason: "cleared"})
}

// abnormal returns the partner's abnormal accounts by number, with their reasons.
func abnormal(t *testing.T, e *banktest.Env, call services.Call) map[string]string {
	t.Helper()
	page, err := e.Bank.Accounts.ListAbnormalAccounts(context.Background(), call, account.ListAbnormalAccountsInput{PageNo: banktest.IntPtr(1), PageSize: banktest.IntPtr(100)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, a := range page.Accounts {
		out[a.Account.AccountID] = strings.Join(a.Reasons, ",") + "/" + a.FreezeReasonCode
	}
	if page.Total != len(out) {
		t.Fatalf("abnormal accounts: total %d, listed %d", page.Total, len(out))
	}
	return out
}

// TestFreezeWithExpiry follows a freeze that lifts itself: it stops
// applying at its expiry without any call, and the sweep then records it.
func TestFreezeWithExpiry(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	number := e.OpenAccount(t, e.Alpha, e.AddCustomer(t, e.Alpha, banktest.Dave()), "CHECKING", "USD", "")
	frozenAt := e.Clock.Now()
	expires := frozenAt.Add(2 * time.Hour)

	res, err := freezeAccount(e, e.Alpha, number, "AML_REVIEW", expires.Format(time.RFC3339))
	if err != nil || res.FreezeStatus != 1 || res.Status != "ACTIVE" {
		t.Fatalf("freeze: %+v, %v", res, err)
	}
	if d := e.Details(t, e.Alpha, number); d.FreezeStatus != 1 || d.Status != "ACTIVE" {
		t.Fatalf("frozen: details %+v", d)
	}
	if got := abnormal(t, e, e.Alpha)[number]; got != "FROZEN/AML_REVIEW" {
		t.Fatalf("frozen: abnormal reasons %q, want FROZEN/AML_REVIEW", got)
	}
	if _, err := freezeAccount(e, e.Alpha, number, "COURT_ORDER", ""); !errors.Is(err, account.ErrAccountFrozen) {
		t.Fatalf("second freeze: got %v, want ErrAccountFrozen", err)
	}

	e.Clock.Add(2*time.Hour - time.Second)
	if d := e.Details(t, e.Alpha, number); d.FreezeStatus != 1 {
		t.Fatalf("a second before expiry: freezeStatus %d, want 1", d.FreezeStatus)
	}
	e.Clock.Add(time.Second) // exactly at expiry: no longer frozen, nothing has run
	if d := e.Details(t, e.Alpha, number); d.FreezeStatus != 0 {
		t.Fatalf("at expiry: freezeStatus %d, want 0", d.FreezeStatus)
	}
	if got, listed := abnormal(t, e, e.Alpha)[number]; listed {
		t.Fatalf("at expiry: still listed as abnormal (%s)", got)
	}
	if _, err := unfreezeAccount(e, e.Alpha, number); !errors.Is(err, account.ErrAccountNotFrozen) {
		t.Fatalf("unfreeze of an expired freeze: got %v, want ErrAccountNotFrozen", err)
	}

	before := len(banktest.AuditRows(t, e))
	rep, err := e.Bank.Accounts.SweepDormancy(ctx)
	if err != nil || rep != (account.SweepReport{FreezesLifted: 1}) {
		t.Fatalf("sweep: %+v, %v", rep, err)
	}
	changes := e.History(t, e.Alpha, number)
	if len(changes) != 2 {
		t.Fatalf("history %+v, want FREEZE and FREEZE_EXPIRED", changes)
	}
	freeze, expired := changes[0], changes[1]
	if freeze.Event != "FREEZE" || freeze.ReasonCode != "AML_REVIEW" || freeze.KeyID != e.Alpha.KeyID || freeze.At != frozenAt.Unix() ||
		!strings.Contains(freeze.Reason, expires.Format(time.RFC3339)) || freeze.FromStatus != "ACTIVE" || freeze.ToStatus != "ACTIVE" {
		t.Errorf("freeze entry %+v", freeze)
	}
	if expired.Event != "FREEZE_EXPIRED" || expired.ReasonCode != "AML_REVIEW" || expired.KeyID != "system" || expired.At != expires.Unix() {
		t.Errorf("expiry entry %+v", expired)
	}
	rows := banktest.AuditRows(t, e)
	if len(rows) != before+1 || rows[len(rows)-1].Method != "system.FreezeExpiry" || banktest.Entities(t, rows[len(rows)-1])["accountNumber"] != number {
		t.Errorf("audit after sweep: %d rows (was %d), last %+v", len(rows), before, rows[len(rows)-1])
	}
	if rep, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil || rep != (account.SweepReport{}) {
		t.Errorf("second sweep: %+v, %v; want nothing done", rep, err)
	}
	if n := len(e.History(t, e.Alpha, number)); n != 2 {
		t.Errorf("history after second sweep has %d entries, want 2", n)
	}
	if res, err := freezeAccount(e, e.Alpha, number, "COURT_ORDER", ""); err != nil || res.FreezeStatus != 1 {
		t.Errorf("freeze after expiry: %+v, %v", res, err)
	}
}

// TestFreezeReplacesExpiredFreeze freezes an account whose earlier freeze
// expired before any sweep: the expiry is recorded first.
func TestFreezeReplacesExpiredFreeze(t *testing.T) {
	e := banktest.NewLifecycle(t)
	number := e.OpenAccount(t, e.Alpha, e.AddCustomer(t, e.Alpha, banktest.Dave()), "CHECKING", "USD", "")
	if _, err := freezeAccount(e, e.Alpha, number, "LOST_DEVICE", e.Clock.Now().Add(time.Hour).Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	e.Clock.Add(time.Hour)
	if _, err := freezeAccount(e, e.Alpha, number, "COURT_ORDER", ""); err != nil {
		t.Fatalf("freeze after expiry: %v", err)
	}
	var got []string
	for _, c := range e.History(t, e.Alpha, number) {
		got = append(got, c.Event+":"+c.ReasonCode)
	}
	if want := "FREEZE:LOST_DEVICE FREEZE_EXPIRED:LOST_DEVICE FREEZE:COURT_ORDER"; banktest.Join(got) != want {
		t.Errorf("history %q, want %q", banktest.Join(got), want)
	}
	e.Clock.Add(1000 * time.Hour)
	if d := e.Details(t, e.Alpha, number); d.FreezeStatus != 1 {
		t.Errorf("freeze without expiry: freezeStatus %d after 1000h, want 1", d.FreezeStatus)
	}
	if rep, err := e.Bank.Accounts.SweepDormancy(context.Background()); err != nil || rep.FreezesLifted != 0 {
		t.Errorf("sweep lifted a freeze without expiry: %+v, %v", rep, err)
	}
}

func TestFreezeAndUnfreeze(t *testing.T) {
	e := banktest.NewLifecycle(t)
	owner := e.AddCustomer(t, e.Alpha, banktest.Dave())
	number := e.OpenAccount(t, e.Alpha, owner, "CHECKING", "USD", "")
	closed := e.OpenAccount(t, e.Alpha, owner, "CHECKING", "USD", "")
	e.ChangeStatus(t, e.Alpha, closed, "CLOSED")
	future := e.Clock.Now().Add(time.Hour).Format(time.RFC3339)

	steps := []struct {
		name      string
		do        func() (account.StatusChangeResult, error)
		wantErr   error
		wantField string
		wantFrz   int
	}{
		{name: "unfreeze an account never frozen", do: func() (account.StatusChangeResult, error) { return unfreezeAccount(e, e.Alpha, number) },
			wantErr: account.ErrAccountNotFrozen},
		{name: "unknown reason code", do: func() (account.StatusChangeResult, error) { return freezeAccount(e, e.Alpha, number, "BORED", "") },
			wantErr: services.ErrInvalidInput, wantField: "reasonCode:INVALID_VALUE"},
		{name: "expiry in the past", do: func() (account.StatusChangeResult, error) {
			return freezeAccount(e, e.Alpha, number, "AML_REVIEW", e.Clock.Now().Add(-time.Second).Format(time.RFC3339))
		}, wantErr: services.ErrInvalidInput, wantField: "expiresAt:INVALID_VALUE"},
		{name: "expiry not RFC 3339", do: func() (account.StatusChangeResult, error) {
			return freezeAccount(e, e.Alpha, number, "AML_REVIEW", "2027-01-31")
		},
			wantErr: services.ErrInvalidInput, wantField: "expiresAt:INVALID_FORMAT"},
		{name: "OTHER without a reason", do: func() (account.StatusChangeResult, error) {
			return e.Bank.Accounts.FreezeAccount(context.Background(), e.Alpha, account.FreezeAccountInput{AccountNumber: number, ReasonCode: "OTHER"})
		}, wantErr: services.ErrInvalidInput, wantField: "reason:REQUIRED"},
		{name: "closed account", do: func() (account.StatusChangeResult, error) { return freezeAccount(e, e.Alpha, closed, "AML_REVIEW", "") },
			wantErr: account.ErrAccountClosed},
		{name: "another partner's account", do: func() (account.StatusChangeResult, error) { return freezeAccount(e, e.Beta, number, "AML_REVIEW", "") },
			wantErr: account.ErrAccountNotFound},
		{name: "freeze", do: func() (account.StatusChangeResult, error) {
			return freezeAccount(e, e.Alpha, number, "FRAUD_SUSPECTED", future)
		}, wantFrz: 1},
		{name: "freeze twice", do: func() (account.StatusChangeResult, error) {
			return freezeAccount(e, e.Alpha, number, "COURT_ORDER", "")
		},
			wantErr: account.ErrAccountFrozen},
		{name: "another partner unfreezes", do: func() (account.StatusChangeResult, error) { return unfreezeAccount(e, e.Beta, number) },
			wantErr: account.ErrAccountNotFound},
		{name: "unfreeze", do: func() (account.StatusChangeResult, error) { return unfreezeAccount(e, e.Alpha, number) }},
		{name: "unfreeze twice", do: func() (account.StatusChangeResult, error) { return unfreezeAccount(e, e.Alpha, number) },
			wantErr: account.ErrAccountNotFrozen},
	}
	for _, s := range steps {
		res, err := s.do()
		if !errors.Is(err, s.wantErr) || (s.wantErr == nil && err != nil) {
			t.Fatalf("%s: got %v, want %v", s.name, err, s.wantErr)
		}
		if got := banktest.Join(banktest.FieldReasons(err)); got != s.wantField {
			t.Fatalf("%s: field errors %q, want %q", s.name, got, s.wantField)
		}
		if err == nil && (res.FreezeStatus != s.wantFrz || e.Details(t, e.Alpha, number).FreezeStatus != s.wantFrz) {
			t.Fatalf("%s: result %+v, want freezeStatus %d", s.name, res, s.wantFrz)
		}
	}
	var got []string
	for _, c := range e.History(t, e.Alpha, number) {
		got = append(got, c.Event+":"+c.ReasonCode+":"+c.KeyID)
	}
	want := "FREEZE:FRAUD_SUSPECTED:" + e.Alpha.KeyID + " UNFREEZE:FRAUD_SUSPECTED:" + e.Alpha.KeyID
	if banktest.Join(got) != want {
		t.Errorf("history %q, want %q", banktest.Join(got), want)
	}
	e.Clock.Add(2 * time.Hour)
	if rep, err := e.Bank.Accounts.SweepDormancy(context.Background()); err != nil || rep.FreezesLifted != 0 {
		t.Errorf("sweep after unfreeze: %+v, %v; want no freeze lifted", rep, err)
	}
}
