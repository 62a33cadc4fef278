package rpc_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
)

// specMethods maps the method names of the JSON-RPC 2.0 specification's
// examples (section 7) to read-only methods of ours. foobar and foo.get
// stay unknown, as in the specification.
var specMethods = map[string]string{
	"subtract":     "AccountService.GetDetails",
	"sum":          "CustomerService.GetCustomer",
	"update":       "AccountService.ListAccounts",
	"notify_hello": "AccountService.ListAccounts",
	"notify_sum":   "AccountService.ListAccounts",
	"get_data":     "AccountService.ListAccounts",
}

// specExamples are the specification's examples, request and response,
// written as in the specification. Each mapped method's params are
// replaced by a signed envelope and each result by our method's result.
var specExamples = []struct {
	name, request, response string
}{
	{"positional parameters", `{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}`,
		`{"jsonrpc": "2.0", "result": 19, "id": 1}`},
	{"positional parameters again", `{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}`,
		`{"jsonrpc": "2.0", "result": -19, "id": 2}`},
	{"named parameters", `{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}`,
		`{"jsonrpc": "2.0", "result": 19, "id": 3}`},
	{"named parameters again", `{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}`,
		`{"jsonrpc": "2.0", "result": 19, "id": 4}`},
	{"a notification", `{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}`, ``},
	{"a notification of an unknown method", `{"jsonrpc": "2.0", "method": "foobar"}`, ``},
	{"non-existent method", `{"jsonrpc": "2.0", "method": "foobar", "id": "1"}`,
		`{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}`},
	{"invalid JSON", `{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]`,
		`{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}`},
	{"invalid Request object", `{"jsonrpc": "2.0", "method": 1, "params": "bar"}`,
		`{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}`},
	{"batch, invalid JSON", `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`, `{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}`},
	{"empty array", `[]`, `{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}`},
	{"invalid batch, but not empty", `[1]`, `[
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
]`},
	{"invalid batch", `[1,2,3]`, `[
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
]`},
	{"batch", `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
  {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
  {"foo": "boo"},
  {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
  {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
]`, `[
  {"jsonrpc": "2.0", "result": 7, "id": "1"},
  {"jsonrpc": "2.0", "result": 19, "id": "2"},
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
  {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
  {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
]`},
	{"batch, all notifications", `[
  {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
  {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
]`, ``},
}

var (
	reSpecMethod = regexp.MustCompile(`"method": "([A-Za-z_.]+)"`)
	reSpecParams = regexp.MustCompile(`"params": (\[[^\]]*\]|\{[^}]*\})`)
	reSpecResult = regexp.MustCompile(`"result": (-?\d+|\[[^\]]*\])`)
	reSpecID     = regexp.MustCompile(`"id": ("[^"]*"|-?\d+|null)`)
)

// TestJSONRPCSpecExamples replays every example of the JSON-RPC 2.0
// specification. Responses must match exactly, except that our errors may
// carry the optional "data" member.
func TestJSONRPCSpecExamples(t *testing.T) {
	s := newServer(t, rpc.Options{})
	customerID, accountNumber := s.seed(s.alpha, "123456789", "dave@example.com")
	payloads := map[string]string{
		"AccountService.GetDetails":   `{"accountId":"` + accountNumber + `"}`,
		"CustomerService.GetCustomer": `{"ID":"` + customerID + `"}`,
		"AccountService.ListAccounts": `{"customerID":"` + customerID + `"}`,
	}
	results := map[string]string{}
	for method, payload := range payloads {
		r := s.call(s.alpha, method, `"probe"`, json.RawMessage(payload))
		results[method] = string(r.Result)
	}
	for _, ex := range specExamples {
		t.Run(ex.name, func(t *testing.T) {
			req, resp := mapExample(t, ex.request, ex.response, s.alpha, payloads, results)
			status, body := s.post([]byte(req))
			if resp == "" {
				if status != http.StatusNoContent || len(body) != 0 {
					t.Fatalf("got HTTP %d %s, want 204 and no body", status, body)
				}
				return
			}
			if status != http.StatusOK {
				t.Fatalf("HTTP %d, want 200", status)
			}
			got, want := decodeLoose(t, body), decodeLoose(t, []byte(resp))
			stripErrorData(t, got)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("response\n got: %s\nwant: %s", body, resp)
			}
		})
	}
}

// mapExample rewrites an example's methods, params and results line by line
// (each request object of the examples stands on one line).
func mapExample(t *testing.T, request, response string, key *client.KeyFile, payloads, results map[string]string) (string, string) {
	t.Helper()
	var reqLines []string
	for _, line := range strings.Split(request, "\n") {
		m := reSpecMethod.FindStringSubmatch(line)
		if m != nil && specMethods[m[1]] != "" {
			ours := specMethods[m[1]]
			line = strings.Replace(line, m[0], `"method": "`+ours+`"`, 1)
			var id json.RawMessage
			if m := reSpecID.FindStringSubmatch(line); m != nil {
				id = json.RawMessage(m[1])
			}
			params := signedParams(t, key, ours, id, payloads[ours])
			if reSpecParams.MatchString(line) {
				line = reSpecParams.ReplaceAllLiteralString(line, `"params": `+params)
			} else {
				line = strings.Replace(line, `"method": "`+ours+`"`, `"method": "`+ours+`", "params": `+params, 1)
			}
		}
		reqLines = append(reqLines, line)
	}
	// Results appear in the order of the requests that have an id.
	var withID []string
	for _, line := range reqLines {
		if m := reSpecMethod.FindStringSubmatch(line); m != nil && strings.Contains(line, `"id"`) {
			withID = append(withID, m[1])
		}
	}
	i := 0
	response = reSpecResult.ReplaceAllStringFunc(response, func(string) string {
		for i < len(withID) && results[withID[i]] == "" {
			i++
		}
		if i >= len(withID) {
			t.Fatalf("more results than mapped requests")
		}
		r := `"result": ` + results[withID[i]]
		i++
		return r
	})
	return strings.Join(reqLines, "\n"), response
}

// signedParams is params with an ACCOUNTD-V2 signature over method, the
// id's JSON text as it stands in the request (nil for none) and payload.
func signedParams(t *testing.T, key *client.KeyFile, method string, id json.RawMessage, payload string) string {
	t.Helper()
	ts := key.Timestamp()
	sig, err := key.SignV2(method, id, ts, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	api, _ := json.Marshal(client.API{KeyID: key.KeyID, Credential: key.Credential, Signature: sig, Timestamp: ts})
	return `{"api": ` + string(api) + `, "payload": ` + payload + `}`
}

func decodeLoose(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return v
}

// stripErrorData removes the optional error.data members after checking
// that each carries a reason.
func stripErrorData(t *testing.T, v any) {
	t.Helper()
	objs, ok := v.([]any)
	if !ok {
		objs = []any{v}
	}
	for _, o := range objs {
		e, _ := o.(map[string]any)["error"].(map[string]any)
		if e == nil {
			continue
		}
		if d, ok := e["data"].(map[string]any); !ok || d["reason"] == "" {
			t.Errorf("error %v has no data.reason", e)
		}
		delete(e, "data")
	}
}
