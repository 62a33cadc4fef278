package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services/notify"
	"github.com/accountd/accountd/store/storetest"
)

// callResult runs `accountd call METHOD -` with payload on stdin and
// decodes the result into out; a JSON-RPC error fails the test.
func callResult(t *testing.T, in *instance, method, payload string, out any) {
	t.Helper()
	got, errOut, err := runCmd(t, payload, "call", method, "-", "--key", in.alphaKey, "--url", in.url)
	if err != nil {
		t.Fatalf("%s: %v\n%s%s", method, err, got, errOut)
	}
	var resp client.Response
	if err := json.Unmarshal([]byte(got), &resp); err != nil || resp.Error != nil {
		t.Fatalf("%s: %v\n%s", method, err, got)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Result, out); err != nil {
			t.Fatalf("%s result: %v\n%s", method, err, got)
		}
	}
}

// addKenyanCustomer adds a customer with a national ID and a mobile number,
// and a KES wallet; it returns the national ID and the account number.
func addKenyanCustomer(t *testing.T, in *instance, nationalID, phone string) (string, string) {
	t.Helper()
	var c struct{ ID string }
	callResult(t, in, "CustomerService.AddCustomer", `{"type":"INDIVIDUAL","firstName":"Wanjiru","lastName":"Kamau","DOB":"19880304",
		"identification":[{"type":"NATIONAL_ID","value":"`+nationalID+`"}],"contact":{"phoneNumber":"`+phone+`"}}`, &c)
	var a struct{ AccountNumber string }
	callResult(t, in, "CustomerService.AddAccount", `{"customerID":"`+c.ID+`","name":"WANJIRU","accountType":"WALLET","currency":"KES"}`, &a)
	return nationalID, a.AccountNumber
}

// TestSweepDormancyCommand runs `accountd sweep dormancy` as an operator
// would while the server runs, letting the services' clock move on.
func TestSweepDormancyCommand(t *testing.T) {
	clock := useShiftClock(t)
	in := start(t)
	_, account := addKenyanCustomer(t, in, "31234567", "+254711000111")
	sweep := func(extra ...string) string {
		t.Helper()
		args := append([]string{"sweep", "dormancy", "--database.driver", driver, "--database.dsn", in.db}, extra...)
		return mustRun(t, args...)
	}
	want := func(dormant, lifted, days int) string {
		return fmt.Sprintf("dormancy sweep: made DORMANT: %d (no customer activity for %d days); expired freezes lifted: %d\n", dormant, days, lifted)
	}
	if got := sweep(); got != want(0, 0, 180) {
		t.Errorf("a sweep with nothing to do printed %q, want %q", got, want(0, 0, 180))
	}

	// A freeze that expires in an hour is lifted by the first sweep after it.
	expires := clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	callResult(t, in, "AccountService.FreezeAccount", `{"accountNumber":"`+account+`","reasonCode":"LOST_DEVICE","expiresAt":"`+expires+`"}`, nil)
	clock.advance(2 * time.Hour)
	if got := sweep(); got != want(0, 1, 180) {
		t.Errorf("after the freeze expired: %q, want %q", got, want(0, 1, 180))
	}

	// 181 days later the account is dormant, unless dormancy.days says more.
	clock.advance(181 * 24 * time.Hour)
	if got := sweep("--dormancy.days", "365"); got != want(0, 0, 365) {
		t.Errorf("with --dormancy.days 365: %q, want %q", got, want(0, 0, 365))
	}
	if got := sweep(); got != want(1, 0, 180) {
		t.Errorf("after 181 days: %q, want %q", got, want(1, 0, 180))
	}
	if got := sweep(); got != want(0, 0, 180) {
		t.Errorf("a second sweep: %q, want %q", got, want(0, 0, 180))
	}
	var d struct{ Status string }
	callResult(t, in, "AccountService.GetDetails", `{"accountId":"`+account+`"}`, &d)
	if d.Status != "DORMANT" {
		t.Errorf("the swept account is %s, want DORMANT", d.Status)
	}
	// The sweeps' changes are in the audit chain, and it is intact.
	if out := mustRun(t, "audit", "verify", "--database.driver", driver, "--database.dsn", in.db); !strings.HasPrefix(out, "OK: ") {
		t.Errorf("audit verify after the sweeps:\n%s", out)
	}
	for _, args := range [][]string{{"sweep"}, {"sweep", "accounts"}} {
		if _, _, err := runCmd(t, "", args...); exitCode(err) != 2 {
			t.Errorf("accountd %v: %v, want a usage error", args, err)
		}
	}
}

