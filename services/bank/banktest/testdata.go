package banktest

import (
	"os"
	"path/filepath"
)

// Testdata returns the path of a file under the module's testdata
// directory, found from the working directory up to go.mod, so that a test
// reads it whichever package directory it runs in.
func Testdata(elem ...string) string {
	dir, err := os.Getwd()
	if err != nil {
		return filepath.Join(append([]string{"testdata"}, elem...)...)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(append([]string{dir, "testdata"}, elem...)...)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return filepath.Join(append([]string{"testdata"}, elem...)...)
		}
		dir = parent
	}
}
