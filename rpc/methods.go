package rpc

import (
	"context"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
)

// registry declares every method the server answers, once: its name, the
// domain method that runs it (whose input and output types are the
// method's params.payload and result), whether it changes data, its cost,
// its summary, its required members and the errors it can return (its
// example is recorded from a real call in openrpc_examples.json). Dispatch (gorilla/rpc), rpc.discover and the reference
// pages in docs/ all come from this list.
//
// A call travels: Handler.ServeHTTP reads the body (handler.go) ->
// handleBody parses each element and authenticates it (element.go) ->
// dispatch hands the call to gorilla/rpc, which finds the endpoint
// registered for the method's entry below and decodes the payload into its
// input type (codec.go) -> endpoint.Call runs the domain method.
var registry = []method{
	define("CustomerService.AddCustomer", customers, (*customer.Service).AddCustomer, method{mutates: true, summary: "Create an individual or business customer",
		required: []string{"type", "identification", "contact"},
		errors:   []error{customer.ErrBlacklisted, customer.ErrEmailExists, customer.ErrIdentificationExists, customer.ErrPhoneExists}}),
	define("CustomerService.GetCustomer", accounts, (*account.Service).GetCustomer, method{summary: "Find a customer by one criterion, with its accounts",
		errors: []error{customer.ErrCustomerNotFound}}),
	define("CustomerService.AddAccount", accounts, (*account.Service).AddAccount, method{mutates: true, summary: "Open an account for a customer",
		required: []string{"customerID", "name", "accountType", "currency"},
		errors:   []error{account.ErrAccountNotFound, account.ErrActivityAccountCurrency, account.ErrActivityAccountNotFound, account.ErrActivityAccountNotOpen, customer.ErrBlacklisted, services.ErrCurrencyMismatch, account.ErrCustodialCustomerNotFound, customer.ErrCustomerNotActive, customer.ErrCustomerNotFound, nice.ErrNiceHoldNotFound, nice.ErrNiceNumberTaken}}),
	define("AccountService.GetDetails", accounts, (*account.Service).GetDetails, method{summary: "Return one account",
		errors: []error{account.ErrAccountNotFound}}),
	define("AccountService.ListAccounts", accounts, (*account.Service).ListAccounts, method{summary: "Return a page of a customer's accounts",
		required: []string{"customerID"},
		errors:   []error{customer.ErrCustomerNotFound}}),
	define("AccountService.UpdateAccountStatus", accounts, (*account.Service).UpdateAccountStatus, method{mutates: true, summary: "Change an account's status along the transition table",
		required: []string{"status", "reason"},
		errors:   []error{account.ErrAccountNotFound, account.ErrCloseNonZeroBalance, account.ErrClosePoolInUse, account.ErrInvalidTransition}}),
	define("AccountService.GetStatusHistory", accounts, (*account.Service).GetStatusHistory, method{summary: "Return a page of an account's status changes and freeze events",
		errors: []error{account.ErrAccountNotFound}}),
	define("AccountService.FreezeAccount", accounts, (*account.Service).FreezeAccount, method{mutates: true, summary: "Freeze an account, with a reason and an optional expiry",
		required: []string{"reasonCode"},
		errors:   []error{account.ErrAccountClosed, account.ErrAccountFrozen, account.ErrAccountNotFound}}),
	define("AccountService.UnfreezeAccount", accounts, (*account.Service).UnfreezeAccount, method{mutates: true, summary: "Lift an account's freeze",
		required: []string{"reason"},
		errors:   []error{account.ErrAccountNotFound, account.ErrAccountNotFrozen}}),
	define("AccountService.ActivateAccount", accounts, (*account.Service).ActivateAccount, method{mutates: true, summary: "Start reactivating a DORMANT account; confirmed with the customer's code",
		errors: []error{account.ErrAccountFrozen, account.ErrAccountNotDormant, account.ErrAccountNotFound, customer.ErrCustomerNotFound, customer.ErrNoVerifiedContact, otp.ErrOTPOperationLimit}}),
	define("AccountService.CancelOperation", codes, (*otp.Service).CancelOperation, method{mutates: true, summary: "Cancel an operation that waits for its code",
		required: []string{"requestId"},
		errors:   []error{onboarding.ErrOnboardingExpired, onboarding.ErrOnboardingNotFound, otp.ErrOperationCancelled, otp.ErrOperationCompleted, otp.ErrOperationExpired, otp.ErrOperationFailed, otp.ErrOperationNotFound}}),
	define("AccountService.ApplyShortCode", accounts, (*account.Service).ApplyShortCode, method{mutates: true, summary: "Give an account its short code",
		required: []string{"accountId"},
		errors:   []error{account.ErrAccountClosed, account.ErrAccountNotFound, account.ErrShortCodeExists}}),
	define("AccountService.GetShortCode", accounts, (*account.Service).GetShortCode, method{summary: "Return an account's short code",
		required: []string{"accountId"},
		errors:   []error{account.ErrAccountNotFound, account.ErrShortCodeNotFound}}),
	define("AccountService.GetAccountByShortCode", accounts, (*account.Service).GetAccountByShortCode, method{summary: "Return the account holding a short code",
		required: []string{"shortCode"},
		errors:   []error{account.ErrAccountNotFound, account.ErrShortCodeNotFound}}),
	define("AccountService.ListAbnormalAccounts", accounts, (*account.Service).ListAbnormalAccounts, method{summary: "Return a page of the partner's accounts that are not ACTIVE or are frozen",
		required: []string{"pageNo", "pageSize"}}),
	define("AccountService.EditSubAccountName", accounts, (*account.Service).EditSubAccountName, method{mutates: true, summary: "Name a business customer's account <business name>_<sub-account name>",
		required: []string{"accountId"},
		errors:   []error{account.ErrAccountClosed, account.ErrAccountNotFound, customer.ErrCustomerNotFound, account.ErrNotBusinessAccount}}),
	define("AccountService.ValidateName", accounts, (*account.Service).ValidateName, method{summary: "Name inquiry: the holder's name of any account of the bank, or why it cannot receive",
		required: []string{"bankCode", "accountNumber"},
		errors:   []error{account.ErrAccountBlocked, account.ErrAccountCannotReceive, account.ErrAccountClosed, account.ErrAccountDormant, account.ErrAccountFrozen, account.ErrAccountNotFound, account.ErrAccountPassive, services.ErrCurrencyMismatch, customer.ErrCustomerNotFound}}),
	define("CustomerService.ValidateLegalID", customers, (*customer.Service).ValidateLegalID, method{summary: "Check an identity document number for real and say what it reads",
		required: []string{"type", "number"}}),
	define("CustomerService.ValidatePhoneNumber", customers, (*customer.Service).ValidatePhoneNumber, method{summary: "Say what a phone number is: E.164, country, carrier, line type, blacklisted or a customer's",
		required: []string{"phoneNumber"}}),
	define("CustomerService.ValidateEKYC", customers, (*customer.Service).ValidateEKYC, method{cost: 2, summary: "Run every onboarding check at once: age, document, phone, blacklist, already a customer",
		required: []string{"firstName", "lastName", "DOB", "identification", "phoneNumber"}}),
	define("CustomerService.ValidateMobileUser", ebanking, (*ebank.Service).ValidateMobileUser, method{summary: "Whether an e-banking user is registered with a mobile number, and its status",
		required: []string{"phoneNumber"},
		errors:   []error{ebank.ErrUserNotFound}}),
	define("CustomerService.OpenCurrentAccount", ebanking, (*ebank.Service).OpenCurrentAccount, method{mutates: true, summary: "Open a current account for an existing customer",
		required: []string{"customerID", "currency"},
		errors:   []error{account.ErrAccountNotFound, account.ErrActivityAccountCurrency, account.ErrActivityAccountNotFound, account.ErrActivityAccountNotOpen, customer.ErrBlacklisted, services.ErrCurrencyMismatch, account.ErrCustodialCustomerNotFound, customer.ErrCustomerNotActive, customer.ErrCustomerNotFound, nice.ErrNiceHoldNotFound, nice.ErrNiceNumberTaken}}),
	define("CustomerService.OnboardCombo", ebanking, (*ebank.Service).OnboardCombo, method{mutates: true, summary: "Create a customer, its e-banking user and a current account, all or nothing",
		required: []string{"customer", "username", "channel", "currency"},
		errors:   []error{customer.ErrBlacklisted, ebank.ErrCustomerHasUser, customer.ErrEmailExists, customer.ErrIdentificationExists, nice.ErrNiceNumberTaken, customer.ErrPhoneExists, ebank.ErrUsernameExists}}),
	define("UserService.GetUserInfo", ebanking, (*ebank.Service).GetUserInfo, method{summary: "Return an e-banking user with its status history",
		required: []string{"username"},
		errors:   []error{ebank.ErrUserNotFound}}),
	define("UserService.UpdateUserStatus", ebanking, (*ebank.Service).UpdateUserStatus, method{mutates: true, summary: "Lock, block or reactivate an e-banking user",
		required: []string{"username", "status", "reason"},
		errors:   []error{ebank.ErrUserClosed, ebank.ErrUserNotFound, ebank.ErrUserStatusUnchanged}}),
	define("UserService.CloseMobileAccount", ebanking, (*ebank.Service).CloseMobileAccount, method{mutates: true, summary: "Close an e-banking user for good; the bank accounts stay open",
		required: []string{"username"},
		errors:   []error{ebank.ErrUserClosed, ebank.ErrUserNotFound, ebank.ErrUserStatusUnchanged}}),
	define("AccountService.SearchNiceNumbers", niceNumbers, (*nice.Service).SearchNiceNumbers, method{cost: 10, summary: "A page of available nice numbers matching a pattern or a category, with their fees",
		errors: []error{customer.ErrCustomerNotFound}}),
	define("AccountService.CheckNiceNumber", niceNumbers, (*nice.Service).CheckNiceNumber, method{summary: "Whether a nice number is available, what makes it beautiful and its fee",
		required: []string{"number"},
		errors:   []error{customer.ErrCustomerNotFound}}),
	define("AccountService.HoldNiceNumber", niceNumbers, (*nice.Service).HoldNiceNumber, method{mutates: true, summary: "Hold a nice number for a customer until the hold expires",
		required: []string{"number", "customerID"},
		errors:   []error{customer.ErrBlacklisted, customer.ErrCustomerNotActive, customer.ErrCustomerNotFound, nice.ErrNiceNumberHeld, nice.ErrNiceNumberReserved, nice.ErrNiceNumberTaken}}),
	define("AccountService.ReleaseNiceNumber", niceNumbers, (*nice.Service).ReleaseNiceNumber, method{mutates: true, summary: "Give up the partner's hold of a nice number",
		required: []string{"number"},
		errors:   []error{nice.ErrNiceHoldNotFound}}),
	define("CustomerService.UpdateBlacklist", customers, (*customer.Service).UpdateBlacklist, method{mutates: true, summary: "Add identities or phone numbers to the partner's blacklist, or remove them",
		required: []string{"action", "reason"},
		errors:   []error{customer.ErrCustomerNotFound}}),
	define("CustomerService.UpdateProtectAgreement", customers, (*customer.Service).UpdateProtectAgreement, method{mutates: true, summary: "Record a change of a customer's data-sharing consent",
		required: []string{"customerID", "agreed", "version", "channel"},
		errors:   []error{customer.ErrCustomerNotFound}}),
	define("CustomerService.AddOrUpdateEmail", contacts, (*contact.Service).AddOrUpdateEmail, method{mutates: true, summary: "Start setting a customer's e-mail; it takes effect when its code is confirmed",
		required: []string{"onboardType", "personalIdType", "documentNumber", "email"},
		errors:   []error{contact.ErrContactAlreadyVerified, customer.ErrCustomerNotActive, customer.ErrCustomerNotFound, customer.ErrEmailExists, otp.ErrOTPOperationLimit}}),
	define("CustomerService.ChangeMobile", contacts, (*contact.Service).ChangeMobile, method{mutates: true, summary: "Start changing a customer's mobile number: codes to the old and the new number",
		required: []string{"accountId"},
		errors:   []error{account.ErrAccountClosed, account.ErrAccountNotFound, customer.ErrBlacklisted, customer.ErrCustomerNotActive, customer.ErrCustomerNotFound, contact.ErrMobileChangeLimit, customer.ErrNoVerifiedContact, otp.ErrOTPOperationLimit, customer.ErrPhoneExists}}),
	define("CustomerService.ConfirmMobileChange", codes, (*otp.Service).ConfirmMobileChange, method{mutates: true, summary: "Complete a mobile change with both codes",
		required: []string{"requestId", "proveIdCode", "confirmChangeCode"},
		errors:   []error{account.ErrAccountFrozen, account.ErrAccountNotDormant, account.ErrAccountNotFound, customer.ErrBlacklisted, contact.ErrContactMissing, customer.ErrCustomerNotFound, nice.ErrNiceNumberTaken, otp.ErrNotMobileChange, onboarding.ErrOnboardingExpired, onboarding.ErrOnboardingNotFound, onboarding.ErrOnboardingState, otp.ErrOperationCancelled, otp.ErrOperationCompleted, otp.ErrOperationExpired, otp.ErrOperationFailed, otp.ErrOperationNotFound, customer.ErrPhoneExists, otp.ErrUseConfirmMobileChange, otp.ErrWrongOTP}}),
	define("OnboardingService.GetFatcaQuestions", onboardings, (*onboarding.Service).GetFatcaQuestions, method{summary: "The seven FATCA (US indicia) questions, in Vietnamese and English"}),
	define("OnboardingService.InitCustomerInfo", onboardings, (*onboarding.Service).InitCustomerInfo, method{mutates: true, cost: 2, summary: "Open an eKYC onboarding package and run every check of the person's data",
		required: []string{"firstName", "lastName", "DOB", "gender", "identification", "contact", "address", "username", "fatcaAnswers"},
		errors:   []error{account.ErrAccountNotFound, customer.ErrCustomerNotFound, onboarding.ErrOnboardingChecksFailed, onboarding.ErrOnboardingInProgress, onboarding.ErrOnboardingNotFound, ebank.ErrUserNotFound, ebank.ErrUsernameExists}}),
	define("OnboardingService.SubmitFatcaDeclaration", onboardings, (*onboarding.Service).SubmitFatcaDeclaration, method{mutates: true, summary: "Give the W-9 or W-8BEN of an applicant who answered yes to a FATCA question",
		required: []string{"onboardingId", "form", "signedBy", "signedDate"},
		errors:   []error{account.ErrAccountNotFound, customer.ErrCustomerNotFound, onboarding.ErrFatcaFormNotAllowed, onboarding.ErrOnboardingExpired, onboarding.ErrOnboardingNotFound, onboarding.ErrOnboardingState, otp.ErrOperationNotFound}}),
	define("OnboardingService.UploadIDCard", onboardings, (*onboarding.Service).UploadIDCard, method{mutates: true, upload: true, cost: 20, summary: "Upload one side of the identity card and check it",
		required: []string{"onboardingId", "side", "format", "image"},
		errors:   []error{onboarding.ErrOnboardingExpired, onboarding.ErrOnboardingNotFound, onboarding.ErrOnboardingState, otp.ErrOperationNotFound, onboarding.ErrPictureRejected}}),
	define("OnboardingService.UploadPortrait", onboardings, (*onboarding.Service).UploadPortrait, method{mutates: true, upload: true, cost: 20, summary: "Upload the applicant's portrait and check it",
		required: []string{"onboardingId", "format", "image"},
		errors:   []error{onboarding.ErrOnboardingExpired, onboarding.ErrOnboardingNotFound, onboarding.ErrOnboardingState, otp.ErrOperationNotFound, onboarding.ErrPictureRejected}}),
	define("OnboardingService.InitAuthen", onboardings, (*onboarding.Service).InitAuthen, method{mutates: true, summary: "Send the applicant's one-time code once every step has passed (Init Authen Open Package)",
		required: []string{"onboardingId"},
		errors:   []error{onboarding.ErrAuthSendLimit, otp.ErrOTPOperationLimit, onboarding.ErrOnboardingExpired, onboarding.ErrOnboardingNotFound, onboarding.ErrOnboardingState, otp.ErrOperationNotFound}}),
	define("OnboardingService.GetStatus", onboardings, (*onboarding.Service).GetStatus, method{summary: "An onboarding package's state, every check, what is missing and what it opened",
		required: []string{"onboardingId"},
		errors:   []error{account.ErrAccountNotFound, customer.ErrCustomerNotFound, onboarding.ErrOnboardingNotFound}}),
	define("VerificationService.ConfirmOTP", codes, (*otp.Service).ConfirmOTP, method{mutates: true, summary: "Complete a pending operation with its one-time code",
		required: []string{"requestId", "otp"},
		errors:   []error{account.ErrAccountFrozen, account.ErrAccountNotDormant, account.ErrAccountNotFound, customer.ErrBlacklisted, contact.ErrContactMissing, ebank.ErrCustomerHasUser, customer.ErrCustomerNotFound, customer.ErrEmailExists, customer.ErrIdentificationExists, nice.ErrNiceNumberTaken, otp.ErrNotMobileChange, onboarding.ErrOnboardingExpired, onboarding.ErrOnboardingNotFound, onboarding.ErrOnboardingState, otp.ErrOperationCancelled, otp.ErrOperationCompleted, otp.ErrOperationExpired, otp.ErrOperationFailed, otp.ErrOperationNotFound, customer.ErrPhoneExists, otp.ErrUseConfirmMobileChange, ebank.ErrUsernameExists, otp.ErrWrongOTP}}),
	define("VerificationService.VerifyEmailAddress", contacts, (*contact.Service).VerifyEmailAddress, method{mutates: true, summary: "Send a code to the customer's e-mail to verify it",
		required: []string{"onboardType", "personalIdType", "documentNumber"},
		errors:   []error{contact.ErrContactAlreadyVerified, contact.ErrContactMissing, customer.ErrCustomerNotActive, customer.ErrCustomerNotFound, otp.ErrOTPOperationLimit}}),
	define("VerificationService.VerifyEmailOrMobile", contacts, (*contact.Service).VerifyEmailOrMobile, method{mutates: true, summary: "Send a code to the customer's e-mail or mobile number to verify it",
		required: []string{"onboardType", "personalIdType", "documentNumber", "verifyType"},
		errors:   []error{contact.ErrContactAlreadyVerified, contact.ErrContactMissing, customer.ErrCustomerNotActive, customer.ErrCustomerNotFound, otp.ErrOTPOperationLimit}}),
}

