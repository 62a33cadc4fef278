package rpc

import (
	"context"
	"net/http"

	"github.com/accountd/accountd/services"
)

// methodInfo describes a method beyond what gorilla/rpc knows.
type methodInfo struct {
	// mutates marks methods that change data: they are idempotent per
	// request id, and are not executed as notifications.
	mutates bool
	// summary is the method's one-line summary in the OpenRPC document.
	summary string
	// upload marks methods that take pictures: a single request to them may
	// use Options.MaxUploadBodyBytes.
	upload bool
	// cost is how many units of the partner's rate limit a call takes by
	// default (zero: one); Options.Costs overrides it. See DefaultCosts.
	cost int
	// required lists the payload members the method refuses to go without
	// (REQUIRED when missing); a test proves each against the method.
	required []string
	// errors lists the errors of the error table the method itself may
	// return, beyond those every method shares (envelopeErrors).
	errors []error
}

// methodTable lists every method the server answers. NewHandler checks that
// each is registered with gorilla/rpc, and a test checks the converse.
var methodTable = map[string]methodInfo{
	"CustomerService.AddCustomer": {mutates: true, summary: "Create an individual or business customer",
		required: []string{"type", "identification", "contact"},
		errors:   []error{services.ErrBlacklisted, services.ErrEmailExists, services.ErrIdentificationExists, services.ErrPhoneExists}},
	"CustomerService.GetCustomer": {summary: "Find a customer by one criterion, with its accounts",
		errors: []error{services.ErrCustomerNotFound}},
	"CustomerService.AddAccount": {mutates: true, summary: "Open an account for a customer",
		required: []string{"customerID", "name", "accountType", "currency"},
		errors:   []error{services.ErrAccountNotFound, services.ErrActivityAccountCurrency, services.ErrActivityAccountNotFound, services.ErrActivityAccountNotOpen, services.ErrBlacklisted, services.ErrCurrencyMismatch, services.ErrCustodialCustomerNotFound, services.ErrCustomerNotActive, services.ErrCustomerNotFound, services.ErrNiceHoldNotFound, services.ErrNiceNumberTaken}},
	"AccountService.GetDetails": {summary: "Return one account",
		errors: []error{services.ErrAccountNotFound}},
	"AccountService.ListAccounts": {summary: "Return a page of a customer's accounts",
		required: []string{"customerID"},
		errors:   []error{services.ErrCustomerNotFound}},

	"AccountService.UpdateAccountStatus": {mutates: true, summary: "Change an account's status along the transition table",
		required: []string{"status", "reason"},
		errors:   []error{services.ErrAccountNotFound, services.ErrCloseNonZeroBalance, services.ErrClosePoolInUse, services.ErrInvalidTransition}},
	"AccountService.GetStatusHistory": {summary: "Return a page of an account's status changes and freeze events",
		errors: []error{services.ErrAccountNotFound}},
	"AccountService.FreezeAccount": {mutates: true, summary: "Freeze an account, with a reason and an optional expiry",
		required: []string{"reasonCode"},
		errors:   []error{services.ErrAccountClosed, services.ErrAccountFrozen, services.ErrAccountNotFound}},
	"AccountService.UnfreezeAccount": {mutates: true, summary: "Lift an account's freeze",
		required: []string{"reason"},
		errors:   []error{services.ErrAccountNotFound, services.ErrAccountNotFrozen}},
	"AccountService.ActivateAccount": {mutates: true, summary: "Start reactivating a DORMANT account; confirmed with the customer's code",
		errors: []error{services.ErrAccountFrozen, services.ErrAccountNotDormant, services.ErrAccountNotFound, services.ErrCustomerNotFound, services.ErrNoVerifiedContact, services.ErrOTPOperationLimit}},
	"AccountService.CancelOperation": {mutates: true, summary: "Cancel an operation that waits for its code",
		required: []string{"requestId"},
		errors:   []error{services.ErrOnboardingExpired, services.ErrOnboardingNotFound, services.ErrOperationCancelled, services.ErrOperationCompleted, services.ErrOperationExpired, services.ErrOperationFailed, services.ErrOperationNotFound}},
	"AccountService.ApplyShortCode": {mutates: true, summary: "Give an account its short code",
		required: []string{"accountId"},
		errors:   []error{services.ErrAccountClosed, services.ErrAccountNotFound, services.ErrShortCodeExists}},
	"AccountService.GetShortCode": {summary: "Return an account's short code",
		required: []string{"accountId"},
		errors:   []error{services.ErrAccountNotFound, services.ErrShortCodeNotFound}},
	"AccountService.GetAccountByShortCode": {summary: "Return the account holding a short code",
		required: []string{"shortCode"},
		errors:   []error{services.ErrAccountNotFound, services.ErrShortCodeNotFound}},
	"AccountService.ListAbnormalAccounts": {summary: "Return a page of the partner's accounts that are not ACTIVE or are frozen",
		required: []string{"pageNo", "pageSize"}},
	"AccountService.EditSubAccountName": {mutates: true, summary: "Name a business customer's account <business name>_<sub-account name>",
		required: []string{"accountId"},
		errors:   []error{services.ErrAccountClosed, services.ErrAccountNotFound, services.ErrCustomerNotFound, services.ErrNotBusinessAccount}},
	"AccountService.ValidateName": {summary: "Name inquiry: the holder's name of any account of the bank, or why it cannot receive",
		required: []string{"bankCode", "accountNumber"},
		errors:   []error{services.ErrAccountBlocked, services.ErrAccountCannotReceive, services.ErrAccountClosed, services.ErrAccountDormant, services.ErrAccountFrozen, services.ErrAccountNotFound, services.ErrAccountPassive, services.ErrCurrencyMismatch, services.ErrCustomerNotFound}},

	"CustomerService.ValidateLegalID": {summary: "Check an identity document number for real and say what it reads",
		required: []string{"type", "number"}},
	"CustomerService.ValidatePhoneNumber": {summary: "Say what a phone number is: E.164, country, carrier, line type, blacklisted or a customer's",
		required: []string{"phoneNumber"}},
	"CustomerService.ValidateEKYC": {cost: 2, summary: "Run every onboarding check at once: age, document, phone, blacklist, already a customer",
		required: []string{"firstName", "lastName", "DOB", "identification", "phoneNumber"}},
	"CustomerService.ValidateMobileUser": {summary: "Whether an e-banking user is registered with a mobile number, and its status",
		required: []string{"phoneNumber"},
		errors:   []error{services.ErrUserNotFound}},
	"CustomerService.OpenCurrentAccount": {mutates: true, summary: "Open a current account for an existing customer",
		required: []string{"customerID", "currency"},
		errors:   []error{services.ErrAccountNotFound, services.ErrActivityAccountCurrency, services.ErrActivityAccountNotFound, services.ErrActivityAccountNotOpen, services.ErrBlacklisted, services.ErrCurrencyMismatch, services.ErrCustodialCustomerNotFound, services.ErrCustomerNotActive, services.ErrCustomerNotFound, services.ErrNiceHoldNotFound, services.ErrNiceNumberTaken}},
	"CustomerService.OnboardCombo": {mutates: true, summary: "Create a customer, its e-banking user and a current account, all or nothing",
		required: []string{"customer", "username", "channel", "currency"},
		errors:   []error{services.ErrBlacklisted, services.ErrCustomerHasUser, services.ErrEmailExists, services.ErrIdentificationExists, services.ErrNiceNumberTaken, services.ErrPhoneExists, services.ErrUsernameExists}},
	"UserService.GetUserInfo": {summary: "Return an e-banking user with its status history",
		required: []string{"username"},
		errors:   []error{services.ErrUserNotFound}},
	"UserService.UpdateUserStatus": {mutates: true, summary: "Lock, block or reactivate an e-banking user",
		required: []string{"username", "status", "reason"},
		errors:   []error{services.ErrUserClosed, services.ErrUserNotFound, services.ErrUserStatusUnchanged}},
	"UserService.CloseMobileAccount": {mutates: true, summary: "Close an e-banking user for good; the bank accounts stay open",
		required: []string{"username"},
		errors:   []error{services.ErrUserClosed, services.ErrUserNotFound, services.ErrUserStatusUnchanged}},
	"AccountService.SearchNiceNumbers": {cost: 10, summary: "A page of available nice numbers matching a pattern or a category, with their fees",
		errors: []error{services.ErrCustomerNotFound}},
	"AccountService.CheckNiceNumber": {summary: "Whether a nice number is available, what makes it beautiful and its fee",
		required: []string{"number"},
		errors:   []error{services.ErrCustomerNotFound}},
	"AccountService.HoldNiceNumber": {mutates: true, summary: "Hold a nice number for a customer until the hold expires",
		required: []string{"number", "customerID"},
		errors:   []error{services.ErrBlacklisted, services.ErrCustomerNotActive, services.ErrCustomerNotFound, services.ErrNiceNumberHeld, services.ErrNiceNumberReserved, services.ErrNiceNumberTaken}},
	"AccountService.ReleaseNiceNumber": {mutates: true, summary: "Give up the partner's hold of a nice number",
		required: []string{"number"},
		errors:   []error{services.ErrNiceHoldNotFound}},
	"CustomerService.UpdateBlacklist": {mutates: true, summary: "Add identities or phone numbers to the partner's blacklist, or remove them",
		required: []string{"action", "reason"},
		errors:   []error{services.ErrCustomerNotFound}},
	"CustomerService.UpdateProtectAgreement": {mutates: true, summary: "Record a change of a customer's data-sharing consent",
		required: []string{"customerID", "agreed", "version", "channel"},
		errors:   []error{services.ErrCustomerNotFound}},
	"CustomerService.AddOrUpdateEmail": {mutates: true, summary: "Start setting a customer's e-mail; it takes effect when its code is confirmed",
		required: []string{"onboardType", "personalIdType", "documentNumber", "email"},
		errors:   []error{services.ErrContactAlreadyVerified, services.ErrCustomerNotActive, services.ErrCustomerNotFound, services.ErrEmailExists, services.ErrOTPOperationLimit}},
	"CustomerService.ChangeMobile": {mutates: true, summary: "Start changing a customer's mobile number: codes to the old and the new number",
		required: []string{"accountId"},
		errors:   []error{services.ErrAccountClosed, services.ErrAccountNotFound, services.ErrBlacklisted, services.ErrCustomerNotActive, services.ErrCustomerNotFound, services.ErrMobileChangeLimit, services.ErrNoVerifiedContact, services.ErrOTPOperationLimit, services.ErrPhoneExists}},
	"CustomerService.ConfirmMobileChange": {mutates: true, summary: "Complete a mobile change with both codes",
		required: []string{"requestId", "proveIdCode", "confirmChangeCode"},
		errors:   []error{services.ErrAccountFrozen, services.ErrAccountNotDormant, services.ErrAccountNotFound, services.ErrBlacklisted, services.ErrContactMissing, services.ErrCustomerNotFound, services.ErrNiceNumberTaken, services.ErrNotMobileChange, services.ErrOnboardingExpired, services.ErrOnboardingNotFound, services.ErrOnboardingState, services.ErrOperationCancelled, services.ErrOperationCompleted, services.ErrOperationExpired, services.ErrOperationFailed, services.ErrOperationNotFound, services.ErrPhoneExists, services.ErrUseConfirmMobileChange, services.ErrWrongOTP}},

	"OnboardingService.GetFatcaQuestions": {summary: "The seven FATCA (US indicia) questions, in Vietnamese and English"},
	"OnboardingService.InitCustomerInfo": {mutates: true, cost: 2, summary: "Open an eKYC onboarding package and run every check of the person's data",
		required: []string{"firstName", "lastName", "DOB", "gender", "identification", "contact", "address", "username", "fatcaAnswers"},
		errors:   []error{services.ErrAccountNotFound, services.ErrCustomerNotFound, services.ErrOnboardingChecksFailed, services.ErrOnboardingInProgress, services.ErrOnboardingNotFound, services.ErrUserNotFound, services.ErrUsernameExists}},
	"OnboardingService.SubmitFatcaDeclaration": {mutates: true, summary: "Give the W-9 or W-8BEN of an applicant who answered yes to a FATCA question",
		required: []string{"onboardingId", "form", "signedBy", "signedDate"},
		errors:   []error{services.ErrAccountNotFound, services.ErrCustomerNotFound, services.ErrFatcaFormNotAllowed, services.ErrOnboardingExpired, services.ErrOnboardingNotFound, services.ErrOnboardingState, services.ErrOperationNotFound}},
	"OnboardingService.UploadIDCard": {mutates: true, upload: true, cost: 20, summary: "Upload one side of the identity card and check it",
		required: []string{"onboardingId", "side", "format", "image"},
		errors:   []error{services.ErrOnboardingExpired, services.ErrOnboardingNotFound, services.ErrOnboardingState, services.ErrOperationNotFound, services.ErrPictureRejected}},
	"OnboardingService.UploadPortrait": {mutates: true, upload: true, cost: 20, summary: "Upload the applicant's portrait and check it",
		required: []string{"onboardingId", "format", "image"},
		errors:   []error{services.ErrOnboardingExpired, services.ErrOnboardingNotFound, services.ErrOnboardingState, services.ErrOperationNotFound, services.ErrPictureRejected}},
	"OnboardingService.InitAuthen": {mutates: true, summary: "Send the applicant's one-time code once every step has passed (Init Authen Open Package)",
		required: []string{"onboardingId"},
		errors:   []error{services.ErrAuthSendLimit, services.ErrOTPOperationLimit, services.ErrOnboardingExpired, services.ErrOnboardingNotFound, services.ErrOnboardingState, services.ErrOperationNotFound}},
	"OnboardingService.GetStatus": {summary: "An onboarding package's state, every check, what is missing and what it opened",
		required: []string{"onboardingId"},
		errors:   []error{services.ErrAccountNotFound, services.ErrCustomerNotFound, services.ErrOnboardingNotFound}},

	"VerificationService.ConfirmOTP": {mutates: true, summary: "Complete a pending operation with its one-time code",
		required: []string{"requestId", "otp"},
		errors:   []error{services.ErrAccountFrozen, services.ErrAccountNotDormant, services.ErrAccountNotFound, services.ErrBlacklisted, services.ErrContactMissing, services.ErrCustomerHasUser, services.ErrCustomerNotFound, services.ErrEmailExists, services.ErrIdentificationExists, services.ErrNiceNumberTaken, services.ErrNotMobileChange, services.ErrOnboardingExpired, services.ErrOnboardingNotFound, services.ErrOnboardingState, services.ErrOperationCancelled, services.ErrOperationCompleted, services.ErrOperationExpired, services.ErrOperationFailed, services.ErrOperationNotFound, services.ErrPhoneExists, services.ErrUseConfirmMobileChange, services.ErrUsernameExists, services.ErrWrongOTP}},
	"VerificationService.VerifyEmailAddress": {mutates: true, summary: "Send a code to the customer's e-mail to verify it",
		required: []string{"onboardType", "personalIdType", "documentNumber"},
		errors:   []error{services.ErrContactAlreadyVerified, services.ErrContactMissing, services.ErrCustomerNotActive, services.ErrCustomerNotFound, services.ErrOTPOperationLimit}},
	"VerificationService.VerifyEmailOrMobile": {mutates: true, summary: "Send a code to the customer's e-mail or mobile number to verify it",
		required: []string{"onboardType", "personalIdType", "documentNumber", "verifyType"},
		errors:   []error{services.ErrContactAlreadyVerified, services.ErrContactMissing, services.ErrCustomerNotActive, services.ErrCustomerNotFound, services.ErrOTPOperationLimit}},
}

