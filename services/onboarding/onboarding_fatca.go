package onboarding

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
)

// FatcaQuestion is one of the seven US-indicia questions asked at
// onboarding, in Vietnamese and English. IDs are stable.
type FatcaQuestion struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	TextVI string `json:"textVi"`
	TextEN string `json:"textEn"`
}

// FATCA question IDs. A "yes" to FatcaUSPerson makes the applicant a US
// person, who can only give a W-9.
const (
	FatcaUSPerson       = "US_CITIZEN_OR_RESIDENT"
	FatcaUSBirthplace   = "US_PLACE_OF_BIRTH"
	FatcaUSAddress      = "US_ADDRESS"
	FatcaUSPhone        = "US_PHONE_NUMBER"
	FatcaUSTransfers    = "US_STANDING_INSTRUCTIONS"
	FatcaUSAttorney     = "US_POWER_OF_ATTORNEY"
	FatcaInCareOfAdress = "IN_CARE_OF_ADDRESS_ONLY"
)

// fatcaQuestions are the US indicia of FATCA, in the order asked.
var fatcaQuestions = []FatcaQuestion{
	{FatcaUSPerson, 1, "Quý khách có phải là công dân Hoa Kỳ hoặc đối tượng cư trú tại Hoa Kỳ không?",
		"Are you a US citizen or a US resident?"},
	{FatcaUSBirthplace, 2, "Quý khách có sinh ra tại Hoa Kỳ không?",
		"Were you born in the United States?"},
	{FatcaUSAddress, 3, "Quý khách có địa chỉ cư trú hoặc địa chỉ nhận thư tại Hoa Kỳ (kể cả hộp thư bưu điện) không?",
		"Do you have a US residence or mailing address (including a PO box)?"},
	{FatcaUSPhone, 4, "Quý khách có số điện thoại tại Hoa Kỳ không?",
		"Do you have a US telephone number?"},
	{FatcaUSTransfers, 5, "Quý khách có chỉ thị thanh toán định kỳ chuyển tiền vào một tài khoản tại Hoa Kỳ không?",
		"Do you have standing instructions to pay amounts to an account in the United States?"},
	{FatcaUSAttorney, 6, "Quý khách có ủy quyền hoặc trao quyền ký cho một người có địa chỉ tại Hoa Kỳ không?",
		"Have you granted a power of attorney or signatory authority to a person with a US address?"},
	{FatcaInCareOfAdress, 7, "Địa chỉ duy nhất của Quý khách có phải là địa chỉ \"nhờ chuyển\" hoặc \"giữ thư\" không?",
		"Is an \"in care of\" or \"hold mail\" address your only address?"},
}

// FatcaQuestionsInput is OnboardingService.GetFatcaQuestions's payload,
// which is empty.
type FatcaQuestionsInput struct{}

// FatcaQuestions lists the questions.
type FatcaQuestions struct {
	Questions []FatcaQuestion `json:"questions"`
}

// GetFatcaQuestions returns the seven FATCA questions.
func (s *Service) GetFatcaQuestions(context.Context, services.Call, FatcaQuestionsInput) (FatcaQuestions, error) {
	return FatcaQuestions{Questions: append([]FatcaQuestion(nil), fatcaQuestions...)}, nil
}

// FatcaAnswer answers one question; Answer is required.
type FatcaAnswer struct {
	QuestionID string `json:"questionId" size:"code"`
	Answer     *bool  `json:"answer"`
}

// checkFatcaAnswers requires one answer to each question and returns them
// by question ID.
func (ck *checker) checkFatcaAnswers(answers []FatcaAnswer) map[string]bool {
	out := make(map[string]bool, len(fatcaQuestions))
	known := make(map[string]bool, len(fatcaQuestions))
	for _, q := range fatcaQuestions {
		known[q.ID] = true
	}
	if len(answers) == 0 {
		ck.Add("fatcaAnswers", services.ReasonRequired, fmt.Sprintf("must answer the %d FATCA questions (OnboardingService.GetFatcaQuestions)", len(fatcaQuestions)))
		return nil
	}
	for i, a := range answers {
		field := fmt.Sprintf("fatcaAnswers[%d]", i)
		id := strings.TrimSpace(a.QuestionID)
		switch _, seen := out[id]; {
		case !ck.Required(field+".questionId", id):
			continue
		case !known[id]:
			ck.Add(field+".questionId", services.ReasonInvalidValue, "is not a FATCA question ID")
			continue
		case seen:
			ck.Add(field+".questionId", services.ReasonDuplicateField, "is answered twice")
			continue
		case a.Answer == nil:
			ck.Add(field+".answer", services.ReasonRequired, "must be true or false")
			continue
		}
		out[id] = *a.Answer
	}
	if len(out) == len(answers) { // each answer was good: name the questions left out
		for _, q := range fatcaQuestions {
			if _, ok := out[q.ID]; !ok {
				ck.Add("fatcaAnswers", services.ReasonRequired, "has no answer to "+q.ID)
			}
		}
	}
	return out
}

// fatcaYes lists the questions answered "yes", in question order.
func fatcaYes(answers map[string]bool) []string {
	yes := []string{}
	for _, q := range fatcaQuestions {
		if answers[q.ID] {
			yes = append(yes, q.ID)
		}
	}
	return yes
}

// FATCA forms.
const (
	FormW9    = "W9"
	FormW8BEN = "W8BEN"
)

