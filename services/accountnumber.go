package services

import (
	"fmt"
	"io"
	"regexp"
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
	reAnyAccountNumber = regexp.MustCompile(`^(\d{15}|\d{6,12})$`)
)

// accountNumberFormat is the message for a malformed account number.
const accountNumberFormat = "must be an account number: 15 digits, or a nice number of 6 to 12 digits"

// mod97 returns the remainder of a decimal digit string divided by 97.
func mod97(digits string) int {
	r := 0
	for i := 0; i < len(digits); i++ {
		r = (r*10 + int(digits[i]-'0')) % 97
	}
	return r
}

// checkDigits returns the two MOD 97-10 check digits to append to body.
func checkDigits(body string) string {
	return fmt.Sprintf("%02d", 98-mod97(body+"00"))
}

// ValidAccountNumber reports whether s is a 15-digit account number whose
// check digits agree with its body, or a nice number (6 to 12 digits,
// chosen by the customer, without check digits).
func ValidAccountNumber(s string) bool {
	return reAccountNumber.MatchString(s) && mod97(s) == 1 || reAnyAccountNumber.MatchString(s) && len(s) <= MaxNiceLength
}

// newAccountNumber draws a random account number with valid check digits.
func newAccountNumber(r io.Reader) (string, error) {
	n, err := randomNumber(r, accountNumberBody)
	if err != nil {
		return "", err
	}
	body := fmt.Sprintf("%d", n)
	return body + checkDigits(body), nil
}

// newCustomerNumber draws a customer number: ten random digits (the first
// not zero) and two MOD 97-10 check digits.
func newCustomerNumber(r io.Reader) (string, error) {
	n, err := randomNumber(r, 10)
	if err != nil {
		return "", err
	}
	body := fmt.Sprintf("%d", n)
	return body + checkDigits(body), nil
}
