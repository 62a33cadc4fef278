package banktest

import (
	"context"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
)

// Format is the declared format of a picture file.
func Format(name string) string {
	if strings.HasSuffix(name, ".png") {
		return "PNG"
	}
	return "JPEG"
}

// InitOnboarding opens a package that must pass its checks.
func (e *Env) InitOnboarding(t *testing.T, call services.Call, in onboarding.InitCustomerInfoInput) onboarding.OnboardingStatus {
	t.Helper()
	st, err := e.Bank.Onboarding.InitCustomerInfo(context.Background(), With(call, "OnboardingService.InitCustomerInfo", ""), in)
	if err != nil {
		t.Fatalf("init customer info: %v %+v", err, Refusal(err))
	}
	return st
}

// Upload uploads a picture file as kind (FRONT, BACK or PORTRAIT).
func (e *Env) Upload(call services.Call, id, kind, file string) (onboarding.PictureAccepted, error) {
	ctx := context.Background()
	img, err := os.ReadFile(Testdata("images", file))
	if err != nil {
		return onboarding.PictureAccepted{}, err
	}
	b64 := base64.StdEncoding.EncodeToString(img)
	if kind == onboarding.PicturePortrait {
		return e.Bank.Onboarding.UploadPortrait(ctx, With(call, "OnboardingService.UploadPortrait", ""),
			onboarding.UploadPortraitInput{OnboardingID: id, Format: Format(file), Image: b64})
	}
	return e.Bank.Onboarding.UploadIDCard(ctx, With(call, "OnboardingService.UploadIDCard", ""),
		onboarding.UploadIDCardInput{OnboardingID: id, Side: kind, Format: Format(file), Image: b64})
}

// MustUpload uploads a picture that must pass.
func (e *Env) MustUpload(t *testing.T, call services.Call, id, kind, file string) onboarding.PictureAccepted {
	t.Helper()
	res, err := e.Upload(call, id, kind, file)
	if err != nil {
		t.Fatalf("upload %s as %s: %v (%s)", file, kind, err, Problems(err))
	}
	return res
}

// UploadAll uploads an applicant's three pictures (suffix a, b or c).
func (e *Env) UploadAll(t *testing.T, call services.Call, id, suffix string) {
	t.Helper()
	e.MustUpload(t, call, id, onboarding.PictureFront, "card-front-"+suffix+".jpg")
	e.MustUpload(t, call, id, onboarding.PictureBack, "card-back-"+suffix+".png")
	e.MustUpload(t, call, id, onboarding.PicturePortrait, "portrait-"+suffix+".jpg")
}

// Authenticate sends the package's code and confirms it.
func (e *Env) Authenticate(t *testing.T, call services.Call, s *CaptureSender, id string) otp.OperationConfirmed {
	t.Helper()
	ctx := context.Background()
	op, err := e.Bank.Onboarding.InitAuthen(ctx, With(call, "OnboardingService.InitAuthen", ""), onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatalf("init authen: %v", err)
	}
	res, err := e.Bank.OTP.ConfirmOTP(ctx, With(call, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{
		RequestID: op.RequestID, OTP: e.Code(t, s, op.RequestID, otp.PurposeOTP)})
	if err != nil {
		t.Fatalf("confirm onboarding code: %v", err)
	}
	return res
}

// Status returns a package's status.
func (e *Env) Status(t *testing.T, call services.Call, id string) onboarding.OnboardingStatus {
	t.Helper()
	st, err := e.Bank.Onboarding.GetStatus(context.Background(), call, onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatalf("get status: %v", err)
	}
	return st
}
