package rpc

import (
	"sync"
	"testing"
	"time"
)

// TestWorkersNeverWait: a call starts at once even while every worker is
// busy with a call that does not end, and calls run on workers kept from
// earlier calls as well as on new ones.
func TestWorkersNeverWait(t *testing.T) {
	w := newWorkers()
	stuck := make(chan struct{})
	defer close(stuck)
	for range 3 {
		w.run(func() { <-stuck })
	}
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		w.run(wg.Done)
		if i%10 == 0 {
			time.Sleep(time.Millisecond) // let some workers go idle and take the next calls
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("calls waited behind calls that do not end")
	}
}
