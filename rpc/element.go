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
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc/payload"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/partner"
)

// maxIDLength bounds request ids, which are stored for idempotency.
const maxIDLength = 128

// request is one parsed JSON-RPC request object.
type request struct {
	id     json.RawMessage // nil for a notification
	method string          // the method's name, "Service.Method"
	sent   string          // the method's name as sent, which the signature covers
	params json.RawMessage // nil when absent
}

// parseRequest checks a request object's members. When the id itself is
// valid it is returned with the error, so that the error can echo it.
func parseRequest(raw json.RawMessage) (request, *Error) {
	var req request
	members, ok := payload.Members(bytes.TrimSpace(raw))
	if !ok {
		return req, protocolError(CodeInvalidRequest, "NOT_AN_OBJECT", "a request must be a JSON object")
	}
	if name, dup := firstRepeated(members); dup {
		return req, protocolError(CodeInvalidRequest, "DUPLICATE_MEMBER", "the request gives "+strconv.Quote(name)+" more than once")
	}
	id, version, method, params := memberValue(members, "id"), memberValue(members, "jsonrpc"), memberValue(members, "method"), memberValue(members, "params")
	if id != nil {
		if !validID(id) {
			return req, protocolError(CodeInvalidRequest, "INVALID_ID", "id must be a string, a number or null, of at most 128 characters")
		}
		req.id = id
	}
	if version != nil && string(version) != `"2.0"` {
		var s string
		if json.Unmarshal(version, &s) != nil || s != "2.0" {
			return req, protocolError(CodeInvalidRequest, "INVALID_VERSION", `jsonrpc must be "2.0" (or left out)`)
		}
	}
	if !jsonString(method, &req.method) || req.method == "" {
		return req, protocolError(CodeInvalidRequest, "INVALID_METHOD", "method must be a non-empty string")
	}
	req.sent, req.method = req.method, canonicalMethod(req.method)
	if p := params; p != nil {
		if len(p) == 0 || (p[0] != '{' && p[0] != '[') {
			return req, protocolError(CodeInvalidRequest, "INVALID_PARAMS_TYPE", "params must be an object or an array")
		}
		req.params = p
	}
	return req, nil
}

// firstRepeated returns the first member, in order, whose name an earlier
// member has; a request's objects hold a handful of members, compared
// pairwise without a map.
func firstRepeated(members []payload.Member) (string, bool) {
	if len(members) > 8 {
		seen := make(map[string]bool, len(members))
		for _, m := range members {
			if seen[m.Name] {
				return m.Name, true
			}
			seen[m.Name] = true
		}
		return "", false
	}
	for i, m := range members {
		for _, earlier := range members[:i] {
			if earlier.Name == m.Name {
				return m.Name, true
			}
		}
	}
	return "", false
}

// memberValue is the value of the member named name; nil when absent.
func memberValue(members []payload.Member, name string) json.RawMessage {
	for _, m := range members {
		if m.Name == name {
			return m.Value
		}
	}
	return nil
}

// jsonString decodes a JSON string into dst, reporting whether v is one: a
// string without escapes, the usual case, is taken as it stands.
func jsonString(v json.RawMessage, dst *string) bool {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && plainString(v[1:len(v)-1]) {
		*dst = string(v[1 : len(v)-1])
		return true
	}
	return json.Unmarshal(v, dst) == nil
}

