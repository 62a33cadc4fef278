// Package replay runs fixture scenarios (testdata/fixtures) against an
// accountd server: ordered signed calls with expected responses, captured
// values and matchers for generated ones, and steps that read one-time
// codes, move the server's clock or run accountd commands through the
// Runner's hooks. `go test` replays them against an in-process server with
// every hook and `accountd replay` against a live one. The format is
// documented in testdata/fixtures/README.md.
package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/accountd/accountd/services/imagecheck/synth"
)

// Scenario is one fixture file: steps run in order against one server.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Steps       []Step `json:"steps"`
	File        string `json:"-"`
}

// Step is one HTTP request and what must come back, or one of the steps
// that are not requests: Code, AdvanceClock or Command, each run through a
// hook of the Runner.
type Step struct {
	Name string `json:"name"`

	// Method and Payload: the runner builds the envelope and signs the
	// payload with the scenario's key ("as": "other" for the second key).
	Method       string          `json:"method"`
	Payload      json.RawMessage `json:"payload"`
	ID           json.RawMessage `json:"id"`
	Notification bool            `json:"notification"`
	As           string          `json:"as"`
	Auth         *AuthOverride   `json:"auth"`

	// Body: a whole request body instead, sent as written with its
	// {{placeholders}} filled; {{signature}} is the signature of the body's
	// params.payload bytes exactly as they stand. A JSON string is sent as
	// its text, for bodies that are not JSON.
	Body json.RawMessage `json:"body"`

	HTTPMethod  string `json:"httpMethod"`
	ContentType string `json:"contentType"`

	Expect  Expect            `json:"expect"`
	Capture map[string]string `json:"capture"`

	// Code fetches a one-time code the server sent (Runner.Codes) and
	// stores it as a variable.
	Code *CodeStep `json:"code"`
	// AdvanceClock moves the server's clock forward (Runner.AdvanceClock):
	// a whole number followed by d, h, m or s, e.g. "181d" or "1h30m".
	AdvanceClock string `json:"advanceClock"`
	// Command runs an accountd command against the server's database
	// (Runner.Command), e.g. ["sweep", "dormancy"]; Expect.Output is
	// matched against what it printed.
	Command []string `json:"command"`
	// Picture draws a synthetic eKYC picture and stores it, Base64, as a
	// variable.
	Picture *PictureStep `json:"picture"`
}

// PictureStep names the picture to draw: its kind (card-front, card-back,
// portrait, or a spoilt one such as card-front-blurred; see package synth)
// and the applicant, any text (e.g. "{{run}}-1"): the same text draws the
// same person, so a scenario can reuse one applicant's picture for another.
type PictureStep struct {
	As        string `json:"as"`
	Kind      string `json:"kind"`
	Applicant string `json:"applicant"`
}

// CodeStep names the code to fetch: the operation's requestId, the code's
// purpose (OTP, PROVE_ID or CONFIRM_CHANGE) and the variable to store it in.
type CodeStep struct {
	RequestID string `json:"requestId"`
	Purpose   string `json:"purpose"`
	As        string `json:"as"`
}

// AuthOverride replaces parts of the api block or of what is signed, to
// test refusals: signing another payload, method or id than the one sent
// is what a captured request altered or resent under a new id looks like.
type AuthOverride struct {
	KeyID       *string         `json:"keyId"`
	Credential  *string         `json:"credential"`
	Signature   *string         `json:"signature"`
	SignPayload json.RawMessage `json:"signPayload"`
	SignMethod  *string         `json:"signMethod"`
	SignID      json.RawMessage `json:"signId"`
	// Timestamp is sent and signed instead of the current time; a Go
	// duration in TimestampOffset moves the current time instead ("-6m").
	Timestamp       *string `json:"timestamp"`
	TimestampOffset string  `json:"timestampOffset"`
	// PayloadOnly signs NetXD's payload-only form, without a timestamp.
	PayloadOnly bool `json:"payloadOnly"`
}

