package rpc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/accountd/accountd/rpc"
)

// referenceDir holds the generated reference pages.
const referenceDir = "../docs/reference"

// TestReferencePagesAreCurrent: the committed pages of docs/reference are
// what the generator renders from the code now.
func TestReferencePagesAreCurrent(t *testing.T) {
	pages, err := rpc.ReferencePages()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(referenceDir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/reference/%s is not what the code renders now (%v): run `%s` and commit the result",
				name, err, rpc.ReferenceCommand)
		}
	}
	committed, err := filepath.Glob(filepath.Join(referenceDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range committed {
		if _, ok := pages[filepath.Base(path)]; !ok {
			t.Errorf("docs/reference/%s is no generated page: remove it, or run `%s`", filepath.Base(path), rpc.ReferenceCommand)
		}
	}
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../docs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
