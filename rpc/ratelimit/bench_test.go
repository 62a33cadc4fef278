package ratelimit

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
)

// benchmarkTake measures Take on one partner's key, then spread over 1000
// partners' keys from parallel goroutines. Most takes are refused once the
// burst is spent; both paths cost the same.
func benchmarkTake(b *testing.B, lim Limiter, prefix string) {
	ctx := context.Background()
	b.Run("one key", func(b *testing.B) {
		for b.Loop() {
			if _, err := lim.Take(ctx, prefix+"one", 2000, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("1000 keys parallel", func(b *testing.B) {
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				key := prefix + "partner-" + strconv.Itoa(int(next.Add(1)%1000))
				if _, err := lim.Take(ctx, key, 2000, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkMemoryTake(b *testing.B) {
	benchmarkTake(b, NewMemory(nil), "")
}

func BenchmarkRedisTake(b *testing.B) {
	r := openRedis(b)
	benchmarkTake(b, r, keyPrefix(b, r))
}
