package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// decode reads JSON keeping numbers exact.
func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

var reDigits = regexp.MustCompile(`^\d+$`)

// matcher checks a generated value. Expected strings that start with "$"
// are matchers; "$$" starts a literal "$".
type matcher func(got any, now time.Time) bool

var matchers = map[string]matcher{
	"$any":    func(any, time.Time) bool { return true },
	"$string": func(g any, _ time.Time) bool { _, ok := g.(string); return ok },
	"$number": func(g any, _ time.Time) bool { _, ok := g.(json.Number); return ok },
	"$numeric": func(g any, _ time.Time) bool {
		s, ok := g.(string)
		return ok && reDigits.MatchString(s)
	},
	"$accountNumber": func(g any, _ time.Time) bool {
		s, ok := g.(string)
		if !ok || len(s) != 15 || !reDigits.MatchString(s) {
			return false
		}
		n, _ := new(big.Int).SetString(s, 10)
		return new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
	},
	"$unixTime": func(g any, now time.Time) bool {
		n, ok := g.(json.Number)
		if !ok {
			return false
		}
		v, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil && v > now.Add(-24*time.Hour).Unix() && v < now.Add(24*time.Hour).Unix()
	},
}

// match compares a response value with an expected one: objects must have
// the same members, arrays the same length, strings may be matchers.
func match(want, got any, path string, now time.Time) error {
	if s, ok := want.(string); ok && strings.HasPrefix(s, "$") && !strings.HasPrefix(s, "$$") {
		return matchSpecial(s, got, path, now)
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return mismatch(path, want, got)
		}
		return matchObject(w, g, path, now)
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return mismatch(path, want, got)
		}
		for i := range w {
			if err := match(w[i], g[i], fmt.Sprintf("%s[%d]", path, i), now); err != nil {
				return err
			}
		}
		return nil
	case string:
		if g, ok := got.(string); ok && g == strings.TrimPrefix(w, "$") {
			return nil
		}
	case json.Number:
		if g, ok := got.(json.Number); ok && numbersEqual(w, g) {
			return nil
		}
	default:
		if want == got {
			return nil
		}
	}
	return mismatch(path, want, got)
}

func matchObject(w, g map[string]any, path string, now time.Time) error {
	var missing, extra []string
	for k := range w {
		if _, ok := g[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		return fmt.Errorf("%s: members differ: missing %v, unexpected %v", orRoot(path), missing, extra)
	}
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := match(w[k], g[k], path+"."+k, now); err != nil {
			return err
		}
	}
	return nil
}

func matchSpecial(spec string, got any, path string, now time.Time) error {
	if re, ok := strings.CutPrefix(spec, "$regex:"); ok {
		s, isStr := got.(string)
		rx, err := regexp.Compile(re)
		if err != nil {
			return fmt.Errorf("%s: bad matcher %q: %w", orRoot(path), spec, err)
		}
		if !isStr || !rx.MatchString(s) {
			return mismatch(path, spec, got)
		}
		return nil
	}
	m, ok := matchers[spec]
	if !ok {
		return fmt.Errorf("%s: unknown matcher %q", orRoot(path), spec)
	}
	if !m(got, now) {
		return mismatch(path, spec, got)
	}
	return nil
}

func numbersEqual(a, b json.Number) bool {
	x, ok1 := new(big.Rat).SetString(string(a))
	y, ok2 := new(big.Rat).SetString(string(b))
	return ok1 && ok2 && x.Cmp(y) == 0
}

func mismatch(path string, want, got any) error {
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	return fmt.Errorf("%s: want %s, got %s", orRoot(path), w, g)
}

func orRoot(path string) string {
	if path == "" {
		return "response"
	}
	return strings.TrimPrefix(path, ".")
}

var rePath = regexp.MustCompile(`^([^.\[\]]+)|\.([^.\[\]]+)|\[(\d+)\]`)

// lookup follows a capture path such as "result.accounts[0].accountNumber".
func lookup(v any, path string) (any, error) {
	rest := path
	for rest != "" {
		loc := rePath.FindStringSubmatchIndex(rest)
		if loc == nil || loc[0] != 0 {
			return nil, fmt.Errorf("bad capture path %q", path)
		}
		m := rePath.FindStringSubmatch(rest)
		rest = rest[loc[1]:]
		if m[3] != "" {
			arr, ok := v.([]any)
			i, _ := strconv.Atoi(m[3])
			if !ok || i >= len(arr) {
				return nil, fmt.Errorf("capture %q: no element %d", path, i)
			}
			v = arr[i]
			continue
		}
		name := m[1] + m[2]
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("capture %q: no member %s", path, name)
		}
		if v, ok = obj[name]; !ok {
			return nil, fmt.Errorf("capture %q: no member %s", path, name)
		}
	}
	return v, nil
}
