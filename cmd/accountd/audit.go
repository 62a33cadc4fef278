package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
)

// errAuditBroken makes `accountd audit verify` exit with status 1.
var errAuditBroken = errors.New("the audit trail is broken")

// auditUsage names the audit subcommands.
const auditUsage = "audit needs a subcommand: verify [--checkpoint FILE|-] or checkpoint"

func runAudit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "checkpoint") {
		return usageError{msg: auditUsage}
	}
	fs := newFlags("audit "+args[0], stderr)
	var external *string
	if args[0] == "verify" {
		external = fs.String("checkpoint", "", "also check the chain against the checkpoints in FILE (- for standard input): "+
			"a checkpoint as `accountd audit checkpoint` prints it, the lines of audit.checkpoint_file, or the server's JSON log")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: "audit " + args[0] + " takes no arguments"}
	}
	var list []services.AuditCheckpoint
	if external != nil && *external != "" {
		var err error
		if list, err = readCheckpointFile(*external, stdin); err != nil {
			return err
		}
	}
	a, err := openApp(ctx, fs, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	keys, err := a.checkpointKeys()
	if err != nil {
		return err
	}
	if args[0] == "checkpoint" {
		return printCheckpoint(ctx, a, keys, stdout)
	}
	sources := []services.CheckpointSource{{Name: "stored", Stored: a.store}}
	if list != nil {
		sources = append(sources, services.CheckpointSource{Name: "external", List: list})
	}
	rep, err := services.VerifyAuditCheckpoints(ctx, a.store, keys, sources...)
	if err != nil {
		return err
	}
	return printAuditReport(stdout, rep)
}

// readCheckpointFile reads the checkpoints of --checkpoint.
func readCheckpointFile(name string, stdin io.Reader) ([]services.AuditCheckpoint, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("--checkpoint: %w", err)
		}
		defer f.Close()
		r = f
	}
	list, err := services.ReadCheckpoints(r)
	if err != nil {
		return nil, fmt.Errorf("--checkpoint %s: %w", name, err)
	}
	return list, nil
}

// printCheckpoint is `accountd audit checkpoint`: a fresh signed checkpoint
// of the head, stored and printed as one JSON line.
func printCheckpoint(ctx context.Context, a *app, keys *services.CheckpointKeys, stdout io.Writer) error {
	c := &services.Checkpointer{Store: a.store, Keys: keys, Clock: a.clock}
	cp, err := c.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	line, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", line)
	return err
}

// printAuditReport writes what audit verify found; a broken chain or a
// checkpoint that does not hold is errAuditBroken.
func printAuditReport(stdout io.Writer, rep services.CheckpointReport) error {
	if !rep.AuditReport.OK() {
		fmt.Fprintf(stdout, "BROKEN at row %d: %s\n%d rows before it are intact\n", rep.BrokenSeq, rep.Broken, rep.Rows)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(stdout, "BROKEN: %s\n", p)
	}
	if more := rep.ProblemCount - len(rep.Problems); more > 0 {
		fmt.Fprintf(stdout, "BROKEN: %d more checkpoints do not hold\n", more)
	}
	switch {
	case rep.OK():
		fmt.Fprintf(stdout, "OK: %d rows, chain intact\n", rep.Rows)
	case rep.AuditReport.OK():
		fmt.Fprintf(stdout, "%d rows, chain intact, but the checkpoints above do not hold\n", rep.Rows)
	}
	if rep.AuditReport.OK() {
		fmt.Fprintf(stdout, "last row %d, hash %s\n", rep.LastSeq, rep.LastHash)
	}
	fmt.Fprintf(stdout, "checkpoints that hold: %s\n", checkedCounts(rep.Checked))
	if rep.Newest.Seq > 0 {
		fmt.Fprintf(stdout, "newest checkpoint covered: row %d, hash %s, of %s (%s)\n",
			rep.Newest.Seq, rep.Newest.Hash, rep.Newest.At.Format(time.RFC3339Nano), rep.NewestSource)
	} else {
		fmt.Fprintf(stdout, "newest checkpoint covered: none: rows cut from the end are not detected\n")
	}
	if rep.SignaturesUnchecked {
		fmt.Fprintf(stdout, "WARNING: checkpoint signatures not checked: set ekyc.data_key or audit.checkpoint_public_keys\n")
	}
	switch {
	case !rep.AuditReport.OK():
		return fmt.Errorf("%w at row %d", errAuditBroken, rep.BrokenSeq)
	case rep.ProblemCount > 0:
		return fmt.Errorf("%w: %s", errAuditBroken, rep.Problems[0])
	}
	return nil
}

// checkedCounts writes checkpoint counts by source: "stored 3, external 1".
func checkedCounts(by map[string]int) string {
	if len(by) == 0 {
		return "none"
	}
	names := make([]string, 0, len(by))
	for name := range by {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s %d", name, by[name])
	}
	return strings.Join(parts, ", ")
}
