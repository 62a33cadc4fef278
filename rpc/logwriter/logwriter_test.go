package logwriter_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/logwriter"
)

// output is a destination that records each Write it gets, and can be
// held still to play a stalled pipe.
type output struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	hold   sync.Mutex // held: Write waits
}

func (o *output) Write(p []byte) (int, error) {
	o.hold.Lock()
	o.hold.Unlock() //nolint:staticcheck // waits while the test holds it
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes++
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// TestLinesArriveInOrderAfterClose: every line written before Close is in
// the output after it, in the order written, and a line written after Close
// still arrives.
func TestLinesArriveInOrderAfterClose(t *testing.T) {
	out := &output{}
	w := logwriter.New(out, logwriter.Options{FlushInterval: time.Hour})
	var want strings.Builder
	for i := range 10000 {
		line := fmt.Sprintf(`{"n":%d}`+"\n", i)
		want.WriteString(line)
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	w.Write([]byte("after close\n"))
	want.WriteString("after close\n")
	if got := out.String(); got != want.String() {
		t.Fatalf("output differs from the lines written: %d bytes, want %d", len(got), want.Len())
	}
	if out.writes >= 10000 {
		t.Errorf("%d writes to the output for 10,000 lines: not batched", out.writes)
	}
}

// TestConcurrentWritersDoNotInterleave: lines written at once from many
// goroutines each arrive whole, each writer's in its own order, none lost.
func TestConcurrentWritersDoNotInterleave(t *testing.T) {
	out := &output{}
	w := logwriter.New(out, logwriter.Options{FlushBytes: 512, FlushInterval: time.Millisecond})
	const writers, lines = 8, 2000
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				// A long line, written from a buffer the writer then
				// overwrites, as zerolog reuses its buffers.
				b := []byte(fmt.Sprintf("writer %d line %d %s end\n", g, i, strings.Repeat(string(rune('a'+g)), 100)))
				w.Write(b)
				for j := range b {
					b[j] = '#'
				}
			}
		}()
	}
	wg.Wait()
	w.Close()
	next := make([]int, writers)
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for _, line := range got {
		var g, i int
		var fill string
		if _, err := fmt.Sscanf(line, "writer %d line %d %s end", &g, &i, &fill); err != nil || fill != strings.Repeat(string(rune('a'+g)), 100) {
			t.Fatalf("a broken line: %q", line)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d after line %d", g, i, next[g]-1)
		}
		next[g]++
	}
	if len(got) != writers*lines {
		t.Fatalf("%d lines arrived, want %d", len(got), writers*lines)
	}
}

// TestFlushWithoutClose: a line arrives by itself after the interval, and
// a burst of FlushBytes without waiting for it.
func TestFlushWithoutClose(t *testing.T) {
	tests := []struct {
		name  string
		opts  logwriter.Options
		lines int
		want  string
	}{
		{"one line, after the interval", logwriter.Options{FlushInterval: 20 * time.Millisecond}, 1, "line 000\n"},
		{"FlushBytes waiting", logwriter.Options{FlushBytes: 1000, FlushInterval: time.Hour}, 200, "line 000\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &output{}
			w := logwriter.New(out, tt.opts)
			defer w.Close()
			for i := range tt.lines {
				fmt.Fprintf(w, "line %03d\n", i)
			}
			if !eventually(func() bool { return strings.Contains(out.String(), tt.want) }) {
				t.Fatalf("the lines did not reach the output without Close: %q", out.String())
			}
		})
	}
}

// TestDroppedLinesAreCounted: when the output stalls, lines beyond
// MaxBytes are dropped without blocking the writer, and a notice with
// their number follows once the output moves again.
func TestDroppedLinesAreCounted(t *testing.T) {
	out := &output{}
	out.hold.Lock()
	w := logwriter.New(out, logwriter.Options{FlushBytes: 10, FlushInterval: time.Millisecond, MaxBytes: 100})
	w.Write([]byte("first line\n")) // taken by the goroutine, which then waits on the output
	if !eventually(func() bool { return w.Waiting() == 0 }) {
		t.Fatal("the first line was not taken")
	}
	for i := range 30 {
		fmt.Fprintf(w, "line %02d\n", i) // 8 bytes: 12 fit in 100
	}
	out.hold.Unlock()
	w.Close()
	got := out.String()
	if !strings.HasPrefix(got, "first line\nline 00\n") || !strings.Contains(got, "line 11\n") || strings.Contains(got, "line 12\n") {
		t.Errorf("want the first line and lines 00 to 11:\n%s", got)
	}
	if !strings.Contains(got, `"droppedLines":18,`) {
		t.Errorf("no notice of the 18 dropped lines:\n%s", got)
	}
}

// eventually polls cond for a generous while.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
