// Package rpc is accountd's transport: the JSON-RPC 2.0 endpoint, the signed
// envelope, authentication, the error table, the request log, and a signing
// client for the command line and the fixture replayer.
package rpc

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gorilla "github.com/gorilla/rpc/v2"
	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc/frontdoor"
	"github.com/accountd/accountd/rpc/metrics"
	"github.com/accountd/accountd/rpc/ratelimit"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/partner"
)

// Authenticator checks a key id and credential and returns who is calling,
// failing with services.ErrUnauthenticated; and checks a request's
// signature, failing with services.ErrInvalidSignature,
// services.ErrTimestampOutOfWindow or a *services.ValidationError.
type Authenticator interface {
	Authenticate(ctx context.Context, keyID, credential string) (partner.Identity, error)
	Verify(id partner.Identity, req partner.SignedRequest) error
}

// Metrics are the server's Prometheus metrics (package metrics).
type Metrics = metrics.Metrics

// NewMetrics registers a server's metrics, with the method label bounded to
// the registry's methods and rpc.discover; pools are the database pools to
// report on.
func NewMetrics(pools map[string]*sql.DB) *Metrics {
	return metrics.New(pools, append(Methods(), DiscoverMethod))
}

// Options tune the handler.
type Options struct {
	MaxBodyBytes int64 // bodies above this get HTTP 413
	// MaxUploadBodyBytes is the larger limit of a single request to a
	// method that takes pictures (OnboardingService.UploadIDCard and
	// UploadPortrait); default 10 MiB.
	MaxUploadBodyBytes int64
	MaxBatch           int // batches above this get -32600
	// MaxInflightBodyBytes bounds the request-body bytes held at once,
	// beyond the first 64 KiB of each body; default 64 MiB.
	MaxInflightBodyBytes int64
	// MaxUnauthenticatedPerIP caps the requests of one client address whose
	// body is still being read (before their key is known); default 256.
	MaxUnauthenticatedPerIP int
	// CallTimeout is the deadline of a call, or of a whole batch; default
	// 10s. WriteTimeout, when set, is the HTTP server's: the deadline is
	// also kept within nine tenths of it, so that the answer is written.
	CallTimeout  time.Duration
	WriteTimeout time.Duration

	// Limiter enforces each partner's requests per minute; nil for none.
	// Tiers gives the requests per minute of each package tier. Costs
	// overrides DefaultCosts: how many of those units a call of a method
	// takes (NewHandler refuses names that are not methods).
	Limiter ratelimit.Limiter
	Tiers   map[string]int
	Costs   map[string]int
	// Metrics, when set, are updated by every call and served on /metrics.
	Metrics *Metrics
	// Ready, when set, answers /readyz: nil when the service can take
	// traffic (database reachable, schema current).
	Ready func(ctx context.Context) error
	// PublicURL, when set, is the endpoint's URL that rpc.discover gives
	// in servers; otherwise the URL the request came to.
	PublicURL string
}

// Handler serves JSON-RPC 2.0 on POST /jsonrpc. gorilla/rpc registers the
// services and dispatches each call; the handler does what its stock codec
// does not: batches, notifications, null ids, exact error codes, the signed
// envelope, strict payload decoding and a body limit.
type Handler struct {
	server  *gorilla.Server
	auth    Authenticator
	opts    Options
	log     zerolog.Logger
	limiter *limiter
	// sigFailures counts each key's failed signature checks.
	sigFailures *frontdoor.SigFailures
	svc         *bank.Bank
	budget      *frontdoor.BodyBudget
	perAddr     *frontdoor.AddrLimiter
	// dispatchCall runs an authenticated call; tests replace it.
	dispatchCall func(context.Context, *callState)
	// workers run the calls (see dispatchWithin).
	workers *workers
	// dispatchRequest is the request every dispatch hands gorilla/rpc, with
	// the call's context (see dispatch).
	dispatchRequest *http.Request
}

