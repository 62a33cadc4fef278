package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
)

// transitions is the account status transition table: the statuses each
// status may change to through UpdateAccountStatus. CLOSED is final. An
// account becomes DORMANT only through the dormancy sweep, and a DORMANT
// account becomes ACTIVE again only through ActivateAccount, confirmed by the
// customer's one-time code.
var transitions = map[string][]string{
	StatusCreated:   {StatusActive, StatusClosed, StatusDisabled},
	StatusActive:    {StatusCurtailed, StatusSuspended, StatusBlocked, StatusClosed, StatusDisabled},
	StatusCurtailed: {StatusActive, StatusSuspended, StatusBlocked, StatusClosed, StatusDisabled},
	StatusDormant:   {StatusSuspended, StatusBlocked, StatusClosed},
	StatusSuspended: {StatusActive, StatusBlocked, StatusClosed},
	StatusBlocked:   {StatusActive, StatusSuspended, StatusClosed},
	StatusDisabled:  {StatusActive, StatusClosed},
	StatusClosed:    {},
}

// transitionProblem says why from cannot change to to, or "" when it can.
// inactive tells that the account has had no customer activity for the
// dormancy period: the bank may then set it DORMANT (from SUSPENDED, say),
// and it may not make it ACTIVE, which only the customer's code does.
func transitionProblem(from, to string, inactive bool) string {
	switch {
	case from == to:
		return "the account is already " + to
	case from == StatusClosed:
		return "CLOSED is final"
	case to == StatusDormant && inactive:
		return ""
	case to == StatusDormant:
		return "DORMANT is set by the dormancy sweep, or by the bank for an account without customer activity for the dormancy period"
	case from == StatusDormant && to == StatusActive:
		return "a DORMANT account is reactivated by AccountService.ActivateAccount, confirmed by the customer's code"
	case to == StatusActive && inactive:
		return "no customer activity for the dormancy period: set the account DORMANT, and the customer reactivates it with AccountService.ActivateAccount"
	}
	for _, allowed := range transitions[from] {
		if allowed == to {
			return ""
		}
	}
	return fmt.Sprintf("%s cannot change to %s (allowed: %s)", from, to, strings.Join(transitions[from], ", "))
}

// systemKeyID stands for the server's own sweeps in the history and audit.
const SystemKeyID = "system"

// UpdateAccountStatusInput is AccountService.UpdateAccountStatus's payload.
// accountId is accepted for accountNumber, as the Kenyan seed names it.
type UpdateAccountStatusInput struct {
	AccountNumber string `json:"accountNumber" size:"id"`
	AccountID     string `json:"accountId" size:"id"`
	Status        string `json:"status" size:"code"`
	Reason        string `json:"reason" size:"reason"`
}

// StatusChangeResult is what a status change or freeze returns.
type StatusChangeResult struct {
	AccountNumber string `json:"accountNumber"`
	FromStatus    string `json:"fromStatus"`
	Status        string `json:"status"`
	AccountStatus int    `json:"accountStatus"`
	DormantStatus int    `json:"dormantStatus"`
	FreezeStatus  int    `json:"freezeStatus"`
	ChangedAt     int64  `json:"changedAt"`
}

func (r StatusChangeResult) AuditEntities() map[string]string {
	return map[string]string{"accountNumber": r.AccountNumber, "status": r.Status}
}

func (s *Service) statusResult(a Account, from string, now time.Time) StatusChangeResult {
	d := s.accountDetails(a, now)
	return StatusChangeResult{AccountNumber: a.Number, FromStatus: from, Status: a.Status, AccountStatus: d.AccountStatus,
		DormantStatus: d.DormantStatus, FreezeStatus: d.FreezeStatus, ChangedAt: now.Unix()}
}

