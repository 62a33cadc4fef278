package bank_test

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
)

// pictures caches the generated pictures of testdata/images, Base64.
var pictures sync.Map

// picture returns a generated picture (testdata/images) as Base64.
func picture(t *testing.T, name string) string {
	t.Helper()
	if v, ok := pictures.Load(name); ok {
		return v.(string)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "images", name))
	if err != nil {
		t.Fatalf("read picture: %v", err)
	}
	v := base64.StdEncoding.EncodeToString(b)
	pictures.Store(name, v)
	return v
}

// format is the declared format of a picture file.
func format(name string) string {
	if strings.HasSuffix(name, ".png") {
		return "PNG"
	}
	return "JPEG"
}

// applicantA is a 42-year-old man with a CCCD that agrees with his date
// of birth and gender, answering no to every FATCA question.
func applicantA() onboarding.InitCustomerInfoInput {
	return onboarding.InitCustomerInfoInput{
		FirstName: "An", LastName: "Nguyen", DOB: "19840506", Gender: "MALE",
		Identification: customer.EKYCDocument{Type: "CCCD", Number: "087084000999", IssueDate: "20210101", ExpiryDate: "20440506"},
		Contact:        customer.Contact{PhoneNumber: "0912345678", Email: "an.nguyen@example.com"},
		Address:        customer.Address{Line1: "12 Nguyen Hue", City: "Ho Chi Minh City", Country: "VN"},
		FatcaAnswers:   answers(), Username: "an.nguyen",
	}
}

// applicantB is a woman born in 1990, another person than A.
func applicantB() onboarding.InitCustomerInfoInput {
	in := applicantA()
	in.FirstName, in.LastName, in.DOB, in.Gender = "Binh", "Tran", "19900203", "FEMALE"
	in.Identification = customer.EKYCDocument{Type: "CCCD", Number: "001190012345", IssueDate: "20220315", ExpiryDate: "20300203"}
	in.Contact = customer.Contact{PhoneNumber: "0987654321"}
	in.Username = "binh.tran"
	return in
}

// applicantC is a man born in 1995, a third person.
func applicantC() onboarding.InitCustomerInfoInput {
	in := applicantA()
	in.FirstName, in.LastName, in.DOB = "Cuong", "Le", "19950710"
	in.Identification = customer.EKYCDocument{Type: "CCCD", Number: "079095001234", IssueDate: "20230101", ExpiryDate: "20350710"}
	in.Contact = customer.Contact{PhoneNumber: "0903123456"}
	in.Username = "cuong.le"
	return in
}

// answers answers every FATCA question no, except the IDs given.
func answers(yes ...string) []onboarding.FatcaAnswer {
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

// initOnboarding opens a package that must pass its checks.
func (e *env) initOnboarding(t *testing.T, call services.Call, in onboarding.InitCustomerInfoInput) onboarding.OnboardingStatus {
	t.Helper()
	st, err := e.svc.Onboarding.InitCustomerInfo(context.Background(), with(call, "OnboardingService.InitCustomerInfo", ""), in)
	if err != nil {
		t.Fatalf("init customer info: %v %+v", err, refusal(err))
	}
	return st
}

// upload uploads a picture file as kind (FRONT, BACK or PORTRAIT).
func (e *env) upload(call services.Call, id, kind, file string) (onboarding.PictureAccepted, error) {
	ctx := context.Background()
	img, err := os.ReadFile(filepath.Join("..", "..", "testdata", "images", file))
	if err != nil {
		return onboarding.PictureAccepted{}, err
	}
	b64 := base64.StdEncoding.EncodeToString(img)
	if kind == onboarding.PicturePortrait {
		return e.svc.Onboarding.UploadPortrait(ctx, with(call, "OnboardingService.UploadPortrait", ""),
			onboarding.UploadPortraitInput{OnboardingID: id, Format: format(file), Image: b64})
	}
	return e.svc.Onboarding.UploadIDCard(ctx, with(call, "OnboardingService.UploadIDCard", ""),
		onboarding.UploadIDCardInput{OnboardingID: id, Side: kind, Format: format(file), Image: b64})
}

// mustUpload uploads a picture that must pass.
func (e *env) mustUpload(t *testing.T, call services.Call, id, kind, file string) onboarding.PictureAccepted {
	t.Helper()
	res, err := e.upload(call, id, kind, file)
	if err != nil {
		t.Fatalf("upload %s as %s: %v (%s)", file, kind, err, problems(err))
	}
	return res
}

// uploadAll uploads an applicant's three pictures (suffix a, b or c).
func (e *env) uploadAll(t *testing.T, call services.Call, id, suffix string) {
	t.Helper()
	e.mustUpload(t, call, id, onboarding.PictureFront, "card-front-"+suffix+".jpg")
	e.mustUpload(t, call, id, onboarding.PictureBack, "card-back-"+suffix+".png")
	e.mustUpload(t, call, id, onboarding.PicturePortrait, "portrait-"+suffix+".jpg")
}

// authenticate sends the package's code and confirms it.
func (e *env) authenticate(t *testing.T, call services.Call, s *captureSender, id string) otp.OperationConfirmed {
	t.Helper()
	ctx := context.Background()
	op, err := e.svc.Onboarding.InitAuthen(ctx, with(call, "OnboardingService.InitAuthen", ""), onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatalf("init authen: %v", err)
	}
	res, err := e.svc.OTP.ConfirmOTP(ctx, with(call, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{
		RequestID: op.RequestID, OTP: e.code(t, s, op.RequestID, otp.PurposeOTP)})
	if err != nil {
		t.Fatalf("confirm onboarding code: %v", err)
	}
	return res
}

// status returns a package's status.
func (e *env) status(t *testing.T, call services.Call, id string) onboarding.OnboardingStatus {
	t.Helper()
	st, err := e.svc.Onboarding.GetStatus(context.Background(), call, onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatalf("get status: %v", err)
	}
	return st
}

// problems lists "CHECK:PROBLEM" for every problem of err's refusal or of
// checks, sorted; NOT_CHECKED left out.
func problems(err error, checks ...services.EKYCCheck) string {
	if r := refusal(err); r != nil {
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

// stateOf returns the State of err's refusal.
func stateOf(err error) string {
	if r := refusal(err); r != nil {
		return r.State
	}
	return ""
}

func isErr(err, target error) bool { return errors.Is(err, target) }
