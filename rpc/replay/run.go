package replay

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services/partner"
)

// Runner replays scenarios against one server with a partner's key and,
// for tenancy scenarios, a second partner's key. The optional hooks run the
// steps that are not requests; a scenario that needs a missing key or hook
// is skipped. A Runner replays one scenario at a time.
type Runner struct {
	Client *client.Client
	Key    *client.KeyFile
	Other  *client.KeyFile // optional: scenarios that need it are skipped without it

	// Codes returns the one-time code the server sent for an operation's
	// requestId and purpose (OTP, PROVE_ID, CONFIRM_CHANGE), waiting for it
	// to be delivered as long as it sees fit.
	Codes func(ctx context.Context, requestID, purpose string) (string, error)
	// AdvanceClock moves the server's clock forward by d.
	AdvanceClock func(d time.Duration) error
	// Command runs an accountd command, e.g. ["sweep", "dormancy"], on the
	// server's database with the server's clock, and returns its output.
	Command func(ctx context.Context, args []string) (string, error)

	shift atomic.Int64 // how far AdvanceClock moved the clock, in nanoseconds
}

// Result is the outcome of one scenario.
type Result struct {
	Scenario string
	File     string
	Skipped  bool
	Reason   string // why the scenario was skipped
	Err      error  // nil when the scenario passed
}

// Run replays one scenario. Each run draws a fresh {{run}} (seven digits,
// the first not zero) and {{run6}} (its last six) so that scenarios can be
// replayed again on the same server.
func (r *Runner) Run(ctx context.Context, sc Scenario) Result {
	res := Result{Scenario: sc.Name, File: sc.File}
	if missing := r.missing(sc); len(missing) > 0 {
		res.Skipped, res.Reason = true, "needs "+strings.Join(missing, ", ")
		return res
	}
	vars, err := r.initialVars()
	if err != nil {
		res.Err = err
		return res
	}
	for i, st := range sc.Steps {
		if err := r.step(ctx, i+1, st, vars); err != nil {
			res.Err = fmt.Errorf("step %d (%s): %w", i+1, st.Name, err)
			return res
		}
	}
	return res
}

func (r *Runner) initialVars() (map[string]string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(9_000_000))
	if err != nil {
		return nil, err
	}
	run := strconv.FormatInt(n.Int64()+1_000_000, 10)
	vars := map[string]string{
		"run":              run,
		"run6":             run[1:],
		"keyId":            r.Key.KeyID,
		"ApplicationKeyId": r.Key.KeyID,
		"credential":       r.Key.Credential,
		"Credential":       r.Key.Credential,
	}
	if r.Other != nil {
		vars["otherKeyId"] = r.Other.KeyID
		vars["otherCredential"] = r.Other.Credential
	}
	return vars, nil
}

// step sends one request and checks the answer, or runs a step that is not
// a request.
func (r *Runner) step(ctx context.Context, n int, st Step, vars map[string]string) error {
	if done, err := r.hookStep(ctx, st, vars); done {
		return err
	}
	body, reqID, err := r.requestBody(n, st, vars)
	if err != nil {
		return err
	}
	method := st.HTTPMethod
	if method == "" {
		method = http.MethodPost
	}
	ct := st.ContentType
	if ct == "" {
		ct = "application/json"
	}
	status, respBody, err := r.Client.Send(ctx, method, ct, body)
	if err != nil {
		return err
	}
	return checkResponse(st, reqID, status, respBody, vars, r.now())
}

// requestBody builds the body of a step and returns it with the request id
// it carries (nil for notifications and raw bodies).
func (r *Runner) requestBody(n int, st Step, vars map[string]string) ([]byte, json.RawMessage, error) {
	key := *r.Key
	if st.As == "other" {
		key = *r.Other
	}
	// Timestamps follow the server's clock when a scenario moves it.
	key.Now = r.now
	vars["timestamp"] = key.Timestamp()
	if st.Body != nil {
		b, err := fillBody(st.Body, vars, &key)
		return b, nil, err
	}
	payload := st.Payload
	if payload == nil {
		payload = json.RawMessage("{}")
	}
	payload, err := fillRaw(payload, vars)
	if err != nil {
		return nil, nil, err
	}
	var reqID json.RawMessage
	if !st.Notification {
		reqID = st.ID
		if reqID == nil {
			reqID = json.RawMessage(fmt.Sprintf(`"{{run}}-%d"`, n))
		}
		if reqID, err = fillJSON(reqID, vars); err != nil {
			return nil, nil, err
		}
	}
	if st.Auth == nil {
		b, err := key.Envelope(st.Method, reqID, payload)
		return b, reqID, err
	}
	b, err := overriddenEnvelope(st, &key, reqID, payload, vars)
	return b, reqID, err
}

