package onboarding_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
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

func TestFatcaQuestions(t *testing.T) {
	e := banktest.NewLifecycle(t)
	qs, err := e.Bank.Onboarding.GetFatcaQuestions(context.Background(), e.Alpha, onboarding.FatcaQuestionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs.Questions) != 7 {
		t.Fatalf("%d questions, want 7", len(qs.Questions))
	}
	seen := map[string]bool{}
	for i, q := range qs.Questions {
		if q.Number != i+1 || q.ID == "" || seen[q.ID] || q.TextVI == "" || q.TextEN == "" || q.TextVI == q.TextEN {
			t.Errorf("question %d: %+v", i, q)
		}
		seen[q.ID] = true
	}
}

func TestOnboardingHappyPath(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	s := &banktest.CaptureSender{}
	st := e.InitOnboarding(t, e.Alpha, banktest.ApplicantA())
	if st.State != onboarding.OnbInitiated || len(st.Checks) != 5 || banktest.Problems(nil, st.Checks...) != "" {
		t.Fatalf("after init: %+v", st)
	}
	if got := strings.Join(st.Missing, " "); got != "ID_CARD_FRONT ID_CARD_BACK PORTRAIT" {
		t.Errorf("missing %q", got)
	}
	id := st.OnboardingID
	front := e.MustUpload(t, e.Alpha, id, onboarding.PictureFront, "card-front-a.jpg")
	if front.State != onboarding.OnbDocumentsPending || len(front.SHA256) != 64 || front.Upload != 1 {
		t.Errorf("after the front: %+v", front)
	}
	e.MustUpload(t, e.Alpha, id, onboarding.PictureBack, "card-back-a.png")
	last := e.MustUpload(t, e.Alpha, id, onboarding.PicturePortrait, "portrait-a.jpg")
	if last.State != onboarding.OnbReadyForAuth || strings.Join(last.Missing, " ") != onboarding.MissingInitAuthen {
		t.Fatalf("after the portrait: %+v", last)
	}
	res := e.Authenticate(t, e.Alpha, s, id)
	if res.Status != otp.OpCompleted || res.Operation != onboarding.OpOnboarding || res.OnboardingID != id ||
		res.Username != "an.nguyen" || res.CustomerID == "" || res.AccountID == "" {
		t.Fatalf("confirmed: %+v", res)
	}
	done := e.Status(t, e.Alpha, id)
	if done.State != onboarding.OnbCompleted || done.Result == nil || done.Result.CustomerID != res.CustomerID ||
		done.Result.AccountNumber != res.AccountID || len(done.Missing) != 0 {
		t.Fatalf("status: %+v", done)
	}
	for _, p := range done.Pictures {
		if p.Status != onboarding.PicturePassed || p.Uploads != 1 {
			t.Errorf("picture %+v", p)
		}
	}
	c, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{ID: res.CustomerID})
	if err != nil {
		t.Fatal(err)
	}
	if c.FirstName != "An" || c.Contact.PhoneNumber != "+84912345678" || len(c.Accounts) != 1 || c.Accounts[0].AccountID != res.AccountID {
		t.Errorf("customer %+v", c)
	}
	d := e.Details(t, e.Alpha, res.AccountID)
	if d.Status != account.StatusActive || d.AccountType != account.AccountChecking || d.Currency != "VND" || d.AccountName != "AN NGUYEN" ||
		d.CustomerID != res.CustomerID {
		t.Errorf("account %+v", d)
	}
	u, err := e.Bank.Ebank.GetUserInfo(ctx, e.Alpha, ebank.UsernameInput{Username: "an.nguyen"})
	if err != nil || u.CustomerID != res.CustomerID || u.Mobile != "+84912345678" || u.Status != ebank.UserActive {
		t.Errorf("user %+v, %v", u, err)
	}
	// Completed is final: no more pictures, no second code.
	if _, err := e.Upload(e.Alpha, id, onboarding.PictureFront, "card-front-a.jpg"); !banktest.IsErr(err, onboarding.ErrOnboardingState) || banktest.StateOf(err) != onboarding.OnbCompleted {
		t.Errorf("upload after completion: %v", err)
	}
	if _, err := e.Bank.Onboarding.InitAuthen(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: id}); !banktest.IsErr(err, onboarding.ErrOnboardingState) {
		t.Errorf("init authen after completion: %v", err)
	}
	// Another partner cannot see the package.
	if _, err := e.Bank.Onboarding.GetStatus(ctx, e.Beta, onboarding.OnboardingInput{OnboardingID: id}); !banktest.IsErr(err, onboarding.ErrOnboardingNotFound) {
		t.Errorf("beta's status: %v", err)
	}
	// The person is now a customer: a new package for the same card is refused.
	if _, err := e.Bank.Onboarding.InitCustomerInfo(ctx, e.Alpha, banktest.ApplicantA()); !banktest.IsErr(err, onboarding.ErrOnboardingChecksFailed) ||
		!strings.Contains(banktest.Problems(err), "NOT_ALREADY_A_CUSTOMER:ALREADY_A_CUSTOMER") {
		t.Errorf("second package of a customer: %v (%s)", err, banktest.Problems(err))
	}
}