// accountRef reads an account number given as accountNumber or accountId.
func (ck *checker) accountRef(number, id string) string {
	switch {
	case number != "" && id != "" && number != id:
		ck.Add("accountId", services.ReasonConflict, "names another account than accountNumber")
		return ""
	case number == "" && id == "":
		ck.Add("accountNumber", services.ReasonRequired, "give accountNumber (or accountId, the same 15-digit number)")
		return ""
	case number == "":
		number = id
	}
	if !ReAnyAccountNumber.MatchString(number) {
		field := "accountNumber"
		if number == id {
			field = "accountId"
		}
		ck.Add(field, services.ReasonInvalidFormat, AccountNumberFormat)
		return ""
	}
	return number
}

// UpdateAccountStatus changes an account's status along the transition
// table and records the change. Closing is refused with
// ErrCloseNonZeroBalance for an account with money on it and
// ErrClosePoolInUse for the pool of other open accounts.
func (s *Service) UpdateAccountStatus(ctx context.Context, call services.Call, in UpdateAccountStatusInput) (StatusChangeResult, error) {
	var ck checker
	number := ck.accountRef(in.AccountNumber, in.AccountID)
	to := ck.CheckEnum("status", in.Status, true, accountStatuses...)
	reason := ck.CheckReason("reason", in.Reason, true)
	if err := ck.Err(); err != nil {
		return StatusChangeResult{}, fmt.Errorf("update account status: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (StatusChangeResult, error) {
		a, err := tx.LockAccount(ctx, call.PartnerID, AccountLookup{Number: number})
		if err != nil {
			return StatusChangeResult{}, err
		}
		inactive := a.LastActivityAt.Before(s.k.Clock.Now().Add(-s.settings.Dormancy))
		if problem := transitionProblem(a.Status, to, inactive); problem != "" {
			return StatusChangeResult{}, &services.Refusal{Err: ErrInvalidTransition, Detail: problem}
		}
		if to == StatusClosed {
			if err := closable(ctx, tx, a); err != nil {
				return StatusChangeResult{}, err
			}
		}
		from, now := a.Status, s.k.Clock.Now()
		a.Status, a.UpdatedAt = to, now
		if err := s.saveWithHistory(ctx, tx, a, call.KeyID, StatusChange{Event: EventStatusChange, FromStatus: from, Reason: reason}); err != nil {
			return StatusChangeResult{}, err
		}
		return s.statusResult(a, from, now), nil
	})
	if err != nil {
		return StatusChangeResult{}, fmt.Errorf("update account status: %w", err)
	}
	return res, nil
}

// closable refuses to close an account that holds money or pools others.
func closable(ctx context.Context, tx Tx, a Account) error {
	if a.BalanceMinor != 0 {
		return &services.Refusal{Err: ErrCloseNonZeroBalance, Detail: "move the balance out before closing"}
	}
	n, err := tx.OpenSubAccounts(ctx, a.ID)
	if err != nil {
		return err
	}
	if n > 0 {
		return &services.Refusal{Err: ErrClosePoolInUse, Detail: fmt.Sprintf("%d open accounts use it as their activity account", n)}
	}
	return nil
}

// saveWithHistory writes the account's state and one history entry; the
// entry's account, partner, key, target status and time are filled in.
func (s *Service) saveWithHistory(ctx context.Context, tx stateWriter, a Account, keyID string, c StatusChange) error {
	if err := tx.SaveAccountState(ctx, a); err != nil {
		return err
	}
	c.AccountID, c.PartnerID, c.ToStatus, c.KeyID, c.At = a.ID, a.PartnerID, a.Status, keyID, a.UpdatedAt
	if c.FromStatus == "" {
		c.FromStatus = a.Status
	}
	return tx.AppendStatusChange(ctx, c)
}

// Freeze reason codes.
var freezeReasons = []string{"COURT_ORDER", "FRAUD_SUSPECTED", "AML_REVIEW", "CUSTOMER_REQUEST", "LOST_DEVICE", "REGULATORY", "OTHER"}

// FreezeAccountInput is AccountService.FreezeAccount's payload. expiresAt,
// an RFC 3339 time, lifts the freeze by itself; without it the freeze holds
// until UnfreezeAccount.
type FreezeAccountInput struct {
	AccountNumber string `json:"accountNumber" size:"id"`
	AccountID     string `json:"accountId" size:"id"`
	ReasonCode    string `json:"reasonCode" size:"code"`
	Reason        string `json:"reason" size:"reason"`
	ExpiresAt     string `json:"expiresAt" size:"date"`
}

