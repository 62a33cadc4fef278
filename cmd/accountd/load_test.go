package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc/load"
)

// loadMix is every method `accountd load` knows.
var loadMix = strings.Join(load.Names(), ",")

// TestLoadWithCeiling runs `accountd load --ceiling` for a second a phase
// against a real server: every method of the mix is in the report, with
// calls and no errors against the server, and a ratio to the ceiling
// measured in the same run. (How fast is not asserted: see
// docs/performance.md.)
func TestLoadWithCeiling(t *testing.T) {
	t.Setenv("ACCOUNTD_RATELIMIT_PLATINUM", "1000000") // the load stays under the partner's limit
	in := start(t)
	out, errOut, err := runCmd(t, "", "load", "--key", in.alphaKey, "--url", in.url, "--mix", loadMix,
		"--connections", "4", "--duration", "1s", "--customers", "8", "--ceiling", "--json")
	if err != nil {
		t.Fatalf("accountd load: %v\n%s", err, errOut)
	}
	var rep load.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, out)
	}
	rows := map[string]load.Row{}
	for _, r := range rep.Methods {
		rows[r.Method] = r
	}
	for _, name := range load.Names() {
		r, ok := rows[name]
		switch {
		case !ok:
			t.Errorf("%s: not in the report", name)
		case r.Calls == 0 || r.CallsPerSecond <= 0:
			t.Errorf("%s: %d calls, %.1f calls/s; want some", name, r.Calls, r.CallsPerSecond)
		case r.ErrorCount() != 0:
			t.Errorf("%s: errors %v; want none", name, r.Errors)
		case r.CeilingPerSecond <= 0 || r.Ratio <= 0:
			t.Errorf("%s: ceiling %.1f calls/s, ratio %.3f; want both measured", name, r.CeilingPerSecond, r.Ratio)
		}
	}
	if rep.Ceiling == nil || rep.Ceiling.Calls == 0 || rep.Ceiling.ErrorCount() != 0 {
		t.Errorf("ceiling: %+v; want calls and no errors (it verifies every signature)", rep.Ceiling)
	}
	if rep.Total == nil || rep.Total.Ratio <= 0 {
		t.Errorf("total: %+v; want a ratio", rep.Total)
	}
	if rep.Signing.Calls == 0 || rep.Signing.Calls < rep.Total.Calls+rep.Ceiling.Calls {
		t.Errorf("signing: %d calls signed, %d answered; want every call signed", rep.Signing.Calls, rep.Total.Calls+rep.Ceiling.Calls)
	}
	for _, want := range []string{"load: setup:", "load: ceiling", "load: target"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("progress on stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// TestLoadText: the table names every method and the ceiling; each method
// alone (--each) gets its own row and ratio, with each round's ratio.
func TestLoadText(t *testing.T) {
	t.Setenv("ACCOUNTD_RATELIMIT_PLATINUM", "1000000")
	in := start(t)
	out, errOut, err := runCmd(t, "", "load", "--key", in.alphaKey, "--url", in.url, "--mix", "GetDetails,NoOp",
		"--connections", "2", "--duration", "300ms", "--customers", "2", "--ceiling", "--each", "--rounds", "2")
	if err != nil {
		t.Fatalf("accountd load: %v\n%s", err, errOut)
	}
	for _, want := range []string{"one method at a time", "2 round(s)", "GetDetails", "NoOp", "ceiling calls/s", "rounds' ratios", "signing:"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "total") {
		t.Errorf("--each reports no total (its methods ran apart):\n%s", out)
	}
}

// TestLoadReplicas: with two endpoints the connections are spread over
// both replicas, and their request ids never meet (a shared idempotency
// table would answer a repeated id with the first call's answer or -32005).
func TestLoadReplicas(t *testing.T) {
	t.Setenv("ACCOUNTD_RATELIMIT_PLATINUM", "1000000")
	in := start(t)
	second := &syncBuffer{}
	url2 := serveDB(t, in.db, second)
	out, errOut, err := runCmd(t, "", "load", "--key", in.alphaKey, "--url", in.url+","+url2, "--mix", "AddAccount,GetDetails",
		"--connections", "4", "--duration", "500ms", "--customers", "4", "--json")
	if err != nil {
		t.Fatalf("accountd load: %v\n%s", err, errOut)
	}
	var rep load.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Total == nil || rep.Total.Calls == 0 || rep.Total.ErrorCount() != 0 {
		t.Errorf("total %+v; want calls and no errors", rep.Total)
	}
	for name, logs := range map[string]*syncBuffer{"first": in.logs, "second": second} {
		if !strings.Contains(logs.String(), "CustomerService.AddAccount") {
			t.Errorf("the %s replica logged no AddAccount call", name)
		}
	}
}

// TestLoadFlagErrors: mistakes on the command line exit 2 with a message
// that names them, before any call is made.
func TestLoadFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown method", []string{"--mix", "GetDetails,Transfer=2"}, `unknown method "Transfer"`},
		{"method twice", []string{"--mix", "GetDetails,getdetails"}, "GetDetails is given twice"},
		{"bad weight", []string{"--mix", "GetDetails=0"}, "weight of GetDetails"},
		{"empty mix", []string{"--mix", ","}, "names no method"},
		{"duration without unit", []string{"--duration", "10"}, "--duration must be a positive duration"},
		{"negative duration", []string{"--duration", "-1s"}, "--duration must be a positive duration"},
		{"no connections", []string{"--connections", "0"}, "--connections must be from 1"},
		{"negative rate", []string{"--rate", "-5"}, "--rate must not be negative"},
		{"no rounds", []string{"--rounds", "0"}, "--rounds must be from 1"},
		{"argument", []string{"extra"}, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"load", "--key", "no-such.key.json", "--url", "http://127.0.0.1:1/jsonrpc"}, tt.args...)
			_, _, err := runCmd(t, "", args...)
			var ue usageError
			if !errors.As(err, &ue) || exitCode(err) != 2 {
				t.Fatalf("accountd %v: got %v, want a usage error (exit 2)", args, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q; want it to say %q", err, tt.want)
			}
		})
	}
	t.Run("no key", func(t *testing.T) {
		_, _, err := runCmd(t, "", "load", "--url", "http://127.0.0.1:1/jsonrpc")
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "--key FILE is required") {
			t.Errorf("got %v; want a usage error asking for --key", err)
		}
	})
}
