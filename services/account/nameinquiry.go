package account

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
)

// BRI response codes carried in refusals of name inquiries (data.briCode).
const (
	briEmptyBankCode     = "0001"
	briBankCodeNumeric   = "0003"
	briEmptyAccount      = "0004"
	briAccountNumeric    = "0006"
	briAccountLength     = "0008"
	briWrongCurrency     = "0105"
	briNotFound          = "0110"
	briClosed            = "0618"
	briPassive           = "0619"
	briNotPool           = "0620"
	briDormant           = "0621"
	briVirtualAccount    = "0622"
	briLoanAccount       = "0623"
	briDepositAccount    = "0624"
	briNotThisBank       = "0110"
	briUnknownFieldError = "0002"
)

// AdditionalInfo is the BRI seed's optional device and channel, echoed back.
type AdditionalInfo struct {
	DeviceID string `json:"deviceId,omitempty" size:"token"`
	Channel  string `json:"channel,omitempty" size:"token"`
}

// ValidateNameInput is AccountService.ValidateName's payload (BRI's account
// name validation). currency, when given, is the currency the sender will
// pay in.
type ValidateNameInput struct {
	BankCode       string          `json:"bankCode" size:"code"`
	AccountNumber  string          `json:"accountNumber" size:"id"`
	Currency       string          `json:"currency" size:"code"`
	AdditionalInfo *AdditionalInfo `json:"additionalInfo"`
}

// ValidateNameResult is BRI's data object.
type ValidateNameResult struct {
	AccountNo      string          `json:"accountNo"`
	AccountName    string          `json:"accountName"`
	BankCode       string          `json:"bankCode"`
	AdditionalInfo *AdditionalInfo `json:"additionalInfo,omitempty"`
}

// ValidateName answers a name inquiry for any account of the bank, whoever
// owns it, and records it in the audit trail, refusals included. Refusals
// carry BRI's response code. It is a read: the lookups run on the read
// pool and the audit row is written later, with other inquiries' rows
// (services.Kernel.AuditLater).
func (s *Service) ValidateName(ctx context.Context, call services.Call, in ValidateNameInput) (ValidateNameResult, error) {
	if err := s.checkNameInquiry(in); err != nil {
		// Refused inquiries are audited too; if that fails, the refusal
		// still stands and is answered.
		_ = s.k.AuditLater(ctx, call, nil, services.AuditRefused+services.RefusalReason(err))
		return ValidateNameResult{}, fmt.Errorf("validate name: %w", err)
	}
	res, refusal, err := s.nameInquiry(ctx, s.store, in)
	if err != nil {
		return ValidateNameResult{}, fmt.Errorf("validate name: %w", err)
	}
	outcome := services.AuditOK
	if refusal != nil {
		outcome = services.AuditRefused + services.RefusalReason(refusal)
	}
	if err := s.k.AuditLater(ctx, call, map[string]string{"accountNumber": in.AccountNumber}, outcome); err != nil {
		return ValidateNameResult{}, fmt.Errorf("validate name: %w", err)
	}
	if refusal != nil {
		return ValidateNameResult{}, fmt.Errorf("validate name: %w", refusal)
	}
	return res, nil
}

// checkNameInquiry checks the fields, with BRI's code for the first problem.
func (s *Service) checkNameInquiry(in ValidateNameInput) error {
	var ck checker
	var codes []string
	fail := func(field, reason, msg, code string) {
		ck.Add(field, reason, msg)
		codes = append(codes, code)
	}
	switch {
	case strings.TrimSpace(in.BankCode) == "":
		fail("bankCode", services.ReasonRequired, "is required", briEmptyBankCode)
	case strings.Trim(in.BankCode, "0123456789") != "":
		fail("bankCode", services.ReasonInvalidFormat, "must be digits only", briBankCodeNumeric)
	case in.BankCode != s.settings.BankCode:
		fail("bankCode", services.ReasonInvalidValue, "is not this bank's code", briNotThisBank)
	}
	switch {
	case strings.TrimSpace(in.AccountNumber) == "":
		fail("accountNumber", services.ReasonRequired, "is required", briEmptyAccount)
	case strings.Trim(in.AccountNumber, "0123456789") != "":
		fail("accountNumber", services.ReasonInvalidFormat, "must be digits only", briAccountNumeric)
	case len(in.AccountNumber) != 15:
		fail("accountNumber", services.ReasonInvalidFormat, "must be the 15-digit account number", briAccountLength)
	}
	if in.Currency != "" && !services.ValidCurrency(in.Currency) {
		fail("currency", services.ReasonInvalidValue, "must be an ISO 4217 currency code in upper case (e.g. IDR)", briUnknownFieldError)
	}
	if in.AdditionalInfo != nil {
		ck.CheckText("additionalInfo.deviceId", in.AdditionalInfo.DeviceID, services.MaxTokenLength)
		ck.CheckText("additionalInfo.channel", in.AdditionalInfo.Channel, services.MaxTokenLength)
	}
	if err := ck.Err(); err != nil {
		code := briUnknownFieldError
		if len(codes) > 0 {
			code = codes[0]
		}
		return &services.Refusal{Err: err, SchemeCode: code}
	}
	return nil
}

