package rpc

import "time"

// workerIdle is how long a call goroutine waits for the next call before
// it exits.
const workerIdle = 10 * time.Second

// workers runs each call on a goroutine of its own, as a fresh `go` would,
// but keeps the goroutines for the calls that follow. A call descends
// through gorilla/rpc, the domain, sqlx, database/sql and the driver: on a
// fresh goroutine its stack was grown (copied, every frame adjusted)
// several times per call, about a tenth of a signed read's time. A kept
// goroutine keeps its stack until the garbage collector shrinks it.
//
// A call never waits for a worker: when none is idle a new one starts, so
// there are as many as calls in flight at the peak, and each exits after
// workerIdle without a call.
type workers struct {
	calls chan func()
}

func newWorkers() *workers { return &workers{calls: make(chan func())} }

// run runs f on an idle worker, or on a new one.
func (w *workers) run(f func()) {
	select {
	case w.calls <- f:
	default:
		go w.work(f)
	}
}

func (w *workers) work(f func()) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		f()
		f = nil // an idle worker keeps nothing of its last call
		idle.Reset(workerIdle)
		select {
		case f = <-w.calls:
		case <-idle.C:
			return
		}
	}
}
