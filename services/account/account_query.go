package account

import (
	"context"
	"fmt"
	"time"

	"github.com/accountd/accountd/services"
)

// GetDetailsInput is AccountService.GetDetails's payload: the account number
// (accountId, as the Kenyan seed names it) or the account's ID.
type GetDetailsInput struct {
	AccountID string `json:"accountId" size:"id"`
	ID        string `json:"ID" size:"id"`
}

// AccountDetails is an account as partners see it: the Kenyan seed's fields
// followed by NetXD's.
type AccountDetails struct {
	AccountID             string `json:"accountId"`
	AccountName           string `json:"accountName"`
	Currency              string `json:"currency"`
	AccountType           string `json:"accountType"`
	ShortCode             string `json:"shortCode"`
	AccountStatus         int    `json:"accountStatus"`
	CreateTime            int64  `json:"createTime"`
	Balance               string `json:"balance"`
	DormantStatus         int    `json:"dormantStatus"`
	FreezeStatus          int    `json:"freezeStatus"`
	ID                    string `json:"ID"`
	Status                string `json:"status"`
	CustomerID            string `json:"customerID"`
	InstitutionID         string `json:"institutionID"`
	ActivityAccountNumber string `json:"activityAccountNumber,omitempty"`
	CustodialCustomerID   string `json:"custodialCustomerID,omitempty"`
	CustodialType         string `json:"custodialType,omitempty"`
	NiceCategory          string `json:"niceCategory,omitempty"`
	NiceFee               string `json:"niceFee,omitempty"`
}

// Kenyan accountStatus values derived from the account status.
const (
	kenyaNormal = 0
	kenyaLocked = 1
	kenyaClosed = 2
)

// kenyaStatus maps a NetXD status to the Kenyan seed's accountStatus:
// CLOSED is closed; SUSPENDED, BLOCKED and DISABLED are locked; the rest
// (CREATED, ACTIVE, CURTAILED, DORMANT) are normal.
func kenyaStatus(status string) int {
	switch status {
	case StatusClosed:
		return kenyaClosed
	case StatusSuspended, StatusBlocked, StatusDisabled:
		return kenyaLocked
	}
	return kenyaNormal
}

func (s *Service) accountDetails(a Account, now time.Time) AccountDetails {
	d := AccountDetails{
		AccountID:             a.Number,
		AccountName:           a.Name,
		Currency:              a.Currency,
		AccountType:           a.Type,
		ShortCode:             a.ShortCode,
		AccountStatus:         kenyaStatus(a.Status),
		CreateTime:            a.CreatedAt.Unix(),
		Balance:               services.FormatBalance(a.BalanceMinor, a.Currency),
		ID:                    services.FormatID(a.ID),
		Status:                a.Status,
		CustomerID:            services.FormatID(a.CustomerID),
		InstitutionID:         s.settings.InstitutionID,
		ActivityAccountNumber: a.ActivityAccountNumber,
		CustodialType:         a.CustodialType,
	}
	if a.Status == StatusDormant {
		d.DormantStatus = 1
	}
	if a.Frozen(now) {
		d.FreezeStatus = 1
	}
	if a.CustodialCustomerID != 0 {
		d.CustodialCustomerID = services.FormatID(a.CustodialCustomerID)
	}
	if a.NiceCategory != "" {
		d.NiceCategory, d.NiceFee = a.NiceCategory, services.FormatBalance(a.NiceFeeMinor, a.Currency)
	}
	return d
}

