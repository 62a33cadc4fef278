package services

import "testing"

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
