package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountd/accountd/services/notify"
)

// shiftClock is the services' clock in tests that let time pass: the real
// time plus an offset that only grows.
type shiftClock struct{ offset atomic.Int64 }

func (c *shiftClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *shiftClock) advance(d time.Duration) error {
	c.offset.Add(int64(d))
	return nil
}

// useShiftClock makes a shiftClock the clock of every app the test opens
// (servers and in-process commands), until the test ends.
func useShiftClock(t *testing.T) *shiftClock {
	t.Helper()
	c := &shiftClock{}
	clockOverride = c
	t.Cleanup(func() { clockOverride = nil })
	return c
}

// consoleCodes reads one-time codes off a server's standard output, waiting
// up to 10 s for the dispatcher to print them.
func consoleCodes(console *syncBuffer) func(context.Context, string, string) (string, error) {
	return func(ctx context.Context, requestID, purpose string) (string, error) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			if code, ok := notify.FindCode(console.String(), requestID, purpose); ok {
				return code, nil
			}
			if time.Now().After(deadline) {
				return "", errors.New("not printed on the server's standard output within 10 s")
			}
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// printedCodes returns every code the console channel printed.
func printedCodes(console string) []string {
	var codes []string
	for _, line := range strings.Split(console, "\n") {
		if _, _, code, ok := notify.ParseConsoleLine(line); ok {
			codes = append(codes, code)
		}
	}
	return codes
}

// command runs an accountd command in-process on the instance's database;
// it shares the test's clock.
func (in *instance) command(ctx context.Context, args []string) (string, error) {
	var out, errOut syncBuffer
	args = append(append([]string(nil), args...), "--database.driver", driver, "--database.dsn", in.db)
	if err := run(ctx, args, strings.NewReader(""), &out, &errOut); err != nil {
		return out.String(), fmt.Errorf("%w\n%s", err, errOut.String())
	}
	return out.String(), nil
}
