package services

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// IdempotencyRecord remembers one data-changing request of a partner: which
// method and payload it carried and the response it got. It is written in
// the same transaction as the request's effect.
type IdempotencyRecord struct {
	PartnerID   int64
	RequestID   string
	Method      string
	PayloadHash string
	Response    []byte // nil while the request is running or when refused
	// Refusal is the stored refusal of a refused request (see
	// recordRefusal); nil otherwise.
	Refusal   []byte
	CreatedAt time.Time
}

// fingerprint hashes a request's method and decoded payload, so that the
// same payload written with other spacing or key case counts as the same.
func Fingerprint(method string, input any) (string, error) {
	b, err := json.Marshal(input)
	if err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", method, err)
	}
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// inflight tracks the requests this process is running, so that a duplicate
// arriving meanwhile waits for the first to end rather than queueing for
// the database.
type inflight struct {
	mu   sync.Mutex
	keys map[string]chan struct{} // closed when the call holding the key ends
}

func newInflight() *inflight { return &inflight{keys: make(map[string]chan struct{})} }

// begin takes key, waiting while another call holds it, until deadline or
// the end of ctx; then it is ErrRequestInProgress (or, when the caller has
// gone, ctx's error). A taken key must be given back with end.
func (f *inflight) begin(ctx context.Context, key string, deadline time.Time) error {
	var timer *time.Timer
	for {
		f.mu.Lock()
		running, busy := f.keys[key]
		if !busy {
			f.keys[key] = make(chan struct{})
			f.mu.Unlock()
			return nil
		}
		f.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(time.Until(deadline))
			defer timer.Stop()
		}
		select {
		case <-running: // the first call ended: try again
		case <-timer.C:
			return ErrRequestInProgress
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return ErrRequestInProgress
			}
			return ctx.Err()
		}
	}
}

func (f *inflight) end(key string) {
	f.mu.Lock()
	close(f.keys[key])
	delete(f.keys, key)
	f.mu.Unlock()
}

// waitDeadline is when a duplicate stops waiting for the first call:
// Settings.IdempotencyWait from now, never after ctx's deadline.
func (s *Kernel) waitDeadline(ctx context.Context) time.Time {
	deadline := time.Now().Add(s.IdempotencyWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		return d
	}
	return deadline
}

// Idempotent runs op in one write transaction together with the record of
// the call's request id. A repeat of a completed request (same id, method and
// payload, within the window) returns the first response without running op
// again; the same id with another method or payload is ErrIdempotencyConflict.
// A repeat while the first is running (in this process, or in another
// replica on PostgreSQL) waits for it, up to Settings.IdempotencyWait and
// never past ctx's deadline, and then takes the same path: the stored
// answer or refusal. A refused call keeps its id with the refusal (see
// recordRefusal): the same request again gets the same refusal, while a
// corrected one (another method or payload) takes the id over.
// Only a first call that outlasts the wait makes it ErrRequestInProgress.
// Calls without a request id simply run op. An input with a field over its
// size limit (CheckLimits) is refused before the transaction begins,
// whoever calls: nothing unbounded is written, refused packages included.
func Idempotent[T, X any](ctx context.Context, s *Kernel, call Call, input any, op func(tx X) (T, error)) (T, error) {
	var result T
	if err := CheckLimits(input); err != nil {
		return result, err
	}
	// refusal is a refusal whose writes are committed (see keepWrites).
	var refusal error
	// run is op followed by its audit row, in the same transaction.
	run := func(tx Tx) error {
		var err error
		refusal = nil
		if result, err = op(As[X](tx)); err != nil {
			var kept *keptWrites
			if !errors.As(err, &kept) {
				return err
			}
			refusal, err = s.keepRefusal(ctx, tx, call, kept.err)
			return err
		}
		var entities map[string]string
		if a, ok := any(result).(Audited); ok {
			entities = a.AuditEntities()
		}
		return AppendCallAudit(ctx, tx, s.Clock.Now(), call, entities, AuditOK)
	}
	if call.RequestID == "" {
		if err := s.Store.Update(ctx, run); err != nil {
			return result, err
		}
		return result, refusal
	}
	hash, err := Fingerprint(call.Method, input)
	if err != nil {
		return result, err
	}
	key := strconv.FormatInt(call.PartnerID, 10) + "\x00" + call.RequestID
	deadline := s.waitDeadline(ctx)
	if err := s.inflight.begin(ctx, key, deadline); err != nil {
		return result, fmt.Errorf("%s: %w", call.Method, err)
	}
	defer s.inflight.end(key)

	now := s.Clock.Now()
	rec := IdempotencyRecord{PartnerID: call.PartnerID, RequestID: call.RequestID, Method: call.Method, PayloadHash: hash, CreatedAt: now}
	replayed := false
	err = s.Store.Update(ctx, func(tx Tx) error {
		refusal = nil
		claimed, existing, err := tx.ClaimIdempotencyKey(ctx, rec, now.Add(-s.IdempotencyTTL), time.Until(deadline))
		if err != nil {
			return err
		}
		if !claimed {
			replayed = true
			if err := replay(existing, rec, &result); err != nil {
				if existing.Refusal != nil && s.OnReplay != nil {
					s.OnReplay(call.Method)
				}
				return err
			}
			if s.OnReplay != nil {
				s.OnReplay(call.Method)
			}
			return nil
		}
		if err := run(tx); err != nil || refusal != nil {
			return err
		}
		response, err := json.Marshal(result)
		if err != nil {
			return fmt.Errorf("%s: encode response: %w", call.Method, err)
		}
		return tx.SaveIdempotencyResponse(ctx, call.PartnerID, call.RequestID, response)
	})
	switch {
	case err == nil && refusal != nil:
		var zero T
		return zero, refusal
	case err != nil && !replayed:
		// A refusal keeps the id, so that the same request sent again is
		// refused again rather than run (a captured copy included).
		return result, s.recordRefusal(ctx, call, rec, err)
	}
	return result, err
}

