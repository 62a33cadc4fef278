package services

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// storedRefusal is a refusal as a request id's record keeps it: the
// sentinel by its text, and what the caller was told.
type storedRefusal struct {
	Err          string       `json:"err"`
	Fields       []FieldError `json:"fields,omitempty"`
	Detail       string       `json:"detail,omitempty"`
	AttemptsLeft *int         `json:"attemptsLeft,omitempty"`
	SchemeCode   string       `json:"schemeCode,omitempty"`
	Checks       []EKYCCheck  `json:"checks,omitempty"`
	OnboardingID string       `json:"onboardingId,omitempty"`
	State        string       `json:"state,omitempty"`
	RetryAfterMs int64        `json:"retryAfterMs,omitempty"`
}

// recordable reports whether a call's error is a refusal its request id
// should remember: a final answer about the request and the state it met,
// not an internal error nor a RefuseForNow refusal.
func recordable(err error) bool {
	var kind *refused
	if !errors.As(err, &kind) || kind.forNow {
		return false
	}
	var r *Refusal
	return !errors.As(err, &r) || r.RetryAfter <= 0
}

// encodeRefusal is err as a record keeps it.
func encodeRefusal(err error) ([]byte, error) {
	sr := storedRefusal{Err: RefusalReason(err)}
	var ve *ValidationError
	if errors.As(err, &ve) {
		sr.Fields = ve.Fields
	}
	var r *Refusal
	if errors.As(err, &r) {
		sr.Detail, sr.AttemptsLeft, sr.SchemeCode, sr.Checks = r.Detail, r.AttemptsLeft, r.SchemeCode, r.Checks
		sr.OnboardingID, sr.State, sr.RetryAfterMs = r.OnboardingID, r.State, r.RetryAfter.Milliseconds()
	}
	b, mErr := json.Marshal(sr)
	if mErr != nil {
		return nil, fmt.Errorf("encode refusal: %w", mErr)
	}
	return b, nil
}

// decodeRefusal turns a stored refusal back into the error first returned.
func decodeRefusal(b []byte) error {
	var sr storedRefusal
	if err := json.Unmarshal(b, &sr); err != nil {
		return fmt.Errorf("decode stored refusal: %w", err)
	}
	if sentinel, ok := refusalsByText[sr.Err]; ok {
		if errors.Is(sentinel, ErrInvalidInput) {
			return &ValidationError{Fields: sr.Fields}
		}
		return &Refusal{Err: sentinel, Detail: sr.Detail, AttemptsLeft: sr.AttemptsLeft, SchemeCode: sr.SchemeCode,
			Checks: sr.Checks, OnboardingID: sr.OnboardingID, State: sr.State, RetryAfter: time.Duration(sr.RetryAfterMs) * time.Millisecond}
	}
	// A sentinel this version does not know: the id stays taken.
	return fmt.Errorf("request id holds a refusal of another version (%q): %w", sr.Err, ErrIdempotencyConflict)
}

// auditedRefusal is a refusal already recorded in the audit trail with its
// request id, so that AuditRefusal does not record it twice.
type auditedRefusal struct{ err error }

func (a *auditedRefusal) Error() string { return a.err.Error() }
func (a *auditedRefusal) Unwrap() error { return a.err }

// refusalRecordTimeout bounds the transaction that records a refusal, which
// runs even when the caller has gone: the refusal was already decided.
const refusalRecordTimeout = 5 * time.Second

// recordRefusal keeps a refused call's request id with its refusal and its
// audit row, in one transaction after the call's own was rolled back, so
// that the same request sent again is answered with the same refusal
// instead of running again. A corrected request (another method or
// payload) may still take the id over. The refusal is returned, marked as
// audited when it was recorded; errors that are not final refusals are
// returned as they are.
func (s *Kernel) recordRefusal(ctx context.Context, call Call, rec IdempotencyRecord, callErr error) error {
	if !recordable(callErr) {
		return callErr
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refusalRecordTimeout)
	defer cancel()
	var kept error
	err := s.Store.Update(ctx, func(tx Tx) error {
		claimed, _, err := tx.ClaimIdempotencyKey(ctx, rec, rec.CreatedAt.Add(-s.IdempotencyTTL), refusalRecordTimeout)
		if err != nil || !claimed {
			return err // another call holds the id now: its record stands
		}
		kept, err = s.keepRefusal(ctx, tx, call, callErr)
		return err
	})
	if err != nil || kept == nil {
		// The refusal stands; the next identical request is judged afresh.
		return callErr
	}
	return kept
}
