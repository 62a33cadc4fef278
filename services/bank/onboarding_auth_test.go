package bank_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
)

// readyPackage opens applicant A's package with every picture passed.
func (e *env) readyPackage(t *testing.T, call services.Call) string {
	t.Helper()
	id := e.initOnboarding(t, call, applicantA()).OnboardingID
	e.uploadAll(t, call, id, "a")
	return id
}

// readyPackageOf opens applicant C's package with every picture passed.
func (e *env) readyPackageOf(t *testing.T, call services.Call) string {
	t.Helper()
	id := e.initOnboarding(t, call, applicantC()).OnboardingID
	e.uploadAll(t, call, id, "c")
	return id
}

func TestOnboardingStepsOutOfOrder(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	id := e.initOnboarding(t, e.alpha, applicantA()).OnboardingID
	_, err := e.svc.Onboarding.InitAuthen(ctx, with(e.alpha, "OnboardingService.InitAuthen", ""), onboarding.OnboardingInput{OnboardingID: id})
	if !isErr(err, onboarding.ErrOnboardingState) || stateOf(err) != onboarding.OnbInitiated ||
		!strings.Contains(refusal(err).Detail, "the package is INITIATED; OnboardingService.InitAuthen needs READY_FOR_AUTH or AUTH_PENDING") {
		t.Errorf("init authen before the pictures: %v %+v", err, refusal(err))
	}
	e.mustUpload(t, e.alpha, id, onboarding.PictureFront, "card-front-a.jpg")
	if _, err := e.svc.Onboarding.InitAuthen(ctx, e.alpha, onboarding.OnboardingInput{OnboardingID: id}); stateOf(err) != onboarding.OnbDocumentsPending {
		t.Errorf("init authen with one picture: %v", err)
	}
	w9 := onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W9", USTIN: "123456789", SignedBy: "An Nguyen", SignedDate: "20261121"}
	if _, err := e.svc.Onboarding.SubmitFatcaDeclaration(ctx, e.alpha, w9); stateOf(err) != onboarding.OnbDocumentsPending {
		t.Errorf("a declaration nobody asked for: %v", err)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("g", 32)} {
		if _, err := e.svc.Onboarding.GetStatus(ctx, e.alpha, onboarding.OnboardingInput{OnboardingID: bad}); fieldReasons(err) == nil {
			t.Errorf("onboardingId %q: %v", bad, err)
		}
	}
	if _, err := e.svc.Onboarding.GetStatus(ctx, e.alpha, onboarding.OnboardingInput{OnboardingID: strings.Repeat("0", 32)}); !isErr(err, onboarding.ErrOnboardingNotFound) {
		t.Errorf("unknown package: %v", err)
	}
	// A passed picture may be replaced; a failed replacement counts.
	e.mustUpload(t, e.alpha, id, onboarding.PictureBack, "card-back-a.png")
	e.mustUpload(t, e.alpha, id, onboarding.PicturePortrait, "portrait-a.jpg")
	if _, err := e.upload(e.alpha, id, onboarding.PictureFront, "card-front-a-blurred.jpg"); stateOf(err) != onboarding.OnbDocumentsPending {
		t.Errorf("blurred replacement: %v", err)
	}
	if _, err := e.svc.Onboarding.InitAuthen(ctx, e.alpha, onboarding.OnboardingInput{OnboardingID: id}); stateOf(err) != onboarding.OnbDocumentsPending {
		t.Errorf("init authen after a failed replacement: %v", err)
	}
	if got := e.mustUpload(t, e.alpha, id, onboarding.PictureFront, "card-front-a.jpg"); got.Upload != 3 || got.State != onboarding.OnbReadyForAuth {
		t.Errorf("third front: %+v", got)
	}
	// While the code is out, the pictures are fixed.
	if _, err := e.svc.Onboarding.InitAuthen(ctx, e.alpha, onboarding.OnboardingInput{OnboardingID: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.upload(e.alpha, id, onboarding.PicturePortrait, "portrait-a.jpg"); stateOf(err) != onboarding.OnbAuthPending {
		t.Errorf("upload while the code is out: %v", err)
	}
}

func TestOnboardingCodes(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	s := &captureSender{}
	id := e.readyPackage(t, e.alpha)
	send := func() otp.OperationStarted {
		t.Helper()
		op, err := e.svc.Onboarding.InitAuthen(ctx, with(e.alpha, "OnboardingService.InitAuthen", ""), onboarding.OnboardingInput{OnboardingID: id})
		if err != nil {
			t.Fatalf("init authen: %v", err)
		}
		return op
	}
	confirm := func(requestID, code string) (otp.OperationConfirmed, error) {
		return e.svc.OTP.ConfirmOTP(ctx, with(e.alpha, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{RequestID: requestID, OTP: code})
	}
	first := send()
	if first.OnboardingID != id || first.CustomerID != "" || len(first.SentTo) != 1 || first.SentTo[0].Channel != otp.ChannelSMS ||
		!strings.HasSuffix(first.SentTo[0].To, "78") || strings.Contains(first.SentTo[0].To, "912345") {
		t.Errorf("first code: %+v", first)
	}
	if m := e.message(t, s, first.RequestID, otp.PurposeOTP); m.To != "+84912345678" {
		t.Errorf("the code went to %s", m.To)
	}
	firstCode := e.code(t, s, first.RequestID, otp.PurposeOTP)
	// A second send cancels the first code.
	second := send()
	if _, err := confirm(first.RequestID, firstCode); !isErr(err, otp.ErrOperationCancelled) {
		t.Errorf("first code after a resend: %v", err)
	}
	secondCode := e.code(t, s, second.RequestID, otp.PurposeOTP)
	third := send()
	if _, err := e.svc.Onboarding.InitAuthen(ctx, e.alpha, onboarding.OnboardingInput{OnboardingID: id}); !isErr(err, onboarding.ErrAuthSendLimit) {
		t.Errorf("fourth send: %v", err)
	}
	if _, err := confirm(second.RequestID, secondCode); !isErr(err, otp.ErrOperationCancelled) {
		t.Errorf("second code: %v", err)
	}
	// A code cancelled before it went out is never sent.
	fourthID := e.readyPackageOf(t, e.beta)
	op, err := e.svc.Onboarding.InitAuthen(ctx, e.beta, onboarding.OnboardingInput{OnboardingID: fourthID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Onboarding.InitAuthen(ctx, e.beta, onboarding.OnboardingInput{OnboardingID: fourthID}); err != nil {
		t.Fatal(err)
	}
	e.dispatchAll(t, s)
	if n := s.count(op.RequestID); n != 0 {
		t.Errorf("the cancelled code was sent %d times", n)
	}
	// Five wrong codes reject the package.
	code := e.code(t, s, third.RequestID, otp.PurposeOTP)
	for i := range otp.MaxOTPAttempts {
		_, err := confirm(third.RequestID, wrongCode(code))
		want := otp.ErrWrongOTP
		if i == otp.MaxOTPAttempts-1 {
			want = otp.ErrOperationFailed
		}
		if !isErr(err, want) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	st := e.status(t, e.alpha, id)
	if st.State != onboarding.OnbRejected || st.RejectReason != "too many wrong one-time codes" || st.Result != nil {
		t.Errorf("status %+v", st)
	}
	if _, err := confirm(third.RequestID, code); !isErr(err, otp.ErrOperationFailed) {
		t.Errorf("the right code too late: %v", err)
	}
	if _, err := e.svc.Accounts.GetCustomer(ctx, e.alpha, account.GetCustomerInput{Contact: customer.Contact{PhoneNumber: "+84912345678"}}); !isErr(err, customer.ErrCustomerNotFound) {
		t.Errorf("a customer was created: %v", err)
	}
}

func TestOnboardingExpiry(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t, func(s *bank.Settings) { s.OnboardingTTL, s.OTPTTL = time.Hour, 10*time.Minute })
	s := &captureSender{}

	// A package whose time runs out before its pictures.
	id := e.initOnboarding(t, e.alpha, applicantB()).OnboardingID
	e.clock.Add(time.Hour)
	if st := e.status(t, e.alpha, id); st.State != onboarding.OnbExpired || len(st.Missing) != 0 {
		t.Errorf("status after an hour: %+v", st)
	}
	if _, err := e.upload(e.alpha, id, onboarding.PictureFront, "card-front-b.jpg"); !isErr(err, onboarding.ErrOnboardingExpired) {
		t.Errorf("upload to an expired package: %v", err)
	}
	if _, err := e.upload(e.alpha, id, onboarding.PictureFront, "card-front-b.jpg"); !isErr(err, onboarding.ErrOnboardingState) || stateOf(err) != onboarding.OnbExpired {
		t.Errorf("upload after the package was marked expired: %v", err)
	}

	// A package whose code is sent just before its time runs out: the code
	// expires with the package, and the package cannot complete.
	id = e.readyPackage(t, e.alpha)
	e.clock.Add(55 * time.Minute)
	op, err := e.svc.Onboarding.InitAuthen(ctx, with(e.alpha, "OnboardingService.InitAuthen", ""), onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatal(err)
	}
	if st := e.status(t, e.alpha, id); op.ExpiresAt != st.ExpiresAt {
		t.Errorf("the code expires at %d, the package at %d", op.ExpiresAt, st.ExpiresAt)
	}
	code := e.code(t, s, op.RequestID, otp.PurposeOTP)
	e.clock.Add(5 * time.Minute)
	_, err = e.svc.OTP.ConfirmOTP(ctx, with(e.alpha, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: code})
	if !isErr(err, onboarding.ErrOnboardingExpired) || stateOf(err) != onboarding.OnbExpired {
		t.Fatalf("confirm after the package expired: %v", err)
	}
	if st := e.status(t, e.alpha, id); st.State != onboarding.OnbExpired || st.Result != nil {
		t.Errorf("status %+v", st)
	}
	if _, err := e.svc.Accounts.GetCustomer(ctx, e.alpha, account.GetCustomerInput{Contact: customer.Contact{PhoneNumber: "+84912345678"}}); !isErr(err, customer.ErrCustomerNotFound) {
		t.Errorf("a customer was created: %v", err)
	}

	// A code that expires before its package: send a new one.
	id = e.initOnboarding(t, e.alpha, applicantA()).OnboardingID
	e.uploadAll(t, e.alpha, id, "a")
	op, err = e.svc.Onboarding.InitAuthen(ctx, e.alpha, onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatal(err)
	}
	code = e.code(t, s, op.RequestID, otp.PurposeOTP)
	e.clock.Add(11 * time.Minute)
	_, err = e.svc.OTP.ConfirmOTP(ctx, e.alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: code})
	if !isErr(err, otp.ErrOperationExpired) || isErr(err, onboarding.ErrOnboardingExpired) {
		t.Fatalf("an expired code: %v", err)
	}
	if res := e.authenticate(t, e.alpha, s, id); res.Status != otp.OpCompleted {
		t.Errorf("after a new code: %+v", res)
	}
}

func TestOnboardingCompletionChecksAgain(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	s := &captureSender{}
	id := e.readyPackage(t, e.alpha)
	op, err := e.svc.Onboarding.InitAuthen(ctx, e.alpha, onboarding.OnboardingInput{OnboardingID: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Customers.UpdateBlacklist(ctx, with(e.alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		PhoneNumber: "+84912345678", Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.OTP.ConfirmOTP(ctx, e.alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: e.code(t, s, op.RequestID, otp.PurposeOTP)})
	if !isErr(err, customer.ErrBlacklisted) {
		t.Fatalf("confirm for a phone blacklisted meanwhile: %v", err)
	}
	if st := e.status(t, e.alpha, id); st.State != onboarding.OnbAuthPending {
		t.Errorf("state %s", st.State)
	}
	if _, err := e.svc.Accounts.GetCustomer(ctx, e.alpha, account.GetCustomerInput{Contact: customer.Contact{PhoneNumber: "+84912345678"}}); !isErr(err, customer.ErrCustomerNotFound) {
		t.Errorf("a customer was created: %v", err)
	}
}
