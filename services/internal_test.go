package services

import (
	"crypto/rand"
	"testing"
)

func TestAccountNumbers(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		n, err := newAccountNumber(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(n) != AccountNumberLength || n[0] == '0' || !ValidAccountNumber(n) {
			t.Fatalf("generated %q: not a valid 15-digit number", n)
		}
		if seen[n] {
			t.Fatalf("generated %q twice in 2000 draws", n)
		}
		seen[n] = true
		// Every single-digit error and every adjacent transposition is caught.
		for i := range n {
			for d := byte('0'); d <= '9'; d++ {
				if d == n[i] {
					continue
				}
				b := []byte(n)
				b[i] = d
				if ValidAccountNumber(string(b)) {
					t.Fatalf("%s with digit %d changed to %c still validates", n, i, d)
				}
			}
			if i+1 < len(n) && n[i] != n[i+1] {
				b := []byte(n)
				b[i], b[i+1] = b[i+1], b[i]
				if ValidAccountNumber(string(b)) {
					t.Fatalf("%s with digits %d,%d swapped still validates", n, i, i+1)
				}
			}
		}
	}
	for _, bad := range []string{"", "12345678901234", "1234567890123456", "20098234504807a"} {
		if ValidAccountNumber(bad) {
			t.Errorf("ValidAccountNumber(%q) = true", bad)
		}
	}
}

func TestCheckDigits(t *testing.T) {
	// ISO 7064 MOD 97-10 as in IBAN: body + check digits is 1 modulo 97.
	tests := []struct{ body, want string }{
		{"32142829123456987654321611", "82"}, // IBAN GB82 WEST 1234 5698 7654 32, rearranged
		{"1000000000000", checkDigits("1000000000000")},
	}
	for _, tt := range tests {
		if got := checkDigits(tt.body); got != tt.want || mod97(tt.body+got) != 1 {
			t.Errorf("checkDigits(%s) = %s, want %s", tt.body, got, tt.want)
		}
	}
}

func TestFormatBalance(t *testing.T) {
	tests := []struct {
		minor    int64
		currency string
		want     string
	}{
		{1230, "USD", "12.30"},
		{45300, "USD", "453.00"},
		{5, "USD", "0.05"},
		{0, "USD", "0.00"},
		{-1999, "KES", "-19.99"},
		{453, "VND", "453.00"},
		{1234567, "KWD", "1234.567"},
		{-9223372036854775808, "USD", "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := FormatBalance(tt.minor, tt.currency); got != tt.want {
			t.Errorf("FormatBalance(%d, %s) = %s, want %s", tt.minor, tt.currency, got, tt.want)
		}
	}
}

func TestParseCCCD(t *testing.T) {
	tests := []struct {
		in      string
		want    CCCD
		problem bool
	}{
		{"087084000999", CCCD{Province: "087", BirthYear: 1984}, false}, // DOMAIN.md's example: Dong Thap, male, 1984
		{"001305123456", CCCD{Province: "001", Female: true, BirthYear: 2005}, false},
		{"079290000001", CCCD{Province: "079", BirthYear: 2090}, false},
		{"003084000999", CCCD{}, true}, // no province 003
		{"08708400099", CCCD{}, true},  // 11 digits
		{"08708400099A", CCCD{}, true}, // a letter
	}
	for _, tt := range tests {
		got, problem := ParseCCCD(tt.in)
		if got != tt.want || (problem != "") != tt.problem {
			t.Errorf("ParseCCCD(%s) = %+v, %q; want %+v, problem %v", tt.in, got, problem, tt.want, tt.problem)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, region, want string
	}{
		{"+84912345678", "", "+84912345678"},
		{"0912345678", "VN", "+84912345678"},
		{"0912345678", "", ""},               // national form needs a region
		{"+84551234567", "", "+84551234567"}, // Wintel 055, missing from the metadata
		{"+84521234567", "", "+84521234567"},
		{"+254712345678", "", "+254712345678"},
		{"0110123456", "KE", "+254110123456"},
		{"+6281234567890", "", "+6281234567890"},
		{"+1 (202) 555-0142", "", "+12025550142"},
		{"+8491234567", "", ""},         // one digit short
		{"+84912345678 ext. 5", "", ""}, // an extension is not a mobile number
		{"hello", "VN", ""},
	}
	for _, tt := range tests {
		got, ok := NormalizePhone(tt.in, tt.region)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", tt.in, tt.region, got, ok, tt.want)
		}
	}
}

func TestValidEmail(t *testing.T) {
	for s, want := range map[string]bool{
		"dave@example.com": true, "dave.miller+bank@mail.example.co.uk": true,
		"dave@localhost": false, "dave@@example.com": false, "Dave <dave@example.com>": false,
		"dave@example.com.": false, "dave@[1.2.3.4]": false, "dave@b.123": false, "dave@-example.com": false, "dave @example.com": false, "": false,
	} {
		if got := validEmail(s); got != want {
			t.Errorf("validEmail(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSSN(t *testing.T) {
	for s, ok := range map[string]bool{"123456789": true, "000123456": false, "666123456": false, "900123456": false, "123006789": false, "123450000": false, "12345678": false} {
		if got := ssnProblem(s) == ""; got != ok {
			t.Errorf("ssnProblem(%s) ok = %v, want %v", s, got, ok)
		}
	}
}

func TestCurrencies(t *testing.T) {
	for code, want := range map[string]bool{
		"USD": true, "VND": true, "KES": true, "IDR": true, "MRU": true, "VES": true, "SLE": true, "ZWG": true, "XCG": true,
		"HRK": false, "VEF": false, "SLL": false, "MRO": false, "DEM": false, "XTS": false, "XXX": false, "XAU": false, "usd": false, "": false,
	} {
		if got := ValidCurrency(code); got != want {
			t.Errorf("ValidCurrency(%q) = %v, want %v", code, got, want)
		}
	}
	for code, want := range map[string]int{"USD": 2, "VND": 0, "IDR": 2, "KWD": 3, "JPY": 0, "CLP": 0} {
		if got := currencyDigits(code); got != want {
			t.Errorf("currencyDigits(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestParseID(t *testing.T) {
	for s, ok := range map[string]bool{"1": true, "495347803771993": true, "0495347803771993": false, "0": false, "-1": false, "1e3": false, " 1": false, "1234567890123456789": false} {
		if _, got := parseID(s); got != ok {
			t.Errorf("parseID(%q) ok = %v, want %v", s, got, ok)
		}
	}
}
