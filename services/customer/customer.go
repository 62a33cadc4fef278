package customer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/otp"
)

// Customer types, genders and statuses.
const (
	CustomerIndividual = "INDIVIDUAL"
	CustomerBusiness   = "BUSINESS"

	GenderMale   = "MALE"
	GenderFemale = "FEMALE"
	GenderOther  = "OTHER"

	CustomerActive = "ACTIVE"
)

// Customer is a person or a business that holds accounts, owned by the
// partner whose key created it. Dates are stored as YYYY-MM-DD.
type Customer struct {
	ID                int64
	PartnerID         int64
	Number            string
	Type              string
	Status            string
	FirstName         string
	LastName          string
	DOB               string
	Gender            string
	BusinessNameLegal string
	DateEstablished   string
	Email             string
	Phone             string
	EmailVerified     bool // the e-mail received a code and it was given back
	PhoneVerified     bool // the phone received a code and it was given back
	Address           Address
	Identifications   []Identification
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Identification is one identity document of a customer.
type Identification struct {
	Type  string `json:"type" size:"code"`
	Value string `json:"value" size:"document"`
}

// Contact is how a customer is reached.
type Contact struct {
	PhoneNumber string `json:"phoneNumber,omitempty" size:"phone"`
	Email       string `json:"email,omitempty" size:"email"`
}

// Address is a customer's postal address; Country is ISO 3166-1 alpha-2.
type Address struct {
	Line1   string `json:"line1,omitempty" size:"addressLine"`
	Line2   string `json:"line2,omitempty" size:"addressLine"`
	City    string `json:"city,omitempty" size:"city"`
	State   string `json:"state,omitempty" size:"city"`
	Country string `json:"country,omitempty" size:"code"`
	ZipCode string `json:"zipCode,omitempty" size:"zip"`
}

// CustomerLookup finds one customer by exactly one of its fields.
type CustomerLookup struct {
	ID       int64
	Number   string
	EmailKey string
	Phone    string
	IDType   string
	IDValue  string
}

// AddCustomerInput is CustomerService.AddCustomer's payload.
type AddCustomerInput struct {
	Type              string           `json:"type" size:"code"`
	FirstName         string           `json:"firstName" size:"name"`
	LastName          string           `json:"lastName" size:"name"`
	DOB               string           `json:"DOB" size:"date"`
	Gender            string           `json:"gender" size:"code"`
	BusinessNameLegal string           `json:"businessNameLegal" size:"name"`
	DateEstablished   string           `json:"dateEstablished" size:"date"`
	Identification    []Identification `json:"identification" items:"10"`
	Contact           Contact          `json:"contact"`
	Address           Address          `json:"address"`
}

// AddCustomerResult is what AddCustomer returns.
type AddCustomerResult struct {
	ID             string `json:"ID"`
	CustomerNumber string `json:"customerNumber"`
	Status         string `json:"status"`
}

func (r AddCustomerResult) AuditEntities() map[string]string {
	return map[string]string{"customerId": r.ID, "customerNumber": r.CustomerNumber}
}

// AddCustomer validates and stores a new customer of the calling partner.
// It fails with a *ValidationError for bad fields, and with
// ErrIdentificationExists, ErrEmailExists or ErrPhoneExists when another
// customer of the partner already holds one of them.
func (s *Service) AddCustomer(ctx context.Context, call services.Call, in AddCustomerInput) (AddCustomerResult, error) {
	c, err := s.NewCustomer(in)
	if err != nil {
		return AddCustomerResult{}, fmt.Errorf("add customer: %w", err)
	}
	c.PartnerID = call.PartnerID
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (AddCustomerResult, error) {
		if err := RefuseBlacklisted(ctx, tx, call.PartnerID, CustomerKeys(c.Identifications, c.Phone)); err != nil {
			return AddCustomerResult{}, err
		}
		if err := s.InsertCustomer(ctx, tx, &c); err != nil {
			return AddCustomerResult{}, err
		}
		return AddCustomerResult{ID: services.FormatID(c.ID), CustomerNumber: c.Number, Status: c.Status}, nil
	})
	if err != nil {
		return AddCustomerResult{}, fmt.Errorf("add customer: %w", err)
	}
	return res, nil
}

// insertCustomer draws the customer's ID and number and inserts it, drawing
// again on a collision.
func (s *Service) InsertCustomer(ctx context.Context, t services.Tx, c *Customer) error {
	tx := services.As[Tx](t)
	for range services.MaxDraws {
		id, err := services.RandomNumber(s.k.Random, 15)
		if err != nil {
			return err
		}
		number, err := newCustomerNumber(s.k.Random)
		if err != nil {
			return err
		}
		c.ID, c.Number = id, number
		if err = tx.InsertCustomer(ctx, *c); !errors.Is(err, services.ErrNumberTaken) {
			return err
		}
	}
	return fmt.Errorf("insert customer: %w", services.ErrNumberTaken)
}