// plainString reports whether the inside of a JSON string reads as it
// stands: printable ASCII without quotes or escapes.
func plainString(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func validID(id json.RawMessage) bool {
	if len(id) == 0 || len(id) > maxIDLength+2 {
		return false
	}
	switch c := id[0]; {
	case c == '"':
		var s string
		return json.Unmarshal(id, &s) == nil && !strings.ContainsRune(s, 0)
	case c == '-' || (c >= '0' && c <= '9'):
		var n json.Number
		return json.Unmarshal(id, &n) == nil
	}
	return string(id) == "null"
}

// envelope is params as this API defines it: {"api": {...}, "payload": {...}}
// by name, or [api, payload] by position.
type envelope struct {
	KeyID      string
	Credential string
	Signature  string
	// Timestamp is params.api.timestamp as sent; nil when absent, which
	// selects NetXD's payload-only signature.
	Timestamp *string
	Payload   json.RawMessage // the exact bytes, as signed
	unknown   []string        // members that params and api do not have
}

// parseEnvelope splits params into the api block and the payload bytes. A
// member given twice makes the request ambiguous (which payload was
// signed?) and is refused.
func parseEnvelope(params json.RawMessage) (envelope, *Error) {
	var env envelope
	if p := bytes.TrimSpace(params); len(p) > 0 && p[0] == '[' {
		return parsePositional(p)
	}
	members, ok := payload.Members(params)
	if !ok {
		return env, paramsError(services.FieldError{Field: "params", Reason: services.ReasonInvalidType, Message: `must be an object {"api": {...}, "payload": {...}}`})
	}
	if name, dup := firstRepeated(members); dup {
		return env, protocolError(CodeInvalidRequest, "DUPLICATE_MEMBER", "params gives "+strconv.Quote(name)+" more than once")
	}
	var api json.RawMessage
	for _, m := range members {
		switch m.Name {
		case "api":
			api = m.Value
		case "payload":
			env.Payload = m.Value
		default:
			env.unknown = append(env.unknown, "params."+m.Name)
		}
	}
	if e := env.readAPI(api); e != nil {
		return env, e
	}
	return env, nil
}

// parsePositional splits params given by position, [api, payload], as
// generated OpenRPC clients send them. Each item is taken as its exact
// bytes, as in the by-name form: the signature covers the payload as sent.
func parsePositional(params json.RawMessage) (envelope, *Error) {
	var env envelope
	var items []json.RawMessage
	if err := json.Unmarshal(params, &items); err != nil {
		return env, paramsError(services.FieldError{Field: "params", Reason: services.ReasonInvalidType, Message: "must be an array [api, payload]"})
	}
	if len(items) != 2 {
		return env, paramsError(services.FieldError{Field: "params", Reason: services.ReasonInvalidValue,
			Message: fmt.Sprintf("by position, params is [api, payload]: 2 items, not %d", len(items))})
	}
	if _, ok := payload.Members(bytes.TrimSpace(items[0])); !ok {
		return env, paramsError(services.FieldError{Field: "params", Reason: services.ReasonInvalidType,
			Message: "by position, params is [api, payload] with api an object {keyId, credential, signature, timestamp}"})
	}
	env.Payload = items[1]
	if e := env.readAPI(items[0]); e != nil {
		return env, e
	}
	return env, nil
}

// notAString stands for a member that should be a string but is not; the
// signature and timestamp checks refuse it.
const notAString = "\x00not a string"

// readAPI reads the api block's keyId, credential, signature and timestamp.
func (env *envelope) readAPI(api json.RawMessage) *Error {
	unauthenticated := &Error{Code: CodeUnauthenticated, Message: services.ErrUnauthenticated.Error(),
		Data: &ErrorData{Reason: "UNAUTHENTICATED", Detail: "params.api must carry keyId, credential and signature strings"}}
	members, ok := payload.Members(api)
	if !ok {
		return unauthenticated
	}
	if name, dup := firstRepeated(members); dup {
		return protocolError(CodeInvalidRequest, "DUPLICATE_MEMBER", "params.api gives "+strconv.Quote(name)+" more than once")
	}
	for _, m := range members {
		var dst *string
		switch m.Name {
		case "keyId":
			dst = &env.KeyID
		case "credential":
			dst = &env.Credential
		case "signature":
			dst = &env.Signature
		case "timestamp":
			env.Timestamp = new(string)
			dst = env.Timestamp
		default:
			env.unknown = append(env.unknown, "params.api."+m.Name)
			continue
		}
		if !jsonString(m.Value, dst) && (m.Name == "signature" || m.Name == "timestamp") {
			*dst = notAString // refused by the signature check
		}
	}
	if env.KeyID == "" || env.Credential == "" {
		return unauthenticated
	}
	return nil
}

// batch is what the elements of one body share.
type batch struct {
	discovered bool // an element asked for rpc.discover
}

// callOutcome is what the log line records of a call.
type callOutcome struct {
	keyID   string
	partner string
	code    int
	err     error
	// reason is set for -32008: CALL_TIMEOUT, BATCH_DEADLINE or CANCELLED;
	// cancelled means that the client went away.
	reason    string
	cancelled bool
}

// handleElement answers one request object; nil means no response (a
// notification). A panic anywhere in it becomes -32603 for this element
// alone.
func (h *Handler) handleElement(ctx context.Context, raw json.RawMessage, b *batch) (resp *response) {
	start := time.Now()
	req, perr := parseRequest(raw)
	out := callOutcome{}
	defer func() {
		if p := recover(); p != nil {
			out.code, out.err = CodeInternal, &panicError{value: p, stack: debug.Stack()}
			h.logCall(req, out, start, false)
			resp = nil
			if req.id != nil {
				resp = errorResponse(req.id, internalError())
			}
		}
	}()
	switch {
	case perr != nil:
		resp = errorResponse(req.id, perr)
		out.code = perr.Code
	case req.method == DiscoverMethod && b.discovered:
		// The document is large and needs no key: one copy per body, so
		// that a small unauthenticated batch cannot ask for a huge answer.
		resp = errorResponse(req.id, protocolError(CodeInvalidRequest, "DISCOVER_ONCE_PER_BATCH",
			DiscoverMethod+" may appear once in a batch"))
		out.code = CodeInvalidRequest
	case req.method == DiscoverMethod:
		// Public OpenRPC discovery, before and without authentication: see openrpc.go.
		b.discovered = true
		endpoint := ""
		if r, ok := ctx.Value(endpointKey{}).(*http.Request); ok {
			endpoint = endpointURL(r, h.opts.PublicURL)
		}
		resp = discover(req, endpoint, &out)
	case !known(req.method):
		resp = errorResponse(req.id, protocolError(CodeMethodNotFound, "METHOD_NOT_FOUND", "no method "+req.method))
		out.code = CodeMethodNotFound
	case req.id == nil && methodTable[req.method].mutates:
		// A data-changing notification cannot be made idempotent and could
		// not report an error: it is not executed.
		h.logCall(req, out, start, true)
		return nil
	case ctx.Err() != nil:
		// The batch's deadline passed, or its client went away, before
		// this element's turn: it is not run.
		e := notStartedError("BATCH_DEADLINE")
		if errors.Is(ctx.Err(), context.Canceled) {
			e = notStartedError("CANCELLED")
			out.cancelled = true
		}
		resp = errorResponse(req.id, e)
		out.code, out.reason = e.Code, e.Data.Reason
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
		if isCut(ctx, e) {
			e = cutError(ctx, out)
		}
		out.code = e.Code
		return errorResponse(req.id, e)
	}
	env, e := parseEnvelope(req.params)
	if e != nil {
		return fail(e)
	}
	out.keyID = loggableKeyID(env.KeyID)
	id, err := h.auth.Authenticate(ctx, env.KeyID, env.Credential)
	if err != nil {
		out.err = err
		return fail(toError(err))
	}
	out.partner = id.PartnerName
	if !id.Allows(req.method) {
		out.err = services.ErrPermissionDenied
		return fail(toError(services.ErrPermissionDenied))
	}
	if env.Payload == nil {
		return fail(paramsError(services.FieldError{Field: "payload", Reason: services.ReasonRequired, Message: "params.payload is required"}))
	}
	if env.Timestamp != nil && methodTable[req.method].mutates && string(req.id) == "null" {
		// Without an id a captured request could be run again: the id is
		// what makes a resend of it replay the first answer.
		return fail(protocolError(CodeInvalidRequest, "ID_REQUIRED",
			"a data-changing call signed with ACCOUNTD-V2 needs a non-null id: it is the call's idempotency key"))
	}
	// The partner's allowance is spent only by requests proven to be its
	// own: a stale or forged request costs it nothing. A key that sends many
	// forgeries has them counted, before their signature is checked, in an
	// allowance of its own (see frontdoor.SigFailures).
	if h.limiter != nil && h.sigFailures.Suspect(id.KeyID, time.Now()) {
		if e := h.limiter.checkUnverified(ctx, id); e != nil {
			return fail(e)
		}
	}
	if err := h.auth.Verify(id, partner.SignedRequest{Method: req.sent, ID: req.id, Timestamp: env.Timestamp,
		Payload: env.Payload, Signature: env.Signature}); err != nil {
		if errors.Is(err, services.ErrInvalidSignature) {
			h.sigFailures.Failed(id.KeyID, time.Now()) // a signature check spent in vain
		}
		return fail(toError(err))
	}
	if env.Timestamp == nil {
		h.opts.Metrics.PayloadOnlySigned()
	}
	if h.limiter != nil {
		if e := h.limiter.check(ctx, id, req.method); e != nil {
			return fail(e)
		}
	}
	if len(env.unknown) > 0 {
		var fields []services.FieldError
		for _, name := range env.unknown {
			fields = append(fields, services.FieldError{Field: name, Reason: services.ReasonUnknownField,
				Message: "params holds only api {keyId, credential, signature, timestamp} and payload"})
		}
		return fail(paramsError(fields...))
	}
	st := &callState{method: req.method, payload: env.Payload, call: services.Call{
		PartnerID: id.PartnerID, KeyID: id.KeyID, Method: req.method, RequestID: requestKey(req.id),
	}}
	if e := h.dispatchWithin(ctx, st, out); e != nil {
		return fail(e)
	}
	if st.err != nil {
		out.err = st.err
		e := toError(st.err)
		if methodTable[req.method].mutates && h.svc != nil && !isCut(ctx, e) {
			h.auditRefusal(ctx, st)
		}
		return fail(e)
	}
	result, err := json.Marshal(st.result)
	if err != nil {
		out.err = err
		return fail(internalError())
	}
	return &response{JSONRPC: "2.0", Result: result, ID: req.id, marshalled: true}
}

// requestKey is the idempotency key of a request id, by the id's JSON
// value: a string by its text after unescaping ("k1" and "\u006b1" are the
// same), a number by its value (1, 1.0 and 1e0 are the same, "1" is
// another). A null id has none.
func requestKey(id json.RawMessage) string {
	switch {
	case len(id) == 0 || string(id) == "null":
		return ""
	case id[0] == '"':
		var s string
		json.Unmarshal(id, &s) //nolint:errcheck // validID checked it
		return "s:" + s
	}
	return "n:" + canonicalNumber(string(id))
}

// canonicalNumber writes a JSON number as significant digits and a power of
// ten, without trailing zeros: 2460, 2460.0 and 24.6e2 are all 246e1.
func canonicalNumber(s string) string {
	orig := s
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	mant, expPart, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(expPart)
		if err != nil {
			return "raw:" + orig // an exponent beyond int: keep the text
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return "0"
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed) - len(frac)
	return sign + trimmed + "e" + strconv.Itoa(exp)
}

// refusalAuditTimeout bounds the writing of a refusal's audit row, which
// goes on when the client has gone.
const refusalAuditTimeout = 5 * time.Second

// auditRefusal records a refused data-changing call in the audit trail.
func (h *Handler) auditRefusal(ctx context.Context, st *callState) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refusalAuditTimeout)
	defer cancel()
	if err := h.svc.Kernel.AuditRefusal(ctx, st.call, st.err); err != nil {
		h.log.Error().Err(err).Str("method", st.method).Msg("audit trail")
	}
}

