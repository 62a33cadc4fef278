package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/rpc/ratelimit"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
)

// TestRateLimitAcrossReplicasWithRedis runs two real servers on one database
// with ratelimit.redis_url set: a BRONZE partner (3 a minute here) gets 3
// calls in all, whichever replica answers, then HTTP 429.
func TestRateLimitAcrossReplicasWithRedis(t *testing.T) {
	redisURL := os.Getenv("ACCOUNTD_TEST_REDIS_URL")
	if redisURL == "" {
		t.Skip("ACCOUNTD_TEST_REDIS_URL not set: shared rate-limit test skipped (bash .ci/run sets it)")
	}
	t.Setenv("ACCOUNTD_RATELIMIT_BRONZE", "3")
	in := start(t, "--ratelimit.redis_url", redisURL)
	urls := []string{in.url, serveDB(t, in.db, &syncBuffer{}, "--ratelimit.redis_url", redisURL)}
	keyPath := filepath.Join(in.dir, "bronze.key.json")
	mustRun(t, "keys", "create", "--partner", "bronze", "--tier", "BRONZE", "--out", keyPath, "--database.driver", driver, "--database.dsn", in.db)
	key := loadKey(t, keyPath)
	t.Cleanup(func() { deleteLimiterKey(t, redisURL, in.db, "bronze") })

	for i := 0; i < 4; i++ {
		body, _ := key.Envelope("CustomerService.GetCustomer", json.RawMessage(`"r"`), []byte(`{"ID":"1"}`))
		status, raw, err := (&client.Client{URL: urls[i%2]}).Post(context.Background(), body)
		if err != nil {
			t.Fatal(err)
		}
		var resp client.Response
		json.Unmarshal(raw, &resp)
		switch {
		case i < 3 && (status != http.StatusOK || resp.Error == nil || resp.Error.Code != 1001):
			t.Fatalf("call %d: HTTP %d %s; want NOT_FOUND_CUSTOMER", i+1, status, raw)
		case i == 3 && (status != http.StatusTooManyRequests || resp.Error == nil || resp.Error.Code != rpc.CodeRateLimited):
			t.Fatalf("call 4 on the other replica: HTTP %d %s; want 429 and -32004", status, raw)
		}
	}
}

// deleteLimiterKey removes the partner's key from Redis.
func deleteLimiterKey(t *testing.T, redisURL, db, partnerName string) {
	t.Helper()
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Error(err)
		return
	}
	c := redis.NewClient(opt)
	defer c.Close()
	st, err := store.Open(context.Background(), driver, db)
	if err != nil {
		t.Error(err)
		return
	}
	defer st.Close()
	p, err := partner.NewPartners(st, nil).FindPartner(context.Background(), partnerName)
	if err != nil {
		t.Error(err)
		return
	}
	c.Del(context.Background(), ratelimit.KeyPrefix+"partner:"+strconv.FormatInt(p.ID, 10))
}

// TestBadRedisURLStopsStartUp: a Redis that does not answer is a start-up
// error naming the key, not a server that limits nobody.
func TestBadRedisURLStopsStartUp(t *testing.T) {
	_, _, err := runCmd(t, "", "serve", "--database.dsn", filepath.Join(t.TempDir(), "a.db"), "--server.addr", "127.0.0.1:0",
		"--ratelimit.redis_url", "redis://127.0.0.1:1/0")
	if err == nil || !strings.Contains(err.Error(), "ratelimit.redis_url") {
		t.Fatalf("serve with an unreachable Redis: %v, want an error naming ratelimit.redis_url", err)
	}
}

// TestUnknownMethodCostStopsStartUp: a cost for a method that does not
// exist (a typo) is a start-up error naming the key and the name, not a
// cost silently never charged.
func TestUnknownMethodCostStopsStartUp(t *testing.T) {
	t.Setenv("ACCOUNTD_RATELIMIT_COSTS", "AccountService.SearchNiceNumber=20")
	_, _, err := runCmd(t, "", "serve", "--database.dsn", filepath.Join(t.TempDir(), "a.db"), "--server.addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "ratelimit.costs") || !strings.Contains(err.Error(), "AccountService.SearchNiceNumber") {
		t.Fatalf("serve with a cost of an unknown method: %v, want an error naming ratelimit.costs and the name", err)
	}
}
