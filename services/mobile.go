package services

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
func (s *Service) ChangeMobile(ctx context.Context, call Call, in ChangeMobileInput) (OperationStarted, error) {
	var ck checker
	number := in.AccountID
	if ck.required("accountId", number) && !reAnyAccountNumber.MatchString(number) {
		ck.add("accountId", ReasonInvalidFormat, accountNumberFormat)
	}
	if err := ck.err(); err != nil {
		return OperationStarted{}, fmt.Errorf("change mobile: %w", err)
	}
	res, err := idempotent(ctx, s, call, in, func(tx Tx) (OperationStarted, error) {
		a, err := tx.FindAccount(ctx, call.PartnerID, AccountLookup{Number: number})
		if err != nil {
			return OperationStarted{}, err
		}
		c, err := tx.LockCustomer(ctx, call.PartnerID, a.CustomerID)
		if err != nil {
			return OperationStarted{}, err
		}
		now := s.clock.Now()
		day := now.In(s.settings.Location).Format("2006-01-02")
		n, err := tx.MobileChangesOn(ctx, c.ID, day)
		if err != nil {
			return OperationStarted{}, err
		}
		res, refusal := s.startMobileChange(ctx, tx, call, a, c, in, n)
		outcome := AuditOK
		if refusal != nil {
			if outcome = refusalReason(refusal); outcome == "" {
				return OperationStarted{}, refusal // an internal error: nothing is kept
			}
		}
		if err := tx.RecordMobileChange(ctx, MobileChangeRequest{CustomerID: c.ID, PartnerID: call.PartnerID, Day: day, Outcome: outcome, At: now}); err != nil {
			return OperationStarted{}, err
		}
		if refusal != nil {
			return OperationStarted{}, keepWrites(refusal)
		}
		return res, nil
	})
	if err != nil {
		return OperationStarted{}, fmt.Errorf("change mobile: %w", err)
	}
	s.wakeDispatcher()
	return res, nil
}

// startMobileChange checks a mobile-change request of customer c, the
// count-th of the day, and starts the operation.
func (s *Service) startMobileChange(ctx context.Context, tx Tx, call Call, a Account, c Customer, in ChangeMobileInput, count int) (OperationStarted, error) {
	if count >= s.settings.MobileChangesPerDay {
		return OperationStarted{}, &Refusal{Err: ErrMobileChangeLimit,
			Detail: fmt.Sprintf("%d requests a calendar day are allowed, failed ones included; try again tomorrow", s.settings.MobileChangesPerDay)}
	}
	var ck checker
	phone := ck.checkMobile("newMobileCountryCode", "newMobileNumber", in.NewMobileCountryCode, in.NewMobileNumber)
	if phone != "" && phone == c.Phone {
		ck.add("newMobileNumber", ReasonInvalidValue, "is already the customer's mobile number")
	}
	if err := ck.err(); err != nil {
		return OperationStarted{}, err
	}
	switch {
	case !a.open():
		return OperationStarted{}, fmt.Errorf("account is %s: %w", a.Status, ErrAccountClosed)
	case c.Status != CustomerActive:
		return OperationStarted{}, fmt.Errorf("customer is %s: %w", c.Status, ErrCustomerNotActive)
	case c.Phone == "" || !c.PhoneVerified:
		return OperationStarted{}, &Refusal{Err: ErrNoVerifiedContact, Detail: "the current mobile number must be verified (VerificationService.VerifyEmailOrMobile) to prove the request"}
	}
	if err := checkBlacklist(ctx, tx, call.PartnerID, customerKeys(nil, phone)); err != nil {
		return OperationStarted{}, err
	}
	switch other, err := tx.FindCustomer(ctx, call.PartnerID, CustomerLookup{Phone: phone}); {
	case err == nil && other.ID != c.ID:
		return OperationStarted{}, ErrPhoneExists
	case err != nil && !errors.Is(err, ErrCustomerNotFound):
		return OperationStarted{}, err
	}
	op := Operation{Kind: OpChangeMobile, CustomerID: c.ID, AccountID: a.ID, Params: encodeParams(opParams{Phone: phone, OldPhone: c.Phone})}
	return s.startOperation(ctx, tx, call, op, a.Number, []codeTarget{
		{purpose: PurposeProveID, channel: ChannelSMS, to: c.Phone},
		{purpose: PurposeConfirmChange, channel: ChannelSMS, to: phone},
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
	okCC := ck.required(ccField, cc)
	okNum := ck.required(numField, number)
	if !okCC || !okNum {
		return ""
	}
	code := 0
	if _, err := fmt.Sscanf(cc, "%d", &code); err != nil || len(cc) > 3 || strings.Trim(cc, "0123456789") != "" ||
		phonenumbers.GetRegionCodeForCountryCode(code) == "ZZ" {
		ck.add(ccField, ReasonInvalidValue, "must be a country calling code such as 254 or +254")
		return ""
	}
	raw := number
	if !strings.HasPrefix(raw, "+") {
		raw = "+" + cc + strings.TrimPrefix(raw, "0")
	}
	num, err := phonenumbers.Parse(raw, "")
	switch {
	case err != nil || strings.Trim(strings.TrimPrefix(number, "+"), "0123456789") != "":
		ck.add(numField, ReasonInvalidFormat, "must be a phone number of digits")
		return ""
	case int(num.GetCountryCode()) != code:
		ck.add(numField, ReasonConflict, "is a number of another country than newMobileCountryCode")
		return ""
	}
	if !allowListed(num) {
		if !phonenumbers.IsValidNumber(num) {
			ck.add(numField, ReasonInvalidValue, "is not a valid number of country code +"+cc)
			return ""
		}
		if t := phonenumbers.GetNumberType(num); t != phonenumbers.MOBILE && t != phonenumbers.FIXED_LINE_OR_MOBILE {
			ck.add(numField, ReasonInvalidValue, "is not a mobile number")
			return ""
		}
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}
