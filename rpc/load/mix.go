// Package load drives an accountd server with signed calls for `accountd
// load`: a mix of methods over a number of connections for a duration, each
// call signed with ACCOUNTD-V2, and the signed no-op server (the ceiling)
// whose rate in the same run the results are divided by.
package load

import (
	"fmt"
	"strconv"
	"strings"
)

// Method is one call the load tool makes: its name in --mix, the JSON-RPC
// method it calls and how each call's payload is built.
type Method struct {
	// Name is the method's name in --mix (GetDetails).
	Name string
	// RPC is the JSON-RPC method called (AccountService.GetDetails).
	RPC string
	// expect is the JSON-RPC error code that counts as the call's success
	// (NoOp's refusal); 0 when a result is expected.
	expect int
	// payload builds the payload of call n of the run from the data the
	// setup phase created.
	payload func(f *Fixture, n uint64) []byte
}

// NoOp is the mix's name of the call that costs the server its front door
// only: a signed AccountService.GetDetails without an account, which the
// server authenticates, verifies, rate-limits, dispatches and refuses with
// -32602 before touching the database. The load tool counts that refusal as
// its success. The ceiling server answers it like any other call.
const NoOp = "NoOp"

// codeInvalidParams is JSON-RPC's -32602, NoOp's expected answer.
const codeInvalidParams = -32602

// methods is every method --mix can name.
var methods = []Method{
	{Name: "GetDetails", RPC: "AccountService.GetDetails", payload: func(f *Fixture, n uint64) []byte {
		return fmt.Appendf(nil, `{"accountId":%q}`, f.account(n))
	}},
	{Name: "ValidateName", RPC: "AccountService.ValidateName", payload: func(f *Fixture, n uint64) []byte {
		return fmt.Appendf(nil, `{"bankCode":%q,"accountNumber":%q,"additionalInfo":{"channel":"mobilephone","deviceId":"load"}}`,
			f.BankCode, f.account(n))
	}},
	{Name: "AddAccount", RPC: "CustomerService.AddAccount", payload: func(f *Fixture, n uint64) []byte {
		return fmt.Appendf(nil, `{"customerID":%q,"name":"LOAD TEST","accountType":"CHECKING","currency":"USD"}`, f.customer(n))
	}},
	{Name: "AddCustomer", RPC: "CustomerService.AddCustomer", payload: func(f *Fixture, n uint64) []byte {
		return f.newCustomer(f.next())
	}},
	{Name: "HoldNiceNumber", RPC: "AccountService.HoldNiceNumber", payload: func(f *Fixture, n uint64) []byte {
		return fmt.Appendf(nil, `{"customerID":%q,"number":%q}`, f.customer(n), f.niceNumber(f.next()))
	}},
	{Name: "SearchNiceNumbers", RPC: "AccountService.SearchNiceNumbers", payload: func(f *Fixture, n uint64) []byte {
		patterns := [...]string{"*6868", "*8888", "*3979", "*1234"}
		return fmt.Appendf(nil, `{"pattern":%q,"length":8,"pageSize":5}`, patterns[n%uint64(len(patterns))])
	}},
	{Name: NoOp, RPC: "AccountService.GetDetails", expect: codeInvalidParams, payload: func(*Fixture, uint64) []byte {
		return []byte(`{}`)
	}},
}

// Names lists the methods --mix can name.
func Names() []string {
	out := make([]string, len(methods))
	for i, m := range methods {
		out[i] = m.Name
	}
	return out
}

// Lookup finds a method by its --mix name or its JSON-RPC name, in any case.
func Lookup(name string) (Method, bool) {
	for _, m := range methods {
		if strings.EqualFold(name, m.Name) || (m.Name != NoOp && strings.EqualFold(name, m.RPC)) {
			return m, true
		}
	}
	return Method{}, false
}

// MixEntry is one method of a mix and its weight: of every sum-of-weights
// calls, Weight are this method's.
type MixEntry struct {
	Method Method
	Weight int
}

// Mix is the methods a run calls and how often each.
type Mix []MixEntry

// maxWeight bounds one weight, so that a mix's cycle stays small.
const maxWeight = 1000

// ParseMix reads NAME[=WEIGHT],... (GetDetails=4,AddAccount=1); a name
// without a weight weighs 1. It fails on an unknown name, a name given
// twice or a weight that is not a whole number from 1 to 1000.
func ParseMix(s string) (Mix, error) {
	var mix Mix
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, weightText, hasWeight := strings.Cut(part, "=")
		m, ok := Lookup(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("--mix: unknown method %q (known: %s)", strings.TrimSpace(name), strings.Join(Names(), ", "))
		}
		if seen[m.Name] {
			return nil, fmt.Errorf("--mix: %s is given twice", m.Name)
		}
		seen[m.Name] = true
		weight := 1
		if hasWeight {
			w, err := strconv.Atoi(strings.TrimSpace(weightText))
			if err != nil || w < 1 || w > maxWeight {
				return nil, fmt.Errorf("--mix: the weight of %s must be a whole number from 1 to %d, not %q", m.Name, maxWeight, weightText)
			}
			weight = w
		}
		mix = append(mix, MixEntry{Method: m, Weight: weight})
	}
	if len(mix) == 0 {
		return nil, fmt.Errorf("--mix names no method (known: %s)", strings.Join(Names(), ", "))
	}
	return mix, nil
}

// String is the mix as --mix takes it.
func (m Mix) String() string {
	parts := make([]string, len(m))
	for i, e := range m {
		parts[i] = fmt.Sprintf("%s=%d", e.Method.Name, e.Weight)
	}
	return strings.Join(parts, ",")
}

// cycle is the mix spread out: indexes into the mix, each entry as often as
// its weight, interleaved so that a short run still sees every method.
func (m Mix) cycle() []int {
	total := 0
	for _, e := range m {
		total += e.Weight
	}
	out := make([]int, 0, total)
	left := make([]int, len(m))
	for i, e := range m {
		left[i] = e.Weight
	}
	for len(out) < total {
		for i := range m {
			if left[i] > 0 {
				out = append(out, i)
				left[i]--
			}
		}
	}
	return out
}

// needs reports whether any method of the mix is one of names.
func (m Mix) needs(names ...string) bool {
	for _, e := range m {
		for _, n := range names {
			if e.Method.Name == n {
				return true
			}
		}
	}
	return false
}
