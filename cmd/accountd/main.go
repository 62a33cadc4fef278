// Command accountd is the account-service core: a signed JSON-RPC 2.0 server
// for customers and accounts, and the tools to run it (keys, call, demo,
// replay, load).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // bank.timezone works without the system's zone files

	"github.com/accountd/accountd/services"
)

func main() {
	if strings.Contains(os.Args[0], string(os.PathSeparator)) {
		programName = os.Args[0]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ue usageError
		if !errors.As(err, &ue) || ue.msg != "" {
			fmt.Fprintln(os.Stderr, "accountd:", err)
		}
		var ve *services.ValidationError
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				fmt.Fprintf(os.Stderr, "  %s: %s\n", f.Field, f.Message)
			}
		}
		os.Exit(exitCode(err))
	}
}

// usageError is a mistake on the command line; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

const usage = `accountd: the account-service core

Usage:
  accountd serve    [--config FILE] [--server.addr ADDR] [--database.dsn FILE] ...
  accountd migrate  [--config FILE] [--database.dsn FILE]
  accountd keys create --partner NAME [--out FILE] [--tier TIER] [--methods M1,M2] [--signature v2|netxd]
  accountd keys add    --partner NAME --public-key FILE [--tier TIER] [--methods M1,M2] [--signature v2|netxd]
  accountd keys list
  accountd keys revoke KEYID
  accountd keys tier   --partner NAME --tier BRONZE|SILVER|GOLD|PLATINUM
  accountd keys signature KEYID V2|NETXD
  accountd audit verify [--checkpoint FILE|-]
  accountd audit checkpoint
  accountd sweep dormancy|pictures|reencrypt
  accountd call METHOD [PAYLOAD_FILE|-] --key FILE [--url URL] [--id ID]
  accountd sign METHOD [PAYLOAD_FILE|-] --key FILE [--id ID]
  accountd demo    [--dir DIR] [--server.addr ADDR]
  accountd replay DIR --key FILE [--other-key FILE] [--codes FILE] --url URL
  accountd load   --key FILE [--url URL[,URL2...]] [--mix M1=W1,M2=W2] [--connections N] [--duration D]
                  [--rate CALLS_PER_S] [--ceiling] [--each] [--rounds N] [--json]

Every command that opens the database takes --config FILE and the flags
--server.addr, --server.admin_addr, --server.max_body_bytes, --database.driver,
--database.dsn, --bank.institution_id, --log.level, --log.format,
--ratelimit.redis_url, --server.tls_cert, --server.tls_key, --otp.channel,
--otp.webhook_url and --dormancy.days;
the same keys can be set in the YAML file or as ACCOUNTD_* environment
variables.
`

// run is the whole program, so that tests can run it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{msg: "no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, stdin, stdout, stderr)
	case "sweep":
		return runSweep(ctx, rest, stdout, stderr)
	case "call":
		return runCall(ctx, rest, stdin, stdout, stderr, true)
	case "sign":
		return runCall(ctx, rest, stdin, stdout, stderr, false)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "replay":
		return runReplay(ctx, rest, stdout, stderr)
	case "load":
		return runLoad(ctx, rest, stdout, stderr)
	case "reference":
		return runReference(ctx, rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{msg: fmt.Sprintf("unknown command %q", cmd)}
}
