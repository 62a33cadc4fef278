package nice

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Nice ("beautiful") number categories, from the most to the least
// valuable. A number gets the most valuable category it qualifies for;
// ORDINARY is a chosen number with nothing special about it.
const (
	NiceSixOfAKind    = "SIX_OF_A_KIND"  // a digit six times in a row (luc quy)
	NiceFiveOfAKind   = "FIVE_OF_A_KIND" // five times (ngu quy)
	NiceFourOfAKind   = "FOUR_OF_A_KIND" // four times (tu quy)
	NiceAscending     = "ASCENDING"      // four or more digits each one more than the last: 1234
	NiceDescending    = "DESCENDING"     // four or more digits each one less: 9876
	NiceRepeatedPairs = "REPEATED_PAIRS" // a pair of different digits twice in a row: 6868
	NiceMirror        = "MIRROR"         // the last four or more digits read the same backwards: 1221
	NiceLucky         = "LUCKY"          // ends in a lucky pair: 68, 86 (loc phat), 39, 79 (than tai)
	NicePhone         = "PHONE"          // the customer's mobile number
	NiceBirthday      = "BIRTHDAY"       // the customer's date of birth, DDMMYYYY or DDMMYY
	NiceOrdinary      = "ORDINARY"
)

// NiceCategories lists the categories from the most valuable.
var NiceCategories = []string{NiceSixOfAKind, NiceFiveOfAKind, NiceFourOfAKind, NiceAscending, NiceDescending,
	NiceRepeatedPairs, NiceMirror, NiceLucky, NicePhone, NiceBirthday, NiceOrdinary}

// DefaultNiceFees are the fees in VND (DOMAIN.md: from 200,000; four of a
// kind 2M, five 5M, six 10M).
var DefaultNiceFees = map[string]int64{
	NiceSixOfAKind: 10_000_000, NiceFiveOfAKind: 5_000_000, NiceFourOfAKind: 2_000_000,
	NiceAscending: 1_500_000, NiceDescending: 1_000_000, NiceRepeatedPairs: 1_000_000, NiceMirror: 800_000,
	NiceLucky: 500_000, NicePhone: 300_000, NiceBirthday: 300_000, NiceOrdinary: 200_000,
}

// Nice numbers are 6 to 12 digits: they never collide with the 15-digit
// generated account numbers.
const (
	MinNiceLength = 6
	MaxNiceLength = 12
)

// NiceFeatures are what makes a number beautiful, each a category.
type NiceFeatures struct {
	Category string   // the most valuable category
	Features []string // every category that applies, most valuable first
}

// ClassifyNice names what makes number beautiful. phone (national digits,
// without the trunk 0) and dob (YYYY-MM-DD) are the customer's, when known.
func ClassifyNice(number, phone, dob string) NiceFeatures {
	var f []string
	run := longestRun(number, func(a, b byte) bool { return a == b })
	switch {
	case run >= 6:
		f = append(f, NiceSixOfAKind)
	case run == 5:
		f = append(f, NiceFiveOfAKind)
	case run == 4:
		f = append(f, NiceFourOfAKind)
	}
	if longestRun(number, func(a, b byte) bool { return b == a+1 }) >= 4 {
		f = append(f, NiceAscending)
	}
	if longestRun(number, func(a, b byte) bool { return b+1 == a }) >= 4 {
		f = append(f, NiceDescending)
	}
	if repeatedPair(number) {
		f = append(f, NiceRepeatedPairs)
	}
	if mirrorTail(number) {
		f = append(f, NiceMirror)
	}
	if n := len(number); n >= 2 && strings.Contains(" 68 86 39 79 ", " "+number[n-2:]+" ") {
		f = append(f, NiceLucky)
	}
	if phone != "" && (number == phone || number == "0"+phone) {
		f = append(f, NicePhone)
	}
	if dob != "" && birthday(number, dob) {
		f = append(f, NiceBirthday)
	}
	if len(f) == 0 {
		f = append(f, NiceOrdinary)
	}
	sort.SliceStable(f, func(i, j int) bool { return niceRank(f[i]) < niceRank(f[j]) })
	return NiceFeatures{Category: f[0], Features: f}
}

func niceRank(c string) int {
	for i, x := range NiceCategories {
		if x == c {
			return i
		}
	}
	return len(NiceCategories)
}

// longestRun is the length of the longest run of digits where each next
// digit relates to the one before by rel.
func longestRun(s string, rel func(a, b byte) bool) int {
	if s == "" {
		return 0
	}
	best, cur := 1, 1
	for i := 1; i < len(s); i++ {
		if rel(s[i-1], s[i]) {
			cur++
		} else {
			cur = 1
		}
		best = max(best, cur)
	}
	return best
}

// repeatedPair reports a pair of different digits followed by itself
// (abab), anywhere in the number.
func repeatedPair(s string) bool {
	for i := 0; i+4 <= len(s); i++ {
		if s[i] != s[i+1] && s[i:i+2] == s[i+2:i+4] {
			return true
		}
	}
	return false
}

// mirrorTail reports that the last four or more digits (not all the same)
// read the same backwards, such as 1221 or 12321.
func mirrorTail(s string) bool {
	for n := len(s); n >= 4; n-- {
		t := s[len(s)-n:]
		if isPalindrome(t) && strings.Count(t, t[:1]) != len(t) {
			return true
		}
	}
	return false
}

func isPalindrome(s string) bool {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		if s[i] != s[j] {
			return false
		}
	}
	return true
}

// birthday reports that the number ends in the date of birth as DDMMYYYY or
// is it as DDMMYY.
func birthday(number, dob string) bool {
	if len(dob) != 10 {
		return false
	}
	ddmm := dob[8:10] + dob[5:7]
	return strings.HasSuffix(number, ddmm+dob[:4]) || number == ddmm+dob[2:4]
}

// NiceFees is the fee table of nice numbers, in minor units of its currency.
type NiceFees struct {
	Currency string
	Fees     map[string]int64
}

// ParseNiceFees reads "CATEGORY=amount,..." (amounts in minor units of
// currency; VND has none) over the default table.
func ParseNiceFees(spec, currency string) (NiceFees, error) {
	fees := NiceFees{Currency: currency, Fees: map[string]int64{}}
	for k, v := range DefaultNiceFees {
		fees.Fees[k] = v
	}
	for _, item := range strings.Split(spec, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		cat, amount, ok := strings.Cut(item, "=")
		cat = strings.ToUpper(strings.TrimSpace(cat))
		n, err := strconv.ParseInt(strings.TrimSpace(amount), 10, 64)
		if !ok || err != nil || n < 0 || niceRank(cat) == len(NiceCategories) {
			return NiceFees{}, fmt.Errorf("nice fee %q: want CATEGORY=amount with a category of %s", item, strings.Join(NiceCategories, ", "))
		}
		fees.Fees[cat] = n
	}
	return fees, nil
}
