package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/accountd/accountd/rpc/client"
)

// Config is one `accountd load`.
type Config struct {
	// URL is the target's JSON-RPC endpoint, or several separated by
	// commas (replicas): the connections are spread over them in turn.
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
	targets := cfg.callers(f.Run)
	defer closeAll(targets)
	customers := cfg.Customers
	if customers == 0 {
		customers = max(16, 2*cfg.Connections)
	}
	if err := setup(ctx, targets[0], f, cfg.Mix, customers); err != nil {
		return Report{}, err
	}
	rep.Setup = describeSetup(f)
	progressf(cfg.Progress, "load: setup: %s\n", rep.Setup)
	var ceiling []*caller
	if cfg.Ceiling {
		c, err := StartCeiling(cfg.Key)
		if err != nil {
			return Report{}, err
		}
		defer c.Close()
		ceiling = []*caller{newCaller(c.URL, cfg.Key, f.Run, new(atomic.Uint64), cfg.Connections, callTimeout)}
		defer closeAll(ceiling)
	}
	return rep, rep.runRounds(ctx, cfg, f, targets, ceiling)
}

// callers are the target's endpoints, the connections spread over them.
func (cfg Config) callers(run string) []*caller {
	urls := strings.Split(cfg.URL, ",")
	ids := new(atomic.Uint64) // one numbering: the replicas share one idempotency table
	out := make([]*caller, len(urls))
	for i, u := range urls {
		out[i] = newCaller(strings.TrimSpace(u), cfg.Key, run, ids, (cfg.Connections+len(urls)-1)/len(urls), callTimeout)
	}
	return out
}

func closeAll(callers []*caller) {
	for _, c := range callers {
		c.close()
	}
}

// runRounds runs every round: each mix (one per method with Each) against
// the ceiling, when there is one, then the target; then adds the rows.
func (rep *Report) runRounds(ctx context.Context, cfg Config, f *Fixture, targets, ceiling []*caller) error {
	mixes := []Mix{cfg.Mix}
	if cfg.Each {
		mixes = mixes[:0]
		for _, e := range cfg.Mix {
			mixes = append(mixes, Mix{{Method: e.Method, Weight: 1}})
		}
	}
	measuredTargets := make([][]measured, len(mixes))
	measuredCeiling := make([][]measured, len(mixes))
	for round := 1; round <= cfg.rounds(); round++ {
		for i, mix := range mixes {
			progressf(cfg.Progress, "load: round %d of %d, mix %s\n", round, cfg.rounds(), mix)
			p := phase{name: "target", callers: targets, f: f, mix: mix, conns: cfg.Connections, duration: cfg.Duration, rate: cfg.Rate, progress: cfg.Progress}
			if ceiling != nil {
				cp := p
				cp.name, cp.ceiling, cp.f, cp.callers = "ceiling", true, f.forCeiling(), ceiling
				progressf(cfg.Progress, "load: ceiling: signed no-op on %s\n", ceiling[0].url)
				measuredCeiling[i] = append(measuredCeiling[i], rep.runPhase(ctx, cp))
			}
			progressf(cfg.Progress, "load: target: %s\n", cfg.URL)
			measuredTargets[i] = append(measuredTargets[i], rep.runPhase(ctx, p))
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("load: %w", err)
			}
		}
	}
	for i, mix := range mixes {
		rep.add(mix, measuredTargets[i], measuredCeiling[i])
	}
	return nil
}

// runPhase runs a phase and counts its signing.
func (rep *Report) runPhase(ctx context.Context, p phase) measured {
	m := p.run(ctx)
	rep.addSigning(m)
	return m
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
