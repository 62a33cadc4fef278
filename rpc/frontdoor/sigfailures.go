package frontdoor

import (
	"sync"
	"time"
)

// suspectAfter is how many requests with a valid key and credential but an
// invalid signature a key may send in a minute before its requests are
// counted, before their signature is checked, in an allowance of its own.
const suspectAfter = 20

// SigFailures counts, per key and per minute, requests that passed the
// credential check and failed the signature check (a stale timestamp is
// refused before any check and does not count). Such requests cost the
// partner nothing, so that forged or stale copies of a captured request
// cannot spend its allowance; past suspectAfter a minute the key is
// suspect and every request of it is first counted in an allowance of the
// key's own, as large as the partner's tier, so that a flood of forgeries
// costs the server no more signature checks than the tier allows. Counts
// are per process; keys are few (only authenticated ones are counted).
type SigFailures struct {
	mu     sync.Mutex
	minute int64
	counts map[string]int
}

// NewSigFailures returns empty counts.
func NewSigFailures() *SigFailures { return &SigFailures{counts: map[string]int{}} }

// Suspect reports whether keyID failed its signature check suspectAfter
// times or more in the current minute.
func (f *SigFailures) Suspect(keyID string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roll(now)
	return f.counts[keyID] >= suspectAfter
}

// Failed counts one failed signature check of keyID.
func (f *SigFailures) Failed(keyID string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roll(now)
	f.counts[keyID]++
}

// roll starts a new count at a new minute.
func (f *SigFailures) roll(now time.Time) {
	if m := now.Unix() / 60; m != f.minute {
		f.minute = m
		clear(f.counts)
	}
}
