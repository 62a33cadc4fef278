package account

import (
	"context"
	"fmt"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/otp"
)

// ActivateAccountInput is AccountService.ActivateAccount's payload: the
// number of a DORMANT account (accountId, as the Kenyan seed names it).
type ActivateAccountInput struct {
	AccountID     string `json:"accountId" size:"id"`
	AccountNumber string `json:"accountNumber" size:"id"`
}

// ActivateAccount starts the reactivation of a DORMANT account: a code goes
// to the customer's verified mobile number (or verified e-mail), and
// VerificationService.ConfirmOTP with it makes the account ACTIVE.
func (s *Service) ActivateAccount(ctx context.Context, call services.Call, in ActivateAccountInput) (otp.OperationStarted, error) {
	var ck checker
	number := ck.accountRef(in.AccountNumber, in.AccountID)
	if err := ck.Err(); err != nil {
		return otp.OperationStarted{}, fmt.Errorf("activate account: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (otp.OperationStarted, error) {
		a, err := tx.LockAccount(ctx, call.PartnerID, AccountLookup{Number: number})
		if err != nil {
			return otp.OperationStarted{}, err
		}
		if err := s.CheckActivatable(a, s.k.Clock.Now()); err != nil {
			return otp.OperationStarted{}, err
		}
		c, err := tx.LockCustomer(ctx, call.PartnerID, a.CustomerID)
		if err != nil {
			return otp.OperationStarted{}, err
		}
		target, err := customer.VerifiedTarget(c)
		if err != nil {
			return otp.OperationStarted{}, err
		}
		op := otp.Operation{Kind: OpActivateAccount, CustomerID: c.ID, AccountID: a.ID, Params: "{}"}
		return s.otp.StartOperation(ctx, tx, call, op, a.Number, []otp.CodeTarget{target})
	})
	if err != nil {
		return otp.OperationStarted{}, fmt.Errorf("activate account: %w", err)
	}
	s.otp.WakeDispatcher()
	return res, nil
}

// CheckActivatable refuses to reactivate an account that is not DORMANT or
// that is frozen.
func (s *Service) CheckActivatable(a Account, now time.Time) error {
	switch {
	case a.Status != StatusDormant:
		return &services.Refusal{Err: ErrAccountNotDormant, Detail: "the account is " + a.Status}
	case a.Frozen(now):
		return ErrAccountFrozen
	}
	return nil
}

// OpActivateAccount is the OTP operation that makes a DORMANT account ACTIVE.
const OpActivateAccount = "ACTIVATE_ACCOUNT"

// activation is what confirming an OpActivateAccount operation does.
func (s *Service) activation() otp.Effect {
	return otp.Effect{Purpose: "reactivate your account", Apply: s.reactivate}
}

// reactivate makes the operation's DORMANT account ACTIVE.
func (s *Service) reactivate(ctx context.Context, t services.Tx, call services.Call, op otp.Operation) (otp.OperationConfirmed, error) {
	tx := services.As[Tx](t)
	a, err := tx.LockAccount(ctx, call.PartnerID, AccountLookup{ID: op.AccountID})
	if err != nil {
		return otp.OperationConfirmed{}, err
	}
	now := s.k.Clock.Now()
	if err := s.CheckActivatable(a, now); err != nil {
		return otp.OperationConfirmed{}, err
	}
	a.Status, a.UpdatedAt = StatusActive, now
	change := StatusChange{Event: EventStatusChange, FromStatus: StatusDormant, Reason: "reactivated by the customer's one-time code (requestId " + op.RequestID + ")"}
	if err := s.saveWithHistory(ctx, tx, a, call.KeyID, change); err != nil {
		return otp.OperationConfirmed{}, err
	}
	if err := tx.TouchAccount(ctx, a.ID, now); err != nil {
		return otp.OperationConfirmed{}, err
	}
	return otp.OperationConfirmed{AccountID: a.Number, AccountStatus: StatusActive}, nil
}
