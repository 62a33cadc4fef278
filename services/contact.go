package services

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
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
func (s *Service) ActivateAccount(ctx context.Context, call Call, in ActivateAccountInput) (OperationStarted, error) {
	var ck checker
	number := ck.accountRef(in.AccountNumber, in.AccountID)
	if err := ck.err(); err != nil {
		return OperationStarted{}, fmt.Errorf("activate account: %w", err)
	}
	res, err := idempotent(ctx, s, call, in, func(tx Tx) (OperationStarted, error) {
		a, err := tx.LockAccount(ctx, call.PartnerID, AccountLookup{Number: number})
		if err != nil {
			return OperationStarted{}, err
		}
		if err := s.checkActivatable(a, s.clock.Now()); err != nil {
			return OperationStarted{}, err
		}
		c, err := tx.LockCustomer(ctx, call.PartnerID, a.CustomerID)
		if err != nil {
			return OperationStarted{}, err
		}
		target, err := verifiedTarget(c)
		if err != nil {
			return OperationStarted{}, err
		}
		op := Operation{Kind: OpActivateAccount, CustomerID: c.ID, AccountID: a.ID, Params: "{}"}
		return s.startOperation(ctx, tx, call, op, a.Number, []codeTarget{target})
	})
	if err != nil {
		return OperationStarted{}, fmt.Errorf("activate account: %w", err)
	}
	s.wakeDispatcher()
	return res, nil
}

// checkActivatable refuses to reactivate an account that is not DORMANT or
// that is frozen.
func (s *Service) checkActivatable(a Account, now time.Time) error {
	switch {
	case a.Status != StatusDormant:
		return &Refusal{Err: ErrAccountNotDormant, Detail: "the account is " + a.Status}
	case a.Frozen(now):
		return ErrAccountFrozen
	}
	return nil
}

// verifiedTarget is where a customer's codes go: the verified mobile
// number, else the verified e-mail.
func verifiedTarget(c Customer) (codeTarget, error) {
	switch {
	case c.Phone != "" && c.PhoneVerified:
		return codeTarget{purpose: PurposeOTP, channel: ChannelSMS, to: c.Phone}, nil
	case c.Email != "" && c.EmailVerified:
		return codeTarget{purpose: PurposeOTP, channel: ChannelEmail, to: c.Email}, nil
	}
	return codeTarget{}, &Refusal{Err: ErrNoVerifiedContact, Detail: "verify the mobile number or e-mail first with VerificationService.VerifyEmailOrMobile"}
}

// PersonalIDType is the Kenyan seed's personalIdType, sent as a string by
// some endpoints and as a number by others: both are accepted.
type PersonalIDType string

// UnmarshalJSON accepts "101" and 101.
func (t *PersonalIDType) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = PersonalIDType(s)
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("personalIdType: want 101, 102 or 103: %w", err)
	}
	*t = PersonalIDType(strconv.Itoa(n))
	return nil
}

// personalIDTypes maps the Kenyan seed's personalIdType to document types.
var personalIDTypes = map[string]string{"101": IDNationalID, "102": IDAlienID, "103": IDPassport}

// documentLookup reads the Kenyan seed's customer reference: onboardType
// personal with personalIdType and documentNumber, or business with the
// business registration number. wantType is the customer type it names.
func (ck *checker) documentLookup(onboardType string, idType PersonalIDType, number string) (by CustomerLookup, wantType string) {
	switch strings.ToLower(strings.TrimSpace(onboardType)) {
	case "personal":
		wantType = CustomerIndividual
		if ck.required("personalIdType", string(idType)) {
			if by.IDType = personalIDTypes[strings.TrimSpace(string(idType))]; by.IDType == "" {
				ck.add("personalIdType", ReasonInvalidValue, "must be 101 (national ID), 102 (alien ID) or 103 (passport)")
			}
		}
	case "business":
		wantType, by.IDType = CustomerBusiness, IDBusinessRegistration
	case "":
		ck.add("onboardType", ReasonRequired, "is required; personal or business")
	default:
		ck.add("onboardType", ReasonInvalidValue, "must be personal or business")
	}
	if ck.required("documentNumber", number) && by.IDType != "" {
		by.IDValue = normalizeIDValue(by.IDType, number)
		if problem := idValueProblem(by.IDType, by.IDValue); problem != "" {
			ck.add("documentNumber", ReasonInvalidFormat, problem)
		}
	}
	return by, wantType
}

// customerByDocument finds and locks the partner's customer of the given
// type holding the document.
func (s *Service) customerByDocument(ctx context.Context, tx Tx, call Call, by CustomerLookup, wantType string) (Customer, error) {
	found, err := tx.FindCustomer(ctx, call.PartnerID, by)
	if err != nil {
		return Customer{}, err
	}
	if found.Type != wantType {
		return Customer{}, fmt.Errorf("document belongs to a %s customer: %w", found.Type, ErrCustomerNotFound)
	}
	c, err := tx.LockCustomer(ctx, call.PartnerID, found.ID)
	if err != nil {
		return Customer{}, err
	}
	if c.Status != CustomerActive {
		return Customer{}, fmt.Errorf("customer is %s: %w", c.Status, ErrCustomerNotActive)
	}
	return c, nil
}

// AddOrUpdateEmailInput is CustomerService.AddOrUpdateEmail's payload.
type AddOrUpdateEmailInput struct {
	OnboardType    string         `json:"onboardType" size:"code"`
	PersonalIDType PersonalIDType `json:"personalIdType" size:"code"`
	DocumentNumber string         `json:"documentNumber" size:"document"`
	Email          string         `json:"email" size:"email"`
}

