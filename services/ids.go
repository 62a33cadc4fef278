package services

import (
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// FormatID writes an internal ID as the numeric string partners see.
func FormatID(id int64) string { return strconv.FormatInt(id, 10) }

// ParseID reads a numeric ID string as the server writes them (no sign, no
// leading zero); ok is false when it cannot be an ID.
func ParseID(s string) (int64, bool) {
	if s == "" || len(s) > 18 || s[0] == '0' || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// RandomNumber draws a uniformly random number with exactly digits digits
// (no leading zero).
func RandomNumber(r io.Reader, digits int) (int64, error) {
	lo := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits-1)), nil)
	span := new(big.Int).Sub(new(big.Int).Mul(lo, big.NewInt(10)), lo)
	n, err := rand.Int(r, span)
	if err != nil {
		return 0, fmt.Errorf("draw random number: %w", err)
	}
	return n.Add(n, lo).Int64(), nil
}

// MaxDraws bounds how often a generated number is drawn again after a
// collision; with 10^12 and more possible values, a second draw is already
// rare.
const MaxDraws = 8

// RandomBelow draws a uniformly random number in [0, n).
func RandomBelow(r io.Reader, n int) (int, error) {
	v, err := rand.Int(r, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("draw random number: %w", err)
	}
	return int(v.Int64()), nil
}

// mod97 returns the remainder of a decimal digit string divided by 97.
func Mod97(digits string) int {
	r := 0
	for i := 0; i < len(digits); i++ {
		r = (r*10 + int(digits[i]-'0')) % 97
	}
	return r
}

// CheckDigits returns the two MOD 97-10 check digits to append to body.
func CheckDigits(body string) string {
	return fmt.Sprintf("%02d", 98-Mod97(body+"00"))
}
