package services

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Size limits of payload strings, in characters, by kind of field. Every
// string field of a method's payload names its kind in a `size` tag
// (`json:"email" size:"email"`), and every array field its largest number
// of items in an `items` tag. CheckLimits enforces both: the transport's
// decoder runs it on every payload before the method runs, and every
// data-changing operation again before its transaction, so that no input
// reaches a query, storage or an answer unbounded, and both databases
// refuse long input alike.
const (
	maxIDLength          = 64  // IDs and numbers the server issued: customers, accounts, operations, packages
	MaxCodeLength        = 32  // enumerations, codes, currencies, countries, one-time codes, patterns
	maxDateLength        = 40  // dates (YYYYMMDD) and RFC 3339 timestamps
	maxNameLength        = 140 // personal, business and account names
	MaxAccountNameLength = 255 // an SME sub-account's whole name
	MaxAddressLineLength = 140
	MaxCityLength        = 80 // city and state
	MaxZipLength         = 16
	maxEmailLength       = 254 // RFC 5321's limit of a forward path
	MaxPhoneLength       = 32
	MaxDocumentLength    = 40 // identity document, registration and tax numbers
	maxUsernameLength    = 32
	MaxReasonLength      = 255 // free-text reasons
	MaxEvidenceLength    = 200 // a FATCA declaration's evidence
	MaxTokenLength       = 64  // a device id or channel name given for information
)

// DefaultMaxLength bounds a string field whose type declares no size, and
// DefaultMaxItems an array field without an items tag.
const (
	DefaultMaxLength = 256
	DefaultMaxItems  = 100
)

// SizePicture is the size of a field carrying a picture in Base64: it is
// bounded by the upload body limit and ekyc.max_picture_bytes, not here.
const SizePicture = "picture"

// sizeKinds maps a size tag to its limit in characters.
var sizeKinds = map[string]int{
	"id": maxIDLength, "code": MaxCodeLength, "date": maxDateLength, "name": maxNameLength,
	"accountName": MaxAccountNameLength, "addressLine": MaxAddressLineLength, "city": MaxCityLength,
	"zip": MaxZipLength, "email": maxEmailLength, "phone": MaxPhoneLength, "document": MaxDocumentLength,
	"username": maxUsernameLength, "reason": MaxReasonLength, "evidence": MaxEvidenceLength, "token": MaxTokenLength,
}

// FieldLimit is what a struct field's tags say about its size: Max is in
// characters for a string and in items for an array; 0 means unbounded
// here (a picture). Declared reports whether a tag gave it, rather than
// the default.
type FieldLimit struct {
	Max      int
	Declared bool
}

// LimitOf reads a struct field's size or items tag. A tag that names no
// known kind, or is not a positive number, is a programming error: it
// panics, and a test over every method's payload finds it.
func LimitOf(f reflect.StructField) FieldLimit {
	t := f.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		kind, ok := f.Tag.Lookup("size")
		switch {
		case !ok:
			return FieldLimit{Max: DefaultMaxLength}
		case kind == SizePicture:
			return FieldLimit{Declared: true}
		case sizeKinds[kind] == 0:
			panic(fmt.Sprintf("field %s: unknown size %q", f.Name, kind))
		}
		return FieldLimit{Max: sizeKinds[kind], Declared: true}
	case reflect.Slice, reflect.Array:
		tag, ok := f.Tag.Lookup("items")
		if !ok {
			return FieldLimit{Max: DefaultMaxItems}
		}
		n, err := strconv.Atoi(tag)
		if err != nil || n <= 0 {
			panic(fmt.Sprintf("field %s: items %q is not a positive number", f.Name, tag))
		}
		return FieldLimit{Max: n, Declared: true}
	}
	return FieldLimit{}
}

// CheckLimits checks every string and array of v, a payload struct or a
// pointer to one, against its field's limit, and returns a
// *ValidationError naming each field that is too long (reason TOO_LONG,
// with the limit in the message), or nil. Field names are JSON paths, as
// in "identification[1].value". It never echoes a value.
func CheckLimits(v any) error {
	var ck Checker
	ck.Limits(reflect.ValueOf(v), "")
	return ck.Err()
}

func (ck *Checker) Limits(v reflect.Value, path string) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i, f := range structLimits(t) {
			if f.name == "" {
				continue
			}
			ck.FieldLimit(v.Field(i), joinPath(path, f.name), f.limit)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			ck.Limits(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func (ck *Checker) FieldLimit(v reflect.Value, path string, limit FieldLimit) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		if limit.Max > 0 && TooLong(v.String(), limit.Max) {
			ck.fields = append(ck.fields, LengthError(path, limit.Max))
		}
	case reflect.Slice, reflect.Array:
		if limit.Max > 0 && v.Len() > limit.Max {
			ck.fields = append(ck.fields, ItemsError(path, limit.Max))
			return // its items are not looked at
		}
		ck.Limits(v, path)
	case reflect.Struct:
		ck.Limits(v, path)
	}
}

// LengthError is the error of a string field longer than max characters.
func LengthError(field string, max int) FieldError {
	return FieldError{Field: field, Reason: ReasonTooLong, Message: fmt.Sprintf("must be at most %d characters", max)}
}

// ItemsError is the error of an array field with more than max items.
func ItemsError(field string, max int) FieldError {
	return FieldError{Field: field, Reason: ReasonTooLong, Message: fmt.Sprintf("must have at most %d items", max)}
}

// tooLong reports whether s has more than max characters, without counting
// them when its length in bytes decides.
func TooLong(s string, max int) bool {
	switch {
	case len(s) <= max:
		return false
	case len(s) > utf8.UTFMax*max:
		return true
	}
	return utf8.RuneCountInString(s) > max
}

type limitedField struct {
	name  string // JSON name; "" for fields not decoded
	limit FieldLimit
}

var limitCache sync.Map // reflect.Type -> []limitedField

func structLimits(t reflect.Type) []limitedField {
	if f, ok := limitCache.Load(t); ok {
		return f.([]limitedField)
	}
	out := make([]limitedField, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out[i] = limitedField{name: name, limit: LimitOf(sf)}
	}
	limitCache.Store(t, out)
	return out
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
