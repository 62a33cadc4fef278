package rpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/client"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/ratelimit"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// testTiers are small per-minute limits, so that a test reaches them in a
// few calls and no capacity comes back while it runs.
var testTiers = map[string]int{partner.TierBronze: 3, partner.TierSilver: 5, partner.TierGold: 7, partner.TierPlatinum: 9}

const (
	addCustomer = "CustomerService.AddCustomer"
	getCustomer = "CustomerService.GetCustomer"
	// missingCustomer looks up a customer that does not exist: a cheap call
	// that reaches the service and answers 1001.
	missingCustomer = `{"identification":{"type":"SSN","value":"987654321"}}`
	newCustomer     = `{"type":"INDIVIDUAL","firstName":"Dave","lastName":"Miller","DOB":"19850412",` +
		`"identification":[{"type":"SSN","value":"123456789"}],"contact":{"email":"dave@example.com"}}`
)

// opServer is an in-process accountd built with the operator's options: a
// rate limiter and tiers, metrics, a readiness check.
type opServer struct {
	base string // the server's root URL
	http *http.Client
	keys *partner.Partners
	logs *syncBuffer
}

// newOpServer starts a handler on st with opts. Several may share one
// store, as replicas share one database.
func newOpServer(t *testing.T, st *store.Store, opts rpc.Options) *opServer {
	t.Helper()
	var svcOpts []bank.Option
	if opts.Metrics != nil {
		svcOpts = append(svcOpts, bank.WithReplayObserver(opts.Metrics.Replay))
	}
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399", IdempotencyTTL: time.Hour}, svcOpts...)
	logs := &syncBuffer{}
	h, err := rpc.NewHandler(svc, partner.NewAuthenticator(st, nil, time.Millisecond), opts, zerolog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h.Routes())
	t.Cleanup(ts.Close)
	hc := ts.Client()
	hc.Timeout = 10 * time.Second
	return &opServer{base: ts.URL, http: hc, keys: partner.NewPartners(st, nil), logs: logs}
}

