package customer

import "slices"

// The closed value sets the package checks payload members against, for
// the OpenRPC document's enums. Each returns a copy of the very list the
// check uses, so that the document cannot drift from it.

// ConsentChannels are the channels UpdateProtectAgreement takes.
func ConsentChannels() []string { return slices.Clone(consentChannels) }

// IdentificationTypes are the identity document types of customers, for
// individuals and businesses.
func IdentificationTypes() []string { return slices.Clone(AllIDTypes) }

// CustomerTypes are the customer types AddCustomer takes.
func CustomerTypes() []string { return []string{CustomerIndividual, CustomerBusiness} }

// Genders are the genders the customer and onboarding checks take.
func Genders() []string { return []string{GenderMale, GenderFemale, GenderOther} }
