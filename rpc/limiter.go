package rpc

import (
	"context"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc/ratelimit"
	"github.com/accountd/accountd/services"
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
	metrics *Metrics
	log     zerolog.Logger
	// lastWarn is the Unix second of the last logged failure, so that a
	// Redis outage logs once a minute, not once a request.
	lastWarn atomic.Int64
}

func newLimiter(l ratelimit.Limiter, tiers map[string]int, m *Metrics, log zerolog.Logger) *limiter {
	local, isLocal := l.(*ratelimit.Memory)
	if !isLocal {
		local = ratelimit.NewMemory(nil)
	}
	return &limiter{shared: l, local: local, tiers: tiers, metrics: m, log: log}
}

// check takes one request from the partner's allowance and returns a
// -32004 error with retryAfterSeconds when the partner is over its limit.
func (l *limiter) check(ctx context.Context, id services.Identity) *Error {
	limit := l.tiers[id.Tier]
	if limit <= 0 {
		limit = l.tiers[services.TierBronze]
	}
	if limit <= 0 {
		return nil
	}
	key := "partner:" + strconv.FormatInt(id.PartnerID, 10)
	d, err := l.take(ctx, key, limit)
	if err != nil {
		l.metrics.limiterFailed()
		now := time.Now().Unix()
		if last := l.lastWarn.Load(); now-last >= 60 && l.lastWarn.CompareAndSwap(last, now) {
			l.log.Warn().Err(err).Msg("shared rate limiter failed: limiting in this process only")
		}
		d, err = l.local.Take(ctx, key, limit, 1)
		if err != nil {
			return nil
		}
	}
	if d.Allowed {
		return nil
	}
	l.metrics.rateRefused(id.Tier)
	retry := int(math.Ceil(d.RetryAfter.Seconds()))
	if retry < 1 {
		retry = 1
	}
	return &Error{Code: CodeRateLimited, Message: services.ErrRateLimited.Error(), Data: &ErrorData{
		Reason:            "RATE_LIMITED",
		Detail:            "the " + id.Tier + " package allows " + strconv.Itoa(limit) + " requests per minute",
		RetryAfterSeconds: retry,
	}}
}

// take asks the shared limiter; a remote one gets a bounded context detached
// from the caller's (a client hanging up is not a limiter failure, and a
// hung Redis does not hold the call for long).
func (l *limiter) take(ctx context.Context, key string, limit int) (ratelimit.Decision, error) {
	if l.shared == ratelimit.Limiter(l.local) {
		return l.local.Take(ctx, key, limit, 1)
	}
	takeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedTakeTimeout)
	defer cancel()
	return l.shared.Take(takeCtx, key, limit, 1)
}
