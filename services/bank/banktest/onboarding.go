package banktest

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
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

// ApplicantA is a 42-year-old man with a CCCD that agrees with his date
// of birth and gender, answering no to every FATCA question.
func ApplicantA() onboarding.InitCustomerInfoInput {
	return onboarding.InitCustomerInfoInput{
		FirstName: "An", LastName: "Nguyen", DOB: "19840506", Gender: "MALE",
		Identification: customer.EKYCDocument{Type: "CCCD", Number: "087084000999", IssueDate: "20210101", ExpiryDate: "20440506"},
		Contact:        customer.Contact{PhoneNumber: "0912345678", Email: "an.nguyen@example.com"},
		Address:        customer.Address{Line1: "12 Nguyen Hue", City: "Ho Chi Minh City", Country: "VN"},
		FatcaAnswers:   Answers(), Username: "an.nguyen",
	}
}

// ApplicantB is a woman born in 1990, another person than A.
func ApplicantB() onboarding.InitCustomerInfoInput {
	in := ApplicantA()
	in.FirstName, in.LastName, in.DOB, in.Gender = "Binh", "Tran", "19900203", "FEMALE"
	in.Identification = customer.EKYCDocument{Type: "CCCD", Number: "001190012345", IssueDate: "20220315", ExpiryDate: "20300203"}
	in.Contact = customer.Contact{PhoneNumber: "0987654321"}
	in.Username = "binh.tran"
	return in
}

// ApplicantC is a man born in 1995, a third person.
func ApplicantC() onboarding.InitCustomerInfoInput {
	in := ApplicantA()
	in.FirstName, in.LastName, in.DOB = "Cuong", "Le", "19950710"
	in.Identification = customer.EKYCDocument{Type: "CCCD", Number: "079095001234", IssueDate: "20230101", ExpiryDate: "20350710"}
	in.Contact = customer.Contact{PhoneNumber: "0903123456"}
	in.Username = "cuong.le"
	return in
}

// Answers answers every FATCA question no, except the IDs given.
func Answers(yes ...string) []onboarding.FatcaAnswer {
	qs, _ := (&onboarding.Service{}).GetFatcaQuestions(context.Background(), services.Call{}, onboarding.FatcaQuestionsInput{})
	out := make([]onboarding.FatcaAnswer, 0, len(qs.Questions))
	for _, q := range qs.Questions {
		v := false
		for _, y := range yes {
			v = v || y == q.ID
		}
		out = append(out, onboarding.FatcaAnswer{QuestionID: q.ID, Answer: &v})
	}
	return out
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

// Problems lists "CHECK:PROBLEM" for every problem of err's refusal or of
// checks, sorted; NOT_CHECKED left out.
func Problems(err error, checks ...services.EKYCCheck) string {
	if r := Refusal(err); r != nil {
		checks = append(checks, r.Checks...)
	}
	var out []string
	for _, c := range checks {
		for _, p := range c.Problems {
			if p.Code != onboarding.ProblemNotChecked {
				out = append(out, c.Name+":"+p.Code)
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// StateOf returns the State of err's refusal.
func StateOf(err error) string {
	if r := Refusal(err); r != nil {
		return r.State
	}
	return ""
}

// IsErr reports whether err is target (errors.Is).
func IsErr(err, target error) bool { return errors.Is(err, target) }
