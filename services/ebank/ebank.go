package ebank

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/nice"

	"github.com/nyaruka/phonenumbers"
)

// E-banking user statuses. CLOSED is final (CloseMobileAccount).
const (
	UserActive  = "ACTIVE"
	UserLocked  = "LOCKED"
	UserBlocked = "BLOCKED"
	UserClosed  = "CLOSED"
)

// userChannels are where an e-banking user signs in.
var userChannels = []string{"MOBILE", "INTERNET", "IBMB"}

// reUsername is a username: a letter, then 5 to 31 letters, digits, dots,
// underscores or dashes.
var reUsername = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]{5,31}$`)

// EbankUser is a customer's internet and mobile banking (IBMB) user,
// registered with a mobile number.
type EbankUser struct {
	ID         int64
	PartnerID  int64
	CustomerID int64
	Username   string
	Mobile     string // E.164
	Status     string
	Channel    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// EbankUserLookup finds a user by username or by mobile number.
type EbankUserLookup struct {
	Username string
	Mobile   string
}

// UserStatusChange is one entry of a user's status history.
type UserStatusChange struct {
	UserID     int64
	FromStatus string
	ToStatus   string
	Reason     string
	KeyID      string
	At         time.Time
}

// OnboardComboInput is CustomerService.OnboardCombo's payload: a person,
// the e-banking user to register with their mobile number, and the
// currency of their current account.
type OnboardComboInput struct {
	Customer    customer.AddCustomerInput `json:"customer"`
	Username    string                    `json:"username" size:"username"`
	Channel     string                    `json:"channel" size:"code"`
	Currency    string                    `json:"currency" size:"code"`
	AccountName string                    `json:"accountName" size:"name"`
}

// OnboardComboResult names what OnboardCombo created.
type OnboardComboResult struct {
	CustomerID     string `json:"customerID"`
	CustomerNumber string `json:"customerNumber"`
	Username       string `json:"username"`
	UserStatus     string `json:"userStatus"`
	AccountID      string `json:"accountID"`
	AccountNumber  string `json:"accountNumber"`
	AccountType    string `json:"accountType"`
	Currency       string `json:"currency"`
	InstitutionID  string `json:"institutionID"`
}

func (r OnboardComboResult) AuditEntities() map[string]string {
	return map[string]string{"customerId": r.CustomerID, "customerNumber": r.CustomerNumber, "accountId": r.AccountID,
		"accountNumber": r.AccountNumber}
}

// OnboardCombo creates, in one transaction, a customer, its e-banking user
// and a current account: all or nothing. A clash on the username, the
// identification or the phone leaves nothing behind.
func (s *Service) OnboardCombo(ctx context.Context, call services.Call, in OnboardComboInput) (OnboardComboResult, error) {
	c, err := s.customers.NewCustomer(in.Customer)
	var ck checker
	if ve := (*services.ValidationError)(nil); errors.As(err, &ve) {
		for _, f := range ve.Fields {
			ck.Add("customer."+f.Field, f.Reason, f.Message)
		}
	}
	if c.Type != "" && c.Type != customer.CustomerIndividual {
		ck.Add("customer.type", services.ReasonInvalidValue, "must be INDIVIDUAL: e-banking users are people")
	}
	if ck.Required("customer.contact.phoneNumber", in.Customer.Contact.PhoneNumber) && c.Phone != "" && !isMobile(c.Phone) {
		ck.Add("customer.contact.phoneNumber", services.ReasonInvalidValue, "must be a mobile number: the user is registered with it")
	}
	username := CheckUsername(&ck.Checker, in.Username)
	channel := ck.CheckEnum("channel", in.Channel, true, userChannels...)
	if ck.Required("currency", in.Currency) && !services.ValidCurrency(in.Currency) {
		ck.Add("currency", services.ReasonInvalidValue, "must be an ISO 4217 currency code in use, in upper case (e.g. VND)")
	}
	name := ck.CheckName("accountName", in.AccountName, false)
	if err := ck.Err(); err != nil {
		return OnboardComboResult{}, fmt.Errorf("onboard combo: %w", err)
	}
	c.PartnerID = call.PartnerID
	if name == "" {
		name = strings.ToUpper(c.FirstName + " " + c.LastName)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (OnboardComboResult, error) {
		if err := customer.RefuseBlacklisted(ctx, tx, call.PartnerID, customer.CustomerKeys(c.Identifications, c.Phone)); err != nil {
			return OnboardComboResult{}, err
		}
		if err := s.customers.InsertCustomer(ctx, tx, &c); err != nil {
			return OnboardComboResult{}, err
		}
		now := s.k.Clock.Now()
		u := EbankUser{PartnerID: call.PartnerID, CustomerID: c.ID, Username: username, Mobile: c.Phone, Status: UserActive,
			Channel: channel, CreatedAt: now, UpdatedAt: now}
		if err := s.InsertUser(ctx, tx, &u); err != nil {
			return OnboardComboResult{}, err
		}
		a := account.Account{PartnerID: call.PartnerID, CustomerID: c.ID, Name: name, Type: account.AccountChecking, Currency: in.Currency,
			Status: account.StatusActive, CreatedAt: now, UpdatedAt: now}
		if err := s.accounts.InsertAccount(ctx, tx, &a); err != nil {
			return OnboardComboResult{}, err
		}
		return OnboardComboResult{CustomerID: services.FormatID(c.ID), CustomerNumber: c.Number, Username: u.Username, UserStatus: u.Status,
			AccountID: services.FormatID(a.ID), AccountNumber: a.Number, AccountType: a.Type, Currency: a.Currency,
			InstitutionID: s.settings.InstitutionID}, nil
	})
	if err != nil {
		return OnboardComboResult{}, fmt.Errorf("onboard combo: %w", err)
	}
	return res, nil
}

// insertUser draws the user's ID and inserts it, drawing again on a collision.
func (s *Service) InsertUser(ctx context.Context, t services.Tx, u *EbankUser) error {
	tx := services.As[Tx](t)
	for range services.MaxDraws {
		id, err := services.RandomNumber(s.k.Random, 12)
		if err != nil {
			return err
		}
		u.ID = id
		if err = tx.InsertEbankUser(ctx, *u); !errors.Is(err, services.ErrNumberTaken) {
			return err
		}
	}
	return fmt.Errorf("insert e-banking user: %w", services.ErrNumberTaken)
}

func CheckUsername(ck *services.Checker, v string) string {
	if ck.Required("username", v) && !reUsername.MatchString(v) {
		ck.Add("username", services.ReasonInvalidFormat, "must be 6 to 32 letters, digits, dots, underscores or dashes, starting with a letter")
	}
	return v
}

// isMobile reports whether an E.164 number is a mobile number (the
// allow-listed ranges included).
func isMobile(e164 string) bool {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return false
	}
	if services.AllowListed(num) {
		return true
	}
	t := phonenumbers.GetNumberType(num)
	return t == phonenumbers.MOBILE || t == phonenumbers.FIXED_LINE_OR_MOBILE
}

// OpenCurrentAccountInput is CustomerService.OpenCurrentAccount's payload:
// a current account for an existing customer.
type OpenCurrentAccountInput struct {
	CustomerID  string `json:"customerID" size:"id"`
	Currency    string `json:"currency" size:"code"`
	AccountName string `json:"accountName" size:"name"`
	// AccountNumber is a nice number the customer holds.
	AccountNumber string `json:"accountNumber" size:"id"`
}

// OpenCurrentAccount opens a current (CHECKING) account for an existing
// customer, named after the customer unless accountName is given.
func (s *Service) OpenCurrentAccount(ctx context.Context, call services.Call, in OpenCurrentAccountInput) (account.AddAccountResult, error) {
	var ck checker
	id, ok := services.ParseID(in.CustomerID)
	if ck.Required("customerID", in.CustomerID) && !ok {
		ck.Add("customerID", services.ReasonInvalidFormat, "must be a numeric customer ID")
	}
	if ck.Required("currency", in.Currency) && !services.ValidCurrency(in.Currency) {
		ck.Add("currency", services.ReasonInvalidValue, "must be an ISO 4217 currency code in use, in upper case (e.g. VND)")
	}
	name := ck.CheckName("accountName", in.AccountName, false)
	if in.AccountNumber != "" {
		nice.CheckNumber(&ck.Checker, "accountNumber", in.AccountNumber)
	}
	if err := ck.Err(); err != nil {
		return account.AddAccountResult{}, fmt.Errorf("open current account: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (account.AddAccountResult, error) {
		now := s.k.Clock.Now()
		a := account.Account{PartnerID: call.PartnerID, CustomerID: id, Name: name, Type: account.AccountChecking, Currency: in.Currency,
			Status: account.StatusActive, CreatedAt: now, UpdatedAt: now}
		if err := s.accounts.CheckAccountParties(ctx, tx, &a, ""); err != nil {
			return account.AddAccountResult{}, err
		}
		if err := s.accounts.UseNiceHold(ctx, tx, &a, in.AccountNumber); err != nil {
			return account.AddAccountResult{}, err
		}
		if a.Name == "" {
			c, err := tx.AccountHolder(ctx, id)
			if err != nil {
				return account.AddAccountResult{}, err
			}
			a.Name = account.HolderName(a, c)
			if c.Type == customer.CustomerIndividual {
				a.Name = strings.ToUpper(a.Name)
			}
		}
		if err := s.accounts.InsertAccount(ctx, tx, &a); err != nil {
			return account.AddAccountResult{}, err
		}
		return account.AddAccountResult{ID: services.FormatID(a.ID), Status: a.Status, AccountNumber: a.Number, AccountType: a.Type,
			InstitutionID: s.settings.InstitutionID, CustomerID: services.FormatID(a.CustomerID)}, nil
	})
	if err != nil {
		return account.AddAccountResult{}, fmt.Errorf("open current account: %w", err)
	}
	return res, nil
}

// UsernameInput names an e-banking user.
type UsernameInput struct {
	Username string `json:"username" size:"username"`
}

// UserInfo is an e-banking user as partners see it, with its status history.
type UserInfo struct {
	Username   string           `json:"username"`
	CustomerID string           `json:"customerID"`
	Mobile     string           `json:"mobile"`
	Status     string           `json:"status"`
	Channel    string           `json:"channel"`
	CreateTime int64            `json:"createTime"`
	History    []UserHistoryRow `json:"history"`
}

// UserHistoryRow is one status change of a user.
type UserHistoryRow struct {
	FromStatus string `json:"fromStatus"`
	ToStatus   string `json:"toStatus"`
	Reason     string `json:"reason"`
	KeyID      string `json:"keyId"`
	At         int64  `json:"at"`
}

// GetUserInfo returns the partner's e-banking user by username.
func (s *Service) GetUserInfo(ctx context.Context, call services.Call, in UsernameInput) (UserInfo, error) {
	var ck checker
	ck.Required("username", in.Username)
	if err := ck.Err(); err != nil {
		return UserInfo{}, fmt.Errorf("get user info: %w", err)
	}
	u, err := s.store.FindEbankUser(ctx, call.PartnerID, EbankUserLookup{Username: in.Username})
	if err != nil {
		return UserInfo{}, fmt.Errorf("get user info: %w", err)
	}
	changes, err := s.store.EbankUserHistory(ctx, u.ID)
	if err != nil {
		return UserInfo{}, fmt.Errorf("get user info: %w", err)
	}
	out := UserInfo{Username: u.Username, CustomerID: services.FormatID(u.CustomerID), Mobile: u.Mobile, Status: u.Status,
		Channel: u.Channel, CreateTime: u.CreatedAt.Unix(), History: make([]UserHistoryRow, 0, len(changes))}
	for _, c := range changes {
		out.History = append(out.History, UserHistoryRow{FromStatus: c.FromStatus, ToStatus: c.ToStatus, Reason: c.Reason, KeyID: c.KeyID, At: c.At.Unix()})
	}
	return out, nil
}

// UpdateUserStatusInput is UserService.UpdateUserStatus's payload.
type UpdateUserStatusInput struct {
	Username string `json:"username" size:"username"`
	Status   string `json:"status" size:"code"`
	Reason   string `json:"reason" size:"reason"`
}

// UserStatusResult is a user's status after a change.
type UserStatusResult struct {
	Username   string `json:"username"`
	FromStatus string `json:"fromStatus"`
	Status     string `json:"status"`
}

func (r UserStatusResult) AuditEntities() map[string]string {
	return map[string]string{"username": r.Username, "status": r.Status}
}

// UpdateUserStatus locks, blocks or reactivates an e-banking user, recording
// the change; a CLOSED user stays closed.
func (s *Service) UpdateUserStatus(ctx context.Context, call services.Call, in UpdateUserStatusInput) (UserStatusResult, error) {
	var ck checker
	ck.Required("username", in.Username)
	to := ck.CheckEnum("status", in.Status, true, UserActive, UserLocked, UserBlocked)
	reason := ck.CheckReason("reason", in.Reason, true)
	if err := ck.Err(); err != nil {
		return UserStatusResult{}, fmt.Errorf("update user status: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (UserStatusResult, error) {
		return s.setUserStatus(ctx, tx, call, in.Username, to, reason)
	})
	if err != nil {
		return UserStatusResult{}, fmt.Errorf("update user status: %w", err)
	}
	return res, nil
}

func (s *Service) setUserStatus(ctx context.Context, tx Tx, call services.Call, username, to, reason string) (UserStatusResult, error) {
	u, err := tx.LockEbankUser(ctx, call.PartnerID, EbankUserLookup{Username: username})
	switch {
	case err != nil:
		return UserStatusResult{}, err
	case u.Status == UserClosed:
		return UserStatusResult{}, ErrUserClosed
	case u.Status == to:
		return UserStatusResult{}, &services.Refusal{Err: ErrUserStatusUnchanged, Detail: "the user is already " + to}
	}
	c := UserStatusChange{UserID: u.ID, FromStatus: u.Status, ToStatus: to, Reason: reason, KeyID: call.KeyID, At: s.k.Clock.Now()}
	if err := tx.SetEbankUserStatus(ctx, c); err != nil {
		return UserStatusResult{}, err
	}
	return UserStatusResult{Username: u.Username, FromStatus: c.FromStatus, Status: to}, nil
}

// CloseMobileResult is what CloseMobileAccount returns: the user, now
// CLOSED, and the customer's bank accounts, which stay open.
type CloseMobileResult struct {
	Username     string   `json:"username"`
	Status       string   `json:"status"`
	OpenAccounts []string `json:"openAccounts"`
}

func (r CloseMobileResult) AuditEntities() map[string]string {
	return map[string]string{"username": r.Username, "status": r.Status}
}

// CloseMobileAccount closes an e-banking user for good (the seed's
// close-izi-mobile-acct); the customer's bank accounts stay as they are.
func (s *Service) CloseMobileAccount(ctx context.Context, call services.Call, in UsernameInput) (CloseMobileResult, error) {
	var ck checker
	ck.Required("username", in.Username)
	if err := ck.Err(); err != nil {
		return CloseMobileResult{}, fmt.Errorf("close mobile account: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (CloseMobileResult, error) {
		st, err := s.setUserStatus(ctx, tx, call, in.Username, UserClosed, "closed by CloseMobileAccount")
		if err != nil {
			return CloseMobileResult{}, err
		}
		u, err := tx.FindEbankUser(ctx, call.PartnerID, EbankUserLookup{Username: in.Username})
		if err != nil {
			return CloseMobileResult{}, err
		}
		accounts, err := tx.ListCustomerAccounts(ctx, call.PartnerID, u.CustomerID)
		if err != nil {
			return CloseMobileResult{}, err
		}
		out := CloseMobileResult{Username: st.Username, Status: UserClosed, OpenAccounts: []string{}}
		for _, a := range accounts {
			if a.Status != account.StatusClosed {
				out.OpenAccounts = append(out.OpenAccounts, a.Number)
			}
		}
		return out, nil
	})
	if err != nil {
		return CloseMobileResult{}, fmt.Errorf("close mobile account: %w", err)
	}
	return res, nil
}

// ValidateMobileUserInput is CustomerService.ValidateMobileUser's payload.
type ValidateMobileUserInput struct {
	PhoneNumber string `json:"phoneNumber" size:"phone"`
}

// MobileUserResult says whether an e-banking user is registered with a
// number, and its status.
type MobileUserResult struct {
	PhoneNumber string `json:"phoneNumber"`
	Registered  bool   `json:"registered"`
	Username    string `json:"username,omitempty"`
	Status      string `json:"status,omitempty"`
}

// ValidateMobileUser says whether an e-banking user of the partner is
// registered with the number (a CLOSED one counts only when no other is).
func (s *Service) ValidateMobileUser(ctx context.Context, call services.Call, in ValidateMobileUserInput) (MobileUserResult, error) {
	var ck checker
	ck.Required("phoneNumber", in.PhoneNumber)
	phone := ck.CheckPhone("phoneNumber", in.PhoneNumber, s.settings.PhoneRegion)
	if err := ck.Err(); err != nil {
		return MobileUserResult{}, fmt.Errorf("validate mobile user: %w", err)
	}
	u, err := s.store.FindEbankUser(ctx, call.PartnerID, EbankUserLookup{Mobile: phone})
	switch {
	case errors.Is(err, ErrUserNotFound):
		return MobileUserResult{PhoneNumber: phone}, nil
	case err != nil:
		return MobileUserResult{}, fmt.Errorf("validate mobile user: %w", err)
	}
	return MobileUserResult{PhoneNumber: phone, Registered: true, Username: u.Username, Status: u.Status}, nil
}
