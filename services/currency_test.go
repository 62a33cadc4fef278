package services

import "testing"

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
