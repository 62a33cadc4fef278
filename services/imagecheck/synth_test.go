package imagecheck

import (
	"fmt"
	"sync"
	"testing"

	"github.com/accountd/accountd/services/imagecheck/synth"
)

// TestRandomApplicants checks what the fixtures rely on when they draw a
// fresh applicant per run: every random applicant's pictures pass, and no
// two pictures of different applicants, nor two kinds of one applicant,
// come within the hash distance that makes them the same picture.
func TestRandomApplicants(t *testing.T) {
	t.Parallel()
	seeds := 16
	if raceEnabled {
		seeds = 6
	}
	kinds := []string{synth.CardFront, synth.CardBack, synth.Portrait}
	type pic struct {
		name   string
		hash   uint64
		detail Detail
	}
	pics := make([]pic, seeds*len(kinds))
	var wg sync.WaitGroup
	for s := range seeds {
		for k, kind := range kinds {
			wg.Go(func() {
				seed := uint64(1_000_000 + s*7_919_777)
				data, err := synth.Picture(synth.Random(seed), kind)
				if err != nil {
					t.Error(err)
					return
				}
				rules := CardRules()
				if kind == synth.Portrait {
					rules = PortraitRules()
				}
				rep := Analyze(data, synth.Format(kind), rules)
				name := fmt.Sprintf("%s of seed %d", kind, seed)
				if !rep.Passed() {
					t.Errorf("%s failed: %+v", name, rep.Checks)
				}
				pics[s*len(kinds)+k] = pic{name, rep.Hash, rep.Detail}
			})
		}
	}
	wg.Wait()
	closest := 256
	for i := range pics {
		for j := i + 1; j < len(pics); j++ {
			if Same(pics[i].hash, pics[j].hash, pics[i].detail, pics[j].detail, 10) {
				t.Errorf("%s and %s count as the same picture (%d and %d bits apart)", pics[i].name, pics[j].name,
					Distance(pics[i].hash, pics[j].hash), DetailDistance(pics[i].detail, pics[j].detail))
			}
			if Distance(pics[i].hash, pics[j].hash) <= 10 {
				closest = min(closest, DetailDistance(pics[i].detail, pics[j].detail))
			}
		}
	}
	t.Logf("of the pairs within 10 bits of PHash, the closest detail hashes are %d bits apart", closest)
}
