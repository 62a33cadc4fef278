package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/rpc/openrpc"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc/payload"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/notify"
	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

// discDoc is the OpenRPC document as a client reads it.
type discDoc struct {
	OpenRPC string `json:"openrpc"`
	Info    struct {
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"info"`
	Methods    []discMethod `json:"methods"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
		Errors  map[string]Error          `json:"errors"`
	} `json:"components"`
}

type discMethod struct {
	Name           string `json:"name"`
	Summary        string `json:"summary"`
	ParamStructure string `json:"paramStructure"`
	Params         []struct {
		Name     string         `json:"name"`
		Required bool           `json:"required"`
		Schema   map[string]any `json:"schema"`
	} `json:"params"`
	Result struct {
		Name   string         `json:"name"`
		Schema map[string]any `json:"schema"`
	} `json:"result"`
	Errors  []map[string]any `json:"errors"`
	Mutates bool             `json:"x-mutates"`
	// JSONRPCName is Name with its "."; readDoc puts it in Name.
	JSONRPCName string `json:"x-jsonrpc-name"`
}

// readDoc builds the document and decodes it twice: typed, and as plain
// JSON values for following $refs.
func readDoc(t *testing.T) (discDoc, any) {
	t.Helper()
	b, err := buildOpenRPC()
	if err != nil {
		t.Fatalf("buildOpenRPC: %v", err)
	}
	var doc discDoc
	var raw any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	json.Unmarshal(b, &raw) //nolint:errcheck // it decoded just above
	for i, m := range doc.Methods {
		if m.Name != clientMethodName(m.JSONRPCName) {
			t.Errorf("method %q is named %q in the document, want %q", m.JSONRPCName, m.Name, clientMethodName(m.JSONRPCName))
		}
		doc.Methods[i].Name = m.JSONRPCName
	}
	return doc, raw
}

func (d discDoc) method(name string) (discMethod, bool) {
	for _, m := range d.Methods {
		if m.Name == name {
			return m, true
		}
	}
	return discMethod{}, false
}

// schema follows a reference to a component schema.
func (d discDoc) schema(t *testing.T, s map[string]any) map[string]any {
	t.Helper()
	ref, ok := s["$ref"].(string)
	if !ok {
		return s
	}
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok || d.Components.Schemas[name] == nil {
		t.Fatalf("$ref %q names no component schema", ref)
	}
	return d.Components.Schemas[name]
}

func propertyNames(s map[string]any) []string {
	props, _ := s["properties"].(map[string]any)
	var out []string
	for k := range props {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func requiredNames(s map[string]any) []string {
	req, _ := s["required"].([]any)
	var out []string
	for _, r := range req {
		out = append(out, r.(string))
	}
	slices.Sort(out)
	return out
}

func refOf(s map[string]any) string { r, _ := s["$ref"].(string); return r }

func TestOpenRPCDocument(t *testing.T) {
	doc, raw := readDoc(t)
	if doc.OpenRPC != "1.3.2" || doc.Info.Title == "" || doc.Info.Version == "" {
		t.Fatalf("openrpc %q, info %+v; want 1.3.2 with a title and a version", doc.OpenRPC, doc.Info)
	}
	var got, want []string
	for _, m := range doc.Methods {
		got = append(got, m.Name)
	}
	for m := range methodTable {
		want = append(want, m)
	}
	want = append(want, DiscoverMethod)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("methods %q, want %q in this order", got, want)
	}
	refs := 0
	walkRefs(raw, func(ref string) {
		refs++
		if ref == metaSchemaURL {
			return
		}
		if _, ok := pointer(raw, ref); !ok {
			t.Errorf("$ref %q does not resolve", ref)
		}
	})
	if refs == 0 {
		t.Fatal("the document has no $ref at all")
	}
}

// walkRefs calls fn with every $ref in v.
func walkRefs(v any, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			fn(ref)
		}
		for _, x := range v {
			walkRefs(x, fn)
		}
	case []any:
		for _, x := range v {
			walkRefs(x, fn)
		}
	}
}

