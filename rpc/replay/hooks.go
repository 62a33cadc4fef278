package replay

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/accountd/accountd/services/imagecheck/synth"
)

// requirement is something a scenario may need beyond the first key: the
// second key or one of the Runner's hooks.
type requirement struct {
	what string // for the skip reason
	uses func(Step) bool
	has  func(*Runner) bool
}

var requirements = []requirement{
	{"the second partner's key",
		func(st Step) bool { return st.As == "other" || strings.Contains(string(st.Body), "{{otherKeyId}}") },
		func(r *Runner) bool { return r.Other != nil }},
	{"the one-time codes the server sends",
		func(st Step) bool { return st.Code != nil },
		func(r *Runner) bool { return r.Codes != nil }},
	{"moving the server's clock",
		func(st Step) bool { return st.AdvanceClock != "" },
		func(r *Runner) bool { return r.AdvanceClock != nil }},
	{"running accountd commands on the server's database",
		func(st Step) bool { return st.Command != nil },
		func(r *Runner) bool { return r.Command != nil }},
}

// missing lists what a scenario needs that the runner lacks.
func (r *Runner) missing(sc Scenario) []string {
	var out []string
	for _, req := range requirements {
		if req.has(r) {
			continue
		}
		for _, st := range sc.Steps {
			if req.uses(st) {
				out = append(out, req.what)
				break
			}
		}
	}
	return out
}

// now is the server's time as far as the runner knows: the real time plus
// how far AdvanceClock moved it. $unixTime is checked against it.
func (r *Runner) now() time.Time {
	return time.Now().Add(time.Duration(r.shift.Load()))
}

// hookStep runs a step that is not an HTTP request; done is false for a
// request.
func (r *Runner) hookStep(ctx context.Context, st Step, vars map[string]string) (done bool, err error) {
	switch {
	case st.Code != nil:
		return true, r.fetchCode(ctx, *st.Code, vars)
	case st.AdvanceClock != "":
		return true, r.advance(st.AdvanceClock)
	case st.Command != nil:
		return true, r.runCommand(ctx, st, vars)
	case st.Picture != nil:
		return true, drawPicture(*st.Picture, vars)
	}
	return false, nil
}

// drawPicture draws the step's picture of the applicant its text names
// and stores it, Base64, as a variable.
func drawPicture(p PictureStep, vars map[string]string) error {
	who, err := fillStrict(p.Applicant, vars)
	if err != nil {
		return err
	}
	h := fnv.New64a()
	h.Write([]byte(who))
	data, err := synth.Picture(synth.Random(h.Sum64()), p.Kind)
	if err != nil {
		return err
	}
	vars[p.As] = base64.StdEncoding.EncodeToString(data)
	delete(vars, jsonVar+p.As)
	return nil
}

// fetchCode stores the code the server sent under the step's variable name.
func (r *Runner) fetchCode(ctx context.Context, c CodeStep, vars map[string]string) error {
	id, err := fillStrict(c.RequestID, vars)
	if err != nil {
		return err
	}
	purpose, err := fillStrict(c.Purpose, vars)
	if err != nil {
		return err
	}
	code, err := r.Codes(ctx, id, purpose)
	if err != nil {
		return fmt.Errorf("code for requestId %s purpose %s: %w", id, purpose, err)
	}
	if code == "" {
		return fmt.Errorf("code for requestId %s purpose %s: empty", id, purpose)
	}
	vars[c.As] = code
	delete(vars, jsonVar+c.As)
	return nil
}

// advance moves the server's clock and remembers by how much.
func (r *Runner) advance(s string) error {
	d, err := ParseDuration(s)
	if err != nil {
		return err
	}
	if err := r.AdvanceClock(d); err != nil {
		return fmt.Errorf("advance the clock by %s: %w", s, err)
	}
	r.shift.Add(int64(d))
	return nil
}

// runCommand runs the step's command and matches its output.
func (r *Runner) runCommand(ctx context.Context, st Step, vars map[string]string) error {
	args := make([]string, len(st.Command))
	for i, a := range st.Command {
		var err error
		if args[i], err = fillStrict(a, vars); err != nil {
			return err
		}
	}
	out, err := r.Command(ctx, args)
	if err != nil {
		return fmt.Errorf("accountd %s: %w\noutput: %s", strings.Join(args, " "), err, out)
	}
	if st.Expect.Output == nil {
		return nil
	}
	want, err := fillStrict(*st.Expect.Output, vars)
	if err != nil {
		return err
	}
	if err := match(want, out, ".output", r.now()); err != nil {
		return fmt.Errorf("accountd %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// fillStrict fills a text's placeholders and refuses unknown ones.
func fillStrict(s string, vars map[string]string) (string, error) {
	out := fillText(s, vars)
	if m := rePlaceholder.FindString(out); m != "" {
		return "", errors.New("unknown variable " + m)
	}
	return out, nil
}
