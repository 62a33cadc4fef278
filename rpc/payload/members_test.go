package payload

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decoderMembers is how Members read objects before it had a scanner of
// its own, through json.Decoder's tokens: the reference the scanner must
// agree with on every JSON object.
func decoderMembers(raw json.RawMessage) ([]Member, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	var out []Member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		name, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, false
		}
		out = append(out, Member{Name: name, Value: value})
	}
	return out, true
}

// membersCases are objects and near-objects, valid and not.
var membersCases = []string{
	`{}`, `{ }`, "{\n}\n", `{"a":1}`, `{"a":1,"a":2}`, ` {"a":1}`, `{"a":1} `, `{"a":1}x`, `{"a":1}{}`,
	`{"jsonrpc":"2.0","method":"AccountService.GetDetails","id":"1","params":{"api":{"keyId":"k_1","credential":"c","signature":"s","timestamp":"t"},"payload":{"accountId":"1"}}}`,
	`{ "a" : [1, 2.5, -0.1e+3, 1E9, true, false, null, {"b": {}}, []] , "c" : "x" }`,
	`{"\u0061":1}`, `{"a\"b":1}`, `{"é":1}`, "{\"\xff\":1}", `{"\ud800":1}`, `{"\ud83d\ude00":1}`, `{"a\/b":1}`,
	`{"a":"\u00e9\n\t\\"}`, "{\"a\":\"\xe9\"}",
	// Not JSON objects.
	``, `[]`, `"a"`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{a:1}`, `{"a":01}`, `{"a":1.}`,
	`{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a":[1,]}`, `{"a":[1 2]}`, `{"a":{"b"}}`,
	"{\"a\":\"x\ny\"}", `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12g4"}`, `{"a":"abc}`, `{"a":1}}`, `{"a":[}`, `{1:2}`,
}

// TestMembersAgreesWithDecoder checks the scanner against json.Decoder:
// an object is read into the same names and value bytes, and anything
// that is not one JSON object is refused.
func TestMembersAgreesWithDecoder(t *testing.T) {
	for _, c := range membersCases {
		checkMembers(t, []byte(c))
	}
}

func FuzzMembers(f *testing.F) {
	for _, c := range membersCases {
		f.Add([]byte(c))
	}
	f.Fuzz(checkMembers)
}

func checkMembers(t *testing.T, raw []byte) {
	got, ok := Members(raw)
	wantOK := len(raw) > 0 && raw[0] == '{' && json.Valid(raw)
	if ok != wantOK {
		t.Fatalf("Members(%q): ok = %v, want %v (one JSON object)", raw, ok, wantOK)
	}
	if !ok {
		return
	}
	want, _ := decoderMembers(raw)
	if !reflect.DeepEqual(normalise(got), normalise(want)) {
		t.Fatalf("Members(%q) = %q, want %q", raw, got, want)
	}
}

// normalise makes an empty list and nil compare equal, and values plain
// byte strings.
func normalise(ms []Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name, string(m.Value))
	}
	return out
}

// TestMembersDeepNesting: nesting is bounded exactly as in encoding/json,
// without exhausting the stack.
func TestMembersDeepNesting(t *testing.T) {
	for _, n := range []int{9999, 10000, 20000} {
		checkMembers(t, []byte(`{"a":`+strings.Repeat("[", n)+strings.Repeat("]", n)+`}`))
	}
}

func BenchmarkMembers(b *testing.B) {
	raw := []byte(`{"jsonrpc":"2.0","method":"AccountService.GetDetails","id":"1","params":{"api":{"keyId":"k_1","credential":"c","signature":"s","timestamp":"t"},"payload":{"accountId":"1"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		Members(raw)
	}
}

func BenchmarkDecoderMembers(b *testing.B) {
	raw := []byte(`{"jsonrpc":"2.0","method":"AccountService.GetDetails","id":"1","params":{"api":{"keyId":"k_1","credential":"c","signature":"s","timestamp":"t"},"payload":{"accountId":"1"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		decoderMembers(raw)
	}
}