func known(method string) bool {
	_, ok := methodTable[method]
	return ok
}

// Methods returns the names of every method, for documentation and tests.
func Methods() []string {
	out := make([]string, 0, len(methodTable))
	for m := range methodTable {
		out = append(out, m)
	}
	return out
}

// serviceReceivers returns the gorilla/rpc receivers by service name.
func serviceReceivers(svc *services.Service) map[string]any {
	return map[string]any{
		"CustomerService":     &CustomerService{svc: svc},
		"AccountService":      &AccountService{svc: svc},
		"VerificationService": &VerificationService{svc: svc},
		"UserService":         &UserService{svc: svc},
		"OnboardingService":   &OnboardingService{svc: svc},
	}
}

// invoke runs a service operation for a dispatched request.
func invoke[I, O any](r *http.Request, in *I, out *O, op func(context.Context, services.Call, I) (O, error)) error {
	res, err := op(r.Context(), callFrom(r), *in)
	if err != nil {
		return err
	}
	*out = res
	return nil
}

// CustomerService is NetXD's CustomerService.
type CustomerService struct{ svc *services.Service }

// AddCustomer creates an individual or business customer.
func (s *CustomerService) AddCustomer(r *http.Request, in *services.AddCustomerInput, out *services.AddCustomerResult) error {
	return invoke(r, in, out, s.svc.AddCustomer)
}

