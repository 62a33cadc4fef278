package contact

import (
	"context"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/otp"
)

// The OTP operations this package starts.
const (
	OpAddEmail     = "ADD_OR_UPDATE_EMAIL"
	OpVerifyEmail  = "VERIFY_EMAIL"
	OpVerifyMobile = "VERIFY_MOBILE"
	OpChangeMobile = "CHANGE_MOBILE" // two codes: old number and new number
)

// opParams are the values a contact operation sets when confirmed.
type opParams struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// OldPhone is the number a mobile change's PROVE_ID code went to; the
	// change applies only while it is still the customer's.
	OldPhone string `json:"oldPhone,omitempty"`
}

// register tells o what confirming each contact operation does.
func (s *Service) register(o *otp.Service) {
	o.Register(OpAddEmail, otp.Effect{Purpose: "confirm your new e-mail address", Apply: s.effect(s.setEmail)})
	o.Register(OpChangeMobile, otp.Effect{Purpose: "confirm your new mobile number", Apply: s.effect(s.changeMobile)})
	o.Register(OpVerifyEmail, otp.Effect{Purpose: "verify your e-mail address", Apply: s.effect(s.markVerified)})
	o.Register(OpVerifyMobile, otp.Effect{Purpose: "verify your mobile number", Apply: s.effect(s.markVerified)})
}

// change applies a confirmed contact operation with its parameters at now,
// and says which contact is now verified ("email" or "mobile").
type change func(ctx context.Context, tx Tx, call services.Call, op otp.Operation, p opParams, now time.Time) (verified string, err error)

// effect is an OTP effect that reads the operation's parameters, applies
// apply and marks the customer's accounts as active.
func (s *Service) effect(apply change) func(context.Context, services.Tx, services.Call, otp.Operation) (otp.OperationConfirmed, error) {
	return func(ctx context.Context, t services.Tx, call services.Call, op otp.Operation) (otp.OperationConfirmed, error) {
		tx := services.As[Tx](t)
		var p opParams
		if err := otp.DecodeParams(op, &p); err != nil {
			return otp.OperationConfirmed{}, err
		}
		now := s.k.Clock.Now()
		verified, err := apply(ctx, tx, call, op, p, now)
		if err != nil {
			return otp.OperationConfirmed{}, err
		}
		return otp.OperationConfirmed{Verified: verified}, tx.TouchCustomerAccounts(ctx, op.CustomerID, now)
	}
}

// setEmail makes the confirmed address the customer's verified e-mail.
func (s *Service) setEmail(ctx context.Context, tx Tx, _ services.Call, op otp.Operation, p opParams, now time.Time) (string, error) {
	return "email", tx.SetCustomerEmail(ctx, op.CustomerID, p.Email, true, now)
}

// changeMobile makes the new number the customer's verified mobile, if the
// old one is still the customer's and the new one is not blacklisted.
func (s *Service) changeMobile(ctx context.Context, tx Tx, call services.Call, op otp.Operation, p opParams, now time.Time) (string, error) {
	c, err := tx.LockCustomer(ctx, call.PartnerID, op.CustomerID)
	if err != nil {
		return "", err
	}
	if c.Phone != p.OldPhone {
		return "", &services.Refusal{Err: ErrContactMissing, Detail: "the mobile number changed after the codes were sent; start a new change"}
	}
	if err := customer.RefuseBlacklisted(ctx, tx, call.PartnerID, customer.CustomerKeys(nil, p.Phone)); err != nil {
		return "", err
	}
	return "mobile", tx.SetCustomerPhone(ctx, op.CustomerID, p.Phone, true, now)
}

// markVerified marks the contact the code went to as verified, if it is
// still the customer's.
func (s *Service) markVerified(ctx context.Context, tx Tx, call services.Call, op otp.Operation, p opParams, now time.Time) (string, error) {
	c, err := tx.LockCustomer(ctx, call.PartnerID, op.CustomerID)
	if err != nil {
		return "", err
	}
	kind, current, sent := "email", services.EmailKey(c.Email), services.EmailKey(p.Email)
	if op.Kind == OpVerifyMobile {
		kind, current, sent = "mobile", c.Phone, p.Phone
	}
	if current != sent {
		return "", &services.Refusal{Err: ErrContactMissing, Detail: "the " + kind + " changed after the code was sent; verify the new one"}
	}
	return kind, tx.SetContactVerified(ctx, op.CustomerID, kind, now)
}