// newCustomer checks every field of an AddCustomer payload and returns the
// customer to store, or a *ValidationError listing every problem.
func (s *Service) NewCustomer(in AddCustomerInput) (Customer, error) {
	var ck checker
	now := s.k.Clock.Now()
	c := Customer{Status: CustomerActive, CreatedAt: now, UpdatedAt: now}
	c.Type = ck.CheckEnum("type", in.Type, true, CustomerIndividual, CustomerBusiness)
	allowedIDs := individualIDTypes
	switch c.Type {
	case CustomerIndividual:
		c.FirstName = ck.CheckName("firstName", in.FirstName, true)
		c.LastName = ck.CheckName("lastName", in.LastName, true)
		c.DOB = ck.CheckDate("DOB", in.DOB, now, true)
		c.Gender = ck.CheckEnum("gender", in.Gender, false, GenderMale, GenderFemale, GenderOther)
		ck.NotAllowed("businessNameLegal", in.BusinessNameLegal, "only for BUSINESS customers")
		ck.NotAllowed("dateEstablished", in.DateEstablished, "only for BUSINESS customers")
	case CustomerBusiness:
		allowedIDs = businessIDTypes
		c.BusinessNameLegal = ck.CheckName("businessNameLegal", in.BusinessNameLegal, true)
		c.DateEstablished = ck.CheckDate("dateEstablished", in.DateEstablished, now, true)
		ck.NotAllowed("firstName", in.FirstName, "only for INDIVIDUAL customers")
		ck.NotAllowed("lastName", in.LastName, "only for INDIVIDUAL customers")
		ck.NotAllowed("DOB", in.DOB, "only for INDIVIDUAL customers")
		ck.NotAllowed("gender", in.Gender, "only for INDIVIDUAL customers")
	}
	if c.Type != "" {
		c.Identifications = ck.checkIdentifications(in.Identification, allowedIDs, c)
	}
	c.Email = ck.CheckEmail("contact.email", in.Contact.Email)
	c.Phone = ck.CheckPhone("contact.phoneNumber", in.Contact.PhoneNumber, s.settings.PhoneRegion)
	if strings.TrimSpace(in.Contact.Email) == "" && strings.TrimSpace(in.Contact.PhoneNumber) == "" {
		ck.Add("contact", services.ReasonRequired, "needs a phoneNumber or an email")
	}
	c.Address = CheckAddress(&ck.Checker, in.Address)
	return c, ck.Err()
}

// checkIdentifications validates the identity documents of customer c.
func (ck *checker) checkIdentifications(ids []Identification, allowed []string, c Customer) []Identification {
	if len(ids) == 0 {
		ck.Add("identification", services.ReasonRequired, "needs at least one identity document")
		return nil
	}
	out := make([]Identification, 0, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		field := fmt.Sprintf("identification[%d]", i)
		typ := ck.CheckEnum(field+".type", strings.TrimSpace(id.Type), true, allowed...)
		if !ck.Required(field+".value", id.Value) || typ == "" {
			continue
		}
		value := NormalizeIDValue(typ, id.Value)
		if problem := IdValueProblem(typ, value); problem != "" {
			ck.Add(field+".value", services.ReasonInvalidFormat, problem)
			continue
		}
		if m := idHolderMismatch(typ, value, c); m != "" {
			ck.Add(field+".value", services.ReasonInvalidValue, m)
		}
		if seen[typ] {
			ck.Add(field+".type", services.ReasonDuplicateField, "one document of each type")
			continue
		}
		seen[typ] = true
		out = append(out, Identification{Type: typ, Value: value})
	}
	return out
}

// idHolderMismatch reports where a well-formed document number disagrees
// with the customer presenting it: a CCCD encodes birth year and sex, and a
// KRA PIN starts with A for a person and P for a business.
func idHolderMismatch(typ, value string, c Customer) string {
	switch {
	case typ == IDCCCD:
		cccd, _ := ParseCCCD(value)
		return cccdMismatch(cccd, c.DOB, c.Gender)
	case typ == IDKRAPIN && c.Type == CustomerIndividual && value[0] != 'A':
		return "a person's KRA PIN starts with A"
	case typ == IDKRAPIN && c.Type == CustomerBusiness && value[0] != 'P':
		return "a business's KRA PIN starts with P"
	}
	return ""
}

// CheckAddress validates an optional postal address.
func CheckAddress(ck *services.Checker, a Address) Address {
	out := Address{
		Line1:   ck.CheckText("address.line1", a.Line1, services.MaxAddressLineLength),
		Line2:   ck.CheckText("address.line2", a.Line2, services.MaxAddressLineLength),
		City:    ck.CheckText("address.city", a.City, services.MaxCityLength),
		State:   ck.CheckText("address.state", a.State, services.MaxCityLength),
		ZipCode: ck.CheckText("address.zipCode", a.ZipCode, services.MaxZipLength),
		Country: strings.TrimSpace(a.Country),
	}
	if out.Country != "" && !services.ValidCountry(out.Country) {
		ck.Add("address.country", services.ReasonInvalidValue, "must be an ISO 3166-1 alpha-2 country code such as VN")
		out.Country = ""
	}
	return out
}

// VerifiedTarget is where a code to the customer goes: the verified mobile
// number, else the verified e-mail.
func VerifiedTarget(c Customer) (otp.CodeTarget, error) {
	switch {
	case c.Phone != "" && c.PhoneVerified:
		return otp.CodeTarget{Purpose: otp.PurposeOTP, Channel: otp.ChannelSMS, To: c.Phone}, nil
	case c.Email != "" && c.EmailVerified:
		return otp.CodeTarget{Purpose: otp.PurposeOTP, Channel: otp.ChannelEmail, To: c.Email}, nil
	}
	return otp.CodeTarget{}, &services.Refusal{Err: ErrNoVerifiedContact, Detail: "verify the mobile number or e-mail first with VerificationService.VerifyEmailOrMobile"}
}

// newCustomerNumber draws a customer number: ten random digits (the first
// not zero) and two MOD 97-10 check digits.
func newCustomerNumber(r io.Reader) (string, error) {
	n, err := services.RandomNumber(r, 10)
	if err != nil {
		return "", err
	}
	body := fmt.Sprintf("%d", n)
	return body + services.CheckDigits(body), nil
}
