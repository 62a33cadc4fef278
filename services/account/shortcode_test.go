package account_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
)

const shortCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

func applyShortCode(e *banktest.Env, call services.Call, number string) (account.ShortCodeResult, error) {
	return e.Bank.Accounts.ApplyShortCode(context.Background(), banktest.With(call, "AccountService.ApplyShortCode", ""), account.ShortCodeInput{AccountID: number})
}

func validShortCode(code string) bool {
	return len(code) == 6 && strings.Trim(code, shortCodeAlphabet) == ""
}

func TestShortCodes(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	owner := e.AddCustomer(t, e.Alpha, banktest.Dave())
	number := e.OpenAccount(t, e.Alpha, owner, "CHECKING", "USD", "")
	bare := e.OpenAccount(t, e.Alpha, owner, "CHECKING", "USD", "")
	foreign := e.OpenAccount(t, e.Beta, e.AddCustomer(t, e.Beta, banktest.Dave()), "CHECKING", "USD", "")
	if _, err := applyShortCode(e, e.Beta, foreign); err != nil {
		t.Fatal(err)
	}

	res, err := applyShortCode(e, e.Alpha, number)
	if err != nil || !validShortCode(res.ShortCode) || res.AccountID != number || res.AccountName != "MAIN" {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	code := res.ShortCode
	if _, err := applyShortCode(e, e.Alpha, number); !errors.Is(err, account.ErrShortCodeExists) {
		t.Fatalf("apply twice: got %v, want ErrShortCodeExists", err)
	}
	if got, err := e.Bank.Accounts.GetShortCode(ctx, e.Alpha, account.ShortCodeInput{AccountID: number}); err != nil || got != res {
		t.Fatalf("get: %+v, %v; want %+v", got, err, res)
	}
	if d := e.Details(t, e.Alpha, number); d.ShortCode != code {
		t.Fatalf("details short code %q, want %q", d.ShortCode, code)
	}

	lookups := []struct {
		name      string
		call      services.Call
		code      string
		wantErr   error
		wantField string
	}{
		{name: "as given", call: e.Alpha, code: code},
		{name: "lower case", call: e.Alpha, code: strings.ToLower(code)},
		{name: "with a dash and spaces", call: e.Alpha, code: " " + strings.ToLower(code[:3]) + "-" + code[3:] + " "},
		{name: "another partner's code", call: e.Alpha, code: mustShortCode(t, e, e.Beta, foreign), wantErr: account.ErrShortCodeNotFound},
		{name: "by another partner", call: e.Beta, code: code, wantErr: account.ErrShortCodeNotFound},
		{name: "letters outside the alphabet", call: e.Alpha, code: "ABCDE0", wantErr: services.ErrInvalidInput, wantField: "shortCode:INVALID_FORMAT"},
		{name: "too short", call: e.Alpha, code: "ABCDE", wantErr: services.ErrInvalidInput, wantField: "shortCode:INVALID_FORMAT"},
		{name: "empty", call: e.Alpha, code: "", wantErr: services.ErrInvalidInput, wantField: "shortCode:REQUIRED"},
	}
	for _, tt := range lookups {
		got, err := e.Bank.Accounts.GetAccountByShortCode(ctx, tt.call, account.GetAccountByShortCodeInput{ShortCode: tt.code})
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if f := banktest.Join(banktest.FieldReasons(err)); f != tt.wantField {
			t.Errorf("%s: field errors %q, want %q", tt.name, f, tt.wantField)
		}
		if err == nil && got != res {
			t.Errorf("%s: %+v, want %+v", tt.name, got, res)
		}
	}

	refusals := []struct {
		name    string
		err     error
		wantErr error
	}{
		{name: "get an account without a code", err: errOf(e.Bank.Accounts.GetShortCode(ctx, e.Alpha, account.ShortCodeInput{AccountID: bare})), wantErr: account.ErrShortCodeNotFound},
		{name: "apply to another partner's account", err: errOf(applyShortCode(e, e.Beta, number)), wantErr: account.ErrAccountNotFound},
		{name: "get another partner's account", err: errOf(e.Bank.Accounts.GetShortCode(ctx, e.Beta, account.ShortCodeInput{AccountID: number})), wantErr: account.ErrAccountNotFound},
		{name: "malformed account", err: errOf(applyShortCode(e, e.Alpha, "ABC")), wantErr: services.ErrInvalidInput},
	}
	for _, r := range refusals {
		if !errors.Is(r.err, r.wantErr) {
			t.Errorf("%s: got %v, want %v", r.name, r.err, r.wantErr)
		}
	}

	// A closed account keeps its code and gets no new one.
	e.ChangeStatus(t, e.Alpha, number, "CLOSED")
	if got, err := e.Bank.Accounts.GetAccountByShortCode(ctx, e.Alpha, account.GetAccountByShortCodeInput{ShortCode: code}); err != nil || got.AccountID != number {
		t.Fatalf("closed account by its code: %+v, %v", got, err)
	}
	if got, err := e.Bank.Accounts.GetShortCode(ctx, e.Alpha, account.ShortCodeInput{AccountID: number}); err != nil || got.ShortCode != code {
		t.Fatalf("closed account's code: %+v, %v", got, err)
	}
	e.ChangeStatus(t, e.Alpha, bare, "CLOSED")
	if _, err := applyShortCode(e, e.Alpha, bare); !errors.Is(err, account.ErrAccountClosed) {
		t.Fatalf("apply to a closed account: got %v, want ErrAccountClosed", err)
	}
}

func mustShortCode(t *testing.T, e *banktest.Env, call services.Call, number string) string {
	t.Helper()
	res, err := e.Bank.Accounts.GetShortCode(context.Background(), call, account.ShortCodeInput{AccountID: number})
	if err != nil {
		t.Fatal(err)
	}
	return res.ShortCode
}

// errOf returns the error of a call's two results.
func errOf[T any](_ T, err error) error { return err }

func TestShortCodesDistinct(t *testing.T) {
	e := banktest.NewLifecycle(t)
	owner := e.AddCustomer(t, e.Alpha, banktest.Dave())
	seen := map[string]string{}
	for range 200 {
		number := e.OpenAccount(t, e.Alpha, owner, "WALLET", "USD", "")
		res, err := applyShortCode(e, e.Alpha, number)
		if err != nil {
			t.Fatal(err)
		}
		if !validShortCode(res.ShortCode) {
			t.Fatalf("code %q is not 6 characters of %s", res.ShortCode, shortCodeAlphabet)
		}
		if other, dup := seen[res.ShortCode]; dup {
			t.Fatalf("code %s given to %s and %s", res.ShortCode, other, number)
		}
		seen[res.ShortCode] = number
	}
}

// TestShortCodeCollision makes two services draw the same codes: the second
// finds its first code taken and draws again.
func TestShortCodeCollision(t *testing.T) {
	ctx := context.Background()
	seeded := func(e *banktest.Env) *bank.Bank {
		return bank.New(e.Store, bank.Settings{InstitutionID: "101115399"}, bank.WithClock(e.Clock),
			bank.WithRandom(rand.NewChaCha8([32]byte{1})))
	}
	// apply opens an account and gives it a code that svc draws.
	apply := func(t *testing.T, e *banktest.Env, owner string, svc *bank.Bank) string {
		t.Helper()
		number := e.OpenAccount(t, e.Alpha, owner, "WALLET", "USD", "")
		res, err := svc.Accounts.ApplyShortCode(ctx, e.Alpha, account.ShortCodeInput{AccountID: number})
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		return res.ShortCode
	}
	other := banktest.NewLifecycle(t)
	want := apply(t, other, other.AddCustomer(t, other.Alpha, banktest.Dave()), seeded(other))

	e := banktest.NewLifecycle(t)
	owner := e.AddCustomer(t, e.Alpha, banktest.Dave())
	if got := apply(t, e, owner, seeded(e)); got != want {
		t.Fatalf("seeded draws differ between databases: %s and %s", want, got)
	}
	if got := apply(t, e, owner, seeded(e)); got == want || !validShortCode(got) {
		t.Fatalf("second seeded service drew %s, want another valid code than %s", got, want)
	}
}
