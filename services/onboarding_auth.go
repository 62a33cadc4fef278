package services

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// OpOnboarding is the operation InitAuthen starts: confirming its code
// opens the package's customer, account and e-banking user.
const OpOnboarding = "ONBOARDING"

// MaxAuthSends is how often InitAuthen may send a package's code.
const MaxAuthSends = 3

// InitAuthen sends the applicant's phone a one-time code once the
// package's data, FATCA status and every picture have passed (the seed's
// Init Authen Open Package). Calling it again sends a new code and cancels
// the previous one, up to MaxAuthSends times. The code is confirmed with
// VerificationService.ConfirmOTP.
func (s *Service) InitAuthen(ctx context.Context, call Call, in OnboardingInput) (OperationStarted, error) {
	var ck checker
	ck.checkOnboardingID(in.OnboardingID)
	if err := ck.err(); err != nil {
		return OperationStarted{}, fmt.Errorf("init authen: %w", err)
	}
	res, err := idempotent(ctx, s, call, in, func(tx Tx) (OperationStarted, error) {
		o, err := s.liveOnboarding(ctx, tx, call, in.OnboardingID, OnbReadyForAuth, OnbAuthPending)
		if err != nil {
			return OperationStarted{}, err
		}
		if o.AuthSends >= MaxAuthSends {
			return OperationStarted{}, &Refusal{Err: ErrAuthSendLimit, OnboardingID: o.ID, State: o.State,
				Detail: fmt.Sprintf("the code was sent %d times; confirm the last one or start a new package", o.AuthSends)}
		}
		if err := s.cancelAuth(ctx, tx, o, OpCancelled, MsgCancelled); err != nil {
			return OperationStarted{}, err
		}
		op := Operation{Kind: OpOnboarding, Params: encodeParams(opParams{OnboardingID: o.ID}), ExpiresAt: o.ExpiresAt}
		started, err := s.startOperation(ctx, tx, call, op, "", []codeTarget{{purpose: PurposeOTP, channel: ChannelSMS, to: o.Phone}})
		if err != nil {
			return OperationStarted{}, err
		}
		o.State, o.AuthRequestID, o.AuthSends, o.UpdatedAt = OnbAuthPending, started.RequestID, o.AuthSends+1, s.clock.Now()
		if err := tx.UpdateOnboarding(ctx, o); err != nil {
			return OperationStarted{}, err
		}
		started.CustomerID, started.OnboardingID = "", o.ID
		return started, nil
	})
	if err != nil {
		return OperationStarted{}, fmt.Errorf("init authen: %w", err)
	}
	return res, nil
}

// cancelAuth ends the package's pending code, if any, with status (and its
// unsent messages with msgStatus).
func (s *Service) cancelAuth(ctx context.Context, tx Tx, o Onboarding, status, msgStatus string) error {
	if o.AuthRequestID == "" {
		return nil
	}
	op, err := tx.LockOperation(ctx, o.PartnerID, o.AuthRequestID)
	if err != nil || op.Status != OpPending {
		return err
	}
	op.Status, op.UpdatedAt = status, s.clock.Now()
	if err := tx.UpdateOperation(ctx, op); err != nil {
		return err
	}
	return tx.CloseOutbox(ctx, op.RequestID, msgStatus, op.UpdatedAt)
}

