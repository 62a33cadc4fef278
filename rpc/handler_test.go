package rpc_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/partner"
)

// errorOf decodes a single JSON-RPC error response.
func errorOf(t *testing.T, body []byte) (client.Response, *rpc.Error) {
	t.Helper()
	var r client.Response
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("not a response object: %v: %s", err, body)
	}
	if r.JSONRPC != "2.0" {
		t.Fatalf("jsonrpc = %q in %s", r.JSONRPC, body)
	}
	return r, r.Error
}

func TestHTTPEnvelope(t *testing.T) {
	s := newServer(t, rpc.Options{MaxBodyBytes: 4096})
	ctx := context.Background()
	valid, _ := s.alpha.Envelope("AccountService.GetDetails", json.RawMessage(`"1"`), []byte(`{"accountId":"200982345048071"}`))
	big := []byte(`{"jsonrpc":"2.0","method":"x","id":1,"params":{"pad":"` + strings.Repeat("a", 5000) + `"}}`)
	tests := []struct {
		name, method, contentType string
		body                      []byte
		chunked                   bool
		wantStatus                int
		wantReason                string
	}{
		{"GET", http.MethodGet, "application/json", nil, false, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"PUT", http.MethodPut, "application/json", valid, false, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"text/plain", http.MethodPost, "text/plain", valid, false, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"no content type", http.MethodPost, "", valid, false, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"latin-1", http.MethodPost, "application/json; charset=latin1", valid, false, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"charset utf-8", http.MethodPost, "application/json; charset=UTF-8", valid, false, http.StatusOK, ""},
		{"too large", http.MethodPost, "application/json", big, false, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
		{"too large, chunked", http.MethodPost, "application/json", big, true, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(string(tt.body))
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, err := http.NewRequestWithContext(ctx, tt.method, s.url, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := s.client.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var r client.Response
			json.NewDecoder(resp.Body).Decode(&r) //nolint:errcheck // checked below
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantReason == "" {
				return
			}
			if r.Error == nil || r.Error.Code != rpc.CodeInvalidRequest || r.Error.Data.Reason != tt.wantReason {
				t.Fatalf("error %+v, want -32600 %s", r.Error, tt.wantReason)
			}
		})
	}
}

// TestBadInput sends what careless or hostile clients send; every request
// gets its code and reason, and the server keeps answering.
func TestBadInput(t *testing.T) {
	s := newServer(t, rpc.Options{})
	customerID, acct := s.seed(s.alpha, "123456789", "dave@example.com")
	revoked := s.newKey("alpha")
	if err := s.keys.RevokeKey(context.Background(), revoked.KeyID); err != nil {
		t.Fatal(err)
	}
	details := `{"accountId":"` + acct + `"}`
	ts := s.alpha.Timestamp()
	sign := func(k *client.KeyFile, method, id, b string) string {
		sig, _ := k.SignV2(method, json.RawMessage(id), ts, []byte(b))
		return sig
	}
	env := func(method, id, keyID, cred, sig, payload string) string {
		b, _ := client.EnvelopeWith(method, json.RawMessage(id), client.API{KeyID: keyID, Credential: cred, Signature: sig, Timestamp: ts}, []byte(payload))
		return string(b)
	}
	a := s.alpha
	longID := `{"type":"CCCD","number":"` + strings.Repeat("0", 900_000) + `"}`
	longDoc := `{"type":"INDIVIDUAL","firstName":"A","lastName":"B","DOB":"19800101","identification":[{"type":"NATIONAL_ID","value":"` +
		strings.Repeat("7", 3000) + `"}],"contact":{"email":"a@example.com"}}`
	tests := []struct {
		name       string
		body       string
		wantID     string
		wantCode   int
		wantReason string
		wantField  string
	}{
		{"malformed JSON", `{"jsonrpc":"2.0","method":`, "null", rpc.CodeParseError, "PARSE_ERROR", ""},
		{"empty body", ``, "null", rpc.CodeParseError, "PARSE_ERROR", ""},
		{"a number", `42`, "null", rpc.CodeInvalidRequest, "NOT_AN_OBJECT", ""},
		{"version 1.0", `{"jsonrpc":"1.0","method":"AccountService.GetDetails","id":"7"}`, `"7"`, rpc.CodeInvalidRequest, "INVALID_VERSION", ""},
		{"version as a number", `{"jsonrpc":2.0,"method":"AccountService.GetDetails","id":7}`, `7`, rpc.CodeInvalidRequest, "INVALID_VERSION", ""},
		{"id an object", `{"jsonrpc":"2.0","method":"AccountService.GetDetails","id":{"a":1}}`, "null", rpc.CodeInvalidRequest, "INVALID_ID", ""},
		{"id too long", `{"method":"AccountService.GetDetails","id":"` + strings.Repeat("x", 200) + `"}`, "null", rpc.CodeInvalidRequest, "INVALID_ID", ""},
		// NUL cannot be stored in PostgreSQL text: refused before any query.
		{"id with NUL", `{"method":"AccountService.GetDetails","id":"a\u0000b"}`, "null", rpc.CodeInvalidRequest, "INVALID_ID", ""},
		{"keyId with NUL", env("AccountService.GetDetails", `"n1"`, "k_\u0000x", a.Credential, sign(a, "AccountService.GetDetails", `"n1"`, details), details), `"n1"`, rpc.CodeUnauthenticated, "UNAUTHENTICATED", ""},
		{"payload string with an unpaired surrogate", env("CustomerService.GetCustomer", `"n3"`, a.KeyID, a.Credential, sign(a, "CustomerService.GetCustomer", `"n3"`, `{"customerNumber":"ab\ud800c"}`), `{"customerNumber":"ab\ud800c"}`), `"n3"`, rpc.CodeInvalidParams, "INVALID_PARAMS", "customerNumber:INVALID_VALUE"},
		{"payload string with U+FFFD as sent", env("CustomerService.GetCustomer", `"n4"`, a.KeyID, a.Credential, sign(a, "CustomerService.GetCustomer", `"n4"`, `{"customerNumber":"ab\ufffdc"}`), `{"customerNumber":"ab\ufffdc"}`), `"n4"`, 1001, "NOT_FOUND_CUSTOMER", ""},
		{"payload string with NUL", env("CustomerService.GetCustomer", `"n2"`, a.KeyID, a.Credential, sign(a, "CustomerService.GetCustomer", `"n2"`, `{"customerNumber":"ab\u0000c"}`), `{"customerNumber":"ab\u0000c"}`), `"n2"`, rpc.CodeInvalidParams, "INVALID_PARAMS", "customerNumber:INVALID_VALUE"},
		{"no method", `{"jsonrpc":"2.0","id":1}`, "1", rpc.CodeInvalidRequest, "INVALID_METHOD", ""},
		{"params a string", `{"method":"AccountService.GetDetails","params":"x","id":1}`, "1", rpc.CodeInvalidRequest, "INVALID_PARAMS_TYPE", ""},
		{"unknown method", `{"method":"AccountService.Drain","id":1}`, "1", rpc.CodeMethodNotFound, "METHOD_NOT_FOUND", ""},
		{"positional params", `{"method":"AccountService.GetDetails","params":[1,2],"id":1}`, "1", rpc.CodeInvalidParams, "INVALID_PARAMS", "params:INVALID_TYPE"},
		{"no params", `{"method":"AccountService.GetDetails","id":1}`, "1", rpc.CodeInvalidParams, "INVALID_PARAMS", "params:INVALID_TYPE"},
		{"no api block", `{"method":"AccountService.GetDetails","params":{"payload":` + details + `},"id":1}`, "1", rpc.CodeUnauthenticated, "UNAUTHENTICATED", ""},
		{"unknown key", env("AccountService.GetDetails", "1", "k_nobody", a.Credential, sign(a, "AccountService.GetDetails", "1", details), details), "1", rpc.CodeUnauthenticated, "UNAUTHENTICATED", ""},
		{"revoked key", env("AccountService.GetDetails", "1", revoked.KeyID, revoked.Credential, sign(revoked, "AccountService.GetDetails", "1", details), details), "1", rpc.CodeUnauthenticated, "UNAUTHENTICATED", ""},
		{"wrong credential", env("AccountService.GetDetails", "1", a.KeyID, s.beta.Credential, sign(a, "AccountService.GetDetails", "1", details), details), "1", rpc.CodeUnauthenticated, "UNAUTHENTICATED", ""},
		{"no signature", env("AccountService.GetDetails", "1", a.KeyID, a.Credential, "", details), "1", rpc.CodeInvalidSignature, "INVALID_SIGNATURE", ""},
		{"signature not Base64", env("AccountService.GetDetails", "1", a.KeyID, a.Credential, "%%%not base64%%%", details), "1", rpc.CodeInvalidSignature, "INVALID_SIGNATURE", ""},
		{"signature of other bytes", env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", `{"accountId":"900309799403557"}`), details), "1", rpc.CodeInvalidSignature, "INVALID_SIGNATURE", ""},
		{"signature by another partner's key", env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(s.beta, "AccountService.GetDetails", "1", details), details), "1", rpc.CodeInvalidSignature, "INVALID_SIGNATURE", ""},
		{"no payload", `{"method":"AccountService.GetDetails","id":1,"params":{"api":{"keyId":"` + a.KeyID + `","credential":"` + a.Credential + `","signature":"x"}}}`, "1", rpc.CodeInvalidParams, "INVALID_PARAMS", "payload:REQUIRED"},
		{"unknown params member", strings.Replace(env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", details), details), `"params":{`, `"params":{"extra":1,`, 1), "1", rpc.CodeInvalidParams, "INVALID_PARAMS", "params.extra:UNKNOWN_FIELD"},
		{"payload an array", env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", `[]`), `[]`), "1", rpc.CodeInvalidParams, "INVALID_PARAMS", "payload:INVALID_TYPE"},
		{"wrong type", env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", `{"accountId":200982345048071}`), `{"accountId":200982345048071}`), "1", rpc.CodeInvalidParams, "INVALID_PARAMS", "accountId:INVALID_TYPE"},
		{"misspelt field", env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", `{"acountId":"1"}`), `{"acountId":"1"}`), "1", rpc.CodeInvalidParams, "INVALID_PARAMS", "acountId:UNKNOWN_FIELD"},
		{"id twice", `{"method":"AccountService.GetDetails","id":1,"id":2}`, "null", rpc.CodeInvalidRequest, "DUPLICATE_MEMBER", ""},
		{"payload twice", strings.Replace(env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", details), details), `"payload":`, `"payload":{"accountId":"900309799403557"},"payload":`, 1), "1", rpc.CodeInvalidRequest, "DUPLICATE_MEMBER", ""},
		{"keyId twice", strings.Replace(env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", details), details), `"keyId":`, `"keyId":"k_other","keyId":`, 1), "1", rpc.CodeInvalidRequest, "DUPLICATE_MEMBER", ""},
		{"signature a number", strings.Replace(env("AccountService.GetDetails", "1", a.KeyID, a.Credential, "X", details), `"signature":"X"`, `"signature":12`, 1), "1", rpc.CodeInvalidSignature, "INVALID_SIGNATURE", ""},
		{"unknown api member", strings.Replace(env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", details), details), `"api":{`, `"api":{"nonce":"x",`, 1), "1", rpc.CodeInvalidParams, "INVALID_PARAMS", "params.api.nonce:UNKNOWN_FIELD"},
		{"a member repeated among many", strings.Replace(env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", details), details), `"api":{`,
			`"api":{"n1":1,"n2":2,"n3":3,"n4":4,"n5":5,"n6":6,"n3":7,`, 1), "1", rpc.CodeInvalidRequest, "DUPLICATE_MEMBER", ""},
		{"jsonrpc null", `{"jsonrpc":null,"method":"AccountService.GetDetails","id":1}`, "1", rpc.CodeInvalidRequest, "INVALID_VERSION", ""},
		{"method null", `{"method":null,"id":1}`, "1", rpc.CodeInvalidRequest, "INVALID_METHOD", ""},
		{"method escaped", strings.Replace(env("AccountService.GetDetails", "1", a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", "1", `{"acountId":"1"}`), `{"acountId":"1"}`), `"AccountService.GetDetails"`, `"AccountService.Get\u0044etails"`, 1),
			"1", rpc.CodeInvalidParams, "INVALID_PARAMS", "acountId:UNKNOWN_FIELD"},
		// Long values: refused alike on both databases, before any query (TestLongInput covers every field).
		{"a 900 KB document number", env("CustomerService.ValidateLegalID", `"l1"`, a.KeyID, a.Credential, sign(a, "CustomerService.ValidateLegalID", `"l1"`, longID), longID), `"l1"`, rpc.CodeInvalidParams, "INVALID_PARAMS", "number:TOO_LONG"},
		{"a 3,000-character identification", env("CustomerService.AddCustomer", `"l2"`, a.KeyID, a.Credential, sign(a, "CustomerService.AddCustomer", `"l2"`, longDoc), longDoc), `"l2"`, rpc.CodeInvalidParams, "INVALID_PARAMS", "identification[0].value:TOO_LONG"},
		{"another partner's account", env("AccountService.GetDetails", "1", s.beta.KeyID, s.beta.Credential, sign(s.beta, "AccountService.GetDetails", "1", details), details), "1", 2001, "NOT_FOUND_ACCOUNT", ""},
		// Invalid UTF-8 is refused before anything reads the body, so that no
		// id or other value reaches the log byte for byte.
		{"id with invalid UTF-8", "{\"method\":\"AccountService.GetDetails\",\"id\":\"a\xffb\"}", "null", rpc.CodeInvalidRequest, "INVALID_UTF8", ""},
		{"method with invalid UTF-8", "{\"method\":\"AccountService.Get\xc3Details\",\"id\":1}", "null", rpc.CodeInvalidRequest, "INVALID_UTF8", ""},
		{"surrogate half in UTF-8 form", "{\"method\":\"AccountService.GetDetails\",\"id\":\"\xed\xa0\x80\"}", "null", rpc.CodeInvalidRequest, "INVALID_UTF8", ""},
		{"payload with invalid UTF-8 in a batch", "[" + env("AccountService.GetDetails", `"u1"`, a.KeyID, a.Credential, sign(a, "AccountService.GetDetails", `"u1"`, "{\"accountId\":\"\xfe\"}"), "{\"accountId\":\"\xfe\"}") + "]", "null", rpc.CodeInvalidRequest, "INVALID_UTF8", ""},
		{"another partner's customer", env("CustomerService.GetCustomer", "1", s.beta.KeyID, s.beta.Credential, sign(s.beta, "CustomerService.GetCustomer", "1", `{"ID":"`+customerID+`"}`), `{"ID":"`+customerID+`"}`), "1", 1001, "NOT_FOUND_CUSTOMER", ""},
	}
	authMessages := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.post([]byte(tt.body))
			if status != http.StatusOK {
				t.Fatalf("HTTP %d, want 200", status)
			}
			r, e := errorOf(t, body)
			if e == nil {
				t.Fatalf("no error in %s", body)
			}
			if string(r.ID) != tt.wantID || e.Code != tt.wantCode || e.Data == nil || e.Data.Reason != tt.wantReason {
				t.Fatalf("got id %s code %d data %+v; want id %s code %d reason %s", r.ID, e.Code, e.Data, tt.wantID, tt.wantCode, tt.wantReason)
			}
			var fields []string
			for _, f := range e.Data.Fields {
				fields = append(fields, f.Field+":"+f.Reason)
			}
			if strings.Join(fields, " ") != tt.wantField {
				t.Fatalf("fields %v, want %q", fields, tt.wantField)
			}
			if strings.Contains(string(body), `"data":null`) {
				t.Fatalf("data: null sent: %s", body)
			}
			if e.Code == rpc.CodeUnauthenticated && tt.name != "no api block" {
				authMessages[e.Message] = true
			}
		})
	}
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if !utf8.ValidString(line) {
			t.Errorf("a log line holds invalid UTF-8: %q", line)
		}
	}
	if len(authMessages) != 1 {
		t.Errorf("unknown key, revoked key and wrong credential answer with %d different messages, want 1: %v", len(authMessages), authMessages)
	}
	// The server still answers.
	var d account.AccountDetails
	s.mustCall(s.alpha, "AccountService.GetDetails", `"after"`, json.RawMessage(details), &d)
	if d.AccountID != acct {
		t.Fatalf("after the bad input: %+v", d)
	}
}

// TestSignatureForms accepts DER and raw r||s ACCOUNTD-V2 signatures over
// the payload's exact bytes, and NetXD's payload-only form (with its
// whitespace fallback) only from a key whose policy allows it.
func TestSignatureForms(t *testing.T) {
	s := newServer(t, rpc.Options{})
	_, acct := s.seed(s.alpha, "123456789", "dave@example.com")
	netxd := s.newKeyWith("alpha", partner.KeyOptions{Signature: partner.SignatureNetXD})
	compact := `{"accountId":"` + acct + `"}`
	pretty := "{\n  \"accountId\": \"" + acct + "\"\n}"
	const method, id = "AccountService.GetDetails", `"sig"`
	ts := s.alpha.Timestamp()
	earlier := time.Now().Add(-time.Second).UTC().Format(partner.TimestampLayout)
	v2 := func(b string) string { return string(partner.V2Message(method, []byte(id), ts, []byte(b))) }
	tests := []struct {
		name      string
		key       *client.KeyFile
		payload   string
		signature string
		timestamp string // "" for the payload-only form
		ok        bool
	}{
		{"V2 DER over the exact bytes", s.alpha, compact, der(t, s.alpha, v2(compact)), ts, true},
		{"V2 raw r||s over the exact bytes", s.alpha, compact, raw(t, s.alpha, v2(compact)), ts, true},
		{"V2 DER over pretty-printed bytes as sent", s.alpha, pretty, der(t, s.alpha, v2(pretty)), ts, true},
		{"V2 signed compact, sent pretty", s.alpha, pretty, der(t, s.alpha, v2(compact)), ts, false},
		{"V2 raw r||s truncated", s.alpha, compact, raw(t, s.alpha, v2(compact))[:80], ts, false},
		{"V2 signed for another timestamp", s.alpha, compact, der(t, s.alpha, v2(compact)), earlier, false},
		{"payload-only from a V2 key", s.alpha, compact, der(t, s.alpha, compact), "", false},
		{"payload-only from a NETXD key", netxd, compact, der(t, netxd, compact), "", true},
		{"payload-only, signed compact, sent pretty, NETXD key", netxd, pretty, der(t, netxd, compact), "", true},
		{"payload-only raw r||s, NETXD key", netxd, compact, raw(t, netxd, compact), "", true},
		{"V2 from a NETXD key", netxd, compact, der(t, netxd, v2(compact)), ts, true},
		{"V2 from a NETXD key signed pretty, sent compact", netxd, compact, der(t, netxd, v2(pretty)), ts, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := client.API{KeyID: tt.key.KeyID, Credential: tt.key.Credential, Signature: tt.signature, Timestamp: tt.timestamp}
			body, _ := client.EnvelopeWith(method, json.RawMessage(id), api, []byte(tt.payload))
			_, resp := s.post(body)
			_, e := errorOf(t, resp)
			if (e == nil) != tt.ok {
				t.Fatalf("error %+v, want ok=%v", e, tt.ok)
			}
			if !tt.ok && e.Code != rpc.CodeInvalidSignature {
				t.Fatalf("code %d, want -32002", e.Code)
			}
		})
	}
}

// der is the Base64 ASN.1 DER signature of msg by k.
func der(t *testing.T, k *client.KeyFile, msg string) string {
	t.Helper()
	d := sha256.Sum256([]byte(msg))
	sig, err := ecdsa.SignASN1(rand.Reader, privateKey(t, k), d[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// raw is the Base64 raw r||s signature of msg by k, as WebCrypto makes it.
func raw(t *testing.T, k *client.KeyFile, msg string) string {
	t.Helper()
	d := sha256.Sum256([]byte(msg))
	r, sv, err := ecdsa.Sign(rand.Reader, privateKey(t, k), d[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	sv.FillBytes(out[32:])
	return base64.StdEncoding.EncodeToString(out)
}

func privateKey(t *testing.T, k *client.KeyFile) *ecdsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode([]byte(k.PrivateKey))
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key.(*ecdsa.PrivateKey)
}

// TestCaseInsensitiveFields accepts NetXD's mixed-case field names and
// refuses the same field given twice in two spellings.
func TestCaseInsensitiveFields(t *testing.T) {
	s := newServer(t, rpc.Options{})
	customerID, _ := s.seed(s.alpha, "123456789", "dave@example.com")
	var res account.AddAccountResult
	s.mustCall(s.alpha, "CustomerService.AddAccount", `"ci-1"`, json.RawMessage(
		`{"CustomerID":"`+customerID+`","NAME":"DAVE","accounttype":"WALLET","Currency":"USD"}`), &res)
	if res.CustomerID != customerID || res.AccountType != "WALLET" {
		t.Fatalf("result %+v", res)
	}
	r := s.call(s.alpha, "CustomerService.AddAccount", `"ci-2"`, json.RawMessage(
		`{"customerID":"`+customerID+`","customerid":"`+customerID+`","name":"D","accountType":"WALLET","currency":"USD"}`))
	if r.Error == nil || r.Error.Code != rpc.CodeInvalidParams || r.Error.Data.Fields[0].Reason != services.ReasonDuplicateField {
		t.Fatalf("duplicate field: %+v", r.Error)
	}
	// Nested names match without case too, and nested errors name the path.
	r = s.call(s.alpha, "CustomerService.AddCustomer", `"ci-3"`, json.RawMessage(
		`{"TYPE":"INDIVIDUAL","firstname":"An","LastName":"Nguyen","dob":"19900115","Identification":[{"Type":"PASSPORT","VALUE":"B1234567"},{"type":1}],"Contact":{"Email":"an@example.com","fax":"1"}}`))
	var fields []string
	for _, f := range r.Error.Data.Fields {
		fields = append(fields, f.Field+":"+f.Reason)
	}
	if got, want := strings.Join(fields, " "), "identification[1].type:INVALID_TYPE contact.fax:UNKNOWN_FIELD"; got != want {
		t.Fatalf("fields %q, want %q", got, want)
	}
}

// TestNotificationsOfDataChangingMethods are not executed: they could not be
// made idempotent and could not report an error.
func TestNotificationsOfDataChangingMethods(t *testing.T) {
	s := newServer(t, rpc.Options{})
	payload := []byte(`{"type":"INDIVIDUAL","firstName":"An","lastName":"Nguyen","DOB":"19900115","identification":[{"type":"PASSPORT","value":"B1234567"}],"contact":{"email":"an@example.com"}}`)
	body, _ := s.alpha.Envelope("CustomerService.AddCustomer", nil, payload)
	status, resp := s.post(body)
	if status != http.StatusNoContent || len(resp) != 0 {
		t.Fatalf("notification: HTTP %d %s, want 204", status, resp)
	}
	r := s.call(s.alpha, "CustomerService.GetCustomer", `"q"`, json.RawMessage(`{"identification":{"type":"PASSPORT","value":"B1234567"}}`))
	if r.Error == nil || r.Error.Code != 1001 {
		t.Fatalf("the notification created a customer: %s", r.Result)
	}
	if !strings.Contains(s.logs.String(), "data-changing notification not executed") {
		t.Fatalf("the skipped notification is not logged")
	}
}

func TestBatch(t *testing.T) {
	s := newServer(t, rpc.Options{MaxBatch: 3})
	customerID, acct := s.seed(s.alpha, "123456789", "dave@example.com")
	get, _ := s.alpha.Envelope("AccountService.GetDetails", json.RawMessage(`10`), []byte(`{"accountId":"`+acct+`"}`))
	list, _ := s.alpha.Envelope("AccountService.ListAccounts", json.RawMessage(`"b"`), []byte(`{"customerID":"`+customerID+`"}`))
	note, _ := s.alpha.Envelope("AccountService.GetDetails", nil, []byte(`{"accountId":"`+acct+`"}`))
	status, body := s.post([]byte("[" + string(get) + ",\n" + string(note) + "," + string(list) + "]"))
	var rs []client.Response
	if err := json.Unmarshal(body, &rs); status != http.StatusOK || err != nil || len(rs) != 2 {
		t.Fatalf("HTTP %d, %v: %s; want two responses", status, err, body)
	}
	if string(rs[0].ID) != "10" || string(rs[1].ID) != `"b"` || rs[0].Error != nil || rs[1].Error != nil {
		t.Fatalf("responses %s", body)
	}
	status, body = s.post([]byte("[" + strings.Repeat(string(note)+",", 3) + string(note) + "]"))
	if _, e := errorOf(t, body); status != http.StatusOK || e == nil || e.Code != rpc.CodeInvalidRequest || e.Data.Reason != "BATCH_TOO_LARGE" {
		t.Fatalf("batch of 4 with a limit of 3: HTTP %d %s", status, body)
	}
}

func TestIdempotencyOverHTTP(t *testing.T) {
	s := newServer(t, rpc.Options{})
	payload := []byte(`{"type":"INDIVIDUAL","firstName":"An","lastName":"Nguyen","DOB":"19900115","identification":[{"type":"PASSPORT","value":"B1234567"}],"contact":{"email":"an@example.com"}}`)
	first, _ := s.alpha.Envelope("CustomerService.AddCustomer", json.RawMessage(`"idem-1"`), payload)
	_, body1 := s.post(first)
	// The same request again, signed anew and written with other spacing
	// and key case: the first answer comes back.
	again, _ := s.alpha.Envelope("CustomerService.AddCustomer", json.RawMessage(`"idem-1"`), []byte(strings.Replace(string(payload), `"firstName"`, `"FirstName"`, 1)))
	_, body2 := s.post(again)
	if string(body1) != string(body2) {
		t.Fatalf("replay differs:\n%s\n%s", body1, body2)
	}
	changed, _ := s.alpha.Envelope("CustomerService.AddCustomer", json.RawMessage(`"idem-1"`), []byte(strings.Replace(string(payload), "Nguyen", "Tran", 1)))
	_, body3 := s.post(changed)
	if _, e := errorOf(t, body3); e == nil || e.Code != rpc.CodeIdempotencyConflict {
		t.Fatalf("changed payload: %s, want -32005", body3)
	}
	// A null id is answered with a null id and gets no idempotency.
	r := s.call(s.alpha, "CustomerService.GetCustomer", `null`, json.RawMessage(`{"contact":{"email":"an@example.com"}}`))
	if string(r.ID) != "null" || r.Error != nil {
		t.Fatalf("null id: %+v", r)
	}
}

// TestLogsCarryNoPersonalData checks the request log: one line per call
// with method, key, request id, code and duration, and none of the payload's
// personal data, the credential or the signature.
func TestLogsCarryNoPersonalData(t *testing.T) {
	s := newServer(t, rpc.Options{})
	payload := []byte(`{"type":"INDIVIDUAL","firstName":"Secretname","lastName":"Nguyen","DOB":"19900115","identification":[{"type":"PASSPORT","value":"Z9876543"}],"contact":{"email":"hidden.person@example.com","phoneNumber":"+84987654321"}}`)
	body, _ := s.alpha.Envelope("CustomerService.AddCustomer", json.RawMessage(`"log-1"`), payload)
	s.post(body)
	bad, _ := s.alpha.Envelope("CustomerService.AddCustomer", json.RawMessage(`"log-2"`), []byte(strings.Replace(string(payload), `"DOB":"19900115"`, `"DOB":"19900199"`, 1)))
	if _, resp := s.post(bad); !strings.Contains(string(resp), "INVALID_FORMAT") {
		t.Fatalf("the bad request did not reach validation: %s", resp)
	}
	// A credential pasted into keyId must not reach the log either.
	pasted, _ := client.EnvelopeWith("AccountService.GetDetails", json.RawMessage(`"log-3"`), client.API{KeyID: s.alpha.Credential, Credential: s.alpha.Credential, Signature: "x"}, []byte(`{}`))
	s.post(pasted)
	logs := s.logs.String()
	for _, secret := range []string{"Secretname", "Z9876543", "hidden.person", "987654321", s.alpha.Credential, signatureOf(t, body)} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(logs, "\n", 2)[0]), &line); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"method", "keyId", "requestId", "code", "durationMs", "partner"} {
		if _, ok := line[k]; !ok {
			t.Errorf("log line lacks %s: %v", k, line)
		}
	}
}

func signatureOf(t *testing.T, body []byte) string {
	var env struct {
		Params struct {
			API struct {
				Signature string `json:"signature"`
			} `json:"api"`
		} `json:"params"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	return env.Params.API.Signature
}

// TestRequestIDsCompareByValue: ids that are the same JSON value are the
// same idempotency key however they are written; a string and a number are
// not.
func TestRequestIDsCompareByValue(t *testing.T) {
	s := newServer(t, rpc.Options{})
	customerID, _ := s.seed(s.alpha, "123456789", "dave@example.com")
	payload := `{"customerID":"` + customerID + `","name":"DAVE","accountType":"WALLET","currency":"USD"}`
	var first account.AddAccountResult
	s.mustCall(s.alpha, "CustomerService.AddAccount", `2460`, json.RawMessage(payload), &first)
	for _, id := range []string{`2460.0`, `24.6e2`, `2460E0`, `246e1`} {
		var again account.AddAccountResult
		s.mustCall(s.alpha, "CustomerService.AddAccount", id, json.RawMessage(payload), &again)
		if again != first {
			t.Errorf("id %s opened another account: %+v, first %+v", id, again, first)
		}
	}
	var str account.AddAccountResult
	s.mustCall(s.alpha, "CustomerService.AddAccount", `"2460"`, json.RawMessage(payload), &str)
	if str.ID == first.ID {
		t.Errorf(`the string id "2460" replayed the number 2460`)
	}
	var esc account.AddAccountResult
	s.mustCall(s.alpha, "CustomerService.AddAccount", `"\u0032460"`, json.RawMessage(payload), &esc)
	if esc != str {
		t.Errorf(`"\u0032460" is "2460" but opened another account`)
	}
	var page account.AccountPage
	s.mustCall(s.alpha, "AccountService.ListAccounts", `"count"`, json.RawMessage(`{"customerID":"`+customerID+`"}`), &page)
	if page.Total != 3 {
		t.Errorf("%d accounts, want 3 (the seeded one, one for the number, one for the string)", page.Total)
	}
}

// TestIncompleteBody: a body shorter than its Content-Length is answered
// with 400 and a JSON-RPC error, not an empty 200. The request is written
// on a raw connection, since HTTP clients refuse to send it.
func TestIncompleteBody(t *testing.T) {
	s := newServer(t, rpc.Options{})
	u, _ := url.Parse(s.url)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /jsonrpc HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"", u.Host)
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"reason":"INCOMPLETE_BODY"`) {
		t.Fatalf("HTTP %d %s, want 400 INCOMPLETE_BODY", resp.StatusCode, body)
	}
}

func TestCatalogue(t *testing.T) {
	seen := map[int]bool{}
	for _, e := range rpc.ErrorCatalogue() {
		if seen[e.Code] || e.Data == nil || e.Data.Reason == "" || strings.ToUpper(e.Data.Reason) != e.Data.Reason {
			t.Errorf("catalogue entry %+v: codes must be unique and reasons UPPER_SNAKE", e)
		}
		seen[e.Code] = true
	}
	if len(seen) < 15 {
		t.Errorf("the catalogue lists %d errors; want every mapped sentinel", len(seen))
	}
}
