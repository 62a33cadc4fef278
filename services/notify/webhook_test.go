package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const testSecret = "gateway-secret"

// received is one request as the test receiver saw it.
type received struct {
	method, contentType, timestamp, signature, idempotencyKey string
	body                                                      []byte
}

// receiver is a test gateway answering the given statuses in turn (the last
// one repeats) and recording what it received.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	requests []received
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.requests = append(rc.requests, received{
		method:         r.Method,
		contentType:    r.Header.Get("Content-Type"),
		timestamp:      r.Header.Get("X-Accountd-Timestamp"),
		signature:      r.Header.Get("X-Accountd-Signature"),
		idempotencyKey: r.Header.Get("Idempotency-Key"),
		body:           body,
	})
	status := rc.statuses[min(len(rc.requests), len(rc.statuses))-1]
	rc.mu.Unlock()
	if status == http.StatusFound {
		w.Header().Set("Location", "/elsewhere")
	}
	w.WriteHeader(status)
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...)
}

func newTestWebhook(rawURL string, client *http.Client) *Webhook {
	w := NewWebhook(rawURL, testSecret, client)
	w.Now = func() time.Time { return time.Unix(1740830400, 0) }
	return w
}

func TestWebhookRequest(t *testing.T) {
	rc := &receiver{statuses: []int{http.StatusOK}}
	srv := httptest.NewServer(rc)
	defer srv.Close()

	if err := newTestWebhook(srv.URL+"/otp", nil).Send(context.Background(), testMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	reqs := rc.received()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	got := reqs[0]
	for _, h := range []struct{ name, got, want string }{
		{"method", got.method, http.MethodPost},
		{"Content-Type", got.contentType, "application/json"},
		{"X-Accountd-Timestamp", got.timestamp, "1740830400"},
		{"Idempotency-Key", got.idempotencyKey, "42"},
	} {
		if h.got != h.want {
			t.Errorf("%s = %q, want %q", h.name, h.got, h.want)
		}
	}
	if !Verify(testSecret, got.timestamp, got.signature, got.body) {
		t.Errorf("Verify(signature %q) = false, want true", got.signature)
	}
	if Verify("other-secret", got.timestamp, got.signature, got.body) {
		t.Error("Verify with another secret = true, want false")
	}

	var body map[string]any
	if err := json.Unmarshal(got.body, &body); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	want := map[string]any{
		"messageId": float64(42),
		"requestId": "req-1",
		"channel":   "sms",
		"to":        "+40721234567",
		"purpose":   "OTP",
		"code":      "123456",
		"text":      "Your code is 123456",
		"expiresAt": "2025-03-01T11:05:00Z",
	}
	if len(body) != len(want) {
		t.Errorf("body has %d fields, want %d: %s", len(body), len(want), got.body)
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%q] = %v, want %v", k, body[k], v)
		}
	}
}

func TestWebhookStatuses(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		// wantErrs is the outcome of each Send: "" delivered, "retry" or "permanent".
		wantErrs []string
	}{
		{name: "200", statuses: []int{200}, wantErrs: []string{""}},
		{name: "204", statuses: []int{204}, wantErrs: []string{""}},
		{name: "500 then 200", statuses: []int{500, 200}, wantErrs: []string{"retry", ""}},
		{name: "503", statuses: []int{503}, wantErrs: []string{"retry"}},
		{name: "400", statuses: []int{400}, wantErrs: []string{"permanent"}},
		{name: "404", statuses: []int{404}, wantErrs: []string{"permanent"}},
		{name: "408", statuses: []int{408}, wantErrs: []string{"retry"}},
		{name: "429 then 200", statuses: []int{429, 200}, wantErrs: []string{"retry", ""}},
		{name: "302 is not followed", statuses: []int{302}, wantErrs: []string{"retry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &receiver{statuses: tt.statuses}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			w := newTestWebhook(srv.URL, nil)
			for i, want := range tt.wantErrs {
				err := w.Send(context.Background(), testMessage())
				if got := outcome(err); got != want {
					t.Errorf("Send #%d: error %v is %q, want %q", i+1, err, got, want)
				}
				assertSafe(t, err)
			}
			reqs := rc.received()
			if len(reqs) != len(tt.wantErrs) {
				t.Fatalf("receiver got %d requests, want %d", len(reqs), len(tt.wantErrs))
			}
			for i, r := range reqs {
				if r.idempotencyKey != "42" {
					t.Errorf("request #%d Idempotency-Key = %q, want %q", i+1, r.idempotencyKey, "42")
				}
			}
		})
	}
}

