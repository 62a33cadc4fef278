package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/client"

	"github.com/jmoiron/sqlx"
	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc/payload"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

// payloadField is a string or array field reachable from a method's
// payload: its JSON path (arrays at their first item) and its limit.
type payloadField struct {
	path  []string // members from the payload down; "[0]" steps into an array
	limit services.FieldLimit
	array bool
}

func (f payloadField) name() string {
	return strings.ReplaceAll(strings.Join(f.path, "."), ".[0]", "[0]")
}

// payloadFields lists the string and array fields of a payload type, as
// the decoder names them.
func payloadFields(t reflect.Type, prefix []string) []payloadField {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []payloadField
	names := payload.FieldNames(t)
	for i := range t.NumField() {
		if names[i] == "" {
			continue
		}
		sf := t.Field(i)
		path := append(slices.Clone(prefix), names[i])
		ft := sf.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.String:
			out = append(out, payloadField{path: path, limit: services.LimitOf(sf)})
		case reflect.Slice:
			out = append(out, payloadField{path: path, limit: services.LimitOf(sf), array: true})
			out = append(out, payloadFields(ft.Elem(), append(path, "[0]"))...)
		case reflect.Struct:
			out = append(out, payloadFields(ft, path)...)
		}
	}
	return out
}

// TestEveryPayloadFieldHasALimit checks that every string of every
// method's payload declares its size, and every array its number of items:
// the decoder's defaults are a backstop for fields yet to come, not a
// choice. Only the pictures of the upload methods are bounded by the body
// limit instead.
func TestEveryPayloadFieldHasALimit(t *testing.T) {
	methods, err := dispatchedMethods()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range methods {
		for _, f := range payloadFields(m.in, nil) {
			switch {
			case !f.limit.Declared && f.array:
				t.Errorf("%s: %s has no items tag", m.name, f.name())
			case !f.limit.Declared:
				t.Errorf("%s: %s has no size tag", m.name, f.name())
			case f.limit.Max == 0 && !(m.upload && f.name() == "image"):
				t.Errorf("%s: %s is unbounded; only the upload methods' image may be", m.name, f.name())
			}
		}
	}
}

// TestLongInput sends every method, on a database in the state its example
// needs, its example payload with each string field in turn 3,000
// characters long, one field of each method (the one with the largest
// limit) and each picture also 900 KB long, a long unknown member, and each
// array with one item too many. (900 KB for every field would cost minutes
// under the race detector: the server parses each body several times.)
// Each is a client error naming the field (a picture's is the picture
// checks' refusal), never an internal error, on SQLite and PostgreSQL
// alike; no answer carries the value back, none is larger than a few
// kilobytes, and no long value is stored.
func TestLongInput(t *testing.T) {
	run := runExamples(t, func(string, map[string]any) {})
	ts := httptest.NewServer(run.h.Routes())
	t.Cleanup(ts.Close)
	rpcClient := &client.Client{URL: ts.URL + "/jsonrpc", HTTP: ts.Client()}
	methods, err := dispatchedMethods()
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	send := func(t *testing.T, method string, payload map[string]any) ([]byte, *Error) {
		t.Helper()
		p, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		body, err := run.key.Envelope(method, json.RawMessage(fmt.Sprintf(`"long-%d"`, n.Add(1))), p)
		if err != nil {
			t.Fatal(err)
		}
		status, resp, err := rpcClient.Post(context.Background(), body)
		if err != nil || status != 200 {
			t.Fatalf("HTTP %d %v: %.300s", status, err, resp)
		}
		var r struct {
			Result json.RawMessage `json:"result"`
			Error  *Error          `json:"error"`
		}
		if err := json.Unmarshal(resp, &r); err != nil {
			t.Fatalf("%v: %.300s", err, resp)
		}
		if r.Error == nil {
			t.Fatalf("accepted: %.300s", resp)
		}
		if r.Error.Code == CodeInternal {
			t.Fatalf("internal error: %.300s", resp)
		}
		if len(resp) > 16<<10 {
			t.Errorf("the answer is %d bytes", len(resp))
		}
		return resp, r.Error
	}
	// The calls run in parallel; the group ends when all have.
	t.Run("fields", func(t *testing.T) { sendLongInput(t, methods, run.payloads, send) })
	// Refused, and audited as refused, but not stored: no text column of
	// any table holds a long value (pictures are stored decoded, as bytes).
	db := storetest.Conn(t, run.dsn)
	for _, c := range textColumns(t, db) {
		var n int
		if err := db.Get(&n, db.Rebind(`SELECT COUNT(*) FROM `+c.Table+` WHERE `+c.Column+` LIKE ?`), "%"+longValue(100)+"%"); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			t.Errorf("%s.%s: %d rows hold a long value", c.Table, c.Column, n)
		}
	}
}

