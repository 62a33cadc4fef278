package account

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/accountd/accountd/services"
)

// shortCodeAlphabet has no characters that are misread or misheard: no 0/O,
// 1/I/L, and no U (so that no word is spelt by accident).
const shortCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// shortCodeLength gives 30^6, about 729 million codes.
const shortCodeLength = 6

// newShortCode draws a code uniformly from the alphabet.
func (s *Service) newShortCode() (string, error) {
	buf := make([]byte, shortCodeLength)
	for i := range buf {
		n, err := services.RandomBelow(s.k.Random, len(shortCodeAlphabet))
		if err != nil {
			return "", err
		}
		buf[i] = shortCodeAlphabet[n]
	}
	return string(buf), nil
}

// normalizeShortCode reads a code as people write it: any case, with spaces
// or dashes; ok is false when it cannot be a code.
func normalizeShortCode(code string) (string, bool) {
	code = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
	if len(code) != shortCodeLength || strings.Trim(code, shortCodeAlphabet) != "" {
		return "", false
	}
	return code, true
}

// ShortCodeInput is the payload of ApplyShortCode and GetShortCode.
type ShortCodeInput struct {
	AccountID string `json:"accountId" size:"id"`
}

// ShortCodeResult names an account and its short code.
type ShortCodeResult struct {
	AccountID   string `json:"accountId"`
	ShortCode   string `json:"shortCode"`
	AccountName string `json:"accountName"`
}

func (r ShortCodeResult) AuditEntities() map[string]string {
	return map[string]string{"accountNumber": r.AccountID, "shortCode": r.ShortCode}
}

// ApplyShortCode gives an account its short code: unique across the bank and
// never given to another account, even after the account is closed.
func (s *Service) ApplyShortCode(ctx context.Context, call services.Call, in ShortCodeInput) (ShortCodeResult, error) {
	number, err := accountIDField(in.AccountID)
	if err != nil {
		return ShortCodeResult{}, fmt.Errorf("apply short code: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (ShortCodeResult, error) {
		a, err := tx.LockAccount(ctx, call.PartnerID, AccountLookup{Number: number})
		switch {
		case err != nil:
			return ShortCodeResult{}, err
		case !a.Open():
			return ShortCodeResult{}, fmt.Errorf("account is %s: %w", a.Status, ErrAccountClosed)
		case a.ShortCode != "":
			return ShortCodeResult{}, &services.Refusal{Err: ErrShortCodeExists, Detail: "AccountService.GetShortCode returns it"}
		}
		now := s.k.Clock.Now()
		for range services.MaxDraws {
			code, err := s.newShortCode()
			if err != nil {
				return ShortCodeResult{}, err
			}
			err = tx.AssignShortCode(ctx, call.PartnerID, a.ID, code, now)
			if errors.Is(err, services.ErrNumberTaken) {
				continue
			}
			if err != nil {
				return ShortCodeResult{}, err
			}
			return ShortCodeResult{AccountID: a.Number, ShortCode: code, AccountName: a.Name}, tx.TouchAccount(ctx, a.ID, now)
		}
		return ShortCodeResult{}, fmt.Errorf("draw short code: %w", services.ErrNumberTaken)
	})
	if err != nil {
		return ShortCodeResult{}, fmt.Errorf("apply short code: %w", err)
	}
	return res, nil
}

// GetShortCode returns an account's short code; ErrShortCodeNotFound when it
// has none yet.
func (s *Service) GetShortCode(ctx context.Context, call services.Call, in ShortCodeInput) (ShortCodeResult, error) {
	number, err := accountIDField(in.AccountID)
	if err != nil {
		return ShortCodeResult{}, fmt.Errorf("get short code: %w", err)
	}
	a, err := s.store.FindAccount(ctx, call.PartnerID, AccountLookup{Number: number})
	if err != nil {
		return ShortCodeResult{}, fmt.Errorf("get short code: %w", err)
	}
	if a.ShortCode == "" {
		return ShortCodeResult{}, &services.Refusal{Err: ErrShortCodeNotFound, Detail: "the account has no short code; AccountService.ApplyShortCode gives it one"}
	}
	return ShortCodeResult{AccountID: a.Number, ShortCode: a.ShortCode, AccountName: a.Name}, nil
}

// GetAccountByShortCodeInput is AccountService.GetAccountByShortCode's payload.
type GetAccountByShortCodeInput struct {
	ShortCode string `json:"shortCode" size:"code"`
}

// GetAccountByShortCode returns the partner's account holding a short code.
func (s *Service) GetAccountByShortCode(ctx context.Context, call services.Call, in GetAccountByShortCodeInput) (ShortCodeResult, error) {
	var ck checker
	code, ok := normalizeShortCode(in.ShortCode)
	if ck.Required("shortCode", in.ShortCode) && !ok {
		ck.Add("shortCode", services.ReasonInvalidFormat, fmt.Sprintf("must be %d characters of %s", shortCodeLength, shortCodeAlphabet))
	}
	if err := ck.Err(); err != nil {
		return ShortCodeResult{}, fmt.Errorf("get account by short code: %w", err)
	}
	a, err := s.store.FindAccountByShortCode(ctx, call.PartnerID, code)
	if errors.Is(err, ErrAccountNotFound) {
		err = ErrShortCodeNotFound
	}
	if err != nil {
		return ShortCodeResult{}, fmt.Errorf("get account by short code: %w", err)
	}
	return ShortCodeResult{AccountID: a.Number, ShortCode: a.ShortCode, AccountName: a.Name}, nil
}

// accountIDField checks the Kenyan seed's accountId: a 15-digit account number.
func accountIDField(v string) (string, error) {
	var ck checker
	if ck.Required("accountId", v) && !ReAnyAccountNumber.MatchString(v) {
		ck.Add("accountId", services.ReasonInvalidFormat, AccountNumberFormat)
	}
	return v, ck.Err()
}
