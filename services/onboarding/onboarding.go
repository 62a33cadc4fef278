package onboarding

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/otp"
)

// InitCustomerInfoInput is OnboardingService.InitCustomerInfo's payload:
// the person, their identity document, contact and address, the FATCA
// answers, and the e-banking username and current account to open.
type InitCustomerInfoInput struct {
	FirstName      string                `json:"firstName" size:"name"`
	LastName       string                `json:"lastName" size:"name"`
	DOB            string                `json:"DOB" size:"date"`
	Gender         string                `json:"gender" size:"code"`
	Identification customer.EKYCDocument `json:"identification"`
	Contact        customer.Contact      `json:"contact"`
	Address        customer.Address      `json:"address"`
	// FatcaAnswers answers each of GetFatcaQuestions's questions.
	FatcaAnswers []FatcaAnswer `json:"fatcaAnswers" items:"20"`
	Username     string        `json:"username" size:"username"`
	// Channel is where the e-banking user signs in (default MOBILE);
	// Currency is the current account's (default VND).
	Channel  string `json:"channel" size:"code"`
	Currency string `json:"currency" size:"code"`
}

// onboardingDocTypes are the documents an eKYC onboarding accepts.
var onboardingDocTypes = []string{customer.IDCCCD, customer.IDCMND, customer.IDPassport}

// applicant is what a package keeps of the person, to open with.
type applicant struct {
	Customer customer.AddCustomerInput `json:"customer"`
	Channel  string                    `json:"channel"`
	Currency string                    `json:"currency"`
}

