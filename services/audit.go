package services

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// AuditEntry is one row of the audit trail: a data-changing call or an
// operator's change, appended in the same transaction as the change. Rows
// are never updated or deleted; each carries a hash over its content and the
// previous row's hash, so that a changed, removed or inserted row is found
// by VerifyAudit.
type AuditEntry struct {
	Seq       int64 // 1, 2, 3... with no gaps
	At        time.Time
	PartnerID int64
	KeyID     string // the calling key; "operator" for the command line
	Method    string
	RequestID string // the request id as idempotency keys it: s:<text> or n:<number>; "" when none
	Entities  string // JSON object naming the IDs touched, e.g. {"customerId":"..."}
	Outcome   string // "OK", or "REFUSED: " and the reason
	PrevHash  string // the previous row's Hash, "" for the first
	Hash      string
}

// Audit outcomes.
const (
	AuditOK      = "OK"
	AuditRefused = "REFUSED: "
	// operatorKeyID stands for the command line in rows of operator changes.
	operatorKeyID = "operator"
)

// ComputeHash returns the hex SHA-256 of the entry's content and PrevHash,
// encoded as a JSON array so that no field can bleed into the next.
func (e AuditEntry) ComputeHash() string {
	b, _ := json.Marshal([]string{
		strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.At.UnixMilli(), 10), strconv.FormatInt(e.PartnerID, 10),
		e.KeyID, e.Method, e.RequestID, e.Entities, e.Outcome, e.PrevHash,
	})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// entitiesJSON encodes the IDs a change touched, keys sorted.
func EntitiesJSON(ids map[string]string) string {
	if len(ids) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// Audited is implemented by the results of data-changing operations: the
// IDs of what they created or changed, for the audit trail.
type Audited interface {
	AuditEntities() map[string]string
}

// appendCallAudit records a call's change inside its transaction.
func AppendCallAudit(ctx context.Context, tx Tx, at time.Time, call Call, entities map[string]string, outcome string) error {
	e := AuditEntry{At: at, PartnerID: call.PartnerID, KeyID: call.KeyID, Method: call.Method,
		RequestID: call.RequestID, Entities: EntitiesJSON(entities), Outcome: outcome}
	return tx.AppendAudit(ctx, &e)
}

// appendAdminAudit records an operator's change (keys, tiers).
func AppendAdminAudit(ctx context.Context, tx Tx, at time.Time, partnerID int64, action string, entities map[string]string) error {
	e := AuditEntry{At: at, PartnerID: partnerID, KeyID: operatorKeyID, Method: action, Entities: EntitiesJSON(entities), Outcome: AuditOK}
	return tx.AppendAudit(ctx, &e)
}

// AuditRefusal records in the audit trail that a data-changing call was
// refused, with the reason (the sentinel error's text, which holds no
// personal data). Errors that are not refusals are not recorded.
func (s *Kernel) AuditRefusal(ctx context.Context, call Call, callErr error) error {
	reason := RefusalReason(callErr)
	var done *auditedRefusal
	if reason == "" || errors.As(callErr, &done) {
		return nil // not a refusal, or recorded with its request id
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		return AppendCallAudit(ctx, tx, s.Clock.Now(), call, nil, AuditRefused+reason)
	})
	if err != nil {
		return fmt.Errorf("audit refusal of %s: %w", call.Method, err)
	}
	return nil
}

// AuditReport is the result of checking the audit chain.
type AuditReport struct {
	Rows     int64  // rows checked
	LastSeq  int64  // the last row checked
	LastHash string // its hash: a bank can note it to detect a later rewrite of the whole chain
	// Broken describes the first row that breaks the chain; empty when the
	// chain is intact.
	Broken    string
	BrokenSeq int64
}

// OK reports whether the chain is intact.
func (r AuditReport) OK() bool { return r.Broken == "" }

// AuditReader reads the audit trail in order.
type AuditReader interface {
	AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)
}

// auditSealer is storage that chains audit rows after their transactions
// commit.
type auditSealer interface {
	SealAudit(ctx context.Context) (int, error)
}

// auditPage is how many rows VerifyAudit reads at a time.
const auditPage = 1000

// VerifyAudit walks the whole audit chain and checks that the rows are
// numbered 1, 2, 3... without gaps, that each row's PrevHash is the previous
// row's Hash, and that each Hash matches the row's content.
//
// Where storage chains rows after their transactions commit (PostgreSQL),
// the rows waiting are sealed first, so that the whole trail is checked.
func VerifyAudit(ctx context.Context, r AuditReader) (AuditReport, error) {
	var rep AuditReport
	if s, ok := r.(auditSealer); ok {
		if _, err := s.SealAudit(ctx); err != nil {
			return rep, fmt.Errorf("verify audit trail: %w", err)
		}
	}
	// The first page starts below 1, so that a row numbered 0 or less,
	// which a walk from 0 would never see, is found too.
	for after := int64(math.MinInt64); ; after = rep.LastSeq {
		rows, err := r.AuditEntries(ctx, after, auditPage)
		if err != nil {
			return rep, fmt.Errorf("verify audit trail: %w", err)
		}
		for _, e := range rows {
			switch {
			case e.Seq < 1:
				rep.Broken, rep.BrokenSeq = fmt.Sprintf("row %d: rows are numbered from 1: the row was inserted", e.Seq), e.Seq
			case e.Seq != rep.LastSeq+1:
				rep.Broken, rep.BrokenSeq = fmt.Sprintf("row %d follows row %d: rows are missing", e.Seq, rep.LastSeq), e.Seq
			case e.PrevHash != rep.LastHash:
				rep.Broken, rep.BrokenSeq = fmt.Sprintf("row %d does not link to row %d: the previous row was changed or replaced", e.Seq, rep.LastSeq), e.Seq
			case e.ComputeHash() != e.Hash:
				rep.Broken, rep.BrokenSeq = fmt.Sprintf("row %d: its content does not match its hash: the row was changed", e.Seq), e.Seq
			}
			if rep.Broken != "" {
				return rep, nil
			}
			rep.Rows++
			rep.LastSeq, rep.LastHash = e.Seq, e.Hash
		}
		if len(rows) < auditPage {
			return rep, nil
		}
	}
}
