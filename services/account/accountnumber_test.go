package account

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
