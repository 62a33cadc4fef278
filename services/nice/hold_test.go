package nice_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/nice"
)

// TestNiceHolds: check, hold, release, expiry, and the numbers an account
// already has.
func TestNiceHolds(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t, func(s *bank.Settings) { s.NiceReserved = map[string]bool{"999999": true} })
	alice := e.AddCustomer(t, e.Alpha, banktest.Kenyan("48000001", "+254712000081", "n81@example.com"))
	bob := e.AddCustomer(t, e.Beta, banktest.Kenyan("48000002", "+254712000082", "n82@example.com"))
	check := func(number string) nice.NiceNumberInfo {
		t.Helper()
		info, err := e.Bank.Nice.CheckNiceNumber(ctx, e.Alpha, nice.CheckNiceNumberInput{Number: number})
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	if info := check("20246666"); !info.Available || info.Category != nice.NiceFourOfAKind || info.FeeMinor != 2_000_000 || info.Fee != "2000000.00" || info.Currency != "VND" {
		t.Fatalf("check: %+v", info)
	}
	if info := check("999999"); info.Available || info.Status != nice.NiceReserved {
		t.Fatalf("reserved: %+v", info)
	}
	if _, err := e.Bank.Nice.HoldNiceNumber(ctx, e.Alpha, nice.HoldNiceNumberInput{Number: "999999", CustomerID: alice}); !errors.Is(err, nice.ErrNiceNumberReserved) {
		t.Fatalf("holding a reserved number: %v", err)
	}
	hold, err := e.Bank.Nice.HoldNiceNumber(ctx, banktest.With(e.Alpha, "AccountService.HoldNiceNumber", ""), nice.HoldNiceNumberInput{Number: "20246666", CustomerID: alice})
	if err != nil || hold.NiceNumber.Status != nice.NiceHeldNow || hold.ExpiresAt != e.Clock.Now().Add(15*time.Minute).Unix() {
		t.Fatalf("hold: %+v, %v", hold, err)
	}
	if info := check("20246666"); info.Available || info.Status != nice.NiceHeldNow {
		t.Fatalf("after the hold: %+v", info)
	}
	if _, err := e.Bank.Nice.HoldNiceNumber(ctx, e.Beta, nice.HoldNiceNumberInput{Number: "20246666", CustomerID: bob}); !errors.Is(err, nice.ErrNiceNumberHeld) {
		t.Fatalf("another partner holding it: %v", err)
	}
	if _, err := e.Bank.Nice.ReleaseNiceNumber(ctx, e.Beta, nice.ReleaseNiceNumberInput{Number: "20246666"}); !errors.Is(err, nice.ErrNiceHoldNotFound) {
		t.Fatalf("another partner releasing it: %v", err)
	}
	// The hold expires by itself: then anyone may hold the number.
	e.Clock.Add(15 * time.Minute)
	if info := check("20246666"); !info.Available {
		t.Fatalf("after expiry: %+v", info)
	}
	if _, err := e.Bank.Nice.ReleaseNiceNumber(ctx, e.Alpha, nice.ReleaseNiceNumberInput{Number: "20246666"}); !errors.Is(err, nice.ErrNiceHoldNotFound) {
		t.Fatalf("releasing an expired hold: %v", err)
	}
	if _, err := e.Bank.Nice.HoldNiceNumber(ctx, e.Beta, nice.HoldNiceNumberInput{Number: "20246666", CustomerID: bob}); err != nil {
		t.Fatalf("holding after expiry: %v", err)
	}
	if _, err := e.Bank.Nice.ReleaseNiceNumber(ctx, e.Beta, nice.ReleaseNiceNumberInput{Number: "20246666"}); err != nil {
		t.Fatalf("release: %v", err)
	}
	if info := check("20246666"); !info.Available {
		t.Fatalf("after release: %+v", info)
	}
	// A generated account number is 15 digits, never a nice number; a
	// customer's own phone number is one, and priced as such.
	if info, err := e.Bank.Nice.CheckNiceNumber(ctx, e.Alpha, nice.CheckNiceNumberInput{Number: "0712000081", CustomerID: alice}); err != nil || !slices.Contains(info.Features, nice.NicePhone) {
		t.Fatalf("her phone as a number: %+v, %v", info, err)
	}
	for _, bad := range []string{"12345", "1234567890123", "12a456", ""} {
		if _, err := e.Bank.Nice.CheckNiceNumber(ctx, e.Alpha, nice.CheckNiceNumberInput{Number: bad}); banktest.FieldReasons(err) == nil {
			t.Errorf("number %q accepted", bad)
		}
	}
	if _, err := e.Bank.Nice.HoldNiceNumber(ctx, e.Alpha, nice.HoldNiceNumberInput{Number: "123456", CustomerID: bob}); !errors.Is(err, customer.ErrCustomerNotFound) {
		t.Fatalf("another partner's customer: %v", err)
	}
}

// TestNiceHoldRace: two partners hold the same number at the same instant,
// twenty times over: exactly one wins each time, the other is told it is
// held.
func TestNiceHoldRace(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	alice := e.AddCustomer(t, e.Alpha, banktest.Kenyan("49000001", "+254712000091", "r91@example.com"))
	bob := e.AddCustomer(t, e.Beta, banktest.Kenyan("49000002", "+254712000092", "r92@example.com"))
	for round := range 20 {
		number := fmt.Sprintf("6868%04d", round)
		var wins, held int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, p := range []struct {
			call     services.Call
			customer string
		}{{e.Alpha, alice}, {e.Beta, bob}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.Bank.Nice.HoldNiceNumber(ctx, p.call, nice.HoldNiceNumberInput{Number: number, CustomerID: p.customer})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, nice.ErrNiceNumberHeld):
					held++
				default:
					t.Errorf("round %d: %v", round, err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || held != 1 {
			t.Fatalf("round %d: %d won, %d told it is held; want exactly one each", round, wins, held)
		}
	}
}
