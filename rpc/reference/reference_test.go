package reference_test

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/reference"
)

// referenceDir holds the generated reference pages.
const referenceDir = "../../docs/reference"

// TestReferencePagesAreCurrent: the committed pages of docs/reference are
// what the generator renders from the code now.
func TestReferencePagesAreCurrent(t *testing.T) {
	pages, err := reference.Pages()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(referenceDir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/reference/%s is not what the code renders now (%v): run `%s` and commit the result",
				name, err, reference.Command)
		}
	}
	committed, err := filepath.Glob(filepath.Join(referenceDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range committed {
		if _, ok := pages[filepath.Base(path)]; !ok {
			t.Errorf("docs/reference/%s is no generated page: remove it, or run `%s`", filepath.Base(path), reference.Command)
		}
	}
}

// TestReferenceDocumentsErrorsAndMethods: the error reference has a row
// for every entry of the error table, and every method has a section in
// the method reference and hand-written notes in docs/methods-notes.md.
func TestReferenceDocumentsErrorsAndMethods(t *testing.T) {
	errorsPage := readDoc(t, "reference/errors.md")
	for _, e := range rpc.ErrorCatalogue() {
		row := "| " + strconv.Itoa(e.Code) + " | `" + e.Data.Reason + "`"
		if !strings.Contains(errorsPage, row) {
			t.Errorf("docs/reference/errors.md lacks the row %q", row)
		}
	}
	methodsPage, notes := readDoc(t, "reference/methods.md"), readDoc(t, "methods-notes.md")
	for _, m := range rpc.Methods() {
		if !strings.Contains(methodsPage, "\n## "+m+"\n") {
			t.Errorf("docs/reference/methods.md has no section for %s", m)
		}
		if !regexp.MustCompile(`(?m)^#+ ` + regexp.QuoteMeta(m) + `$`).MatchString(notes) {
			t.Errorf("docs/methods-notes.md has no heading for %s", m)
		}
	}
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../docs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReferenceDocumentsCosts: the method reference's index gives each
// method the built-in table's cost (one where the table has none).
func TestReferenceDocumentsCosts(t *testing.T) {
	documented := map[string]int{}
	row := regexp.MustCompile("(?m)^\\| \\[`([A-Za-z]+\\.[A-Za-z]+)`\\]\\(#[a-z]+\\) \\|.*\\| (\\d+) \\|$")
	for _, m := range row.FindAllStringSubmatch(readDoc(t, "reference/methods.md"), -1) {
		if n, _ := strconv.Atoi(m[2]); n > 1 {
			documented[m[1]] = n
		}
	}
	if len(documented) == 0 {
		t.Fatal("docs/reference/methods.md has no method rows with costs")
	}
	if want := rpc.DefaultCosts(); !maps.Equal(documented, want) {
		t.Errorf("docs/reference/methods.md documents the costs %v; the built-in table is %v", documented, want)
	}
}
