package partner

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"time"

	"github.com/accountd/accountd/services"
)

// Signature forms a key accepts (APIKey.Signature).
const (
	// SignatureV2 accepts only ACCOUNTD-V2: one signature over the method,
	// the request id, a timestamp and the payload. New keys get it.
	SignatureV2 = "V2"
	// SignatureNetXD also accepts NetXD's payload-only signature, for
	// partners whose software cannot change. A captured request signed that
	// way can be sent again under a new id: keys that allow it are flagged.
	SignatureNetXD = "NETXD"
)

// SignaturePolicies lists the signature forms a key can be given.
var SignaturePolicies = []string{SignatureV2, SignatureNetXD}

// V2Tag is the first line of the message an ACCOUNTD-V2 signature covers.
const V2Tag = "ACCOUNTD-V2"

// TimestampLayout is how clients write params.api.timestamp: RFC 3339 in
// UTC with milliseconds. Zero to nine fraction digits are accepted.
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// maxSignatureLength bounds params.api.signature before it is decoded: a
// P-256 signature is at most 72 bytes of DER, 96 Base64 characters.
const maxSignatureLength = 200

// maxTimestampLength bounds params.api.timestamp (RFC 3339 with nanoseconds
// is 30 characters).
const maxTimestampLength = 40

// SignedRequest is what a request's signature covers.
type SignedRequest struct {
	// Method is the method's string value (a known method name).
	Method string
	// ID is the id member's JSON text exactly as it stands in the body
	// ("abc" with its quotes, 42); nil when the request has no id.
	ID []byte
	// Timestamp is params.api.timestamp's string value; nil selects
	// NetXD's payload-only form.
	Timestamp *string
	// Payload is the exact bytes of params.payload.
	Payload   []byte
	Signature string
}

// V2 reports whether the request uses the ACCOUNTD-V2 signature.
func (r SignedRequest) V2() bool { return r.Timestamp != nil }

// V2Message returns the bytes an ACCOUNTD-V2 signature covers:
// ACCOUNTD-V2 LF method LF id LF timestamp LF payload.
func V2Message(method string, id []byte, timestamp string, payload []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(V2Tag) + len(method) + len(id) + len(timestamp) + len(payload) + 4)
	b.WriteString(V2Tag)
	b.WriteByte('\n')
	b.WriteString(method)
	b.WriteByte('\n')
	b.Write(id)
	b.WriteByte('\n')
	b.WriteString(timestamp)
	b.WriteByte('\n')
	b.Write(payload)
	return b.Bytes()
}

