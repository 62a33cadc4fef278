package config

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/viper"
)

// reader reads the keys of one configuration in table order and gathers
// every bad value, naming its key.
type reader struct {
	v    *viper.Viper
	key  string // the key being read
	errs []error
}

// raw is the key's value as viper holds it: a YAML scalar or a string.
func (r *reader) raw() any { return r.v.Get(r.key) }

// str is the key's value as trimmed text.
func (r *reader) str() string { return strings.TrimSpace(cast.ToString(r.raw())) }

// bad reports a bad value of the key being read.
func (r *reader) bad(why string, got any) { r.badKey(r.key, why, got) }

// badKey reports a bad value of another key, for a check that spans two.
func (r *reader) badKey(key, why string, got any) {
	r.errs = append(r.errs, fmt.Errorf("config: %s: %s (got %q)", key, why, fmt.Sprint(got)))
}

// value is how one key is read into its Config field, checked on its own
// and shown in the start-up log.
type value struct {
	kind  string              // for docs/configuration.md: duration, number, text, ...
	field func(c *Config) any // a pointer to the field the key fills
	entry string              // the map entry it fills, for a key that fills one entry of a map
	read  func(r *reader, c *Config)
	show  func(c *Config, redact func(string) string) any
	// safe says that show hides a secret key's value itself; otherwise the
	// start-up log shows only whether a secret key is set.
	safe bool
}

// number reads a whole number from min to max (YAML integer or decimal
// digits) into an int or int64 field.
func number[T int | int64](field func(*Config) *T, min, max int64) value {
	return value{
		kind:  fmt.Sprintf("number, %d to %d", min, max),
		field: func(c *Config) any { return field(c) },
		read:  func(r *reader, c *Config) { *field(c) = T(readNumber(r, min, max)) },
		show:  func(c *Config, _ func(string) string) any { return *field(c) },
	}
}

// duration reads a positive duration with a unit; with max > 0, longer
// ones are refused with tooLong.
func duration(field func(*Config) *time.Duration, max time.Duration, tooLong string) value {
	kind := "duration"
	if max > 0 {
		kind += ", at most " + shortDuration(max)
	}
	return value{
		kind:  kind,
		field: func(c *Config) any { return field(c) },
		read: func(r *reader, c *Config) {
			// A number without a unit would be nanoseconds: refuse it.
			d, err := time.ParseDuration(cast.ToString(r.raw()))
			if err != nil || d <= 0 {
				r.bad("must be a positive duration with a unit, such as 2s, 5m or 24h", r.raw())
			}
			if *field(c) = d; max > 0 && d > max {
				r.bad(tooLong, d)
			}
		},
		show: func(c *Config, _ func(string) string) any { return field(c).String() },
	}
}

// period reads a retention period in whole days ("30d") or as a duration
// with a unit ("720h").
func period(field func(*Config) *time.Duration) value {
	return value{
		kind:  "days (30d) or duration",
		field: func(c *Config) any { return field(c) },
		read:  func(r *reader, c *Config) { *field(c) = retention(r) },
		show:  func(c *Config, _ func(string) string) any { return field(c).String() },
	}
}

// text reads trimmed text, normalised by norm (nil: as given) and checked
// by check, which says why a value is bad or returns "".
func text(field func(*Config) *string, norm func(string) string, check func(string) string) value {
	return value{
		kind:  "text",
		field: func(c *Config) any { return field(c) },
		read: func(r *reader, c *Config) {
			s := r.str()
			if norm != nil {
				s = norm(s)
			}
			if *field(c) = s; check != nil {
				if why := check(s); why != "" {
					r.bad(why, s)
				}
			}
		},
		show: func(c *Config, _ func(string) string) any { return *field(c) },
	}
}

// shown replaces how v appears in the start-up log.
func (v value) shown(show func(s string, redact func(string) string) string) value {
	field := v.field
	v.show = func(c *Config, redact func(string) string) any { return show(*field(c).(*string), redact) }
	return v
}

// hidesSecret says that v's show hides the secret itself.
func (v value) hidesSecret() value {
	v.safe = true
	return v
}

// quoted reads digits that must stay text: YAML reads an unquoted
// 011000015 as a number and drops the zero.
func quoted(field func(*Config) *string, re *regexp.Regexp, why string) value {
	v := text(field, nil, nil)
	v.kind = "quoted digits"
	v.read = func(r *reader, c *Config) {
		if _, isString := r.raw().(string); !isString {
			r.bad("must be a string; quote it in YAML so that leading zeros stay", r.raw())
		} else if *field(c) = r.str(); !re.MatchString(*field(c)) {
			r.bad(why, *field(c))
		}
	}
	return v
}

// list reads comma-separated items, each matching re.
func list(field func(*Config) *[]string, re *regexp.Regexp, why string) value {
	return value{
		kind:  "comma-separated list",
		field: func(c *Config) any { return field(c) },
		read: func(r *reader, c *Config) {
			for _, item := range strings.Split(r.str(), ",") {
				if item = strings.TrimSpace(item); item == "" {
					continue
				}
				if !re.MatchString(item) {
					r.bad(why, item)
				}
				*field(c) = append(*field(c), item)
			}
		},
		show: func(c *Config, _ func(string) string) any { return strings.Join(*field(c), ",") },
	}
}

// dataKeyHow says what a 256-bit key looks like.
const dataKeyHow = "must be 64 hex digits (32 bytes), e.g. from openssl rand -hex 32"

// hexKey256 reads an optional 256-bit key written as 64 hex digits.
func hexKey256(field func(*Config) *[]byte) value {
	return value{
		kind:  "64 hex digits",
		field: func(c *Config) any { return field(c) },
		read: func(r *reader, c *Config) {
			if s := r.str(); s != "" {
				if *field(c) = hexKey(s); *field(c) == nil {
					r.bad(dataKeyHow, "(hidden)")
				}
			}
		},
	}
}

// custom is a value read and shown by functions of its own.
func custom[T any](kind string, field func(*Config) *T, read func(r *reader, c *Config), show func(c *Config) any) value {
	return value{kind: kind, field: func(c *Config) any { return field(c) }, read: read,
		show: func(c *Config, _ func(string) string) any { return show(c) }}
}

// isSet reports whether the field p points to holds a value, for the
// start-up log's "(set)".
func isSet(p any) bool {
	v := reflect.ValueOf(p).Elem()
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		return v.Len() > 0
	}
	return !v.IsZero()
}

// shortDuration writes d without zero units: 24h, not 24h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// hexKey reads 64 hex digits, or returns nil.
func hexKey(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil
	}
	return b
}
