package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/accountd/accountd/config"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/rpc/load"
)

// defaultLoadMix is the mix `accountd load` runs without --mix.
const defaultLoadMix = "GetDetails=4,AddAccount=1"

// runLoad drives a server with signed calls and prints calls/s, latencies
// and errors per method (see docs/performance.md).
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("load", stderr)
	keyFile := fs.String("key", "", "partner key file written by `accountd keys create`")
	url := fs.String("url", "", "endpoint, or several separated by commas (replicas: the connections are spread over them); default http://<server.addr>/jsonrpc")
	mixText := fs.String("mix", defaultLoadMix, "methods and weights, NAME[=WEIGHT],...: "+strings.Join(load.Names(), ", "))
	conns := fs.Int("connections", 32, "connections, one worker each")
	durationText := fs.String("duration", "10s", "how long each phase runs")
	rate := fs.Float64("rate", 0, "at most this many calls a second (0: as fast as answered)")
	ceiling := fs.Bool("ceiling", false, "run the same load against a signed no-op server in this process first, and report ratios to it")
	each := fs.Bool("each", false, "run the mix's methods one at a time, each for --duration")
	rounds := fs.Int("rounds", 1, "repeat the whole run this many times; the ratio is then the rounds' median")
	customers := fs.Int("customers", 0, "customers (each with an account) the setup creates (default twice --connections, at least 16)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfigFromFlags(fs.NArg(), *keyFile, *mixText, *durationText, *conns, *rate, *customers, *rounds)
	if err != nil {
		return err
	}
	conf, err := config.Load(fs)
	if err != nil {
		return err
	}
	if cfg.Key, err = client.LoadKeyFile(*keyFile); err != nil {
		return err
	}
	cfg.URL, cfg.BankCode, cfg.Ceiling, cfg.Each, cfg.Progress = *url, conf.Bank.Code, *ceiling, *each, stderr
	if cfg.URL == "" {
		cfg.URL = defaultURL(conf.Server.Addr)
	}
	rep, err := load.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(stdout)
}

// loadConfigFromFlags checks the flags of `accountd load` that need more
// than their type; each mistake is a usage error.
func loadConfigFromFlags(nargs int, keyFile, mixText, durationText string, conns int, rate float64, customers, rounds int) (load.Config, error) {
	bad := func(format string, args ...any) (load.Config, error) {
		return load.Config{}, usageError{msg: "load: " + fmt.Sprintf(format, args...)}
	}
	switch {
	case nargs > 0:
		return bad("takes no arguments")
	case keyFile == "":
		return bad("--key FILE is required (a key file written by `accountd keys create`)")
	case conns < 1 || conns > 10000:
		return bad("--connections must be from 1 to 10000, not %d", conns)
	case rate < 0:
		return bad("--rate must not be negative")
	case customers < 0:
		return bad("--customers must not be negative")
	case rounds < 1 || rounds > 100:
		return bad("--rounds must be from 1 to 100, not %d", rounds)
	}
	d, err := time.ParseDuration(durationText)
	if err != nil || d <= 0 {
		return bad("--duration must be a positive duration such as 10s or 1m, not %q", durationText)
	}
	mix, err := load.ParseMix(mixText)
	if err != nil {
		return bad("%v", err)
	}
	return load.Config{Mix: mix, Connections: conns, Duration: d, Rate: rate, Customers: customers, Rounds: rounds}, nil
}
