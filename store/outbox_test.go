package store_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

func message(requestID, fingerprint string, due time.Time) *otp.OutboxMessage {
	return &otp.OutboxMessage{
		RequestID: requestID, Channel: otp.ChannelSMS, Purpose: "OTP", MaskedTo: "+1202*****42",
		KeyFingerprint: fingerprint, Sealed: "sealed-text", NextAttemptAt: due,
		ExpiresAt: epoch.Add(time.Hour), CreatedAt: epoch,
	}
}

func messageIDs(ms []otp.OutboxMessage) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// seedOutbox queues six due messages under key k1 for op-1, one under k2
// and one due later, and returns the IDs of the six.
func seedOutbox(t *testing.T, st *store.Store) []int64 {
	t.Helper()
	var due []int64
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		for i := 0; i < 6; i++ {
			m := message("op-1", "k1", epoch)
			if err := tx.InsertOutbox(ctx, m); err != nil {
				return err
			}
			due = append(due, m.ID)
		}
		if err := tx.InsertOutbox(ctx, message("op-2", "k2", epoch)); err != nil {
			return err
		}
		return tx.InsertOutbox(ctx, message("op-2", "k1", epoch.Add(time.Hour)))
	})
	return due
}

// TestConcurrentClaims has two dispatchers claim at once, each holding its
// claim's transaction open until the other has claimed too (on PostgreSQL;
// SQLite's single writer runs them one after the other): they get disjoint
// messages that together are all the due ones.
func TestConcurrentClaims(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	due := seedOutbox(t, st)
	now, lease := epoch.Add(time.Minute), epoch.Add(2*time.Minute)

	var claimed sync.WaitGroup
	claimed.Add(2)
	both := make(chan struct{})
	go func() { claimed.Wait(); close(both) }()
	results := make([][]otp.OutboxMessage, 2)
	errs := make(chan error, 2)
	for i := range results {
		go func() {
			var once sync.Once
			errs <- store.Update(ctx, st, func(tx store.AnyTx) error {
				msgs, err := tx.ClaimOutbox(ctx, "k1", now, lease, 3)
				if err != nil {
					return err
				}
				results[i] = msgs
				once.Do(claimed.Done)
				if !storetest.IsPostgres() {
					time.Sleep(20 * time.Millisecond)
					return nil
				}
				select {
				case <-both:
					return nil
				case <-time.After(10 * time.Second):
					return errors.New("the other claimer never claimed while this claim was held")
				}
			})
		}()
	}
	for range results {
		if err := <-errs; err != nil {
			t.Fatalf("claim: %v", err)
		}
	}
	var all []int64
	for i, msgs := range results {
		if len(msgs) != 3 {
			t.Errorf("claimer %d got %v, want 3 messages", i, messageIDs(msgs))
		}
		for _, m := range msgs {
			if m.Attempts != 1 || !m.LeaseUntil.Equal(lease) || m.Sealed != "sealed-text" {
				t.Errorf("claimed message %d: attempts %d, lease %v, sealed %q", m.ID, m.Attempts, m.LeaseUntil, m.Sealed)
			}
		}
		all = append(all, messageIDs(msgs)...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if !reflect.DeepEqual(all, due) {
		t.Fatalf("claimed together %v, want each of %v once", all, due)
	}
}

func TestOutboxLifecycle(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	due := seedOutbox(t, st)
	claim := func(now time.Time, limit int) []otp.OutboxMessage {
		var got []otp.OutboxMessage
		update(t, st, func(ctx context.Context, tx store.AnyTx) (err error) {
			got, err = tx.ClaimOutbox(ctx, "k1", now, now.Add(time.Minute), limit)
			return err
		})
		return got
	}

	if got := claim(epoch, 2); !reflect.DeepEqual(messageIDs(got), due[:2]) {
		t.Fatalf("first claim: %v, want %v", messageIDs(got), due[:2])
	}
	if got := claim(epoch.Add(30*time.Second), 10); !reflect.DeepEqual(messageIDs(got), due[2:]) {
		t.Fatalf("claim while leased: %v, want the unleased %v", messageIDs(got), due[2:])
	}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		if err := tx.FinishOutbox(ctx, due[0], otp.MsgSent, "", epoch.Add(time.Second)); err != nil {
			return err
		}
		if err := tx.FinishOutbox(ctx, due[1], otp.MsgFailed, "rejected", epoch.Add(time.Second)); err != nil {
			return err
		}
		return tx.RetryOutbox(ctx, due[2], epoch.Add(10*time.Minute), "timeout")
	})
	// After the leases end, only the messages neither finished nor put off
	// come back, with a second attempt.
	got := claim(epoch.Add(5*time.Minute), 10)
	if !reflect.DeepEqual(messageIDs(got), due[3:]) || got[0].Attempts != 2 {
		t.Fatalf("claim after the leases: %v (attempts %d), want %v with attempt 2", messageIDs(got), got[0].Attempts, due[3:])
	}
	if got := claim(epoch.Add(10*time.Minute), 1); !reflect.DeepEqual(messageIDs(got), []int64{due[2]}) {
		t.Fatalf("claim when the retry is due: %v, want [%d]", messageIDs(got), due[2])
	}

	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		return tx.CloseOutbox(ctx, "op-1", otp.MsgCancelled, epoch.Add(11*time.Minute))
	})
	msgs, err := st.OutboxMessages(ctx, "op-1")
	if err != nil || !reflect.DeepEqual(messageIDs(msgs), due) {
		t.Fatalf("messages of op-1: %v, %v; want %v", messageIDs(msgs), err, due)
	}
	want := []struct {
		status, lastError string
		sent              bool
	}{
		{otp.MsgSent, "", true}, {otp.MsgFailed, "rejected", false}, {otp.MsgCancelled, "timeout", false},
		{otp.MsgCancelled, "", false}, {otp.MsgCancelled, "", false}, {otp.MsgCancelled, "", false},
	}
	for i, m := range msgs {
		w := want[i]
		if m.Status != w.status || m.LastError != w.lastError || m.SentAt.IsZero() == w.sent || m.Sealed != "" {
			t.Errorf("message %d: status %s, last error %q, sent at %v, sealed %q; want %s, %q, sent %v, no text",
				m.ID, m.Status, m.LastError, m.SentAt, m.Sealed, w.status, w.lastError, w.sent)
		}
	}
	if got := claim(epoch.Add(time.Hour), 10); len(got) != 1 || got[0].RequestID != "op-2" {
		t.Errorf("claim after closing op-1: %v, want op-2's later message only", messageIDs(got))
	}
}
