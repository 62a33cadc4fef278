package services

import (
	"context"
	"fmt"
	"time"
)

// CheckpointSource is one set of checkpoints to check the chain against:
// Stored reads them from storage (the audit_checkpoints table), or List
// holds them sorted by row (a file published outside the database).
type CheckpointSource struct {
	Name   string // "stored", "external": how the report names them
	Stored CheckpointStore
	List   []AuditCheckpoint
}

// CheckpointReport is the result of VerifyAuditCheckpoints: the chain's
// own report and what the checkpoints showed.
type CheckpointReport struct {
	AuditReport
	// Checked counts, by source, the checkpoints whose signature holds and
	// whose row the chain holds with the checkpoint's hash.
	Checked map[string]int
	// Newest is the checkpoint of the highest row that the chain holds, and
	// NewestSource where it came from; Newest.Seq is 0 when there is none.
	Newest       AuditCheckpoint
	NewestSource string
	// Problems describes the checkpoints that do not hold, the first
	// maxProblems of them; ProblemCount counts them all.
	Problems     []string
	ProblemCount int
	// SignaturesUnchecked is true when no key was known to check the
	// signatures with: the checkpoints' rows were compared all the same.
	SignaturesUnchecked bool
}

// maxProblems bounds the problems a report lists: a trail rewritten below
// many checkpoints breaks every one of them.
const maxProblems = 10

// OK reports whether the chain is intact and every checkpoint holds.
func (r CheckpointReport) OK() bool { return r.AuditReport.OK() && r.ProblemCount == 0 }

// VerifyAuditCheckpoints is VerifyAudit, and also checks each checkpoint
// of the sources: that its signature holds under keys, and that the chain
// holds its row with its hash. A checkpoint of a row past the chain's end
// shows that rows were cut from the end; one whose row has another hash,
// that the trail was rewritten. Checkpoints of rows past a broken row are
// not compared.
func VerifyAuditCheckpoints(ctx context.Context, r AuditReader, keys *CheckpointKeys, sources ...CheckpointSource) (CheckpointReport, error) {
	v := &checkpointVerifier{reader: r, keys: keys, rep: CheckpointReport{Checked: map[string]int{}, SignaturesUnchecked: !keys.CanCheck()}}
	for _, s := range sources {
		v.cursors = append(v.cursors, &checkpointCursor{CheckpointSource: s, buf: s.List, more: s.Stored != nil})
	}
	rep, err := VerifyAudit(ctx, v)
	if err != nil {
		return v.rep, err
	}
	v.rep.AuditReport = rep
	// The rows of the last page read are checked now, up to the broken row
	// when there is one.
	for _, e := range v.pending {
		if !rep.OK() && e.Seq >= rep.BrokenSeq {
			break
		}
		if err := v.row(ctx, e); err != nil {
			return v.rep, err
		}
	}
	if rep.OK() {
		if err := v.pastEnd(ctx, rep.LastSeq); err != nil {
			return v.rep, err
		}
	}
	return v.rep, nil
}

// checkpointVerifier is the AuditReader VerifyAudit walks the chain with:
// it hands out the rows and compares each page's rows with the
// checkpoints once VerifyAudit asks for the next page, that is once the
// chain held up to there.
type checkpointVerifier struct {
	reader  AuditReader
	keys    *CheckpointKeys
	cursors []*checkpointCursor
	pending []AuditEntry
	rep     CheckpointReport
}

func (v *checkpointVerifier) AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error) {
	for _, e := range v.pending {
		if err := v.row(ctx, e); err != nil {
			return nil, err
		}
	}
	rows, err := v.reader.AuditEntries(ctx, afterSeq, limit)
	v.pending = rows
	return rows, err
}

// row checks the checkpoints of rows up to e's against e.
func (v *checkpointVerifier) row(ctx context.Context, e AuditEntry) error {
	for _, cur := range v.cursors {
		for {
			cp, ok, err := cur.peek(ctx)
			if err != nil {
				return err
			}
			if !ok || cp.Seq > e.Seq {
				break
			}
			cur.pop()
			switch {
			case v.signatureFails(cur.Name, cp):
			case cp.Seq != e.Seq:
				v.problem(fmt.Sprintf("the %s checkpoint of %s covers row %d, which the trail does not hold", cur.Name, when(cp), cp.Seq))
			case cp.Hash != e.Hash:
				v.problem(fmt.Sprintf("row %d differs from the %s checkpoint of %s: the trail was rewritten from row %d or before",
					e.Seq, cur.Name, when(cp), e.Seq))
			default:
				v.rep.Checked[cur.Name]++
				if cp.Seq > v.rep.Newest.Seq || (cp.Seq == v.rep.Newest.Seq && cp.At.After(v.rep.Newest.At)) {
					v.rep.Newest, v.rep.NewestSource = cp, cur.Name
				}
			}
		}
	}
	return nil
}

// pastEnd checks the checkpoints of rows past lastSeq, the chain's end:
// each one that is signed shows that rows were cut from the end.
func (v *checkpointVerifier) pastEnd(ctx context.Context, lastSeq int64) error {
	for _, cur := range v.cursors {
		var newest AuditCheckpoint
		for {
			cp, ok, err := cur.peek(ctx)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			cur.pop()
			if !v.signatureFails(cur.Name, cp) && cp.Seq >= newest.Seq {
				newest = cp
			}
		}
		if newest.Seq > 0 {
			v.problem(fmt.Sprintf("the trail ends at row %d but the %s checkpoint of %s covers row %d: rows were cut from the end",
				lastSeq, cur.Name, when(newest), newest.Seq))
		}
	}
	return nil
}

// signatureFails reports (and records) a checkpoint whose signature does
// not hold; without any key to check with, none fails.
func (v *checkpointVerifier) signatureFails(source string, cp AuditCheckpoint) bool {
	if v.rep.SignaturesUnchecked {
		return false
	}
	if err := v.keys.Check(cp); err != nil {
		v.problem(fmt.Sprintf("the %s checkpoint of %s (row %d): %v", source, when(cp), cp.Seq, err))
		return true
	}
	return false
}

func (v *checkpointVerifier) problem(s string) {
	if v.rep.ProblemCount++; len(v.rep.Problems) < maxProblems {
		v.rep.Problems = append(v.rep.Problems, s)
	}
}

// when writes a checkpoint's time for messages.
func when(cp AuditCheckpoint) string { return cp.At.UTC().Format(time.RFC3339Nano) }

// checkpointPage is how many stored checkpoints are read at a time.
const checkpointPage = 1000

// checkpointCursor walks one source's checkpoints by row.
type checkpointCursor struct {
	CheckpointSource
	buf   []AuditCheckpoint
	more  bool  // whether storage may hold more after buf
	after int64 // the last row read from storage
}

// peek returns the next checkpoint without taking it; ok is false at the
// end.
func (c *checkpointCursor) peek(ctx context.Context) (AuditCheckpoint, bool, error) {
	if len(c.buf) == 0 && c.more {
		page, err := c.Stored.AuditCheckpoints(ctx, c.after, checkpointPage)
		if err != nil {
			return AuditCheckpoint{}, false, fmt.Errorf("verify audit checkpoints: %w", err)
		}
		c.buf, c.more = page, len(page) == checkpointPage
		if len(page) > 0 {
			c.after = page[len(page)-1].Seq
		}
	}
	if len(c.buf) == 0 {
		return AuditCheckpoint{}, false, nil
	}
	return c.buf[0], true, nil
}

func (c *checkpointCursor) pop() { c.buf = c.buf[1:] }
