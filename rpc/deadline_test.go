package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

// stallServer is a handler on a real database whose calls to
// AccountService.GetDetails for the account "wait-for-context" wait until
// their context ends (as a query would), and for "ignore-context" block
// until the test ends, whatever their context says. Every other call runs.
type stallServer struct {
	t       *testing.T
	h       *Handler
	url     string
	key     *client.KeyFile
	metrics *Metrics
	logs    *lockedBuffer
	account string
	started chan struct{} // a stalled call has begun

	mu  sync.Mutex
	ran []string // the methods dispatched, in order
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newStallServer(t *testing.T, opts Options) *stallServer {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	k, err := partner.NewPartners(st, nil).CreateKey(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	s := &stallServer{t: t, metrics: NewMetrics(nil), logs: &lockedBuffer{}, started: make(chan struct{}, 10),
		key: &client.KeyFile{KeyID: k.KeyID, Credential: k.Credential, PrivateKey: k.PrivateKeyPEM}}
	opts.Metrics = s.metrics
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399", IdempotencyTTL: time.Hour})
	s.h, err = NewHandler(svc, partner.NewAuthenticator(st, nil, time.Second), opts, zerolog.New(s.logs))
	if err != nil {
		t.Fatal(err)
	}
	testEnds := make(chan struct{})
	t.Cleanup(func() { close(testEnds) })
	s.h.dispatchCall = func(ctx context.Context, st *callState) {
		s.mu.Lock()
		s.ran = append(s.ran, st.method)
		s.mu.Unlock()
		switch {
		case bytes.Contains(st.payload, []byte("wait-for-context")):
			s.started <- struct{}{}
			select {
			case <-ctx.Done():
				st.err = fmt.Errorf("find account: %w", ctx.Err())
			case <-testEnds:
			}
		case bytes.Contains(st.payload, []byte("ignore-context")):
			s.started <- struct{}{}
			<-testEnds
		default:
			s.h.dispatch(ctx, st)
		}
	}
	ts := httptest.NewServer(s.h.Routes())
	t.Cleanup(ts.Close)
	s.url = ts.URL + "/jsonrpc"
	var c customer.AddCustomerResult
	s.mustResult(s.post(s.request("CustomerService.AddCustomer", `"c"`, addCustomer("123456789"))), &c)
	var a account.AddAccountResult
	s.mustResult(s.post(s.request("CustomerService.AddAccount", `"a"`,
		fmt.Sprintf(`{"customerID":%q,"name":"DAVE","accountType":"CHECKING","currency":"USD"}`, c.ID))), &a)
	s.account = a.AccountNumber
	s.ran = nil
	return s
}

func addCustomer(ssn string) string {
	return `{"type":"INDIVIDUAL","firstName":"Dave","lastName":"Miller","DOB":"19850412",` +
		`"identification":[{"type":"SSN","value":"` + ssn + `"}],"contact":{"email":"d` + ssn + `@example.com"}}`
}

// request is one signed request object; id "" makes a notification.
func (s *stallServer) request(method, id, payload string) string {
	var raw json.RawMessage
	if id != "" {
		raw = json.RawMessage(id)
	}
	b, err := s.key.Envelope(method, raw, []byte(payload))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

func (s *stallServer) details(id, acct string) string {
	return s.request("AccountService.GetDetails", id, `{"accountId":"`+acct+`"}`)
}

func (s *stallServer) post(body string) []byte {
	s.t.Helper()
	resp, err := http.Post(s.url, "application/json", strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("HTTP %d: %s", resp.StatusCode, b)
	}
	return b
}

func (s *stallServer) mustResult(body []byte, out any) {
	s.t.Helper()
	var r response
	if err := json.Unmarshal(body, &r); err != nil || r.Error != nil {
		s.t.Fatalf("%s", body)
	}
	json.Unmarshal(r.Result, out) //nolint:errcheck // the callers' results decode
}

func (s *stallServer) dispatched() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ran...)
}

// sample reads one sample from the metrics, 0 when absent.
func (s *stallServer) sample(name string) float64 {
	rec := httptest.NewRecorder()
	s.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			fmt.Sscan(v, &f) //nolint:errcheck // a bad sample reads as 0 and fails the caller
			return f
		}
	}
	return 0
}

// noInternalErrors fails the test when a call was logged as an error.
func (s *stallServer) noInternalErrors() {
	s.t.Helper()
	if logs := s.logs.String(); strings.Contains(logs, `"level":"error"`) || strings.Contains(logs, `"code":-32603`) {
		s.t.Errorf("a cut call was logged as an internal error:\n%s", logs)
	}
}

