package rpc

import (
	"encoding/json"
	"testing"
)

// TestEncodeBodyAsJSONMarshal: answers are the bytes json.Marshal writes,
// whether assembled from a marshalled result or marshalled whole.
func TestEncodeBodyAsJSONMarshal(t *testing.T) {
	result := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ok := func(id string, v any) *response {
		r := &response{JSONRPC: "2.0", Result: result(v), marshalled: true}
		if id != "" {
			r.ID = json.RawMessage(id)
		}
		return r
	}
	tests := []struct {
		name string
		body any
	}{
		{"string id", ok(`"1"`, map[string]string{"accountId": "900309799403557"})},
		{"number id", ok(`-12.5e3`, []int{1, 2})},
		{"null id", ok(`null`, nil)},
		{"no id", ok(``, "x")},
		{"id with <, > and &", ok(`"<a&b>"`, 1)},
		{"id with U+2028", ok("\"a\u2028b\"", 1)},
		{"id escaped", ok(`"\u003c\n"`, 1)},
		{"result with <, > and &", ok(`1`, "<b>&</b>\u2029")},
		{"a result not marshalled", &response{JSONRPC: "2.0", Result: json.RawMessage(`{ "a" : "<" }`), ID: json.RawMessage(`1`)}},
		{"an error", errorResponse(json.RawMessage(`"e<1>"`), protocolError(CodeInvalidRequest, "EMPTY_BATCH", "a <detail>"))},
		{"a batch", []*response{ok(`1`, "a"), errorResponse(nil, internalError()), ok(`"<2>"`, []string{"&"})}},
		{"an empty batch", []*response{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := encodeBody(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tt.body)
			if string(got) != string(want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}
