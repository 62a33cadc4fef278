package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/accountd/accountd/rpc/reference"
)

// runReference writes the generated reference pages (docs/reference) into
// the folder given: `make docs` runs it. It is not in the usage text: it
// serves the repository, not an operator.
func runReference(_ context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return usageError{msg: "usage: accountd reference DIR"}
	}
	pages, err := reference.Pages()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(args[0], 0o755); err != nil {
		return fmt.Errorf("reference: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(pages)) {
		path := filepath.Join(args[0], name)
		if err := os.WriteFile(path, pages[name], 0o644); err != nil {
			return fmt.Errorf("reference: %w", err)
		}
		fmt.Fprintln(stdout, "wrote", path)
	}
	return nil
}