// method is one registry entry.
type method struct {
	name    string
	summary string
	// mutates marks methods that change data: they are idempotent per
	// request id, and are not executed as notifications.
	mutates bool
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
	// in and out are the payload's and the result's types.
	in, out reflect.Type
	// endpoint returns the gorilla/rpc receiver that runs the method on b.
	endpoint func(b *bank.Bank) any
	// dispatchName is the name gorilla/rpc knows the method by (see
	// gorillaName).
	dispatchName string
}

// define makes the registry entry of the domain method fn of the service
// that of returns.
func define[S, I, O any](name string, of func(*bank.Bank) *S, fn func(*S, context.Context, services.Call, I) (O, error), m method) method {
	m.name, m.in, m.out = name, reflect.TypeFor[I](), reflect.TypeFor[O]()
	_, m.dispatchName = gorillaName(name)
	m.endpoint = func(b *bank.Bank) any {
		var svc *S // nil without a bank: a call panics, which is an internal error
		if b != nil {
			svc = of(b)
		}
		return &endpoint[S, I, O]{svc: svc, fn: fn}
	}
	return m
}

// endpoint is the receiver gorilla/rpc dispatches one method to.
type endpoint[S, I, O any] struct {
	svc *S
	fn  func(*S, context.Context, services.Call, I) (O, error)
}

