package customer

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Identification document types accepted on customers.
const (
	IDSSN                  = "SSN"
	IDITIN                 = "ITIN"
	IDPassport             = "PASSPORT"
	IDDrivingLicense       = "DRIVING_LICENSE"
	IDNationalID           = "NATIONAL_ID"
	IDAlienID              = "ALIEN_ID"
	IDCCCD                 = "CCCD"
	IDCMND                 = "CMND"
	IDTaxID                = "TAX_ID"
	IDKRAPIN               = "KRA_PIN"
	IDEIN                  = "EIN"
	IDBusinessRegistration = "BUSINESS_REGISTRATION"
)

// individualIDTypes and businessIDTypes list the document types each kind of
// customer may present; a business's are all registration or tax numbers.
var (
	individualIDTypes = []string{IDSSN, IDITIN, IDPassport, IDDrivingLicense, IDNationalID, IDAlienID, IDCCCD, IDCMND, IDTaxID, IDKRAPIN}
	businessIDTypes   = []string{IDEIN, IDTaxID, IDBusinessRegistration, IDKRAPIN}
	AllIDTypes        = append(append([]string{}, individualIDTypes...), IDEIN, IDBusinessRegistration)
)

var (
	reDigits9     = regexp.MustCompile(`^\d{9}$`)
	reCMND        = regexp.MustCompile(`^(\d{9}|\d{12})$`)
	reCCCD        = regexp.MustCompile(`^\d{12}$`)
	reAlnum5to20  = regexp.MustCompile(`^[A-Z0-9]{5,20}$`)
	reLicense     = regexp.MustCompile(`^[A-Z0-9-]{4,20}$`)
	reKRAPIN      = regexp.MustCompile(`^[AP]\d{9}[A-Z]$`)
	reRegistry    = regexp.MustCompile(`^[A-Z0-9][A-Z0-9/-]{2,29}$`)
	reAlienDigits = regexp.MustCompile(`^\d{6,9}$`)
)

// normalizeIDValue puts an identification value in the form it is stored and
// compared in: trimmed, upper case, and for the nine-digit US numbers without
// dashes or spaces.
func NormalizeIDValue(typ, value string) string {
	value = strings.ToUpper(strings.TrimSpace(value))
	switch typ {
	case IDSSN, IDITIN, IDEIN:
		value = strings.NewReplacer("-", "", " ", "").Replace(value)
	}
	return value
}

// idValueProblem returns why value is not a well-formed number of type typ, or
// "" when it is.
func IdValueProblem(typ, value string) string {
	switch typ {
	case IDSSN:
		return ssnProblem(value)
	case IDITIN:
		if !reDigits9.MatchString(value) || value[0] != '9' {
			return "an ITIN is nine digits starting with 9"
		}
	case IDEIN:
		if !reDigits9.MatchString(value) || value[:2] == "00" {
			return "an EIN is nine digits (NN-NNNNNNN)"
		}
	case IDCCCD:
		if _, problem := ParseCCCD(value); problem != "" {
			return problem
		}
	case IDCMND:
		if !reCMND.MatchString(value) {
			return "a CMND is 9 or 12 digits"
		}
	case IDAlienID:
		if !reAlienDigits.MatchString(value) {
			return "an alien ID is 6 to 9 digits"
		}
	case IDKRAPIN:
		if !reKRAPIN.MatchString(value) {
			return "a KRA PIN is A or P, nine digits and a letter (A123456789B)"
		}
	case IDDrivingLicense:
		if !reLicense.MatchString(value) {
			return "a driving licence number is 4 to 20 letters, digits or dashes"
		}
	case IDBusinessRegistration:
		if !reRegistry.MatchString(value) {
			return "a registration number is 3 to 30 letters, digits, dashes or slashes"
		}
	default: // PASSPORT, NATIONAL_ID, TAX_ID
		if !reAlnum5to20.MatchString(value) {
			return "must be 5 to 20 letters or digits"
		}
	}
	return ""
}

// ssnProblem applies the Social Security Administration's structural rules:
// nine digits, area not 000, 666 or 9xx, group not 00, serial not 0000.
func ssnProblem(v string) string {
	if !reDigits9.MatchString(v) {
		return "an SSN is nine digits (NNN-NN-NNNN)"
	}
	area, group, serial := v[:3], v[3:5], v[5:]
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return "not an SSN that can be issued"
	}
	return ""
}

// vnProvinces are the province codes that open a Vietnamese citizen ID (CCCD).
var vnProvinces = map[string]bool{}

func init() {
	for _, code := range strings.Fields(`001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026
		027 030 031 033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066
		067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096`) {
		vnProvinces[code] = true
	}
}

// CCCD is what a Vietnamese citizen ID number says about its holder.
type CCCD struct {
	Province  string // three-digit province code
	Female    bool
	BirthYear int
}

// ParseCCCD reads a 12-digit Vietnamese citizen ID: a province code, a digit
// for century and sex, the last two digits of the birth year and six random
// digits. It returns a problem description when the number cannot be valid.
func ParseCCCD(v string) (CCCD, string) {
	if !reCCCD.MatchString(v) {
		return CCCD{}, "a CCCD is 12 digits"
	}
	if !vnProvinces[v[:3]] {
		return CCCD{}, "a CCCD starts with a province code; " + v[:3] + " is none"
	}
	d := int(v[3] - '0')
	yy, _ := strconv.Atoi(v[4:6])
	return CCCD{Province: v[:3], Female: d%2 == 1, BirthYear: 1900 + (d/2)*100 + yy}, ""
}

// cccdMismatch compares a CCCD with a declared date of birth (YYYY-MM-DD) and
// gender, returning what disagrees.
func cccdMismatch(id CCCD, dob, gender string) string {
	if dob != "" {
		if t, err := time.Parse(time.DateOnly, dob); err == nil && t.Year() != id.BirthYear {
			return "the CCCD says born in " + strconv.Itoa(id.BirthYear) + ", not " + strconv.Itoa(t.Year())
		}
	}
	if gender == GenderMale && id.Female || gender == GenderFemale && !id.Female {
		return "the CCCD's sex digit disagrees with gender"
	}
	return ""
}