// SubmitFatcaDeclarationInput is OnboardingService.SubmitFatcaDeclaration's
// payload: a W-9 with the US taxpayer identification number, or a W-8BEN
// self-certification with the documentary evidence seen.
type SubmitFatcaDeclarationInput struct {
	OnboardingID string `json:"onboardingId" size:"id"`
	Form         string `json:"form" size:"code"`
	// USTIN is the W-9's SSN, ITIN or EIN: 9 digits, dashes allowed.
	USTIN string `json:"usTin" size:"document"`
	// CountryOfCitizenship and ResidenceCountry are the W-8BEN's (ISO
	// 3166-1 alpha-2, not US).
	CountryOfCitizenship string `json:"countryOfCitizenship" size:"code"`
	ResidenceCountry     string `json:"residenceCountry" size:"code"`
	// ForeignTIN is the W-8BEN's tax number in the country of residence,
	// optional.
	ForeignTIN string `json:"foreignTin" size:"document"`
	// Evidence names the documentary evidence that the applicant is not a
	// US person, required with a W-8BEN (e.g. "certificate of loss of US
	// nationality", "non-US passport").
	Evidence string `json:"evidence" size:"evidence"`
	// SignedBy and SignedDate (YYYYMMDD) are the declaration's signature.
	SignedBy   string `json:"signedBy" size:"name"`
	SignedDate string `json:"signedDate" size:"date"`
}

// fatcaDeclaration is what is stored of a declaration.
type fatcaDeclaration struct {
	Form                 string `json:"form"`
	USTIN                string `json:"usTin,omitempty"`
	CountryOfCitizenship string `json:"countryOfCitizenship,omitempty"`
	ResidenceCountry     string `json:"residenceCountry,omitempty"`
	ForeignTIN           string `json:"foreignTin,omitempty"`
	Evidence             string `json:"evidence,omitempty"`
	SignedBy             string `json:"signedBy"`
	SignedDate           string `json:"signedDate"`
	KeyID                string `json:"keyId"`
}

var reUSTIN = regexp.MustCompile(`^(\d{3}-?\d{2}-?\d{4}|\d{2}-?\d{7})$`)

// checkUSTIN validates a 9-digit US taxpayer identification number (SSN,
// ITIN or EIN). An SSN's area cannot be 000 or 666 and its group and serial
// cannot be zeros; 9xx is an ITIN.
func (ck *checker) checkUSTIN(field, v string) string {
	if !ck.Required(field, v) {
		return ""
	}
	digits := strings.ReplaceAll(strings.TrimSpace(v), "-", "")
	if !reUSTIN.MatchString(strings.TrimSpace(v)) || len(digits) != 9 {
		ck.Add(field, services.ReasonInvalidFormat, "must be a 9-digit SSN, ITIN or EIN (dashes allowed)")
		return ""
	}
	if digits[:3] == "000" || digits[:3] == "666" || digits[3:5] == "00" || digits[5:] == "0000" {
		ck.Add(field, services.ReasonInvalidValue, "is not a number the IRS or the SSA issues")
		return ""
	}
	return digits
}

func (in SubmitFatcaDeclarationInput) declaration(ck *checker, now time.Time) fatcaDeclaration {
	d := fatcaDeclaration{Form: ck.CheckEnum("form", in.Form, true, FormW9, FormW8BEN)}
	switch d.Form {
	case FormW9:
		d.USTIN = ck.checkUSTIN("usTin", in.USTIN)
		ck.NotAllowed("countryOfCitizenship", in.CountryOfCitizenship, "only with a W-8BEN")
		ck.NotAllowed("residenceCountry", in.ResidenceCountry, "only with a W-8BEN")
		ck.NotAllowed("foreignTin", in.ForeignTIN, "only with a W-8BEN")
		ck.NotAllowed("evidence", in.Evidence, "only with a W-8BEN")
	case FormW8BEN:
		ck.NotAllowed("usTin", in.USTIN, "only with a W-9: a US person gives a W-9")
		d.CountryOfCitizenship = ck.foreignCountry("countryOfCitizenship", in.CountryOfCitizenship)
		d.ResidenceCountry = ck.foreignCountry("residenceCountry", in.ResidenceCountry)
		d.ForeignTIN = ck.CheckText("foreignTin", in.ForeignTIN, services.MaxDocumentLength)
		if ck.Required("evidence", in.Evidence) {
			d.Evidence = ck.CheckText("evidence", in.Evidence, services.MaxEvidenceLength)
		}
	}
	if ck.Required("signedBy", in.SignedBy) {
		d.SignedBy = ck.CheckName("signedBy", in.SignedBy, true)
	}
	d.SignedDate = ck.CheckDate("signedDate", in.SignedDate, now, true)
	return d
}

// foreignCountry requires a country code other than the United States.
func (ck *checker) foreignCountry(field, v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	switch {
	case !ck.Required(field, v):
	case !services.ValidCountry(v):
		ck.Add(field, services.ReasonInvalidValue, "must be an ISO 3166-1 alpha-2 country code")
	case v == "US":
		ck.Add(field, services.ReasonInvalidValue, "must not be US on a W-8BEN")
	default:
		return v
	}
	return ""
}

func encodeJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("encode " + fmt.Sprintf("%T", v) + ": " + err.Error())
	}
	return string(b)
}
