package load

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// phase is one timed run of a mix against one endpoint: one worker per
// connection, each signing a call, sending it and waiting for its answer,
// until the duration is over.
type phase struct {
	name string // ceiling or target, in the progress lines
	// callers are the endpoints (replicas); the workers are spread over
	// them in turn.
	callers  []*caller
	f        *Fixture
	mix      Mix
	conns    int
	duration time.Duration
	rate     float64   // calls a second in all; 0: as fast as answered
	progress io.Writer // one line a second; nil: none
	// ceiling is set against the ceiling, which answers every call with a
	// result (NoOp's too).
	ceiling bool
}

// measured is what a phase measured.
type measured struct {
	elapsed time.Duration
	methods []methodStats // in the mix's order
	signed  int
	signing time.Duration // the workers' time spent building and signing
}

// methodStats is one method's calls in a phase.
type methodStats struct {
	latencies []time.Duration // of the calls that succeeded
	errors    map[string]int  // the other calls, by outcome code
}

// record counts one call.
func (s *methodStats) record(latency time.Duration, code string) {
	if code == "" {
		s.latencies = append(s.latencies, latency)
		return
	}
	if s.errors == nil {
		s.errors = map[string]int{}
	}
	s.errors[code]++
}

// merge adds o's calls to s.
func (s *methodStats) merge(o methodStats) {
	s.latencies = append(s.latencies, o.latencies...)
	for code, n := range o.errors {
		if s.errors == nil {
			s.errors = map[string]int{}
		}
		s.errors[code] += n
	}
}

// worker is one connection's share of a phase.
type worker struct {
	methods []methodStats
	signed  int
	signing time.Duration
}

// counters are what the progress lines show.
type counters struct{ calls, errors atomic.Int64 }

// run runs the phase. A call still in flight when the duration ends is
// waited for and counted; a run cut short by ctx counts what had ended.
func (p *phase) run(ctx context.Context) measured {
	cycle := p.mix.cycle()
	workers := make([]worker, p.conns)
	var picks atomic.Uint64
	var live counters
	start := time.Now()
	end := start.Add(p.duration)
	stopProgress := p.report(&live, start)
	var wg sync.WaitGroup
	for i := range workers {
		workers[i].methods = make([]methodStats, len(p.mix))
		wg.Add(1)
		go func(w *worker, c *caller) {
			defer wg.Done()
			p.work(ctx, w, c, cycle, &picks, &live, start, end)
		}(&workers[i], p.callers[i%len(p.callers)])
	}
	wg.Wait()
	out := measured{elapsed: time.Since(start), methods: make([]methodStats, len(p.mix))}
	stopProgress()
	for _, w := range workers {
		for i := range w.methods {
			out.methods[i].merge(w.methods[i])
		}
		out.signed += w.signed
		out.signing += w.signing
	}
	return out
}

// work is one worker's loop. With a rate, call n is due at start + n/rate
// and its latency runs from then, so that a server that falls behind is
// charged for the calls it kept waiting; without one, from when it is sent.
// Signing happens before either clock starts.
func (p *phase) work(ctx context.Context, w *worker, c *caller, cycle []int, picks *atomic.Uint64, live *counters, start, end time.Time) {
	for ctx.Err() == nil {
		n := picks.Add(1) - 1
		due, ok := p.due(n, len(cycle), start, end)
		if !ok {
			return
		}
		i := cycle[n%uint64(len(cycle))]
		m := p.mix[i].Method
		signStart := time.Now()
		body, err := c.envelope(m, m.payload(p.f, n))
		w.signing += time.Since(signStart)
		w.signed++
		if err != nil {
			w.methods[i].record(0, "sign")
			continue
		}
		sent := time.Now()
		if p.rate > 0 {
			if !sleepUntil(ctx, due) {
				return
			}
			sent = due
		}
		expect := m.expect
		if p.ceiling {
			expect = 0
		}
		o := c.post(ctx, body, expect)
		latency := time.Since(sent)
		if ctx.Err() != nil {
			return // interrupted: the call's outcome says nothing of the server
		}
		w.methods[i].record(latency, o.code)
		live.calls.Add(1)
		if o.code != "" {
			live.errors.Add(1)
		}
	}
}

// due is when call n is due (zero without a rate), and whether it is to be
// made at all: not once the phase is over, except for the first turn of the
// cycle, so that every method of the mix is called at least once however
// short the phase.
func (p *phase) due(n uint64, cycleLen int, start, end time.Time) (time.Time, bool) {
	first := n < uint64(cycleLen)
	if p.rate == 0 {
		return time.Time{}, first || time.Now().Before(end)
	}
	due := start.Add(time.Duration(float64(n) / p.rate * float64(time.Second)))
	return due, first || due.Before(end)
}

// sleepUntil waits until t; false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// report prints a progress line every second until the returned function
// is called.
func (p *phase) report(live *counters, start time.Time) (stop func()) {
	if p.progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		last := int64(0)
		for {
			select {
			case <-done:
				return
			case now := <-tick.C:
				calls := live.calls.Load()
				elapsed := now.Sub(start)
				fmt.Fprintf(p.progress, "load: %-7s %3.0fs  %s calls/s now, %s on average, %s calls, %s errors\n",
					p.name, elapsed.Seconds(), thousands(float64(calls-last)), thousands(float64(calls)/elapsed.Seconds()),
					thousands(float64(calls)), thousands(float64(live.errors.Load())))
				last = calls
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// percentile is the nearest-rank percentile q (0 to 1) of sorted latencies.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// sortLatencies sorts latencies in place and returns them.
func sortLatencies(l []time.Duration) []time.Duration {
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l
}
