package customer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services"

	"github.com/nyaruka/phonenumbers"
)

// services.Problem codes of the validation methods.
const (
	ProblemFormat       = "INVALID_FORMAT"
	ProblemHolder       = "HOLDER_MISMATCH"
	ProblemNotIssued    = "NOT_YET_ISSUED"
	ProblemExpired      = "EXPIRED"
	ProblemDates        = "DATES_INCONSISTENT"
	ProblemBlacklisted  = "BLACKLISTED"
	ProblemCustomer     = "ALREADY_A_CUSTOMER"
	ProblemNotMobile    = "NOT_A_MOBILE_NUMBER"
	ProblemWrongCountry = "WRONG_COUNTRY"
)

// legalIDTypes maps the types ValidateLegalID accepts to document types:
// the Vietnamese CCCD, CMND and passport, and the Kenyan seed's 101/102/103.
var legalIDTypes = map[string]string{
	"CCCD": IDCCCD, "CMND": IDCMND, "PASSPORT": IDPassport,
	"101": IDNationalID, "102": IDAlienID, "103": IDPassport, "NATIONAL_ID": IDNationalID, "ALIEN_ID": IDAlienID,
}

// ValidateLegalIDInput is CustomerService.ValidateLegalID's payload; dates
// are YYYYMMDD and optional.
type ValidateLegalIDInput struct {
	Type       string `json:"type" size:"code"`
	Number     string `json:"number" size:"document"`
	DOB        string `json:"DOB" size:"date"`
	Gender     string `json:"gender" size:"code"`
	IssueDate  string `json:"issueDate" size:"date"`
	ExpiryDate string `json:"expiryDate" size:"date"`
}

// LegalIDReading is what a CCCD number says about its holder.
type LegalIDReading struct {
	ProvinceCode string `json:"provinceCode,omitempty"`
	Sex          string `json:"sex,omitempty"`
	BirthYear    int    `json:"birthYear,omitempty"`
}

// LegalIDResult is ValidateLegalID's answer: every problem found, not only
// the first.
type LegalIDResult struct {
	Valid            bool               `json:"valid"`
	Type             string             `json:"type"`
	Number           string             `json:"number"`
	Read             *LegalIDReading    `json:"read,omitempty"`
	Problems         []services.Problem `json:"problems"`
	ExistingCustomer bool               `json:"existingCustomer"`
	CustomerID       string             `json:"customerID,omitempty"`
	Blacklisted      bool               `json:"blacklisted"`
}

// ValidateLegalID checks an identity document number for real: its
// structure, what a CCCD encodes against the declared date of birth and
// gender, the issue and expiry dates, whether a customer of the partner
// already holds it and whether it is blacklisted. A malformed request
// (missing or unknown type, bad dates) is a *ValidationError; a document
// that fails the checks is an answer with valid false.
func (s *Service) ValidateLegalID(ctx context.Context, call services.Call, in ValidateLegalIDInput) (LegalIDResult, error) {
	var ck checker
	now := s.k.Clock.Now()
	typ := legalIDTypes[strings.ToUpper(strings.TrimSpace(in.Type))]
	if ck.Required("type", in.Type) && typ == "" {
		ck.Add("type", services.ReasonInvalidValue, "must be CCCD, CMND, PASSPORT, 101 (national ID), 102 (alien ID) or 103 (passport)")
	}
	ck.Required("number", in.Number)
	dob := ck.CheckDate("DOB", in.DOB, now, false)
	gender := ck.CheckEnum("gender", in.Gender, false, GenderMale, GenderFemale, GenderOther)
	issued := ck.CheckDate("issueDate", in.IssueDate, now.AddDate(100, 0, 0), false)
	expires := ck.CheckDate("expiryDate", in.ExpiryDate, now.AddDate(100, 0, 0), false)
	if err := ck.Err(); err != nil {
		return LegalIDResult{}, fmt.Errorf("validate legal id: %w", err)
	}
	number := NormalizeIDValue(typ, in.Number)
	res := LegalIDResult{Type: typ, Number: number, Problems: []services.Problem{}}
	add := func(code, msg string) {
		res.Problems = append(res.Problems, services.Problem{Code: code, Message: msg})
	}
	if problem := IdValueProblem(typ, number); problem != "" {
		add(ProblemFormat, problem)
	} else if typ == IDCCCD {
		id, _ := ParseCCCD(number)
		sex := "MALE"
		if id.Female {
			sex = "FEMALE"
		}
		res.Read = &LegalIDReading{ProvinceCode: id.Province, Sex: sex, BirthYear: id.BirthYear}
		if m := cccdMismatch(id, dob, gender); m != "" {
			add(ProblemHolder, m)
		}
	}
	today := now.Format(time.DateOnly)
	switch {
	case issued != "" && issued > today:
		add(ProblemNotIssued, "the issue date is in the future")
	case issued != "" && dob != "" && issued < dob:
		add(ProblemDates, "the document was issued before the holder was born")
	}
	switch {
	case expires != "" && expires <= today:
		add(ProblemExpired, "the document has expired")
	case expires != "" && issued != "" && expires <= issued:
		add(ProblemDates, "the expiry date is not after the issue date")
	}
	var err error
	res.CustomerID, res.Blacklisted, err = s.knownAs(ctx, call.PartnerID, CustomerLookup{IDType: typ, IDValue: number},
		CustomerKeys([]Identification{{Type: typ, Value: number}}, ""))
	if err != nil {
		return LegalIDResult{}, fmt.Errorf("validate legal id: %w", err)
	}
	if res.ExistingCustomer = res.CustomerID != ""; res.ExistingCustomer {
		add(ProblemCustomer, "a customer of this partner holds the document")
	}
	if res.Blacklisted {
		add(ProblemBlacklisted, "the document is on the blacklist")
	}
	res.Valid = len(res.Problems) == 0
	return res, nil
}