// FreezeAccount freezes an account, independently of its status.
func (s *Service) FreezeAccount(ctx context.Context, call services.Call, in FreezeAccountInput) (StatusChangeResult, error) {
	var ck checker
	now := s.k.Clock.Now()
	number := ck.accountRef(in.AccountNumber, in.AccountID)
	f := Freeze{ReasonCode: ck.CheckEnum("reasonCode", in.ReasonCode, true, freezeReasons...),
		Reason: ck.CheckReason("reason", in.Reason, in.ReasonCode == "OTHER"), At: now}
	if in.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339, in.ExpiresAt)
		switch {
		case err != nil:
			ck.Add("expiresAt", services.ReasonInvalidFormat, "must be an RFC 3339 time, e.g. 2027-01-31T00:00:00Z")
		case !t.After(now):
			ck.Add("expiresAt", services.ReasonInvalidValue, "must be in the future")
		}
		f.ExpiresAt = t.UTC()
	}
	if err := ck.Err(); err != nil {
		return StatusChangeResult{}, fmt.Errorf("freeze account: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (StatusChangeResult, error) {
		a, err := tx.LockAccount(ctx, call.PartnerID, AccountLookup{Number: number})
		switch {
		case err != nil:
			return StatusChangeResult{}, err
		case !a.Open():
			return StatusChangeResult{}, fmt.Errorf("account is %s: %w", a.Status, ErrAccountClosed)
		case a.Frozen(now):
			return StatusChangeResult{}, &services.Refusal{Err: ErrAccountFrozen, Detail: "the account is already frozen; unfreeze it first to change the freeze"}
		}
		if a.Freeze != nil { // an expired freeze the sweep has not lifted yet
			if err := s.liftExpired(ctx, tx, a); err != nil {
				return StatusChangeResult{}, err
			}
		}
		a.Freeze, a.UpdatedAt = &f, now
		reason := f.Reason
		if !f.ExpiresAt.IsZero() {
			reason = strings.TrimSpace(reason + " (until " + f.ExpiresAt.Format(time.RFC3339) + ")")
		}
		if err := s.saveWithHistory(ctx, tx, a, call.KeyID, StatusChange{Event: EventFreeze, ReasonCode: f.ReasonCode, Reason: reason}); err != nil {
			return StatusChangeResult{}, err
		}
		return s.statusResult(a, a.Status, now), nil
	})
	if err != nil {
		return StatusChangeResult{}, fmt.Errorf("freeze account: %w", err)
	}
	return res, nil
}

// UnfreezeAccountInput is AccountService.UnfreezeAccount's payload.
type UnfreezeAccountInput struct {
	AccountNumber string `json:"accountNumber" size:"id"`
	AccountID     string `json:"accountId" size:"id"`
	Reason        string `json:"reason" size:"reason"`
}

// UnfreezeAccount lifts an account's freeze; ErrAccountNotFrozen when none
// is in force.
func (s *Service) UnfreezeAccount(ctx context.Context, call services.Call, in UnfreezeAccountInput) (StatusChangeResult, error) {
	var ck checker
	number := ck.accountRef(in.AccountNumber, in.AccountID)
	reason := ck.CheckReason("reason", in.Reason, true)
	if err := ck.Err(); err != nil {
		return StatusChangeResult{}, fmt.Errorf("unfreeze account: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (StatusChangeResult, error) {
		a, err := tx.LockAccount(ctx, call.PartnerID, AccountLookup{Number: number})
		if err != nil {
			return StatusChangeResult{}, err
		}
		now := s.k.Clock.Now()
		if !a.Frozen(now) {
			return StatusChangeResult{}, ErrAccountNotFrozen
		}
		code := a.Freeze.ReasonCode
		a.Freeze, a.UpdatedAt = nil, now
		if err := s.saveWithHistory(ctx, tx, a, call.KeyID, StatusChange{Event: EventUnfreeze, ReasonCode: code, Reason: reason}); err != nil {
			return StatusChangeResult{}, err
		}
		return s.statusResult(a, a.Status, now), nil
	})
	if err != nil {
		return StatusChangeResult{}, fmt.Errorf("unfreeze account: %w", err)
	}
	return res, nil
}

