package services_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/store/storetest"
)

// Data keys of the checkpoint tests: the current one and one that is not
// configured.
var (
	checkpointDataKey = bytesOf(0x11)
	otherDataKey      = bytesOf(0x22)
)

func bytesOf(b byte) []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = b
	}
	return k
}

// checkpointKeys are the keys of a bank whose current data key is
// checkpointDataKey, with publicKeys configured too.
func checkpointKeys(t *testing.T, publicKeys ...string) *services.CheckpointKeys {
	t.Helper()
	k, err := services.NewCheckpointKeys(services.DataKeys{Current: "k1", Keys: map[string][]byte{"k1": checkpointDataKey}}, publicKeys)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// appendAuditRows appends n rows to e's audit trail.
func appendAuditRows(t *testing.T, e *banktest.Env, n int) {
	t.Helper()
	ctx := context.Background()
	err := e.Store.Update(ctx, func(tx services.Tx) error {
		for i := 0; i < n; i++ {
			r := services.AuditEntry{At: e.Clock.Now(), PartnerID: e.Alpha.PartnerID, KeyID: e.Alpha.KeyID,
				Method: "CustomerService.AddCustomer", Entities: "{}", Outcome: services.AuditOK}
			if err := tx.AppendAudit(ctx, &r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// On PostgreSQL the rows join the chain once every older writing
	// transaction of the server (other tests') has ended.
	storetest.Sealed(t, e.Store)
}

// dropCheckpointTriggers removes the triggers that keep audit_log and
// audit_checkpoints append-only, as someone with the owner's rights could.
func dropCheckpointTriggers(t *testing.T, dsn string) {
	t.Helper()
	dropAuditTriggers(t, dsn)
	if storetest.IsPostgres() {
		storetest.Exec(t, dsn, `DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints`)
		return
	}
	storetest.Exec(t, dsn, `DROP TRIGGER audit_checkpoints_no_update`)
	storetest.Exec(t, dsn, `DROP TRIGGER audit_checkpoints_no_delete`)
}

// storedCheckpoints returns every stored checkpoint.
func storedCheckpoints(t *testing.T, e *banktest.Env) []services.AuditCheckpoint {
	t.Helper()
	cps, err := e.Store.AuditCheckpoints(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return cps
}

// TestCheckpointSignature pins the signed text, so that a third party can
// check a checkpoint with any Ed25519 library and the public key alone,
// and shows that a change to any field breaks the signature.
func TestCheckpointSignature(t *testing.T) {
	keys := checkpointKeys(t)
	hash := strings.Repeat("ab", 32)
	at := time.Date(2026, 11, 21, 10, 0, 0, 123_456_789, time.UTC)
	cp, err := keys.Sign(5, hash, at)
	if err != nil {
		t.Fatal(err)
	}
	if want := "accountd-audit-checkpoint/v1\n5\n" + hash + "\n" + fmt.Sprint(at.UnixMilli()); string(cp.Message()) != want {
		t.Fatalf("signed text: got %q, want %q", cp.Message(), want)
	}
	if !cp.At.Equal(at.Truncate(time.Millisecond)) || cp.Key != keys.PublicKey() {
		t.Fatalf("checkpoint: %+v", cp)
	}
	pub, _ := hex.DecodeString(cp.Key)
	sig, _ := hex.DecodeString(cp.Signature)
	if !ed25519.Verify(pub, cp.Message(), sig) {
		t.Fatal("the signature does not verify with crypto/ed25519 and the public key")
	}
	if derived := services.CheckpointSigningKey(checkpointDataKey).Public().(ed25519.PublicKey); hex.EncodeToString(derived) != cp.Key {
		t.Fatal("the public key is not the one derived from the data key")
	}
	if err := keys.Check(cp); err != nil {
		t.Fatalf("check: %v", err)
	}
	other := services.CheckpointSigningKey(otherDataKey).Public().(ed25519.PublicKey)
	tests := []struct {
		name   string
		change func(*services.AuditCheckpoint)
		want   error
	}{
		{"row", func(c *services.AuditCheckpoint) { c.Seq-- }, services.ErrCheckpointForged},
		{"hash", func(c *services.AuditCheckpoint) { c.Hash = strings.Repeat("cd", 32) }, services.ErrCheckpointForged},
		{"time", func(c *services.AuditCheckpoint) { c.At = c.At.Add(time.Millisecond) }, services.ErrCheckpointForged},
		{"signature", func(c *services.AuditCheckpoint) { c.Signature = strings.Repeat("0", 128) }, services.ErrCheckpointForged},
		{"signature not hex", func(c *services.AuditCheckpoint) { c.Signature = "zz" }, services.ErrCheckpointForged},
		{"unknown key", func(c *services.AuditCheckpoint) { c.Key = hex.EncodeToString(other) }, services.ErrCheckpointKeyUnknown},
		{"key not hex", func(c *services.AuditCheckpoint) { c.Key = "k1" }, services.ErrCheckpointKeyUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cp
			tt.change(&c)
			if err := keys.Check(c); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	// A checker who holds only the public key.
	public, err := services.NewCheckpointKeys(services.DataKeys{}, []string{strings.ToUpper(cp.Key)})
	if err != nil {
		t.Fatal(err)
	}
	if err := public.Check(cp); err != nil || public.PublicKey() != "" {
		t.Fatalf("with the public key only: %v, signer %q", err, public.PublicKey())
	}
	if _, err := public.Sign(6, hash, at); !errors.Is(err, services.ErrNoCheckpointKey) {
		t.Fatalf("sign without a data key: got %v, want ErrNoCheckpointKey", err)
	}
}

// TestCheckpointerWritesWhenTheHeadMoved: a checkpoint is stored only when
// the head moved since the last one, by this process or another replica.
func TestCheckpointerWritesWhenTheHeadMoved(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)         // two rows
	storetest.Sealed(t, e.Store) // chained, on PostgreSQL, once other tests' older transactions end
	keys := checkpointKeys(t)
	c := &services.Checkpointer{Store: e.Store, Keys: keys, Clock: e.Clock}
	replica := &services.Checkpointer{Store: e.Store, Keys: keys, Clock: e.Clock}
	step := func(c *services.Checkpointer, wantWritten bool, wantSeq int64) {
		t.Helper()
		e.Clock.Add(time.Minute)
		cp, written, err := c.CheckpointIfMoved(ctx)
		if err != nil || written != wantWritten || (written && cp.Seq != wantSeq) {
			t.Fatalf("got %+v written %v, %v; want written %v of row %d", cp, written, err, wantWritten, wantSeq)
		}
		if written && (keys.Check(cp) != nil || !cp.At.Equal(e.Clock.Now())) {
			t.Fatalf("checkpoint %+v: signature %v, want the clock's time %v", cp, keys.Check(cp), e.Clock.Now())
		}
	}
	step(c, true, 2)
	step(c, false, 0)       // the head did not move
	step(replica, false, 0) // another replica finds it stored
	appendAuditRows(t, e, 3)
	step(replica, true, 5)
	step(c, false, 0)
	step(c, false, 0)
	appendAuditRows(t, e, 1)
	step(c, true, 6)
	cps := storedCheckpoints(t, e)
	if len(cps) != 3 || cps[0].Seq != 2 || cps[1].Seq != 5 || cps[2].Seq != 6 {
		t.Fatalf("stored checkpoints: %+v, want rows 2, 5 and 6", cps)
	}

	// `accountd audit checkpoint` signs a fresh one of a head already
	// stored, and stores nothing new.
	e.Clock.Add(time.Minute)
	fresh, err := c.Checkpoint(ctx)
	if err != nil || fresh.Seq != 6 || !fresh.At.Equal(e.Clock.Now()) || keys.Check(fresh) != nil {
		t.Fatalf("fresh checkpoint: %+v, %v", fresh, err)
	}
	if n := len(storedCheckpoints(t, e)); n != 3 {
		t.Fatalf("%d stored checkpoints after a fresh one of the same row, want 3", n)
	}

	// An empty trail has nothing to checkpoint.
	empty := &services.Checkpointer{Store: storetest.Open(t), Keys: keys, Clock: e.Clock}
	if _, written, err := empty.CheckpointIfMoved(ctx); written || err != nil {
		t.Fatalf("empty trail: written %v, %v", written, err)
	}
	if _, err := empty.Checkpoint(ctx); !errors.Is(err, services.ErrAuditTrailEmpty) {
		t.Fatalf("audit checkpoint of an empty trail: got %v, want ErrAuditTrailEmpty", err)
	}
}

// TestCheckpointerRefusesACutTrail: a checkpointer does not sign a trail
// that lost or changed a row an earlier checkpoint covers, whether that
// checkpoint is still stored or only remembered by the process.
func TestCheckpointerRefusesACutTrail(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(t *testing.T, e *banktest.Env)
		fresh  bool // a new process, which only knows the stored checkpoints
		want   error
	}{
		{"rows cut", func(t *testing.T, e *banktest.Env) {
			storetest.Exec(t, e.Path, `DELETE FROM audit_log WHERE seq > 3`)
		}, true, services.ErrAuditTrailCut},
		{"rows and stored checkpoints cut", func(t *testing.T, e *banktest.Env) {
			storetest.Exec(t, e.Path, `DELETE FROM audit_log WHERE seq > 3`)
			storetest.Exec(t, e.Path, `DELETE FROM audit_checkpoints`)
		}, false, services.ErrAuditTrailCut},
		{"rows cut and others appended", func(t *testing.T, e *banktest.Env) {
			storetest.Exec(t, e.Path, `DELETE FROM audit_log WHERE seq > 3`)
			e.Clock.Add(time.Second) // rows of other content
			appendAuditRows(t, e, 4)
		}, true, services.ErrAuditTrailRewritten},
		{"rows cut to the checkpoint's row and one rewritten", func(t *testing.T, e *banktest.Env) {
			storetest.Exec(t, e.Path, `DELETE FROM audit_log WHERE seq > 4`)
			e.Clock.Add(time.Second)
			appendAuditRows(t, e, 1)
		}, true, services.ErrAuditTrailRewritten},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each on a database of its own
			e := banktest.New(t)
			appendAuditRows(t, e, 3)
			keys := checkpointKeys(t)
			c := &services.Checkpointer{Store: e.Store, Keys: keys, Clock: e.Clock}
			if _, written, err := c.CheckpointIfMoved(ctx); !written || err != nil {
				t.Fatalf("first checkpoint: written %v, %v", written, err)
			}
			dropCheckpointTriggers(t, e.Path)
			tt.tamper(t, e)
			if tt.fresh {
				c = &services.Checkpointer{Store: e.Store, Keys: keys, Clock: e.Clock}
			}
			cp, written, err := c.CheckpointIfMoved(ctx)
			if !errors.Is(err, tt.want) || written {
				t.Fatalf("got %+v written %v, %v; want %v", cp, written, err, tt.want)
			}
		})
	}
}

// TestReadCheckpoints reads checkpoints in each published form.
func TestReadCheckpoints(t *testing.T) {
	keys := checkpointKeys(t)
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	cp5, _ := keys.Sign(5, strings.Repeat("ab", 32), at)
	cp3, _ := keys.Sign(3, strings.Repeat("cd", 32), at.Add(-time.Minute))
	line := func(c services.AuditCheckpoint) string {
		return fmt.Sprintf(`{"seq":%d,"hash":%q,"at":%q,"key":%q,"sig":%q}`, c.Seq, c.Hash, c.At.Format(time.RFC3339Nano), c.Key, c.Signature)
	}
	logLine := func(c services.AuditCheckpoint) string {
		return fmt.Sprintf(`{"level":"info","seq":%d,"hash":%q,"at":%q,"key":%q,"sig":%q,"time":"2026-11-21T10:00:00Z","message":"audit checkpoint"}`,
			c.Seq, c.Hash, c.At.Format(time.RFC3339Nano), c.Key, c.Signature)
	}
	tests := []struct {
		name  string
		input string
		want  []int64 // rows, sorted; nil when an error is wanted
	}{
		{"one checkpoint", line(cp5) + "\n", []int64{5}},
		{"a pretty-printed checkpoint", strings.ReplaceAll(line(cp5), ",", ",\n  "), []int64{5}},
		{"a checkpoint file", line(cp5) + "\n" + line(cp3) + "\n\n", []int64{3, 5}},
		{"the server's log", `{"level":"info","message":"serving","addr":"x"}` + "\n" + logLine(cp5) + "\n" +
			`{"level":"info","seq":9,"message":"other"}` + "\n" + logLine(cp3) + "\n", []int64{3, 5}},
		{"empty", "", nil},
		{"only other log lines", `{"level":"info","message":"serving"}`, nil},
		{"not JSON", "seq=5 hash=ab", nil},
		{"a checkpoint without its signature", strings.Replace(line(cp5), `"sig"`, `"sag"`, 1), nil},
		{"a checkpoint without its row", strings.Replace(line(cp5), `"seq":5`, `"seq":0`, 1), nil},
		{"a short hash", strings.Replace(line(cp5), cp5.Hash, "abab", 1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := services.ReadCheckpoints(strings.NewReader(tt.input))
			if tt.want == nil {
				if err == nil {
					t.Fatalf("got %+v, want an error", got)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("got %+v, %v; want rows %v", got, err, tt.want)
			}
			for i, c := range got {
				if c.Seq != tt.want[i] || keys.Check(c) != nil {
					t.Errorf("checkpoint %d: %+v (signature %v), want row %d with its signature intact", i, c, keys.Check(c), tt.want[i])
				}
			}
		})
	}
}
