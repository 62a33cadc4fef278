package onboarding_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
)

// readyPackage opens applicant A's package with every picture passed.
func readyPackage(t *testing.T, e *banktest.Env, call services.Call) string {
	t.Helper()
	id := e.InitOnboarding(t, call, banktest.ApplicantA()).OnboardingID
	e.UploadAll(t, call, id, "a")
	return id
}

// readyPackageOf opens applicant C's package with every picture passed.
func readyPackageOf(t *testing.T, e *banktest.Env, call services.Call) string {
	t.Helper()
	id := e.InitOnboarding(t, call, banktest.ApplicantC()).OnboardingID
	e.UploadAll(t, call, id, "c")
	return id
}

func TestOnboardingStepsOutOfOrder(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	id := e.InitOnboarding(t, e.Alpha, banktest.ApplicantA()).OnboardingID
	_, err := e.Bank.Onboarding.InitAuthen(ctx, banktest.With(e.Alpha, "OnboardingService.InitAuthen", ""), onboarding.OnboardingInput{OnboardingID: id})
	if !banktest.IsErr(err, onboarding.ErrOnboardingState) || banktest.StateOf(err) != onboarding.OnbInitiated ||
		!strings.Contains(banktest.Refusal(err).Detail, "the package is INITIATED; OnboardingService.InitAuthen needs READY_FOR_AUTH or AUTH_PENDING") {
		t.Errorf("init authen before the pictures: %v %+v", err, banktest.Refusal(err))
	}
	e.MustUpload(t, e.Alpha, id, onboarding.PictureFront, "card-front-a.jpg")
	if _, err := e.Bank.Onboarding.InitAuthen(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: id}); banktest.StateOf(err) != onboarding.OnbDocumentsPending {
		t.Errorf("init authen with one picture: %v", err)
	}
	w9 := onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W9", USTIN: "123456789", SignedBy: "An Nguyen", SignedDate: "20261121"}
	if _, err := e.Bank.Onboarding.SubmitFatcaDeclaration(ctx, e.Alpha, w9); banktest.StateOf(err) != onboarding.OnbDocumentsPending {
		t.Errorf("a declaration nobody asked for: %v", err)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("g", 32)} {
		if _, err := e.Bank.Onboarding.GetStatus(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: bad}); banktest.FieldReasons(err) == nil {
			t.Errorf("onboardingId %q: %v", bad, err)
		}
	}
	if _, err := e.Bank.Onboarding.GetStatus(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: strings.Repeat("0", 32)}); !banktest.IsErr(err, onboarding.ErrOnboardingNotFound) {
		t.Errorf("unknown package: %v", err)
	}
	// A passed picture may be replaced; a failed replacement counts.
	e.MustUpload(t, e.Alpha, id, onboarding.PictureBack, "card-back-a.png")
	e.MustUpload(t, e.Alpha, id, onboarding.PicturePortrait, "portrait-a.jpg")
	if _, err := e.Upload(e.Alpha, id, onboarding.PictureFront, "card-front-a-blurred.jpg"); banktest.StateOf(err) != onboarding.OnbDocumentsPending {
		t.Errorf("blurred replacement: %v", err)
	}
	if _, err := e.Bank.Onboarding.InitAuthen(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: id}); banktest.StateOf(err) != onboarding.OnbDocumentsPending {
		t.Errorf("init authen after a failed replacement: %v", err)
	}
	if got := e.MustUpload(t, e.Alpha, id, onboarding.PictureFront, "card-front-a.jpg"); got.Upload != 3 || got.State != onboarding.OnbReadyForAuth {
		t.Errorf("third front: %+v", got)
	}
	// While the code is out, the pictures are fixed.
	if _, err := e.Bank.Onboarding.InitAuthen(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Upload(e.Alpha, id, onboarding.PicturePortrait, "portrait-a.jpg"); banktest.StateOf(err) != onboarding.OnbAuthPending {
		t.Errorf("upload while the code is out: %v", err)
	}
}

