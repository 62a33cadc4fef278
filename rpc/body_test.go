package rpc

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"testing/iotest"

	"github.com/accountd/accountd/rpc/frontdoor"
)

// TestBodyReader checks what reading a body allocates and reserves: the
// first 64 KiB grow with what arrives and are free, every further 64 KiB is
// reserved before it is allocated, the body comes out whole, and a body the
// budget cannot hold is refused.
func TestBodyReader(t *testing.T) {
	tests := []struct {
		name         string
		size         int
		announced    bool
		budget       int64
		wantAlloc    int64
		wantReserved int64
		wantErr      error
	}{
		{"small, announced", 300, true, 1 << 20, 300, 0, nil},
		{"small, chunked", 300, false, 1 << 20, 4 << 10, 0, nil},
		{"64 KiB, announced", 64 << 10, true, 1 << 20, 64 << 10, 0, nil},
		// Telling the end of a chunked body takes room for one more read.
		{"64 KiB, chunked", 64 << 10, false, 1 << 20, 128 << 10, 64 << 10, nil},
		{"200 KiB, announced", 200 << 10, true, 1 << 20, 200 << 10, 136 << 10, nil},
		{"200 KiB, chunked", 200 << 10, false, 1 << 20, 256 << 10, 192 << 10, nil},
		{"beyond the budget", 200 << 10, false, 128 << 10, 192 << 10, 128 << 10, errNoBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := bytes.Repeat([]byte("abcdefgh"), tt.size/8+1)[:tt.size]
			length := int64(-1)
			if tt.announced {
				length = int64(tt.size)
			}
			budget := frontdoor.NewBodyBudget(tt.budget, nil)
			rd := &bodyReader{ctx: context.Background(), src: iotest.HalfReader(bytes.NewReader(body)), length: length, budget: budget}
			err := rd.fill(1 << 20)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("fill: %v, want %v", err, tt.wantErr)
			}
			if used, _ := budget.InUse(); rd.alloc != tt.wantAlloc || rd.reserved != tt.wantReserved || used != tt.wantReserved {
				t.Errorf("allocated %d, reserved %d (budget used %d); want %d and %d", rd.alloc, rd.reserved, used, tt.wantAlloc, tt.wantReserved)
			}
			if err != nil {
				return
			}
			if got := rd.bytes(); !bytes.Equal(got, body) {
				t.Errorf("read %d bytes back, want the %d sent", len(got), len(body))
			}
			budget.Release(rd.reserved)
			if used, peak := budget.InUse(); used != 0 || peak != tt.wantReserved {
				t.Errorf("after release: used %d, peak %d", used, peak)
			}
		})
	}
}