// reTimestamp is the shape of params.api.timestamp: RFC 3339 in UTC with an
// upper-case T and Z and up to nine fraction digits.
var reTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$`)

// ParseTimestamp reads params.api.timestamp: RFC 3339 in UTC, upper-case T
// and Z, up to nine fraction digits (a leap second :60 is refused: use a
// smeared clock). It fails with a *ValidationError naming the field.
func ParseTimestamp(s string) (time.Time, error) {
	bad := &services.ValidationError{Fields: []services.FieldError{{Field: "params.api.timestamp", Reason: services.ReasonInvalidFormat,
		Message: "must be RFC 3339 in UTC, e.g. 2026-12-07T10:15:30.123Z"}}}
	if len(s) > maxTimestampLength || !reTimestamp.MatchString(s) {
		return time.Time{}, bad
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, bad
	}
	return t, nil
}

// Details of refused signatures, for integrators.
const (
	v2Required = "this key requires the ACCOUNTD-V2 signature: add params.api.timestamp and sign " +
		"ACCOUNTD-V2 LF method LF id LF timestamp LF payload"
	v2Mismatch = "the signature does not verify over ACCOUNTD-V2 LF method LF id LF timestamp LF payload " +
		"(the id as its JSON text, the payload's exact bytes)"
)

// verifyRequest checks req's signature with pub under policy at now: an
// ACCOUNTD-V2 timestamp must lie within maxSkew of now. It fails with a
// *ValidationError for a malformed timestamp, ErrTimestampOutOfWindow or
// ErrInvalidSignature (also for a payload-only signature with a key that
// needs V2).
func verifyRequest(pub *ecdsa.PublicKey, policy string, req SignedRequest, now time.Time, maxSkew time.Duration) error {
	if !req.V2() {
		if policy != SignatureNetXD {
			return fmt.Errorf("verify signature: %w", &services.Refusal{Err: services.ErrInvalidSignature, Detail: v2Required})
		}
		return VerifyPayload(pub, req.Payload, req.Signature)
	}
	ts, err := ParseTimestamp(*req.Timestamp)
	if err != nil {
		return fmt.Errorf("verify signature: %w", err)
	}
	if skew := now.Sub(ts); skew > maxSkew || skew < -maxSkew {
		return fmt.Errorf("verify signature: %w", &services.Refusal{Err: services.ErrTimestampOutOfWindow,
			Detail: fmt.Sprintf("the server's time is %s; params.api.timestamp must be within %s of it",
				now.UTC().Format(TimestampLayout), maxSkew)})
	}
	sig, err := decodeSignature(req.Signature)
	if err != nil {
		return err
	}
	if !verifyDigest(pub, v2Digest(req.Method, req.ID, *req.Timestamp, req.Payload), sig) {
		return fmt.Errorf("verify signature: %w", &services.Refusal{Err: services.ErrInvalidSignature, Detail: v2Mismatch})
	}
	return nil
}

// VerifyPayload checks NetXD's payload-only signature: the Base64 of an
// ECDSA P-256/SHA-256 signature over payload, the exact bytes of
// params.payload as they stand in the request. The signature may be ASN.1
// DER (Java's SHA256withECDSA, Go's ecdsa.SignASN1) or the raw 64-byte r||s
// form (WebCrypto). If the exact bytes do not verify, the payload with
// insignificant whitespace removed is tried. Anything else fails with
// ErrInvalidSignature.
func VerifyPayload(pub *ecdsa.PublicKey, payload []byte, signature string) error {
	sig, err := decodeSignature(signature)
	if err != nil {
		return err
	}
	if pub == nil {
		return fmt.Errorf("verify signature: no key: %w", services.ErrInvalidSignature)
	}
	if VerifySignature(pub, payload, sig) {
		return nil
	}
	var compact bytes.Buffer
	if json.Compact(&compact, payload) == nil && compact.Len() != len(payload) && VerifySignature(pub, compact.Bytes(), sig) {
		return nil
	}
	return fmt.Errorf("verify signature: %w", services.ErrInvalidSignature)
}

// decodeSignature reads params.api.signature; it fails with
// ErrInvalidSignature when it is missing or not Base64.
func decodeSignature(signature string) ([]byte, error) {
	switch {
	case signature == "":
		return nil, fmt.Errorf("verify signature: missing: %w", services.ErrInvalidSignature)
	case len(signature) > maxSignatureLength:
		return nil, fmt.Errorf("verify signature: too long: %w", services.ErrInvalidSignature)
	}
	sig, err := decodeBase64(signature)
	if err != nil {
		return nil, fmt.Errorf("verify signature: not Base64: %w", services.ErrInvalidSignature)
	}
	return sig, nil
}

// VerifySignature reports whether sig (DER or raw r||s) is pub's signature of
// the SHA-256 digest of msg.
func VerifySignature(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	return verifyDigest(pub, sha256.Sum256(msg), sig)
}

// v2Digest is the SHA-256 of V2Message, hashed part by part rather than
// copying the payload (up to an upload's megabytes) into one message.
func v2Digest(method string, id []byte, timestamp string, payload []byte) [sha256.Size]byte {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(V2Tag), []byte(method), id, []byte(timestamp)} {
		h.Write(part)
		h.Write([]byte{'\n'})
	}
	h.Write(payload)
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}

// verifyDigest reports whether sig (DER or raw r||s) is pub's signature of
// digest.
func verifyDigest(pub *ecdsa.PublicKey, digest [sha256.Size]byte, sig []byte) bool {
	if pub == nil {
		return false
	}
	if ecdsa.VerifyASN1(pub, digest[:], sig) {
		return true
	}
	if len(sig) == 64 {
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(pub, digest[:], r, s)
	}
	return false
}

// decodeBase64 accepts standard Base64, padded or not, and its URL-safe
// variant.
func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not Base64")
}