// InitCustomerInfo opens an onboarding package and runs every check of the
// person's data at once. A package whose checks fail is kept as REJECTED
// and the call is refused with every check listed; one with a FATCA "yes"
// waits in FATCA_REVIEW for a declaration.
func (s *Service) InitCustomerInfo(ctx context.Context, call services.Call, in InitCustomerInfoInput) (OnboardingStatus, error) {
	now := s.k.Clock.Now()
	var ck checker
	ck.CheckName("firstName", in.FirstName, true)
	ck.CheckName("lastName", in.LastName, true)
	dob := ck.CheckDate("DOB", in.DOB, now, true)
	gender := ck.CheckEnum("gender", in.Gender, true, customer.GenderMale, customer.GenderFemale, customer.GenderOther)
	docType := ck.CheckEnum("identification.type", strings.ToUpper(strings.TrimSpace(in.Identification.Type)), true, onboardingDocTypes...)
	ck.Required("identification.number", in.Identification.Number)
	ck.CheckDate("identification.issueDate", in.Identification.IssueDate, now.AddDate(100, 0, 0), true)
	ck.CheckDate("identification.expiryDate", in.Identification.ExpiryDate, now.AddDate(100, 0, 0), false)
	ck.Required("contact.phoneNumber", in.Contact.PhoneNumber)
	phone := ck.CheckPhone("contact.phoneNumber", in.Contact.PhoneNumber, s.settings.PhoneRegion)
	ck.CheckEmail("contact.email", in.Contact.Email)
	addr := customer.CheckAddress(&ck.Checker, in.Address)
	ck.Required("address.line1", addr.Line1)
	ck.Required("address.city", addr.City)
	answers := ck.checkFatcaAnswers(in.FatcaAnswers)
	username := ebank.CheckUsername(&ck.Checker, in.Username)
	channel := ck.CheckEnum("channel", in.Channel, false, ebank.UserChannels()...)
	if in.Currency != "" && !services.ValidCurrency(in.Currency) {
		ck.Add("currency", services.ReasonInvalidValue, "must be an ISO 4217 currency code in use, in upper case (e.g. VND)")
	}
	if err := ck.Err(); err != nil {
		return OnboardingStatus{}, fmt.Errorf("init customer info: %w", err)
	}
	checks, err := s.customers.ValidateEKYC(ctx, call, customer.ValidateEKYCInput{FirstName: in.FirstName, LastName: in.LastName, DOB: in.DOB,
		Gender: gender, Identification: in.Identification, PhoneNumber: phone})
	if err != nil {
		return OnboardingStatus{}, fmt.Errorf("init customer info: %w", err)
	}
	noteMissingExpiry(&checks, docType, in.Identification.ExpiryDate, dob, now)
	if channel == "" {
		channel = "MOBILE"
	}
	currency := in.Currency
	if currency == "" {
		currency = "VND"
	}
	number := customer.NormalizeIDValue(docType, in.Identification.Number)
	app := applicant{Channel: channel, Currency: currency, Customer: customer.AddCustomerInput{Type: customer.CustomerIndividual,
		FirstName: in.FirstName, LastName: in.LastName, DOB: in.DOB, Gender: gender,
		Identification: []customer.Identification{{Type: docType, Value: number}},
		Contact:        customer.Contact{PhoneNumber: phone, Email: in.Contact.Email}, Address: addr}}
	o := Onboarding{PartnerID: call.PartnerID, KeyID: call.KeyID, IDType: docType, IDValue: number,
		Phone: phone, Username: username, Checks: encodeJSON(checks.Checks), FatcaAnswers: encodeJSON(answers),
		FatcaStatus: FatcaNotRequired, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(s.settings.OnboardingTTL)}
	switch {
	case !checks.Passed:
		o.State, o.RejectReason = OnbRejected, "checks failed: "+strings.Join(failedChecks(checks.Checks), ", ")
	case len(fatcaYes(answers)) > 0:
		o.State, o.FatcaStatus = OnbFatcaReview, FatcaPending
	default:
		o.State = OnbInitiated
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (OnboardingStatus, error) {
		if err := s.checkOnboardingClash(ctx, tx, call, o, now); err != nil {
			return OnboardingStatus{}, err
		}
		if err := s.insertOnboarding(ctx, tx, &o, []byte(encodeJSON(app))); err != nil {
			return OnboardingStatus{}, err
		}
		if o.State == OnbRejected {
			return OnboardingStatus{}, services.KeepWrites(&services.Refusal{Err: ErrOnboardingChecksFailed, Checks: checks.Checks,
				OnboardingID: o.ID, State: o.State, Detail: o.RejectReason})
		}
		return s.onboardingStatus(ctx, tx, o, nil)
	})
	if err != nil {
		return OnboardingStatus{}, fmt.Errorf("init customer info: %w", err)
	}
	return res, nil
}

// noteMissingExpiry adds a DOCUMENT problem when the document has no
// expiry date although it needs one: a CCCD issued at 60 or later is valid
// for life; every other document expires.
func noteMissingExpiry(res *customer.EKYCResult, docType, expiry, dob string, now time.Time) {
	if expiry != "" {
		return
	}
	if born, err := time.Parse(time.DateOnly, dob); err == nil && docType == customer.IDCCCD && !now.Before(born.AddDate(60, 0, 0)) {
		return
	}
	for i := range res.Checks {
		if res.Checks[i].Name == customer.CheckDocument {
			res.Checks[i].Passed = false
			res.Checks[i].Problems = append(res.Checks[i].Problems, services.Problem{Code: "EXPIRY_DATE_MISSING",
				Message: "the document's expiry date is needed (only a CCCD of a holder aged 60 or more has none)"})
			res.Passed = false
		}
	}
}

func failedChecks(checks []services.EKYCCheck) []string {
	var out []string
	for _, c := range checks {
		if !c.Passed {
			out = append(out, c.Name)
		}
	}
	return out
}