// ValidatePhoneNumberInput is CustomerService.ValidatePhoneNumber's payload:
// an international number, or a national one with its country (VN, KE, ID).
type ValidatePhoneNumberInput struct {
	PhoneNumber string `json:"phoneNumber" size:"phone"`
	Country     string `json:"country" size:"code"`
}

// PhoneResult is ValidatePhoneNumber's answer.
type PhoneResult struct {
	Valid            bool               `json:"valid"`
	E164             string             `json:"e164,omitempty"`
	Country          string             `json:"country,omitempty"`
	Carrier          string             `json:"carrier,omitempty"`
	LineType         string             `json:"lineType,omitempty"`
	Problems         []services.Problem `json:"problems"`
	ExistingCustomer bool               `json:"existingCustomer"`
	CustomerID       string             `json:"customerID,omitempty"`
	Blacklisted      bool               `json:"blacklisted"`
}

// vnCarriers names the Vietnamese mobile ranges by their first digits after
// the trunk 0 (DOMAIN.md), for the ranges the metadata does not name.
var vnCarriers = map[string]string{"55": "Wintel", "52": "Vietnamobile", "89": "MobiFone"}

var lineTypes = map[phonenumbers.PhoneNumberType]string{
	phonenumbers.MOBILE: "MOBILE", phonenumbers.FIXED_LINE: "FIXED_LINE", phonenumbers.FIXED_LINE_OR_MOBILE: "FIXED_LINE_OR_MOBILE",
	phonenumbers.TOLL_FREE: "TOLL_FREE", phonenumbers.PREMIUM_RATE: "PREMIUM_RATE", phonenumbers.VOIP: "VOIP",
}

