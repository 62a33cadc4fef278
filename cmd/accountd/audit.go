package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/accountd/accountd/services"
)

// errAuditBroken makes `accountd audit verify` exit with status 1.
var errAuditBroken = errors.New("the audit trail is broken")

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{msg: "audit needs a subcommand: verify"}
	}
	fs := newFlags("audit verify", stderr)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: "audit verify takes no arguments"}
	}
	a, err := openApp(ctx, fs, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := services.VerifyAudit(ctx, a.store)
	if err != nil {
		return err
	}
	if !rep.OK() {
		fmt.Fprintf(stdout, "BROKEN at row %d: %s\n%d rows before it are intact\n", rep.BrokenSeq, rep.Broken, rep.Rows)
		return fmt.Errorf("%w at row %d", errAuditBroken, rep.BrokenSeq)
	}
	fmt.Fprintf(stdout, "OK: %d rows, chain intact\nlast row %d, hash %s\n", rep.Rows, rep.LastSeq, rep.LastHash)
	return nil
}