func TestOnboardingInfoChecks(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t) // the clock says 2026-11-21
	if _, err := e.Bank.Customers.UpdateBlacklist(ctx, banktest.With(e.Alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		Identification: &customer.Identification{Type: "CCCD", Value: "001190012345"}, Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		in     func() onboarding.InitCustomerInfoInput
		failed string
	}{
		{"under age: 17 years and 364 days", func() onboarding.InitCustomerInfoInput {
			in := banktest.ApplicantA()
			in.DOB, in.Identification.Number = "20081122", "087208000999"
			return in
		}, "AGE:UNDER_AGE"},
		{"expired card", func() onboarding.InitCustomerInfoInput {
			in := banktest.ApplicantA()
			in.Identification.ExpiryDate = "20261121"
			return in
		}, "DOCUMENT:EXPIRED"},
		{"card issued tomorrow", func() onboarding.InitCustomerInfoInput {
			in := banktest.ApplicantA()
			in.Identification.IssueDate = "20261122"
			return in
		}, "DOCUMENT:NOT_YET_ISSUED"},
		{"CCCD of a woman born in 1985", func() onboarding.InitCustomerInfoInput {
			in := banktest.ApplicantA()
			in.Identification.Number = "087185000999"
			return in
		}, "DOCUMENT:HOLDER_MISMATCH"},
		{"no expiry date on a 42-year-old's card", func() onboarding.InitCustomerInfoInput {
			in := banktest.ApplicantA()
			in.Identification.ExpiryDate = ""
			return in
		}, "DOCUMENT:EXPIRY_DATE_MISSING"},
		{"blacklisted card", banktest.ApplicantB, "NOT_BLACKLISTED:BLACKLISTED"},
		{"a landline", func() onboarding.InitCustomerInfoInput {
			in := banktest.ApplicantA()
			in.Contact.PhoneNumber = "02838123456"
			return in
		}, "PHONE:NOT_A_MOBILE_NUMBER"},
		{"under age, mismatched and expired card, all listed", func() onboarding.InitCustomerInfoInput {
			in := banktest.ApplicantA()
			in.DOB, in.Identification.ExpiryDate = "20100101", "20250101"
			return in
		}, "AGE:UNDER_AGE DOCUMENT:EXPIRED DOCUMENT:HOLDER_MISMATCH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Bank.Onboarding.InitCustomerInfo(ctx, banktest.With(e.Alpha, "OnboardingService.InitCustomerInfo", ""), tt.in())
			r := banktest.Refusal(err)
			if !banktest.IsErr(err, onboarding.ErrOnboardingChecksFailed) || r == nil {
				t.Fatalf("got %v, want the checks to fail", err)
			}
			if got := banktest.Problems(err); got != tt.failed {
				t.Errorf("failed %q, want %q", got, tt.failed)
			}
			if len(r.Checks) != 5 || r.State != onboarding.OnbRejected || r.OnboardingID == "" {
				t.Errorf("refusal %+v", r)
			}
			st := e.Status(t, e.Alpha, r.OnboardingID)
			if st.State != onboarding.OnbRejected || banktest.Problems(nil, st.Checks...) != tt.failed || len(st.Missing) != 0 ||
				!strings.HasPrefix(st.RejectReason, "checks failed: ") {
				t.Errorf("status %+v", st)
			}
			// A rejected package takes nothing more.
			if _, err := e.Upload(e.Alpha, r.OnboardingID, onboarding.PictureFront, "card-front-a.jpg"); !banktest.IsErr(err, onboarding.ErrOnboardingState) ||
				banktest.StateOf(err) != onboarding.OnbRejected {
				t.Errorf("upload to a rejected package: %v", err)
			}
		})
	}
}

