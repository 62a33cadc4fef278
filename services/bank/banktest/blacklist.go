package banktest

import (
	"strconv"
	"testing"
)

// MustID parses a decimal ID, failing the test when it is not one.
func MustID(t testing.TB, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