func TestWebhookTransportErrors(t *testing.T) {
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hanging.Close()
	defer close(release)

	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name       string
		url        string
		ctx        context.Context
		client     *http.Client
		wantText   string
		wantIs     error
		wantResult string
	}{
		{name: "hanging receiver", url: hanging.URL + "/otp?token=abc", ctx: context.Background(),
			client: &http.Client{Timeout: 100 * time.Millisecond}, wantText: "timeout", wantResult: "retry"},
		{name: "context deadline", url: hanging.URL, ctx: timeoutContext(t, 100*time.Millisecond),
			wantText: "timeout", wantIs: context.DeadlineExceeded, wantResult: "retry"},
		{name: "cancelled context", url: hanging.URL, ctx: cancelled,
			wantText: "canceled", wantIs: context.Canceled, wantResult: "retry"},
		{name: "connection refused", url: closedURL, ctx: context.Background(),
			wantText: "connection failed", wantResult: "retry"},
		{name: "invalid url", url: "not a url", ctx: context.Background(),
			wantText: "invalid url", wantIs: ErrPermanent, wantResult: "permanent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newTestWebhook(tt.url, tt.client).Send(tt.ctx, testMessage())
			if got := outcome(err); got != tt.wantResult {
				t.Fatalf("Send: error %v is %q, want %q", err, got, tt.wantResult)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not contain %q", err, tt.wantText)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false, want true", err, tt.wantIs)
			}
			assertSafe(t, err)
			if u, perr := url.Parse(tt.url); perr == nil && u.Host != "" && !strings.Contains(err.Error(), u.Host) {
				t.Errorf("error %q does not name the host %q", err, u.Host)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"messageId":1}`)
	good := Sign("s3cret", "1700000000", body)
	tests := []struct {
		name            string
		secret, ts, sig string
		body            []byte
		want            bool
	}{
		{name: "valid", secret: "s3cret", ts: "1700000000", sig: good, body: body, want: true},
		{name: "upper-case hex", secret: "s3cret", ts: "1700000000", sig: "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body: body, want: true},
		{name: "wrong secret", secret: "other", ts: "1700000000", sig: good, body: body},
		{name: "wrong timestamp", secret: "s3cret", ts: "1700000001", sig: good, body: body},
		{name: "changed body", secret: "s3cret", ts: "1700000000", sig: good, body: []byte(`{"messageId":2}`)},
		{name: "no prefix", secret: "s3cret", ts: "1700000000", sig: strings.TrimPrefix(good, "sha256="), body: body},
		{name: "not hex", secret: "s3cret", ts: "1700000000", sig: "sha256=zz", body: body},
		{name: "empty", secret: "s3cret", ts: "1700000000", sig: "", body: body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(tt.secret, tt.ts, tt.sig, tt.body); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSignKnownValue pins the signature format so that gateways written in
// other languages can check theirs against it.
func TestSignKnownValue(t *testing.T) {
	// HMAC-SHA256 keyed with "key" over "1.body", computed independently.
	want := "sha256=91b5374b153842ad05b2c4eab9349b8321b14703165bd3fb8b034dfb8be98ae5"
	if got := Sign("key", "1", []byte("body")); got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func outcome(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrPermanent):
		return "permanent"
	default:
		return "retry"
	}
}

// assertSafe fails if err's text carries the code, the destination, the
// text or the URL's path and query.
func assertSafe(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	m := testMessage()
	for _, secret := range []string{m.Code, m.To, m.Text, "/otp", "token", "{"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains %q", err, secret)
		}
	}
}

func timeoutContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