// TestBatchDeadline: a batch shares one deadline. The element that runs out
// of it gets CALL_TIMEOUT, the elements after it are not run and get
// BATCH_DEADLINE, and the batch is answered whole; nothing is logged as an
// internal error.
func TestBatchDeadline(t *testing.T) {
	s := newStallServer(t, Options{CallTimeout: 2 * time.Second})
	batch := "[" + strings.Join([]string{
		s.details(`"1"`, s.account),
		s.details(`"2"`, "wait-for-context"),
		s.request("CustomerService.AddCustomer", `"3"`, addCustomer("987654321")),
		s.details("", s.account), // a notification: not run, not answered
		s.details(`"5"`, s.account),
	}, ",") + "]"
	var got []response
	if err := json.Unmarshal(s.post(batch), &got); err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, reason string }{{`"1"`, ""}, {`"2"`, "CALL_TIMEOUT"}, {`"3"`, "BATCH_DEADLINE"}, {`"5"`, "BATCH_DEADLINE"}}
	if len(got) != len(want) {
		t.Fatalf("%d answers, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		r := got[i]
		switch {
		case string(r.ID) != w.id:
			t.Errorf("answer %d has id %s, want %s", i, r.ID, w.id)
		case w.reason == "" && r.Error != nil:
			t.Errorf("id %s: %+v, want a result", w.id, r.Error)
		case w.reason != "" && (r.Error == nil || r.Error.Code != CodeCallTimeout || r.Error.Data.Reason != w.reason):
			t.Errorf("id %s: %+v, want -32008 %s", w.id, r.Error, w.reason)
		case w.reason == "BATCH_DEADLINE" && !strings.Contains(r.Error.Data.Detail, "nothing was changed"):
			t.Errorf("id %s: detail %q does not say that nothing was changed", w.id, r.Error.Data.Detail)
		}
	}
	if ran := s.dispatched(); len(ran) != 2 {
		t.Errorf("dispatched %v; want only the first two elements", ran)
	}
	s.noInternalErrors()
	for sample, n := range map[string]float64{
		`accountd_requests_total{code="-32008",method="AccountService.GetDetails"}`:   3,
		`accountd_requests_total{code="-32008",method="CustomerService.AddCustomer"}`: 1,
	} {
		if got := s.sample(sample); got != n {
			t.Errorf("%s = %v, want %v", sample, got, n)
		}
	}
}

// TestCallTimeoutAnswersWithoutTheCall: a call that ignores its context
// does not hold the answer back; and the deadline is kept within the HTTP
// server's write timeout even when server.call_timeout is longer.
func TestCallTimeoutAnswersWithoutTheCall(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"call timeout", Options{CallTimeout: 200 * time.Millisecond}},
		{"within the write timeout", Options{CallTimeout: time.Hour, WriteTimeout: 500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStallServer(t, tt.opts)
			var r response
			json.Unmarshal(s.post(s.details(`"1"`, "ignore-context")), &r) //nolint:errcheck // checked below
			if r.Error == nil || r.Error.Code != CodeCallTimeout || r.Error.Data.Reason != "CALL_TIMEOUT" {
				t.Fatalf("%+v, want -32008 CALL_TIMEOUT", r.Error)
			}
			if !strings.Contains(r.Error.Data.Detail, "retry with the same id") {
				t.Errorf("detail %q", r.Error.Data.Detail)
			}
			s.noInternalErrors()
		})
	}
}

// TestClientGoneMidBatch: a client that hangs up mid-batch has its call
// logged and counted as cancelled, and the rest of its batch is not run.
func TestClientGoneMidBatch(t *testing.T) {
	s := newStallServer(t, Options{})
	batch := "[" + s.details(`"1"`, "wait-for-context") + "," + s.details(`"2"`, s.account) + "," +
		s.request("CustomerService.AddCustomer", `"3"`, addCustomer("987654321")) + "]"
	ctx, hangUp := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(batch))
	req.Header.Set("Content-Type", "application/json")
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-s.started
	hangUp()
	if err := <-done; err == nil {
		t.Fatal("the request was answered although the client hung up")
	}
	for deadline := time.Now().Add(time.Minute); strings.Count(s.logs.String(), `"outcome":"cancelled"`) < 3; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the three calls were not logged as cancelled:\n%s", s.logs.String())
		}
	}
	if ran := s.dispatched(); len(ran) != 1 {
		t.Errorf("dispatched %v; want only the first element", ran)
	}
	s.noInternalErrors()
	if n := s.sample(`accountd_requests_total{code="cancelled",method="AccountService.GetDetails"}`) +
		s.sample(`accountd_requests_total{code="cancelled",method="CustomerService.AddCustomer"}`); n != 3 {
		t.Errorf("%v calls counted as cancelled, want 3", n)
	}
}

func TestDeadlineExceededIsCallTimeout(t *testing.T) {
	for _, err := range []error{fmt.Errorf("find account: %w", context.DeadlineExceeded), ErrCallTimeout} {
		if e := toError(err); e.Code != CodeCallTimeout || e.Data.Reason != "CALL_TIMEOUT" {
			t.Errorf("toError(%v) = %+v, want -32008 CALL_TIMEOUT", err, e)
		}
	}
}