// sendLongInput runs TestLongInput's calls, each in a parallel subtest.
func sendLongInput(t *testing.T, methods []method, payloads map[string]string,
	send func(t *testing.T, method string, payload map[string]any) ([]byte, *Error)) {
	for _, m := range methods {
		base := payloads[m.name]
		if base == "" {
			t.Fatalf("%s has no example payload", m.name)
		}
		fields := payloadFields(m.in, nil)
		widest := -1
		for i, f := range fields {
			if !f.array && f.limit.Max > 0 && (widest < 0 || f.limit.Max > fields[widest].limit.Max) {
				widest = i
			}
		}
		for i, f := range fields {
			if f.array {
				t.Run(m.name+"/"+f.name()+"/too many items", func(t *testing.T) {
					t.Parallel()
					payload := examplePayload(t, base)
					items := make([]any, f.limit.Max+1)
					for i := range items {
						items[i] = map[string]any{}
					}
					setPath(payload, f.path, items)
					_, e := send(t, m.name, payload)
					wantTooLong(t, e, f.name())
				})
				continue
			}
			sizes := []int{3000}
			if i == widest || f.limit.Max == 0 {
				sizes = append(sizes, 900_000)
			}
			for _, size := range sizes {
				t.Run(fmt.Sprintf("%s/%s/%d", m.name, f.name(), size), func(t *testing.T) {
					t.Parallel()
					payload := examplePayload(t, base)
					value := longValue(size)
					setPath(payload, f.path, value)
					resp, e := send(t, m.name, payload)
					if bytes.Contains(resp, []byte(value[:200])) {
						t.Errorf("the answer carries the value back: %.300s", resp)
					}
					if f.limit.Max > 0 {
						wantTooLong(t, e, f.name())
					}
				})
			}
		}
		t.Run(m.name+"/long unknown member", func(t *testing.T) {
			t.Parallel()
			payload := examplePayload(t, base)
			name := longValue(3000) // TestEchoesAreBounded sends 900 KB names
			payload[name] = "x"
			resp, e := send(t, m.name, payload)
			if e.Code != CodeInvalidParams || bytes.Contains(resp, []byte(name[:200])) {
				t.Errorf("got %.300s; want -32602 naming the member cut short", resp)
			}
		})
	}
}

type tableColumn struct {
	Table  string `db:"table"`
	Column string `db:"column"`
}

