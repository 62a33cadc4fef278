package ebank

import "slices"

// The closed value sets the package checks payload members against, for
// the OpenRPC document's enums. Each returns a copy of the very list the
// check uses, so that the document cannot drift from it.

// UserChannels are the e-banking channels OnboardCombo and
// InitCustomerInfo take.
func UserChannels() []string { return slices.Clone(userChannels) }

// UserStatuses are the statuses UpdateUserStatus moves an e-banking user to.
func UserStatuses() []string { return []string{UserActive, UserLocked, UserBlocked} }
