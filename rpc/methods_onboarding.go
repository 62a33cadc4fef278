package rpc

import (
	"net/http"

	"github.com/accountd/accountd/services"
)

// OnboardingService runs eKYC onboarding packages (the OCB seed).
type OnboardingService struct{ svc *services.Service }

// GetFatcaQuestions returns the seven FATCA questions.
func (s *OnboardingService) GetFatcaQuestions(r *http.Request, in *services.FatcaQuestionsInput, out *services.FatcaQuestions) error {
	return invoke(r, in, out, s.svc.GetFatcaQuestions)
}

// InitCustomerInfo opens an onboarding package and checks the person's data.
func (s *OnboardingService) InitCustomerInfo(r *http.Request, in *services.InitCustomerInfoInput, out *services.OnboardingStatus) error {
	return invoke(r, in, out, s.svc.InitCustomerInfo)
}

// SubmitFatcaDeclaration takes a W-9 or W-8BEN.
func (s *OnboardingService) SubmitFatcaDeclaration(r *http.Request, in *services.SubmitFatcaDeclarationInput, out *services.OnboardingStatus) error {
	return invoke(r, in, out, s.svc.SubmitFatcaDeclaration)
}

// UploadIDCard takes one side of the identity card.
func (s *OnboardingService) UploadIDCard(r *http.Request, in *services.UploadIDCardInput, out *services.PictureAccepted) error {
	return invoke(r, in, out, s.svc.UploadIDCard)
}

// UploadPortrait takes the applicant's portrait.
func (s *OnboardingService) UploadPortrait(r *http.Request, in *services.UploadPortraitInput, out *services.PictureAccepted) error {
	return invoke(r, in, out, s.svc.UploadPortrait)
}

// InitAuthen sends the applicant's one-time code.
func (s *OnboardingService) InitAuthen(r *http.Request, in *services.OnboardingInput, out *services.OperationStarted) error {
	return invoke(r, in, out, s.svc.InitAuthen)
}

// GetStatus returns an onboarding package.
func (s *OnboardingService) GetStatus(r *http.Request, in *services.OnboardingInput, out *services.OnboardingStatus) error {
	return invoke(r, in, out, s.svc.GetStatus)
}
