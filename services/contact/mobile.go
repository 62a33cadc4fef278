package contact

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/otp"

	"github.com/nyaruka/phonenumbers"
)

// ChangeMobileInput is CustomerService.ChangeMobile's payload (the Kenyan
// seed's mobileChange v2).
type ChangeMobileInput struct {
	AccountID            string `json:"accountId" size:"id"`
	NewMobileCountryCode string `json:"newMobileCountryCode" size:"code"`
	NewMobileNumber      string `json:"newMobileNumber" size:"phone"`
}

// ChangeMobile starts changing the mobile number of the customer holding an
// account: one code goes to the current (verified) number to prove who asks,
// another to the new number, and CustomerService.ConfirmMobileChange with
// both makes the change. A customer may ask MobileChangesPerDay times a
// calendar day; every request that names one of the partner's accounts
// counts, refused ones included.
func (s *Service) ChangeMobile(ctx context.Context, call services.Call, in ChangeMobileInput) (otp.OperationStarted, error) {
	var ck checker
	number := in.AccountID
	if ck.Required("accountId", number) && !account.ReAnyAccountNumber.MatchString(number) {
		ck.Add("accountId", services.ReasonInvalidFormat, account.AccountNumberFormat)
	}
	if err := ck.Err(); err != nil {
		return otp.OperationStarted{}, fmt.Errorf("change mobile: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (otp.OperationStarted, error) {
		a, err := tx.FindAccount(ctx, call.PartnerID, account.AccountLookup{Number: number})
		if err != nil {
			return otp.OperationStarted{}, err
		}
		c, err := tx.LockCustomer(ctx, call.PartnerID, a.CustomerID)
		if err != nil {
			return otp.OperationStarted{}, err
		}
		now := s.k.Clock.Now()
		day := now.In(s.k.Location).Format("2006-01-02")
		n, err := tx.MobileChangesOn(ctx, c.ID, day)
		if err != nil {
			return otp.OperationStarted{}, err
		}
		res, refusal := s.startMobileChange(ctx, tx, call, a, c, in, n)
		outcome := services.AuditOK
		if refusal != nil {
			if outcome = services.RefusalReason(refusal); outcome == "" {
				return otp.OperationStarted{}, refusal // an internal error: nothing is kept
			}
		}
		if err := tx.RecordMobileChange(ctx, MobileChangeRequest{CustomerID: c.ID, PartnerID: call.PartnerID, Day: day, Outcome: outcome, At: now}); err != nil {
			return otp.OperationStarted{}, err
		}
		if refusal != nil {
			return otp.OperationStarted{}, services.KeepWrites(refusal)
		}
		return res, nil
	})
	if err != nil {
		return otp.OperationStarted{}, fmt.Errorf("change mobile: %w", err)
	}
	s.otp.WakeDispatcher()
	return res, nil
}