// checkOnboardingClash refuses a package whose document already has an
// open package of the partner, or whose username is taken by a user or an
// open package.
func (s *Service) checkOnboardingClash(ctx context.Context, tx Tx, call services.Call, o Onboarding, now time.Time) error {
	open, err := tx.FindOpenOnboarding(ctx, call.PartnerID, OnboardingLookup{IDType: o.IDType, IDValue: o.IDValue}, now)
	switch {
	case err == nil:
		return &services.Refusal{Err: ErrOnboardingInProgress, OnboardingID: open.ID, State: open.State,
			Detail: "continue onboarding " + open.ID + " or wait until it expires"}
	case !errors.Is(err, ErrOnboardingNotFound):
		return err
	}
	if o.State == OnbRejected {
		return nil
	}
	_, err = tx.FindEbankUser(ctx, call.PartnerID, ebank.EbankUserLookup{Username: o.Username})
	switch {
	case err == nil:
		return &services.Refusal{Err: ebank.ErrUsernameExists, Detail: "choose another username"}
	case !errors.Is(err, ebank.ErrUserNotFound):
		return err
	}
	_, err = tx.FindOpenOnboarding(ctx, call.PartnerID, OnboardingLookup{Username: o.Username}, now)
	switch {
	case err == nil:
		return &services.Refusal{Err: ebank.ErrUsernameExists, Detail: "an open onboarding package has chosen this username"}
	case !errors.Is(err, ErrOnboardingNotFound):
		return err
	}
	return nil
}

// insertOnboarding draws the package's ID and inserts it with the
// applicant's data sealed.
func (s *Service) insertOnboarding(ctx context.Context, tx Tx, o *Onboarding, applicant []byte) error {
	for range services.MaxDraws {
		id, err := otp.NewRequestID()
		if err != nil {
			return err
		}
		o.ID = id
		if o.Applicant, err = s.vault.Seal(applicant, services.ApplicantAD(id)); err != nil {
			return err
		}
		if err = tx.InsertOnboarding(ctx, *o); !errors.Is(err, services.ErrNumberTaken) {
			return err
		}
	}
	return fmt.Errorf("insert onboarding: %w", services.ErrNumberTaken)
}

// OnboardingInput names a package.
type OnboardingInput struct {
	OnboardingID string `json:"onboardingId" size:"id"`
}

func (ck *checker) checkOnboardingID(id string) {
	if ck.Required("onboardingId", id) && (len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "") {
		ck.Add("onboardingId", services.ReasonInvalidFormat, "is not an onboardingId this server issued (32 hex digits)")
	}
}

// OnboardingStatus is a package as OnboardingService.GetStatus and the
// other onboarding calls return it: its state, every check's result, what
// is still missing and, once completed, the customer, account and user.
type OnboardingStatus struct {
	OnboardingID string               `json:"onboardingId"`
	State        string               `json:"state"`
	CreatedAt    int64                `json:"createdAt"`
	ExpiresAt    int64                `json:"expiresAt"`
	Checks       []services.EKYCCheck `json:"checks"`
	Fatca        FatcaState           `json:"fatca"`
	Pictures     []PictureState       `json:"pictures"`
	Missing      []string             `json:"missing"`
	RejectReason string               `json:"rejectReason,omitempty"`
	Auth         *OnboardingAuth      `json:"auth,omitempty"`
	Result       *OnboardingOutcome   `json:"result,omitempty"`
}

func (r OnboardingStatus) AuditEntities() map[string]string {
	return map[string]string{"onboardingId": r.OnboardingID, "state": r.State}
}

// FatcaState is a package's FATCA status: the questions answered "yes",
// whether a declaration is needed or which was given.
type FatcaState struct {
	Status       string   `json:"status"`
	AnsweredYes  []string `json:"answeredYes"`
	USReportable bool     `json:"usReportable"`
}

// PictureState is where one picture of the package stands: MISSING, PASSED
// or FAILED (its latest upload), with that upload's checks.
type PictureState struct {
	Kind         string               `json:"kind"`
	Status       string               `json:"status"`
	Uploads      int                  `json:"uploads"`
	UploadsLeft  int                  `json:"uploadsLeft"`
	SHA256       string               `json:"sha256,omitempty"`
	Checks       []services.EKYCCheck `json:"checks"`
	LastUploaded int64                `json:"lastUploaded,omitempty"`
}

