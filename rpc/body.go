package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accountd/accountd/rpc/frontdoor"
)

const (
	// bodyChunk is the unit in which bodies are read and reserved. The
	// first chunk of every body is not counted against the budget, so that
	// small calls never wait behind large, slow bodies.
	bodyChunk = 64 << 10
	// firstChunk is the first allocation of a body of unknown or larger
	// size.
	firstChunk = 4 << 10
	// budgetWait is how long a read waits for budget before HTTP 503.
	budgetWait = time.Second
)

var (
	errTooLarge = errors.New("request body too large")
	errNoBudget = errors.New("request-body budget exhausted")
)

// bodyReader reads one request body in chunks, reserving each chunk after
// the first from the budget before allocating it.
type bodyReader struct {
	ctx      context.Context
	src      io.Reader
	length   int64 // the announced Content-Length; -1 when not announced
	budget   *frontdoor.BodyBudget
	chunks   [][]byte
	n        int64 // bytes read
	alloc    int64 // bytes allocated
	reserved int64 // bytes taken from the budget
	eof      bool
}

// fill reads until the body holds limit bytes or has ended.
func (b *bodyReader) fill(limit int64) error {
	for b.n < limit && !b.eof {
		if b.length >= 0 && b.n >= b.length {
			b.eof = true // net/http reads no further than Content-Length
			break
		}
		c, err := b.room(limit)
		if err != nil {
			return err
		}
		m, err := b.src.Read(c[len(c):cap(c)])
		b.chunks[len(b.chunks)-1] = c[:len(c)+m]
		b.n += int64(m)
		switch {
		case errors.Is(err, io.EOF):
			b.eof = true
		case err != nil:
			return err
		}
	}
	return nil
}

// room returns the last chunk if it has room, or a new one.
func (b *bodyReader) room(limit int64) ([]byte, error) {
	if k := len(b.chunks); k > 0 && len(b.chunks[k-1]) < cap(b.chunks[k-1]) {
		return b.chunks[k-1], nil
	}
	size := min(bodyChunk, limit-b.n)
	if b.length >= 0 {
		size = min(size, b.length-b.n)
	}
	if b.alloc < bodyChunk {
		// The free first 64 KiB grow with what arrives (4, 4, 8, 16 and
		// 32 KiB), so that a sender that sends little holds little.
		size = min(size, max(firstChunk, b.alloc), bodyChunk-b.alloc)
	}
	charge := size
	if b.alloc < bodyChunk {
		charge = max(0, b.alloc+size-bodyChunk)
	}
	if charge > 0 && !b.budget.Reserve(b.ctx, charge, budgetWait) {
		return nil, errNoBudget
	}
	b.reserved += charge
	b.alloc += size
	c := make([]byte, 0, size)
	b.chunks = append(b.chunks, c)
	return c, nil
}

// prefix is the first n bytes read (fewer if fewer were read).
func (b *bodyReader) prefix(n int) []byte {
	var out []byte
	for _, c := range b.chunks {
		if len(out)+len(c) >= n {
			return append(out, c[:n-len(out)]...)
		}
		out = append(out, c...)
	}
	return out
}

// bytes is the whole body, in one allocation of its exact size.
func (b *bodyReader) bytes() []byte {
	switch len(b.chunks) {
	case 0:
		return nil
	case 1:
		return b.chunks[0]
	}
	out := make([]byte, 0, b.n)
	for _, c := range b.chunks {
		out = append(out, c...)
	}
	b.chunks = nil
	return out
}

