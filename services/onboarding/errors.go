package onboarding

import (
	"github.com/accountd/accountd/services"
)

// The onboarding refusals (see services.Refuse); the transport maps each to a
// JSON-RPC code in its one error table (rpc/errors.go).
var (
	// ErrOnboardingNotFound means the partner has no such onboarding package.
	ErrOnboardingNotFound = services.Refuse("onboarding package not found")
	// ErrOnboardingState means the call does not fit the package's state;
	// the refusal names the state.
	ErrOnboardingState = services.Refuse("the onboarding package is not in a state that allows this call")
	// ErrOnboardingChecksFailed means InitCustomerInfo's checks failed: the
	// package is REJECTED and every check is listed.
	ErrOnboardingChecksFailed = services.Refuse("onboarding checks failed")
	// ErrPictureRejected means an uploaded picture failed its checks; every
	// check is listed with how many uploads remain.
	ErrPictureRejected = services.Refuse("picture rejected")
	// ErrOnboardingExpired means the package ran out of time.
	ErrOnboardingExpired = services.Refuse("onboarding package expired")
	// ErrOnboardingInProgress means the partner has an open package for the
	// same document.
	ErrOnboardingInProgress = services.Refuse("an onboarding package for this document is already open")
	// ErrFatcaFormNotAllowed means a W-8BEN was given for a US citizen or
	// resident, who must give a W-9.
	ErrFatcaFormNotAllowed = services.Refuse("this FATCA form does not fit the answers")
	// ErrAuthSendLimit means InitAuthen sent its codes as often as allowed.
	ErrAuthSendLimit = services.RefuseForNow("the one-time code of this onboarding was sent as often as allowed")
)
