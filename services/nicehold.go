package services

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
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

// niceNumberField checks a nice number: 6 to 12 digits.
func (ck *checker) niceNumberField(field, v string) string {
	v = strings.TrimSpace(v)
	if !ck.required(field, v) {
		return ""
	}
	if len(v) < MinNiceLength || len(v) > MaxNiceLength || strings.Trim(v, "0123456789") != "" {
		ck.add(field, ReasonInvalidFormat, fmt.Sprintf("a nice number is %d to %d digits", MinNiceLength, MaxNiceLength))
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
func (s *Service) CheckNiceNumber(ctx context.Context, call Call, in CheckNiceNumberInput) (NiceNumberInfo, error) {
	var ck checker
	number := ck.niceNumberField("number", in.Number)
	customerID := ck.optionalCustomerID(in.CustomerID)
	if err := ck.err(); err != nil {
		return NiceNumberInfo{}, fmt.Errorf("check nice number: %w", err)
	}
	c, err := s.customerOrZero(ctx, call.PartnerID, customerID)
	if err != nil {
		return NiceNumberInfo{}, fmt.Errorf("check nice number: %w", err)
	}
	info := s.niceInfo(number, c)
	accounts, held, err := s.store.NiceTaken(ctx, []string{number}, s.clock.Now())
	if err != nil {
		return NiceNumberInfo{}, fmt.Errorf("check nice number: %w", err)
	}
	switch {
	case s.settings.NiceReserved[number]:
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
func (s *Service) niceInfo(number string, c Customer) NiceNumberInfo {
	f := ClassifyNice(number, nationalDigits(c.Phone), c.DOB)
	fee := s.settings.NiceFees.Fees[f.Category]
	return NiceNumberInfo{Number: number, Available: true, Status: NiceAvailable, Category: f.Category, Features: f.Features,
		Fee: FormatBalance(fee, s.settings.NiceFees.Currency), FeeMinor: fee, Currency: s.settings.NiceFees.Currency}
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

func (r NiceHoldResult) auditEntities() map[string]string {
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
func (s *Service) HoldNiceNumber(ctx context.Context, call Call, in HoldNiceNumberInput) (NiceHoldResult, error) {
	var ck checker
	number := ck.niceNumberField("number", in.Number)
	id, ok := parseID(in.CustomerID)
	if ck.required("customerID", in.CustomerID) && !ok {
		ck.add("customerID", ReasonInvalidFormat, "must be a numeric customer ID")
	}
	if err := ck.err(); err != nil {
		return NiceHoldResult{}, fmt.Errorf("hold nice number: %w", err)
	}
	if s.settings.NiceReserved[number] {
		return NiceHoldResult{}, fmt.Errorf("hold nice number: %w", ErrNiceNumberReserved)
	}
	res, err := idempotent(ctx, s, call, in, func(tx Tx) (NiceHoldResult, error) {
		c, err := tx.LockCustomer(ctx, call.PartnerID, id)
		if err != nil {
			return NiceHoldResult{}, err
		}
		if c.Status != CustomerActive {
			return NiceHoldResult{}, ErrCustomerNotActive
		}
		kinds, err := tx.CustomerBlacklist(ctx, call.PartnerID, id)
		if err != nil {
			return NiceHoldResult{}, err
		}
		if len(kinds) > 0 {
			return NiceHoldResult{}, blacklistRefusal(kinds[0])
		}
		now := s.clock.Now()
		accounts, _, err := tx.NiceTaken(ctx, []string{number}, now)
		if err != nil {
			return NiceHoldResult{}, err
		}
		if accounts[number] {
			return NiceHoldResult{}, ErrNiceNumberTaken
		}
		info := s.niceInfo(number, c)
		h := NiceHold{Number: number, PartnerID: call.PartnerID, CustomerID: id, Category: info.Category, FeeMinor: info.FeeMinor,
			Currency: info.Currency, KeyID: call.KeyID, CreatedAt: now, ExpiresAt: now.Add(s.settings.NiceHoldTTL)}
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
		return NiceHoldResult{NiceNumber: info, CustomerID: formatID(id), ExpiresAt: h.ExpiresAt.Unix()}, nil
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

func (r NiceReleaseResult) auditEntities() map[string]string {
	return map[string]string{"niceNumber": r.Number}
}

// ReleaseNiceNumber gives up the partner's hold of a number; another
// partner's hold, or an expired one, is not found.
func (s *Service) ReleaseNiceNumber(ctx context.Context, call Call, in ReleaseNiceNumberInput) (NiceReleaseResult, error) {
	var ck checker
	number := ck.niceNumberField("number", in.Number)
	if err := ck.err(); err != nil {
		return NiceReleaseResult{}, fmt.Errorf("release nice number: %w", err)
	}
	res, err := idempotent(ctx, s, call, in, func(tx Tx) (NiceReleaseResult, error) {
		h, err := tx.FindNiceHold(ctx, number)
		switch {
		case errors.Is(err, ErrNiceHoldNotFound):
			return NiceReleaseResult{}, err
		case err != nil:
			return NiceReleaseResult{}, err
		case h.PartnerID != call.PartnerID || !s.clock.Now().Before(h.ExpiresAt):
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
	id, ok := parseID(v)
	if !ok {
		ck.add("customerID", ReasonInvalidFormat, "must be a numeric customer ID")
	}
	return id
}

// customerOrZero finds the partner's customer, or returns the zero
// Customer for id 0.
func (s *Service) customerOrZero(ctx context.Context, partnerID, id int64) (Customer, error) {
	if id == 0 {
		return Customer{}, nil
	}
	return s.store.FindCustomer(ctx, partnerID, CustomerLookup{ID: id})
}