// dispatch runs the method through gorilla/rpc, turning a panic into an
// internal error.
func (h *Handler) dispatch(ctx context.Context, st *callState) {
	defer func() {
		if p := recover(); p != nil {
			st.err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	// A shallow copy of one request: its header is shared, and only read.
	r := h.dispatchRequest.WithContext(context.WithValue(ctx, stateKey{}, st))
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

// loggableKeyID is the key id as the log shows it: a key id of the shape
// accountd issues (k_ and 1 to 40 of A-Z, a-z, 0-9, _ and -) is not
// secret, but anything else in that field may be a credential pasted in
// the wrong place, or junk of any length.
func loggableKeyID(id string) string {
	rest, ok := strings.CutPrefix(id, "k_")
	if !ok || len(rest) < 1 || len(rest) > 40 {
		return "(malformed)"
	}
	for _, c := range []byte(rest) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return "(malformed)"
		}
	}
	return id
}

// truncate bounds a client-given string for the log.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// logCall writes the one log line of a call: method, key, request id,
// duration and outcome code; never the payload or the credential.
func (h *Handler) logCall(req request, out callOutcome, start time.Time, skipped bool) {
	outcome := strconv.Itoa(out.code)
	if out.cancelled {
		outcome = "cancelled"
	}
	h.opts.Metrics.Observe(req.method, outcome, time.Since(start))
	level := zerolog.InfoLevel
	if out.code == CodeInternal {
		level = zerolog.ErrorLevel
	}
	ev := h.log.WithLevel(level).Str("method", truncate(req.method, 100)).Int("code", out.code).Float64("durationMs", float64(time.Since(start).Microseconds())/1000)
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
	if out.reason != "" {
		ev = ev.Str("reason", out.reason)
	}
	if out.cancelled {
		ev = ev.Str("outcome", "cancelled")
	}
	var pe *panicError
	if errors.As(out.err, &pe) {
		ev = ev.Str("panic", pe.describe()).Bytes("stack", pe.stack)
	} else if out.code == CodeInternal && out.err != nil {
		ev = ev.Err(out.err)
	}
	ev.Msg("call")
}