// keepRefusal ends a refused call in a transaction that holds its request
// id: the id keeps the refusal (or is released, for a refusal that is not
// recordable) and the audit trail records it, together with whatever the
// refused call wrote that must stay (a wrong code counted). The refusal is
// returned marked as audited.
func (s *Kernel) keepRefusal(ctx context.Context, tx Tx, call Call, refusal error) (kept, err error) {
	switch {
	case RefusalReason(refusal) == "":
		return nil, refusal // not a refusal after all: nothing is kept
	case call.RequestID == "":
	case recordable(refusal):
		stored, err := encodeRefusal(refusal)
		if err != nil {
			return nil, err
		}
		if err := tx.SaveIdempotencyRefusal(ctx, call.PartnerID, call.RequestID, stored); err != nil {
			return nil, err
		}
	default:
		// The id is free for the same request once the limit has reset,
		// or for a corrected one.
		if err := tx.ReleaseIdempotencyKey(ctx, call.PartnerID, call.RequestID); err != nil {
			return nil, err
		}
	}
	if err := AppendCallAudit(ctx, tx, s.Clock.Now(), call, nil, AuditRefused+RefusalReason(refusal)); err != nil {
		return nil, err
	}
	return &auditedRefusal{err: refusal}, nil
}

// replay answers a repeated request from its stored record.
func replay[T any](existing, rec IdempotencyRecord, result *T) error {
	switch {
	case existing.Method != rec.Method || existing.PayloadHash != rec.PayloadHash:
		return fmt.Errorf("%s: request id first used for %s with another payload: %w", rec.Method, existing.Method, ErrIdempotencyConflict)
	case existing.Refusal != nil:
		return fmt.Errorf("%s: the refusal of the first request with this id: %w", rec.Method, decodeRefusal(existing.Refusal))
	case existing.Response == nil:
		return fmt.Errorf("%s: %w", rec.Method, ErrRequestInProgress)
	}
	if err := json.Unmarshal(existing.Response, result); err != nil {
		return fmt.Errorf("%s: decode stored response: %w", rec.Method, err)
	}
	return nil
}

// PurgeIdempotencyKeys forgets request ids older than the idempotency window.
func (s *Kernel) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	var n int64
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = tx.PurgeIdempotencyKeys(ctx, s.Clock.Now().Add(-s.IdempotencyTTL))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	return n, nil
}

// keptWrites marks a refusal whose transaction must still commit: the count
// of a wrong code, an operation found expired, a counted mobile change.
type keptWrites struct{ err error }

func (k *keptWrites) Error() string { return k.err.Error() }
func (k *keptWrites) Unwrap() error { return k.err }

// keepWrites refuses the call with err but commits what the transaction
// wrote.
func KeepWrites(err error) error { return &keptWrites{err: err} }
