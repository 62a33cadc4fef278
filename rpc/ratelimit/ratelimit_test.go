package ratelimit

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
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

// step is one Take in a scenario: the clock first moves by after, then key
// asks for n requests under limit, times times in a row. Every repetition
// must have want.Allowed; the last one must equal want.
type step struct {
	after time.Duration
	key   string // "a" when empty
	limit int    // 200 when zero
	n     int
	times int // 1 when zero
	want  Decision
}

func runSteps(t *testing.T, lim Limiter, clock *fakeClock, steps []step) {
	t.Helper()
	ctx := context.Background()
	for i, s := range steps {
		if clock != nil {
			clock.Advance(s.after)
		}
		key, limit, times := cmp.Or(s.key, "a"), cmp.Or(s.limit, 200), cmp.Or(s.times, 1)
		for j := range times {
			got, err := lim.Take(ctx, key, limit, s.n)
			if err != nil {
				t.Fatalf("step %d take %d: %v", i, j, err)
			}
			if got.Allowed != s.want.Allowed {
				t.Fatalf("step %d take %d of %d: got %+v, want allowed %v", i, j+1, times, got, s.want.Allowed)
			}
			if j == times-1 && got != s.want {
				t.Fatalf("step %d: got %+v, want %+v", i, got, s.want)
			}
		}
	}
}

func allowed(remaining int) Decision { return Decision{Allowed: true, Remaining: remaining} }

func refused(remaining int, retryAfter time.Duration) Decision {
	return Decision{Remaining: remaining, RetryAfter: retryAfter}
}

// The default limit is 200 per minute: one request every 300ms.
func TestMemoryTake(t *testing.T) {
	const T = 300 * time.Millisecond
	tests := []struct {
		name  string
		steps []step
	}{
		{"first request", []step{{n: 1, want: allowed(199)}}},
		{"burst of exactly limit", []step{{n: 1, times: 200, want: allowed(0)}}},
		{"limit plus one refused", []step{
			{n: 1, times: 200, want: allowed(0)},
			{n: 1, want: refused(0, T)},
			{n: 1, want: refused(0, T)}, // a refusal costs nothing
		}},
		{"retry after counts down", []step{
			{n: 1, times: 200, want: allowed(0)},
			{after: 100 * time.Millisecond, n: 1, want: refused(0, 200*time.Millisecond)},
			{after: 199 * time.Millisecond, n: 1, want: refused(0, time.Millisecond)},
			{after: time.Millisecond, n: 1, want: allowed(0)},
		}},
		{"one request back per interval", []step{
			{n: 1, times: 200, want: allowed(0)},
			{after: 3 * T, n: 1, times: 3, want: allowed(0)},
			{n: 1, want: refused(0, T)},
		}},
		{"full burst again after a minute", []step{
			{n: 1, times: 200, want: allowed(0)},
			{after: time.Minute, n: 1, times: 200, want: allowed(0)},
			{n: 1, want: refused(0, T)},
		}},
		{"recovery stops at the limit", []step{
			{n: 1, want: allowed(199)},
			{after: time.Hour, n: 1, times: 200, want: allowed(0)},
			{n: 1, want: refused(0, T)},
		}},
		{"batch counts each element", []step{
			{n: 1, want: allowed(199)},
			{n: 9, want: allowed(190)},
		}},
		{"batch all or nothing", []step{
			{n: 1, times: 195, want: allowed(5)},
			{n: 6, want: refused(5, T)},
			{n: 5, want: allowed(0)},
		}},
		{"batch waits for all its elements", []step{
			{n: 1, times: 200, want: allowed(0)},
			{n: 10, want: refused(0, 10*T)},
			{after: 9 * T, n: 10, want: refused(9, T)},
			{after: T, n: 10, want: allowed(0)},
		}},
		{"batch of limit on an idle key", []step{{n: 200, want: allowed(0)}}},
		{"batch above limit never allowed", []step{
			{n: 201, want: refused(200, time.Minute)},
			{after: time.Hour, n: 201, want: refused(200, time.Minute)},
			{n: 1, want: allowed(199)}, // the refusal took nothing
		}},
		{"keys are independent", []step{
			{key: "a", n: 1, times: 200, want: allowed(0)},
			{key: "b", n: 1, want: allowed(199)},
			{key: "a", n: 1, want: refused(0, T)},
		}},
		{"tier upgrade keeps the backlog", []step{
			{limit: 200, n: 200, want: allowed(0)},
			// At 2000 per minute the interval is 30ms; the minute of backlog
			// is still owed.
			{limit: 2000, n: 1, want: refused(0, 30*time.Millisecond)},
			{after: 30 * time.Millisecond, limit: 2000, n: 1, want: allowed(0)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			runSteps(t, NewMemory(clock.Now), clock, tt.steps)
		})
	}
}

func TestMemoryTiers(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		wantRetry time.Duration // after a burst of limit
	}{
		{"BRONZE", 200, 300 * time.Millisecond},
		{"SILVER", 500, 120 * time.Millisecond},
		{"GOLD", 1000, 60 * time.Millisecond},
		{"PLATINUM", 2000, 30 * time.Millisecond},
		{"limit not dividing a minute", 7, 8571428 * time.Microsecond},
		{"one per minute", 1, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			runSteps(t, NewMemory(clock.Now), clock, []step{
				{limit: tt.limit, n: 1, times: tt.limit, want: allowed(0)},
				{limit: tt.limit, n: 1, want: refused(0, tt.wantRetry)},
				{after: tt.wantRetry, limit: tt.limit, n: 1, want: allowed(0)},
			})
		})
	}
}