// AddOrUpdateEmail starts setting a customer's e-mail: a code goes to the
// new address, and the address takes effect, verified, when the code is
// confirmed with VerificationService.ConfirmOTP.
func (s *Service) AddOrUpdateEmail(ctx context.Context, call Call, in AddOrUpdateEmailInput) (OperationStarted, error) {
	var ck checker
	by, wantType := ck.documentLookup(in.OnboardType, in.PersonalIDType, in.DocumentNumber)
	ck.required("email", in.Email)
	email := ck.checkEmail("email", in.Email)
	if err := ck.err(); err != nil {
		return OperationStarted{}, fmt.Errorf("add or update email: %w", err)
	}
	res, err := idempotent(ctx, s, call, in, func(tx Tx) (OperationStarted, error) {
		c, err := s.customerByDocument(ctx, tx, call, by, wantType)
		if err != nil {
			return OperationStarted{}, err
		}
		if c.Email != "" && EmailKey(c.Email) == EmailKey(email) && c.EmailVerified {
			return OperationStarted{}, &Refusal{Err: ErrContactAlreadyVerified, Detail: "this is already the customer's verified e-mail"}
		}
		switch other, err := tx.FindCustomer(ctx, call.PartnerID, CustomerLookup{EmailKey: EmailKey(email)}); {
		case err == nil && other.ID != c.ID:
			return OperationStarted{}, ErrEmailExists
		case err != nil && !errors.Is(err, ErrCustomerNotFound):
			return OperationStarted{}, err
		}
		op := Operation{Kind: OpAddEmail, CustomerID: c.ID, Params: encodeParams(opParams{Email: email})}
		return s.startOperation(ctx, tx, call, op, "", []codeTarget{{purpose: PurposeOTP, channel: ChannelEmail, to: email}})
	})
	if err != nil {
		return OperationStarted{}, fmt.Errorf("add or update email: %w", err)
	}
	s.wakeDispatcher()
	return res, nil
}

// VerifyEmailOrMobileInput is VerificationService.VerifyEmailOrMobile's
// payload; VerifyEmailAddress takes the same without verifyType.
type VerifyEmailOrMobileInput struct {
	OnboardType    string         `json:"onboardType" size:"code"`
	PersonalIDType PersonalIDType `json:"personalIdType" size:"code"`
	DocumentNumber string         `json:"documentNumber" size:"document"`
	VerifyType     string         `json:"verifyType" size:"code"`
}

// VerifyEmailAddressInput is VerificationService.VerifyEmailAddress's payload.
type VerifyEmailAddressInput struct {
	OnboardType    string         `json:"onboardType" size:"code"`
	PersonalIDType PersonalIDType `json:"personalIdType" size:"code"`
	DocumentNumber string         `json:"documentNumber" size:"document"`
}

// VerifyEmailAddress sends a code to the customer's e-mail; confirming it
// marks the e-mail verified.
func (s *Service) VerifyEmailAddress(ctx context.Context, call Call, in VerifyEmailAddressInput) (OperationStarted, error) {
	return s.verifyContact(ctx, call, in, "verify email address", VerifyEmailOrMobileInput{
		OnboardType: in.OnboardType, PersonalIDType: in.PersonalIDType, DocumentNumber: in.DocumentNumber, VerifyType: "email"})
}

// VerifyEmailOrMobile sends a code to the customer's e-mail or mobile
// number; confirming it marks that contact verified.
func (s *Service) VerifyEmailOrMobile(ctx context.Context, call Call, in VerifyEmailOrMobileInput) (OperationStarted, error) {
	return s.verifyContact(ctx, call, in, "verify email or mobile", in)
}

func (s *Service) verifyContact(ctx context.Context, call Call, input any, name string, in VerifyEmailOrMobileInput) (OperationStarted, error) {
	var ck checker
	by, wantType := ck.documentLookup(in.OnboardType, in.PersonalIDType, in.DocumentNumber)
	kind := ck.checkEnum("verifyType", strings.ToLower(strings.TrimSpace(in.VerifyType)), true, "mobile", "email")
	if err := ck.err(); err != nil {
		return OperationStarted{}, fmt.Errorf("%s: %w", name, err)
	}
	res, err := idempotent(ctx, s, call, input, func(tx Tx) (OperationStarted, error) {
		c, err := s.customerByDocument(ctx, tx, call, by, wantType)
		if err != nil {
			return OperationStarted{}, err
		}
		op := Operation{Kind: OpVerifyEmail, CustomerID: c.ID}
		target := codeTarget{purpose: PurposeOTP, channel: ChannelEmail, to: c.Email}
		verified := c.EmailVerified
		if kind == "mobile" {
			op.Kind, target.channel, target.to, verified = OpVerifyMobile, ChannelSMS, c.Phone, c.PhoneVerified
		}
		switch {
		case target.to == "":
			return OperationStarted{}, &Refusal{Err: ErrContactMissing, Detail: "the customer has no " + kind + " on record"}
		case verified:
			return OperationStarted{}, ErrContactAlreadyVerified
		}
		op.Params = encodeParams(opParams{Email: c.Email, Phone: c.Phone})
		return s.startOperation(ctx, tx, call, op, "", []codeTarget{target})
	})
	if err != nil {
		return OperationStarted{}, fmt.Errorf("%s: %w", name, err)
	}
	s.wakeDispatcher()
	return res, nil
}