func TestInitCustomerInfoValidation(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	tests := []struct {
		name   string
		change func(*onboarding.InitCustomerInfoInput)
		want   string
	}{
		{"nothing", func(in *onboarding.InitCustomerInfoInput) { *in = onboarding.InitCustomerInfoInput{} },
			"DOB:REQUIRED address.city:REQUIRED address.line1:REQUIRED contact.phoneNumber:REQUIRED fatcaAnswers:REQUIRED firstName:REQUIRED " +
				"gender:REQUIRED identification.issueDate:REQUIRED identification.number:REQUIRED identification.type:REQUIRED lastName:REQUIRED username:REQUIRED"},
		{"a Kenyan ID", func(in *onboarding.InitCustomerInfoInput) { in.Identification.Type = "101" }, "identification.type:INVALID_VALUE"},
		{"six answers", func(in *onboarding.InitCustomerInfoInput) { in.FatcaAnswers = in.FatcaAnswers[1:] }, "fatcaAnswers:REQUIRED"},
		{"six answers and no last name, both named", func(in *onboarding.InitCustomerInfoInput) {
			in.FatcaAnswers, in.LastName = in.FatcaAnswers[1:], ""
		}, "fatcaAnswers:REQUIRED lastName:REQUIRED"},
		{"an unknown question and a missing answer", func(in *onboarding.InitCustomerInfoInput) {
			in.FatcaAnswers[0].QuestionID, in.FatcaAnswers[1].Answer = "US_TAXES", nil
		}, "fatcaAnswers[0].questionId:INVALID_VALUE fatcaAnswers[1].answer:REQUIRED"},
		{"a question twice", func(in *onboarding.InitCustomerInfoInput) {
			in.FatcaAnswers[1].QuestionID = in.FatcaAnswers[0].QuestionID
		},
			"fatcaAnswers[1].questionId:DUPLICATE_FIELD"},
		{"bad username, channel and currency", func(in *onboarding.InitCustomerInfoInput) { in.Username, in.Channel, in.Currency = "1ab", "FAX", "XYZ" },
			"channel:INVALID_VALUE currency:INVALID_VALUE username:INVALID_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := banktest.ApplicantA()
			tt.change(&in)
			_, err := e.Bank.Onboarding.InitCustomerInfo(ctx, e.Alpha, in)
			if got := banktest.Join(banktest.FieldReasons(err)); got != tt.want {
				t.Errorf("got %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestOnboardingClashes(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	first := e.InitOnboarding(t, e.Alpha, banktest.ApplicantA())
	_, err := e.Bank.Onboarding.InitCustomerInfo(ctx, e.Alpha, banktest.ApplicantA())
	if r := banktest.Refusal(err); !banktest.IsErr(err, onboarding.ErrOnboardingInProgress) || r.OnboardingID != first.OnboardingID {
		t.Errorf("same card twice: %v", err)
	}
	in := banktest.ApplicantC()
	in.Username = "AN.NGUYEN"
	if _, err := e.Bank.Onboarding.InitCustomerInfo(ctx, e.Alpha, in); !banktest.IsErr(err, ebank.ErrUsernameExists) {
		t.Errorf("username of an open package: %v", err)
	}
	// Another partner has its own packages.
	e.InitOnboarding(t, e.Beta, banktest.ApplicantA())
	// Once the first package expired, the card may start again.
	e.Clock.Add(25 * time.Hour)
	e.InitOnboarding(t, e.Alpha, banktest.ApplicantA())
}

func TestFatcaReview(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	s := &banktest.CaptureSender{}
	yes := banktest.ApplicantA()
	yes.FatcaAnswers = banktest.Answers(onboarding.FatcaUSPerson)
	st := e.InitOnboarding(t, e.Alpha, yes)
	id := st.OnboardingID
	if st.State != onboarding.OnbFatcaReview || st.Fatca.Status != onboarding.FatcaPending ||
		strings.Join(st.Fatca.AnsweredYes, " ") != onboarding.FatcaUSPerson || st.Missing[0] != onboarding.MissingFatcaDeclaration {
		t.Fatalf("after init: %+v", st)
	}
	// The pictures may come in meanwhile, but the package stays in review.
	e.UploadAll(t, e.Alpha, id, "a")
	if got := e.Status(t, e.Alpha, id); got.State != onboarding.OnbFatcaReview || strings.Join(got.Missing, " ") != onboarding.MissingFatcaDeclaration {
		t.Fatalf("after the pictures: %+v", got)
	}
	if _, err := e.Bank.Onboarding.InitAuthen(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: id}); !banktest.IsErr(err, onboarding.ErrOnboardingState) ||
		banktest.StateOf(err) != onboarding.OnbFatcaReview || !strings.Contains(banktest.Refusal(err).Detail, "FATCA") {
		t.Fatalf("init authen in review: %v", err)
	}
	w8 := onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W8BEN", CountryOfCitizenship: "VN", ResidenceCountry: "VN",
		Evidence: "Vietnamese passport", SignedBy: "An Nguyen", SignedDate: "20261121"}
	if _, err := e.Bank.Onboarding.SubmitFatcaDeclaration(ctx, e.Alpha, w8); !banktest.IsErr(err, onboarding.ErrFatcaFormNotAllowed) {
		t.Errorf("W-8BEN of a US person: %v", err)
	}
	bad := []struct {
		in   onboarding.SubmitFatcaDeclarationInput
		want string
	}{
		{onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W9", SignedBy: "An Nguyen", SignedDate: "20261121"}, "usTin:REQUIRED"},
		{onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W9", USTIN: "666-12-3456", SignedBy: "An Nguyen", SignedDate: "20261121"}, "usTin:INVALID_VALUE"},
		{onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W9", USTIN: "12345678", ResidenceCountry: "VN"},
			"residenceCountry:NOT_ALLOWED signedBy:REQUIRED signedDate:REQUIRED usTin:INVALID_FORMAT"},
		{onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W8", SignedBy: "An", SignedDate: "20261121"}, "form:INVALID_VALUE"},
		{onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W8BEN", CountryOfCitizenship: "US", SignedBy: "An Nguyen", SignedDate: "20261121"},
			"countryOfCitizenship:INVALID_VALUE evidence:REQUIRED residenceCountry:REQUIRED"},
	}
	for _, b := range bad {
		if _, err := e.Bank.Onboarding.SubmitFatcaDeclaration(ctx, e.Alpha, b.in); banktest.Join(banktest.FieldReasons(err)) != b.want {
			t.Errorf("%+v: got %v, want %s", b.in, banktest.FieldReasons(err), b.want)
		}
	}
	w9 := onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W9", USTIN: "123-45-6789", SignedBy: "An Nguyen", SignedDate: "20261121"}
	got, err := e.Bank.Onboarding.SubmitFatcaDeclaration(ctx, banktest.With(e.Alpha, "OnboardingService.SubmitFatcaDeclaration", ""), w9)
	if err != nil || got.State != onboarding.OnbReadyForAuth || got.Fatca.Status != onboarding.FatcaW9 || !got.Fatca.USReportable {
		t.Fatalf("W-9: %+v, %v", got, err)
	}
	if _, err := e.Bank.Onboarding.SubmitFatcaDeclaration(ctx, e.Alpha, w9); !banktest.IsErr(err, onboarding.ErrOnboardingState) || banktest.StateOf(err) != onboarding.OnbReadyForAuth {
		t.Errorf("a second declaration: %v", err)
	}
	if res := e.Authenticate(t, e.Alpha, s, id); res.Status != otp.OpCompleted {
		t.Errorf("completion: %+v", res)
	}

	// A "yes" to a US phone only: a W-8BEN with evidence will do, before
	// any picture.
	b := banktest.ApplicantB()
	b.Identification.Number, b.FatcaAnswers = "001190012399", banktest.Answers(onboarding.FatcaUSPhone)
	sb := e.InitOnboarding(t, e.Alpha, b)
	w8.OnboardingID = sb.OnboardingID
	got, err = e.Bank.Onboarding.SubmitFatcaDeclaration(ctx, e.Alpha, w8)
	if err != nil || got.State != onboarding.OnbInitiated || got.Fatca.Status != onboarding.FatcaW8BEN || got.Fatca.USReportable {
		t.Errorf("W-8BEN: %+v, %v", got, err)
	}
}

func TestOnboardingPictures(t *testing.T) {
	e := banktest.NewLifecycle(t)
	// Applicant B completed with B's pictures: they are someone else's now.
	s := &banktest.CaptureSender{}
	b := e.InitOnboarding(t, e.Beta, banktest.ApplicantB())
	e.UploadAll(t, e.Beta, b.OnboardingID, "b")
	e.Authenticate(t, e.Beta, s, b.OnboardingID)

	tests := []struct {
		name  string
		steps [][2]string // kind, file; every step but the last must pass
		want  string
	}{
		{"blurred card", [][2]string{{"FRONT", "card-front-a-blurred.jpg"}}, "SHARPNESS:BLURRY"},
		{"over-exposed card", [][2]string{{"FRONT", "card-front-a-overexposed.jpg"}}, "EXPOSURE:GLARE EXPOSURE:OVEREXPOSED SHARPNESS:BLURRY"},
		{"dark card", [][2]string{{"BACK", "card-front-a-dark.jpg"}}, "EXPOSURE:TOO_DARK"},
		{"tiny card", [][2]string{{"FRONT", "card-tiny.jpg"}}, "FILE_SIZE:TOO_SMALL_FILE RESOLUTION:LOW_RESOLUTION"},
		{"the front as the back", [][2]string{{"FRONT", "card-front-a.jpg"}, {"BACK", "card-front-a.jpg"}}, "UNIQUE:SAME_AS_OTHER_SIDE"},
		{"the card as the portrait", [][2]string{{"FRONT", "card-front-a.jpg"}, {"PORTRAIT", "card-front-a.jpg"}}, "UNIQUE:SAME_AS_CARD"},
		{"the portrait as a card side", [][2]string{{"PORTRAIT", "portrait-a.jpg"}, {"BACK", "portrait-a.jpg"}}, "UNIQUE:SAME_AS_PORTRAIT"},
		{"another applicant's portrait", [][2]string{{"PORTRAIT", "portrait-b.jpg"}}, "UNIQUE:USED_BY_ANOTHER_APPLICANT"},
		{"another applicant's card", [][2]string{{"FRONT", "card-front-b.jpg"}}, "UNIQUE:USED_BY_ANOTHER_APPLICANT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := e.InitOnboarding(t, e.Alpha, banktest.ApplicantC()).OnboardingID
			defer e.Clock.Add(25 * time.Hour) // frees C's card for the next case
			for i, step := range tt.steps {
				_, err := e.Upload(e.Alpha, id, step[0], step[1])
				if i < len(tt.steps)-1 {
					if err != nil {
						t.Fatalf("step %d: %v (%s)", i, err, banktest.Problems(err))
					}
					continue
				}
				r := banktest.Refusal(err)
				if !banktest.IsErr(err, onboarding.ErrPictureRejected) || r == nil {
					t.Fatalf("got %v, want the picture refused", err)
				}
				if got := banktest.Problems(err); got != tt.want {
					t.Errorf("problems %q, want %q", got, tt.want)
				}
				if banktest.AttemptsLeft(err) != 2 || r.State != onboarding.OnbDocumentsPending {
					t.Errorf("attempts left %d, state %s", banktest.AttemptsLeft(err), r.State)
				}
			}
			pic := e.Status(t, e.Alpha, id).Pictures
			last := tt.steps[len(tt.steps)-1][0]
			for _, p := range pic {
				if p.Kind == last && (p.Status != onboarding.PictureFailed || p.UploadsLeft != 2 || len(p.SHA256) != 64) {
					t.Errorf("picture %+v", p)
				}
			}
		})
	}
}

func TestPictureUploadFormats(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	id := e.InitOnboarding(t, e.Alpha, banktest.ApplicantA()).OnboardingID
	up := func(format, image string) error {
		_, err := e.Bank.Onboarding.UploadIDCard(ctx, banktest.With(e.Alpha, "OnboardingService.UploadIDCard", ""),
			onboarding.UploadIDCardInput{OnboardingID: id, Side: "FRONT", Format: format, Image: image})
		return err
	}
	png := picture(t, "card-back-a.png")
	fields := []struct {
		name, format, image, want string
	}{
		{"no image", "JPEG", "", "image:REQUIRED"},
		{"not Base64", "JPEG", "not base64!", "image:INVALID_FORMAT"},
		{"no format", "", png, "format:REQUIRED"},
		{"a GIF declared", "GIF", png, "format:INVALID_VALUE"},
		{"data URL against format", "JPEG", "data:image/png;base64," + png, "format:CONFLICT"},
	}
	for _, f := range fields {
		if got := banktest.Join(banktest.FieldReasons(up(f.format, f.image))); got != f.want {
			t.Errorf("%s: got %q, want %q", f.name, got, f.want)
		}
	}
	// Refused pictures: each counts as an upload.
	err := up("JPEG", base64Of("%PDF-1.4 this is not a picture"))
	if banktest.Problems(err) != "FILE_SIZE:TOO_SMALL_FILE FORMAT:NOT_AN_IMAGE" || banktest.AttemptsLeft(err) != 2 {
		t.Errorf("a non-image: %v %s left %d", err, banktest.Problems(err), banktest.AttemptsLeft(err))
	}
	err = up("JPEG", png)
	if !strings.Contains(banktest.Problems(err), "FORMAT:FORMAT_MISMATCH") || banktest.AttemptsLeft(err) != 1 {
		t.Errorf("a PNG declared JPEG: %s left %d", banktest.Problems(err), banktest.AttemptsLeft(err))
	}
	// A data URL needs no format; a passed picture does not use up an upload.
	if err := up("", "data:image/png;base64,"+png); err != nil {
		t.Fatalf("a data URL: %v (%s)", err, banktest.Problems(err))
	}
	err = up("JPEG", picture(t, "card-tiny.jpg"))
	if banktest.AttemptsLeft(err) != 0 || banktest.StateOf(err) != onboarding.OnbRejected {
		t.Errorf("third failure: %v, left %d, state %s", err, banktest.AttemptsLeft(err), banktest.StateOf(err))
	}
	st := e.Status(t, e.Alpha, id)
	if st.State != onboarding.OnbRejected || !strings.Contains(st.RejectReason, "ID_CARD_FRONT") {
		t.Errorf("status %+v", st)
	}
}

func base64Of(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
