package ratelimit

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisURLEnv names the Redis server the Redis tests run against, e.g.
// redis://127.0.0.1:6379/0.
const redisURLEnv = "ACCOUNTD_TEST_REDIS_URL"

// openRedis connects a new limiter to the test server, or skips the test.
func openRedis(tb testing.TB) *Redis {
	tb.Helper()
	url := os.Getenv(redisURLEnv)
	if url == "" {
		tb.Skip(redisURLEnv + " not set: Redis rate-limit tests skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := NewRedis(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// keyPrefix returns a prefix of keys unique to this test and deletes the
// test's keys when it ends.
func keyPrefix(tb testing.TB, r *Redis) string {
	tb.Helper()
	prefix := "test-" + rand.Text() + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := r.client.Scan(ctx, 0, KeyPrefix+prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			if err := r.client.Del(ctx, iter.Val()).Err(); err != nil {
				tb.Errorf("delete %s: %v", iter.Val(), err)
			}
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("scan test keys: %v", err)
		}
	})
	return prefix
}

// Redis uses the server's clock, so these tests check counts with limits
// small enough (5 per minute: one request every 12s) that no capacity comes
// back while they run. RetryAfter can only be bounded.
func TestRedisTake(t *testing.T) {
	const limit, T = 5, 12 * time.Second
	tests := []struct {
		name  string
		steps []redisStep
	}{
		{"burst of exactly limit then refused", []redisStep{
			{n: 1, times: 5, wantAllowed: true},
			{n: 1, wantRemaining: 0, wantRetryMax: T},
			{n: 1, wantRemaining: 0, wantRetryMax: T},
		}},
		{"batch all or nothing", []redisStep{
			{n: 3, wantAllowed: true, wantRemaining: 2},
			{n: 3, wantRemaining: 2, wantRetryMax: T},
			{n: 2, wantAllowed: true, wantRemaining: 0},
		}},
		{"batch above limit never allowed", []redisStep{
			{n: 6, wantRemaining: 5, wantRetryMax: time.Minute, wantRetryExact: true},
			{n: 1, wantAllowed: true, wantRemaining: 4},
		}},
		{"keys are independent", []redisStep{
			{key: "a", n: 5, wantAllowed: true},
			{key: "b", n: 1, wantAllowed: true, wantRemaining: 4},
			{key: "a", n: 1, wantRetryMax: T},
		}},
	}
	r := openRedis(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := keyPrefix(t, r)
			for i, s := range tt.steps {
				for j := range max(s.times, 1) {
					got, err := r.Take(context.Background(), prefix+s.key, limit, s.n)
					if err != nil {
						t.Fatalf("step %d take %d: %v", i, j, err)
					}
					if j == max(s.times, 1)-1 || !got.Allowed {
						s.check(t, i, got)
					}
				}
			}
		})
	}
}

// redisStep is one Take on the Redis limiter, repeated times times; the
// last repetition (and any refused one) is checked.
type redisStep struct {
	key            string
	n, times       int
	wantAllowed    bool
	wantRemaining  int
	wantRetryMax   time.Duration // refused: 0 < RetryAfter <= wantRetryMax
	wantRetryExact bool          // RetryAfter == wantRetryMax
}

func (s redisStep) check(t *testing.T, i int, got Decision) {
	t.Helper()
	if got.Allowed != s.wantAllowed || got.Remaining != s.wantRemaining {
		t.Fatalf("step %d: got %+v, want allowed %v remaining %d", i, got, s.wantAllowed, s.wantRemaining)
	}
	switch {
	case s.wantAllowed && got.RetryAfter != 0:
		t.Fatalf("step %d: got RetryAfter %v on an allowed request, want 0", i, got.RetryAfter)
	case !s.wantAllowed && s.wantRetryExact && got.RetryAfter != s.wantRetryMax:
		t.Fatalf("step %d: got RetryAfter %v, want %v", i, got.RetryAfter, s.wantRetryMax)
	case !s.wantAllowed && (got.RetryAfter <= 0 || got.RetryAfter > s.wantRetryMax):
		t.Fatalf("step %d: got RetryAfter %v, want in (0, %v]", i, got.RetryAfter, s.wantRetryMax)
	}
}

// Two limiters on one Redis are two replicas: they share the partner's
// allowance, sequentially and when hit at the same time.
func TestRedisReplicasShareKey(t *testing.T) {
	a, b := openRedis(t), openRedis(t)
	prefix := keyPrefix(t, a)
	ctx := context.Background()

	key := prefix + "sequential"
	if d, err := a.Take(ctx, key, 10, 6); err != nil || !d.Allowed {
		t.Fatalf("replica a takes 6 of 10: got %+v, %v; want allowed", d, err)
	}
	if d, err := b.Take(ctx, key, 10, 1); err != nil || d != allowed(3) {
		t.Fatalf("replica b takes 1: got %+v, %v; want %+v", d, err, allowed(3))
	}

	if got := concurrentTakes(t, []Limiter{a, b}, prefix+"concurrent", 10, 60); got != 10 {
		t.Fatalf("allowed across two replicas: got %d, want 10", got)
	}
}

func TestRedisKeyExpiresWhenRecovered(t *testing.T) {
	r := openRedis(t)
	prefix := keyPrefix(t, r)
	ctx := context.Background()
	if _, err := r.Take(ctx, prefix+"a", 5, 2); err != nil {
		t.Fatal(err)
	}
	// Two requests at 12s each: the bucket is full again within 24s.
	ttl, err := r.client.PTTL(ctx, KeyPrefix+prefix+"a").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > 24*time.Second {
		t.Fatalf("TTL of %s: got %v, want in (0, 24s]", KeyPrefix+prefix+"a", ttl)
	}
}

func TestRedisTakeReturnsRedisErrors(t *testing.T) {
	r := openRedis(t)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := r.Take(context.Background(), "closed", 5, 1)
	if !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("take on a closed client: got %v, want redis.ErrClosed", err)
	}
}

func TestNewRedisFailsClearly(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		wantText string
	}{
		{"unreachable server", "redis://127.0.0.1:1/0", "ping 127.0.0.1:1 db 0"},
		{"wrong scheme", "http://127.0.0.1:6379/0", "invalid URL scheme"},
		{"bad port keeps the password out", "redis://partner:s3cret@127.0.0.1:port/0", "invalid port"},
		{"bad database", "redis://127.0.0.1:6379/zero", "invalid database number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			r, err := NewRedis(ctx, tt.url)
			if err == nil {
				r.Close()
				t.Fatalf("got no error, want one containing %q", tt.wantText)
			}
			if !strings.Contains(err.Error(), tt.wantText) || strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("got %q, want it to contain %q and no password", err, tt.wantText)
			}
		})
	}
}
