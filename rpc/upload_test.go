package rpc_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/services/onboarding"
)

// TestUploadBodyLimit checks that only a single request to a method that
// takes pictures may use the larger upload limit, and that pictures never
// reach the log.
func TestUploadBodyLimit(t *testing.T) {
	s := newServer(t, rpc.Options{MaxBodyBytes: 64 << 10, MaxUploadBodyBytes: 1 << 20})
	var st onboarding.OnboardingStatus
	no := false
	var answers []map[string]any
	for _, id := range []string{"US_CITIZEN_OR_RESIDENT", "US_PLACE_OF_BIRTH", "US_ADDRESS", "US_PHONE_NUMBER",
		"US_STANDING_INSTRUCTIONS", "US_POWER_OF_ATTORNEY", "IN_CARE_OF_ADDRESS_ONLY"} {
		answers = append(answers, map[string]any{"questionId": id, "answer": no})
	}
	s.mustCall(s.alpha, "OnboardingService.InitCustomerInfo", `"init"`, map[string]any{
		"firstName": "An", "lastName": "Nguyen", "DOB": "19840506", "gender": "MALE",
		"identification": map[string]string{"type": "CCCD", "number": "087084000999", "issueDate": "20210101", "expiryDate": "20440506"},
		"contact":        map[string]string{"phoneNumber": "+84912345678"},
		"address":        map[string]string{"line1": "12 Nguyen Hue", "city": "Ho Chi Minh City", "country": "VN"},
		"fatcaAnswers":   answers, "username": "an.nguyen"}, &st)
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "images", "card-front-a.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	image := base64.StdEncoding.EncodeToString(raw) // about 210 KB: over 64 KiB
	upload := func(method, id string, image string) []byte {
		p := fmt.Sprintf(`{"onboardingId":%q,"side":"FRONT","format":"JPEG","image":%q}`, st.OnboardingID, image)
		if method == "OnboardingService.UploadPortrait" {
			p = fmt.Sprintf(`{"onboardingId":%q,"format":"JPEG","image":%q}`, st.OnboardingID, image)
		}
		body, err := s.alpha.Envelope(method, json.RawMessage(id), []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	big := strings.Repeat("A", 1<<20)
	other, _ := s.alpha.Envelope("CustomerService.AddCustomer", json.RawMessage(`"c"`), []byte(`{"firstName":"`+image[:70000]+`"}`))
	tests := []struct {
		name   string
		body   []byte
		status int
	}{
		{"a card side over the ordinary limit", upload("OnboardingService.UploadIDCard", `"u1"`, image), http.StatusOK},
		{"a portrait over the ordinary limit", upload("OnboardingService.UploadPortrait", `"u2"`, image), http.StatusOK},
		{"another method over the ordinary limit", other, http.StatusRequestEntityTooLarge},
		{"an upload in a batch", []byte("[" + string(upload("OnboardingService.UploadIDCard", `"u3"`, image)) + "]"), http.StatusRequestEntityTooLarge},
		{"an upload over the upload limit", upload("OnboardingService.UploadIDCard", `"u4"`, big), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp := s.post(tt.body)
			if status != tt.status {
				t.Fatalf("HTTP %d, want %d: %.300s", status, tt.status, resp)
			}
			if status == http.StatusRequestEntityTooLarge && !strings.Contains(string(resp), "OnboardingService.UploadIDCard or OnboardingService.UploadPortrait") {
				t.Errorf("the refusal does not name the upload limit: %s", resp)
			}
		})
	}
	// The front passed; the same picture as the portrait was refused as the card.
	if got := s.logs.String(); strings.Contains(got, image[1000:1040]) || strings.Contains(got, image[:40]) {
		t.Error("the log holds the picture")
	}
}
