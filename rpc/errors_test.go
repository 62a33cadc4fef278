package rpc

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/accountd/accountd/rpc/payload"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/otp"
)

func TestOTPOperationLimitError(t *testing.T) {
	err := fmt.Errorf("verify email or mobile: %w", &services.Refusal{Err: otp.ErrOTPOperationLimit,
		RetryAfter: 90*time.Second + time.Millisecond, Detail: "the next is allowed at 2026-11-21T11:00:00Z"})
	e := toError(err)
	if e.Code != 3013 || e.Data.Reason != "OTP_OPERATION_LIMIT" || e.Data.RetryAfterSeconds != 91 ||
		e.Data.Detail != "the next is allowed at 2026-11-21T11:00:00Z" {
		t.Errorf("got %d %+v, want 3013 OTP_OPERATION_LIMIT retrying after 91 s with the detail", e.Code, e.Data)
	}
}

func TestTruncateText(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "abc", 10, "abc"},
		{"exactly", "abcdefghij", 10, "abcdefghij"},
		{"cut", "abcdefghijk", 10, "abcdefg..."},
		// "ệ" is three bytes: a cut inside it moves back to its start.
		{"on a character boundary", "aaaaaệệ", 10, "aaaaa..."},
		{"invalid UTF-8 is replaced", "a\xffb", 10, "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := payload.Truncate(tt.in, tt.n)
			if got != tt.want || !utf8.ValidString(got) {
				t.Errorf("payload.Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestBoundedError(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	fields := make([]services.FieldError, 50)
	for i := range fields {
		fields[i] = services.FieldError{Field: long, Reason: services.ReasonUnknownField, Message: long}
	}
	in := &Error{Code: CodeInvalidParams, Message: long, Data: &ErrorData{Reason: "INVALID_PARAMS", Detail: long, Fields: fields}}
	got := bounded(in)
	if len(got.Message) > maxErrorText || len(got.Data.Detail) > maxErrorText || len(got.Data.Fields) != maxFieldErrors+1 {
		t.Fatalf("message %d, detail %d bytes, %d fields", len(got.Message), len(got.Data.Detail), len(got.Data.Fields))
	}
	for _, f := range got.Data.Fields[:maxFieldErrors] {
		if len(f.Field) > maxFieldName || len(f.Message) > maxFieldText {
			t.Fatalf("field %d bytes, message %d bytes", len(f.Field), len(f.Message))
		}
	}
	if last := got.Data.Fields[maxFieldErrors]; last.Reason != ReasonTooManyErrors || last.Message != "30 more bad fields are not listed" {
		t.Errorf("last field %+v", last)
	}
	if in.Data.Detail != long || len(in.Data.Fields) != 50 {
		t.Error("bounded changed the error it was given")
	}
	small := paramsError(services.FieldError{Field: "a", Reason: "REQUIRED"})
	if bounded(small) != small {
		t.Error("an error within the bounds was copied")
	}
}
