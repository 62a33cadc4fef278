package account

import (
	"context"
	"fmt"
	"time"

	"github.com/accountd/accountd/services"
)

// sweepBatch is how many accounts one sweep transaction handles.
const sweepBatch = 200

// SweepReport says what a sweep changed.
type SweepReport struct {
	Dormant       int // ACTIVE accounts made DORMANT
	FreezesLifted int // expired freezes lifted
}

// SweepDormancy makes DORMANT every ACTIVE account without customer
// activity for the dormancy period, and lifts expired freezes, recording
// each change in the account's history and the audit trail. Several
// replicas may sweep at once: on PostgreSQL each skips the accounts another
// holds, and an account touched by the customer meanwhile is left ACTIVE.
func (s *Service) SweepDormancy(ctx context.Context) (SweepReport, error) {
	var rep SweepReport
	for {
		n, err := s.sweepBatch(ctx, s.dormancyBatch)
		rep.Dormant += n.changed
		if err != nil {
			return rep, fmt.Errorf("dormancy sweep: %w", err)
		}
		if n.seen < sweepBatch {
			break
		}
	}
	for {
		n, err := s.sweepBatch(ctx, s.freezeBatch)
		rep.FreezesLifted += n.changed
		if err != nil {
			return rep, fmt.Errorf("freeze expiry sweep: %w", err)
		}
		if n.seen < sweepBatch {
			break
		}
	}
	return rep, nil
}

type batchCount struct{ seen, changed int }

func (s *Service) sweepBatch(ctx context.Context, batch func(context.Context, SweepTx, time.Time) (batchCount, error)) (batchCount, error) {
	var n batchCount
	err := services.Update(ctx, s.k.Store, func(tx SweepTx) error {
		var err error
		n, err = batch(ctx, tx, s.k.Clock.Now())
		return err
	})
	return n, err
}

// dormancyBatch makes one batch of inactive accounts DORMANT.
func (s *Service) dormancyBatch(ctx context.Context, tx SweepTx, now time.Time) (batchCount, error) {
	cutoff := now.Add(-s.settings.Dormancy)
	accounts, err := tx.DormancyCandidates(ctx, cutoff, sweepBatch)
	if err != nil {
		return batchCount{}, err
	}
	n := batchCount{seen: len(accounts)}
	days := int(s.settings.Dormancy / (24 * time.Hour))
	for _, a := range accounts {
		changed, err := tx.MarkDormant(ctx, a.ID, cutoff, now)
		if err != nil {
			return n, err
		}
		if !changed {
			continue
		}
		c := StatusChange{AccountID: a.ID, PartnerID: a.PartnerID, Event: EventStatusChange, FromStatus: StatusActive,
			ToStatus: StatusDormant, ReasonCode: "NO_ACTIVITY", KeyID: SystemKeyID, At: now,
			Reason: fmt.Sprintf("no customer activity for %d days (last on %s)", days, a.LastActivityAt.Format("2006-01-02"))}
		if err := tx.AppendStatusChange(ctx, c); err != nil {
			return n, err
		}
		if err := appendSystemAudit(ctx, tx, now, a, "system.DormancySweep"); err != nil {
			return n, err
		}
		n.changed++
	}
	return n, nil
}

// freezeBatch lifts one batch of expired freezes.
func (s *Service) freezeBatch(ctx context.Context, tx SweepTx, now time.Time) (batchCount, error) {
	accounts, err := tx.ExpiredFreezes(ctx, now, sweepBatch)
	if err != nil {
		return batchCount{}, err
	}
	n := batchCount{seen: len(accounts)}
	for _, a := range accounts {
		if a.Freeze == nil || a.Frozen(now) {
			continue
		}
		if err := s.liftExpired(ctx, tx, a); err != nil {
			return n, err
		}
		if err := appendSystemAudit(ctx, tx, now, a, "system.FreezeExpiry"); err != nil {
			return n, err
		}
		n.changed++
	}
	return n, nil
}

// appendSystemAudit records a change the server made by itself.
func appendSystemAudit(ctx context.Context, tx services.Tx, at time.Time, a Account, action string) error {
	e := services.AuditEntry{At: at, PartnerID: a.PartnerID, KeyID: SystemKeyID, Method: action,
		Entities: services.EntitiesJSON(map[string]string{"accountNumber": a.Number}), Outcome: services.AuditOK}
	return tx.AppendAudit(ctx, &e)
}
