package account

import (
	"context"
	"fmt"
	"strings"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
)

// GetCustomerInput is CustomerService.GetCustomer's payload: exactly one of
// ID, customerNumber, contact.email, contact.phoneNumber or identification.
type GetCustomerInput struct {
	ID             string                   `json:"ID" size:"id"`
	CustomerNumber string                   `json:"customerNumber" size:"id"`
	Contact        customer.Contact         `json:"contact"`
	Identification *customer.Identification `json:"identification"`
}

// CustomerView is a customer as GetCustomer returns it, with its accounts.
type CustomerView struct {
	ID                string                    `json:"ID"`
	CustomerNumber    string                    `json:"customerNumber"`
	Type              string                    `json:"type"`
	Status            string                    `json:"status"`
	FirstName         string                    `json:"firstName,omitempty"`
	LastName          string                    `json:"lastName,omitempty"`
	DOB               string                    `json:"DOB,omitempty"`
	Gender            string                    `json:"gender,omitempty"`
	BusinessNameLegal string                    `json:"businessNameLegal,omitempty"`
	DateEstablished   string                    `json:"dateEstablished,omitempty"`
	Identification    []customer.Identification `json:"identification"`
	Contact           customer.Contact          `json:"contact"`
	Address           *customer.Address         `json:"address,omitempty"`
	CreateTime        int64                     `json:"createTime"`
	Accounts          []AccountDetails          `json:"accounts"`
	// ProtectAgreement is the current data-sharing consent, when one was given.
	ProtectAgreement *customer.ProtectAgreement `json:"protectAgreement,omitempty"`
}

// GetCustomer finds one customer of the calling partner and its accounts. It
// fails with a *ValidationError unless exactly one criterion is given, and
// with ErrCustomerNotFound when no customer of the partner matches.
func (s *Service) GetCustomer(ctx context.Context, call services.Call, in GetCustomerInput) (CustomerView, error) {
	by, err := s.customerLookup(in)
	if err != nil {
		return CustomerView{}, fmt.Errorf("get customer: %w", err)
	}
	c, err := s.store.FindCustomer(ctx, call.PartnerID, by)
	if err != nil {
		return CustomerView{}, fmt.Errorf("get customer: %w", err)
	}
	accounts, err := s.store.ListCustomerAccounts(ctx, call.PartnerID, c.ID)
	if err != nil {
		return CustomerView{}, fmt.Errorf("get customer %d accounts: %w", c.ID, err)
	}
	consents, err := s.store.Consents(ctx, c.ID)
	if err != nil {
		return CustomerView{}, fmt.Errorf("get customer %d consent: %w", c.ID, err)
	}
	view := customerView(c)
	if len(consents) > 0 {
		pa := customer.AgreementOf(consents[0])
		view.ProtectAgreement = &pa
	}
	view.Accounts = make([]AccountDetails, 0, len(accounts))
	for _, a := range accounts {
		view.Accounts = append(view.Accounts, s.accountDetails(a, s.k.Clock.Now()))
	}
	return view, nil
}

// customerLookup turns GetCustomer's payload into a lookup, checking that
// exactly one well-formed criterion is given.
func (s *Service) customerLookup(in GetCustomerInput) (customer.CustomerLookup, error) {
	var ck checker
	var by customer.CustomerLookup
	given := 0
	in.ID, in.CustomerNumber = strings.TrimSpace(in.ID), strings.TrimSpace(in.CustomerNumber)
	in.Contact.Email, in.Contact.PhoneNumber = strings.TrimSpace(in.Contact.Email), strings.TrimSpace(in.Contact.PhoneNumber)
	if in.ID != "" {
		given++
		id, ok := services.ParseID(in.ID)
		if !ok {
			ck.Add("ID", services.ReasonInvalidFormat, "must be a numeric customer ID")
		}
		by.ID = id
	}
	if in.CustomerNumber != "" {
		given++
		by.Number = in.CustomerNumber
	}
	if in.Contact.Email != "" {
		given++
		by.EmailKey = services.EmailKey(ck.CheckEmail("contact.email", in.Contact.Email))
	}
	if in.Contact.PhoneNumber != "" {
		given++
		by.Phone = ck.CheckPhone("contact.phoneNumber", in.Contact.PhoneNumber, s.settings.PhoneRegion)
	}
	if in.Identification != nil {
		given++
		by.IDType = ck.CheckEnum("identification.type", strings.TrimSpace(in.Identification.Type), true, customer.AllIDTypes...)
		if ck.Required("identification.value", in.Identification.Value) {
			by.IDValue = customer.NormalizeIDValue(by.IDType, in.Identification.Value)
		}
	}
	if given != 1 {
		ck.Add("payload", services.ReasonInvalidValue, fmt.Sprintf("give exactly one of ID, customerNumber, contact.email, contact.phoneNumber, identification (got %d)", given))
	}
	return by, ck.Err()
}

func customerView(c customer.Customer) CustomerView {
	v := CustomerView{
		ID:                services.FormatID(c.ID),
		CustomerNumber:    c.Number,
		Type:              c.Type,
		Status:            c.Status,
		FirstName:         c.FirstName,
		LastName:          c.LastName,
		DOB:               services.FormatDate(c.DOB),
		Gender:            c.Gender,
		BusinessNameLegal: c.BusinessNameLegal,
		DateEstablished:   services.FormatDate(c.DateEstablished),
		Identification:    c.Identifications,
		Contact:           customer.Contact{PhoneNumber: c.Phone, Email: c.Email},
		CreateTime:        c.CreatedAt.Unix(),
	}
	if v.Identification == nil {
		v.Identification = []customer.Identification{}
	}
	if c.Address != (customer.Address{}) {
		addr := c.Address
		v.Address = &addr
	}
	return v
}
