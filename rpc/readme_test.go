package rpc_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc"
)

// TestREADMEDocumentsErrorsAndMethods keeps the README's error catalogue and
// method list in step with the code.
func TestREADMEDocumentsErrorsAndMethods(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, e := range rpc.ErrorCatalogue() {
		row := "| " + strconv.Itoa(e.Code) + " | `" + e.Data.Reason + "`"
		if !strings.Contains(readme, row) {
			t.Errorf("README's error table lacks the row %q", row)
		}
	}
	for _, m := range rpc.Methods() {
		if !strings.Contains(readme, "### "+m) {
			t.Errorf("README does not document %s", m)
		}
	}
}
