package config_test

import (
	"strings"
	"testing"
	"time"
)

// TestWorkBoundKeys covers the keys that bound the work of a call: the
// method costs, the nice-number search bounds and the idempotency wait:
// defaults, values from YAML and the environment, and refusals naming the
// key.
func TestWorkBoundKeys(t *testing.T) {
	c, err := load(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.RateLimit.Costs) != 0 || c.Nice.MaxSearchDepth != 1000 || c.Nice.MaxSearchCandidates != 10000 || c.Idempotency.Wait != 5*time.Second {
		t.Fatalf("defaults: costs %v, nice %+v, wait %v", c.RateLimit.Costs, c.Nice, c.Idempotency.Wait)
	}
	c, err = load(t, "nice:\n  max_search_depth: 500\n  max_search_candidates: 2000\nidempotency:\n  wait: 2s\n"+
		"ratelimit:\n  costs: \"AccountService.SearchNiceNumbers=25, OnboardingService.UploadIDCard = 40\"\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Nice.MaxSearchDepth != 500 || c.Nice.MaxSearchCandidates != 2000 || c.Idempotency.Wait != 2*time.Second ||
		len(c.RateLimit.Costs) != 2 || c.RateLimit.Costs["AccountService.SearchNiceNumbers"] != 25 || c.RateLimit.Costs["OnboardingService.UploadIDCard"] != 40 {
		t.Fatalf("from YAML: costs %v, nice %+v, wait %v", c.RateLimit.Costs, c.Nice, c.Idempotency.Wait)
	}
	if got := c.Masked(func(s string) string { return s })["ratelimit.costs"]; got != "AccountService.SearchNiceNumbers=25,OnboardingService.UploadIDCard=40" {
		t.Errorf("masked costs %v", got)
	}
	c, err = load(t, "", []string{"ACCOUNTD_RATELIMIT_COSTS=CustomerService.ValidateEKYC=1"})
	if err != nil || c.RateLimit.Costs["CustomerService.ValidateEKYC"] != 1 {
		t.Fatalf("from the environment: %v, %v", c.RateLimit.Costs, err)
	}
	for _, bad := range []struct{ yaml, key string }{
		{"nice:\n  max_search_depth: 99\n", "nice.max_search_depth"},
		{"nice:\n  max_search_candidates: 10000000\n", "nice.max_search_candidates"},
		{"nice:\n  max_search_candidates: many\n", "nice.max_search_candidates"},
		{"idempotency:\n  wait: 5\n", "idempotency.wait"},
		{"idempotency:\n  wait: 2m\n", "idempotency.wait"},
		{"ratelimit:\n  costs: SearchNiceNumbers=20\n", "ratelimit.costs"},
		{"ratelimit:\n  costs: AccountService.SearchNiceNumbers=0\n", "ratelimit.costs"},
		{"ratelimit:\n  costs: AccountService.SearchNiceNumbers=1001\n", "ratelimit.costs"},
		{"ratelimit:\n  costs: AccountService.SearchNiceNumbers=-2\n", "ratelimit.costs"},
		{"ratelimit:\n  costs: AccountService.SearchNiceNumbers=2;CustomerService.ValidateEKYC=3\n", "ratelimit.costs"},
		{"ratelimit:\n  costs: AccountService.SearchNiceNumbers=2,AccountService.SearchNiceNumbers=3\n", "ratelimit.costs"},
	} {
		if _, err := load(t, bad.yaml, nil); err == nil || !strings.Contains(err.Error(), bad.key) {
			t.Errorf("%q: got %v, want an error naming %s", bad.yaml, err, bad.key)
		}
	}
}
