package services

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AuditHead is the last row of the audit chain: its Seq and Hash; Seq 0
// means the trail has no row yet.
type AuditHead struct {
	Seq  int64
	Hash string
}

// CheckpointStore is what audit checkpoints need from storage: the chain,
// the stored checkpoints, and write transactions that store one.
type CheckpointStore interface {
	Store
	AuditReader
	// AuditHead returns the last row of the chain (Seq 0 when there is
	// none). Only rows chained into the trail count, never rows still
	// waiting to be chained.
	AuditHead(ctx context.Context) (AuditHead, error)
	// LatestAuditCheckpoint returns the stored checkpoint of the highest
	// row; found is false when none is stored.
	LatestAuditCheckpoint(ctx context.Context) (c AuditCheckpoint, found bool, err error)
	// AuditCheckpoints returns up to limit stored checkpoints of rows
	// after afterSeq, by row.
	AuditCheckpoints(ctx context.Context, afterSeq int64, limit int) ([]AuditCheckpoint, error)
}

// CheckpointTx stores a checkpoint inside a write transaction.
type CheckpointTx interface {
	// AddAuditCheckpoint stores c unless a checkpoint of its row is
	// stored already (another replica's); added says which.
	AddAuditCheckpoint(ctx context.Context, c AuditCheckpoint) (added bool, err error)
}

// Errors of checkpointing a chain that no longer holds what an earlier
// checkpoint saw: the checkpointer refuses to sign it.
var (
	// ErrAuditTrailCut means the chain ends below a checkpoint's row.
	ErrAuditTrailCut = errors.New("rows were cut from the end of the audit trail")
	// ErrAuditTrailRewritten means a checkpoint's row has another hash now.
	ErrAuditTrailRewritten = errors.New("the audit trail was rewritten")
	// ErrAuditTrailEmpty means there is no row to checkpoint.
	ErrAuditTrailEmpty = errors.New("the audit trail has no row yet")
)

// Checkpointer signs and stores checkpoints of the audit chain's head.
// Publishing them outside the database (a log line, a file) is the
// caller's. One Checkpointer is used by one goroutine at a time.
type Checkpointer struct {
	Store CheckpointStore
	Keys  *CheckpointKeys
	Clock Clock
	// last is the newest checkpoint this process signed or found stored:
	// a trail cut below it is refused even when its stored copy is gone.
	last AuditCheckpoint
}

// CheckpointIfMoved signs and stores a checkpoint of the head when the head
// moved since the last checkpoint this process or any replica stored;
// written is false when there was nothing new to sign, or when another
// replica stored the same row's checkpoint first. It refuses (with
// ErrAuditTrailCut or ErrAuditTrailRewritten) to sign a trail that no
// longer holds an earlier checkpoint's row.
func (c *Checkpointer) CheckpointIfMoved(ctx context.Context) (cp AuditCheckpoint, written bool, err error) {
	head, err := c.Store.AuditHead(ctx)
	if err != nil {
		return AuditCheckpoint{}, false, err
	}
	if head.Seq == 0 || (head.Seq == c.last.Seq && head.Hash == c.last.Hash) {
		return AuditCheckpoint{}, false, nil
	}
	return c.checkpoint(ctx, false)
}

// Checkpoint signs and stores a fresh checkpoint of the head, whether or
// not one of that row is stored already, for `accountd audit checkpoint`.
func (c *Checkpointer) Checkpoint(ctx context.Context) (AuditCheckpoint, error) {
	cp, _, err := c.checkpoint(ctx, true)
	return cp, err
}

// checkpoint reads the stored latest checkpoint and then the head (in that
// order: the head only grows, so a head below the latest is a cut trail,
// not another replica's newer checkpoint), checks that the trail still
// holds the latest checkpoint's row, and signs the head.
func (c *Checkpointer) checkpoint(ctx context.Context, always bool) (AuditCheckpoint, bool, error) {
	if c.Keys.PublicKey() == "" {
		return AuditCheckpoint{}, false, ErrNoCheckpointKey
	}
	latest, found, err := c.Store.LatestAuditCheckpoint(ctx)
	if err != nil {
		return AuditCheckpoint{}, false, err
	}
	if found && c.Keys.Check(latest) != nil {
		// Not a checkpoint of ours (forged, or signed by a key since
		// retired): nothing to hold the trail to; audit verify reports it.
		latest, found = AuditCheckpoint{}, false
	}
	head, err := c.Store.AuditHead(ctx)
	if err != nil {
		return AuditCheckpoint{}, false, err
	}
	if head.Seq == 0 {
		return AuditCheckpoint{}, false, ErrAuditTrailEmpty
	}
	for _, earlier := range []AuditCheckpoint{latest, c.last} {
		if err := c.holds(ctx, head, earlier); err != nil {
			return AuditCheckpoint{}, false, err
		}
	}
	if found && latest.Seq == head.Seq && !always {
		c.last = latest // another replica's
		return AuditCheckpoint{}, false, nil
	}
	cp, err := c.Keys.Sign(head.Seq, head.Hash, c.Clock.Now())
	if err != nil {
		return AuditCheckpoint{}, false, err
	}
	var added bool
	err = Update(ctx, c.Store, func(tx CheckpointTx) error {
		added, err = tx.AddAuditCheckpoint(ctx, cp)
		return err
	})
	if err != nil {
		return AuditCheckpoint{}, false, fmt.Errorf("store audit checkpoint: %w", err)
	}
	c.last = cp
	return cp, added, nil
}

// holds checks that the trail, whose last row is head, still holds the
// row of the earlier checkpoint cp with its hash (a zero cp holds).
func (c *Checkpointer) holds(ctx context.Context, head AuditHead, cp AuditCheckpoint) error {
	switch {
	case cp.Seq == 0:
		return nil
	case head.Seq < cp.Seq:
		return fmt.Errorf("the trail ends at row %d but the checkpoint of %s covers row %d: %w",
			head.Seq, cp.At.Format(time.RFC3339), cp.Seq, ErrAuditTrailCut)
	case head.Seq == cp.Seq:
		if head.Hash != cp.Hash {
			return fmt.Errorf("row %d differs from the checkpoint of %s: %w", cp.Seq, cp.At.Format(time.RFC3339), ErrAuditTrailRewritten)
		}
		return nil
	}
	rows, err := c.Store.AuditEntries(ctx, cp.Seq-1, 1)
	if err != nil {
		return err
	}
	if len(rows) == 0 || rows[0].Seq != cp.Seq || rows[0].Hash != cp.Hash {
		return fmt.Errorf("row %d differs from the checkpoint of %s: %w", cp.Seq, cp.At.Format(time.RFC3339), ErrAuditTrailRewritten)
	}
	return nil
}