// liftExpired clears an expired freeze and records its expiry.
func (s *Service) liftExpired(ctx context.Context, tx stateWriter, a Account) error {
	code, expired := a.Freeze.ReasonCode, a.Freeze.ExpiresAt
	a.Freeze, a.UpdatedAt = nil, s.k.Clock.Now()
	return s.saveWithHistory(ctx, tx, a, SystemKeyID, StatusChange{Event: EventFreezeExpired, ReasonCode: code,
		Reason: "freeze expired at " + expired.Format(time.RFC3339)})
}

// GetStatusHistoryInput is AccountService.GetStatusHistory's payload.
type GetStatusHistoryInput struct {
	AccountNumber string `json:"accountNumber" size:"id"`
	AccountID     string `json:"accountId" size:"id"`
	PageNumber    *int   `json:"pageNumber"`
	PageSize      *int   `json:"pageSize"`
}

// StatusHistoryEntry is one change as partners see it.
type StatusHistoryEntry struct {
	Event      string `json:"event"`
	FromStatus string `json:"fromStatus"`
	ToStatus   string `json:"toStatus"`
	ReasonCode string `json:"reasonCode,omitempty"`
	Reason     string `json:"reason"`
	KeyID      string `json:"keyId"`
	At         int64  `json:"at"`
}

// StatusHistoryPage is a page of an account's history, oldest first.
type StatusHistoryPage struct {
	AccountNumber string               `json:"accountNumber"`
	Changes       []StatusHistoryEntry `json:"changes"`
	PageNumber    int                  `json:"pageNumber"`
	PageSize      int                  `json:"pageSize"`
	Total         int                  `json:"total"`
}

// GetStatusHistory returns a page of an account's status changes and freeze
// events, oldest first.
func (s *Service) GetStatusHistory(ctx context.Context, call services.Call, in GetStatusHistoryInput) (StatusHistoryPage, error) {
	var ck checker
	number := ck.accountRef(in.AccountNumber, in.AccountID)
	page, size := ck.Paging("pageNumber", "pageSize", in.PageNumber, in.PageSize)
	if err := ck.Err(); err != nil {
		return StatusHistoryPage{}, fmt.Errorf("get status history: %w", err)
	}
	a, err := s.store.FindAccount(ctx, call.PartnerID, AccountLookup{Number: number})
	if err != nil {
		return StatusHistoryPage{}, fmt.Errorf("get status history: %w", err)
	}
	changes, total, err := s.store.StatusHistory(ctx, a.ID, (page-1)*size, size)
	if err != nil {
		return StatusHistoryPage{}, fmt.Errorf("get status history: %w", err)
	}
	out := StatusHistoryPage{AccountNumber: a.Number, Changes: make([]StatusHistoryEntry, 0, len(changes)), PageNumber: page, PageSize: size, Total: total}
	for _, c := range changes {
		out.Changes = append(out.Changes, StatusHistoryEntry{Event: c.Event, FromStatus: c.FromStatus, ToStatus: c.ToStatus,
			ReasonCode: c.ReasonCode, Reason: c.Reason, KeyID: c.KeyID, At: c.At.Unix()})
	}
	return out, nil
}

// StatusChange is one entry of an account's status history: a status change
// or a freeze event.
type StatusChange struct {
	AccountID  int64
	PartnerID  int64
	Event      string // STATUS_CHANGE, FREEZE, UNFREEZE, FREEZE_EXPIRED
	FromStatus string
	ToStatus   string
	ReasonCode string
	Reason     string
	KeyID      string // the calling key, or "system" for the sweeps
	At         time.Time
}

// Status history events.
const (
	EventStatusChange  = "STATUS_CHANGE"
	EventFreeze        = "FREEZE"
	EventUnfreeze      = "UNFREEZE"
	EventFreezeExpired = "FREEZE_EXPIRED"
)