// startMobileChange checks a mobile-change request of customer c, the
// count-th of the day, and starts the operation.
func (s *Service) startMobileChange(ctx context.Context, tx Tx, call services.Call, a account.Account, c customer.Customer, in ChangeMobileInput, count int) (otp.OperationStarted, error) {
	if count >= s.settings.MobileChangesPerDay {
		return otp.OperationStarted{}, &services.Refusal{Err: ErrMobileChangeLimit,
			Detail: fmt.Sprintf("%d requests a calendar day are allowed, failed ones included; try again tomorrow", s.settings.MobileChangesPerDay)}
	}
	var ck checker
	phone := ck.checkMobile("newMobileCountryCode", "newMobileNumber", in.NewMobileCountryCode, in.NewMobileNumber)
	if phone != "" && phone == c.Phone {
		ck.Add("newMobileNumber", services.ReasonInvalidValue, "is already the customer's mobile number")
	}
	if err := ck.Err(); err != nil {
		return otp.OperationStarted{}, err
	}
	switch {
	case !a.Open():
		return otp.OperationStarted{}, fmt.Errorf("account is %s: %w", a.Status, account.ErrAccountClosed)
	case c.Status != customer.CustomerActive:
		return otp.OperationStarted{}, fmt.Errorf("customer is %s: %w", c.Status, customer.ErrCustomerNotActive)
	case c.Phone == "" || !c.PhoneVerified:
		return otp.OperationStarted{}, &services.Refusal{Err: customer.ErrNoVerifiedContact, Detail: "the current mobile number must be verified (VerificationService.VerifyEmailOrMobile) to prove the request"}
	}
	if err := customer.RefuseBlacklisted(ctx, tx, call.PartnerID, customer.CustomerKeys(nil, phone)); err != nil {
		return otp.OperationStarted{}, err
	}
	switch other, err := tx.FindCustomer(ctx, call.PartnerID, customer.CustomerLookup{Phone: phone}); {
	case err == nil && other.ID != c.ID:
		return otp.OperationStarted{}, customer.ErrPhoneExists
	case err != nil && !errors.Is(err, customer.ErrCustomerNotFound):
		return otp.OperationStarted{}, err
	}
	op := otp.Operation{Kind: OpChangeMobile, CustomerID: c.ID, AccountID: a.ID, Params: otp.EncodeParams(opParams{Phone: phone, OldPhone: c.Phone})}
	return s.otp.StartOperation(ctx, tx, call, op, a.Number, []otp.CodeTarget{
		{Purpose: otp.PurposeProveID, Channel: otp.ChannelSMS, To: c.Phone},
		{Purpose: otp.PurposeConfirmChange, Channel: otp.ChannelSMS, To: phone},
	})
}

// checkMobile reads a mobile number given as a country calling code and a
// number (national, with or without its trunk 0, or international) and
// returns it in E.164 form. The number must be a mobile number of that
// country: phonenumbers' metadata, plus the allow-list for the ranges it
// misses.
func (ck *checker) checkMobile(ccField, numField, cc, number string) string {
	cc = strings.TrimPrefix(strings.TrimSpace(cc), "+")
	number = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, strings.TrimSpace(number))
	okCC := ck.Required(ccField, cc)
	okNum := ck.Required(numField, number)
	if !okCC || !okNum {
		return ""
	}
	code := 0
	if _, err := fmt.Sscanf(cc, "%d", &code); err != nil || len(cc) > 3 || strings.Trim(cc, "0123456789") != "" ||
		phonenumbers.GetRegionCodeForCountryCode(code) == "ZZ" {
		ck.Add(ccField, services.ReasonInvalidValue, "must be a country calling code such as 254 or +254")
		return ""
	}
	raw := number
	if !strings.HasPrefix(raw, "+") {
		raw = "+" + cc + strings.TrimPrefix(raw, "0")
	}
	num, err := phonenumbers.Parse(raw, "")
	switch {
	case err != nil || strings.Trim(strings.TrimPrefix(number, "+"), "0123456789") != "":
		ck.Add(numField, services.ReasonInvalidFormat, "must be a phone number of digits")
		return ""
	case int(num.GetCountryCode()) != code:
		ck.Add(numField, services.ReasonConflict, "is a number of another country than newMobileCountryCode")
		return ""
	}
	if !services.AllowListed(num) {
		if !phonenumbers.IsValidNumber(num) {
			ck.Add(numField, services.ReasonInvalidValue, "is not a valid number of country code +"+cc)
			return ""
		}
		if t := phonenumbers.GetNumberType(num); t != phonenumbers.MOBILE && t != phonenumbers.FIXED_LINE_OR_MOBILE {
			ck.Add(numField, services.ReasonInvalidValue, "is not a mobile number")
			return ""
		}
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}

// MobileChangeRequest is one ChangeMobile request, counted for the daily
// limit whatever its outcome.
type MobileChangeRequest struct {
	CustomerID int64
	PartnerID  int64
	Day        string // YYYY-MM-DD in the bank's time zone
	Outcome    string // OK or the refusal reason
	At         time.Time
}