// Expect is what a step must get back. Status defaults to 200 (204 for a
// notification). Result or Error is matched against the response's member
// of that name, after checking "jsonrpc" and that the id is echoed; Response
// is matched against the whole body.
type Expect struct {
	Status   int             `json:"status"`
	Result   json.RawMessage `json:"result"`
	Error    json.RawMessage `json:"error"`
	Response json.RawMessage `json:"response"`
	// Output is matched against a command's output: a literal string or a
	// matcher such as "$regex:...".
	Output *string `json:"output"`
}

// Load reads every *.json scenario in dir, in file name order.
func Load(dir string) ([]Scenario, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list fixtures: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.json scenarios in %s", dir)
	}
	sort.Strings(files)
	out := make([]Scenario, 0, len(files))
	for _, f := range files {
		sc, err := loadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

func loadFile(path string) (Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("read fixture: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return Scenario{}, fmt.Errorf("fixture %s: %w", path, err)
	}
	sc.File = filepath.Base(path)
	if sc.Name == "" {
		sc.Name = strings.TrimSuffix(sc.File, ".json")
	}
	for i, st := range sc.Steps {
		if err := st.check(); err != nil {
			return Scenario{}, fmt.Errorf("fixture %s step %d: %w", path, i+1, err)
		}
	}
	return sc, nil
}

// check refuses a step that is not exactly one kind of step, or that gives
// what its kind does not use.
func (st Step) check() error {
	kinds := 0
	for _, given := range []bool{st.Method != "", st.Body != nil, st.Code != nil, st.AdvanceClock != "", st.Command != nil, st.Picture != nil} {
		if given {
			kinds++
		}
	}
	if kinds != 1 || (st.Payload != nil && st.Method == "") {
		return errors.New("give one of method (with payload), body, code, advanceClock, command or picture")
	}
	request := st.Method != "" || st.Body != nil
	switch {
	case st.Expect.Output != nil && st.Command == nil:
		return errors.New("expect.output is for command steps")
	case !request && (st.Expect.Status != 0 || st.Expect.Result != nil || st.Expect.Error != nil || st.Expect.Response != nil || st.Capture != nil):
		return errors.New("expect.status, result, error, response and capture are for requests")
	case st.Code != nil && (st.Code.RequestID == "" || st.Code.Purpose == "" || !reVarName.MatchString(st.Code.As)):
		return errors.New(`code needs requestId, purpose and "as", a variable name`)
	case st.Command != nil && len(st.Command) == 0:
		return errors.New("command needs the command's arguments")
	case st.Picture != nil && (!reVarName.MatchString(st.Picture.As) || !synth.IsKind(st.Picture.Kind) || st.Picture.Applicant == ""):
		return fmt.Errorf(`picture needs "as", a variable name, "applicant" and "kind", one of %v`, synth.Kinds())
	}
	if st.AdvanceClock != "" {
		if _, err := ParseDuration(st.AdvanceClock); err != nil {
			return err
		}
	}
	return nil
}

var reVarName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

var reDuration = regexp.MustCompile(`(\d+)([dhms])`)

// ParseDuration reads an advanceClock value: whole numbers each followed by
// a unit, d (24 hours), h, m or s, e.g. "181d", "6m" or "1d12h".
func ParseDuration(s string) (time.Duration, error) {
	units := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}
	var d time.Duration
	rest := s
	for rest != "" {
		loc := reDuration.FindStringSubmatchIndex(rest)
		if loc == nil || loc[0] != 0 {
			return 0, fmt.Errorf("advanceClock %q: want whole numbers with units d, h, m or s, e.g. 181d or 6m", s)
		}
		n, err := strconv.ParseInt(rest[loc[2]:loc[3]], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("advanceClock %q: %w", s, err)
		}
		d += time.Duration(n) * units[rest[loc[4]:loc[5]]]
		rest = rest[loc[1]:]
	}
	if d <= 0 {
		return 0, fmt.Errorf("advanceClock %q: must move the clock forward", s)
	}
	return d, nil
}