// key creates a key for partner name with opts.
func (s *opServer) key(t *testing.T, name string, opts partner.KeyOptions) *client.KeyFile {
	t.Helper()
	k, err := s.keys.CreateKey(context.Background(), name, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &client.KeyFile{Partner: k.Partner, KeyID: k.KeyID, Credential: k.Credential, PrivateKey: k.PrivateKeyPEM}
}

// partnerID returns the ID of partner name.
func (s *opServer) partnerID(t *testing.T, name string) int64 {
	t.Helper()
	p, err := s.keys.FindPartner(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// do sends req and returns the response with its body read.
func (s *opServer) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func (s *opServer) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, s.base+path, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	return s.do(t, req)
}

func (s *opServer) post(t *testing.T, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.base+"/jsonrpc", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return s.do(t, req)
}

// envelope signs one request.
func envelope(t *testing.T, key *client.KeyFile, method, id, payload string) string {
	t.Helper()
	b, err := key.Envelope(method, json.RawMessage(id), []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// call signs and sends one request and returns the HTTP response and the
// decoded JSON-RPC response.
func (s *opServer) call(t *testing.T, key *client.KeyFile, method, id, payload string) (*http.Response, client.Response) {
	t.Helper()
	resp, body := s.post(t, envelope(t, key, method, id, payload))
	var r client.Response
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: HTTP %d: %v: %s", method, resp.StatusCode, err, body)
	}
	return resp, r
}

// wantAllowed checks that a lookup passes the limiter and reaches the
// service (which finds no such customer).
func (s *opServer) wantAllowed(t *testing.T, key *client.KeyFile, n int) {
	t.Helper()
	resp, r := s.call(t, key, getCustomer, strconv.Itoa(n), missingCustomer)
	if resp.StatusCode != http.StatusOK || r.Error == nil || r.Error.Code != 1001 {
		t.Fatalf("call %d of %s: HTTP %d, error %+v; want HTTP 200 and 1001 (allowed)", n, key.Partner, resp.StatusCode, r.Error)
	}
}

// wantLimited checks that a lookup is refused for its rate and returns the
// seconds to wait, which the header and the error data must agree on.
func (s *opServer) wantLimited(t *testing.T, key *client.KeyFile) int {
	t.Helper()
	resp, r := s.call(t, key, getCustomer, `"over"`, missingCustomer)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("%s: HTTP %d, error %+v; want 429", key.Partner, resp.StatusCode, r.Error)
	}
	if r.Error == nil || r.Error.Code != rpc.CodeRateLimited || r.Error.Data == nil || r.Error.Data.Reason != "RATE_LIMITED" {
		t.Fatalf("%s: error %+v; want -32004 RATE_LIMITED", key.Partner, r.Error)
	}
	retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || retry < 1 {
		t.Fatalf("%s: Retry-After %q; want a positive integer", key.Partner, resp.Header.Get("Retry-After"))
	}
	if got := r.Error.Data.RetryAfterSeconds; got != retry {
		t.Fatalf("%s: data.retryAfterSeconds %d, Retry-After header %d; want equal", key.Partner, got, retry)
	}
	return retry
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestRateLimitByTier(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s := newOpServer(t, openStore(t), rpc.Options{Limiter: ratelimit.NewMemory(clock.Now), Tiers: testTiers})

	t.Run("limit by tier", func(t *testing.T) {
		tests := []struct {
			name, partner, tier string
			want                int
		}{
			{"new partner is BRONZE", "tier-new", "", 3},
			{"BRONZE", "tier-bronze", partner.TierBronze, 3},
			{"SILVER", "tier-silver", partner.TierSilver, 5},
			{"GOLD", "tier-gold", partner.TierGold, 7},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				key := s.key(t, tt.partner, partner.KeyOptions{Tier: tt.tier})
				for i := 1; i <= tt.want; i++ {
					s.wantAllowed(t, key, i)
				}
				s.wantLimited(t, key)
			})
		}
	})
	t.Run("retry after", func(t *testing.T) {
		key := s.key(t, "retry", partner.KeyOptions{})
		for i := 1; i <= 3; i++ {
			s.wantAllowed(t, key, i)
		}
		retry := s.wantLimited(t, key)
		if retry != 20 { // 3 per minute: one request comes back every 20s
			t.Errorf("Retry-After %d; want 20", retry)
		}
		s.wantAllowed(t, s.key(t, "bystander", partner.KeyOptions{}), 1)
		clock.Advance(time.Duration(retry-1) * time.Second)
		if got := s.wantLimited(t, key); got != 1 {
			t.Errorf("one second early: Retry-After %d; want 1", got)
		}
		clock.Advance(time.Second)
		s.wantAllowed(t, key, 4)
		s.wantLimited(t, key) // only one request came back
	})
	t.Run("a batch counts each element", func(t *testing.T) {
		key := s.key(t, "batcher", partner.KeyOptions{})
		elems := make([]string, 5)
		for i := range elems {
			elems[i] = envelope(t, key, getCustomer, strconv.Itoa(i+1), missingCustomer)
		}
		resp, body := s.post(t, "["+strings.Join(elems, ",")+"]")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Retry-After") != "" {
			t.Fatalf("batch: HTTP %d, Retry-After %q; want 200 and none: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		var rs []client.Response
		if err := json.Unmarshal(body, &rs); err != nil || len(rs) != 5 {
			t.Fatalf("batch: %v, %d responses; want 5: %s", err, len(rs), body)
		}
		for i, r := range rs {
			want := 1001
			if i >= 3 {
				want = rpc.CodeRateLimited
			}
			if r.Error == nil || r.Error.Code != want || string(r.ID) != strconv.Itoa(i+1) {
				t.Errorf("element %d: id %s, error %+v; want code %d", i+1, r.ID, r.Error, want)
			} else if want == rpc.CodeRateLimited && r.Error.Data.RetryAfterSeconds < 1 {
				t.Errorf("element %d: retryAfterSeconds %d; want positive", i+1, r.Error.Data.RetryAfterSeconds)
			}
		}
	})
}

// redisURL returns the Redis server of the shared-limiter tests, or skips.
func redisURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("ACCOUNTD_TEST_REDIS_URL")
	if url == "" {
		t.Skip("ACCOUNTD_TEST_REDIS_URL not set: shared rate-limit tests skipped")
	}
	return url
}

func openRedisLimiter(t *testing.T) ratelimit.Limiter {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, err := ratelimit.NewRedis(ctx, redisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// watchRedisKey checks that the limiter keeps the partner's state under
// key, and deletes it when the test ends.
func watchRedisKey(t *testing.T, key string) func() {
	t.Helper()
	opts, err := redis.ParseURL(redisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() {
		if err := rdb.Del(context.Background(), key).Err(); err != nil {
			t.Errorf("delete %s: %v", key, err)
		}
		rdb.Close()
	})
	return func() {
		if n, err := rdb.Exists(context.Background(), key).Result(); err != nil || n != 1 {
			t.Errorf("Redis key %s: exists %d, %v; want 1", key, n, err)
		}
	}
}

func TestRateLimitAcrossReplicas(t *testing.T) {
	tests := []struct {
		name        string
		redis       bool
		wantAllowed int
	}{
		{"Redis is shared by the replicas", true, 3},
		{"memory is per process", false, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var la, lb ratelimit.Limiter = ratelimit.NewMemory(nil), ratelimit.NewMemory(nil)
			if tt.redis {
				la, lb = openRedisLimiter(t), openRedisLimiter(t)
			}
			st := openStore(t) // a fresh database: a new random partner ID
			replicas := []*opServer{
				newOpServer(t, st, rpc.Options{Limiter: la, Tiers: testTiers}),
				newOpServer(t, st, rpc.Options{Limiter: lb, Tiers: testTiers}),
			}
			key := replicas[0].key(t, "replicated", partner.KeyOptions{})
			checkKey := func() {}
			if tt.redis {
				checkKey = watchRedisKey(t, ratelimit.KeyPrefix+"partner:"+strconv.FormatInt(replicas[0].partnerID(t, "replicated"), 10))
			}
			for i := range 8 {
				s := replicas[i%2]
				if i < tt.wantAllowed {
					s.wantAllowed(t, key, i+1)
				} else {
					s.wantLimited(t, key)
				}
			}
			checkKey()
		})
	}
}

// failingLimiter is a shared limiter whose backend is down.
type failingLimiter struct{ calls atomic.Int64 }

func (f *failingLimiter) Take(context.Context, string, int, int) (ratelimit.Decision, error) {
	f.calls.Add(1)
	return ratelimit.Decision{}, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

func (f *failingLimiter) Close() error { return nil }

func TestRateLimitBackendFailure(t *testing.T) {
	st := openStore(t)
	shared := &failingLimiter{}
	s := newOpServer(t, st, rpc.Options{Limiter: shared, Tiers: testTiers, Metrics: rpc.NewMetrics(st.Pools())})
	key := s.key(t, "fallback", partner.KeyOptions{})
	for i := 1; i <= 3; i++ {
		s.wantAllowed(t, key, i)
	}
	s.wantLimited(t, key)
	if got := shared.calls.Load(); got != 4 {
		t.Errorf("shared limiter asked %d times; want 4 (it is tried first on every call)", got)
	}
	fams := scrape(t, s)
	if got := value(t, fams, "accountd_ratelimit_backend_errors_total", nil); got != 4 {
		t.Errorf("accountd_ratelimit_backend_errors_total %v; want 4", got)
	}
	if got := value(t, fams, "accountd_ratelimit_refusals_total", map[string]string{"tier": "BRONZE"}); got != 1 {
		t.Errorf(`accountd_ratelimit_refusals_total{tier="BRONZE"} %v; want 1`, got)
	}
	if got := strings.Count(s.logs.String(), "shared rate limiter failed"); got != 1 {
		t.Errorf("%d warnings about the shared limiter; want 1 (at most one a minute):\n%s", got, s.logs)
	}
}

func TestKeyMethodLimits(t *testing.T) {
	s := newOpServer(t, openStore(t), rpc.Options{})
	limited := s.key(t, "acme", partner.KeyOptions{Methods: []string{getCustomer}})
	open := s.key(t, "acme", partner.KeyOptions{})
	byIdentity := `{"identification":{"type":"SSN","value":"123456789"}}`
	// The steps run in order: what one creates, the next may find.
	steps := []struct {
		name                 string
		key                  *client.KeyFile
		method, id, payload  string
		wantCode             int
		wantReason, wantJSON string
	}{
		{"limited key, other method", limited, addCustomer, `"c1"`, newCustomer, rpc.CodePermissionDenied, "METHOD_NOT_ALLOWED_FOR_KEY", ""},
		{"limited key, AddAccount", limited, "CustomerService.AddAccount", `"a1"`, `{"customerID":"1"}`, rpc.CodePermissionDenied, "METHOD_NOT_ALLOWED_FOR_KEY", ""},
		{"refused call created nothing", limited, getCustomer, `"g1"`, byIdentity, 1001, "NOT_FOUND_CUSTOMER", ""},
		{"key without limits, AddCustomer", open, addCustomer, `"c2"`, newCustomer, 0, "", `"ID":`},
		{"limited key, its method", limited, getCustomer, `"g2"`, byIdentity, 0, "", `"Miller"`},
		{"key without limits, GetCustomer", open, getCustomer, `"g3"`, byIdentity, 0, "", `"Miller"`},
	}
	for _, tt := range steps {
		resp, r := s.call(t, tt.key, tt.method, tt.id, tt.payload)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: HTTP %d; want 200", tt.name, resp.StatusCode)
		}
		switch {
		case tt.wantCode == 0 && r.Error != nil:
			t.Errorf("%s: error %+v; want a result", tt.name, r.Error)
		case tt.wantCode == 0 && !strings.Contains(string(r.Result), tt.wantJSON):
			t.Errorf("%s: result %s; want it to hold %s", tt.name, r.Result, tt.wantJSON)
		case tt.wantCode != 0 && (r.Error == nil || r.Error.Code != tt.wantCode || r.Error.Data == nil || r.Error.Data.Reason != tt.wantReason):
			t.Errorf("%s: error %+v, result %s; want %d %s", tt.name, r.Error, r.Result, tt.wantCode, tt.wantReason)
		}
	}
}

func TestReadyz(t *testing.T) {
	st := openStore(t)
	bare, err := store.Open(context.Background(), storetest.Driver(), storetest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bare.Close() })
	tests := []struct {
		name       string
		ready      func(context.Context) error
		wantStatus int
		wantBody   string
	}{
		{"no check", nil, http.StatusOK, "ready\n"},
		{"check passes", func(context.Context) error { return nil }, http.StatusOK, "ready\n"},
		// A driver's error may name hosts and users: the probe shows a fixed reason.
		{"check fails", func(context.Context) error { return errors.New("dial 10.0.0.7:5432 as user bank") }, http.StatusServiceUnavailable, "not ready: the database did not answer\n"},
		{"check hangs", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, http.StatusServiceUnavailable, "not ready: the database did not answer\n"},
		{"migrated database", st.Ready, http.StatusOK, "ready\n"},
		{"database not migrated", bare.Ready, http.StatusServiceUnavailable, "not ready: database unreachable or never migrated\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOpServer(t, st, rpc.Options{Ready: tt.ready})
			resp, body := s.get(t, "/readyz")
			if resp.StatusCode != tt.wantStatus || !strings.HasPrefix(string(body), tt.wantBody) {
				t.Errorf("HTTP %d %q; want %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

// scrape reads /metrics in the text format.
func scrape(t *testing.T, s *opServer) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := s.get(t, "/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: HTTP %d: %s", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics: %v:\n%s", err, body)
	}
	return fams
}

// series returns the sample of family name with exactly labels, or nil.
func series(fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	for _, m := range fams[name].GetMetric() {
		match := len(m.GetLabel()) == len(labels)
		for _, l := range m.GetLabel() {
			match = match && labels[l.GetName()] == l.GetValue()
		}
		if match {
			return m
		}
	}
	return nil
}

// value returns a counter's value; the test fails when it is missing.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	m := series(fams, name, labels)
	if m == nil {
		t.Fatalf("no %s%v in /metrics", name, labels)
	}
	return m.GetCounter().GetValue()
}

func TestMetrics(t *testing.T) {
	st := openStore(t)
	s := newOpServer(t, st, rpc.Options{Metrics: rpc.NewMetrics(st.Pools())})
	key := s.key(t, "metered", partner.KeyOptions{})
	for range 2 { // the second is a replay
		if _, r := s.call(t, key, addCustomer, `"m1"`, newCustomer); r.Error != nil {
			t.Fatalf("AddCustomer: %+v", r.Error)
		}
	}
	if _, r := s.call(t, key, getCustomer, `"m2"`, missingCustomer); r.Error == nil || r.Error.Code != 1001 {
		t.Fatalf("GetCustomer: %+v; want 1001", r.Error)
	}
	if _, r := s.call(t, key, "Bogus.Method", `"m3"`, `{}`); r.Error == nil || r.Error.Code != rpc.CodeMethodNotFound {
		t.Fatalf("Bogus.Method: %+v; want -32601", r.Error)
	}
	fams := scrape(t, s)
	counters := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"accountd_requests_total", map[string]string{"method": addCustomer, "code": "0"}, 2},
		{"accountd_requests_total", map[string]string{"method": getCustomer, "code": "1001"}, 1},
		{"accountd_requests_total", map[string]string{"method": "other", "code": "-32601"}, 1},
		{"accountd_idempotent_replays_total", map[string]string{"method": addCustomer}, 1},
	}
	for _, c := range counters {
		if got := value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v; want %v", c.name, c.labels, got, c.want)
		}
	}
	for name, fam := range fams {
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == "Bogus.Method" {
					t.Errorf("%s has a series labelled with the unknown method", name)
				}
			}
		}
	}
	h := series(fams, "accountd_request_duration_seconds", map[string]string{"method": addCustomer}).GetHistogram()
	if h.GetSampleCount() != 2 || len(h.GetBucket()) == 0 {
		t.Errorf("accountd_request_duration_seconds{method=AddCustomer}: %d samples, %d buckets; want 2 samples in buckets", h.GetSampleCount(), len(h.GetBucket()))
	}
	for pool := range st.Pools() {
		if series(fams, "go_sql_max_open_connections", map[string]string{"db_name": pool}) == nil {
			t.Errorf("no go_sql_max_open_connections{db_name=%q} in /metrics", pool)
		}
	}
}

