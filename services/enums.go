package services

import (
	"maps"
	"slices"
)

// The closed value sets the services check payload members against, for
// the OpenRPC document's enums. Each returns a copy of the very list (or
// table) the check uses, so that the document cannot drift from it.

// AccountTypes are the account types AddAccount takes and ListAccounts
// filters by.
func AccountTypes() []string { return slices.Clone(accountTypes) }

// AccountStatuses are the account statuses UpdateAccountStatus moves to
// and ListAccounts filters by.
func AccountStatuses() []string { return slices.Clone(accountStatuses) }

// CustodialTypes are the custodial account types AddAccount takes.
func CustodialTypes() []string { return slices.Clone(custodialTypes) }

// FreezeReasonCodes are the reason codes FreezeAccount takes.
func FreezeReasonCodes() []string { return slices.Clone(freezeReasons) }

// ConsentChannels are the channels UpdateProtectAgreement takes.
func ConsentChannels() []string { return slices.Clone(consentChannels) }

// UserChannels are the e-banking channels OnboardCombo and
// InitCustomerInfo take.
func UserChannels() []string { return slices.Clone(userChannels) }

// IdentificationTypes are the identity document types of customers, for
// individuals and businesses.
func IdentificationTypes() []string { return slices.Clone(allIDTypes) }

// Currencies are the ISO 4217 codes ValidCurrency accepts, sorted.
func Currencies() []string { return slices.Sorted(maps.Keys(iso4217)) }

// CustomerTypes are the customer types AddCustomer takes.
func CustomerTypes() []string { return []string{CustomerIndividual, CustomerBusiness} }

// Genders are the genders the customer and onboarding checks take.
func Genders() []string { return []string{GenderMale, GenderFemale, GenderOther} }

// UserStatuses are the statuses UpdateUserStatus moves an e-banking user to.
func UserStatuses() []string { return []string{UserActive, UserLocked, UserBlocked} }

// PictureSides are the identity card sides UploadIDCard takes.
func PictureSides() []string { return []string{PictureFront, PictureBack} }

// FatcaForms are the FATCA forms SubmitFatcaDeclaration takes.
func FatcaForms() []string { return []string{FormW9, FormW8BEN} }
