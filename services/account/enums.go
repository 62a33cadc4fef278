package account

import "slices"

// The closed value sets the package checks payload members against, for
// the OpenRPC document's enums. Each returns a copy of the very list the
// check uses, so that the document cannot drift from it.

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
