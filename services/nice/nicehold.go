package nice

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
)

// NiceHold reserves a nice number for a customer until ExpiresAt; the fee
// is fixed when the hold is made.
type NiceHold struct {
	Number     string
	PartnerID  int64
	CustomerID int64
	Category   string
	FeeMinor   int64
	Currency   string
	KeyID      string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// Nice number availability.
const (
	NiceAvailable = "AVAILABLE"
	NiceTakenNow  = "TAKEN"
	NiceHeldNow   = "HELD"
	NiceReserved  = "RESERVED"
)

// CheckNumber checks a nice number: 6 to 12 digits.
func CheckNumber(ck *services.Checker, field, v string) string {
	v = strings.TrimSpace(v)
	if !ck.Required(field, v) {
		return ""
	}
	if len(v) < MinNiceLength || len(v) > MaxNiceLength || strings.Trim(v, "0123456789") != "" {
		ck.Add(field, services.ReasonInvalidFormat, fmt.Sprintf("a nice number is %d to %d digits", MinNiceLength, MaxNiceLength))
		return ""
	}
	return v
}

// CheckNiceNumberInput is AccountService.CheckNiceNumber's payload; with a
// customer, the number is also compared with their phone and birthday.
type CheckNiceNumberInput struct {
	Number     string `json:"number" size:"code"`
	CustomerID string `json:"customerID" size:"id"`
}

// NiceNumberInfo describes a nice number: whether it can be had, what makes
// it beautiful and its fee.
type NiceNumberInfo struct {
	Number    string   `json:"number"`
	Available bool     `json:"available"`
	Status    string   `json:"status"`
	Category  string   `json:"category"`
	Features  []string `json:"features"`
	Fee       string   `json:"fee"`
	FeeMinor  int64    `json:"feeMinor"`
	Currency  string   `json:"currency"`
}

// CheckNiceNumber says whether a number is available (or taken by an
// account, held, reserved), its category and its fee.
func (s *Service) CheckNiceNumber(ctx context.Context, call services.Call, in CheckNiceNumberInput) (NiceNumberInfo, error) {
	var ck checker
	number := CheckNumber(&ck.Checker, "number", in.Number)
	customerID := ck.optionalCustomerID(in.CustomerID)
	if err := ck.Err(); err != nil {
		return NiceNumberInfo{}, fmt.Errorf("check nice number: %w", err)
	}
	c, err := s.customerOrZero(ctx, call.PartnerID, customerID)
	if err != nil {
		return NiceNumberInfo{}, fmt.Errorf("check nice number: %w", err)
	}
	info := s.niceInfo(number, c)
	accounts, held, err := s.store.NiceTaken(ctx, []string{number}, s.k.Clock.Now())
	if err != nil {
		return NiceNumberInfo{}, fmt.Errorf("check nice number: %w", err)
	}
	switch {
	case s.settings.Reserved[number]:
		info.Status = NiceReserved
	case accounts[number]:
		info.Status = NiceTakenNow
	case held[number]:
		info.Status = NiceHeldNow
	}
	info.Available = info.Status == NiceAvailable
	return info, nil
}

// niceInfo classifies a number for customer c (zero when unknown) and
// prices it.
func (s *Service) niceInfo(number string, c customer.Customer) NiceNumberInfo {
	f := ClassifyNice(number, nationalDigits(c.Phone), c.DOB)
	fee := s.settings.Fees.Fees[f.Category]
	return NiceNumberInfo{Number: number, Available: true, Status: NiceAvailable, Category: f.Category, Features: f.Features,
		Fee: services.FormatBalance(fee, s.settings.Fees.Currency), FeeMinor: fee, Currency: s.settings.Fees.Currency}
}

// nationalDigits is a phone number without its country code and trunk 0
// (+84912345678 -> 912345678); "" for none.
func nationalDigits(e164 string) string {
	if e164 == "" {
		return ""
	}
	for _, cc := range []string{"+84", "+254", "+62"} {
		if strings.HasPrefix(e164, cc) {
			return strings.TrimPrefix(e164, cc)
		}
	}
	return ""
}

// HoldNiceNumberInput is AccountService.HoldNiceNumber's payload.
type HoldNiceNumberInput struct {
	Number     string `json:"number" size:"code"`
	CustomerID string `json:"customerID" size:"id"`
}

// NiceHoldResult is a hold as partners see it.
type NiceHoldResult struct {
	NiceNumber NiceNumberInfo `json:"niceNumber"`
	CustomerID string         `json:"customerID"`
	ExpiresAt  int64          `json:"expiresAt"`
}

func (r NiceHoldResult) AuditEntities() map[string]string {
	m := map[string]string{"customerId": r.CustomerID, "category": r.NiceNumber.Category}
	if !hasFeature(NiceFeatures{Features: r.NiceNumber.Features}, NicePhone) && !hasFeature(NiceFeatures{Features: r.NiceNumber.Features}, NiceBirthday) {
		// A number made of the customer's phone or birthday is personal data.
		m["niceNumber"] = r.NiceNumber.Number
	}
	return m
}

// HoldNiceNumber holds a number for a customer of the partner until the
// hold expires (Settings.NiceHoldTTL). Two holds of a number at the same
// instant: the database lets exactly one win; the other gets
// ErrNiceNumberHeld.
func (s *Service) HoldNiceNumber(ctx context.Context, call services.Call, in HoldNiceNumberInput) (NiceHoldResult, error) {
	var ck checker
	number := CheckNumber(&ck.Checker, "number", in.Number)
	id, ok := services.ParseID(in.CustomerID)
	if ck.Required("customerID", in.CustomerID) && !ok {
		ck.Add("customerID", services.ReasonInvalidFormat, "must be a numeric customer ID")
	}
	if err := ck.Err(); err != nil {
		return NiceHoldResult{}, fmt.Errorf("hold nice number: %w", err)
	}
	if s.settings.Reserved[number] {
		return NiceHoldResult{}, fmt.Errorf("hold nice number: %w", ErrNiceNumberReserved)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (NiceHoldResult, error) {
		c, err := tx.LockCustomer(ctx, call.PartnerID, id)
		if err != nil {
			return NiceHoldResult{}, err
		}
		if c.Status != customer.CustomerActive {
			return NiceHoldResult{}, customer.ErrCustomerNotActive
		}
		kinds, err := tx.CustomerBlacklist(ctx, call.PartnerID, id)
		if err != nil {
			return NiceHoldResult{}, err
		}
		if len(kinds) > 0 {
			return NiceHoldResult{}, customer.BlacklistRefusal(kinds[0])
		}
		now := s.k.Clock.Now()
		accounts, _, err := tx.NiceTaken(ctx, []string{number}, now)
		if err != nil {
			return NiceHoldResult{}, err
		}
		if accounts[number] {
			return NiceHoldResult{}, ErrNiceNumberTaken
		}
		info := s.niceInfo(number, c)
		h := NiceHold{Number: number, PartnerID: call.PartnerID, CustomerID: id, Category: info.Category, FeeMinor: info.FeeMinor,
			Currency: info.Currency, KeyID: call.KeyID, CreatedAt: now, ExpiresAt: now.Add(s.settings.HoldTTL)}
		if err := tx.InsertNiceHold(ctx, h); err != nil {
			return NiceHoldResult{}, err
		}
		// An account may have taken the number (using up an expiring hold)
		// while this hold waited for its row: look again now that it is ours.
		if accounts, _, err = tx.NiceTaken(ctx, []string{number}, now); err != nil {
			return NiceHoldResult{}, err
		} else if accounts[number] {
			return NiceHoldResult{}, ErrNiceNumberTaken
		}
		info.Status, info.Available = NiceHeldNow, false
		return NiceHoldResult{NiceNumber: info, CustomerID: services.FormatID(id), ExpiresAt: h.ExpiresAt.Unix()}, nil
	})
	if err != nil {
		return NiceHoldResult{}, fmt.Errorf("hold nice number: %w", err)
	}
	return res, nil
}

// ReleaseNiceNumberInput is AccountService.ReleaseNiceNumber's payload.
type ReleaseNiceNumberInput struct {
	Number string `json:"number" size:"code"`
}

// NiceReleaseResult is what ReleaseNiceNumber returns.
type NiceReleaseResult struct {
	Number   string `json:"number"`
	Released bool   `json:"released"`
}

func (r NiceReleaseResult) AuditEntities() map[string]string {
	return map[string]string{"niceNumber": r.Number}
}

// ReleaseNiceNumber gives up the partner's hold of a number; another
// partner's hold, or an expired one, is not found.
func (s *Service) ReleaseNiceNumber(ctx context.Context, call services.Call, in ReleaseNiceNumberInput) (NiceReleaseResult, error) {
	var ck checker
	number := CheckNumber(&ck.Checker, "number", in.Number)
	if err := ck.Err(); err != nil {
		return NiceReleaseResult{}, fmt.Errorf("release nice number: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (NiceReleaseResult, error) {
		h, err := tx.FindNiceHold(ctx, number)
		switch {
		case errors.Is(err, ErrNiceHoldNotFound):
			return NiceReleaseResult{}, err
		case err != nil:
			return NiceReleaseResult{}, err
		case h.PartnerID != call.PartnerID || !s.k.Clock.Now().Before(h.ExpiresAt):
			return NiceReleaseResult{}, ErrNiceHoldNotFound
		}
		return NiceReleaseResult{Number: number, Released: true}, tx.DeleteNiceHold(ctx, number)
	})
	if err != nil {
		return NiceReleaseResult{}, fmt.Errorf("release nice number: %w", err)
	}
	return res, nil
}

// optionalCustomerID reads an optional customerID field; 0 when absent.
func (ck *checker) optionalCustomerID(v string) int64 {
	if v == "" {
		return 0
	}
	id, ok := services.ParseID(v)
	if !ok {
		ck.Add("customerID", services.ReasonInvalidFormat, "must be a numeric customer ID")
	}
	return id
}

// customerOrZero finds the partner's customer, or returns the zero
// Customer for id 0.
func (s *Service) customerOrZero(ctx context.Context, partnerID, id int64) (customer.Customer, error) {
	if id == 0 {
		return customer.Customer{}, nil
	}
	return s.store.FindCustomer(ctx, partnerID, customer.CustomerLookup{ID: id})
}

// UseHold uses up, in the caller's transaction, the hold of number that the
// partner's customer holds for an account in currency: the hold must be the
// partner's, the customer's and unexpired, and its fee currency the
// account's (ErrNiceHoldNotFound, ErrCurrencyMismatch).
func (s *Service) UseHold(ctx context.Context, t services.Tx, partnerID, customerID int64, currency, number string) (NiceHold, error) {
	tx := services.As[Tx](t)
	h, err := tx.FindNiceHold(ctx, number)
	switch {
	case errors.Is(err, ErrNiceHoldNotFound):
		return NiceHold{}, &services.Refusal{Err: ErrNiceHoldNotFound, Detail: "hold the number for the customer first (AccountService.HoldNiceNumber)"}
	case err != nil:
		return NiceHold{}, err
	case h.PartnerID != partnerID || h.CustomerID != customerID || !s.k.Clock.Now().Before(h.ExpiresAt):
		return NiceHold{}, &services.Refusal{Err: ErrNiceHoldNotFound, Detail: "the customer holds no unexpired hold of this number"}
	case h.Currency != currency:
		return NiceHold{}, &services.Refusal{Err: services.ErrCurrencyMismatch, Detail: "the nice number's fee is in " + h.Currency + ": open the account in " + h.Currency}
	}
	return h, tx.DeleteNiceHold(ctx, number)
}