// textColumns lists the text columns of every table of the database.
func textColumns(t *testing.T, db *sqlx.DB) []tableColumn {
	t.Helper()
	var out []tableColumn
	if storetest.IsPostgres() {
		err := db.Select(&out, `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying') ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) < 20 {
			t.Fatalf("only %d text columns found", len(out))
		}
		return out
	}
	var tables []string
	if err := db.Select(&tables, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		var cols []struct {
			Name string `db:"name"`
			Type string `db:"type"`
		}
		if err := db.Select(&cols, `SELECT name, type FROM pragma_table_info(?)`, table); err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			if strings.EqualFold(c.Type, "TEXT") {
				out = append(out, tableColumn{table, c.Name})
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d text columns found", len(out))
	}
	return out
}

// longValue is n characters of digits, which no normalisation changes.
func longValue(n int) string {
	return strings.Repeat("1234567890", n/10+1)[:n]
}

func examplePayload(t *testing.T, raw string) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// setPath sets the member at path, making the objects and the first array
// item on the way.
func setPath(m map[string]any, path []string, v any) {
	name := path[0]
	if len(path) == 1 {
		m[name] = v
		return
	}
	if path[1] == "[0]" {
		items, _ := m[name].([]any)
		if len(items) == 0 {
			items = []any{map[string]any{}}
		}
		item, ok := items[0].(map[string]any)
		if !ok {
			item = map[string]any{}
		}
		items[0] = item
		m[name] = items
		if len(path) > 2 {
			setPath(item, path[2:], v)
		}
		return
	}
	next, ok := m[name].(map[string]any)
	if !ok {
		next = map[string]any{}
		m[name] = next
	}
	setPath(next, path[1:], v)
}

func wantTooLong(t *testing.T, e *Error, field string) {
	t.Helper()
	if e.Code != CodeInvalidParams || e.Data == nil {
		t.Fatalf("got %+v, want -32602", e)
	}
	for _, f := range e.Data.Fields {
		if f.Field == field && f.Reason == services.ReasonTooLong && strings.Contains(f.Message, "at most") {
			return
		}
	}
	t.Errorf("fields %+v, want %s TOO_LONG", e.Data.Fields, field)
}

// TestEchoesAreBounded sends requests whose member names, method and
// number of bad fields are under the client's control: the error names
// them cut short (a field name to payload.MaxEchoedName bytes, a detail to
// maxErrorText), lists at most maxFieldErrors fields, and stays small.
func TestEchoesAreBounded(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	k, err := partner.NewPartners(st, nil).CreateKey(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399"})
	h, err := NewHandler(svc, partner.NewAuthenticator(st, nil, time.Second), Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	key := &client.KeyFile{KeyID: k.KeyID, Credential: k.Credential, PrivateKey: k.PrivateKeyPEM}
	long := longValue(900_000)
	signed := func(payload string) string {
		body, err := key.Envelope("AccountService.GetDetails", json.RawMessage(`"e1"`), []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		return string(body)
	}
	var members strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&members, `"m%d":1,`, i)
	}
	tests := []struct {
		name, body string
		wantReason string
		wantFields int // 0: not checked
		maxEcho    int // the most characters of the value the answer may hold
	}{
		{"a long member twice", `{"method":"AccountService.GetDetails","id":1,"` + long + `":1,"` + long + `":2}`, "DUPLICATE_MEMBER", 0, maxErrorText},
		{"a long method", `{"method":"` + long + `","id":1}`, "METHOD_NOT_FOUND", 0, maxErrorText},
		{"a long params member", strings.Replace(signed(`{"accountId":"1"}`), `"params":{`, `"params":{"`+long+`":1,`, 1), "INVALID_PARAMS", 1, maxFieldName},
		{"a long api member", strings.Replace(signed(`{"accountId":"1"}`), `"api":{`, `"api":{"`+long+`":1,`, 1), "INVALID_PARAMS", 1, maxFieldName},
		{"a long payload member", signed(`{"` + long + `":1}`), "INVALID_PARAMS", 1, payload.MaxEchoedName},
		{"5000 unknown members", signed(`{` + members.String() + `"accountId":"1"}`), "INVALID_PARAMS", maxFieldErrors + 1, payload.MaxEchoedName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := json.Marshal(h.handleBody(ctx, []byte(tt.body)))
			if err != nil {
				t.Fatal(err)
			}
			var r struct{ Error *Error }
			if err := json.Unmarshal(resp, &r); err != nil || r.Error == nil || r.Error.Data == nil {
				t.Fatalf("%v: %.300s", err, resp)
			}
			if r.Error.Data.Reason != tt.wantReason || (tt.wantFields > 0 && len(r.Error.Data.Fields) != tt.wantFields) {
				t.Errorf("reason %s with %d fields, want %s with %d: %.300s", r.Error.Data.Reason, len(r.Error.Data.Fields), tt.wantReason, tt.wantFields, resp)
			}
			if bytes.Contains(resp, []byte(long[:tt.maxEcho+1])) || len(resp) > 8<<10 {
				t.Errorf("the answer (%d bytes) carries the value back: %.300s", len(resp), resp)
			}
		})
	}
}
