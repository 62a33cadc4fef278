package rpc

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc/ratelimit"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/partner"
)

// sharedTakeTimeout bounds one check against the shared limiter.
const sharedTakeTimeout = 500 * time.Millisecond

// limiter applies the partners' tier limits. When the shared limiter
// (Redis) fails, each process limits on its own rather than refusing all
// traffic or letting it all through, and the failure is counted and logged.
type limiter struct {
	shared  ratelimit.Limiter
	local   *ratelimit.Memory
	tiers   map[string]int
	costs   map[string]int // units per call of the methods that take more than one
	metrics *Metrics
	log     zerolog.Logger
	// lastWarn is the Unix second of the last logged failure, so that a
	// Redis outage logs once a minute, not once a request.
	lastWarn atomic.Int64
}

func newLimiter(l ratelimit.Limiter, tiers, costs map[string]int, m *Metrics, log zerolog.Logger) *limiter {
	local, isLocal := l.(*ratelimit.Memory)
	if !isLocal {
		local = ratelimit.NewMemory(nil)
	}
	return &limiter{shared: l, local: local, tiers: tiers, costs: costs, metrics: m, log: log}
}

// DefaultCosts returns the methods that take more than one unit of a
// partner's rate limit per call, with their units: measured with
// BenchmarkMethodCost (a worst-case search examines 10,000 candidates; a
// picture is decoded and analysed). Every other method takes one.
func DefaultCosts() map[string]int {
	out := map[string]int{}
	for name, m := range methodTable {
		if m.cost > 1 {
			out[name] = m.cost
		}
	}
	return out
}

// CheckCosts checks a table of method costs that overrides DefaultCosts:
// every name must be a method and every cost at least one.
func CheckCosts(costs map[string]int) error {
	names := make([]string, 0, len(costs))
	for name := range costs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case !known(name):
			return fmt.Errorf("cost of %q: no such method (names are Service.Method, as the method reference and rpc.discover's x-jsonrpc-name give them)", name)
		case costs[name] < 1:
			return fmt.Errorf("cost of %s: %d, want at least 1", name, costs[name])
		}
	}
	return nil
}

// methodCosts is DefaultCosts with overrides applied.
func methodCosts(overrides map[string]int) (map[string]int, error) {
	if err := CheckCosts(overrides); err != nil {
		return nil, err
	}
	costs := DefaultCosts()
	for name, n := range overrides {
		costs[name] = n
	}
	return costs, nil
}

// check takes a call of method from the partner's allowance (its cost in
// units, at most the whole allowance, so that every method stays callable)
// and returns a -32004 error with retryAfterSeconds when the partner is
// over its limit.
func (l *limiter) check(ctx context.Context, id partner.Identity, method string) *Error {
	limit := l.limit(id)
	cost := min(max(l.costs[method], 1), limit)
	return l.charge(ctx, "partner:"+strconv.FormatInt(id.PartnerID, 10), limit, cost, id.Tier, func() string {
		detail := "the " + id.Tier + " package allows " + strconv.Itoa(limit) + " requests per minute"
		if cost > 1 {
			detail += "; " + method + " counts as " + strconv.Itoa(cost)
		}
		return detail
	})
}

// checkUnverified takes one request of a suspect key (see frontdoor.SigFailures)
// from an allowance of the key's own, as large as its partner's, before
// the request's signature is checked: a flood of forgeries costs no more
// signature checks than the tier allows, and not the partner's allowance.
func (l *limiter) checkUnverified(ctx context.Context, id partner.Identity) *Error {
	limit := l.limit(id)
	return l.charge(ctx, "unverified:"+id.KeyID, limit, 1, id.Tier, func() string {
		return "this key sent many requests with invalid signatures: at most " + strconv.Itoa(limit) +
			" a minute are checked; if its credential has leaked, revoke the key"
	})
}

// limit is the requests per minute of id's tier (BRONZE's when unknown).
func (l *limiter) limit(id partner.Identity) int {
	if limit := l.tiers[id.Tier]; limit > 0 {
		return limit
	}
	return l.tiers[partner.TierBronze]
}

// charge takes cost units of key's allowance of limit a minute; detail
// says why when it refuses.
func (l *limiter) charge(ctx context.Context, key string, limit, cost int, tier string, detail func() string) *Error {
	if limit <= 0 {
		return nil
	}
	d, err := l.take(ctx, key, limit, cost)
	if err != nil {
		l.metrics.LimiterFailed()
		now := time.Now().Unix()
		if last := l.lastWarn.Load(); now-last >= 60 && l.lastWarn.CompareAndSwap(last, now) {
			l.log.Warn().Err(err).Msg("shared rate limiter failed: limiting in this process only")
		}
		d, err = l.local.Take(ctx, key, limit, cost)
		if err != nil {
			return nil
		}
	}
	if d.Allowed {
		return nil
	}
	l.metrics.RateRefused(tier)
	retry := int(math.Ceil(d.RetryAfter.Seconds()))
	if retry < 1 {
		retry = 1
	}
	return &Error{Code: CodeRateLimited, Message: services.ErrRateLimited.Error(), Data: &ErrorData{
		Reason:            "RATE_LIMITED",
		Detail:            detail(),
		RetryAfterSeconds: retry,
	}}
}

// take asks the shared limiter; a remote one gets a bounded context detached
// from the caller's (a client hanging up is not a limiter failure, and a
// hung Redis does not hold the call for long).
func (l *limiter) take(ctx context.Context, key string, limit, cost int) (ratelimit.Decision, error) {
	if l.shared == ratelimit.Limiter(l.local) {
		return l.local.Take(ctx, key, limit, cost)
	}
	takeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedTakeTimeout)
	defer cancel()
	return l.shared.Take(takeCtx, key, limit, cost)
}
