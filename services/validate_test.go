package services

import "testing"

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
