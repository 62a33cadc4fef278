package banktest

import (
	"github.com/accountd/accountd/services/ebank"
)

// Combo is a Kenyan customer's OnboardCombo input for a mobile KES account.
func Combo(nationalID, phone, username string) ebank.OnboardComboInput {
	c := Kenyan(nationalID, phone, "")
	return ebank.OnboardComboInput{Customer: c, Username: username, Channel: "MOBILE", Currency: "KES"}
}
