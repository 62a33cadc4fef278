package services_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/store/storetest"
)

// checkpointed is a trail of 8 rows with stored checkpoints of rows 2, 5
// and 8, and copies of them as published outside the database.
type checkpointed struct {
	e        *banktest.Env
	keys     *services.CheckpointKeys
	external []services.AuditCheckpoint
}

func newCheckpointed(t *testing.T) checkpointed {
	t.Helper()
	e := banktest.New(t)
	keys := checkpointKeys(t)
	c := &services.Checkpointer{Store: e.Store, Keys: keys, Clock: e.Clock}
	var external []services.AuditCheckpoint
	for _, n := range []int{0, 3, 3} {
		appendAuditRows(t, e, n)
		e.Clock.Add(time.Minute)
		cp, written, err := c.CheckpointIfMoved(context.Background())
		if err != nil || !written {
			t.Fatalf("checkpoint: written %v, %v", written, err)
		}
		external = append(external, cp)
	}
	return checkpointed{e: e, keys: keys, external: external}
}

// verify runs VerifyAuditCheckpoints on the stored checkpoints and, when
// withExternal, on the external ones.
func (c checkpointed) verify(t *testing.T, keys *services.CheckpointKeys, withExternal bool) services.CheckpointReport {
	t.Helper()
	sources := []services.CheckpointSource{{Name: "stored", Stored: c.e.Store}}
	if withExternal {
		sources = append(sources, services.CheckpointSource{Name: "external", List: c.external})
	}
	rep, err := services.VerifyAuditCheckpoints(context.Background(), c.e.Store, keys, sources...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestVerifyAuditCheckpoints(t *testing.T) {
	otherKeys, err := services.NewCheckpointKeys(services.DataKeys{Current: "k9", Keys: map[string][]byte{"k9": otherDataKey}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		tamper   func(t *testing.T, c checkpointed)
		keys     func(t *testing.T, c checkpointed) *services.CheckpointKeys // nil: the bank's
		external bool
		// want: the problems, in order; none when the trail holds.
		want           []string
		wantChecked    map[string]int
		wantNewest     int64
		wantUnchecked  bool
		wantChainBreak int64 // the chain's own broken row; 0 when intact
	}{
		{
			name:        "intact",
			external:    true,
			wantChecked: map[string]int{"stored": 3, "external": 3}, wantNewest: 8,
		},
		{
			name: "rows cut after a checkpoint",
			tamper: func(t *testing.T, c checkpointed) {
				storetest.Exec(t, c.e.Path, `DELETE FROM audit_log WHERE seq > 6`)
			},
			want:        []string{"the trail ends at row 6 but the stored checkpoint of 2026-11-21T10:03:00Z covers row 8: rows were cut from the end"},
			wantChecked: map[string]int{"stored": 2}, wantNewest: 5,
		},
		{
			name: "rows cut below two checkpoints",
			tamper: func(t *testing.T, c checkpointed) {
				storetest.Exec(t, c.e.Path, `DELETE FROM audit_log WHERE seq > 4`)
			},
			want:        []string{"the trail ends at row 4 but the stored checkpoint of 2026-11-21T10:03:00Z covers row 8: rows were cut from the end"},
			wantChecked: map[string]int{"stored": 1}, wantNewest: 2,
		},
		{
			name: "rows and stored checkpoints cut: the external checkpoints show it",
			tamper: func(t *testing.T, c checkpointed) {
				storetest.Exec(t, c.e.Path, `DELETE FROM audit_log WHERE seq > 6`)
				storetest.Exec(t, c.e.Path, `DELETE FROM audit_checkpoints WHERE seq > 6`)
			},
			external:    true,
			want:        []string{"the trail ends at row 6 but the external checkpoint of 2026-11-21T10:03:00Z covers row 8: rows were cut from the end"},
			wantChecked: map[string]int{"stored": 2, "external": 2}, wantNewest: 5,
		},
		{
			name: "rows cut and others appended",
			tamper: func(t *testing.T, c checkpointed) {
				storetest.Exec(t, c.e.Path, `DELETE FROM audit_log WHERE seq > 4`)
				c.e.Clock.Add(time.Hour)
				appendAuditRows(t, c.e, 5)
			},
			want: []string{
				"row 5 differs from the stored checkpoint of 2026-11-21T10:02:00Z: the trail was rewritten from row 5 or before",
				"row 8 differs from the stored checkpoint of 2026-11-21T10:03:00Z: the trail was rewritten from row 8 or before",
			},
			wantChecked: map[string]int{"stored": 1}, wantNewest: 2,
		},
		{
			name: "a checkpoint's signature changed",
			tamper: func(t *testing.T, c checkpointed) {
				storetest.Exec(t, c.e.Path, `UPDATE audit_checkpoints SET signature = ? WHERE seq = 5`, strings.Repeat("00", 64))
			},
			want:        []string{"the stored checkpoint of 2026-11-21T10:02:00Z (row 5): its signature does not match: the checkpoint was forged or changed"},
			wantChecked: map[string]int{"stored": 2}, wantNewest: 8,
		},
		{
			name: "a checkpoint moved to a lower row",
			tamper: func(t *testing.T, c checkpointed) {
				storetest.Exec(t, c.e.Path, `DELETE FROM audit_checkpoints WHERE seq = 2`)
				storetest.Exec(t, c.e.Path, `UPDATE audit_checkpoints SET seq = 2 WHERE seq = 5`)
			},
			want:        []string{"the stored checkpoint of 2026-11-21T10:02:00Z (row 2): its signature does not match: the checkpoint was forged or changed"},
			wantChecked: map[string]int{"stored": 1}, wantNewest: 8,
		},
		{
			name: "a forged checkpoint past the end, signed by another key",
			tamper: func(t *testing.T, c checkpointed) {
				cp, _ := otherKeys.Sign(12, strings.Repeat("ab", 32), c.e.Clock.Now())
				storetest.Exec(t, c.e.Path, `INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature) VALUES (?, ?, ?, ?, ?)`,
					cp.Seq, cp.Hash, cp.At.UnixMilli(), cp.Key, cp.Signature)
			},
			want: []string{"the stored checkpoint of 2026-11-21T10:03:00Z (row 12): it is signed by a key that is not configured " +
				"(neither derived from ekyc.data_key or ekyc.old_data_keys nor in audit.checkpoint_public_keys)"},
			wantChecked: map[string]int{"stored": 3}, wantNewest: 8,
		},
		{
			name: "checked with the public key alone",
			keys: func(t *testing.T, c checkpointed) *services.CheckpointKeys {
				k, err := services.NewCheckpointKeys(services.DataKeys{}, []string{c.keys.PublicKey()})
				if err != nil {
					t.Fatal(err)
				}
				return k
			},
			external:    true,
			wantChecked: map[string]int{"stored": 3, "external": 3}, wantNewest: 8,
		},
		{
			name: "checked with another key only",
			keys: func(*testing.T, checkpointed) *services.CheckpointKeys { return otherKeys },
			want: []string{
				"the stored checkpoint of 2026-11-21T10:01:00Z (row 2): it is signed by a key that is not configured",
				"the stored checkpoint of 2026-11-21T10:02:00Z (row 5): it is signed by a key that is not configured",
				"the stored checkpoint of 2026-11-21T10:03:00Z (row 8): it is signed by a key that is not configured",
			},
			wantChecked: map[string]int{},
		},
		{
			name: "no key: rows compared, signatures not checked",
			tamper: func(t *testing.T, c checkpointed) {
				storetest.Exec(t, c.e.Path, `DELETE FROM audit_log WHERE seq > 6`)
			},
			keys: func(t *testing.T, c checkpointed) *services.CheckpointKeys {
				k, err := services.NewCheckpointKeys(services.DataKeys{}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return k
			},
			want:        []string{"the trail ends at row 6 but the stored checkpoint of 2026-11-21T10:03:00Z covers row 8: rows were cut from the end"},
			wantChecked: map[string]int{"stored": 2}, wantNewest: 5, wantUnchecked: true,
		},
		{
			name: "a broken chain: checkpoints past the broken row are not compared",
			tamper: func(t *testing.T, c checkpointed) {
				storetest.Exec(t, c.e.Path, `UPDATE audit_log SET outcome = 'REFUSED: x' WHERE seq = 4`)
				storetest.Exec(t, c.e.Path, `DELETE FROM audit_log WHERE seq > 6`)
			},
			wantChecked: map[string]int{"stored": 1}, wantNewest: 2, wantChainBreak: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each on a database of its own
			c := newCheckpointed(t)
			if tt.tamper != nil {
				dropCheckpointTriggers(t, c.e.Path)
				tt.tamper(t, c)
			}
			keys := c.keys
			if tt.keys != nil {
				keys = tt.keys(t, c)
			}
			rep := c.verify(t, keys, tt.external)
			if got := fmt.Sprint(rep.Checked); got != fmt.Sprint(tt.wantChecked) || rep.Newest.Seq != tt.wantNewest ||
				rep.SignaturesUnchecked != tt.wantUnchecked || rep.BrokenSeq != tt.wantChainBreak {
				t.Errorf("checked %v, newest row %d, unchecked %v, chain broken at %d; want %v, %d, %v, %d",
					rep.Checked, rep.Newest.Seq, rep.SignaturesUnchecked, rep.BrokenSeq, tt.wantChecked, tt.wantNewest, tt.wantUnchecked, tt.wantChainBreak)
			}
			if rep.ProblemCount != len(tt.want) || len(rep.Problems) != len(tt.want) {
				t.Fatalf("problems: got %d %q, want %q", rep.ProblemCount, rep.Problems, tt.want)
			}
			for i, p := range rep.Problems {
				if !strings.HasPrefix(p, tt.want[i]) {
					t.Errorf("problem %d: got %q, want %q", i, p, tt.want[i])
				}
			}
			if wantOK := len(tt.want) == 0 && tt.wantChainBreak == 0; rep.OK() != wantOK {
				t.Errorf("OK() = %v, want %v", rep.OK(), wantOK)
			}
		})
	}
}

// TestVerifyAuditCheckpointsCutTailAloneLooksIntact shows why checkpoints
// exist: the chain alone verifies after its last rows are cut.
func TestVerifyAuditCheckpointsCutTailAloneLooksIntact(t *testing.T) {
	c := newCheckpointed(t)
	dropCheckpointTriggers(t, c.e.Path)
	storetest.Exec(t, c.e.Path, `DELETE FROM audit_log WHERE seq > 6`)
	if rep := banktest.VerifyAudit(t, c.e); !rep.OK() || rep.LastSeq != 6 {
		t.Fatalf("the chain alone: %+v, want an intact chain of 6 rows", rep)
	}
	if rep := c.verify(t, c.keys, false); rep.OK() {
		t.Fatalf("with the checkpoints: %+v, want the cut found", rep)
	}
}

// TestVerifyAuditCheckpointsManyPages checks checkpoints across several
// pages of the chain and of the stored checkpoints.
func TestVerifyAuditCheckpointsManyPages(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	keys := checkpointKeys(t)
	appendAuditRows(t, e, 2200)
	// Stored checkpoints of rows 4, 6, ... 2202, stored in one transaction;
	// every hundredth of them published outside too.
	var stored, external []services.AuditCheckpoint
	for i, r := range banktest.AuditRows(t, e)[3:] {
		if i%2 == 0 {
			cp, err := keys.Sign(r.Seq, r.Hash, e.Clock.Now().Add(time.Duration(i)*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if stored = append(stored, cp); len(stored)%100 == 1 {
				external = append(external, cp)
			}
		}
	}
	err := services.Update(ctx, e.Store, func(tx services.CheckpointTx) error {
		for _, cp := range stored {
			if added, err := tx.AddAuditCheckpoint(ctx, cp); err != nil || !added {
				return fmt.Errorf("add checkpoint of row %d: added %v, %w", cp.Seq, added, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sources := []services.CheckpointSource{{Name: "stored", Stored: e.Store}, {Name: "external", List: external}}
	rep, err := services.VerifyAuditCheckpoints(ctx, e.Store, keys, sources...)
	if err != nil || !rep.OK() || rep.Rows != 2202 || rep.Checked["stored"] != 1100 || rep.Checked["external"] != 11 || rep.Newest.Seq != 2202 {
		t.Fatalf("got %+v, %v; want 2202 rows, 1100 stored and 11 external checkpoints holding", rep, err)
	}
	dropCheckpointTriggers(t, e.Path)
	storetest.Exec(t, e.Path, `DELETE FROM audit_log WHERE seq > 2100`)
	storetest.Exec(t, e.Path, `DELETE FROM audit_checkpoints WHERE seq > 2150`)
	rep, err = services.VerifyAuditCheckpoints(ctx, e.Store, keys, sources...)
	if err != nil || rep.OK() || rep.Checked["stored"] != 1049 || rep.Checked["external"] != 11 || rep.Newest.Seq != 2100 ||
		rep.ProblemCount != 1 || !strings.Contains(rep.Problems[0], "ends at row 2100 but the stored checkpoint") ||
		!strings.Contains(rep.Problems[0], "covers row 2150") {
		t.Fatalf("cut: got checked %v newest %d problems %q, %v", rep.Checked, rep.Newest.Seq, rep.Problems, err)
	}
}