// GetCustomer finds a customer by one criterion and returns it with its accounts.
func (s *CustomerService) GetCustomer(r *http.Request, in *services.GetCustomerInput, out *services.CustomerView) error {
	return invoke(r, in, out, s.svc.GetCustomer)
}

// AddAccount opens an account for a customer.
func (s *CustomerService) AddAccount(r *http.Request, in *services.AddAccountInput, out *services.AddAccountResult) error {
	return invoke(r, in, out, s.svc.AddAccount)
}

// AccountService holds the account queries.
type AccountService struct{ svc *services.Service }

// GetDetails returns one account.
func (s *AccountService) GetDetails(r *http.Request, in *services.GetDetailsInput, out *services.AccountDetails) error {
	return invoke(r, in, out, s.svc.GetDetails)
}

// ListAccounts returns a page of a customer's accounts.
func (s *AccountService) ListAccounts(r *http.Request, in *services.ListAccountsInput, out *services.AccountPage) error {
	return invoke(r, in, out, s.svc.ListAccounts)
}

// UpdateAccountStatus changes an account's status along the transition table.
func (s *AccountService) UpdateAccountStatus(r *http.Request, in *services.UpdateAccountStatusInput, out *services.StatusChangeResult) error {
	return invoke(r, in, out, s.svc.UpdateAccountStatus)
}

