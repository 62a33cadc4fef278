package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// sweepInterval is how often Memory drops keys whose bucket is full again.
// A key is fully recovered at most one window after its last allowed take,
// so no key outlives its last use by more than two minutes.
const sweepInterval = minuteMicros

// Memory is a Limiter for one process. It is safe for concurrent use.
type Memory struct {
	clock func() time.Time

	mu        sync.Mutex
	tats      map[string]int64 // key -> theoretical arrival time, µs
	nextSweep int64
}

var _ Limiter = (*Memory)(nil)

// NewMemory returns an in-process limiter reading the time from clock
// (time.Now when nil).
func NewMemory(clock func() time.Time) *Memory {
	if clock == nil {
		clock = time.Now
	}
	return &Memory{clock: clock, tats: make(map[string]int64)}
}

// Take asks for n requests for key under limitPerMinute; see Limiter. The
// only error is one wrapping ErrInvalidArgument.
func (m *Memory) Take(_ context.Context, key string, limitPerMinute, n int) (Decision, error) {
	g, err := newGCRA(limitPerMinute, n)
	if err != nil {
		return Decision{}, fmt.Errorf("take %s: %w", key, err)
	}
	now := m.clock().UnixMicro()

	m.mu.Lock()
	defer m.mu.Unlock()
	if now >= m.nextSweep {
		m.sweep(now)
	}
	d, tat := g.take(m.tats[key], now, n)
	if d.Allowed {
		m.tats[key] = tat
	}
	return d, nil
}

// sweep drops the keys whose bucket is full again at now: forgetting them
// changes no decision. The caller holds m.mu.
func (m *Memory) sweep(now int64) {
	for key, tat := range m.tats {
		if tat <= now {
			delete(m.tats, key)
		}
	}
	m.nextSweep = now + sweepInterval
}

// Close forgets all keys. It always returns nil.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.tats)
	return nil
}
