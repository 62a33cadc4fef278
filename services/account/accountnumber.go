package account

import (
	"fmt"
	"io"
	"regexp"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/nice"
)

// Account numbers are 15 digits: 13 drawn at random (the first not zero) and
// two ISO 7064 MOD 97-10 check digits, the scheme of IBAN. The check catches
// every single-digit error and every transposition of two digits.
const (
	AccountNumberLength = 15
	accountNumberBody   = 13
)

var (
	reAccountNumber = regexp.MustCompile(`^\d{15}$`)
	// reAnyAccountNumber is a generated number or a nice number.
	ReAnyAccountNumber = regexp.MustCompile(`^(\d{15}|\d{6,12})$`)
)

// accountNumberFormat is the message for a malformed account number.
const AccountNumberFormat = "must be an account number: 15 digits, or a nice number of 6 to 12 digits"

// ValidAccountNumber reports whether s is a 15-digit account number whose
// check digits agree with its body, or a nice number (6 to 12 digits,
// chosen by the customer, without check digits).
func ValidAccountNumber(s string) bool {
	return reAccountNumber.MatchString(s) && services.Mod97(s) == 1 || ReAnyAccountNumber.MatchString(s) && len(s) <= nice.MaxNiceLength
}

// newAccountNumber draws a random account number with valid check digits.
func newAccountNumber(r io.Reader) (string, error) {
	n, err := services.RandomNumber(r, accountNumberBody)
	if err != nil {
		return "", err
	}
	body := fmt.Sprintf("%d", n)
	return body + services.CheckDigits(body), nil
}
