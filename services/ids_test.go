package services

import "testing"

func TestCheckDigits(t *testing.T) {
	// ISO 7064 MOD 97-10 as in IBAN: body + check digits is 1 modulo 97.
	tests := []struct{ body, want string }{
		{"32142829123456987654321611", "82"}, // IBAN GB82 WEST 1234 5698 7654 32, rearranged
		{"1000000000000", CheckDigits("1000000000000")},
	}
	for _, tt := range tests {
		if got := CheckDigits(tt.body); got != tt.want || Mod97(tt.body+got) != 1 {
			t.Errorf("CheckDigits(%s) = %s, want %s", tt.body, got, tt.want)
		}
	}
}

func TestParseID(t *testing.T) {
	for s, ok := range map[string]bool{"1": true, "495347803771993": true, "0495347803771993": false, "0": false, "-1": false, "1e3": false, " 1": false, "1234567890123456789": false} {
		if _, got := ParseID(s); got != ok {
			t.Errorf("ParseID(%q) ok = %v, want %v", s, got, ok)
		}
	}
}
