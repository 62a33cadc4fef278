package account

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
)

// ListAbnormalAccountsInput is AccountService.ListAbnormalAccounts's
// payload; both fields are required, as in the Kenyan seed.
type ListAbnormalAccountsInput struct {
	PageNo   *int `json:"pageNo"`
	PageSize *int `json:"pageSize"`
}

// AbnormalAccount is an account that is not plainly ACTIVE and unfrozen,
// with why: its status when not ACTIVE, FROZEN when a freeze is in force.
type AbnormalAccount struct {
	Account          AccountDetails `json:"account"`
	Reasons          []string       `json:"reasons"`
	FreezeReasonCode string         `json:"freezeReasonCode,omitempty"`
}

// AbnormalAccountPage is one page of abnormal accounts and their total.
type AbnormalAccountPage struct {
	Accounts []AbnormalAccount `json:"accounts"`
	PageNo   int               `json:"pageNo"`
	PageSize int               `json:"pageSize"`
	Total    int               `json:"total"`
}

// ListAbnormalAccounts returns a page of the partner's accounts that are
// not ACTIVE or are frozen, in creation order.
func (s *Service) ListAbnormalAccounts(ctx context.Context, call services.Call, in ListAbnormalAccountsInput) (AbnormalAccountPage, error) {
	var ck checker
	if in.PageNo == nil {
		ck.Add("pageNo", services.ReasonRequired, "is required")
	}
	if in.PageSize == nil {
		ck.Add("pageSize", services.ReasonRequired, "is required")
	}
	page, size := ck.Paging("pageNo", "pageSize", in.PageNo, in.PageSize)
	if err := ck.Err(); err != nil {
		return AbnormalAccountPage{}, fmt.Errorf("list abnormal accounts: %w", err)
	}
	now := s.k.Clock.Now()
	accounts, total, err := s.store.ListAbnormalAccounts(ctx, call.PartnerID, now, (page-1)*size, size)
	if err != nil {
		return AbnormalAccountPage{}, fmt.Errorf("list abnormal accounts: %w", err)
	}
	out := AbnormalAccountPage{Accounts: make([]AbnormalAccount, 0, len(accounts)), PageNo: page, PageSize: size, Total: total}
	for _, a := range accounts {
		item := AbnormalAccount{Account: s.accountDetails(a, now), Reasons: []string{}}
		if a.Status != StatusActive {
			item.Reasons = append(item.Reasons, a.Status)
		}
		if a.Frozen(now) {
			item.Reasons = append(item.Reasons, "FROZEN")
			item.FreezeReasonCode = a.Freeze.ReasonCode
		}
		out.Accounts = append(out.Accounts, item)
	}
	return out, nil
}

// EditSubAccountNameInput is AccountService.EditSubAccountName's payload.
type EditSubAccountNameInput struct {
	AccountID      string `json:"accountId" size:"id"`
	SubAccountName string `json:"subAccountName" size:"accountName"`
}

// SubAccountNameResult is the account's name after the edit.
type SubAccountNameResult struct {
	AccountID   string `json:"accountId"`
	AccountName string `json:"accountName"`
}

func (r SubAccountNameResult) AuditEntities() map[string]string {
	return map[string]string{"accountNumber": r.AccountID}
}

// EditSubAccountName names a business customer's account
// "<businessNameLegal>_<subAccountName>", or the business name alone when
// subAccountName is empty; the whole name is at most 255 characters.
func (s *Service) EditSubAccountName(ctx context.Context, call services.Call, in EditSubAccountNameInput) (SubAccountNameResult, error) {
	number, err := accountIDField(in.AccountID)
	var ck checker
	sub := ck.CheckText("subAccountName", in.SubAccountName, services.MaxAccountNameLength)
	if err != nil || ck.Err() != nil {
		ck.Include(err)
		return SubAccountNameResult{}, fmt.Errorf("edit sub-account name: %w", ck.Err())
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (SubAccountNameResult, error) {
		a, err := tx.LockAccount(ctx, call.PartnerID, AccountLookup{Number: number})
		if err != nil {
			return SubAccountNameResult{}, err
		}
		if !a.Open() {
			return SubAccountNameResult{}, fmt.Errorf("account is %s: %w", a.Status, ErrAccountClosed)
		}
		holder, err := tx.AccountHolder(ctx, a.CustomerID)
		if err != nil {
			return SubAccountNameResult{}, err
		}
		if holder.Type != customer.CustomerBusiness {
			return SubAccountNameResult{}, ErrNotBusinessAccount
		}
		name := holder.BusinessNameLegal
		if sub != "" {
			name += "_" + sub
		}
		if n := utf8.RuneCountInString(name); n > services.MaxAccountNameLength {
			room := services.MaxAccountNameLength - utf8.RuneCountInString(holder.BusinessNameLegal) - 1
			return SubAccountNameResult{}, &services.ValidationError{Fields: []services.FieldError{{Field: "subAccountName", Reason: services.ReasonTooLong,
				Message: fmt.Sprintf("the business name, an underscore and subAccountName make %d characters; at most %d are allowed, so subAccountName may have %d", n, services.MaxAccountNameLength, room)}}}
		}
		now := s.k.Clock.Now()
		a.Name, a.UpdatedAt = name, now
		if err := tx.SaveAccountState(ctx, a); err != nil {
			return SubAccountNameResult{}, err
		}
		return SubAccountNameResult{AccountID: a.Number, AccountName: name}, tx.TouchAccount(ctx, a.ID, now)
	})
	if err != nil {
		return SubAccountNameResult{}, fmt.Errorf("edit sub-account name: %w", err)
	}
	return res, nil
}