// pointer resolves a local JSON pointer reference such as #/components/schemas/X.
func pointer(root any, ref string) (any, bool) {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	v := root
	for _, part := range strings.Split(path, "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

// TestOpenRPCMatchesDispatch checks every method gorilla/rpc dispatches
// against the document, by reflecting over the receivers on its own.
func TestOpenRPCMatchesDispatch(t *testing.T) {
	doc, _ := readDoc(t)
	h, err := NewHandler(nil, nil, Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, rm := range registry {
		seen++
		m, ok := doc.method(rm.name)
		if !ok {
			t.Errorf("%s is dispatched but not in the document", rm.name)
			continue
		}
		checkSignedMethod(t, doc, m, rm.in.Name(), rm.out.Name())
	}
	if seen == 0 || len(doc.Methods) != seen+1 {
		t.Errorf("%d methods in the document, want the %d dispatched and %s", len(doc.Methods), seen, DiscoverMethod)
	}
	for _, m := range doc.Methods {
		if _, full := gorillaName(m.Name); h.server.HasMethod(full) == (m.Name == DiscoverMethod) {
			t.Errorf("%s: registered with gorilla/rpc = %v", m.Name, m.Name == DiscoverMethod)
		}
	}
}

func checkSignedMethod(t *testing.T, doc discDoc, m discMethod, in, out string) {
	t.Helper()
	if len(m.Params) != 2 || m.Params[0].Name != "api" || m.Params[1].Name != "payload" ||
		!m.Params[0].Required || !m.Params[1].Required || m.ParamStructure != "either" {
		t.Errorf("%s: params %+v, want api and payload, both required, by name or by position", m.Name, m.Params)
		return
	}
	if got := refOf(m.Params[1].Schema); got != "#/components/schemas/"+in {
		t.Errorf("%s: payload schema %q, want %s", m.Name, got, in)
	}
	if got := refOf(m.Result.Schema); got != "#/components/schemas/"+out {
		t.Errorf("%s: result schema %q, want %s", m.Name, got, out)
	}
	if m.Summary == "" || m.Mutates != methodTable[m.Name].mutates {
		t.Errorf("%s: summary %q, x-mutates %v; want a summary and %v", m.Name, m.Summary, m.Mutates, methodTable[m.Name].mutates)
	}
	codes := map[int]bool{}
	for _, e := range m.Errors {
		reason, _ := strings.CutPrefix(refOf(e), "#/components/errors/")
		obj, ok := doc.Components.Errors[reason]
		if !ok || codes[obj.Code] {
			t.Errorf("%s: error %v does not resolve or repeats a code", m.Name, e)
		}
		codes[obj.Code] = true
	}
	for _, code := range []int{CodeInvalidParams, CodeUnauthenticated, CodeInvalidSignature, CodeInternal} {
		if !codes[code] {
			t.Errorf("%s: errors lack %d", m.Name, code)
		}
	}
	if codes[CodeIdempotencyConflict] != m.Mutates {
		t.Errorf("%s: lists %d = %v, want it only for methods that change data", m.Name, CodeIdempotencyConflict, codes[CodeIdempotencyConflict])
	}
}

func TestOpenRPCSchemas(t *testing.T) {
	doc, _ := readDoc(t)
	in := doc.Components.Schemas["AddAccountInput"]
	var decoded []string
	for _, n := range payload.FieldNames(reflect.TypeFor[account.AddAccountInput]()) {
		if n != "" {
			decoded = append(decoded, n)
		}
	}
	slices.Sort(decoded)
	if got := propertyNames(in); !slices.Equal(got, decoded) || !isSubset([]string{"customerID", "name", "accountType", "currency", "activityAccountNumber"}, got) {
		t.Errorf("AddAccountInput properties %q, want the decoder's %q", got, decoded)
	}
	if req := requiredNames(in); !slices.Equal(req, []string{"accountType", "currency", "customerID", "name"}) {
		t.Errorf("AddAccountInput requires %q, want the four members AddAccount refuses to go without", req)
	}
	tests := []struct {
		schema, property string
		want             string // the property's schema as JSON
	}{
		{"AddCustomerInput", "identification", `{"type":"array","items":{"$ref":"#/components/schemas/Identification"},"maxItems":10}`},
		{"AddCustomerInput", "firstName", `{"type":"string","maxLength":140}`},
		{"Contact", "email", `{"type":"string","maxLength":254}`},
		{"UploadPortraitInput", "image", `{"type":"string"}`}, // bounded by the upload body limit
		{"AddCustomerInput", "contact", `{"$ref":"#/components/schemas/Contact"}`},
		{"GetCustomerInput", "identification", `{"$ref":"#/components/schemas/Identification"}`},
		{"ListAccountsInput", "pageNumber", `{"type":"integer"}`},
		{"CustomerView", "address", `{"$ref":"#/components/schemas/Address"}`},
		{"CustomerView", "createTime", `{"type":"integer"}`},
		{"AccountPage", "accounts", `{"type":"array","items":{"$ref":"#/components/schemas/AccountDetails"}}`},
		{"API", "keyId", `{"type":"string","description":"The key id (k_...); not secret."}`},
		{"VerifyEmailOrMobileInput", "personalIdType", `{"type":["string","integer"],"enum":["101","102","103",101,102,103]}`},
		{"ListAbnormalAccountsInput", "pageNo", `{"type":"integer"}`},
	}
	for _, tt := range tests {
		props, _ := doc.Components.Schemas[tt.schema]["properties"].(map[string]any)
		if !sameJSON(t, props[tt.property], tt.want) {
			t.Errorf("%s.%s = %v, want %s", tt.schema, tt.property, props[tt.property], tt.want)
		}
	}
	if got := requiredNames(doc.Components.Schemas["AddAccountResult"]); !slices.Equal(got, []string{"ID", "accountNumber", "accountType", "customerID", "institutionID", "status"}) {
		t.Errorf("AddAccountResult requires %q, want all six members", got)
	}
	if got := requiredNames(doc.Components.Schemas["AccountDetails"]); len(got) != 14 || slices.Contains(got, "custodialType") {
		t.Errorf("AccountDetails requires %q, want the 14 members without omitempty", got)
	}
}

func isSubset(small, big []string) bool {
	for _, s := range small {
		if !slices.Contains(big, s) {
			return false
		}
	}
	return true
}

func sameJSON(t *testing.T, got any, want string) bool {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	var g any
	json.Unmarshal(b, &g) //nolint:errcheck // marshaled just above
	return reflect.DeepEqual(g, w)
}

// TestOpenRPCEnvelopeMatchesClient checks the documented params against the
// envelope the signing client sends.
func TestOpenRPCEnvelopeMatchesClient(t *testing.T) {
	doc, _ := readDoc(t)
	body, err := client.EnvelopeWith("AccountService.GetDetails", json.RawMessage("1"),
		client.API{KeyID: "k_1", Credential: "c_1", Signature: "sig", Timestamp: "2026-12-07T10:15:30.123Z"}, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var req struct {
		Params map[string]json.RawMessage `json:"params"`
	}
	var api map[string]string
	if err := json.Unmarshal(body, &req); err != nil || json.Unmarshal(req.Params["api"], &api) != nil {
		t.Fatalf("envelope %s: %v", body, err)
	}
	m, _ := doc.method("AccountService.GetDetails")
	var params, apiKeys []string
	for _, p := range m.Params {
		params = append(params, p.Name)
	}
	for k := range api {
		apiKeys = append(apiKeys, k)
	}
	slices.Sort(params)
	slices.Sort(apiKeys)
	if got := slices.Sorted(maps.Keys(req.Params)); !slices.Equal(got, params) {
		t.Errorf("the client sends params %q, the document says %q", got, params)
	}
	apiSchema := doc.schema(t, m.Params[0].Schema)
	if got := propertyNames(apiSchema); !slices.Equal(got, apiKeys) || !slices.Equal(requiredNames(apiSchema), apiKeys) {
		t.Errorf("the client sends api %q, the document says %q", apiKeys, got)
	}
}

func TestOpenRPCIsDeterministic(t *testing.T) {
	a, errA := buildOpenRPC()
	b, errB := buildOpenRPC()
	cached, errC := OpenRPCDocument()
	if errA != nil || errB != nil || errC != nil {
		t.Fatal(errA, errB, errC)
	}
	if !bytes.Equal(a, b) || !bytes.Equal(a, cached) {
		t.Fatal("two builds of the document differ")
	}
}

type discInner struct {
	A string `json:"a"`
}

// discNode covers the Go types the generator turns into schemas.
type discNode struct {
	Name    string          `json:"name"`
	Next    *discNode       `json:"next,omitempty"`
	When    time.Time       `json:"when"`
	Amount  json.Number     `json:"amount"`
	Tags    map[string]int  `json:"tags,omitempty"`
	Blob    []byte          `json:"blob,omitzero"`
	Any     any             `json:"any,omitempty"`
	Inline  struct{ B int } `json:"inline"`
	Inner   []discInner     `json:"inner"`
	Skipped string          `json:"-"`
	Plain   bool
	hidden  string
}

func TestSchemaGen(t *testing.T) {
	props := `"name":{"type":"string"},"next":{"$ref":"#/components/schemas/discNode"},` +
		`"when":{"type":"string","format":"date-time"},"amount":{"type":"number"},` +
		`"tags":{"type":"object","additionalProperties":{"type":"integer"}},` +
		`"blob":{"type":"string","contentEncoding":"base64"},"any":{},` +
		`"inner":{"type":"array","items":{"$ref":"#/components/schemas/discInner"}},"Plain":{"type":"boolean"}`
	tests := []struct {
		name  string
		input bool
		want  string // the components
	}{
		{"result", false, `{"discNode":{"title":"discNode","type":"object","properties":{` + props +
			`,"inline":{"type":"object","properties":{"B":{"type":"integer"}},"required":["B"]}},` +
			`"required":["name","when","amount","inline","inner","Plain"]},` +
			`"discInner":{"title":"discInner","type":"object","properties":{"a":{"type":"string"}},"required":["a"]}}`},
		{"payload", true, `{"discNode":{"title":"discNode","type":"object","properties":{` + props +
			`,"inline":{"type":"object","properties":{"B":{"type":"integer"}}}}},` +
			`"discInner":{"title":"discInner","type":"object","properties":{"a":{"type":"string"}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := openrpc.NewGenerator(memberEnums, specialSchemas)
			ref, err := g.Schema(reflect.TypeFor[*discNode](), tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if refOf(ref) != "#/components/schemas/discNode" {
				t.Fatalf("schema %v, want a reference", ref)
			}
			if got, _ := g.Components(); !sameJSON(t, got, tt.want) {
				b, _ := json.Marshal(got)
				t.Fatalf("got %s\nwant %s", b, tt.want)
			}
		})
	}
}

type discEmbeds struct{ discInner }

type discStringOption struct {
	N int `json:"n,string"`
}

type discChan struct {
	C chan int `json:"c"`
}

type discStructKey struct {
	M map[discInner]int `json:"m"`
}

type discDup struct{ A string }

func TestSchemaGenRefuses(t *testing.T) {
	type discDup struct{ B string } // another type of the same name
	tests := []struct {
		name  string
		types []reflect.Type
		want  string
	}{
		{"embedded struct", []reflect.Type{reflect.TypeFor[discEmbeds]()}, "embedded"},
		{"string option", []reflect.Type{reflect.TypeFor[discStringOption]()}, "string option"},
		{"channel", []reflect.Type{reflect.TypeFor[discChan]()}, "no JSON form"},
		{"struct map key", []reflect.Type{reflect.TypeFor[discStructKey]()}, "map keys"},
		{"two types, one name", []reflect.Type{reflect.TypeFor[discDupPackage](), reflect.TypeFor[discDup]()}, "both named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := openrpc.NewGenerator(memberEnums, specialSchemas)
			var err error
			for _, typ := range tt.types {
				if _, err = g.Schema(typ, false); err != nil {
					break
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// discDupPackage is the package-level discDup, which the test's local type
// shadows.
type discDupPackage = discDup

// discAuth counts authentications and refuses them all.
type discAuth struct{ calls atomic.Int32 }

func (a *discAuth) Authenticate(context.Context, string, string) (partner.Identity, error) {
	a.calls.Add(1)
	return partner.Identity{}, services.ErrUnauthenticated
}

func (a *discAuth) Verify(partner.Identity, partner.SignedRequest) error {
	a.calls.Add(1)
	return services.ErrInvalidSignature
}

// TestDiscoverWithoutAuth calls rpc.discover through the HTTP handler with
// no api block and no signature.
func TestDiscoverWithoutAuth(t *testing.T) {
	auth := &discAuth{}
	h, err := NewHandler(nil, auth, Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h.Routes())
	t.Cleanup(ts.Close)
	rpcClient := &client.Client{URL: ts.URL + "/jsonrpc", HTTP: ts.Client()}
	doc, err := buildOpenRPC()
	if err != nil {
		t.Fatal(err)
	}
	doc = withServer(doc, rpcClient.URL)
	signed := `{"jsonrpc":"2.0","method":"AccountService.GetDetails","id":9,"params":{"api":{"keyId":"k_x","credential":"c","signature":"s"},"payload":{}}}`
	tests := []struct {
		name       string
		body       string
		wantStatus int
		want       string // the response, with DOC for the document
		wantAuth   int32
	}{
		{"no params", `{"jsonrpc":"2.0","method":"rpc.discover","id":1}`, 200, `{"jsonrpc":"2.0","result":DOC,"id":1}`, 0},
		{"empty object", `{"jsonrpc":"2.0","method":"rpc.discover","id":"a","params":{}}`, 200, `{"jsonrpc":"2.0","result":DOC,"id":"a"}`, 0},
		{"empty array, no jsonrpc member", `{"method":"rpc.discover","id":null,"params":[ ]}`, 200, `{"jsonrpc":"2.0","result":DOC,"id":null}`, 0},
		{"params given", `{"jsonrpc":"2.0","method":"rpc.discover","id":2,"params":{"api":{}}}`, 200,
			`{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params","data":{"reason":"INVALID_PARAMS","fields":[{"field":"params","reason":"NOT_ALLOWED","message":"rpc.discover takes no params"}]}},"id":2}`, 0},
		{"notification", `{"jsonrpc":"2.0","method":"rpc.discover"}`, 204, ``, 0},
		{"other case", `{"jsonrpc":"2.0","method":"RPC.discover","id":3}`, 200,
			`{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found","data":{"reason":"METHOD_NOT_FOUND","detail":"no method RPC.discover"}},"id":3}`, 0},
		{"batch with a signed call", `[{"jsonrpc":"2.0","method":"rpc.discover","id":4},` + signed + `]`, 200,
			`[{"jsonrpc":"2.0","result":DOC,"id":4},{"jsonrpc":"2.0","error":` + mustJSON(t, toError(services.ErrUnauthenticated)) + `,"id":9}]`, 1},
		// A small unauthenticated batch must not ask for a huge answer.
		{"batch asking twice", `[{"method":"rpc.discover","id":5},{"method":"rpc.discover","id":6},{"method":"rpc.discover","id":7}]`, 200,
			`[{"jsonrpc":"2.0","result":DOC,"id":5},` +
				`{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request","data":{"reason":"DISCOVER_ONCE_PER_BATCH","detail":"rpc.discover may appear once in a batch"}},"id":6},` +
				`{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request","data":{"reason":"DISCOVER_ONCE_PER_BATCH","detail":"rpc.discover may appear once in a batch"}},"id":7}]`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := auth.calls.Load()
			status, body, err := rpcClient.Post(context.Background(), []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tt.want, "DOC", string(doc))
			if status != tt.wantStatus || !equalJSON(body, []byte(want)) {
				t.Fatalf("HTTP %d %.300s\nwant HTTP %d %.300s", status, body, tt.wantStatus, want)
			}
			if got := auth.calls.Load() - before; got != tt.wantAuth {
				t.Fatalf("%d authentications, want %d", got, tt.wantAuth)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func equalJSON(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y bytes.Buffer
	return json.Compact(&x, a) == nil && json.Compact(&y, b) == nil && bytes.Equal(x.Bytes(), y.Bytes())
}

// TestResultsMatchSchemas calls every method, signed, on a real database
// and checks each result against the document's result schema.
func TestResultsMatchSchemas(t *testing.T) {
	doc, _ := readDoc(t)
	run := runExamples(t, func(method string, result map[string]any) {
		m, _ := doc.method(method)
		conform(t, doc, method, m.Result.Schema, result)
	})
	for m := range methodTable {
		if run.results[m] == nil {
			t.Errorf("%s: no call checks its result against the document", m)
		}
	}
}

// exampleRun is a handler on a real database (the driver under test) on
// which every method was called with an example payload that succeeds.
type exampleRun struct {
	dsn      string // the database's, for storetest's checks
	h        *Handler
	key      *client.KeyFile
	svc      *bank.Bank
	clock    *stepClock
	results  map[string]map[string]any // each method's last result
	payloads map[string]string         // each method's first example payload
}

// runExamples calls every method with its examples, in an order that makes
// each succeed, and hands each result to check.
func runExamples(t *testing.T, check func(method string, result map[string]any)) *exampleRun {
	t.Helper()
	ctx := context.Background()
	st, dsn := storetest.OpenDSN(t)
	k, err := partner.NewPartners(st, nil).CreateKey(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	clock := &stepClock{now: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399", IdempotencyTTL: time.Hour, BankCode: "970"}, bank.WithClock(clock))
	t.Cleanup(func() { svc.Close(ctx) }) // writes the name inquiries' audit rows before the store closes
	h, err := NewHandler(svc, partner.NewAuthenticator(st, nil, time.Second), Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	run := &exampleRun{dsn: dsn, h: h, svc: svc, clock: clock, key: &client.KeyFile{KeyID: k.KeyID, Credential: k.Credential, PrivateKey: k.PrivateKeyPEM},
		results: map[string]map[string]any{}, payloads: map[string]string{}}
	results := run.results
	n := 0
	call := func(method, payload string) {
		t.Helper()
		n++
		body, err := run.key.Envelope(method, json.RawMessage(fmt.Sprintf(`"%s-%d"`, method, n)), []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		resp := h.handleBody(ctx, body).(*response)
		var result map[string]any
		if resp.Error != nil || json.Unmarshal(resp.Result, &result) != nil {
			t.Fatalf("%s: %+v %s", method, resp.Error, resp.Result)
		}
		check(method, result)
		results[method] = result
		if _, seen := run.payloads[method]; !seen {
			run.payloads[method] = payload
		}
	}
	call("CustomerService.AddCustomer", `{"type":"INDIVIDUAL","firstName":"Dave","lastName":"Miller","DOB":"19850412",
		"identification":[{"type":"SSN","value":"123456789"}],"contact":{"email":"dave@example.com"},"address":{"city":"Austin","country":"US"}}`)
	id := results["CustomerService.AddCustomer"]["ID"]
	call("CustomerService.AddAccount", fmt.Sprintf(`{"customerID":%q,"name":"DAVE","accountType":"CHECKING","currency":"USD"}`, id))
	number := results["CustomerService.AddAccount"]["accountNumber"]
	call("CustomerService.GetCustomer", fmt.Sprintf(`{"ID":%q}`, id))
	call("AccountService.GetDetails", fmt.Sprintf(`{"accountId":%q}`, number))
	call("AccountService.ListAccounts", fmt.Sprintf(`{"customerID":%q}`, id))
	lifecycleCalls(t, svc, clock, call, results)
	onboardingCalls(t, svc, call, results)
	return run
}

// conform checks v against s: types, members the schema does not name, and
// required members.
func conform(t *testing.T, doc discDoc, path string, s map[string]any, v any) {
	t.Helper()
	s = doc.schema(t, s)
	ok := true
	switch s["type"] {
	case "object":
		var obj map[string]any
		if obj, ok = v.(map[string]any); ok {
			props, _ := s["properties"].(map[string]any)
			for name, x := range obj {
				if ps, known := props[name].(map[string]any); known {
					conform(t, doc, path+"."+name, ps, x)
				} else {
					t.Errorf("%s.%s is sent but not in the schema", path, name)
				}
			}
			for _, name := range requiredNames(s) {
				if _, present := obj[name]; !present {
					t.Errorf("%s.%s is required but not sent", path, name)
				}
			}
		}
	case "array":
		var arr []any
		if arr, ok = v.([]any); ok {
			for i, x := range arr {
				conform(t, doc, fmt.Sprintf("%s[%d]", path, i), s["items"].(map[string]any), x)
			}
		}
	case "string":
		_, ok = v.(string)
	case "integer":
		f, isNum := v.(float64)
		ok = isNum && f == math.Trunc(f)
	case "number":
		_, ok = v.(float64)
	case "boolean":
		_, ok = v.(bool)
	}
	if !ok {
		t.Errorf("%s = %v, not of type %v", path, v, s["type"])
	}
}

// codeSender keeps the messages the dispatcher hands it.
type codeSender struct{ msgs []notify.Message }

func (c *codeSender) Send(_ context.Context, m notify.Message) error {
	c.msgs = append(c.msgs, m)
	return nil
}

// code dispatches the queued messages and returns the code of requestID
// for purpose.
func (c *codeSender) code(t *testing.T, svc *bank.Bank, requestID any, purpose string) string {
	t.Helper()
	if _, err := svc.OTP.DispatchOnce(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	for _, m := range c.msgs {
		if m.RequestID == requestID && m.Purpose == purpose {
			return m.Code
		}
	}
	t.Fatalf("no %s code for %v", purpose, requestID)
	return ""
}

// lifecycleCalls calls the account lifecycle, OTP, short code and name
// inquiry methods, each once with a result.
func lifecycleCalls(t *testing.T, svc *bank.Bank, clock *stepClock, call func(method, payload string), results map[string]map[string]any) {
	codes := &codeSender{}
	call("CustomerService.AddCustomer", `{"type":"INDIVIDUAL","firstName":"Wanjiru","lastName":"Kamau","DOB":"19880304",
		"identification":[{"type":"NATIONAL_ID","value":"23456789"}],"contact":{"phoneNumber":"+254712345678","email":"wanjiru@example.com"}}`)
	id := results["CustomerService.AddCustomer"]["ID"]
	call("CustomerService.AddAccount", fmt.Sprintf(`{"customerID":%q,"name":"WANJIRU","accountType":"WALLET","currency":"KES"}`, id))
	first := results["CustomerService.AddAccount"]["accountNumber"]
	call("CustomerService.AddAccount", fmt.Sprintf(`{"customerID":%q,"name":"WANJIRU SAVINGS","accountType":"SAVINGS","currency":"KES"}`, id))
	second := results["CustomerService.AddAccount"]["accountNumber"]
	doc := `"onboardType":"personal","personalIdType":101,"documentNumber":"23456789"`

	call("VerificationService.VerifyEmailOrMobile", `{`+doc+`,"verifyType":"mobile"}`)
	rid := results["VerificationService.VerifyEmailOrMobile"]["requestId"]
	call("VerificationService.ConfirmOTP", fmt.Sprintf(`{"requestId":%q,"otp":%q}`, rid, codes.code(t, svc, rid, otp.PurposeOTP)))
	call("VerificationService.VerifyEmailAddress", `{`+doc+`}`)
	call("AccountService.CancelOperation", fmt.Sprintf(`{"requestId":%q}`, results["VerificationService.VerifyEmailAddress"]["requestId"]))
	call("CustomerService.AddOrUpdateEmail", `{`+doc+`,"email":"wanjiru.kamau@example.com"}`)
	call("CustomerService.ChangeMobile", fmt.Sprintf(`{"accountId":%q,"newMobileCountryCode":"254","newMobileNumber":"0722000111"}`, first))
	rid = results["CustomerService.ChangeMobile"]["requestId"]
	call("CustomerService.ConfirmMobileChange", fmt.Sprintf(`{"requestId":%q,"proveIdCode":%q,"confirmChangeCode":%q}`, rid,
		codes.code(t, svc, rid, otp.PurposeProveID), codes.code(t, svc, rid, otp.PurposeConfirmChange)))

	call("AccountService.ApplyShortCode", fmt.Sprintf(`{"accountId":%q}`, first))
	call("AccountService.GetShortCode", fmt.Sprintf(`{"accountId":%q}`, first))
	call("AccountService.GetAccountByShortCode", fmt.Sprintf(`{"shortCode":%q}`, results["AccountService.ApplyShortCode"]["shortCode"]))
	call("AccountService.FreezeAccount", fmt.Sprintf(`{"accountNumber":%q,"reasonCode":"AML_REVIEW","reason":"review","expiresAt":"2027-01-01T00:00:00Z"}`, first))
	call("AccountService.UnfreezeAccount", fmt.Sprintf(`{"accountNumber":%q,"reason":"cleared"}`, first))
	call("AccountService.UpdateAccountStatus", fmt.Sprintf(`{"accountNumber":%q,"status":"SUSPENDED","reason":"court order"}`, first))
	call("AccountService.GetStatusHistory", fmt.Sprintf(`{"accountNumber":%q}`, first))
	call("AccountService.ListAbnormalAccounts", `{"pageNo":1,"pageSize":10}`)
	call("AccountService.ValidateName", fmt.Sprintf(`{"bankCode":"970","accountNumber":%q,"additionalInfo":{"deviceId":"d1","channel":"mobilephone"}}`, second))

	call("CustomerService.AddCustomer", `{"type":"BUSINESS","businessNameLegal":"Choice Microfinance Bank","dateEstablished":"20100101",
		"identification":[{"type":"BUSINESS_REGISTRATION","value":"CPR/2010/12345"}],"contact":{"email":"ops@choice.example"}}`)
	call("CustomerService.AddAccount", fmt.Sprintf(`{"customerID":%q,"name":"CHOICE","accountType":"CHECKING","currency":"KES"}`, results["CustomerService.AddCustomer"]["ID"]))
	call("AccountService.EditSubAccountName", fmt.Sprintf(`{"accountId":%q,"subAccountName":"ABC Company"}`, results["CustomerService.AddAccount"]["accountNumber"]))

	call("CustomerService.UpdateProtectAgreement", fmt.Sprintf(`{"customerID":%q,"agreed":true,"version":"2025.1","channel":"MOBILE"}`, id))
	call("CustomerService.GetCustomer", fmt.Sprintf(`{"ID":%q}`, id)) // with its protectAgreement
	call("CustomerService.UpdateBlacklist", `{"phoneNumber":"+254733000999","action":"ADD","reason":"SIM swap"}`)
	call("CustomerService.ValidateLegalID", `{"type":"CCCD","number":"087084000999","DOB":"19840101","gender":"MALE"}`)
	call("CustomerService.ValidatePhoneNumber", `{"phoneNumber":"0912345678","country":"VN"}`)
	call("CustomerService.ValidateEKYC", `{"firstName":"An","lastName":"Nguyen","DOB":"19840506","gender":"MALE",
		"identification":{"type":"CCCD","number":"087084000999","issueDate":"20210101","expiryDate":"20440506"},"phoneNumber":"+84912345678"}`)
	call("CustomerService.OnboardCombo", `{"customer":{"type":"INDIVIDUAL","firstName":"Achieng","lastName":"Ouma","DOB":"19910330",
		"identification":[{"type":"NATIONAL_ID","value":"26000001"}],"contact":{"phoneNumber":"+254726000001"}},"username":"achieng.o","channel":"MOBILE","currency":"KES"}`)
	call("CustomerService.OpenCurrentAccount", fmt.Sprintf(`{"customerID":%q,"currency":"USD"}`, results["CustomerService.OnboardCombo"]["customerID"]))
	call("CustomerService.ValidateMobileUser", `{"phoneNumber":"+254726000001"}`)
	call("UserService.UpdateUserStatus", `{"username":"achieng.o","status":"LOCKED","reason":"lost phone"}`)
	call("UserService.GetUserInfo", `{"username":"achieng.o"}`)
	call("UserService.CloseMobileAccount", `{"username":"achieng.o"}`)
	call("AccountService.CheckNiceNumber", `{"number":"20246666"}`)
	call("AccountService.SearchNiceNumbers", `{"pattern":"*6868","length":8,"pageSize":5}`)
	call("AccountService.HoldNiceNumber", fmt.Sprintf(`{"number":"20246666","customerID":%q}`, id))
	call("AccountService.ReleaseNiceNumber", `{"number":"20246666"}`)
	clock.now = clock.now.Add(181 * 24 * time.Hour)
	if rep, err := svc.Accounts.SweepDormancy(context.Background()); err != nil || rep.Dormant == 0 {
		t.Fatalf("sweep: %+v %v", rep, err)
	}
	call("AccountService.ActivateAccount", fmt.Sprintf(`{"accountId":%q}`, second))
}

// stepClock is moved by the test between calls, never concurrently.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }
