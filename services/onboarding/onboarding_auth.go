package onboarding

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/otp"
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
func (s *Service) InitAuthen(ctx context.Context, call services.Call, in OnboardingInput) (otp.OperationStarted, error) {
	var ck checker
	ck.checkOnboardingID(in.OnboardingID)
	if err := ck.Err(); err != nil {
		return otp.OperationStarted{}, fmt.Errorf("init authen: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (otp.OperationStarted, error) {
		o, err := s.liveOnboarding(ctx, tx, call, in.OnboardingID, OnbReadyForAuth, OnbAuthPending)
		if err != nil {
			return otp.OperationStarted{}, err
		}
		if o.AuthSends >= MaxAuthSends {
			return otp.OperationStarted{}, &services.Refusal{Err: ErrAuthSendLimit, OnboardingID: o.ID, State: o.State,
				Detail: fmt.Sprintf("the code was sent %d times; confirm the last one or start a new package", o.AuthSends)}
		}
		if err := s.cancelAuth(ctx, tx, o, otp.OpCancelled, otp.MsgCancelled); err != nil {
			return otp.OperationStarted{}, err
		}
		op := otp.Operation{Kind: OpOnboarding, Params: otp.EncodeParams(opParams{OnboardingID: o.ID}), ExpiresAt: o.ExpiresAt}
		started, err := s.otp.StartOperation(ctx, tx, call, op, "", []otp.CodeTarget{{Purpose: otp.PurposeOTP, Channel: otp.ChannelSMS, To: o.Phone}})
		if err != nil {
			return otp.OperationStarted{}, err
		}
		o.State, o.AuthRequestID, o.AuthSends, o.UpdatedAt = OnbAuthPending, started.RequestID, o.AuthSends+1, s.k.Clock.Now()
		if err := tx.UpdateOnboarding(ctx, o); err != nil {
			return otp.OperationStarted{}, err
		}
		started.CustomerID, started.OnboardingID = "", o.ID
		return started, nil
	})
	if err != nil {
		return otp.OperationStarted{}, fmt.Errorf("init authen: %w", err)
	}
	return res, nil
}

// cancelAuth ends the package's pending code, if any, with status (and its
// unsent messages with msgStatus).
func (s *Service) cancelAuth(ctx context.Context, tx Tx, o Onboarding, status, msgStatus string) error {
	if o.AuthRequestID == "" {
		return nil
	}
	return s.otp.End(ctx, tx, o.PartnerID, o.AuthRequestID, status, msgStatus)
}

