package services

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
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

func (r AddCustomerResult) auditEntities() map[string]string {
	return map[string]string{"customerId": r.ID, "customerNumber": r.CustomerNumber}
}

// AddCustomer validates and stores a new customer of the calling partner.
// It fails with a *ValidationError for bad fields, and with
// ErrIdentificationExists, ErrEmailExists or ErrPhoneExists when another
// customer of the partner already holds one of them.
func (s *Service) AddCustomer(ctx context.Context, call Call, in AddCustomerInput) (AddCustomerResult, error) {
	c, err := s.newCustomer(in)
	if err != nil {
		return AddCustomerResult{}, fmt.Errorf("add customer: %w", err)
	}
	c.PartnerID = call.PartnerID
	res, err := idempotent(ctx, s, call, in, func(tx Tx) (AddCustomerResult, error) {
		if err := checkBlacklist(ctx, tx, call.PartnerID, customerKeys(c.Identifications, c.Phone)); err != nil {
			return AddCustomerResult{}, err
		}
		if err := s.insertCustomer(ctx, tx, &c); err != nil {
			return AddCustomerResult{}, err
		}
		return AddCustomerResult{ID: formatID(c.ID), CustomerNumber: c.Number, Status: c.Status}, nil
	})
	if err != nil {
		return AddCustomerResult{}, fmt.Errorf("add customer: %w", err)
	}
	return res, nil
}

// insertCustomer draws the customer's ID and number and inserts it, drawing
// again on a collision.
func (s *Service) insertCustomer(ctx context.Context, tx Tx, c *Customer) error {
	for range maxDraws {
		id, err := randomNumber(s.random, 15)
		if err != nil {
			return err
		}
		number, err := newCustomerNumber(s.random)
		if err != nil {
			return err
		}
		c.ID, c.Number = id, number
		if err = tx.InsertCustomer(ctx, *c); !errors.Is(err, ErrNumberTaken) {
			return err
		}
	}
	return fmt.Errorf("insert customer: %w", ErrNumberTaken)
}

// newCustomer checks every field of an AddCustomer payload and returns the
// customer to store, or a *ValidationError listing every problem.
func (s *Service) newCustomer(in AddCustomerInput) (Customer, error) {
	var ck checker
	now := s.clock.Now()
	c := Customer{Status: CustomerActive, CreatedAt: now, UpdatedAt: now}
	c.Type = ck.checkEnum("type", in.Type, true, CustomerIndividual, CustomerBusiness)
	allowedIDs := individualIDTypes
	switch c.Type {
	case CustomerIndividual:
		c.FirstName = ck.checkName("firstName", in.FirstName, true)
		c.LastName = ck.checkName("lastName", in.LastName, true)
		c.DOB = ck.checkDate("DOB", in.DOB, now, true)
		c.Gender = ck.checkEnum("gender", in.Gender, false, GenderMale, GenderFemale, GenderOther)
		ck.notAllowed("businessNameLegal", in.BusinessNameLegal, "only for BUSINESS customers")
		ck.notAllowed("dateEstablished", in.DateEstablished, "only for BUSINESS customers")
	case CustomerBusiness:
		allowedIDs = businessIDTypes
		c.BusinessNameLegal = ck.checkName("businessNameLegal", in.BusinessNameLegal, true)
		c.DateEstablished = ck.checkDate("dateEstablished", in.DateEstablished, now, true)
		ck.notAllowed("firstName", in.FirstName, "only for INDIVIDUAL customers")
		ck.notAllowed("lastName", in.LastName, "only for INDIVIDUAL customers")
		ck.notAllowed("DOB", in.DOB, "only for INDIVIDUAL customers")
		ck.notAllowed("gender", in.Gender, "only for INDIVIDUAL customers")
	}
	if c.Type != "" {
		c.Identifications = ck.checkIdentifications(in.Identification, allowedIDs, c)
	}
	c.Email = ck.checkEmail("contact.email", in.Contact.Email)
	c.Phone = ck.checkPhone("contact.phoneNumber", in.Contact.PhoneNumber, s.settings.PhoneRegion)
	if strings.TrimSpace(in.Contact.Email) == "" && strings.TrimSpace(in.Contact.PhoneNumber) == "" {
		ck.add("contact", ReasonRequired, "needs a phoneNumber or an email")
	}
	c.Address = ck.checkAddress(in.Address)
	return c, ck.err()
}

// checkIdentifications validates the identity documents of customer c.
func (ck *checker) checkIdentifications(ids []Identification, allowed []string, c Customer) []Identification {
	if len(ids) == 0 {
		ck.add("identification", ReasonRequired, "needs at least one identity document")
		return nil
	}
	out := make([]Identification, 0, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		field := fmt.Sprintf("identification[%d]", i)
		typ := ck.checkEnum(field+".type", strings.TrimSpace(id.Type), true, allowed...)
		if !ck.required(field+".value", id.Value) || typ == "" {
			continue
		}
		value := normalizeIDValue(typ, id.Value)
		if problem := idValueProblem(typ, value); problem != "" {
			ck.add(field+".value", ReasonInvalidFormat, problem)
			continue
		}
		if m := idHolderMismatch(typ, value, c); m != "" {
			ck.add(field+".value", ReasonInvalidValue, m)
		}
		if seen[typ] {
			ck.add(field+".type", ReasonDuplicateField, "one document of each type")
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

// checkAddress validates an optional postal address.
func (ck *checker) checkAddress(a Address) Address {
	out := Address{
		Line1:   ck.checkText("address.line1", a.Line1, maxAddressLineLength),
		Line2:   ck.checkText("address.line2", a.Line2, maxAddressLineLength),
		City:    ck.checkText("address.city", a.City, maxCityLength),
		State:   ck.checkText("address.state", a.State, maxCityLength),
		ZipCode: ck.checkText("address.zipCode", a.ZipCode, maxZipLength),
		Country: strings.TrimSpace(a.Country),
	}
	if out.Country != "" && !validCountry(out.Country) {
		ck.add("address.country", ReasonInvalidValue, "must be an ISO 3166-1 alpha-2 country code such as VN")
		out.Country = ""
	}
	return out
}

// formatID writes an internal ID as the numeric string partners see.
func formatID(id int64) string { return strconv.FormatInt(id, 10) }

// parseID reads a numeric ID string as the server writes them (no sign, no
// leading zero); ok is false when it cannot be an ID.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 18 || s[0] == '0' || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
