package notify

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Console is the Sender for the "log" channel used in demos: it writes one
// line per message, code included, to a writer (the program's standard
// output, never the structured log), in the form
//
//	OTP requestId=<requestId> purpose=<purpose> channel=<channel> to=<MaskedTo> code=<code> expires=<RFC3339 UTC>
//
// Spaces and control characters in values are written as '_' so that each
// message stays on one line and ParseConsoleLine reads it back. Console is
// safe for concurrent use.
type Console struct {
	mu sync.Mutex
	w  io.Writer
}

var _ Sender = (*Console)(nil)

// NewConsole returns a Console writing to w.
func NewConsole(w io.Writer) *Console {
	return &Console{w: w}
}

// Send writes the message's line. It returns the context's error if ctx is
// done, or a retryable error if the write fails.
func (c *Console) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console send %d: %w", m.ID, err)
	}
	line := fmt.Sprintf("OTP requestId=%s purpose=%s channel=%s to=%s code=%s expires=%s\n",
		field(m.RequestID), field(m.Purpose), field(m.Channel), field(m.MaskedTo),
		field(m.Code), m.ExpiresAt.UTC().Format(time.RFC3339))
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, line); err != nil {
		return fmt.Errorf("console send %d: %w", m.ID, err)
	}
	return nil
}

// field makes a value safe for a space-separated key=value line.
func field(v string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, v)
}

// ParseConsoleLine reads back a line written by Console. ok is false unless
// the line is an OTP line with requestId, purpose and a non-empty code, each
// given once. Leading and trailing white space is ignored.
func ParseConsoleLine(line string) (requestID, purpose, code string, ok bool) {
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != "OTP" {
		return "", "", "", false
	}
	values := make(map[string]string, len(fields)-1)
	for _, f := range fields[1:] {
		key, value, found := strings.Cut(f, "=")
		if !found {
			return "", "", "", false
		}
		if _, dup := values[key]; dup {
			return "", "", "", false
		}
		values[key] = value
	}
	requestID, hasID := values["requestId"]
	purpose, hasPurpose := values["purpose"]
	code = values["code"]
	if !hasID || !hasPurpose || code == "" {
		return "", "", "", false
	}
	return requestID, purpose, code, true
}

// FindCode scans text line by line and returns the code of the last Console
// line for the given requestId and purpose.
func FindCode(text, requestID, purpose string) (string, bool) {
	var last string
	found := false
	for _, line := range strings.Split(text, "\n") {
		id, p, code, ok := ParseConsoleLine(line)
		if ok && id == requestID && p == purpose {
			last, found = code, true
		}
	}
	return last, found
}