// overriddenEnvelope builds an envelope with parts of the api block, or of
// what is signed, replaced, to provoke authentication and signature
// refusals.
func overriddenEnvelope(st Step, key *client.KeyFile, reqID, payload json.RawMessage, vars map[string]string) ([]byte, error) {
	o := st.Auth
	signed, method, signedID := []byte(payload), st.Method, reqID
	if o.SignPayload != nil {
		signed = o.SignPayload
	}
	if o.SignMethod != nil {
		method = *o.SignMethod
	}
	if o.SignID != nil {
		var err error
		if signedID, err = fillJSON(o.SignID, vars); err != nil {
			return nil, err
		}
	}
	api := client.API{KeyID: key.KeyID, Credential: key.Credential}
	var err error
	if o.PayloadOnly {
		api.Signature, err = key.SignPayload(signed)
	} else {
		if api.Timestamp, err = overriddenTimestamp(o, key, vars); err != nil {
			return nil, err
		}
		api.Signature, err = key.SignV2(method, signedID, api.Timestamp, signed)
	}
	if err != nil {
		return nil, err
	}
	for dst, src := range map[*string]*string{&api.KeyID: o.KeyID, &api.Credential: o.Credential, &api.Signature: o.Signature} {
		if src != nil {
			*dst = fillText(*src, vars)
		}
	}
	return client.EnvelopeWith(st.Method, reqID, api, payload)
}

// overriddenTimestamp is the timestamp an overridden step signs and sends.
func overriddenTimestamp(o *AuthOverride, key *client.KeyFile, vars map[string]string) (string, error) {
	switch {
	case o.Timestamp != nil:
		return fillText(*o.Timestamp, vars), nil
	case o.TimestampOffset != "":
		d, err := time.ParseDuration(o.TimestampOffset)
		if err != nil {
			return "", fmt.Errorf("auth.timestampOffset: %w", err)
		}
		return key.NowTime().Add(d).UTC().Format(partner.TimestampLayout), nil
	}
	return key.Timestamp(), nil
}

// checkResponse checks status, body and captures of a step.
func checkResponse(st Step, reqID json.RawMessage, status int, body []byte, vars map[string]string, now time.Time) error {
	want := st.Expect.Status
	if want == 0 {
		want = http.StatusOK
		if st.Notification {
			want = http.StatusNoContent
		}
	}
	if status != want {
		return fmt.Errorf("HTTP status %d, want %d; body %s", status, want, body)
	}
	if status == http.StatusNoContent {
		if len(body) != 0 {
			return fmt.Errorf("HTTP 204 with a body: %s", body)
		}
		return nil
	}
	got, err := decode(body)
	if err != nil {
		return fmt.Errorf("response is not JSON: %w: %s", err, body)
	}
	if err := checkBody(st.Expect, reqID, got, vars, now); err != nil {
		return fmt.Errorf("%w\nbody: %s", err, body)
	}
	for name, path := range st.Capture {
		v, err := lookup(got, path)
		if err != nil {
			return err
		}
		if s, ok := v.(string); ok {
			vars[name] = s
			delete(vars, jsonVar+name)
		} else {
			b, _ := json.Marshal(v)
			vars[name] = string(b)
			vars[jsonVar+name] = string(b)
		}
	}
	return nil
}

func checkBody(exp Expect, reqID json.RawMessage, got any, vars map[string]string, now time.Time) error {
	expected := func(raw json.RawMessage) (any, error) {
		filled, err := fillJSON(raw, vars)
		if err != nil {
			return nil, err
		}
		return decode(filled)
	}
	if exp.Response != nil {
		w, err := expected(exp.Response)
		if err != nil {
			return err
		}
		return match(w, got, "", now)
	}
	obj, ok := got.(map[string]any)
	if !ok || obj["jsonrpc"] != "2.0" {
		return errors.New(`the response is not a JSON-RPC 2.0 object`)
	}
	if reqID != nil {
		wantID, _ := decode(reqID)
		if err := match(wantID, obj["id"], ".id", now); err != nil {
			return fmt.Errorf("id not echoed: %w", err)
		}
	}
	member, other, raw := "result", "error", exp.Result
	if exp.Error != nil {
		member, other, raw = "error", "result", exp.Error
	}
	if raw == nil {
		return errors.New("the step expects neither result, error nor response")
	}
	if _, ok := obj[member]; !ok {
		return fmt.Errorf("no %q member", member)
	}
	if _, ok := obj[other]; ok {
		return fmt.Errorf("unexpected %q member", other)
	}
	w, err := expected(raw)
	if err != nil {
		return err
	}
	return match(w, obj[member], "."+member, now)
}