// nameInquiry looks the account up in db (the read pool) and decides;
// refusal is the answer when the account cannot receive, err a failure of
// the lookup itself.
func (s *Service) nameInquiry(ctx context.Context, db inquiryReader, in ValidateNameInput) (res ValidateNameResult, refusal, err error) {
	a, err := db.FindAccountAnyPartner(ctx, in.AccountNumber)
	if err != nil {
		if refusal = notFoundRefusal(err); refusal != nil {
			return res, refusal, nil
		}
		return res, nil, err
	}
	if refusal, err = s.receivable(ctx, db, a, in.Currency); err != nil || refusal != nil {
		return res, refusal, err
	}
	holder, err := db.AccountHolder(ctx, a.CustomerID)
	if err != nil {
		return res, nil, err
	}
	return ValidateNameResult{AccountNo: a.Number, AccountName: HolderName(a, holder), BankCode: in.BankCode,
		AdditionalInfo: in.AdditionalInfo}, nil, nil
}

func notFoundRefusal(err error) error {
	if errors.Is(err, ErrAccountNotFound) {
		return &services.Refusal{Err: ErrAccountNotFound, SchemeCode: briNotFound}
	}
	return nil
}

// receivable says why an account cannot receive a transfer, or nil.
func (s *Service) receivable(ctx context.Context, db inquiryReader, a Account, currency string) (refusal, err error) {
	refuse := func(err error, code, detail string) (error, error) {
		return &services.Refusal{Err: err, SchemeCode: code, Detail: detail}, nil
	}
	switch a.Status {
	case StatusClosed:
		return refuse(ErrAccountClosed, briClosed, "")
	case StatusDormant:
		return refuse(ErrAccountDormant, briDormant, "")
	case StatusSuspended, StatusDisabled:
		return refuse(ErrAccountPassive, briPassive, "the account is "+a.Status)
	case StatusBlocked:
		return refuse(ErrAccountBlocked, briPassive, "")
	}
	if a.Frozen(s.k.Clock.Now()) {
		return refuse(ErrAccountFrozen, briPassive, "")
	}
	switch {
	case a.Type == AccountGL:
		return refuse(ErrAccountCannotReceive, briNotPool, "a general-ledger account")
	case a.Type == AccountCreditCard:
		return refuse(ErrAccountCannotReceive, briLoanAccount, "a loan (credit card) account")
	case a.Type == AccountMoneyMarket:
		return refuse(ErrAccountCannotReceive, briDepositAccount, "a deposit (money market) account")
	case a.ActivityAccountID != 0:
		return refuse(ErrAccountCannotReceive, briVirtualAccount, "a virtual account (a sub-account under a pool): name inquiry does not cover virtual accounts")
	}
	n, err := db.OpenSubAccounts(ctx, a.ID)
	switch {
	case err != nil:
		return nil, err
	case n > 0:
		return refuse(ErrAccountCannotReceive, briNotPool, "a pool account holding open sub-accounts")
	case currency != "" && currency != a.Currency:
		return refuse(services.ErrCurrencyMismatch, briWrongCurrency, "")
	}
	return nil, nil
}

// holderName is the name a payer sees: a person's full name, or for a
// business the account's name when it carries the business name (an SME
// sub-account), else the business name.
func HolderName(a Account, c customer.Customer) string {
	if c.Type == customer.CustomerIndividual {
		return strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	if strings.HasPrefix(a.Name, c.BusinessNameLegal) {
		return a.Name
	}
	return c.BusinessNameLegal
}