// completeOnboarding opens what a package asked for, in the confirming
// transaction: the customer, its e-banking user and a current account. The
// blacklist and the uniqueness of the document, phone, e-mail and username
// are checked again, as they may have changed since InitCustomerInfo.
func (s *Service) completeOnboarding(ctx context.Context, t services.Tx, call services.Call, op otp.Operation) (otp.OperationConfirmed, error) {
	tx := services.As[Tx](t)
	var p opParams
	if err := otp.DecodeParams(op, &p); err != nil {
		return otp.OperationConfirmed{}, err
	}
	o, err := tx.LockOnboarding(ctx, call.PartnerID, p.OnboardingID)
	if err != nil {
		return otp.OperationConfirmed{}, err
	}
	now := s.k.Clock.Now()
	switch {
	case !now.Before(o.ExpiresAt):
		return otp.OperationConfirmed{}, &services.Refusal{Err: ErrOnboardingExpired, OnboardingID: o.ID, State: OnbExpired}
	case o.State != OnbAuthPending || o.AuthRequestID != op.RequestID:
		return otp.OperationConfirmed{}, stateRefusal(call, o, []string{OnbAuthPending})
	}
	plain, err := s.vault.Open(o.Applicant, services.ApplicantAD(o.ID))
	if err != nil {
		return otp.OperationConfirmed{}, err
	}
	var app applicant
	if err := json.Unmarshal(plain, &app); err != nil {
		return otp.OperationConfirmed{}, fmt.Errorf("onboarding %s applicant: %w", o.ID, err)
	}
	c, err := s.customers.NewCustomer(app.Customer)
	if err != nil {
		return otp.OperationConfirmed{}, err
	}
	c.PartnerID, c.PhoneVerified = call.PartnerID, true
	if err := customer.RefuseBlacklisted(ctx, tx, call.PartnerID, customer.CustomerKeys(c.Identifications, c.Phone)); err != nil {
		return otp.OperationConfirmed{}, err
	}
	if err := s.customers.InsertCustomer(ctx, tx, &c); err != nil {
		return otp.OperationConfirmed{}, err
	}
	u := ebank.EbankUser{PartnerID: call.PartnerID, CustomerID: c.ID, Username: o.Username, Mobile: c.Phone, Status: ebank.UserActive,
		Channel: app.Channel, CreatedAt: now, UpdatedAt: now}
	if err := s.ebank.InsertUser(ctx, tx, &u); err != nil {
		return otp.OperationConfirmed{}, err
	}
	a := account.Account{PartnerID: call.PartnerID, CustomerID: c.ID, Name: strings.ToUpper(c.FirstName + " " + c.LastName),
		Type: account.AccountChecking, Currency: app.Currency, Status: account.StatusActive, CreatedAt: now, UpdatedAt: now, LastActivityAt: now}
	if err := s.accounts.InsertAccount(ctx, tx, &a); err != nil {
		return otp.OperationConfirmed{}, err
	}
	o.State, o.CustomerID, o.AccountID, o.UpdatedAt = OnbCompleted, c.ID, a.ID, now
	if err := tx.UpdateOnboarding(ctx, o); err != nil {
		return otp.OperationConfirmed{}, err
	}
	return otp.OperationConfirmed{CustomerID: services.FormatID(c.ID), AccountID: a.Number, AccountStatus: a.Status, OnboardingID: o.ID,
		Username: u.Username}, nil
}

// onboardingCodeFailed rejects the package whose code failed after too
// many wrong attempts.
func (s *Service) onboardingCodeFailed(ctx context.Context, t services.Tx, op otp.Operation, at time.Time) error {
	tx := services.As[Tx](t)
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
func (s *Service) onboardingCodeExpired(ctx context.Context, t services.Tx, op otp.Operation, now time.Time) (refusal, err error) {
	tx := services.As[Tx](t)
	o, err := s.onboardingOf(ctx, tx, op)
	if err != nil {
		return nil, err
	}
	if onboardingFinal(o.State) || now.Before(o.ExpiresAt) {
		return otp.ErrOperationExpired, nil
	}
	o.State, o.UpdatedAt = OnbExpired, now
	if err := tx.UpdateOnboarding(ctx, o); err != nil {
		return nil, err
	}
	return &services.Refusal{Err: ErrOnboardingExpired, OnboardingID: o.ID, State: OnbExpired,
		Detail: "the onboarding package expired; start a new one with InitCustomerInfo"}, nil
}

func (s *Service) onboardingOf(ctx context.Context, tx Tx, op otp.Operation) (Onboarding, error) {
	var p opParams
	if err := otp.DecodeParams(op, &p); err != nil {
		return Onboarding{}, err
	}
	return tx.LockOnboarding(ctx, op.PartnerID, p.OnboardingID)
}

// opParams are what an onboarding operation completes.
type opParams struct {
	// OnboardingID is the package the operation completes.
	OnboardingID string `json:"onboardingId,omitempty"`
}

// authentication is what confirming, failing or expiring an OpOnboarding
// operation does.
func (s *Service) authentication() otp.Effect {
	return otp.Effect{Purpose: "open your account", Apply: s.completeOnboarding,
		Failed: s.onboardingCodeFailed, Expired: s.onboardingCodeExpired}
}
