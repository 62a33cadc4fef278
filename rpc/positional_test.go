package rpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
)

// positionalBody is a request whose params are [api, payload], the payload
// signed as the exact bytes given.
func positionalBody(t *testing.T, key *client.KeyFile, method, id string, payload string, extra ...string) []byte {
	t.Helper()
	ts := key.Timestamp()
	sig, err := key.SignV2(method, json.RawMessage(id), ts, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	api, _ := json.Marshal(client.API{KeyID: key.KeyID, Credential: key.Credential, Signature: sig, Timestamp: ts})
	params := string(api) + "," + payload
	for _, e := range extra {
		params += "," + e
	}
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","method":%q,"id":%s,"params":[%s]}`, method, id, params)
}

// TestPositionalParams: params by position, [api, payload], mean what
// {"api": ..., "payload": ...} means, as generated OpenRPC clients send them;
// and the method's name in the OpenRPC document (AccountService_GetDetails)
// is the method, signed as sent.
func TestPositionalParams(t *testing.T) {
	s := newServer(t, rpc.Options{})
	_, number := s.seed(s.alpha, "123450001", "pos@example.com")
	payload := fmt.Sprintf(`{"accountId":%q}`, number)
	pretty := fmt.Sprintf("{ \"accountId\" : %q }", number)
	tests := []struct {
		name       string
		body       []byte
		wantCode   int    // 0: a result
		wantReason string // the error's data.reason
	}{
		{"by position", positionalBody(t, s.alpha, "AccountService.GetDetails", `"p1"`, payload), 0, ""},
		{"by position, payload bytes as sent", positionalBody(t, s.alpha, "AccountService.GetDetails", `"p2"`, pretty), 0, ""},
		{"one item", []byte(`{"jsonrpc":"2.0","method":"AccountService.GetDetails","id":"p3","params":[{"keyId":"k_x","credential":"c"}]}`), rpc.CodeInvalidParams, "INVALID_PARAMS"},
		{"three items", positionalBody(t, s.alpha, "AccountService.GetDetails", `"p4"`, payload, `{}`), rpc.CodeInvalidParams, "INVALID_PARAMS"},
		{"empty", []byte(`{"jsonrpc":"2.0","method":"AccountService.GetDetails","id":"p5","params":[]}`), rpc.CodeInvalidParams, "INVALID_PARAMS"},
		{"api not an object", []byte(`{"jsonrpc":"2.0","method":"AccountService.GetDetails","id":"p6","params":["k",{}]}`), rpc.CodeInvalidParams, "INVALID_PARAMS"},
		{"api without a key", []byte(`{"jsonrpc":"2.0","method":"AccountService.GetDetails","id":"p9","params":[{},{}]}`), rpc.CodeUnauthenticated, "UNAUTHENTICATED"},
		{"by document name", positionalBody(t, s.alpha, "AccountService_GetDetails", `"p10"`, payload), 0, ""},
		{"document name, signed as the dotted name", func() []byte {
			b := positionalBody(t, s.alpha, "AccountService.GetDetails", `"p11"`, payload)
			return bytes.Replace(b, []byte(`"AccountService.GetDetails"`), []byte(`"AccountService_GetDetails"`), 1)
		}(), rpc.CodeInvalidSignature, "INVALID_SIGNATURE"},
		{"unknown document name", positionalBody(t, s.alpha, "AccountService_Nothing", `"p12"`, payload), rpc.CodeMethodNotFound, "METHOD_NOT_FOUND"},
		{"payload not an object", positionalBody(t, s.alpha, "AccountService.GetDetails", `"p7"`, `[1]`), rpc.CodeInvalidParams, "INVALID_PARAMS"},
		{"signed over other bytes", func() []byte {
			b := positionalBody(t, s.alpha, "AccountService.GetDetails", `"p8"`, payload)
			return []byte(string(b[:len(b)-3]) + " }]}") // the payload is no longer the bytes signed
		}(), rpc.CodeInvalidSignature, "INVALID_SIGNATURE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.post(tt.body)
			r, e := errorOf(t, body)
			switch {
			case tt.wantCode == 0 && (e != nil || status != http.StatusOK):
				t.Fatalf("HTTP %d %s, want a result", status, body)
			case tt.wantCode == 0:
				var got struct{ AccountID string }
				if err := json.Unmarshal(r.Result, &got); err != nil || got.AccountID != number {
					t.Fatalf("result %s, want account %s", r.Result, number)
				}
			case e == nil || e.Code != tt.wantCode || e.Data == nil || e.Data.Reason != tt.wantReason:
				t.Fatalf("got %s, want code %d reason %s", body, tt.wantCode, tt.wantReason)
			}
		})
	}
}

// TestJSONRPCContentType: application/json-rpc is accepted as
// application/json is.
func TestJSONRPCContentType(t *testing.T) {
	s := newServer(t, rpc.Options{})
	_, number := s.seed(s.alpha, "123450002", "ct@example.com")
	for _, ct := range []string{"application/json-rpc", "application/json-rpc; charset=utf-8", "application/json"} {
		body, err := s.alpha.Envelope("AccountService.GetDetails", json.RawMessage(`"ct"`), fmt.Appendf(nil, `{"accountId":%q}`, number))
		if err != nil {
			t.Fatal(err)
		}
		status, resp, err := s.client.Send(context.Background(), http.MethodPost, ct, body)
		if err != nil {
			t.Fatal(err)
		}
		if r, e := errorOf(t, resp); status != http.StatusOK || e != nil || len(r.Result) == 0 {
			t.Errorf("Content-Type %s: HTTP %d %s, want a result", ct, status, resp)
		}
	}
	status, _, _ := s.client.Send(context.Background(), http.MethodPost, "application/json-rpc; charset=latin1", []byte(`{}`))
	if status != http.StatusUnsupportedMediaType {
		t.Errorf("application/json-rpc in latin1: HTTP %d, want 415", status)
	}
}
