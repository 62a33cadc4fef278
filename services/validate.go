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
func (c *Checker) CheckName(field, value string, required bool) string {
	value = strings.TrimSpace(value)
	if value == "" {
		if required {
			c.Add(field, ReasonRequired, "is required")
		}
		return ""
	}
	switch {
	case utf8.RuneCountInString(value) > maxNameLength:
		c.Add(field, ReasonTooLong, fmt.Sprintf("must be at most %d characters", maxNameLength))
	case strings.IndexFunc(value, Invisible) >= 0 || !utf8.ValidString(value):
		c.Add(field, ReasonInvalidFormat, "must not contain control or invisible formatting characters")
	}
	return value
}

// invisible reports control characters and Unicode format characters
// (zero-width spaces, bidirectional overrides) that make a name look other
// than it is.
func Invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// checkDate parses a YYYYMMDD date that must be a real calendar date, not in
// the future and not before 1900. It returns the date in YYYY-MM-DD form.
func (c *Checker) CheckDate(field, value string, now time.Time, required bool) string {
	if value == "" {
		if required {
			c.Add(field, ReasonRequired, "is required")
		}
		return ""
	}
	t, err := time.Parse(dateLayout, value)
	if err != nil || len(value) != 8 {
		c.Add(field, ReasonInvalidFormat, "must be a real date in YYYYMMDD form")
		return ""
	}
	if t.Year() < 1900 {
		c.Add(field, ReasonInvalidValue, "must not be before 1900")
		return ""
	}
	if t.After(now) {
		c.Add(field, ReasonFutureDate, "must not be in the future")
		return ""
	}
	return t.Format(time.DateOnly)
}

// formatDate turns a stored YYYY-MM-DD date back into NetXD's YYYYMMDD.
func FormatDate(stored string) string {
	return strings.ReplaceAll(stored, "-", "")
}

// checkEmail validates an e-mail address and returns it trimmed.
func (c *Checker) CheckEmail(field, value string) string {
	value = strings.TrimSpace(value)
	if value == "" {
		return ""
	}
	if !validEmail(value) {
		c.Add(field, ReasonInvalidFormat, "must be an e-mail address such as name@example.com")
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
	if raw == "" || len(raw) > MaxPhoneLength {
		return "", false
	}
	num, err := phonenumbers.Parse(raw, strings.ToUpper(defaultRegion))
	if err != nil {
		return "", false
	}
	if num.GetExtension() != "" || (!phonenumbers.IsValidNumber(num) && !AllowListed(num)) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

func AllowListed(num *phonenumbers.PhoneNumber) bool {
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
func (c *Checker) CheckPhone(field, value, defaultRegion string) string {
	if strings.TrimSpace(value) == "" {
		return ""
	}
	e164, ok := NormalizePhone(value, defaultRegion)
	if !ok {
		msg := "must be a valid phone number in international form, e.g. +84912345678"
		if defaultRegion != "" {
			msg = "must be a valid phone number, international (+CC...) or national for " + defaultRegion
		}
		c.Add(field, ReasonInvalidFormat, msg)
		return ""
	}
	return e164
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// validCountry reports whether code is an ISO 3166-1 alpha-2 country code.
func ValidCountry(code string) bool {
	if !countryCode.MatchString(code) {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry()
}

// checkText validates an optional free-text field: at most max characters and
// no control characters. It returns the trimmed value.
func (c *Checker) CheckText(field, value string, max int) string {
	value = strings.TrimSpace(value)
	switch {
	case value == "":
	case utf8.RuneCountInString(value) > max:
		c.Add(field, ReasonTooLong, fmt.Sprintf("must be at most %d characters", max))
	case strings.IndexFunc(value, Invisible) >= 0:
		c.Add(field, ReasonInvalidFormat, "must not contain control or invisible formatting characters")
	}
	return value
}

// checkEnum validates that value is one of allowed (exact, upper case).
func (c *Checker) CheckEnum(field, value string, required bool, allowed ...string) string {
	if value == "" {
		if required {
			c.Add(field, ReasonRequired, "is required; one of "+strings.Join(allowed, ", "))
		}
		return ""
	}
	for _, a := range allowed {
		if value == a {
			return value
		}
	}
	c.Add(field, ReasonInvalidValue, "must be one of "+strings.Join(allowed, ", "))
	return ""
}

// CheckReason validates a free-text reason.
func (ck *Checker) CheckReason(field, value string, required bool) string {
	if required && !ck.Required(field, value) {
		return ""
	}
	return ck.CheckText(field, value, MaxReasonLength)
}

// Paging checks optional page number and size fields (defaults 1 and
// DefaultPageSize).
func (ck *Checker) Paging(pageField, sizeField string, pageNo, pageSize *int) (page, size int) {
	page, size = 1, DefaultPageSize
	if pageNo != nil {
		if page = *pageNo; page < 1 || page > maxPageNumber {
			ck.Add(pageField, ReasonInvalidValue, fmt.Sprintf("must be between 1 and %d", maxPageNumber))
			page = 1
		}
	}
	if pageSize != nil {
		if size = *pageSize; size < 1 || size > MaxPageSize {
			ck.Add(sizeField, ReasonInvalidValue, fmt.Sprintf("must be between 1 and %d", MaxPageSize))
			size = DefaultPageSize
		}
	}
	return page, size
}

// Paging limits for lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	maxPageNumber   = 1_000_000
)