// ValidatePhoneNumber reads a phone number and says what it is: E.164 form,
// country, carrier and line type, whether it can be a customer's mobile
// number, whether a customer of the partner has it and whether it is
// blacklisted.
func (s *Service) ValidatePhoneNumber(ctx context.Context, call services.Call, in ValidatePhoneNumberInput) (PhoneResult, error) {
	var ck checker
	ck.Required("phoneNumber", in.PhoneNumber)
	region := strings.ToUpper(strings.TrimSpace(in.Country))
	if region != "" && !services.ValidCountry(region) {
		ck.Add("country", services.ReasonInvalidValue, "must be an ISO 3166-1 alpha-2 country code such as VN, KE or ID")
	}
	if services.TooLong(in.PhoneNumber, services.MaxPhoneLength) {
		ck.Add("phoneNumber", services.ReasonTooLong, fmt.Sprintf("must be at most %d characters", services.MaxPhoneLength))
	}
	if err := ck.Err(); err != nil {
		return PhoneResult{}, fmt.Errorf("validate phone number: %w", err)
	}
	res := PhoneResult{Problems: []services.Problem{}}
	add := func(code, msg string) {
		res.Problems = append(res.Problems, services.Problem{Code: code, Message: msg})
	}
	if region == "" {
		region = s.settings.PhoneRegion
	}
	num, err := phonenumbers.Parse(strings.TrimSpace(in.PhoneNumber), region)
	if err != nil {
		add(ProblemFormat, "not a phone number; give it in international form (+CC...) or with its country")
		return res, nil
	}
	res.Country = phonenumbers.GetRegionCodeForNumber(num)
	listed := services.AllowListed(num)
	switch {
	case listed:
		res.LineType = "MOBILE"
	case !phonenumbers.IsValidNumber(num):
		add(ProblemFormat, "not a valid number of its country")
		return res, nil
	default:
		res.LineType = lineTypes[phonenumbers.GetNumberType(num)]
	}
	if strings.TrimSpace(in.Country) != "" && res.Country != strings.ToUpper(strings.TrimSpace(in.Country)) {
		add(ProblemWrongCountry, "the number belongs to "+res.Country)
	}
	if res.LineType != "MOBILE" && res.LineType != "FIXED_LINE_OR_MOBILE" {
		add(ProblemNotMobile, "not a mobile number")
	}
	res.E164 = phonenumbers.Format(num, phonenumbers.E164)
	res.Carrier, _ = phonenumbers.GetCarrierForNumber(num, "en")
	if nsn := phonenumbers.GetNationalSignificantNumber(num); res.Country == "VN" && len(nsn) > 2 && vnCarriers[nsn[:2]] != "" && listed {
		res.Carrier = vnCarriers[nsn[:2]]
	}
	res.CustomerID, res.Blacklisted, err = s.knownAs(ctx, call.PartnerID, CustomerLookup{Phone: res.E164}, CustomerKeys(nil, res.E164))
	if err != nil {
		return PhoneResult{}, fmt.Errorf("validate phone number: %w", err)
	}
	if res.ExistingCustomer = res.CustomerID != ""; res.ExistingCustomer {
		add(ProblemCustomer, "a customer of this partner has the number")
	}
	if res.Blacklisted {
		add(ProblemBlacklisted, "the number is on the blacklist")
	}
	res.Valid = len(res.Problems) == 0
	return res, nil
}

// knownAs says which customer of the partner a lookup finds (its ID, or "")
// and whether one of keys is on the partner's blacklist.
func (s *Service) knownAs(ctx context.Context, partnerID int64, by CustomerLookup, keys []BlacklistKey) (customerID string, blacklisted bool, err error) {
	c, err := s.store.FindCustomer(ctx, partnerID, by)
	switch {
	case err == nil:
		customerID = services.FormatID(c.ID)
	case !errors.Is(err, ErrCustomerNotFound):
		return "", false, err
	}
	hits, err := s.store.Blacklisted(ctx, partnerID, keys)
	return customerID, len(hits) > 0, err
}

// ValidateEKYCInput is CustomerService.ValidateEKYC's payload: the person as
// the onboarding collects them.
type ValidateEKYCInput struct {
	FirstName      string       `json:"firstName" size:"name"`
	LastName       string       `json:"lastName" size:"name"`
	DOB            string       `json:"DOB" size:"date"`
	Gender         string       `json:"gender" size:"code"`
	Identification EKYCDocument `json:"identification"`
	PhoneNumber    string       `json:"phoneNumber" size:"phone"`
	Country        string       `json:"country" size:"code"`
}

// EKYCDocument is the identity document given at onboarding.
type EKYCDocument struct {
	Type       string `json:"type" size:"code"`
	Number     string `json:"number" size:"document"`
	IssueDate  string `json:"issueDate" size:"date"`
	ExpiryDate string `json:"expiryDate" size:"date"`
}

// EKYCResult lists every check, not just the first that failed.
type EKYCResult struct {
	Passed bool                 `json:"passed"`
	Checks []services.EKYCCheck `json:"checks"`
}

