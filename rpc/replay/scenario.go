// Package replay runs fixture scenarios (testdata/fixtures) against an
// accountd server: ordered signed calls with expected responses, captured
// values and matchers for generated ones. `go test` replays them against an
// in-process server and `accountd replay` against a live one. The format is
// documented in testdata/fixtures/README.md.
package replay

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Scenario is one fixture file: steps run in order against one server.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Steps       []Step `json:"steps"`
	File        string `json:"-"`
}

// Step is one HTTP request and what must come back.
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
}

// AuthOverride replaces parts of the api block, to test refusals.
type AuthOverride struct {
	KeyID       *string         `json:"keyId"`
	Credential  *string         `json:"credential"`
	Signature   *string         `json:"signature"`
	SignPayload json.RawMessage `json:"signPayload"`
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
		if (st.Method == "") == (st.Body == nil) {
			return Scenario{}, fmt.Errorf("fixture %s step %d: give either method and payload, or body", path, i+1)
		}
	}
	return sc, nil
}

// usesOther reports whether a scenario needs the second partner's key.
func (sc Scenario) usesOther() bool {
	for _, st := range sc.Steps {
		if st.As == "other" || strings.Contains(string(st.Body), "{{otherKeyId}}") {
			return true
		}
	}
	return false
}