// OnboardingAuth is the one-time code InitAuthen sent last.
type OnboardingAuth struct {
	RequestID string `json:"requestId"`
	Sends     int    `json:"sends"`
}

// OnboardingOutcome is what a completed package opened.
type OnboardingOutcome struct {
	CustomerID     string `json:"customerID"`
	CustomerNumber string `json:"customerNumber"`
	AccountID      string `json:"accountID"`
	AccountNumber  string `json:"accountNumber"`
	Username       string `json:"username"`
}

// Picture statuses and what GetStatus lists as missing.
const (
	PictureMissing = "MISSING"
	PicturePassed  = "PASSED"
	PictureFailed  = "FAILED"

	MissingFatcaDeclaration = "FATCA_DECLARATION"
	MissingInitAuthen       = "INIT_AUTHEN"
	MissingOTP              = "OTP_CONFIRMATION"
)

// pictureKinds are the pictures a package needs, in the order reported.
var pictureKinds = []string{PictureFront, PictureBack, PicturePortrait}

// GetStatus returns a package: its state (EXPIRED once its time is up),
// every check, what is missing and what it opened.
func (s *Service) GetStatus(ctx context.Context, call services.Call, in OnboardingInput) (OnboardingStatus, error) {
	var ck checker
	ck.checkOnboardingID(in.OnboardingID)
	if err := ck.Err(); err != nil {
		return OnboardingStatus{}, fmt.Errorf("get onboarding status: %w", err)
	}
	o, err := s.store.FindOnboarding(ctx, call.PartnerID, in.OnboardingID)
	if err != nil {
		return OnboardingStatus{}, fmt.Errorf("get onboarding status: %w", err)
	}
	if !onboardingFinal(o.State) && !s.k.Clock.Now().Before(o.ExpiresAt) {
		o.State = OnbExpired
	}
	res, err := s.onboardingStatus(ctx, s.store, o, nil)
	if err != nil {
		return OnboardingStatus{}, fmt.Errorf("get onboarding status: %w", err)
	}
	return res, nil
}

func onboardingFinal(state string) bool {
	return state == OnbCompleted || state == OnbRejected || state == OnbExpired
}

// onboardingStatus describes o; images are its pictures, read when nil.
func (s *Service) onboardingStatus(ctx context.Context, r Reader, o Onboarding, images []OnboardingImage) (OnboardingStatus, error) {
	if images == nil {
		var err error
		if images, err = r.OnboardingImages(ctx, o.ID); err != nil {
			return OnboardingStatus{}, err
		}
	}
	out := OnboardingStatus{OnboardingID: o.ID, State: o.State, CreatedAt: o.CreatedAt.Unix(), ExpiresAt: o.ExpiresAt.Unix(),
		RejectReason: o.RejectReason, Missing: []string{}}
	if err := json.Unmarshal([]byte(o.Checks), &out.Checks); err != nil {
		return OnboardingStatus{}, fmt.Errorf("onboarding %s checks: %w", o.ID, err)
	}
	var answers map[string]bool
	if err := json.Unmarshal([]byte(o.FatcaAnswers), &answers); err != nil {
		return OnboardingStatus{}, fmt.Errorf("onboarding %s answers: %w", o.ID, err)
	}
	out.Fatca = FatcaState{Status: o.FatcaStatus, AnsweredYes: fatcaYes(answers), USReportable: o.USReportable}
	pics, err := s.pictureStates(images)
	if err != nil {
		return OnboardingStatus{}, err
	}
	out.Pictures = pics
	if o.AuthRequestID != "" {
		out.Auth = &OnboardingAuth{RequestID: o.AuthRequestID, Sends: o.AuthSends}
	}
	if !onboardingFinal(o.State) {
		out.Missing = missingSteps(o, pics)
	}
	if o.State == OnbCompleted {
		c, err := r.FindCustomer(ctx, o.PartnerID, customer.CustomerLookup{ID: o.CustomerID})
		if err != nil {
			return OnboardingStatus{}, err
		}
		a, err := r.FindAccount(ctx, o.PartnerID, account.AccountLookup{ID: o.AccountID})
		if err != nil {
			return OnboardingStatus{}, err
		}
		out.Result = &OnboardingOutcome{CustomerID: services.FormatID(c.ID), CustomerNumber: c.Number, AccountID: services.FormatID(a.ID),
			AccountNumber: a.Number, Username: o.Username}
	}
	return out, nil
}

