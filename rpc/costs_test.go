package rpc_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/rpc/ratelimit"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/partner"
)

const (
	searchNice = "AccountService.SearchNiceNumbers"
	// someNice is a search that finds numbers in an empty database.
	someNice = `{"pattern":"*6868","length":8,"pageSize":1}`
)

// TestRateLimitCosts: an expensive method takes its cost in units of the
// partner's allowance, on the in-process limiter and on Redis; a partner
// whose tier allows N units gets N/cost such calls, and then neither an
// expensive nor a cheap call goes through while a cheap call fits only in
// what is left.
func TestRateLimitCosts(t *testing.T) {
	tiers := map[string]int{partner.TierBronze: 30, partner.TierSilver: 5}
	tests := []struct {
		name     string
		costs    map[string]int
		tier     string
		searches int // searches allowed before the first refusal
		cheap    int // lookups (GetCustomer) allowed after that refusal
	}{
		{"the default cost of a search is 10 of BRONZE's 30", nil, partner.TierBronze, 3, 0},
		{"an override of 7: 4 searches and 2 units left", map[string]int{searchNice: 7}, partner.TierBronze, 4, 2},
		{"a cheap method made dearer: 2 searches of 12, then 3 lookups of 2", map[string]int{searchNice: 12, getCustomer: 2}, partner.TierBronze, 2, 3},
		{"a cost above the tier's whole allowance takes all of it", nil, partner.TierSilver, 1, 0},
	}
	for _, backend := range []string{"memory", "redis"} {
		for _, tt := range tests {
			t.Run(backend+"/"+tt.name, func(t *testing.T) {
				var l ratelimit.Limiter = ratelimit.NewMemory((&fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}).Now)
				if backend == "redis" {
					l = openRedisLimiter(t)
				}
				st := openStore(t) // a fresh database: a new random partner ID
				s := newOpServer(t, st, rpc.Options{Limiter: l, Tiers: tiers, Costs: tt.costs})
				key := s.key(t, "costly", partner.KeyOptions{Tier: tt.tier})
				if backend == "redis" {
					watchRedisKey(t, ratelimit.KeyPrefix+"partner:"+strconv.FormatInt(s.partnerID(t, "costly"), 10))
				}
				for i := 1; i <= tt.searches; i++ {
					if _, r := s.call(t, key, searchNice, strconv.Itoa(i), someNice); r.Error != nil {
						t.Fatalf("search %d: %+v; want a page", i, r.Error)
					}
				}
				resp, r := s.call(t, key, searchNice, `"over"`, someNice)
				if resp.StatusCode != http.StatusTooManyRequests || r.Error == nil || r.Error.Code != rpc.CodeRateLimited {
					t.Fatalf("search %d: HTTP %d, %+v; want 429 and -32004", tt.searches+1, resp.StatusCode, r.Error)
				}
				for i := 1; i <= tt.cheap; i++ {
					s.wantAllowed(t, key, i)
				}
				s.wantLimited(t, key)
			})
		}
	}
}

// TestRateLimitCostsInBatch: each element of a batch takes its own
// method's cost; the elements that no longer fit are refused one by one.
func TestRateLimitCostsInBatch(t *testing.T) {
	s := newOpServer(t, openStore(t), rpc.Options{Limiter: ratelimit.NewMemory(nil),
		Tiers: map[string]int{partner.TierBronze: 25}})
	key := s.key(t, "batcher", partner.KeyOptions{})
	// 10 + 1 + 10 + 10 (refused: 21 + 10 > 25) + 1 + 1 + 1 + 1 + 1 (refused: 26 > 25)
	methods := []string{searchNice, getCustomer, searchNice, searchNice, getCustomer, getCustomer, getCustomer, getCustomer, getCustomer}
	want := []int{0, 1001, 0, rpc.CodeRateLimited, 1001, 1001, 1001, 1001, rpc.CodeRateLimited}
	elems := make([]string, len(methods))
	for i, m := range methods {
		payload := missingCustomer
		if m == searchNice {
			payload = someNice
		}
		elems[i] = envelope(t, key, m, strconv.Itoa(i+1), payload)
	}
	_, body := s.post(t, "["+strings.Join(elems, ",")+"]")
	var rs []client.Response
	if err := json.Unmarshal(body, &rs); err != nil || len(rs) != len(methods) {
		t.Fatalf("%v, %d answers: %s", err, len(rs), body)
	}
	for i, r := range rs {
		got := 0
		if r.Error != nil {
			got = r.Error.Code
		}
		if got != want[i] {
			t.Errorf("element %d (%s): code %d, want %d", i+1, methods[i], got, want[i])
		}
	}
	if d := rs[3].Error.Data; d == nil || !strings.Contains(d.Detail, searchNice+" counts as 10") {
		t.Errorf("the refusal does not tell the search's cost: %+v", d)
	}
}

// TestMethodCostsChecked: a cost table naming something that is not a
// method, or a cost below one, stops the handler from being built; the
// defaults name real methods.
func TestMethodCostsChecked(t *testing.T) {
	for name, n := range rpc.DefaultCosts() {
		if n < 2 || !strings.Contains(strings.Join(rpc.Methods(), " "), name) {
			t.Errorf("default cost %s=%d", name, n)
		}
	}
	tests := []struct {
		name  string
		costs map[string]int
		want  string // in the error; empty for none
	}{
		{"known methods", map[string]int{searchNice: 3, getCustomer: 2}, ""},
		{"a typo", map[string]int{"AccountService.SearchNiceNumber": 3}, `"AccountService.SearchNiceNumber": no such method`},
		{"a bare name", map[string]int{"SearchNiceNumbers": 3}, `"SearchNiceNumbers": no such method`},
		{"a zero cost", map[string]int{searchNice: 0}, "AccountService.SearchNiceNumbers: 0, want at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := bank.New(openStore(t), bank.Settings{})
			_, err := rpc.NewHandler(svc, nil, rpc.Options{Limiter: ratelimit.NewMemory(nil), Costs: tt.costs}, zerolog.Nop())
			if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if err := rpc.CheckCosts(tt.costs); (err == nil) != (tt.want == "") {
				t.Fatalf("CheckCosts: %v", err)
			}
		})
	}
}
