package services

import (
	"strconv"
	"strings"
)

// FormatBalance writes an amount of minor units of currency as a decimal
// string in major units with at least two decimals, as the Kenyan seed shows
// balances ("12.30", "453.00"). Currencies with more minor digits (KWD) keep
// all of them; currencies without minor units (VND) get ".00".
func FormatBalance(minor int64, currency string) string {
	digits := currencyDigits(currency)
	neg := minor < 0
	abs := strconv.FormatUint(absMinor(minor), 10)
	if len(abs) <= digits {
		abs = strings.Repeat("0", digits-len(abs)+1) + abs
	}
	whole, frac := abs[:len(abs)-digits], abs[len(abs)-digits:]
	for len(frac) < 2 {
		frac += "0"
	}
	if neg {
		whole = "-" + whole
	}
	return whole + "." + frac
}

func absMinor(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}
