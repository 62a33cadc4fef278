package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/accountd/accountd/rpc/client"

	"github.com/accountd/accountd/config"
)

// runCall builds and signs an envelope; `call` posts it and prints the
// response, `sign` prints the envelope for use with curl.
func runCall(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, send bool) error {
	name := map[bool]string{true: "call", false: "sign"}[send]
	fs := newFlags(name, stderr)
	keyFile := fs.String("key", "", "key file written by `accountd keys create`")
	url := fs.String("url", "", "endpoint (default http://<server.addr>/jsonrpc)")
	id := fs.String("id", "", "request id (default: a new random id)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 || *keyFile == "" {
		return usageError{msg: fmt.Sprintf("usage: accountd %s METHOD [PAYLOAD_FILE|-] --key FILE", name)}
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return err
	}
	key, err := client.LoadKeyFile(*keyFile)
	if err != nil {
		return err
	}
	if clockOverride != nil {
		key.Now = clockOverride.Now // a test's server clock
	}
	payload, err := readPayload(fs.Arg(1), stdin)
	if err != nil {
		return err
	}
	reqID := *id
	if reqID == "" {
		reqID = newRequestID()
	}
	idJSON, _ := json.Marshal(reqID)
	body, err := key.Envelope(fs.Arg(0), idJSON, payload)
	if err != nil {
		return err
	}
	if !send {
		fmt.Fprintln(stdout, string(body))
		return nil
	}
	if *url == "" {
		*url = defaultURL(cfg.Server.Addr)
	}
	rpcClient := &client.Client{URL: *url, HTTP: &http.Client{Timeout: 60 * time.Second}}
	status, respBody, err := rpcClient.Post(ctx, body)
	if err != nil {
		return err
	}
	return printResponse(stdout, status, respBody)
}

// readPayload reads the payload from a file, from stdin for "-", or is an
// empty object when no file is named.
func readPayload(name string, stdin io.Reader) ([]byte, error) {
	var b []byte
	var err error
	switch name {
	case "":
		return []byte("{}"), nil
	case "-":
		b, err = io.ReadAll(stdin)
	default:
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read payload: %w", err)
	}
	if !json.Valid(b) {
		return nil, errors.New("the payload is not valid JSON")
	}
	return b, nil
}

func printResponse(stdout io.Writer, status int, body []byte) error {
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") == nil {
		body = pretty.Bytes()
	}
	if len(body) > 0 {
		fmt.Fprintln(stdout, string(body))
	}
	var resp client.Response
	switch {
	case status == http.StatusNoContent:
		return nil
	case status != http.StatusOK:
		return fmt.Errorf("HTTP %d", status)
	case json.Unmarshal(body, &resp) == nil && resp.Error != nil:
		return fmt.Errorf("JSON-RPC error %d: %s", resp.Error.Code, resp.Error.Message)
	}
	return nil
}

// defaultURL is the endpoint of a server listening on addr.
func defaultURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/jsonrpc"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/jsonrpc"
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail
	return "cli-" + hex.EncodeToString(b)
}
