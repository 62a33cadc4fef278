// Package payload decodes a JSON-RPC payload strictly into a method's
// input: member names match without regard to case, unknown, repeated and
// mistyped members and values over their limits are refused, each named.
package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/accountd/accountd/services"
)

// Decode decodes a JSON object into v, a pointer to a struct, the way
// partners expect: member names match json tags without regard to case (as
// NetXD clients rely on), null means absent, and every problem is collected,
// not just the first: unknown members, members given twice and values of the
// wrong type. Every string and array is then held to its field's size
// limit (services.CheckLimits: the size and items tags, or the defaults), so
// that no method, present or future, gets input of unbounded length. It
// returns a *services.ValidationError naming each bad field.
func Decode(raw json.RawMessage, v any) error {
	var fields []services.FieldError
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '{' {
		fields = append(fields, services.FieldError{Field: "payload", Reason: services.ReasonInvalidType, Message: "must be an object"})
		return &services.ValidationError{Fields: fields}
	}
	decodeValue(raw, reflect.ValueOf(v).Elem(), "", services.FieldLimit{}, &fields)
	var tooLong *services.ValidationError
	if errors.As(services.CheckLimits(v), &tooLong) {
		fields = append(fields, tooLong.Fields...)
	}
	if len(fields) > 0 {
		return &services.ValidationError{Fields: fields}
	}
	return nil
}

// decodeValue decodes raw into v; limit is v's field's, for arrays.
func decodeValue(raw json.RawMessage, v reflect.Value, path string, limit services.FieldLimit, errs *[]services.FieldError) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return
	}
	switch {
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		decodeValue(raw, v.Elem(), path, limit, errs)
	case v.Kind() == reflect.Struct:
		decodeObject(raw, v, path, errs)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		decodeArray(raw, v, path, limit, errs)
	default:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			*errs = append(*errs, services.FieldError{Field: fieldName(path), Reason: services.ReasonInvalidType, Message: "must be " + jsonKind(v.Type())})
			return
		}
		switch {
		case v.Kind() != reflect.String:
		case strings.ContainsRune(v.String(), 0):
			// No bank field holds a NUL, and PostgreSQL text cannot.
			*errs = append(*errs, services.FieldError{Field: fieldName(path), Reason: services.ReasonInvalidValue, Message: "must not contain the NUL character (\\u0000)"})
		case strings.ContainsRune(v.String(), utf8.RuneError) && !sentReplacementChar(raw):
			// encoding/json turns an unpaired surrogate escape (\ud800)
			// into U+FFFD: refused rather than stored changed.
			*errs = append(*errs, services.FieldError{Field: fieldName(path), Reason: services.ReasonInvalidValue, Message: "must not contain an unpaired surrogate (\\ud800 to \\udfff)"})
		}
	}
}

func decodeObject(raw json.RawMessage, v reflect.Value, path string, errs *[]services.FieldError) {
	members, ok := Members(raw)
	if !ok {
		*errs = append(*errs, services.FieldError{Field: fieldName(path), Reason: services.ReasonInvalidType, Message: "must be an object"})
		return
	}
	fields := structFields(v.Type())
	seen := make(map[int]bool)
	for _, m := range members {
		idx, ok := fields.lookup(m.Name)
		name := join(path, echoName(m.Name))
		switch {
		case !ok:
			*errs = append(*errs, services.FieldError{Field: name, Reason: services.ReasonUnknownField, Message: "is not a field of this method"})
		case seen[idx]:
			*errs = append(*errs, services.FieldError{Field: name, Reason: services.ReasonDuplicateField, Message: "is given more than once"})
		default:
			seen[idx] = true
			decodeValue(m.Value, v.Field(idx), join(path, fields.names[idx]), fields.limits[idx], errs)
		}
	}
}

// decodeArray decodes an array of objects; one with more items than its
// field allows is refused without decoding them.
func decodeArray(raw json.RawMessage, v reflect.Value, path string, limit services.FieldLimit, errs *[]services.FieldError) {
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		*errs = append(*errs, services.FieldError{Field: fieldName(path), Reason: services.ReasonInvalidType, Message: "must be an array"})
		return
	}
	if limit.Max > 0 && len(items) > limit.Max {
		*errs = append(*errs, services.ItemsError(fieldName(path), limit.Max))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, item := range items {
		decodeValue(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i), services.FieldLimit{}, errs)
	}
	v.Set(out)
}

// sentReplacementChar reports whether a JSON string holds U+FFFD as sent,
// raw or escaped, rather than as encoding/json's stand-in for an unpaired
// surrogate.
func sentReplacementChar(raw json.RawMessage) bool {
	return bytes.Contains(raw, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(raw), []byte(`\ufffd`))
}

// fieldSet is a struct's JSON field names, for case-insensitive lookup.
type fieldSet struct {
	names  []string // by field index; "" for fields not decoded
	limits []services.FieldLimit
	exact  map[string]int
	fold   map[string]int
}

func (f fieldSet) lookup(name string) (int, bool) {
	if i, ok := f.exact[name]; ok {
		return i, true
	}
	i, ok := f.fold[strings.ToLower(name)]
	return i, ok
}

var fieldCache sync.Map // reflect.Type -> fieldSet

func structFields(t reflect.Type) fieldSet {
	if f, ok := fieldCache.Load(t); ok {
		return f.(fieldSet)
	}
	f := fieldSet{names: make([]string, t.NumField()), limits: make([]services.FieldLimit, t.NumField()),
		exact: map[string]int{}, fold: map[string]int{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f.names[i], f.limits[i] = name, services.LimitOf(sf)
		f.exact[name] = i
		f.fold[strings.ToLower(name)] = i
	}
	fieldCache.Store(t, f)
	return f
}

// MaxEchoedName bounds a member name the client chose when an error names
// it (an unknown or repeated member), in bytes.
const MaxEchoedName = 64

// echoName is a member name as an error may show it: cut to MaxEchoedName
// bytes, on a character boundary, with "..." when cut.
func echoName(name string) string {
	return Truncate(name, MaxEchoedName)
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func fieldName(path string) string {
	if path == "" {
		return "payload"
	}
	return path
}

// jsonKind names the JSON type a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}

// FieldNames are the JSON member names of struct type t's fields, by field
// index; "" for fields not decoded.
func FieldNames(t reflect.Type) []string { return structFields(t).names }

// Truncate cuts s to at most n bytes of valid UTF-8, on a character
// boundary, ending in "..." when cut.
func Truncate(s string, n int) string {
	if len(s) <= n && utf8.ValidString(s) {
		return s
	}
	if len(s) > n {
		cut := n - len("...")
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
