package banktest

import (
	"context"
	"fmt"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/onboarding"
)

// Dave is a valid individual customer.
func Dave() customer.AddCustomerInput {
	return customer.AddCustomerInput{
		Type: "INDIVIDUAL", FirstName: "Dave", LastName: "Miller", DOB: "19850412", Gender: "MALE",
		Identification: []customer.Identification{{Type: "SSN", Value: "123-45-6789"}},
		Contact:        customer.Contact{Email: "dave.miller@example.com", PhoneNumber: "+12025550142"},
		Address:        customer.Address{Line1: "1 Main St", City: "Austin", State: "TX", Country: "US", ZipCode: "73301"},
	}
}

// CustomerN returns Dave with identification and contact of its own, n > 0.
func CustomerN(n int) customer.AddCustomerInput {
	in := Dave()
	in.Identification[0].Value = fmt.Sprintf("2%02d-45-%04d", n%100, 1000+n)
	in.Contact = customer.Contact{Email: fmt.Sprintf("customer%d@example.com", n)}
	return in
}

// Kenyan is an individual identified by a Kenyan national ID (personal
// ID type 101), with a mobile number and an e-mail.
func Kenyan(nationalID, phone, email string) customer.AddCustomerInput {
	return customer.AddCustomerInput{
		Type: "INDIVIDUAL", FirstName: "Wanjiru", LastName: "Kamau", DOB: "19900115", Gender: "FEMALE",
		Identification: []customer.Identification{{Type: "NATIONAL_ID", Value: nationalID}},
		Contact:        customer.Contact{PhoneNumber: phone, Email: email},
		Address:        customer.Address{Line1: "Moi Avenue 1", City: "Nairobi", Country: "KE"},
	}
}

// Business is a business identified by its registration number.
func Business(registration, name, email string) customer.AddCustomerInput {
	return customer.AddCustomerInput{
		Type: "BUSINESS", BusinessNameLegal: name, DateEstablished: "20100301",
		Identification: []customer.Identification{{Type: "BUSINESS_REGISTRATION", Value: registration}},
		Contact:        customer.Contact{Email: email},
	}
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

// Combo is a Kenyan customer's OnboardCombo input for a mobile KES account.
func Combo(nationalID, phone, username string) ebank.OnboardComboInput {
	c := Kenyan(nationalID, phone, "")
	return ebank.OnboardComboInput{Customer: c, Username: username, Channel: "MOBILE", Currency: "KES"}
}
