package rpc_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/rpc/ratelimit"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/partner"
)

// TestCapturedRequestsCannotBeReplayed sends captured data-changing
// requests again as an attacker would: as they were, under a new id and to
// another method. None has an effect.
func TestCapturedRequestsCannotBeReplayed(t *testing.T) {
	s := newServer(t, rpc.Options{})
	customerID, acct := s.seed(s.alpha, "123456789", "dave@example.com")

	// A captured request that was refused (the account was not frozen) is
	// refused again once a freeze is in force: its id keeps the refusal.
	early, err := s.alpha.Envelope("AccountService.UnfreezeAccount", json.RawMessage(`"u-0"`), []byte(`{"accountNumber":"`+acct+`","reason":"customer found the phone"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, refused := s.post(early)
	if _, e := errorOf(t, refused); e == nil || e.Code != 2012 {
		t.Fatalf("unfreeze of an account not frozen: %s, want 2012", refused)
	}

	s.mustCall(s.alpha, "AccountService.FreezeAccount", `"f-1"`, map[string]string{"accountNumber": acct, "reasonCode": "LOST_DEVICE"}, nil)
	if _, again := s.post(early); string(again) != string(refused) {
		t.Fatalf("the refused unfreeze sent again once the account is frozen: %s, want the first refusal %s", again, refused)
	}
	var frozen account.AccountDetails
	s.mustCall(s.alpha, "AccountService.GetDetails", `"d0"`, map[string]string{"accountId": acct}, &frozen)
	if frozen.FreezeStatus == 0 {
		t.Fatal("a captured refused request lifted a later freeze")
	}
	unfreeze, err := s.alpha.Envelope("AccountService.UnfreezeAccount", json.RawMessage(`"u-1"`), []byte(`{"accountNumber":"`+acct+`","reason":"customer found the phone"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, first := s.post(unfreeze)
	if r, e := errorOf(t, first); e != nil {
		t.Fatalf("unfreeze: %+v", r.Error)
	}
	s.mustCall(s.alpha, "AccountService.FreezeAccount", `"f-2"`, map[string]string{"accountNumber": acct, "reasonCode": "COURT_ORDER"}, nil)

	open, err := s.alpha.Envelope("CustomerService.AddAccount", json.RawMessage(`"a-1"`),
		[]byte(`{"customerID":"`+customerID+`","name":"DAVE","accountType":"WALLET","currency":"USD"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, opened := s.post(open)

	fresh := time.Now().Add(time.Second).UTC().Format(partner.TimestampLayout)
	const notRun = -1 // a notification of a data-changing method: 204, not run
	tests := []struct {
		name     string
		body     []byte
		wantCode int    // 0: the first answer again
		want     []byte // the first answer
	}{
		{"unfreeze as it was", unfreeze, 0, first},
		{"unfreeze under a new id", replace(unfreeze, `"id":"u-1"`, `"id":"u-2"`), rpc.CodeInvalidSignature, nil},
		{"unfreeze under a numeric id", replace(unfreeze, `"id":"u-1"`, `"id":7`), rpc.CodeInvalidSignature, nil},
		{"unfreeze under the same id written otherwise", replace(unfreeze, `"id":"u-1"`, `"id":"\u0075-1"`), rpc.CodeInvalidSignature, nil},
		{"unfreeze sent to FreezeAccount", replace(unfreeze, "UnfreezeAccount", "FreezeAccount"), rpc.CodeInvalidSignature, nil},
		{"unfreeze with a fresh timestamp", reTimestamp.ReplaceAll(unfreeze, []byte(`"timestamp":"`+fresh+`"`)), rpc.CodeInvalidSignature, nil},
		{"unfreeze without its id", replace(unfreeze, `,"id":"u-1"`, ``), notRun, nil},
		{"account opening as it was", open, 0, opened},
		{"account opening under a new id", replace(open, `"id":"a-1"`, `"id":"a-2"`), rpc.CodeInvalidSignature, nil},
		{"account opening with a null id", replace(open, `"id":"a-1"`, `"id":null`), rpc.CodeInvalidRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 3 {
				status, body := s.post(tt.body)
				switch tt.wantCode {
				case notRun:
					if status != http.StatusNoContent {
						t.Fatalf("HTTP %d %s, want 204", status, body)
					}
				case 0:
					if string(body) != string(tt.want) {
						t.Fatalf("got %s, want the first answer %s", body, tt.want)
					}
				default:
					if _, e := errorOf(t, body); e == nil || e.Code != tt.wantCode {
						t.Fatalf("got %s, want code %d", body, tt.wantCode)
					}
				}
			}
		})
	}
	var d account.AccountDetails
	s.mustCall(s.alpha, "AccountService.GetDetails", `"d"`, map[string]string{"accountId": acct}, &d)
	if d.FreezeStatus == 0 {
		t.Errorf("the COURT_ORDER freeze was lifted by a captured request: %+v", d)
	}
	var list struct{ Total int }
	s.mustCall(s.alpha, "AccountService.ListAccounts", `"l"`, map[string]string{"customerID": customerID}, &list)
	if list.Total != 2 {
		t.Errorf("the customer has %d accounts, want 2 (the seed's and one opened once)", list.Total)
	}
}

var (
	reTimestamp  = regexp.MustCompile(`"timestamp":"[^"]*"`)
	reServerTime = regexp.MustCompile(`the server's time is \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z; params.api.timestamp must be within 5m0s of it`)
)

// replace is body with old replaced by new once.
func replace(body []byte, old, new string) []byte {
	return []byte(strings.Replace(string(body), old, new, 1))
}

// TestTimestampWindow refuses timestamps outside auth.max_clock_skew with
// -32007 saying the server's time, and malformed ones with -32602.
func TestTimestampWindow(t *testing.T) {
	s := newServer(t, rpc.Options{})
	_, acct := s.seed(s.alpha, "123456789", "dave@example.com")
	payload := []byte(`{"accountId":"` + acct + `"}`)
	tests := []struct {
		name     string
		shift    time.Duration
		wantCode int
	}{
		{"now", 0, 0},
		{"four minutes old", -4 * time.Minute, 0},
		{"six minutes old", -6 * time.Minute, rpc.CodeTimestampRejected},
		{"six minutes ahead", 6 * time.Minute, rpc.CodeTimestampRejected},
		{"a year old", -365 * 24 * time.Hour, rpc.CodeTimestampRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := *s.alpha
			key.Now = func() time.Time { return time.Now().Add(tt.shift) }
			body, _ := key.Envelope("AccountService.GetDetails", json.RawMessage(`"w"`), payload)
			_, resp := s.post(body)
			_, e := errorOf(t, resp)
			switch {
			case tt.wantCode == 0 && e != nil:
				t.Fatalf("error %+v, want a result", e)
			case tt.wantCode == 0:
			case e == nil || e.Code != tt.wantCode || e.Data == nil || e.Data.Reason != "TIMESTAMP_OUT_OF_WINDOW":
				t.Fatalf("got %s, want %d TIMESTAMP_OUT_OF_WINDOW", resp, tt.wantCode)
			case !reServerTime.MatchString(e.Data.Detail):
				t.Fatalf("detail %q does not say the server's time", e.Data.Detail)
			}
		})
	}
	for _, ts := range []string{`"2026-12-07 10:15:30"`, `"2026-12-07T17:15:30+07:00"`, `1796640930`, `null`, `""`, `"` + strings.Repeat("9", 100) + `"`} {
		t.Run("timestamp "+ts[:min(len(ts), 30)], func(t *testing.T) {
			body, _ := s.alpha.Envelope("AccountService.GetDetails", json.RawMessage(`"w"`), payload)
			bad := reTimestamp.ReplaceAll(body, []byte(`"timestamp":`+ts))
			if string(bad) == string(body) {
				t.Fatal("the timestamp was not replaced")
			}
			_, resp := s.post(bad)
			_, e := errorOf(t, resp)
			if e == nil || e.Code != rpc.CodeInvalidParams || e.Data == nil || len(e.Data.Fields) != 1 ||
				e.Data.Fields[0].Field != "params.api.timestamp" || e.Data.Fields[0].Reason != services.ReasonInvalidFormat {
				t.Fatalf("got %s, want -32602 naming params.api.timestamp INVALID_FORMAT", resp)
			}
		})
	}
}

// TestPayloadOnlySignaturesAreCounted counts calls accepted with NetXD's
// payload-only form, and the active keys by policy.
func TestPayloadOnlySignaturesAreCounted(t *testing.T) {
	metrics := rpc.NewMetrics(nil)
	metrics.CountKeys(func() (map[string]int, error) { return map[string]int{"V2": 2, "NETXD": 1}, nil })
	s := newServer(t, rpc.Options{Metrics: metrics})
	_, acct := s.seed(s.alpha, "123456789", "dave@example.com")
	netxd := s.newKeyWith("alpha", partner.KeyOptions{Signature: partner.SignatureNetXD})
	netxd.PayloadOnly = true
	for range 3 {
		s.mustCall(netxd, "AccountService.GetDetails", `"p"`, map[string]string{"accountId": acct}, nil)
		s.mustCall(s.alpha, "AccountService.GetDetails", `"v"`, map[string]string{"accountId": acct}, nil)
	}
	resp, err := http.Get(strings.TrimSuffix(s.url, "/jsonrpc") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"accountd_payload_only_signatures_total 3", `accountd_active_keys{signature="NETXD"} 1`, `accountd_active_keys{signature="V2"} 2`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestForgedRequestsAndTheRateLimit: requests with a valid key and
// credential but a bad signature (forged, or stale copies of a captured
// request) cost the partner nothing; a flood of forgeries makes the key
// suspect, and its requests are then counted, before their signature is
// checked, in an allowance of the key's own, so the flood costs no more
// signature checks than the tier allows and leaves the partner's
// allowance, and its other keys, alone.
func TestForgedRequestsAndTheRateLimit(t *testing.T) {
	const tier = 30
	s := newServer(t, rpc.Options{Limiter: ratelimit.NewMemory(nil), Tiers: map[string]int{partner.TierBronze: tier}})
	_, acct := s.seed(s.alpha, "123456789", "dave@example.com") // 2 units of alpha's allowance
	payload := []byte(`{"accountId":"` + acct + `"}`)
	post := func(k *client.KeyFile, signature string, shift time.Duration) int {
		t.Helper()
		key := *k
		key.Now = func() time.Time { return time.Now().Add(shift) }
		body, _ := key.Envelope("AccountService.GetDetails", json.RawMessage(`"x"`), payload)
		if signature != "" {
			body = regexp.MustCompile(`"signature":"[^"]*"`).ReplaceAll(body, []byte(`"signature":"`+signature+`"`))
		}
		_, resp := s.post(body)
		if _, e := errorOf(t, resp); e != nil {
			return e.Code
		}
		return 0
	}
	forged := func(k *client.KeyFile) int { return post(k, "AAAA", 0) }
	valid := func(k *client.KeyFile) int { return post(k, "", 0) }

	// A few forgeries and many stale copies cost alpha nothing.
	for i := range 15 {
		if code := forged(s.alpha); code != rpc.CodeInvalidSignature {
			t.Fatalf("forged request %d: code %d, want -32002", i, code)
		}
	}
	for i := range 40 {
		if code := post(s.alpha, "", -10*time.Minute); code != rpc.CodeTimestampRejected {
			t.Fatalf("stale copy %d: code %d, want -32007", i, code)
		}
	}
	for i := range tier - 2 {
		if code := valid(s.alpha); code != 0 {
			t.Fatalf("valid call %d after forged and stale ones: code %d; they were charged", i, code)
		}
	}
	if code := valid(s.alpha); code != rpc.CodeRateLimited {
		t.Fatalf("a call past the allowance: code %d, want -32004", code)
	}

	// A flood against one of beta's keys: past 20 failures a minute, its
	// requests are counted first, so past the tier they are refused
	// unchecked; beta's allowance and its other key are untouched.
	flooded := s.newKey("beta")
	codes := map[int]int{}
	for range 20 + tier + 10 {
		codes[forged(flooded)]++
	}
	if codes[rpc.CodeInvalidSignature] != 20+tier || codes[rpc.CodeRateLimited] != 10 {
		t.Fatalf("a flood of forged requests got %v, want %d -32002 and 10 -32004", codes, 20+tier)
	}
	for i := range tier {
		if code := valid(s.beta); code != 2001 { // alpha's account: not found for beta, but answered
			t.Fatalf("beta's other key, call %d after the flood: code %d; want its whole allowance", i, code)
		}
	}
}