// NewHandler returns the JSON-RPC handler for svc.
func NewHandler(svc *bank.Bank, auth Authenticator, opts Options, log zerolog.Logger) (*Handler, error) {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 100
	}
	if opts.MaxUploadBodyBytes <= 0 {
		opts.MaxUploadBodyBytes = 10 << 20
	}
	if opts.MaxInflightBodyBytes <= 0 {
		opts.MaxInflightBodyBytes = 64 << 20
	}
	if opts.MaxUnauthenticatedPerIP <= 0 {
		opts.MaxUnauthenticatedPerIP = 256
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 10 * time.Second
	}
	server := gorilla.NewServer()
	server.RegisterCodec(codec{}, "application/json")
	for _, m := range registry {
		service, full := gorillaName(m.name)
		if err := server.RegisterService(m.endpoint(svc), service); err != nil {
			return nil, fmt.Errorf("register %s: %w", m.name, err)
		}
		if !server.HasMethod(full) {
			return nil, fmt.Errorf("method %s is not registered", m.name)
		}
	}
	costs, err := methodCosts(opts.Costs)
	if err != nil {
		return nil, err
	}
	h := &Handler{server: server, auth: auth, opts: opts, log: log, svc: svc,
		budget: frontdoor.NewBodyBudget(opts.MaxInflightBodyBytes, opts.Metrics), perAddr: frontdoor.NewAddrLimiter(opts.MaxUnauthenticatedPerIP),
		sigFailures: frontdoor.NewSigFailures(), workers: newWorkers()}
	h.dispatchCall = h.dispatch
	h.dispatchRequest, err = http.NewRequest(http.MethodPost, "/jsonrpc", http.NoBody)
	if err != nil {
		return nil, err
	}
	h.dispatchRequest.Header.Set("Content-Type", "application/json")
	if opts.Limiter != nil {
		h.limiter = newLimiter(opts.Limiter, opts.Tiers, costs, opts.Metrics, log)
	}
	return h, nil
}

// Routes returns the HTTP routes: /jsonrpc, /healthz (the process is up),
// /readyz (it can take traffic) and, with Metrics, /metrics.
func (h *Handler) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/jsonrpc", h)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeText(w, http.StatusOK, "ok\n")
	})
	mux.HandleFunc("/readyz", h.readyz)
	if h.opts.Metrics != nil {
		mux.Handle("/metrics", h.opts.Metrics.Handler())
	}
	return mux
}

// readyzTimeout bounds the readiness check, so that a hung database makes
// the probe fail rather than hang.
const readyzTimeout = 2 * time.Second

// readyz answers 200 when the database answers and carries the schema this
// binary expects, 503 with the reason otherwise.
func (h *Handler) readyz(w http.ResponseWriter, r *http.Request) {
	if h.opts.Ready == nil {
		writeText(w, http.StatusOK, "ready\n")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyzTimeout)
	defer cancel()
	if err := h.opts.Ready(ctx); err != nil {
		h.log.Warn().Err(err).Msg("not ready")
		// The probe is unauthenticated: show a reason meant for it, never
		// a driver error that may name hosts and users.
		reason := "the database did not answer"
		var public interface{ Public() string }
		if errors.As(err, &public) {
			reason = public.Public()
		}
		writeText(w, http.StatusServiceUnavailable, "not ready: "+reason+"\n")
		return
	}
	writeText(w, http.StatusOK, "ready\n")
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, text) //nolint:errcheck // the client is gone if this fails
}

// response is a JSON-RPC response object.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
	ID      json.RawMessage `json:"id"`
	// marshalled marks a Result that json.Marshal wrote, compact and
	// escaped already: appendResponse copies it as it stands.
	marshalled bool
}

// appendResponse appends r's JSON to b, the same bytes json.Marshal writes:
// a method's result is copied as it stands rather than read again by
// json.Marshal (which checks and compacts a RawMessage, byte by byte).
func appendResponse(b []byte, r *response) ([]byte, error) {
	if !r.marshalled || r.Error != nil || r.JSONRPC != "2.0" || len(r.Result) == 0 || !plainID(r.ID) {
		m, err := json.Marshal(r)
		return append(b, m...), err
	}
	b = append(b, `{"jsonrpc":"2.0","result":`...)
	b = append(b, r.Result...)
	b = append(b, `,"id":`...)
	b = append(b, r.ID...)
	return append(b, '}'), nil
}

// plainID reports whether a request id, a JSON string, number or null as
// sent, is written back as it stands: json.Marshal would escape <, > and &
// and the line separators U+2028 and U+2029 (which start with byte 0xE2).
func plainID(id json.RawMessage) bool {
	for _, c := range id {
		if c == '<' || c == '>' || c == '&' || c == 0xE2 {
			return false
		}
	}
	return len(id) > 0
}

