package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/services"
)

// maxIDLength bounds request ids, which are stored for idempotency.
const maxIDLength = 128

// request is one parsed JSON-RPC request object.
type request struct {
	id     json.RawMessage // nil for a notification
	method string
	params json.RawMessage // nil when absent
}

// parseRequest checks a request object's members. When the id itself is
// valid it is returned with the error, so that the error can echo it.
func parseRequest(raw json.RawMessage) (request, *Error) {
	var req request
	members, ok := objectMembers(bytes.TrimSpace(raw))
	if !ok {
		return req, protocolError(CodeInvalidRequest, "NOT_AN_OBJECT", "a request must be a JSON object")
	}
	m := map[string]json.RawMessage{}
	for _, mb := range members {
		m[mb.name] = mb.value
	}
	if id, present := m["id"]; present {
		if !validID(id) {
			return req, protocolError(CodeInvalidRequest, "INVALID_ID", "id must be a string, a number or null, of at most 128 characters")
		}
		req.id = id
	}
	if v, present := m["jsonrpc"]; present {
		var s string
		if json.Unmarshal(v, &s) != nil || s != "2.0" {
			return req, protocolError(CodeInvalidRequest, "INVALID_VERSION", `jsonrpc must be "2.0" (or left out)`)
		}
	}
	if json.Unmarshal(m["method"], &req.method) != nil || req.method == "" {
		return req, protocolError(CodeInvalidRequest, "INVALID_METHOD", "method must be a non-empty string")
	}
	if p, present := m["params"]; present {
		if len(p) == 0 || (p[0] != '{' && p[0] != '[') {
			return req, protocolError(CodeInvalidRequest, "INVALID_PARAMS_TYPE", "params must be an object or an array")
		}
		req.params = p
	}
	return req, nil
}

func validID(id json.RawMessage) bool {
	if len(id) == 0 || len(id) > maxIDLength+2 {
		return false
	}
	switch c := id[0]; {
	case c == '"':
		var s string
		return json.Unmarshal(id, &s) == nil
	case c == '-' || (c >= '0' && c <= '9'):
		var n json.Number
		return json.Unmarshal(id, &n) == nil
	}
	return string(id) == "null"
}

// envelope is params as this API defines it: {"api": {...}, "payload": {...}}.
type envelope struct {
	KeyID      string
	Credential string
	Signature  string
	Payload    json.RawMessage // the exact bytes, as signed
	unknown    []string
}

// parseEnvelope splits params into the api block and the payload bytes.
func parseEnvelope(params json.RawMessage) (envelope, *Error) {
	var env envelope
	members, ok := objectMembers(params)
	if !ok {
		return env, paramsError(services.FieldError{Field: "params", Reason: services.ReasonInvalidType, Message: `must be an object {"api": {...}, "payload": {...}}`})
	}
	var api json.RawMessage
	for _, m := range members {
		switch m.name {
		case "api":
			api = m.value
		case "payload":
			env.Payload = m.value
		default:
			env.unknown = append(env.unknown, m.name)
		}
	}
	var a struct {
		KeyID      string `json:"keyId"`
		Credential string `json:"credential"`
		Signature  string `json:"signature"`
	}
	if len(api) == 0 || api[0] != '{' || json.Unmarshal(api, &a) != nil || a.KeyID == "" || a.Credential == "" {
		return env, &Error{Code: CodeUnauthenticated, Message: services.ErrUnauthenticated.Error(),
			Data: &ErrorData{Reason: "UNAUTHENTICATED", Detail: "params.api must carry keyId, credential and signature strings"}}
	}
	env.KeyID, env.Credential, env.Signature = a.KeyID, a.Credential, a.Signature
	return env, nil
}

// callOutcome is what the log line records of a call.
type callOutcome struct {
	keyID   string
	partner string
	code    int
	err     error
}

// handleElement answers one request object; nil means no response (a
// notification).
func (h *Handler) handleElement(ctx context.Context, raw json.RawMessage) *response {
	start := time.Now()
	req, perr := parseRequest(raw)
	out := callOutcome{}
	var resp *response
	switch {
	case perr != nil:
		resp = errorResponse(req.id, perr)
		out.code = perr.Code
	case !known(req.method):
		resp = errorResponse(req.id, protocolError(CodeMethodNotFound, "METHOD_NOT_FOUND", "no method "+req.method))
		out.code = CodeMethodNotFound
	case req.id == nil && methodTable[req.method].mutates:
		// A data-changing notification cannot be made idempotent and could
		// not report an error: it is not executed.
		h.logCall(req, out, start, true)
		return nil
	default:
		resp = h.call(ctx, req, &out)
	}
	h.logCall(req, out, start, false)
	if req.id == nil && perr == nil {
		return nil
	}
	return resp
}