// GetDetails returns one account of the calling partner. It fails with a
// *ValidationError unless exactly one of accountId and ID is given, and with
// ErrAccountNotFound when the partner has no such account.
func (s *Service) GetDetails(ctx context.Context, call services.Call, in GetDetailsInput) (AccountDetails, error) {
	var ck checker
	var by AccountLookup
	switch {
	case in.AccountID != "" && in.ID != "":
		ck.Add("payload", services.ReasonInvalidValue, "give one of accountId and ID, not both")
	case in.AccountID != "":
		by.Number = in.AccountID
		if !ReAnyAccountNumber.MatchString(in.AccountID) {
			ck.Add("accountId", services.ReasonInvalidFormat, AccountNumberFormat)
		}
	case in.ID != "":
		id, ok := services.ParseID(in.ID)
		if !ok {
			ck.Add("ID", services.ReasonInvalidFormat, "must be a numeric account ID")
		}
		by.ID = id
	default:
		ck.Add("accountId", services.ReasonRequired, "give accountId (the account number) or ID")
	}
	if err := ck.Err(); err != nil {
		return AccountDetails{}, fmt.Errorf("get account details: %w", err)
	}
	a, err := s.store.FindAccount(ctx, call.PartnerID, by)
	if err != nil {
		return AccountDetails{}, fmt.Errorf("get account details: %w", err)
	}
	return s.accountDetails(a, s.k.Clock.Now()), nil
}

// ListAccountsInput is AccountService.ListAccounts's payload. userId is the
// Kenyan seed's name for customerID.
type ListAccountsInput struct {
	CustomerID  string `json:"customerID" size:"id"`
	UserID      string `json:"userId" size:"id"`
	PageNumber  *int   `json:"pageNumber"`
	PageSize    *int   `json:"pageSize"`
	Status      string `json:"status" size:"code"`
	AccountType string `json:"accountType" size:"code"`
}

// AccountFilter selects a page of one customer's accounts.
type AccountFilter struct {
	PartnerID  int64
	CustomerID int64
	Status     string
	Type       string
	Offset     int
	Limit      int
}

// AccountPage is one page of accounts and the number of all that match.
type AccountPage struct {
	Accounts   []AccountDetails `json:"accounts"`
	PageNumber int              `json:"pageNumber"`
	PageSize   int              `json:"pageSize"`
	Total      int              `json:"total"`
}

// ListAccounts returns a page of a customer's accounts, optionally only
// those of a status or type. It fails with a *ValidationError for bad
// fields and with ErrCustomerNotFound when the customer is not the partner's.
func (s *Service) ListAccounts(ctx context.Context, call services.Call, in ListAccountsInput) (AccountPage, error) {
	f, page, err := s.accountFilter(call, in)
	if err != nil {
		return AccountPage{}, fmt.Errorf("list accounts: %w", err)
	}
	if _, err := s.store.CustomerStatus(ctx, call.PartnerID, f.CustomerID); err != nil {
		return AccountPage{}, fmt.Errorf("list accounts: %w", err)
	}
	accounts, total, err := s.store.ListAccounts(ctx, f)
	if err != nil {
		return AccountPage{}, fmt.Errorf("list accounts: %w", err)
	}
	out := AccountPage{Accounts: make([]AccountDetails, 0, len(accounts)), PageNumber: page, PageSize: f.Limit, Total: total}
	for _, a := range accounts {
		out.Accounts = append(out.Accounts, s.accountDetails(a, s.k.Clock.Now()))
	}
	return out, nil
}

func (s *Service) accountFilter(call services.Call, in ListAccountsInput) (AccountFilter, int, error) {
	var ck checker
	f := AccountFilter{PartnerID: call.PartnerID, Limit: services.DefaultPageSize}
	customer := in.CustomerID
	field := "customerID"
	switch {
	case in.CustomerID != "" && in.UserID != "" && in.CustomerID != in.UserID:
		ck.Add("userId", services.ReasonConflict, "names another customer than customerID")
	case in.CustomerID == "" && in.UserID != "":
		customer, field = in.UserID, "userId"
	}
	if ck.Required(field, customer) {
		id, ok := services.ParseID(customer)
		if !ok {
			ck.Add(field, services.ReasonInvalidFormat, "must be a numeric customer ID")
		}
		f.CustomerID = id
	}
	page, size := ck.Paging("pageNumber", "pageSize", in.PageNumber, in.PageSize)
	f.Limit = size
	f.Status = ck.CheckEnum("status", in.Status, false, accountStatuses...)
	f.Type = ck.CheckEnum("accountType", in.AccountType, false, accountTypes...)
	f.Offset = (page - 1) * f.Limit
	return f, page, ck.Err()
}