func TestAuditOfRefusals(t *testing.T) {
	st := openStore(t)
	s := newOpServer(t, st, rpc.Options{Limiter: ratelimit.NewMemory(nil), Tiers: testTiers})
	key := s.key(t, "audited", partner.KeyOptions{})
	invalid := `{"type":"INDIVIDUAL"}`
	for i := 1; i <= 3; i++ {
		if _, r := s.call(t, key, addCustomer, strconv.Itoa(i), invalid); r.Error == nil || r.Error.Code != rpc.CodeInvalidParams {
			t.Fatalf("call %d: %+v; want -32602", i, r.Error)
		}
	}
	if got := callRows(t, st); len(got) != 3 {
		t.Fatalf("%d audit rows for AddCustomer after 3 refused calls; want 3: %+v", len(got), got)
	}
	// Refused for its rate, a valid AddCustomer must neither run nor be
	// recorded as a refusal.
	if resp, r := s.call(t, key, addCustomer, "4", newCustomer); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th call: HTTP %d, %+v; want 429", resp.StatusCode, r.Error)
	}
	rows := callRows(t, st)
	if len(rows) != 3 {
		t.Errorf("%d audit rows after a rate-limited call; want still 3: %+v", len(rows), rows)
	}
	for _, e := range rows {
		if !strings.HasPrefix(e.Outcome, "REFUSED: ") || e.KeyID != key.KeyID || e.PartnerID != s.partnerID(t, "audited") {
			t.Errorf("row %d: key %s, partner %d, outcome %q; want %s, REFUSED: ...", e.Seq, e.KeyID, e.PartnerID, e.Outcome, key.KeyID)
		}
	}
	rep, err := services.VerifyAudit(context.Background(), st)
	if err != nil || !rep.OK() {
		t.Errorf("audit chain: %+v, %v", rep, err)
	}
}

// callRows returns the audit rows of AddCustomer calls.
func callRows(t *testing.T, st *store.Store) []services.AuditEntry {
	t.Helper()
	storetest.Sealed(t, st)
	all, err := st.AuditEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []services.AuditEntry
	for _, e := range all {
		if e.Method == addCustomer {
			out = append(out, e)
		}
	}
	return out
}
