// Package frontdoor bounds what the server spends before it knows who is
// calling: the bytes of request bodies held at once, and the requests and
// connections of one address.
package frontdoor

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/accountd/accountd/rpc/metrics"
)

// BodyBudget bounds the bytes of request bodies the server holds at once
// (server.max_inflight_body_bytes). Bytes are reserved as they are read,
// chunk by chunk, so that a slow sender holds little, and released when the
// response has been written.
type BodyBudget struct {
	max     int64
	metrics *metrics.Metrics

	mu    sync.Mutex
	used  int64
	peak  int64
	freed chan struct{} // closed, and replaced, whenever bytes are released
}

// NewBodyBudget returns a budget of max bytes, reported to m.
func NewBodyBudget(max int64, m *metrics.Metrics) *BodyBudget {
	return &BodyBudget{max: max, metrics: m, freed: make(chan struct{})}
}

// Reserve takes n bytes of the budget, waiting up to wait for other
// requests to release some; it reports false when they could not be had.
func (b *BodyBudget) Reserve(ctx context.Context, n int64, wait time.Duration) bool {
	var timeout <-chan time.Time
	for {
		b.mu.Lock()
		if b.used+n <= b.max {
			b.used += n
			b.peak = max(b.peak, b.used)
			b.metrics.BodyBudget(b.used, b.peak)
			b.mu.Unlock()
			return true
		}
		freed := b.freed
		b.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-freed:
		case <-timeout:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// Release gives n bytes back and wakes the requests waiting for them.
func (b *BodyBudget) Release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.metrics.BodyBudget(b.used, b.peak)
	close(b.freed)
	b.freed = make(chan struct{})
	b.mu.Unlock()
}

// AddrLimiter counts what each client address holds (requests whose body
// is being read, or connections) and refuses more than max.
// AddrLimiter caps the places each address may hold at once.
type AddrLimiter struct {
	max int

	mu sync.Mutex
	n  map[string]int
}

// NewAddrLimiter returns a limiter of max places per address.
func NewAddrLimiter(max int) *AddrLimiter {
	return &AddrLimiter{max: max, n: map[string]int{}}
}

// Acquire takes one of addr's places; release gives it back (once, however
// often it is called).
func (l *AddrLimiter) Acquire(addr string) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[addr] >= l.max {
		return nil, false
	}
	l.n[addr]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			if l.n[addr]--; l.n[addr] <= 0 {
				delete(l.n, addr)
			}
			l.mu.Unlock()
		})
	}, true
}

// HostOf is the address a per-address cap counts: the IP address of a
// host:port remote address, or for IPv6 its /64 network, which one client
// holds whole.
func HostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.Is6() || ip.Is4In6() {
		return host
	}
	prefix, err := ip.Prefix(64)
	if err != nil {
		return host
	}
	return prefix.String()
}

// LimitListener returns ln, closing at once every new connection from an
// address that already has perAddr connections open
// (server.max_connections_per_ip). Such connections are counted in
// metrics as TOO_MANY_CONNECTIONS refusals. Wrap the TCP listener, before
// TLS: a refused connection costs no handshake.
func LimitListener(ln net.Listener, perAddr int, m *metrics.Metrics) net.Listener {
	return &addrListener{Listener: ln, conns: NewAddrLimiter(perAddr), metrics: m}
}

type addrListener struct {
	net.Listener
	conns   *AddrLimiter
	metrics *metrics.Metrics
}

// Accept returns the next connection whose address is under its cap.
func (l *addrListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if release, ok := l.conns.Acquire(HostOf(c.RemoteAddr().String())); ok {
			return &countedConn{Conn: c, release: release}, nil
		}
		l.metrics.Refused("TOO_MANY_CONNECTIONS")
		c.Close() //nolint:errcheck // refused: nothing was sent on it
	}
}

// countedConn gives its address's place back when it is closed.
type countedConn struct {
	net.Conn
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// InUse returns the bytes reserved now and the most ever reserved at once.
func (b *BodyBudget) InUse() (used, peak int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, b.peak
}
