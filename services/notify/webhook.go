package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook request headers.
const (
	HeaderTimestamp      = "X-Accountd-Timestamp"
	HeaderSignature      = "X-Accountd-Signature"
	HeaderIdempotencyKey = "Idempotency-Key"
)

const (
	signaturePrefix = "sha256="
	defaultTimeout  = 10 * time.Second
)

// Webhook is the Sender that POSTs each message as JSON to a gateway, signed
// with HMAC-SHA256 (see Sign). Redirects are not followed: a 3xx answer is a
// retryable failure, so a gateway cannot turn the signed POST into a GET.
type Webhook struct {
	url    string
	host   string // for error texts; empty when url is unusable
	secret []byte
	client *http.Client

	// Now is the clock for the timestamp header; nil means time.Now.
	Now func() time.Time
}

var _ Sender = (*Webhook)(nil)

// NewWebhook returns a Webhook posting to rawURL, signing with secret. A nil
// client means a client with a 10 second timeout; a given client is copied so
// that redirects can be refused without changing it.
func NewWebhook(rawURL, secret string, client *http.Client) *Webhook {
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	w := &Webhook{url: rawURL, secret: []byte(secret), client: &c}
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
		w.host = u.Host
	}
	return w
}

// webhookBody is the JSON the gateway receives.
type webhookBody struct {
	MessageID int64  `json:"messageId"`
	RequestID string `json:"requestId"`
	Channel   string `json:"channel"`
	To        string `json:"to"`
	Purpose   string `json:"purpose"`
	Code      string `json:"code"`
	Text      string `json:"text"`
	ExpiresAt string `json:"expiresAt"`
}

// Send posts the message. A 2xx answer means delivered. It returns an error
// wrapping ErrPermanent for a 4xx answer other than 408 and 429 and for an
// unusable URL; any other answer, a timeout or a connection failure is a
// retryable error. Error texts name the message id, the URL host and the
// status only.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	if w.host == "" {
		return fmt.Errorf("webhook send %d: invalid url: %w", m.ID, ErrPermanent)
	}
	req, err := w.newRequest(ctx, m)
	if err != nil {
		return fmt.Errorf("webhook send %d to %s: build request: %w", m.ID, w.host, ErrPermanent)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return &transportError{id: m.ID, host: w.host, err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // lets the connection be reused

	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		return fmt.Errorf("webhook send %d to %s: status %d: %w", m.ID, w.host, code, ErrPermanent)
	default:
		return fmt.Errorf("webhook send %d to %s: status %d", m.ID, w.host, code)
	}
}

// newRequest builds the signed POST for m.
func (w *Webhook) newRequest(ctx context.Context, m Message) (*http.Request, error) {
	body, err := json.Marshal(webhookBody{
		MessageID: m.ID,
		RequestID: m.RequestID,
		Channel:   m.Channel,
		To:        m.To,
		Purpose:   m.Purpose,
		Code:      m.Code,
		Text:      m.Text,
		ExpiresAt: m.ExpiresAt.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, signWith(w.secret, ts, body))
	req.Header.Set(HeaderIdempotencyKey, strconv.FormatInt(m.ID, 10))
	return req, nil
}

// transportError is a retryable failure before any answer arrived. Its text
// is safe to log: the cause (which may carry the full URL) is unwrapped but
// not printed.
type transportError struct {
	id   int64
	host string
	err  error
}

func (e *transportError) Error() string {
	reason := "connection failed"
	var ne net.Error
	switch {
	case errors.Is(e.err, context.Canceled):
		reason = "canceled"
	case errors.Is(e.err, context.DeadlineExceeded), errors.As(e.err, &ne) && ne.Timeout():
		reason = "timeout"
	}
	return fmt.Sprintf("webhook send %d to %s: %s", e.id, e.host, reason)
}

func (e *transportError) Unwrap() error {
	var ue *url.Error
	if errors.As(e.err, &ue) {
		return ue.Err
	}
	return e.err
}

// Sign returns the X-Accountd-Signature header value for a request:
// "sha256=" followed by the hex HMAC-SHA256, keyed with secret, of
// timestamp + "." + body.
func Sign(secret, timestamp string, body []byte) string {
	return signWith([]byte(secret), timestamp, body)
}

func signWith(secret []byte, timestamp string, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret []byte, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(timestamp))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}

// Verify reports whether signature, an X-Accountd-Signature header value,
// is the signature of timestamp and body under secret. The comparison takes
// constant time. Receivers should also reject timestamps far from their own
// clock, which Verify does not check.
func Verify(secret, timestamp, signature string, body []byte) bool {
	hexMAC, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexMAC)
	if err != nil {
		return false
	}
	return hmac.Equal(got, mac([]byte(secret), timestamp, body))
}
