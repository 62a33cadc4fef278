package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/accountd/accountd/rpc/client"
)

// caller sends signed calls to one endpoint over a pool of connections.
type caller struct {
	url  string
	http *http.Client
	key  *client.KeyFile
	run  string         // the run's token, in every request id
	ids  *atomic.Uint64 // numbers the request ids, shared by the run's callers
}

// newCaller returns a caller of url that keeps up to conns connections and
// numbers its request ids from ids.
func newCaller(url string, key *client.KeyFile, run string, ids *atomic.Uint64, conns int, timeout time.Duration) *caller {
	tr := &http.Transport{
		Proxy:               nil, // the target is named: no proxy from the environment
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &caller{url: url, key: key, run: run, ids: ids, http: &http.Client{Transport: tr, Timeout: timeout}}
}

// close drops the caller's idle connections.
func (c *caller) close() { c.http.CloseIdleConnections() }

// outcome is how a call ended: code is "" for the call's success, else a
// JSON-RPC error code ("-32004"), "HTTP 503" for an HTTP refusal without
// one, "transport" when no answer came, or "bad response".
type outcome struct {
	code   string
	result json.RawMessage
	err    error // what went wrong, for the setup phase's messages
}

// envelope builds and signs a call: each gets its own request id, its own
// timestamp and so its own ACCOUNTD-V2 signature.
func (c *caller) envelope(m Method, payload []byte) ([]byte, error) {
	n := c.ids.Add(1)
	id := strconv.AppendQuote(nil, "load-"+c.run+"-"+strconv.FormatUint(n, 36))
	return c.key.Envelope(m.RPC, id, payload)
}

// post sends a signed body and reads how the call ended; expect is the
// error code that counts as success (0: a result).
func (c *caller) post(ctx context.Context, body []byte, expect int) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return outcome{code: "transport", err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return outcome{code: "transport", err: err}
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return outcome{code: "transport", err: err}
	}
	var r client.Response
	switch {
	case json.Unmarshal(raw, &r) != nil:
		if resp.StatusCode != http.StatusOK {
			return outcome{code: "HTTP " + strconv.Itoa(resp.StatusCode), err: fmt.Errorf("HTTP %d", resp.StatusCode)}
		}
		return outcome{code: "bad response", err: errors.New("the answer is not a JSON-RPC response")}
	case r.Error != nil && r.Error.Code == expect:
		return outcome{}
	case r.Error != nil:
		return outcome{code: strconv.Itoa(r.Error.Code), err: fmt.Errorf("JSON-RPC error %d: %s", r.Error.Code, r.Error.Message)}
	case expect != 0 || r.Result == nil:
		return outcome{code: "bad response", err: errors.New("the answer has no error where one was expected, or no result")}
	}
	return outcome{result: r.Result}
}

// must makes one call of the setup phase and reads its result into out.
func (c *caller) must(ctx context.Context, method string, payload []byte, out any) error {
	m := Method{RPC: method}
	body, err := c.envelope(m, payload)
	if err != nil {
		return err
	}
	o := c.post(ctx, body, 0)
	if o.code != "" {
		return fmt.Errorf("%s: %w", method, o.err)
	}
	return decodeResult(o.result, out)
}
