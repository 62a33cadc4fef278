package services

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
)

// dateLayout is NetXD's date format: YYYYMMDD.
const dateLayout = "20060102"

// checkName validates a person's or business's name: present when required,
// at most maxNameLength characters, no control characters.
func (c *checker) checkName(field, value string, required bool) string {
	value = strings.TrimSpace(value)
	if value == "" {
		if required {
			c.add(field, ReasonRequired, "is required")
		}
		return ""
	}
	switch {
	case utf8.RuneCountInString(value) > maxNameLength:
		c.add(field, ReasonTooLong, fmt.Sprintf("must be at most %d characters", maxNameLength))
	case strings.IndexFunc(value, invisible) >= 0 || !utf8.ValidString(value):
		c.add(field, ReasonInvalidFormat, "must not contain control or invisible formatting characters")
	}
	return value
}

// invisible reports control characters and Unicode format characters
// (zero-width spaces, bidirectional overrides) that make a name look other
// than it is.
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// checkDate parses a YYYYMMDD date that must be a real calendar date, not in
// the future and not before 1900. It returns the date in YYYY-MM-DD form.
func (c *checker) checkDate(field, value string, now time.Time, required bool) string {
	if value == "" {
		if required {
			c.add(field, ReasonRequired, "is required")
		}
		return ""
	}
	t, err := time.Parse(dateLayout, value)
	if err != nil || len(value) != 8 {
		c.add(field, ReasonInvalidFormat, "must be a real date in YYYYMMDD form")
		return ""
	}
	if t.Year() < 1900 {
		c.add(field, ReasonInvalidValue, "must not be before 1900")
		return ""
	}
	if t.After(now) {
		c.add(field, ReasonFutureDate, "must not be in the future")
		return ""
	}
	return t.Format(time.DateOnly)
}

// formatDate turns a stored YYYY-MM-DD date back into NetXD's YYYYMMDD.
func formatDate(stored string) string {
	return strings.ReplaceAll(stored, "-", "")
}

// checkEmail validates an e-mail address and returns it trimmed.
func (c *checker) checkEmail(field, value string) string {
	value = strings.TrimSpace(value)
	if value == "" {
		return ""
	}
	if !validEmail(value) {
		c.add(field, ReasonInvalidFormat, "must be an e-mail address such as name@example.com")
		return ""
	}
	return value
}

func validEmail(s string) bool {
	if len(s) > maxEmailLength || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	labels := strings.Split(domain, ".")
	for _, label := range labels {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") ||
			strings.ContainsAny(label, "[]") {
			return false
		}
	}
	// The top-level domain has a letter: a@b.123 is not a mailbox.
	return strings.ContainsFunc(labels[len(labels)-1], unicode.IsLetter)
}

// EmailKey is the form an e-mail address is compared in, for uniqueness and
// lookup: mailboxes are matched without regard to case.
func EmailKey(email string) string {
	return strings.ToLower(email)
}

// phoneAllowList adds the number ranges that the phone-number metadata
// misses (see DOMAIN.md): national significant number prefixes, by region,
// that are mobile numbers of the given length.
var phoneAllowList = map[string][]struct {
	prefix string
	length int
}{
	"VN": {{"55", 9}, {"52", 9}, {"89", 9}},
}

// NormalizePhone parses a phone number, international (+CC...) or national
// in defaultRegion, and returns it in E.164 form. It reports false for
// numbers that are not valid numbers of their country.
func NormalizePhone(raw, defaultRegion string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxPhoneLength {
		return "", false
	}
	num, err := phonenumbers.Parse(raw, strings.ToUpper(defaultRegion))
	if err != nil {
		return "", false
	}
	if num.GetExtension() != "" || (!phonenumbers.IsValidNumber(num) && !allowListed(num)) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

func allowListed(num *phonenumbers.PhoneNumber) bool {
	region := phonenumbers.GetRegionCodeForCountryCode(int(num.GetCountryCode()))
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	for _, r := range phoneAllowList[region] {
		if len(nsn) == r.length && strings.HasPrefix(nsn, r.prefix) {
			return true
		}
	}
	return false
}

// checkPhone validates and normalises a phone number to E.164.
func (c *checker) checkPhone(field, value, defaultRegion string) string {
	if strings.TrimSpace(value) == "" {
		return ""
	}
	e164, ok := NormalizePhone(value, defaultRegion)
	if !ok {
		msg := "must be a valid phone number in international form, e.g. +84912345678"
		if defaultRegion != "" {
			msg = "must be a valid phone number, international (+CC...) or national for " + defaultRegion
		}
		c.add(field, ReasonInvalidFormat, msg)
		return ""
	}
	return e164
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// validCountry reports whether code is an ISO 3166-1 alpha-2 country code.
func validCountry(code string) bool {
	if !countryCode.MatchString(code) {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry()
}

// checkText validates an optional free-text field: at most max characters and
// no control characters. It returns the trimmed value.
func (c *checker) checkText(field, value string, max int) string {
	value = strings.TrimSpace(value)
	switch {
	case value == "":
	case utf8.RuneCountInString(value) > max:
		c.add(field, ReasonTooLong, fmt.Sprintf("must be at most %d characters", max))
	case strings.IndexFunc(value, invisible) >= 0:
		c.add(field, ReasonInvalidFormat, "must not contain control or invisible formatting characters")
	}
	return value
}

// checkEnum validates that value is one of allowed (exact, upper case).
func (c *checker) checkEnum(field, value string, required bool, allowed ...string) string {
	if value == "" {
		if required {
			c.add(field, ReasonRequired, "is required; one of "+strings.Join(allowed, ", "))
		}
		return ""
	}
	for _, a := range allowed {
		if value == a {
			return value
		}
	}
	c.add(field, ReasonInvalidValue, "must be one of "+strings.Join(allowed, ", "))
	return ""
}