// GetStatusHistory returns a page of an account's status changes and freeze events.
func (s *AccountService) GetStatusHistory(r *http.Request, in *services.GetStatusHistoryInput, out *services.StatusHistoryPage) error {
	return invoke(r, in, out, s.svc.GetStatusHistory)
}

// FreezeAccount freezes an account.
func (s *AccountService) FreezeAccount(r *http.Request, in *services.FreezeAccountInput, out *services.StatusChangeResult) error {
	return invoke(r, in, out, s.svc.FreezeAccount)
}

// UnfreezeAccount lifts an account's freeze.
func (s *AccountService) UnfreezeAccount(r *http.Request, in *services.UnfreezeAccountInput, out *services.StatusChangeResult) error {
	return invoke(r, in, out, s.svc.UnfreezeAccount)
}

// ActivateAccount starts reactivating a DORMANT account.
func (s *AccountService) ActivateAccount(r *http.Request, in *services.ActivateAccountInput, out *services.OperationStarted) error {
	return invoke(r, in, out, s.svc.ActivateAccount)
}

// CancelOperation cancels an operation that waits for its code.
func (s *AccountService) CancelOperation(r *http.Request, in *services.CancelOperationInput, out *services.OperationCancelled) error {
	return invoke(r, in, out, s.svc.CancelOperation)
}

