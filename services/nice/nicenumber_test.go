package nice_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/accountd/accountd/services/nice"
)

// hasRun reports n identical digits in a row in s, checked independently
// of the classifier.
func hasRun(s string, n int) bool {
	for d := '0'; d <= '9'; d++ {
		if strings.Contains(s, strings.Repeat(string(d), n)) {
			return true
		}
	}
	return false
}

func hasStraight(s string, seq string) bool {
	for i := 0; i+4 <= len(seq); i++ {
		if strings.Contains(s, seq[i:i+4]) {
			return true
		}
	}
	return false
}

// TestClassifyNiceProperties checks on random numbers that every category
// the classifier gives holds, and that a number with a feature gets it.
func TestClassifyNiceProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	holds := map[string]func(string) bool{
		nice.NiceSixOfAKind:  func(s string) bool { return hasRun(s, 6) },
		nice.NiceFiveOfAKind: func(s string) bool { return hasRun(s, 5) && !hasRun(s, 6) },
		nice.NiceFourOfAKind: func(s string) bool { return hasRun(s, 4) && !hasRun(s, 5) },
		nice.NiceAscending:   func(s string) bool { return hasStraight(s, "0123456789") },
		nice.NiceDescending:  func(s string) bool { return hasStraight(s, "9876543210") },
		nice.NiceLucky: func(s string) bool {
			return strings.HasSuffix(s, "68") || strings.HasSuffix(s, "86") || strings.HasSuffix(s, "39") || strings.HasSuffix(s, "79")
		},
	}
	seen := map[string]int{}
	for range 200_000 {
		n := nice.MinNiceLength + r.IntN(nice.MaxNiceLength-nice.MinNiceLength+1)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		// Plant a feature in a third of the numbers, so that rare categories occur.
		if r.IntN(3) == 0 {
			d := byte('0' + r.IntN(10))
			k := 4 + r.IntN(3)
			at := r.IntN(n - k + 1)
			for i := range k {
				b[at+i] = d
			}
		}
		s := string(b)
		f := nice.ClassifyNice(s, "", "")
		seen[f.Category]++
		for _, c := range f.Features {
			if check, ok := holds[c]; ok && !check(s) {
				t.Fatalf("%s is called %s but is not", s, c)
			}
		}
		for c, check := range holds {
			if check(s) && !slices.Contains(f.Features, c) {
				t.Fatalf("%s is %s but the classifier says %v", s, c, f.Features)
			}
		}
		if f.Category != f.Features[0] {
			t.Fatalf("%s: category %s is not the most valuable of %v", s, f.Category, f.Features)
		}
	}
	for _, c := range []string{nice.NiceSixOfAKind, nice.NiceFiveOfAKind, nice.NiceFourOfAKind, nice.NiceLucky, nice.NiceOrdinary} {
		if seen[c] == 0 {
			t.Errorf("no random number was %s: the property was not exercised", c)
		}
	}
}

// TestClassifyNiceExamples names the categories of hand-picked numbers.
func TestClassifyNiceExamples(t *testing.T) {
	tests := []struct {
		number, phone, dob string
		want               string
		features           string
	}{
		{"888888", "", "", nice.NiceSixOfAKind, "SIX_OF_A_KIND"},
		{"1088888", "", "", nice.NiceFiveOfAKind, "FIVE_OF_A_KIND"},
		{"20246666", "", "", nice.NiceFourOfAKind, "FOUR_OF_A_KIND"},
		{"10912345", "", "", nice.NiceAscending, "ASCENDING"},
		{"50009876", "", "", nice.NiceDescending, "DESCENDING"},
		{"20136868", "", "", nice.NiceRepeatedPairs, "REPEATED_PAIRS LUCKY"},
		{"70001221", "", "", nice.NiceMirror, "MIRROR"},
		{"4530179", "", "", nice.NiceLucky, "LUCKY"},
		{"912345678", "912345678", "", nice.NiceAscending, "ASCENDING PHONE"},
		{"0987103524", "987103524", "", nice.NicePhone, "PHONE"},
		{"15041990", "", "1990-04-15", nice.NiceBirthday, "BIRTHDAY"},
		{"150490", "", "1990-04-15", nice.NiceBirthday, "BIRTHDAY"},
		{"20241053", "", "", nice.NiceOrdinary, "ORDINARY"},
	}
	for _, tt := range tests {
		f := nice.ClassifyNice(tt.number, tt.phone, tt.dob)
		if f.Category != tt.want || strings.Join(f.Features, " ") != tt.features {
			t.Errorf("%s: %s %v, want %s %s", tt.number, f.Category, f.Features, tt.want, tt.features)
		}
	}
	fees, err := nice.ParseNiceFees("FOUR_OF_A_KIND=2500000, ordinary=0", "VND")
	if err != nil || fees.Fees[nice.NiceFourOfAKind] != 2_500_000 || fees.Fees[nice.NiceOrdinary] != 0 || fees.Fees[nice.NiceSixOfAKind] != 10_000_000 {
		t.Fatalf("fees %+v, %v", fees, err)
	}
	if _, err := nice.ParseNiceFees("GOLDEN=5", "VND"); err == nil {
		t.Fatal("an unknown category was accepted")
	}
}