// Call runs the method with the authenticated call of the request.
func (e *endpoint[S, I, O]) Call(r *http.Request, in *I, out *O) error {
	res, err := e.fn(e.svc, r.Context(), callFrom(r), *in)
	if err != nil {
		return err
	}
	*out = res
	return nil
}

// gorillaName is the name gorilla/rpc knows a method by: the service
// "CustomerService_AddCustomer" with the one method "Call" (gorilla/rpc
// takes the part before the last dot as the service).
func gorillaName(method string) (service, full string) {
	service = strings.ReplaceAll(method, ".", "_")
	return service, service + ".Call"
}

// The domain services of a bank, for define.
func customers(b *bank.Bank) *customer.Service     { return b.Customers }
func accounts(b *bank.Bank) *account.Service       { return b.Accounts }
func niceNumbers(b *bank.Bank) *nice.Service       { return b.Nice }
func contacts(b *bank.Bank) *contact.Service       { return b.Contacts }
func ebanking(b *bank.Bank) *ebank.Service         { return b.Ebank }
func codes(b *bank.Bank) *otp.Service              { return b.OTP }
func onboardings(b *bank.Bank) *onboarding.Service { return b.Onboarding }

// methodTable is the registry by method name.
var methodTable = func() map[string]method {
	t := make(map[string]method, len(registry))
	for _, m := range registry {
		if _, dup := t[m.name]; dup {
			panic("rpc: method " + m.name + " declared twice")
		}
		t[m.name] = m
	}
	return t
}()

func known(name string) bool {
	_, ok := methodTable[name]
	return ok
}

// Methods returns the names of every method, sorted, for documentation and
// tests.
func Methods() []string {
	out := make([]string, 0, len(registry))
	for _, m := range registry {
		out = append(out, m.name)
	}
	sort.Strings(out)
	return out
}
