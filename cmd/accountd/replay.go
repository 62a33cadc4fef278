package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/rpc/replay"
	"github.com/accountd/accountd/services/notify"
)

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("replay", stderr)
	keyFile := fs.String("key", "", "key file of the partner that runs the scenarios")
	otherFile := fs.String("other-key", "", "key file of a second partner, for tenancy scenarios")
	url := fs.String("url", "", "endpoint, e.g. http://127.0.0.1:8080/jsonrpc")
	codesFile := fs.String("codes", "", "file that receives the server's standard output (otp.channel log), for scenarios with one-time codes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *keyFile == "" || *url == "" {
		return usageError{msg: "usage: accountd replay DIR --key FILE [--other-key FILE] [--codes FILE] --url URL"}
	}
	scenarios, err := replay.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	r := &replay.Runner{Client: &client.Client{URL: *url, HTTP: &http.Client{Timeout: 60 * time.Second}}}
	if r.Key, err = client.LoadKeyFile(*keyFile); err != nil {
		return err
	}
	if *otherFile != "" {
		if r.Other, err = client.LoadKeyFile(*otherFile); err != nil {
			return err
		}
	}
	if *codesFile != "" {
		r.Codes = codesFromFile(*codesFile, codeWait)
	}
	failed, skipped := 0, 0
	for _, sc := range scenarios {
		res := r.Run(ctx, sc)
		switch {
		case res.Skipped:
			skipped++
			fmt.Fprintf(stdout, "SKIP %s (%s): %s\n", res.Scenario, res.File, res.Reason)
		case res.Err != nil:
			failed++
			fmt.Fprintf(stdout, "FAIL %s (%s): %v\n", res.Scenario, res.File, res.Err)
		default:
			fmt.Fprintf(stdout, "PASS %s (%s)\n", res.Scenario, res.File)
		}
	}
	fmt.Fprintf(stdout, "%d scenarios, %d failed\n", len(scenarios), failed)
	if skipped > 0 {
		fmt.Fprintf(stdout, "%d skipped: --other-key runs the second partner's scenarios, --codes those with one-time codes;\n"+
			"scenarios that move the clock or run commands run only in go test ./cmd/accountd\n", skipped)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d scenarios failed", failed, len(scenarios))
	}
	return nil
}

// codeWait is how long replay waits for a one-time code to be printed.
const codeWait = 10 * time.Second

// codesFromFile reads one-time codes from the file that receives a live
// server's standard output, re-reading it until the code is there or wait
// has passed.
func codesFromFile(path string, wait time.Duration) func(context.Context, string, string) (string, error) {
	return func(ctx context.Context, requestID, purpose string) (string, error) {
		deadline := time.Now().Add(wait)
		for {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("read codes: %w", err)
			}
			if code, ok := notify.FindCode(string(b), requestID, purpose); ok {
				return code, nil
			}
			if time.Now().After(deadline) {
				return "", fmt.Errorf("not printed in %s within %s (is the server's otp.channel log, its output going there?)", path, wait)
			}
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}