// ApplyShortCode gives an account its short code.
func (s *AccountService) ApplyShortCode(r *http.Request, in *services.ShortCodeInput, out *services.ShortCodeResult) error {
	return invoke(r, in, out, s.svc.ApplyShortCode)
}

// GetShortCode returns an account's short code.
func (s *AccountService) GetShortCode(r *http.Request, in *services.ShortCodeInput, out *services.ShortCodeResult) error {
	return invoke(r, in, out, s.svc.GetShortCode)
}

// GetAccountByShortCode returns the account holding a short code.
func (s *AccountService) GetAccountByShortCode(r *http.Request, in *services.GetAccountByShortCodeInput, out *services.ShortCodeResult) error {
	return invoke(r, in, out, s.svc.GetAccountByShortCode)
}

// ListAbnormalAccounts returns a page of accounts that are not ACTIVE or are frozen.
func (s *AccountService) ListAbnormalAccounts(r *http.Request, in *services.ListAbnormalAccountsInput, out *services.AbnormalAccountPage) error {
	return invoke(r, in, out, s.svc.ListAbnormalAccounts)
}

// EditSubAccountName names a business customer's account.
func (s *AccountService) EditSubAccountName(r *http.Request, in *services.EditSubAccountNameInput, out *services.SubAccountNameResult) error {
	return invoke(r, in, out, s.svc.EditSubAccountName)
}