// missingSteps lists what an open package still needs, in the order to do
// it.
func missingSteps(o Onboarding, pics []PictureState) []string {
	out := []string{}
	if o.FatcaStatus == FatcaPending {
		out = append(out, MissingFatcaDeclaration)
	}
	for _, p := range pics {
		if p.Status != PicturePassed {
			out = append(out, pictureNames[p.Kind])
		}
	}
	switch {
	case len(out) > 0:
	case o.State == OnbAuthPending:
		out = append(out, MissingOTP)
	default:
		out = append(out, MissingInitAuthen)
	}
	return out
}

// pictureNames are the pictures as GetStatus lists them missing.
var pictureNames = map[string]string{PictureFront: "ID_CARD_FRONT", PictureBack: "ID_CARD_BACK", PicturePortrait: "PORTRAIT"}

// pictureStates sums up a package's uploads per kind.
func (s *Service) pictureStates(images []OnboardingImage) ([]PictureState, error) {
	out := make([]PictureState, 0, len(pictureKinds))
	for _, kind := range pictureKinds {
		p := PictureState{Kind: kind, Status: PictureMissing, Checks: []services.EKYCCheck{}, UploadsLeft: s.settings.PictureRetries + 1}
		failed := 0
		for _, img := range images {
			if img.Kind != kind {
				continue
			}
			p.Uploads++
			p.Status, p.SHA256, p.LastUploaded = PictureFailed, img.SHA256, img.CreatedAt.Unix()
			if img.Passed {
				p.Status = PicturePassed
			} else {
				failed++
			}
			if err := json.Unmarshal([]byte(img.Checks), &p.Checks); err != nil {
				return nil, fmt.Errorf("picture %s/%d checks: %w", kind, img.Attempt, err)
			}
		}
		p.UploadsLeft = max(0, s.settings.PictureRetries+1-failed)
		out = append(out, p)
	}
	return out, nil
}

// picturesPassed reports whether the latest upload of every kind passed.
func picturesPassed(pics []PictureState) bool {
	return !slices.ContainsFunc(pics, func(p PictureState) bool { return p.Status != PicturePassed })
}

// liveOnboarding locks a package for a call that may run only in one of
// states. A package found past its expiry is marked EXPIRED, and that is
// kept although the call is refused.
func (s *Service) liveOnboarding(ctx context.Context, tx Tx, call services.Call, id string, states ...string) (Onboarding, error) {
	o, err := tx.LockOnboarding(ctx, call.PartnerID, id)
	if err != nil {
		return Onboarding{}, err
	}
	now := s.k.Clock.Now()
	if !onboardingFinal(o.State) && !now.Before(o.ExpiresAt) {
		if err := s.expireOnboarding(ctx, tx, o, now); err != nil {
			return Onboarding{}, err
		}
		return Onboarding{}, services.KeepWrites(&services.Refusal{Err: ErrOnboardingExpired, OnboardingID: o.ID, State: OnbExpired,
			Detail: "the package expired; start a new one with InitCustomerInfo"})
	}
	if !slices.Contains(states, o.State) {
		return Onboarding{}, stateRefusal(call, o, states)
	}
	return o, nil
}

// expireOnboarding marks o EXPIRED and cancels its pending code.
func (s *Service) expireOnboarding(ctx context.Context, tx Tx, o Onboarding, now time.Time) error {
	o.State, o.UpdatedAt = OnbExpired, now
	if err := tx.UpdateOnboarding(ctx, o); err != nil {
		return err
	}
	return s.cancelAuth(ctx, tx, o, otp.OpExpired, otp.MsgExpired)
}

