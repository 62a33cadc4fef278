package rpc

import (
	"context"
	"errors"
)

// dispatchWithin runs an authenticated call until ctx ends: the call's
// deadline (server.call_timeout, shared by a batch) or its client going
// away. It returns nil when the call finished, with st holding its outcome,
// and -32008 when ctx ended first. Such a call is not waited for: one still
// waiting for its turn at the database never runs, one already running
// commits or rolls back whole (group commit), and st belongs to it
// from then on (its payload, and the body it is a part of, stay in memory,
// outside the body budget, until it returns). The call runs on a goroutine
// of h.workers.
func (h *Handler) dispatchWithin(ctx context.Context, st *callState, out *callOutcome) *Error {
	done := make(chan struct{})
	h.workers.run(func() {
		defer close(done)
		h.dispatchCall(ctx, st)
	})
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	select {
	case <-done:
		return nil
	default:
		out.err = ctx.Err()
		return cutError(ctx, out)
	}
}

// isCut reports whether e is the outcome of a call whose context ended: a
// timeout, or any failure once the context is done (the database error
// such a call gets says nothing about the server). Neither is an internal
// error nor a refusal.
func isCut(ctx context.Context, e *Error) bool {
	return e.Code == CodeCallTimeout || (e.Code == CodeInternal && ctx.Err() != nil)
}

// cutError is the -32008 of a call whose context ended while it ran.
func cutError(ctx context.Context, out *callOutcome) *Error {
	if errors.Is(ctx.Err(), context.Canceled) {
		out.cancelled, out.reason = true, "CANCELLED"
		return &Error{Code: CodeCallTimeout, Message: ErrCallTimeout.Error(), Data: &ErrorData{Reason: "CANCELLED",
			Detail: "the client went away; a data-changing call may or may not have taken effect: retry with the same id to get its answer"}}
	}
	out.reason = "CALL_TIMEOUT"
	return callTimeoutError()
}