// completeOnboarding opens what a package asked for, in the confirming
// transaction: the customer, its e-banking user and a current account. The
// blacklist and the uniqueness of the document, phone, e-mail and username
// are checked again, as they may have changed since InitCustomerInfo.
func (s *Service) completeOnboarding(ctx context.Context, tx Tx, call Call, op Operation, p opParams) (OperationConfirmed, error) {
	o, err := tx.LockOnboarding(ctx, call.PartnerID, p.OnboardingID)
	if err != nil {
		return OperationConfirmed{}, err
	}
	now := s.clock.Now()
	switch {
	case !now.Before(o.ExpiresAt):
		return OperationConfirmed{}, &Refusal{Err: ErrOnboardingExpired, OnboardingID: o.ID, State: OnbExpired}
	case o.State != OnbAuthPending || o.AuthRequestID != op.RequestID:
		return OperationConfirmed{}, stateRefusal(call, o, []string{OnbAuthPending})
	}
	plain, err := s.vault.open(o.Applicant, applicantAD(o.ID))
	if err != nil {
		return OperationConfirmed{}, err
	}
	var app applicant
	if err := json.Unmarshal(plain, &app); err != nil {
		return OperationConfirmed{}, fmt.Errorf("onboarding %s applicant: %w", o.ID, err)
	}
	c, err := s.newCustomer(app.Customer)
	if err != nil {
		return OperationConfirmed{}, err
	}
	c.PartnerID, c.PhoneVerified = call.PartnerID, true
	if err := checkBlacklist(ctx, tx, call.PartnerID, customerKeys(c.Identifications, c.Phone)); err != nil {
		return OperationConfirmed{}, err
	}
	if err := s.insertCustomer(ctx, tx, &c); err != nil {
		return OperationConfirmed{}, err
	}
	u := EbankUser{PartnerID: call.PartnerID, CustomerID: c.ID, Username: o.Username, Mobile: c.Phone, Status: UserActive,
		Channel: app.Channel, CreatedAt: now, UpdatedAt: now}
	if err := s.insertUser(ctx, tx, &u); err != nil {
		return OperationConfirmed{}, err
	}
	a := Account{PartnerID: call.PartnerID, CustomerID: c.ID, Name: strings.ToUpper(c.FirstName + " " + c.LastName),
		Type: AccountChecking, Currency: app.Currency, Status: StatusActive, CreatedAt: now, UpdatedAt: now, LastActivityAt: now}
	if err := s.insertAccount(ctx, tx, &a); err != nil {
		return OperationConfirmed{}, err
	}
	o.State, o.CustomerID, o.AccountID, o.UpdatedAt = OnbCompleted, c.ID, a.ID, now
	if err := tx.UpdateOnboarding(ctx, o); err != nil {
		return OperationConfirmed{}, err
	}
	return OperationConfirmed{CustomerID: formatID(c.ID), AccountID: a.Number, AccountStatus: a.Status, OnboardingID: o.ID,
		Username: u.Username}, nil
}

// onboardingCodeFailed rejects the package whose code failed after too
// many wrong attempts.
func (s *Service) onboardingCodeFailed(ctx context.Context, tx Tx, op Operation, at time.Time) error {
	o, err := s.onboardingOf(ctx, tx, op)
	if err != nil || o.State != OnbAuthPending || o.AuthRequestID != op.RequestID {
		return err
	}
	o.State, o.RejectReason, o.UpdatedAt = OnbRejected, "too many wrong one-time codes", at
	return tx.UpdateOnboarding(ctx, o)
}

// onboardingCodeExpired is called when a package's code is found expired.
// When the package's own time is up too, it is marked EXPIRED and the
// refusal says so; otherwise the refusal is ErrOperationExpired and
// InitAuthen may send a new code.
func (s *Service) onboardingCodeExpired(ctx context.Context, tx Tx, op Operation, now time.Time) (refusal, err error) {
	o, err := s.onboardingOf(ctx, tx, op)
	if err != nil {
		return nil, err
	}
	if onboardingFinal(o.State) || now.Before(o.ExpiresAt) {
		return ErrOperationExpired, nil
	}
	o.State, o.UpdatedAt = OnbExpired, now
	if err := tx.UpdateOnboarding(ctx, o); err != nil {
		return nil, err
	}
	return &Refusal{Err: ErrOnboardingExpired, OnboardingID: o.ID, State: OnbExpired,
		Detail: "the onboarding package expired; start a new one with InitCustomerInfo"}, nil
}

func (s *Service) onboardingOf(ctx context.Context, tx Tx, op Operation) (Onboarding, error) {
	var p opParams
	if err := json.Unmarshal([]byte(op.Params), &p); err != nil {
		return Onboarding{}, fmt.Errorf("operation %s params: %w", op.Kind, err)
	}
	return tx.LockOnboarding(ctx, op.PartnerID, p.OnboardingID)
}
