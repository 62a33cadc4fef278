package rpc

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
)

// onboardingCalls runs an eKYC onboarding package from InitCustomerInfo to
// its confirmed code, through the FATCA review, each method once with a
// result.
func onboardingCalls(t *testing.T, svc *bank.Bank, call func(method, payload string), results map[string]map[string]any) {
	picture := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "images", name))
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(b)
	}
	call("OnboardingService.GetFatcaQuestions", `{}`)
	answers := ""
	for i, q := range results["OnboardingService.GetFatcaQuestions"]["questions"].([]any) {
		if i > 0 {
			answers += ","
		}
		answers += fmt.Sprintf(`{"questionId":%q,"answer":%v}`, q.(map[string]any)["id"], i == 1)
	}
	call("OnboardingService.InitCustomerInfo", `{"firstName":"Cuong","lastName":"Le","DOB":"19950710","gender":"MALE",
		"identification":{"type":"CCCD","number":"079095001234","issueDate":"20230101","expiryDate":"20350710"},
		"contact":{"phoneNumber":"+84903123456"},"address":{"line1":"1 Le Loi","city":"Hue","country":"VN"},
		"fatcaAnswers":[`+answers+`],"username":"cuong.le"}`)
	id := results["OnboardingService.InitCustomerInfo"]["onboardingId"]
	call("OnboardingService.SubmitFatcaDeclaration", fmt.Sprintf(`{"onboardingId":%q,"form":"W8BEN","countryOfCitizenship":"VN",
		"residenceCountry":"VN","evidence":"Vietnamese passport","signedBy":"Cuong Le","signedDate":"20261121"}`, id))
	call("OnboardingService.UploadIDCard", fmt.Sprintf(`{"onboardingId":%q,"side":"FRONT","format":"JPEG","image":%q}`, id, picture("card-front-c.jpg")))
	call("OnboardingService.UploadIDCard", fmt.Sprintf(`{"onboardingId":%q,"side":"BACK","format":"PNG","image":%q}`, id, picture("card-back-c.png")))
	call("OnboardingService.UploadPortrait", fmt.Sprintf(`{"onboardingId":%q,"format":"JPEG","image":%q}`, id, picture("portrait-c.jpg")))
	call("OnboardingService.InitAuthen", fmt.Sprintf(`{"onboardingId":%q}`, id))
	rid := results["OnboardingService.InitAuthen"]["requestId"]
	call("VerificationService.ConfirmOTP", fmt.Sprintf(`{"requestId":%q,"otp":%q}`, rid, (&codeSender{}).code(t, svc, rid, otp.PurposeOTP)))
	call("OnboardingService.GetStatus", fmt.Sprintf(`{"onboardingId":%q}`, id))
	if results["OnboardingService.GetStatus"]["state"] != onboarding.OnbCompleted {
		t.Errorf("onboarding status %v", results["OnboardingService.GetStatus"])
	}
}
