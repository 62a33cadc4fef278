package rpc

import (
	"net/http"

	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
)

// OnboardingService runs eKYC onboarding packages (the OCB seed).
type OnboardingService struct{ svc *bank.Bank }

// GetFatcaQuestions returns the seven FATCA questions.
func (s *OnboardingService) GetFatcaQuestions(r *http.Request, in *onboarding.FatcaQuestionsInput, out *onboarding.FatcaQuestions) error {
	return invoke(r, in, out, s.svc.Onboarding.GetFatcaQuestions)
}

// InitCustomerInfo opens an onboarding package and checks the person's data.
func (s *OnboardingService) InitCustomerInfo(r *http.Request, in *onboarding.InitCustomerInfoInput, out *onboarding.OnboardingStatus) error {
	return invoke(r, in, out, s.svc.Onboarding.InitCustomerInfo)
}

// SubmitFatcaDeclaration takes a W-9 or W-8BEN.
func (s *OnboardingService) SubmitFatcaDeclaration(r *http.Request, in *onboarding.SubmitFatcaDeclarationInput, out *onboarding.OnboardingStatus) error {
	return invoke(r, in, out, s.svc.Onboarding.SubmitFatcaDeclaration)
}

// UploadIDCard takes one side of the identity card.
func (s *OnboardingService) UploadIDCard(r *http.Request, in *onboarding.UploadIDCardInput, out *onboarding.PictureAccepted) error {
	return invoke(r, in, out, s.svc.Onboarding.UploadIDCard)
}

// UploadPortrait takes the applicant's portrait.
func (s *OnboardingService) UploadPortrait(r *http.Request, in *onboarding.UploadPortraitInput, out *onboarding.PictureAccepted) error {
	return invoke(r, in, out, s.svc.Onboarding.UploadPortrait)
}

// InitAuthen sends the applicant's one-time code.
func (s *OnboardingService) InitAuthen(r *http.Request, in *onboarding.OnboardingInput, out *otp.OperationStarted) error {
	return invoke(r, in, out, s.svc.Onboarding.InitAuthen)
}

// GetStatus returns an onboarding package.
func (s *OnboardingService) GetStatus(r *http.Request, in *onboarding.OnboardingInput, out *onboarding.OnboardingStatus) error {
	return invoke(r, in, out, s.svc.Onboarding.GetStatus)
}