// ValidateName answers a name inquiry.
func (s *AccountService) ValidateName(r *http.Request, in *services.ValidateNameInput, out *services.ValidateNameResult) error {
	return invoke(r, in, out, s.svc.ValidateName)
}

// AddOrUpdateEmail starts setting a customer's e-mail.
func (s *CustomerService) AddOrUpdateEmail(r *http.Request, in *services.AddOrUpdateEmailInput, out *services.OperationStarted) error {
	return invoke(r, in, out, s.svc.AddOrUpdateEmail)
}

// ChangeMobile starts changing a customer's mobile number.
func (s *CustomerService) ChangeMobile(r *http.Request, in *services.ChangeMobileInput, out *services.OperationStarted) error {
	return invoke(r, in, out, s.svc.ChangeMobile)
}

// ConfirmMobileChange completes a mobile change with both codes.
func (s *CustomerService) ConfirmMobileChange(r *http.Request, in *services.ConfirmMobileChangeInput, out *services.OperationConfirmed) error {
	return invoke(r, in, out, s.svc.ConfirmMobileChange)
}

// VerificationService confirms codes and verifies contacts.
type VerificationService struct{ svc *services.Service }

// ConfirmOTP completes a pending operation with its code.
func (s *VerificationService) ConfirmOTP(r *http.Request, in *services.ConfirmOTPInput, out *services.OperationConfirmed) error {
	return invoke(r, in, out, s.svc.ConfirmOTP)
}

// VerifyEmailAddress sends a code to the customer's e-mail.
func (s *VerificationService) VerifyEmailAddress(r *http.Request, in *services.VerifyEmailAddressInput, out *services.OperationStarted) error {
	return invoke(r, in, out, s.svc.VerifyEmailAddress)
}

// VerifyEmailOrMobile sends a code to the customer's e-mail or mobile number.
func (s *VerificationService) VerifyEmailOrMobile(r *http.Request, in *services.VerifyEmailOrMobileInput, out *services.OperationStarted) error {
	return invoke(r, in, out, s.svc.VerifyEmailOrMobile)
}

// UpdateBlacklist adds identities or phone numbers to the blacklist, or removes them.
func (s *CustomerService) UpdateBlacklist(r *http.Request, in *services.UpdateBlacklistInput, out *services.BlacklistResult) error {
	return invoke(r, in, out, s.svc.UpdateBlacklist)
}

