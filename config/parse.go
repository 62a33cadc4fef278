package config

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// readNumber reads the key being read as a whole number from min to max.
func readNumber(r *reader, min, max int64) int64 {
	n, err := strictInt(r.raw())
	if err != nil || n < min || n > max {
		r.bad(fmt.Sprintf("must be a whole number from %d to %d", min, max), r.raw())
	}
	return n
}

// strictInt reads a whole number given as a YAML integer or as decimal
// digits; booleans, floats, hex and signs are refused.
func strictInt(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case uint64:
		if n > 1<<62 {
			return 0, errors.New("too large")
		}
		return int64(n), nil
	case string:
		s := strings.TrimSpace(n)
		if !reDigits.MatchString(s) {
			return 0, errors.New("not a whole number")
		}
		return strconv.ParseInt(s, 10, 64)
	}
	return 0, fmt.Errorf("not a whole number: %T", v)
}

// tier reads the requests per minute of one partner tier into its entry of
// RateLimit.Tiers.
func tier(name string) value {
	const min, max = 1, 1_000_000
	return value{
		kind:  fmt.Sprintf("number, %d to %d", min, max),
		field: func(c *Config) any { return &c.RateLimit.Tiers },
		entry: name,
		read: func(r *reader, c *Config) {
			if c.RateLimit.Tiers == nil {
				c.RateLimit.Tiers = map[string]int{}
			}
			c.RateLimit.Tiers[name] = int(readNumber(r, min, max))
		},
		show: func(c *Config, _ func(string) string) any { return c.RateLimit.Tiers[name] },
	}
}

// mustBeOneOf is a check that wants one of allowed.
func mustBeOneOf(allowed ...string) func(string) string {
	why := "must be " + strings.Join(allowed, " or ")
	if len(allowed) > 2 {
		why = "must be " + strings.Join(allowed[:len(allowed)-1], ", ") + " or " + allowed[len(allowed)-1]
	}
	return func(s string) string {
		if !oneOf(s, allowed...) {
			return why
		}
		return ""
	}
}

func oneOf(s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

// matching is a check that wants a value re matches.
func matching(re *regexp.Regexp, why string) func(string) string {
	return func(s string) string {
		if !re.MatchString(s) {
			return why
		}
		return ""
	}
}

// emptyOr is a check that wants an empty value or one re matches.
func emptyOr(re *regexp.Regexp, why string) func(string) string {
	return func(s string) string {
		if s != "" && !re.MatchString(s) {
			return why
		}
		return ""
	}
}

// checkAddr wants host:port.
func checkAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "must be host:port, e.g. 127.0.0.1:8080"
	}
	if p, err := strconv.Atoi(port); err != nil || !reDigits.MatchString(port) || p > 65535 {
		return "port must be a number from 0 to 65535"
	}
	if host != "" && net.ParseIP(host) == nil && !reHostName.MatchString(host) {
		return "host must be an IP address or a host name"
	}
	return ""
}

// readLocation reads an IANA time zone; a bad one leaves UTC.
func readLocation(r *reader, c *Config) {
	loc, err := time.LoadLocation(r.str())
	if err != nil || r.str() == "" {
		r.bad("must be an IANA time zone such as Africa/Nairobi or UTC", r.str())
		loc = time.UTC
	}
	c.Bank.Location = loc
}

// retention reads a period given in whole days ("30d") or as a duration
// with a unit ("720h").
func retention(r *reader) time.Duration {
	v := r.str()
	if days, ok := strings.CutSuffix(v, "d"); ok && reDigits.MatchString(days) {
		if n, err := strconv.Atoi(days); err == nil && n > 0 && n <= 36500 {
			return time.Duration(n) * 24 * time.Hour
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > 36500*24*time.Hour {
		r.bad("must be a number of days such as 30d, or a positive duration with a unit such as 720h (at most 100 years)", v)
	}
	return d
}

// readCosts reads ratelimit.costs.
func readCosts(r *reader, c *Config) {
	costs, err := parseCosts(r.str())
	if err != nil {
		r.bad(err.Error(), r.str())
	}
	c.RateLimit.Costs = costs
}

// reCost is one entry of ratelimit.costs: Service.Method=N.
var reCost = regexp.MustCompile(`^([A-Za-z]+\.[A-Za-z]+)\s*=\s*(\d{1,4})$`)

// maxCost bounds a method's cost in ratelimit.costs.
const maxCost = 1000

// parseCosts reads "Service.Method=N,..." (N from 1 to maxCost), each
// method once.
func parseCosts(spec string) (map[string]int, error) {
	costs := map[string]int{}
	for _, item := range strings.Split(spec, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		m := reCost.FindStringSubmatch(item)
		if m == nil {
			return nil, fmt.Errorf("must be Service.Method=units pairs separated by commas, e.g. AccountService.SearchNiceNumbers=20; %q is not", item)
		}
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > maxCost {
			return nil, fmt.Errorf("%s: a cost must be from 1 to %d", m[1], maxCost)
		}
		if _, dup := costs[m[1]]; dup {
			return nil, fmt.Errorf("%s is given twice", m[1])
		}
		costs[m[1]] = n
	}
	return costs, nil
}

// readOldDataKeys reads ekyc.old_data_keys, "id:hex,...": earlier data
// keys, read alongside the current one (ekyc.data_key and data_key_id are
// read before it).
func readOldDataKeys(r *reader, c *Config) {
	e := &c.EKYC
	old := r.str()
	if old != "" && e.DataKey == nil {
		r.bad("old keys are read alongside a current data key, and none is set", "(hidden)")
	}
	e.OldDataKeys = map[string][]byte{}
	for _, pair := range strings.Split(old, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		id, key, _ := strings.Cut(pair, ":")
		id = strings.TrimSpace(id)
		switch b := hexKey(strings.TrimSpace(key)); {
		case !reKeyID.MatchString(id):
			r.bad("must be id:key pairs separated by commas, each id 1 to 32 letters, digits, dots, underscores or dashes", id)
		case b == nil:
			r.bad("key "+id+" "+dataKeyHow, "(hidden)")
		case id == e.DataKeyID || e.OldDataKeys[id] != nil:
			r.bad("names a key id twice, or the current key's id", id)
		default:
			e.OldDataKeys[id] = b
		}
	}
}