func TestTakeInvalidArgument(t *testing.T) {
	tests := []struct {
		name     string
		limit, n int
	}{
		{"zero limit", 0, 1},
		{"negative limit", -200, 1},
		{"limit above maximum", MaxLimitPerMinute + 1, 1},
		{"zero requests", 200, 0},
		{"negative requests", 200, -1},
	}
	m := NewMemory(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Take(context.Background(), "a", tt.limit, tt.n)
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("got %v, want ErrInvalidArgument", err)
			}
		})
	}
}

func TestMemoryEvictsRecoveredKeys(t *testing.T) {
	tests := []struct {
		name     string
		steps    []step
		wantKeys []string
	}{
		{"idle key dropped at the next sweep", []step{
			{key: "idle", n: 1, want: allowed(199)},
			{after: time.Minute, key: "new", n: 1, want: allowed(199)},
		}, []string{"new"}},
		{"key still recovering is kept", []step{
			{key: "early", n: 200, want: allowed(0)},
			{after: 30 * time.Second, key: "late", n: 200, want: allowed(0)},
			{after: 30 * time.Second, key: "new", n: 1, want: allowed(199)},
		}, []string{"late", "new"}},
		{"no sweep within the interval", []step{
			{key: "idle", n: 1, want: allowed(199)},
			{after: 59 * time.Second, key: "new", n: 1, want: allowed(199)},
		}, []string{"idle", "new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			m := NewMemory(clock.Now)
			runSteps(t, m, clock, tt.steps)
			if got := memoryKeys(m); !slices.Equal(got, tt.wantKeys) {
				t.Fatalf("keys: got %v, want %v", got, tt.wantKeys)
			}
		})
	}
}

func TestMemoryDoesNotGrowWithIdleKeys(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	for i := range 10_000 {
		if _, err := m.Take(context.Background(), "partner-"+strconv.Itoa(i), 200, 1); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Minute)
	if _, err := m.Take(context.Background(), "last", 200, 1); err != nil {
		t.Fatal(err)
	}
	if got := memoryKeys(m); !slices.Equal(got, []string{"last"}) {
		t.Fatalf("keys after two idle minutes: got %d keys, want [last]", len(got))
	}
}

func memoryKeys(m *Memory) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.tats))
	for k := range m.tats {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestMemoryConcurrentTakes(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	if got := concurrentTakes(t, []Limiter{m}, "a", 20, 100); got != 20 {
		t.Fatalf("allowed: got %d, want 20", got)
	}
}

// concurrentTakes fires requests single requests for key at once from as
// many goroutines, spread over the limiters in turn, and counts the allowed.
func concurrentTakes(t *testing.T, lims []Limiter, key string, limit, requests int) int {
	t.Helper()
	var (
		wg      sync.WaitGroup
		granted atomic.Int64
		start   = make(chan struct{})
		errs    = make(chan error, requests)
	)
	for i := range requests {
		wg.Go(func() {
			<-start
			d, err := lims[i%len(lims)].Take(context.Background(), key, limit, 1)
			if err != nil {
				errs <- err
				return
			}
			if d.Allowed {
				granted.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return int(granted.Load())
}