// UpdateProtectAgreement records a change of a customer's data-sharing consent.
func (s *CustomerService) UpdateProtectAgreement(r *http.Request, in *services.UpdateProtectAgreementInput, out *services.ProtectAgreementResult) error {
	return invoke(r, in, out, s.svc.UpdateProtectAgreement)
}

// ValidateLegalID checks an identity document number.
func (s *CustomerService) ValidateLegalID(r *http.Request, in *services.ValidateLegalIDInput, out *services.LegalIDResult) error {
	return invoke(r, in, out, s.svc.ValidateLegalID)
}

// ValidatePhoneNumber says what a phone number is.
func (s *CustomerService) ValidatePhoneNumber(r *http.Request, in *services.ValidatePhoneNumberInput, out *services.PhoneResult) error {
	return invoke(r, in, out, s.svc.ValidatePhoneNumber)
}

// ValidateEKYC runs every onboarding check at once.
func (s *CustomerService) ValidateEKYC(r *http.Request, in *services.ValidateEKYCInput, out *services.EKYCResult) error {
	return invoke(r, in, out, s.svc.ValidateEKYC)
}

// ValidateMobileUser says whether an e-banking user is registered with a number.
func (s *CustomerService) ValidateMobileUser(r *http.Request, in *services.ValidateMobileUserInput, out *services.MobileUserResult) error {
	return invoke(r, in, out, s.svc.ValidateMobileUser)
}

// OpenCurrentAccount opens a current account for an existing customer.
func (s *CustomerService) OpenCurrentAccount(r *http.Request, in *services.OpenCurrentAccountInput, out *services.AddAccountResult) error {
	return invoke(r, in, out, s.svc.OpenCurrentAccount)
}

// OnboardCombo creates a customer, its e-banking user and a current account.
func (s *CustomerService) OnboardCombo(r *http.Request, in *services.OnboardComboInput, out *services.OnboardComboResult) error {
	return invoke(r, in, out, s.svc.OnboardCombo)
}

// UserService manages e-banking users.
type UserService struct{ svc *services.Service }

// GetUserInfo returns an e-banking user.
func (s *UserService) GetUserInfo(r *http.Request, in *services.UsernameInput, out *services.UserInfo) error {
	return invoke(r, in, out, s.svc.GetUserInfo)
}

// UpdateUserStatus locks, blocks or reactivates an e-banking user.
func (s *UserService) UpdateUserStatus(r *http.Request, in *services.UpdateUserStatusInput, out *services.UserStatusResult) error {
	return invoke(r, in, out, s.svc.UpdateUserStatus)
}

// CloseMobileAccount closes an e-banking user for good.
func (s *UserService) CloseMobileAccount(r *http.Request, in *services.UsernameInput, out *services.CloseMobileResult) error {
	return invoke(r, in, out, s.svc.CloseMobileAccount)
}

// CheckNiceNumber says whether a nice number is available.
func (s *AccountService) CheckNiceNumber(r *http.Request, in *services.CheckNiceNumberInput, out *services.NiceNumberInfo) error {
	return invoke(r, in, out, s.svc.CheckNiceNumber)
}

// HoldNiceNumber holds a nice number for a customer.
func (s *AccountService) HoldNiceNumber(r *http.Request, in *services.HoldNiceNumberInput, out *services.NiceHoldResult) error {
	return invoke(r, in, out, s.svc.HoldNiceNumber)
}

// ReleaseNiceNumber gives up a hold.
func (s *AccountService) ReleaseNiceNumber(r *http.Request, in *services.ReleaseNiceNumberInput, out *services.NiceReleaseResult) error {
	return invoke(r, in, out, s.svc.ReleaseNiceNumber)
}

// SearchNiceNumbers returns a page of available nice numbers.
func (s *AccountService) SearchNiceNumbers(r *http.Request, in *services.SearchNiceNumbersInput, out *services.NiceNumberPage) error {
	return invoke(r, in, out, s.svc.SearchNiceNumbers)
}