// gateway is an SMS gateway for the webhook channel: it refuses the first
// delivery of each message with 500 and accepts the retry.
type gateway struct {
	t      *testing.T
	secret string

	mu       sync.Mutex
	attempts map[string]int    // by Idempotency-Key
	codes    map[string]string // requestId/purpose -> code, once accepted
	bodies   []map[string]string
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ts, sig := r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature)
	if !notify.Verify(g.secret, ts, sig, body) {
		g.t.Errorf("a webhook request whose signature does not verify: %s %s", ts, sig)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		g.t.Errorf("webhook body: %v: %s", err, body)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	key := r.Header.Get(notify.HeaderIdempotencyKey)
	g.attempts[key]++
	if g.attempts[key] == 1 {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	s := map[string]string{}
	for k, v := range m {
		s[k] = fmt.Sprint(v)
	}
	g.bodies = append(g.bodies, s)
	g.codes[s["requestId"]+"/"+s["purpose"]] = s["code"]
}

// code waits up to 15 s for the gateway to accept the message.
func (g *gateway) code(requestID, purpose string) string {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		code, ok := g.codes[requestID+"/"+purpose]
		g.mu.Unlock()
		if ok {
			return code
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.t.Fatalf("the gateway accepted no %s code for %s within 15 s", purpose, requestID)
	return ""
}

// TestWebhookChannel delivers a one-time code through the webhook channel to
// a gateway that fails the first delivery: the dispatcher retries, both
// requests are signed with otp.webhook_secret, and the code the gateway
// received confirms the operation. Nothing of it reaches the console or
// the log.
func TestWebhookChannel(t *testing.T) {
	const secret = "gateway-secret-0123456789"
	gw := &gateway{t: t, secret: secret, attempts: map[string]int{}, codes: map[string]string{}}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "accountd.yaml")
	if err := os.WriteFile(cfg, []byte("otp:\n  webhook_secret: "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	console := &syncBuffer{}
	in := startOut(t, console, "--config", cfg, "--otp.channel", "webhook", "--otp.webhook_url", srv.URL+"/sms")

	doc, _ := addKenyanCustomer(t, in, "32345678", "+254712000222")
	var op struct{ RequestID string }
	callResult(t, in, "VerificationService.VerifyEmailOrMobile", `{"onboardType":"personal","personalIdType":101,"documentNumber":"`+doc+`","verifyType":"mobile"}`, &op)
	code := gw.code(op.RequestID, "OTP")

	var done struct{ Status, Verified string }
	callResult(t, in, "VerificationService.ConfirmOTP", `{"requestId":"`+op.RequestID+`","otp":"`+code+`"}`, &done)
	if done.Status != "COMPLETED" || done.Verified != "mobile" {
		t.Errorf("ConfirmOTP with the gateway's code: %+v", done)
	}

	gw.mu.Lock()
	defer gw.mu.Unlock()
	if len(gw.bodies) != 1 {
		t.Fatalf("the gateway accepted %d messages, want 1", len(gw.bodies))
	}
	b := gw.bodies[0]
	if b["to"] != "+254712000222" || b["channel"] != "sms" || b["purpose"] != "OTP" || !strings.Contains(b["text"], code) {
		t.Errorf("the accepted message: %v", b)
	}
	for key, n := range gw.attempts {
		if n != 2 {
			t.Errorf("message %s was delivered %d times, want 2 (refused, then retried)", key, n)
		}
	}
	if strings.Contains(console.String(), "OTP ") {
		t.Errorf("the webhook channel printed codes on the console:\n%s", console.String())
	}
	logs := in.logs.String()
	if strings.Contains(logs, code) || strings.Contains(logs, "+254712000222") || strings.Contains(logs, secret) {
		t.Errorf("the code, the number or the secret is in the log:\n%s", logs)
	}
	if !strings.Contains(logs, "status 500") {
		t.Errorf("the failed delivery is not logged:\n%s", logs)
	}
}

// TestServeNeedsAnOTPChannel: a server does not start without a delivery
// channel for one-time codes, so that no production server prints codes on
// its console by default; the demo uses the console.
func TestServeNeedsAnOTPChannel(t *testing.T) {
	_, _, err := runCmd(t, "", "serve", "--database.driver", driver, "--database.dsn", storetest.DSN(t), "--server.addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "otp.channel is not set") {
		t.Fatalf("serve without otp.channel: %v", err)
	}
}
