package rpc

import (
	"net/http"
	"strconv"
)

// retryAfterSeconds is the Retry-After of a 503: the budget and the
// per-address places free up as bodies finish, within seconds.
const retryAfterSeconds = 1

// busy answers HTTP 503 with Retry-After and a JSON-RPC error body, and
// closes the connection: the body was not read.
func (h *Handler) busy(w http.ResponseWriter, reason, detail string) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	w.Header().Set("Connection", "close")
	h.opts.Metrics.Refused(reason)
	h.log.Info().Int("status", http.StatusServiceUnavailable).Str("reason", reason).Msg("http request refused")
	e := protocolError(CodeInvalidRequest, reason, detail)
	e.Data.RetryAfterSeconds = retryAfterSeconds
	writeJSON(w, http.StatusServiceUnavailable, errorResponse(nil, e))
}