// readBody reads the request body under the rules below and returns it
// with the bytes it holds of the budget, to be released once the response
// is written. On a refusal it has answered the request.
//
// A body of at most server.max_body_bytes is read. A larger one is read
// further only when its first 64 KiB show a single request to a picture
// upload method whose key authenticates and may call it, with method and
// params.api before params.payload; then up to server.max_upload_body_bytes.
// Until then the request holds one of its address's places
// (server.max_unauthenticated_per_ip).
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int64, bool) {
	addr := frontdoor.HostOf(r.RemoteAddr)
	release, ok := h.perAddr.Acquire(addr)
	if !ok {
		h.busy(w, "TOO_MANY_UNAUTHENTICATED", fmt.Sprintf("this address has %d requests whose body is still being read; retry after %d s",
			h.opts.MaxUnauthenticatedPerIP, retryAfterSeconds))
		return nil, 0, false
	}
	defer release()
	rd := &bodyReader{ctx: r.Context(), src: r.Body, length: r.ContentLength, budget: h.budget}
	err := h.readWithin(rd, release)
	switch {
	case err == nil:
		return rd.bytes(), rd.reserved, true
	case errors.Is(err, errTooLarge):
		if !rd.eof {
			w.Header().Set("Connection", "close")
		}
		h.httpError(w, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", h.tooLarge())
	case errors.Is(err, errNoBudget):
		h.busy(w, "SERVER_BUSY", fmt.Sprintf("the server is reading as many request bodies as it may hold; retry after %d s", retryAfterSeconds))
	default:
		// A body cut short or too slow: say so, rather than an empty 200.
		w.Header().Set("Connection", "close")
		h.httpError(w, http.StatusBadRequest, "INCOMPLETE_BODY", "the request body could not be read in full")
	}
	return nil, rd.reserved, false
}

// readWithin reads rd under the body limits; authenticated is called once
// an oversized body's key has authenticated.
func (h *Handler) readWithin(rd *bodyReader, authenticated func()) error {
	limit, upload := h.opts.MaxBodyBytes, h.uploadLimit()
	if rd.length <= limit {
		if err := rd.fill(limit + 1); err != nil || rd.n <= limit {
			return err
		}
	}
	if upload <= limit {
		return errTooLarge
	}
	if err := rd.fill(min(bodyChunk, upload+1)); err != nil {
		return err
	}
	if !h.mayReadUpload(rd.ctx, rd.prefix(bodyChunk)) {
		return errTooLarge
	}
	authenticated()
	if err := rd.fill(upload + 1); err != nil {
		return err
	}
	if rd.n > upload {
		return errTooLarge
	}
	return nil
}

func (h *Handler) uploadLimit() int64 { return max(h.opts.MaxBodyBytes, h.opts.MaxUploadBodyBytes) }

// tooLarge is the detail of a 413.
func (h *Handler) tooLarge() string {
	msg := fmt.Sprintf("the body exceeds %d bytes", h.opts.MaxBodyBytes)
	if limit := h.uploadLimit(); limit > h.opts.MaxBodyBytes {
		msg += fmt.Sprintf(" (%d for a single request to %s by a key that may call it, with method and params.api before params.payload, or params by position)",
			limit, strings.Join(uploadMethods(), " or "))
	}
	return msg
}

// mayReadUpload reports whether the start of an oversized body is a single
// request to a picture-upload method by a key that authenticates and may
// call it.
func (h *Handler) mayReadUpload(ctx context.Context, prefix []byte) bool {
	head, ok := readHead(prefix)
	method := canonicalMethod(head.method) // Service.Method or Service_Method
	if !ok || !methodTable[method].upload {
		return false
	}
	id, err := h.auth.Authenticate(ctx, head.keyID, head.credential)
	return err == nil && id.Allows(method)
}

// apiHead is what readHead takes from params.api.
type apiHead struct {
	KeyID      string `json:"keyId"`
	Credential string `json:"credential"`
}

// bodyHead is what the start of a body says about the request.
type bodyHead struct{ method, keyID, credential string }

// readHead reads, from the start of a body, a single request's method and
// params.api, which must all come before params.payload (by name), or be
// params' first item (by position).
func readHead(prefix []byte) (bodyHead, bool) {
	var head bodyHead
	if !utf8.Valid(completeRunes(prefix)) {
		return head, false
	}
	dec := json.NewDecoder(bytes.NewReader(prefix))
	if !openObject(dec) {
		return head, false
	}
	for dec.More() {
		name, ok := memberName(dec)
		switch {
		case !ok:
			return head, false
		case name == "method":
			if dec.Decode(&head.method) != nil {
				return head, false
			}
		case name == "params":
			return head, head.method != "" && readAPIHead(dec, &head)
		case !skipValue(dec):
			return head, false
		}
	}
	return head, false
}

// readAPIHead reads params up to its payload: {"api": ..., "payload": ...}
// or [api, payload].
func readAPIHead(dec *json.Decoder, head *bodyHead) bool {
	t, err := dec.Token()
	switch {
	case err != nil:
		return false
	case t == json.Delim('['):
		var api apiHead
		if !dec.More() || dec.Decode(&api) != nil {
			return false
		}
		head.keyID, head.credential = api.KeyID, api.Credential
		return head.keyID != "" && head.credential != "" && dec.More()
	case t != json.Delim('{'):
		return false
	}
	for dec.More() {
		name, ok := memberName(dec)
		switch {
		case !ok:
			return false
		case name == "api":
			var api apiHead
			if dec.Decode(&api) != nil {
				return false
			}
			head.keyID, head.credential = api.KeyID, api.Credential
		case name == "payload":
			return head.keyID != "" && head.credential != ""
		case !skipValue(dec):
			return false
		}
	}
	return false
}

func openObject(dec *json.Decoder) bool {
	t, err := dec.Token()
	return err == nil && t == json.Delim('{')
}

func memberName(dec *json.Decoder) (string, bool) {
	t, err := dec.Token()
	name, isString := t.(string)
	return name, err == nil && isString
}

func skipValue(dec *json.Decoder) bool {
	var v json.RawMessage
	return dec.Decode(&v) == nil
}

// completeRunes is b without a rune cut short at its end.
func completeRunes(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}