// encodeBody is the JSON of a handler's answer: a response, a batch's
// responses or anything else.
func encodeBody(v any) ([]byte, error) {
	switch v := v.(type) {
	case *response:
		return appendResponse(nil, v)
	case []*response:
		b := []byte{'['}
		for i, r := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendResponse(b, r); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	return json.Marshal(v)
}

var nullID = json.RawMessage("null")

// errorResponse answers id with e, bounded: no error object carries back
// more than a few kilobytes, whatever the request held.
func errorResponse(id json.RawMessage, e *Error) *response {
	if id == nil {
		id = nullID
	}
	return &response{JSONRPC: "2.0", Error: bounded(e), ID: id}
}

// ServeHTTP checks the HTTP envelope, reads the body within the limits and
// answers a single request or a batch.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	served := time.Now() // the HTTP server's write deadline runs from about now
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.httpError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use POST, not "+r.Method)
		return
	}
	if !jsonContentType(r.Header.Get("Content-Type")) {
		h.httpError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
		return
	}
	if r.ContentLength > h.uploadLimit() {
		w.Header().Set("Connection", "close")
		h.httpError(w, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", h.tooLarge())
		return
	}
	body, reserved, ok := h.readBody(w, r)
	defer h.budget.Release(reserved) // after the response is written
	if !ok {
		return
	}
	ctx := r.Context()
	if h.opts.WriteTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, served.Add(h.opts.WriteTimeout*9/10))
		defer cancel()
	}
	ctx = context.WithValue(ctx, endpointKey{}, r) // for rpc.discover's endpointURL
	out := h.handleBody(ctx, body)
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if resp, single := out.(*response); single && resp.Error != nil && resp.Error.Data != nil {
		if status := SingleRequestStatus(resp.Error.Code); status != http.StatusOK {
			w.Header().Set("Retry-After", strconv.Itoa(resp.Error.Data.RetryAfterSeconds))
			writeJSON(w, status, out)
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleBody answers a body: one response object, an array of them for a
// batch, or nil when there is nothing to answer.
func (h *Handler) handleBody(ctx context.Context, body []byte) any {
	// Refused before anything reads it, so that ids and every other value
	// that reaches the log are valid UTF-8.
	if !utf8.Valid(body) {
		return errorResponse(nil, protocolError(CodeInvalidRequest, "INVALID_UTF8", fmt.Sprintf("the body is not valid UTF-8 (at byte %d)", invalidUTF8At(body))))
	}
	// One deadline for the call, or for the whole batch.
	ctx, cancel := context.WithTimeout(ctx, h.opts.CallTimeout)
	defer cancel()
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		return errorResponse(nil, protocolError(CodeParseError, "PARSE_ERROR", parseDetail(body)))
	}
	if body[0] != '[' {
		if resp := h.handleElement(ctx, body, &batch{}); resp != nil {
			return resp
		}
		return nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(body, &elems); err != nil {
		return errorResponse(nil, protocolError(CodeParseError, "PARSE_ERROR", err.Error()))
	}
	switch {
	case len(elems) == 0:
		return errorResponse(nil, protocolError(CodeInvalidRequest, "EMPTY_BATCH", "a batch must hold at least one request"))
	case len(elems) > h.opts.MaxBatch:
		return errorResponse(nil, protocolError(CodeInvalidRequest, "BATCH_TOO_LARGE", fmt.Sprintf("a batch holds at most %d requests; this one has %d", h.opts.MaxBatch, len(elems))))
	}
	out := make([]*response, 0, len(elems))
	b := &batch{}
	for _, e := range elems {
		if resp := h.handleElement(ctx, e, b); resp != nil {
			out = append(out, resp)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// parseDetail says where a body stops being JSON.
func parseDetail(body []byte) string {
	var v any
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	switch {
	case len(body) == 0:
		return "the body is empty"
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d: %s", se.Offset, se.Error())
	case err != nil:
		return "not valid JSON: " + err.Error()
	}
	return "not valid JSON"
}

// jsonContentType accepts application/json and application/json-rpc, in
// UTF-8.
func jsonContentType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && mt != "application/json-rpc") {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// invalidUTF8At is the offset of the first byte that is not valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func (h *Handler) httpError(w http.ResponseWriter, status int, reason, detail string) {
	h.opts.Metrics.Refused(reason)
	h.log.Info().Int("status", status).Str("reason", reason).Msg("http request refused")
	writeJSON(w, status, errorResponse(nil, protocolError(CodeInvalidRequest, reason, detail)))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := encodeBody(v)
	if err != nil {
		b, _ = json.Marshal(errorResponse(nil, internalError()))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b) //nolint:errcheck // the client is gone if this fails
}

// uploadMethods names the methods that take pictures, in order.
func uploadMethods() []string {
	var out []string
	for name, m := range methodTable {
		if m.upload {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
