package contact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/otp"
)

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
var personalIDTypes = map[string]string{"101": customer.IDNationalID, "102": customer.IDAlienID, "103": customer.IDPassport}

// documentLookup reads the Kenyan seed's customer reference: onboardType
// personal with personalIdType and documentNumber, or business with the
// business registration number. wantType is the customer type it names.
func (ck *checker) documentLookup(onboardType string, idType PersonalIDType, number string) (by customer.CustomerLookup, wantType string) {
	switch strings.ToLower(strings.TrimSpace(onboardType)) {
	case "personal":
		wantType = customer.CustomerIndividual
		if ck.Required("personalIdType", string(idType)) {
			if by.IDType = personalIDTypes[strings.TrimSpace(string(idType))]; by.IDType == "" {
				ck.Add("personalIdType", services.ReasonInvalidValue, "must be 101 (national ID), 102 (alien ID) or 103 (passport)")
			}
		}
	case "business":
		wantType, by.IDType = customer.CustomerBusiness, customer.IDBusinessRegistration
	case "":
		ck.Add("onboardType", services.ReasonRequired, "is required; personal or business")
	default:
		ck.Add("onboardType", services.ReasonInvalidValue, "must be personal or business")
	}
	if ck.Required("documentNumber", number) && by.IDType != "" {
		by.IDValue = customer.NormalizeIDValue(by.IDType, number)
		if problem := customer.IdValueProblem(by.IDType, by.IDValue); problem != "" {
			ck.Add("documentNumber", services.ReasonInvalidFormat, problem)
		}
	}
	return by, wantType
}

// customerByDocument finds and locks the partner's customer of the given
// type holding the document.
func (s *Service) customerByDocument(ctx context.Context, tx Tx, call services.Call, by customer.CustomerLookup, wantType string) (customer.Customer, error) {
	found, err := tx.FindCustomer(ctx, call.PartnerID, by)
	if err != nil {
		return customer.Customer{}, err
	}
	if found.Type != wantType {
		return customer.Customer{}, fmt.Errorf("document belongs to a %s customer: %w", found.Type, customer.ErrCustomerNotFound)
	}
	c, err := tx.LockCustomer(ctx, call.PartnerID, found.ID)
	if err != nil {
		return customer.Customer{}, err
	}
	if c.Status != customer.CustomerActive {
		return customer.Customer{}, fmt.Errorf("customer is %s: %w", c.Status, customer.ErrCustomerNotActive)
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
func (s *Service) AddOrUpdateEmail(ctx context.Context, call services.Call, in AddOrUpdateEmailInput) (otp.OperationStarted, error) {
	var ck checker
	by, wantType := ck.documentLookup(in.OnboardType, in.PersonalIDType, in.DocumentNumber)
	ck.Required("email", in.Email)
	email := ck.CheckEmail("email", in.Email)
	if err := ck.Err(); err != nil {
		return otp.OperationStarted{}, fmt.Errorf("add or update email: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (otp.OperationStarted, error) {
		c, err := s.customerByDocument(ctx, tx, call, by, wantType)
		if err != nil {
			return otp.OperationStarted{}, err
		}
		if c.Email != "" && services.EmailKey(c.Email) == services.EmailKey(email) && c.EmailVerified {
			return otp.OperationStarted{}, &services.Refusal{Err: ErrContactAlreadyVerified, Detail: "this is already the customer's verified e-mail"}
		}
		switch other, err := tx.FindCustomer(ctx, call.PartnerID, customer.CustomerLookup{EmailKey: services.EmailKey(email)}); {
		case err == nil && other.ID != c.ID:
			return otp.OperationStarted{}, customer.ErrEmailExists
		case err != nil && !errors.Is(err, customer.ErrCustomerNotFound):
			return otp.OperationStarted{}, err
		}
		op := otp.Operation{Kind: OpAddEmail, CustomerID: c.ID, Params: otp.EncodeParams(opParams{Email: email})}
		return s.otp.StartOperation(ctx, tx, call, op, "", []otp.CodeTarget{{Purpose: otp.PurposeOTP, Channel: otp.ChannelEmail, To: email}})
	})
	if err != nil {
		return otp.OperationStarted{}, fmt.Errorf("add or update email: %w", err)
	}
	s.otp.WakeDispatcher()
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
func (s *Service) VerifyEmailAddress(ctx context.Context, call services.Call, in VerifyEmailAddressInput) (otp.OperationStarted, error) {
	return s.verifyContact(ctx, call, in, "verify email address", VerifyEmailOrMobileInput{
		OnboardType: in.OnboardType, PersonalIDType: in.PersonalIDType, DocumentNumber: in.DocumentNumber, VerifyType: "email"})
}

// VerifyEmailOrMobile sends a code to the customer's e-mail or mobile
// number; confirming it marks that contact verified.
func (s *Service) VerifyEmailOrMobile(ctx context.Context, call services.Call, in VerifyEmailOrMobileInput) (otp.OperationStarted, error) {
	return s.verifyContact(ctx, call, in, "verify email or mobile", in)
}

func (s *Service) verifyContact(ctx context.Context, call services.Call, input any, name string, in VerifyEmailOrMobileInput) (otp.OperationStarted, error) {
	var ck checker
	by, wantType := ck.documentLookup(in.OnboardType, in.PersonalIDType, in.DocumentNumber)
	kind := ck.CheckEnum("verifyType", strings.ToLower(strings.TrimSpace(in.VerifyType)), true, "mobile", "email")
	if err := ck.Err(); err != nil {
		return otp.OperationStarted{}, fmt.Errorf("%s: %w", name, err)
	}
	res, err := services.Idempotent(ctx, s.k, call, input, func(tx Tx) (otp.OperationStarted, error) {
		c, err := s.customerByDocument(ctx, tx, call, by, wantType)
		if err != nil {
			return otp.OperationStarted{}, err
		}
		op := otp.Operation{Kind: OpVerifyEmail, CustomerID: c.ID}
		target := otp.CodeTarget{Purpose: otp.PurposeOTP, Channel: otp.ChannelEmail, To: c.Email}
		verified := c.EmailVerified
		if kind == "mobile" {
			op.Kind, target.Channel, target.To, verified = OpVerifyMobile, otp.ChannelSMS, c.Phone, c.PhoneVerified
		}
		switch {
		case target.To == "":
			return otp.OperationStarted{}, &services.Refusal{Err: ErrContactMissing, Detail: "the customer has no " + kind + " on record"}
		case verified:
			return otp.OperationStarted{}, ErrContactAlreadyVerified
		}
		op.Params = otp.EncodeParams(opParams{Email: c.Email, Phone: c.Phone})
		return s.otp.StartOperation(ctx, tx, call, op, "", []otp.CodeTarget{target})
	})
	if err != nil {
		return otp.OperationStarted{}, fmt.Errorf("%s: %w", name, err)
	}
	s.otp.WakeDispatcher()
	return res, nil
}
