// Package logwriter buffers log lines in memory and writes them to their
// output from one goroutine, so that logging a call costs a copy, not a
// write to stderr.
package logwriter

import (
	"io"
	"strconv"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultFlushBytes    = 64 << 10
	DefaultFlushInterval = 100 * time.Millisecond
	DefaultMaxBytes      = 4 << 20
)

// Options tune a Writer; zero values take the defaults.
type Options struct {
	// FlushBytes wakes the writing goroutine once this many bytes wait.
	FlushBytes int
	// FlushInterval is the longest a line waits when few arrive.
	FlushInterval time.Duration
	// MaxBytes bounds the bytes waiting. A line that would go beyond it is
	// dropped and counted, and a notice of how many were dropped is
	// written in their place (see Writer).
	MaxBytes int
}

// Writer is an io.Writer for a logger that writes each line (each Write)
// whole: lines are copied into a buffer, in the order of their Writes, and
// one goroutine writes the buffer to the output when FlushBytes are
// waiting, every FlushInterval, and on Close. Lines never interleave, and
// none waits longer than about FlushInterval plus the output's own delay.
//
// Memory is bounded by MaxBytes waiting plus the batch being written. When
// the output does not keep up (a stalled pipe, a full disk), lines beyond
// MaxBytes are dropped rather than holding up the calls that log them, and
// the next batch written ends with one line
// {"level":"warn","droppedLines":N,...} saying how many were lost (in the
// server's JSON form, whatever the log format). Writes after Close go
// straight to the output.
type Writer struct {
	out  io.Writer
	opts Options

	mu      sync.Mutex
	buf     []byte // lines waiting
	spare   []byte // the last batch written, reused
	dropped int    // lines dropped since the last notice
	closed  bool

	wake    chan struct{} // FlushBytes are waiting
	closing chan struct{}
	done    chan struct{}
	once    sync.Once
}

// New starts a Writer that writes to out.
func New(out io.Writer, opts Options) *Writer {
	if opts.FlushBytes <= 0 {
		opts.FlushBytes = DefaultFlushBytes
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	w := &Writer{out: out, opts: opts, wake: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// Out is the output the Writer writes to.
func (w *Writer) Out() io.Writer { return w.out }

// Write copies the line p into the buffer. It never fails: a line that
// does not fit is counted as dropped.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.out.Write(p)
	}
	if len(w.buf)+len(p) > w.opts.MaxBytes {
		w.dropped++
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	if len(w.buf) >= w.opts.FlushBytes {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// Close writes what waits and stops the goroutine; later Writes go
// straight to the output. It does not close the output.
func (w *Writer) Close() error {
	w.once.Do(func() {
		close(w.closing)
		<-w.done
	})
	return nil
}

func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(w.opts.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-w.wake:
		case <-tick.C:
		case <-w.closing:
			// The last batch is written holding the lock, so that a Write
			// after Close cannot overtake it.
			w.mu.Lock()
			defer w.mu.Unlock()
			w.closed = true
			w.out.Write(w.take()) //nolint:errcheck // nowhere to report a failed log write
			return
		}
		w.mu.Lock()
		batch := w.take()
		w.mu.Unlock()
		if len(batch) > 0 {
			w.out.Write(batch) //nolint:errcheck // nowhere to report a failed log write
		}
		w.mu.Lock()
		if cap(batch) <= 2*w.opts.FlushBytes {
			w.spare = batch[:0] // a batch of a burst is left to the collector
		}
		w.mu.Unlock()
	}
}

// take returns the waiting lines, followed by a notice of the lines
// dropped since the last one, and starts an empty buffer. The caller holds
// w.mu.
func (w *Writer) take() []byte {
	batch := w.buf
	if w.dropped > 0 {
		batch = appendNotice(batch, w.dropped, time.Now())
		w.dropped = 0
	}
	w.buf, w.spare = w.spare, nil
	return batch
}

// appendNotice appends the line that says n lines were dropped, in the
// shape of the server's JSON log lines.
func appendNotice(b []byte, n int, now time.Time) []byte {
	b = append(b, `{"level":"warn","droppedLines":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `,"time":"`...)
	b = now.AppendFormat(b, time.RFC3339)
	return append(b, `","message":"log lines dropped: the log output did not keep up"}`+"\n"...)
}
