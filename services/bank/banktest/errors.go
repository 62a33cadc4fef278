package banktest

import (
	"errors"
	"sort"
	"strings"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/onboarding"
)

// Refusal returns err's *services.Refusal, or nil.
func Refusal(err error) *services.Refusal {
	var r *services.Refusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}

// AttemptsLeft returns the AttemptsLeft of err's refusal, or -1 when it has none.
func AttemptsLeft(err error) int {
	if r := Refusal(err); r != nil && r.AttemptsLeft != nil {
		return *r.AttemptsLeft
	}
	return -1
}

// Problems lists "CHECK:PROBLEM" for every problem of err's refusal or of
// checks, sorted; NOT_CHECKED left out.
func Problems(err error, checks ...services.EKYCCheck) string {
	if r := Refusal(err); r != nil {
		checks = append(checks, r.Checks...)
	}
	var out []string
	for _, c := range checks {
		for _, p := range c.Problems {
			if p.Code != onboarding.ProblemNotChecked {
				out = append(out, c.Name+":"+p.Code)
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// StateOf returns the State of err's refusal.
func StateOf(err error) string {
	if r := Refusal(err); r != nil {
		return r.State
	}
	return ""
}

// IsErr reports whether err is target (errors.Is).
func IsErr(err, target error) bool { return errors.Is(err, target) }

// FieldReasons lists "field:REASON" for each field error of err, sorted.
func FieldReasons(err error) []string {
	var v *services.ValidationError
	if !errors.As(err, &v) {
		return nil
	}
	var out []string
	for _, f := range v.Fields {
		out = append(out, f.Field+":"+f.Reason)
	}
	sort.Strings(out)
	return out
}

// Join joins s with spaces.
func Join(s []string) string { return strings.Join(s, " ") }