// eKYC check names, in the order they are reported.
const (
	CheckAge         = "AGE"
	CheckDocument    = "DOCUMENT"
	CheckPhone       = "PHONE"
	CheckBlacklist   = "NOT_BLACKLISTED"
	CheckNewCustomer = "NOT_ALREADY_A_CUSTOMER"
)

// ValidateEKYC runs the whole set of onboarding checks at once: age
// (Settings.MinEKYCAge, 18 by default), the document (structure, CCCD
// against date of birth and gender, issued in the past, not expired), the
// phone (a valid mobile number), not blacklisted and not already a
// customer, reporting each check's result.
func (s *Service) ValidateEKYC(ctx context.Context, call services.Call, in ValidateEKYCInput) (EKYCResult, error) {
	var ck checker
	now := s.k.Clock.Now()
	ck.CheckName("firstName", in.FirstName, true)
	ck.CheckName("lastName", in.LastName, true)
	dob := ck.CheckDate("DOB", in.DOB, now, true)
	ck.CheckEnum("gender", in.Gender, false, GenderMale, GenderFemale, GenderOther)
	ck.Required("identification.type", in.Identification.Type)
	ck.Required("identification.number", in.Identification.Number)
	ck.Required("phoneNumber", in.PhoneNumber)
	if err := ck.Err(); err != nil {
		return EKYCResult{}, fmt.Errorf("validate ekyc: %w", err)
	}
	doc, err := s.ValidateLegalID(ctx, call, ValidateLegalIDInput{Type: in.Identification.Type, Number: in.Identification.Number,
		DOB: in.DOB, Gender: in.Gender, IssueDate: in.Identification.IssueDate, ExpiryDate: in.Identification.ExpiryDate})
	if err != nil {
		return EKYCResult{}, prefixFields(err, "identification.")
	}
	phone, err := s.ValidatePhoneNumber(ctx, call, ValidatePhoneNumberInput{PhoneNumber: in.PhoneNumber, Country: in.Country})
	if err != nil {
		return EKYCResult{}, err
	}
	checks := map[string][]services.Problem{CheckAge: ageProblems(dob, now, s.settings.MinEKYCAge)}
	for _, p := range doc.Problems {
		checks[checkOf(p.Code, CheckDocument)] = append(checks[checkOf(p.Code, CheckDocument)], p)
	}
	for _, p := range phone.Problems {
		checks[checkOf(p.Code, CheckPhone)] = append(checks[checkOf(p.Code, CheckPhone)], p)
	}
	res := EKYCResult{Passed: true}
	for _, name := range []string{CheckAge, CheckDocument, CheckPhone, CheckBlacklist, CheckNewCustomer} {
		c := services.EKYCCheck{Name: name, Passed: len(checks[name]) == 0, Problems: checks[name]}
		if c.Problems == nil {
			c.Problems = []services.Problem{}
		}
		res.Passed = res.Passed && c.Passed
		res.Checks = append(res.Checks, c)
	}
	return res, nil
}

// checkOf files a problem under its eKYC check.
func checkOf(code, otherwise string) string {
	switch code {
	case ProblemBlacklisted:
		return CheckBlacklist
	case ProblemCustomer:
		return CheckNewCustomer
	}
	return otherwise
}

// ageProblems checks that a person born on dob (YYYY-MM-DD) is min years
// old at now.
func ageProblems(dob string, now time.Time, min int) []services.Problem {
	born, err := time.Parse(time.DateOnly, dob)
	if err != nil {
		return nil
	}
	if now.Before(born.AddDate(min, 0, 0)) {
		return []services.Problem{{Code: "UNDER_AGE", Message: fmt.Sprintf("electronic onboarding needs the applicant to be %d or older", min)}}
	}
	return nil
}

// prefixFields puts prefix before the field names of a *ValidationError.
func prefixFields(err error, prefix string) error {
	var ve *services.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &services.ValidationError{Fields: make([]services.FieldError, len(ve.Fields))}
	for i, f := range ve.Fields {
		if f.Field == "DOB" || f.Field == "gender" {
			out.Fields[i] = f
			continue
		}
		f.Field = prefix + f.Field
		out.Fields[i] = f
	}
	return fmt.Errorf("validate ekyc: %w", out)
}
