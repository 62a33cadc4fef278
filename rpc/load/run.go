package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/accountd/accountd/rpc/client"
)

// Config is one `accountd load`.
type Config struct {
	// URL is the target's JSON-RPC endpoint.
	URL string
	// Key signs every call; the target must know it (`accountd keys
	// create`), with a tier whose rate limit the load stays under.
	Key *client.KeyFile
	Mix Mix
	// Connections is the number of connections, one worker each.
	Connections int
	// Duration is how long each timed phase runs.
	Duration time.Duration
	// Rate caps the calls a second of each phase; 0 is no cap.
	Rate float64
	// Ceiling runs each load against the signed no-op server first.
	Ceiling bool
	// Each runs the mix's methods one at a time, each for Duration (and
	// its ceiling before it), instead of the whole mix at once.
	Each bool
	// Rounds is how many times the whole run (ceiling and target, each
	// method with Each) is repeated, one after the other; 0 is once.
	Rounds int
	// BankCode is the bank's code, for ValidateName.
	BankCode string
	// Customers is how many customers the setup phase creates, each with
	// one account; 0 is twice the connections, at least 16.
	Customers int
	// Progress receives a line a second; nil for none.
	Progress io.Writer
}

// callTimeout bounds one call.
const callTimeout = 30 * time.Second

// check refuses a configuration that cannot run.
func (cfg Config) check() error {
	switch {
	case cfg.URL == "":
		return errors.New("no target URL")
	case cfg.Key == nil:
		return errors.New("no key")
	case len(cfg.Mix) == 0:
		return errors.New("the mix names no method")
	case cfg.Connections < 1:
		return errors.New("connections must be at least 1")
	case cfg.Duration <= 0:
		return errors.New("the duration must be positive")
	case cfg.Rate < 0:
		return errors.New("the rate must not be negative")
	case cfg.Rounds < 0:
		return errors.New("the rounds must not be negative")
	}
	return nil
}

// rounds is how many rounds the run makes.
func (cfg Config) rounds() int { return max(1, cfg.Rounds) }

// Run creates the data the mix needs on the target, then runs the load:
// against the ceiling first when asked, then against the target, and
// reports both.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.check(); err != nil {
		return Report{}, err
	}
	f, err := newFixture(cfg.BankCode)
	if err != nil {
		return Report{}, err
	}
	rep := newReport(cfg)
	target := newCaller(cfg.URL, cfg.Key, f.Run, cfg.Connections, callTimeout)
	defer target.close()
	customers := cfg.Customers
	if customers == 0 {
		customers = max(16, 2*cfg.Connections)
	}
	if err := setup(ctx, target, f, cfg.Mix, customers); err != nil {
		return Report{}, err
	}
	rep.Setup = describeSetup(f)
	progressf(cfg.Progress, "load: setup: %s\n", rep.Setup)
	var ceiling *Ceiling
	if cfg.Ceiling {
		if ceiling, err = StartCeiling(cfg.Key); err != nil {
			return Report{}, err
		}
		defer ceiling.Close()
	}
	mixes := []Mix{cfg.Mix}
	if cfg.Each {
		mixes = mixes[:0]
		for _, e := range cfg.Mix {
			mixes = append(mixes, Mix{{Method: e.Method, Weight: 1}})
		}
	}
	targets := make([][]measured, len(mixes))
	bases := make([][]measured, len(mixes))
	for round := 1; round <= cfg.rounds(); round++ {
		for i, mix := range mixes {
			progressf(cfg.Progress, "load: round %d of %d, mix %s\n", round, cfg.rounds(), mix)
			m, base, err := rep.runMix(ctx, cfg, mix, f, target, ceiling)
			if err != nil {
				return Report{}, err
			}
			targets[i] = append(targets[i], m)
			if base != nil {
				bases[i] = append(bases[i], *base)
			}
		}
	}
	for i, mix := range mixes {
		rep.add(mix, targets[i], bases[i])
	}
	return rep, nil
}

// runMix runs one mix against the ceiling (when there is one) and the
// target.
func (rep *Report) runMix(ctx context.Context, cfg Config, mix Mix, f *Fixture, target *caller, ceiling *Ceiling) (m measured, base *measured, err error) {
	p := phase{name: "target", c: target, f: f, mix: mix, conns: cfg.Connections, duration: cfg.Duration, rate: cfg.Rate, progress: cfg.Progress}
	if ceiling != nil {
		cp := p
		cp.name, cp.ceiling, cp.f = "ceiling", true, f.forCeiling()
		cp.c = newCaller(ceiling.URL, cfg.Key, f.Run, cfg.Connections, callTimeout)
		progressf(cfg.Progress, "load: ceiling: signed no-op on %s\n", ceiling.URL)
		b := cp.run(ctx)
		cp.c.close()
		base = &b
		rep.addSigning(b)
	}
	if err := ctx.Err(); err != nil {
		return measured{}, nil, fmt.Errorf("load: %w", err)
	}
	progressf(cfg.Progress, "load: target: %s\n", cfg.URL)
	m = p.run(ctx)
	rep.addSigning(m)
	if err := ctx.Err(); err != nil {
		return measured{}, nil, fmt.Errorf("load: %w", err)
	}
	return m, base, nil
}

// describeSetup says what the setup phase created.
func describeSetup(f *Fixture) string {
	s := fmt.Sprintf("run %s: %d customers with an account each", f.Run, len(f.customers))
	if f.niceBlock != "" {
		s += fmt.Sprintf(", nice numbers to hold from %s (found free by SearchNiceNumbers)", f.niceNumber(0))
	}
	return s
}

// progressf writes a progress line when there is somewhere to write it.
func progressf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