// call authenticates a request, verifies its signature and dispatches it.
func (h *Handler) call(ctx context.Context, req request, out *callOutcome) *response {
	fail := func(e *Error) *response {
		out.code = e.Code
		return errorResponse(req.id, e)
	}
	env, e := parseEnvelope(req.params)
	if e != nil {
		return fail(e)
	}
	out.keyID = env.KeyID
	id, err := h.auth.Authenticate(ctx, env.KeyID, env.Credential)
	if err != nil {
		out.err = err
		return fail(toError(err))
	}
	out.partner = id.PartnerName
	if env.Payload == nil {
		return fail(paramsError(services.FieldError{Field: "payload", Reason: services.ReasonRequired, Message: "params.payload is required"}))
	}
	if err := id.VerifyPayload(env.Payload, env.Signature); err != nil {
		return fail(toError(err))
	}
	if len(env.unknown) > 0 {
		var fields []services.FieldError
		for _, name := range env.unknown {
			fields = append(fields, services.FieldError{Field: "params." + name, Reason: services.ReasonUnknownField, Message: "params holds only api and payload"})
		}
		return fail(paramsError(fields...))
	}
	st := &callState{method: req.method, payload: env.Payload, call: services.Call{
		PartnerID: id.PartnerID, KeyID: id.KeyID, Method: req.method, RequestID: requestID(req.id),
	}}
	h.dispatch(ctx, st)
	if st.err != nil {
		out.err = st.err
		return fail(toError(st.err))
	}
	result, err := json.Marshal(st.result)
	if err != nil {
		out.err = err
		return fail(internalError())
	}
	return &response{JSONRPC: "2.0", Result: result, ID: req.id}
}

// requestID is the idempotency key of a request id; a null id has none.
func requestID(id json.RawMessage) string {
	if string(id) == "null" {
		return ""
	}
	return string(id)
}

// dispatch runs the method through gorilla/rpc, turning a panic into an
// internal error.
func (h *Handler) dispatch(ctx context.Context, st *callState) {
	defer func() {
		if p := recover(); p != nil {
			st.err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	r, err := http.NewRequestWithContext(context.WithValue(ctx, stateKey{}, st), http.MethodPost, "/jsonrpc", http.NoBody)
	if err != nil {
		st.err = err
		return
	}
	r.Header.Set("Content-Type", "application/json")
	h.server.ServeHTTP(discard{}, r)
}

type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return "panic in method" }

// describe tells what panicked without printing values that could carry
// personal data: runtime errors (nil dereference, index out of range) are
// safe to print, other values are named by type.
func (p *panicError) describe() string {
	if re, ok := p.value.(runtime.Error); ok {
		return re.Error()
	}
	return fmt.Sprintf("panic value of type %T", p.value)
}

// discard is the ResponseWriter handed to gorilla/rpc; the codec keeps the
// outcome in the call state instead.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// logCall writes the one log line of a call: method, key, request id,
// duration and outcome code; never the payload or the credential.
func (h *Handler) logCall(req request, out callOutcome, start time.Time, skipped bool) {
	level := zerolog.InfoLevel
	if out.code == CodeInternal {
		level = zerolog.ErrorLevel
	}
	ev := h.log.WithLevel(level).Str("method", req.method).Int("code", out.code).Float64("durationMs", float64(time.Since(start).Microseconds())/1000)
	if out.keyID != "" {
		ev = ev.Str("keyId", out.keyID)
	}
	if out.partner != "" {
		ev = ev.Str("partner", out.partner)
	}
	if req.id != nil {
		ev = ev.RawJSON("requestId", req.id)
	} else {
		ev = ev.Bool("notification", true)
	}
	if skipped {
		ev = ev.Str("note", "data-changing notification not executed")
	}
	var pe *panicError
	if errors.As(out.err, &pe) {
		ev = ev.Str("panic", pe.describe()).Bytes("stack", pe.stack)
	} else if out.code == CodeInternal && out.err != nil {
		ev = ev.Err(out.err)
	}
	ev.Msg("call")
}