func TestOnboardingCodes(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	s := &banktest.CaptureSender{}
	id := readyPackage(t, e, e.Alpha)
	send := func() otp.OperationStarted {
		t.Helper()
		op, err := e.Bank.Onboarding.InitAuthen(ctx, banktest.With(e.Alpha, "OnboardingService.InitAuthen", ""), onboarding.OnboardingInput{OnboardingID: id})
		if err != nil {
			t.Fatalf("init authen: %v", err)
		}
		return op
	}
	confirm := func(requestID, code string) (otp.OperationConfirmed, error) {
		return e.Bank.OTP.ConfirmOTP(ctx, banktest.With(e.Alpha, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{RequestID: requestID, OTP: code})
	}
	first := send()
	if first.OnboardingID != id || first.CustomerID != "" || len(first.SentTo) != 1 || first.SentTo[0].Channel != otp.ChannelSMS ||
		!strings.HasSuffix(first.SentTo[0].To, "78") || strings.Contains(first.SentTo[0].To, "912345") {
		t.Errorf("first code: %+v", first)
	}
	if m := e.Message(t, s, first.RequestID, otp.PurposeOTP); m.To != "+84912345678" {
		t.Errorf("the code went to %s", m.To)
	}
	firstCode := e.Code(t, s, first.RequestID, otp.PurposeOTP)
	// A second send cancels the first code.
	second := send()
	if _, err := confirm(first.RequestID, firstCode); !banktest.IsErr(err, otp.ErrOperationCancelled) {
		t.Errorf("first code after a resend: %v", err)
	}
	secondCode := e.Code(t, s, second.RequestID, otp.PurposeOTP)
	third := send()
	if _, err := e.Bank.Onboarding.InitAuthen(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: id}); !banktest.IsErr(err, onboarding.ErrAuthSendLimit) {
		t.Errorf("fourth send: %v", err)
	}
	if _, err := confirm(second.RequestID, secondCode); !banktest.IsErr(err, otp.ErrOperationCancelled) {
		t.Errorf("second code: %v", err)
	}
	// A code cancelled before it went out is never sent.
	fourthID := readyPackageOf(t, e, e.Beta)
	op, err := e.Bank.Onboarding.InitAuthen(ctx, e.Beta, onboarding.OnboardingInput{OnboardingID: fourthID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.Onboarding.InitAuthen(ctx, e.Beta, onboarding.OnboardingInput{OnboardingID: fourthID}); err != nil {
		t.Fatal(err)
	}
	e.DispatchAll(t, s)
	if n := s.Count(op.RequestID); n != 0 {
		t.Errorf("the cancelled code was sent %d times", n)
	}
	// Five wrong codes reject the package.
	code := e.Code(t, s, third.RequestID, otp.PurposeOTP)
	for i := range otp.MaxOTPAttempts {
		_, err := confirm(third.RequestID, banktest.WrongCode(code))
		want := otp.ErrWrongOTP
		if i == otp.MaxOTPAttempts-1 {
			want = otp.ErrOperationFailed
		}
		if !banktest.IsErr(err, want) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	st := e.Status(t, e.Alpha, id)
	if st.State != onboarding.OnbRejected || st.RejectReason != "too many wrong one-time codes" || st.Result != nil {
		t.Errorf("status %+v", st)
	}
	if _, err := confirm(third.RequestID, code); !banktest.IsErr(err, otp.ErrOperationFailed) {
		t.Errorf("the right code too late: %v", err)
	}
	if _, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{Contact: customer.Contact{PhoneNumber: "+84912345678"}}); !banktest.IsErr(err, customer.ErrCustomerNotFound) {
		t.Errorf("a customer was created: %v", err)
	}
}

func TestOnboardingExpiry(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t, func(s *bank.Settings) { s.OnboardingTTL, s.OTPTTL = time.Hour, 10*time.Minute })
	s := &banktest.CaptureSender{}

	// A package whose time runs out before its pictures.
	id := e.InitOnboarding(t, e.Alpha, banktest.ApplicantB()).OnboardingID
	e.Clock.Add(time.Hour)
	if st := e.Status(t, e.Alpha, id); st.State != onboarding.OnbExpired || len(st.Missing) != 0 {
		t.Errorf("status after an hour: %+v", st)
	}
	if _, err := e.Upload(e.Alpha, id, onboarding.PictureFront, "card-front-b.jpg"); !banktest.IsErr(err, onboarding.ErrOnboardingExpired) {
		t.Errorf("upload to an expired package: %v", err)
	}
	if _, err := e.Upload(e.Alpha, id, onboarding.PictureFront, "card-front-b.jpg"); !banktest.IsErr(err, onboarding.ErrOnboardingState) || banktest.StateOf(err) != onboarding.OnbExpired {
		t.Errorf("upload after the package was marked expired: %v", err)
	}

	// A package whose code is sent just before its time runs out: the code
	// expires with the package, and the package cannot complete.
	id = readyPackage(t, e, e.Alpha)
	e.Clock.Add(55 * time.Minute)
	op, err := e.Bank.Onboarding.InitAuthen(ctx, banktest.With(e.Alpha, "OnboardingService.InitAuthen", ""), onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatal(err)
	}
	if st := e.Status(t, e.Alpha, id); op.ExpiresAt != st.ExpiresAt {
		t.Errorf("the code expires at %d, the package at %d", op.ExpiresAt, st.ExpiresAt)
	}
	code := e.Code(t, s, op.RequestID, otp.PurposeOTP)
	e.Clock.Add(5 * time.Minute)
	_, err = e.Bank.OTP.ConfirmOTP(ctx, banktest.With(e.Alpha, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: code})
	if !banktest.IsErr(err, onboarding.ErrOnboardingExpired) || banktest.StateOf(err) != onboarding.OnbExpired {
		t.Fatalf("confirm after the package expired: %v", err)
	}
	if st := e.Status(t, e.Alpha, id); st.State != onboarding.OnbExpired || st.Result != nil {
		t.Errorf("status %+v", st)
	}
	if _, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{Contact: customer.Contact{PhoneNumber: "+84912345678"}}); !banktest.IsErr(err, customer.ErrCustomerNotFound) {
		t.Errorf("a customer was created: %v", err)
	}

	// A code that expires before its package: send a new one.
	id = e.InitOnboarding(t, e.Alpha, banktest.ApplicantA()).OnboardingID
	e.UploadAll(t, e.Alpha, id, "a")
	op, err = e.Bank.Onboarding.InitAuthen(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatal(err)
	}
	code = e.Code(t, s, op.RequestID, otp.PurposeOTP)
	e.Clock.Add(11 * time.Minute)
	_, err = e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: code})
	if !banktest.IsErr(err, otp.ErrOperationExpired) || banktest.IsErr(err, onboarding.ErrOnboardingExpired) {
		t.Fatalf("an expired code: %v", err)
	}
	if res := e.Authenticate(t, e.Alpha, s, id); res.Status != otp.OpCompleted {
		t.Errorf("after a new code: %+v", res)
	}
}

func TestOnboardingCompletionChecksAgain(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	s := &banktest.CaptureSender{}
	id := readyPackage(t, e, e.Alpha)
	op, err := e.Bank.Onboarding.InitAuthen(ctx, e.Alpha, onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.Customers.UpdateBlacklist(ctx, banktest.With(e.Alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		PhoneNumber: "+84912345678", Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: e.Code(t, s, op.RequestID, otp.PurposeOTP)})
	if !banktest.IsErr(err, customer.ErrBlacklisted) {
		t.Fatalf("confirm for a phone blacklisted meanwhile: %v", err)
	}
	if st := e.Status(t, e.Alpha, id); st.State != onboarding.OnbAuthPending {
		t.Errorf("state %s", st.State)
	}
	if _, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{Contact: customer.Contact{PhoneNumber: "+84912345678"}}); !banktest.IsErr(err, customer.ErrCustomerNotFound) {
		t.Errorf("a customer was created: %v", err)
	}
}
