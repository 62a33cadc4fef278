package rpc

import (
	"slices"
	"strings"
	"testing"
)

// TestMethodErrorsInTable: every error a method lists, and every shared
// one, is in the error table; every error of the table is listed by some
// method or shared; and each method's document lists exactly the shared
// errors and its own, with the table's code and message.
func TestMethodErrorsInTable(t *testing.T) {
	listed := map[error]bool{}
	for _, err := range append(slices.Clone(envelopeErrors), idempotencyErrors...) {
		if _, ok := tableReason(err); !ok {
			t.Errorf("shared error %q is not in the error table", err)
		}
		listed[err] = true
	}
	for name, info := range methodTable {
		for _, err := range info.errors {
			if _, ok := tableReason(err); !ok {
				t.Errorf("%s lists %q, which is not in the error table", name, err)
			}
			listed[err] = true
		}
	}
	for _, e := range errorTable {
		if !listed[e.err] {
			t.Errorf("%s (%d) is in the error table but no method lists it", e.reason, e.code)
		}
	}
	doc, _ := readDoc(t)
	for _, m := range doc.Methods {
		info, ok := methodTable[m.Name]
		if !ok {
			continue // rpc.discover
		}
		want := map[string]bool{internalError().Data.Reason: true}
		for _, err := range envelopeErrors {
			r, _ := tableReason(err)
			want[r] = true
		}
		if info.mutates {
			for _, err := range idempotencyErrors {
				r, _ := tableReason(err)
				want[r] = true
			}
		}
		for _, err := range info.errors {
			r, _ := tableReason(err)
			want[r] = true
		}
		got := map[string]bool{}
		for _, e := range m.Errors {
			reason, _ := strings.CutPrefix(refOf(e), "#/components/errors/")
			got[reason] = true
			obj := doc.Components.Errors[reason]
			if te := toErrorByReason(reason); te != nil && (te.Code != obj.Code || te.Message != obj.Message) {
				t.Errorf("%s: error %s is %d %q in the document, %d %q in the table", m.Name, reason, obj.Code, obj.Message, te.Code, te.Message)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s lists %d errors, want %d", m.Name, len(got), len(want))
		}
		for r := range want {
			if !got[r] {
				t.Errorf("%s does not list %s", m.Name, r)
			}
		}
	}
}

// toErrorByReason is the table's error object of a reason.
func toErrorByReason(reason string) *Error {
	for _, e := range errorTable {
		if e.reason == reason {
			return toError(e.err)
		}
	}
	return nil
}