// stateRefusal names the package's state and the states the call needs.
func stateRefusal(call services.Call, o Onboarding, states []string) error {
	method := call.Method
	if method == "" {
		method = "this call"
	}
	detail := fmt.Sprintf("the package is %s; %s needs %s", o.State, method, strings.Join(states, " or "))
	switch o.State {
	case OnbFatcaReview:
		detail += "; give the FATCA declaration first (SubmitFatcaDeclaration)"
	case OnbDocumentsPending, OnbInitiated:
		detail += "; every picture must pass first"
	}
	return &services.Refusal{Err: ErrOnboardingState, OnboardingID: o.ID, State: o.State, Detail: detail}
}

// documentState is the state of an open package once its FATCA status is
// clear: INITIATED before any picture, READY_FOR_AUTH once every picture
// passed, DOCUMENTS_PENDING between.
func documentState(o Onboarding, pics []PictureState) string {
	if o.FatcaStatus == FatcaPending {
		return OnbFatcaReview
	}
	uploaded := slices.ContainsFunc(pics, func(p PictureState) bool { return p.Uploads > 0 })
	switch {
	case picturesPassed(pics):
		return OnbReadyForAuth
	case uploaded:
		return OnbDocumentsPending
	}
	return OnbInitiated
}

// SubmitFatcaDeclaration takes the W-9 or W-8BEN of an applicant who
// answered "yes" to a FATCA question. A US citizen or resident can only
// give a W-9, which makes the account US-reportable.
func (s *Service) SubmitFatcaDeclaration(ctx context.Context, call services.Call, in SubmitFatcaDeclarationInput) (OnboardingStatus, error) {
	var ck checker
	ck.checkOnboardingID(in.OnboardingID)
	now := s.k.Clock.Now()
	d := in.declaration(&ck, now)
	if err := ck.Err(); err != nil {
		return OnboardingStatus{}, fmt.Errorf("submit fatca declaration: %w", err)
	}
	d.KeyID = call.KeyID
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (OnboardingStatus, error) {
		o, err := s.liveOnboarding(ctx, tx, call, in.OnboardingID, OnbFatcaReview)
		if err != nil {
			return OnboardingStatus{}, err
		}
		var answers map[string]bool
		if err := json.Unmarshal([]byte(o.FatcaAnswers), &answers); err != nil {
			return OnboardingStatus{}, fmt.Errorf("onboarding %s answers: %w", o.ID, err)
		}
		if answers[FatcaUSPerson] && d.Form != FormW9 {
			return OnboardingStatus{}, &services.Refusal{Err: ErrFatcaFormNotAllowed, OnboardingID: o.ID, State: o.State,
				Detail: "the applicant answered yes to " + FatcaUSPerson + ": a US person gives a W-9 with a US TIN"}
		}
		images, err := tx.OnboardingImages(ctx, o.ID)
		if err != nil {
			return OnboardingStatus{}, err
		}
		pics, err := s.pictureStates(images)
		if err != nil {
			return OnboardingStatus{}, err
		}
		declaration, err := s.vault.Seal([]byte(encodeJSON(d)), services.DeclarationAD(o.ID))
		if err != nil {
			return OnboardingStatus{}, err
		}
		o.FatcaStatus, o.FatcaDeclaration, o.USReportable, o.UpdatedAt = d.Form, declaration, d.Form == FormW9, now
		o.State = documentState(o, pics)
		if err := tx.UpdateOnboarding(ctx, o); err != nil {
			return OnboardingStatus{}, err
		}
		return s.onboardingStatus(ctx, tx, o, images)
	})
	if err != nil {
		return OnboardingStatus{}, fmt.Errorf("submit fatca declaration: %w", err)
	}
	return res, nil
}
