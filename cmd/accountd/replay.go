package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/replay"
)

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("replay", stderr)
	keyFile := fs.String("key", "", "key file of the partner that runs the scenarios")
	otherFile := fs.String("other-key", "", "key file of a second partner, for tenancy scenarios")
	url := fs.String("url", "", "endpoint, e.g. http://127.0.0.1:8080/jsonrpc")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *keyFile == "" || *url == "" {
		return usageError{msg: "usage: accountd replay DIR --key FILE [--other-key FILE] --url URL"}
	}
	scenarios, err := replay.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	r := &replay.Runner{Client: &rpc.Client{URL: *url, HTTP: &http.Client{Timeout: 60 * time.Second}}}
	if r.Key, err = rpc.LoadKeyFile(*keyFile); err != nil {
		return err
	}
	if *otherFile != "" {
		if r.Other, err = rpc.LoadKeyFile(*otherFile); err != nil {
			return err
		}
	}
	failed := 0
	for _, sc := range scenarios {
		res := r.Run(ctx, sc)
		switch {
		case res.Skipped:
			fmt.Fprintf(stdout, "SKIP %s (%s): needs --other-key\n", res.Scenario, res.File)
		case res.Err != nil:
			failed++
			fmt.Fprintf(stdout, "FAIL %s (%s): %v\n", res.Scenario, res.File, res.Err)
		default:
			fmt.Fprintf(stdout, "PASS %s (%s)\n", res.Scenario, res.File)
		}
	}
	fmt.Fprintf(stdout, "%d scenarios, %d failed\n", len(scenarios), failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d scenarios failed", failed, len(scenarios))
	}
	return nil
}
