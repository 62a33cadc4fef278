package rpc

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/contact"
)

// discoverMethod is OpenRPC's service discovery method. Its name is in the
// namespace JSON-RPC 2.0 reserves for rpc-internal methods: the handler
// answers it itself, before authentication, and it never reaches
// gorilla/rpc.
const discoverMethod = "rpc.discover"

// metaSchemaURL is the OpenRPC meta-schema, the schema of rpc.discover's
// result.
const metaSchemaURL = "https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json"

// apiComponent names the schema of params.api.
const apiComponent = "API"

// discovery holds the OpenRPC document, built on first use: it depends on
// types and tables only, never on data.
var discovery struct {
	once sync.Once
	doc  json.RawMessage
	err  error
}

func openRPCDocument() (json.RawMessage, error) {
	discovery.once.Do(func() {
		defer func() {
			if p := recover(); p != nil {
				discovery.doc, discovery.err = nil, fmt.Errorf("build the OpenRPC document: panic: %v", p)
			}
		}()
		discovery.doc, discovery.err = buildOpenRPC()
	})
	return discovery.doc, discovery.err
}

// discover answers rpc.discover. It is public: the document describes the
// API and holds no data, so it needs neither the api block nor a signature.
func discover(req request, out *callOutcome) *response {
	if !emptyParams(req.params) {
		e := paramsError(services.FieldError{Field: "params", Reason: services.ReasonNotAllowed,
			Message: discoverMethod + " takes no params"})
		out.code = e.Code
		return errorResponse(req.id, e)
	}
	doc, err := openRPCDocument()
	if err != nil {
		out.code, out.err = CodeInternal, err
		return errorResponse(req.id, internalError())
	}
	return &response{JSONRPC: "2.0", Result: doc, ID: req.id}
}

// emptyParams reports whether params is absent, {} or [].
func emptyParams(params json.RawMessage) bool {
	params = bytes.TrimSpace(params)
	if len(params) == 0 {
		return true
	}
	if members, ok := objectMembers(params); ok {
		return len(members) == 0
	}
	var items []json.RawMessage
	return json.Unmarshal(params, &items) == nil && len(items) == 0
}

// The OpenRPC 1.3.2 objects this document uses (https://spec.open-rpc.org).
type (
	openRPCDoc struct {
		OpenRPC    string            `json:"openrpc"`
		Info       openRPCInfo       `json:"info"`
		Methods    []openRPCMethod   `json:"methods"`
		Components openRPCComponents `json:"components"`
	}
	openRPCInfo struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Version     string `json:"version"`
	}
	openRPCMethod struct {
		Name           string              `json:"name"`
		Summary        string              `json:"summary"`
		Description    string              `json:"description"`
		ParamStructure string              `json:"paramStructure,omitempty"`
		Params         []contentDescriptor `json:"params"`
		Result         contentDescriptor   `json:"result"`
		Errors         []jsonSchema        `json:"errors"`
		Mutates        bool                `json:"x-mutates"`
	}
	contentDescriptor struct {
		Name        string     `json:"name"`
		Description string     `json:"description,omitempty"`
		Required    bool       `json:"required,omitempty"`
		Schema      jsonSchema `json:"schema"`
	}
	openRPCComponents struct {
		Schemas map[string]jsonSchema `json:"schemas"`
		Errors  map[string]Error      `json:"errors"`
	}
	// jsonSchema is a JSON Schema (draft 7, as OpenRPC uses) or a
	// reference object; encoding/json writes its keys sorted.
	jsonSchema = map[string]any
)

// buildOpenRPC returns the OpenRPC document of every method in methodTable,
// with the payload and result schemas generated from the gorilla/rpc
// receivers' argument and reply types. The output is deterministic.
func buildOpenRPC() ([]byte, error) {
	methods, err := dispatchedMethods()
	if err != nil {
		return nil, err
	}
	g := newSchemaGen()
	g.types[apiComponent] = nil // written by hand below: no Go type may take the name
	g.schemas[apiComponent] = apiSchema()
	errs := errorComponents()
	doc := openRPCDoc{
		OpenRPC: "1.3.2",
		Info: openRPCInfo{Title: "accountd", Version: apiVersion(),
			Description: "Signed JSON-RPC 2.0 on POST /jsonrpc. Every method but " + discoverMethod +
				` takes params {"api": {keyId, credential, signature, timestamp}, "payload": {...}}; the ACCOUNTD-V2 signature covers` +
				` "ACCOUNTD-V2" LF method LF id LF timestamp LF payload: the method, the id's JSON text, the timestamp and the exact bytes of params.payload.`},
		Methods: []openRPCMethod{discoverDescription()},
	}
	for _, m := range methods {
		om, err := g.method(m)
		if err != nil {
			return nil, fmt.Errorf("describe %s: %w", m.name, err)
		}
		doc.Methods = append(doc.Methods, om)
	}
	slices.SortFunc(doc.Methods, func(a, b openRPCMethod) int { return strings.Compare(a.Name, b.Name) })
	doc.Components = openRPCComponents{Schemas: g.components(), Errors: errs}
	return json.Marshal(doc)
}

// dispatchedMethods returns the registry sorted by name.
func dispatchedMethods() ([]method, error) {
	out := slices.Clone(registry)
	slices.SortFunc(out, func(a, b method) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// method describes one signed method.
func (g *schemaGen) method(m method) (openRPCMethod, error) {
	payload, err := g.schema(m.in, true)
	if err != nil {
		return openRPCMethod{}, fmt.Errorf("payload %s: %w", m.in, err)
	}
	result, err := g.schema(m.out, false)
	if err != nil {
		return openRPCMethod{}, fmt.Errorf("result %s: %w", m.out, err)
	}
	desc := "Reads only; safe to retry."
	if m.mutates {
		desc = "Changes data. The request id is the idempotency key: the same id with the same method and payload returns the first answer again without a second effect. A notification (no id) is not executed."
	}
	return openRPCMethod{
		Name: m.name, Summary: m.summary, Description: desc, ParamStructure: "by-name",
		Params: []contentDescriptor{
			{Name: "api", Required: true, Schema: componentRef("schemas", apiComponent),
				Description: "Who is calling; checked before the payload is read."},
			{Name: "payload", Required: true, Schema: payload,
				Description: "Member names match without regard to case and null means absent. Unknown members, members given twice, values of the wrong type and strings or arrays over their maxLength or maxItems (TOO_LONG) are refused with -32602 naming every bad field; which members are required is checked by the method, so the schema lists none."},
		},
		Result:  contentDescriptor{Name: resultName(m.out), Schema: result},
		Errors:  methodErrors(m.mutates),
		Mutates: m.mutates,
	}, nil
}

func discoverDescription() openRPCMethod {
	return openRPCMethod{
		Name:        discoverMethod,
		Summary:     "Return this OpenRPC document",
		Description: "Public: needs no api block and no signature. params may be left out, {} or [].",
		Params:      []contentDescriptor{},
		Result:      contentDescriptor{Name: "OpenRPC Schema", Schema: jsonSchema{"$ref": metaSchemaURL}},
		Errors:      []jsonSchema{componentRef("errors", paramsError().Data.Reason), componentRef("errors", internalError().Data.Reason)},
	}
}

func apiSchema() jsonSchema {
	str := func(desc string) jsonSchema { return jsonSchema{"type": "string", "description": desc} }
	return jsonSchema{
		"type": "object",
		"properties": jsonSchema{
			"keyId":      str("The key id (k_...); not secret."),
			"credential": str("The key's credential; a secret."),
			"signature": str("Base64 (standard or URL-safe) of an ECDSA P-256/SHA-256 signature, ASN.1 DER or raw r||s, over the UTF-8 bytes of " +
				"\"ACCOUNTD-V2\" LF method LF id LF timestamp LF payload: the method's value, the id member's JSON text as it stands in the body " +
				"(empty without an id), params.api.timestamp's value and the exact bytes of params.payload."),
			"timestamp": jsonSchema{"type": "string", "format": "date-time", "maxLength": 40,
				"description": "RFC 3339 in UTC with upper-case T and Z and up to nine fraction digits, e.g. 2026-12-07T10:15:30.123Z; within auth.max_clock_skew (5 minutes) of the server's clock. " +
					"Only keys with the NETXD signature policy may leave it out and sign the payload bytes alone."},
		},
		"required":             []string{"keyId", "credential", "signature", "timestamp"},
		"additionalProperties": false,
	}
}

// errorComponents is the error table, and the internal error, by reason.
func errorComponents() map[string]Error {
	out := map[string]Error{}
	for _, e := range append(ErrorCatalogue(), *internalError()) {
		out[e.Data.Reason] = e
	}
	return out
}

// methodErrors refers to the errors a signed method may return: the whole
// table, but the idempotency errors only for methods that change data.
func methodErrors(mutates bool) []jsonSchema {
	var out []jsonSchema
	for _, e := range errorTable {
		if !mutates && (e.code == CodeIdempotencyConflict || e.code == CodeRequestInProgress) {
			continue
		}
		out = append(out, componentRef("errors", e.reason))
	}
	return append(out, componentRef("errors", internalError().Data.Reason))
}

func componentRef(kind, name string) jsonSchema {
	return jsonSchema{"$ref": "#/components/" + kind + "/" + name}
}

func resultName(t reflect.Type) string {
	if t.Name() != "" {
		return t.Name()
	}
	return "result"
}

// apiVersion is the build's module version, or "dev".
func apiVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// schemaGen writes JSON Schemas for Go types as encoding/json writes them
// and decodePayload reads them. Named struct types become components,
// referred to by $ref. A struct's members without omitempty are required
// in results, where the server always writes them; payload types list no
// required members, since the methods' own checks decide (often one of
// several, or by type), so a type reached from a payload has none.
type schemaGen struct {
	schemas  map[string]jsonSchema
	types    map[string]reflect.Type
	required map[string][]string
	input    map[string]bool
	visited  map[visit]bool
}

type visit struct {
	t     reflect.Type
	input bool
}

func newSchemaGen() *schemaGen {
	return &schemaGen{schemas: map[string]jsonSchema{}, types: map[string]reflect.Type{},
		required: map[string][]string{}, input: map[string]bool{}, visited: map[visit]bool{}}
}

// components returns the component schemas, required lists attached.
func (g *schemaGen) components() map[string]jsonSchema {
	for name, req := range g.required {
		if len(req) > 0 && !g.input[name] {
			g.schemas[name]["required"] = req
		}
	}
	return g.schemas
}

var (
	requestPtrType    = reflect.TypeFor[*http.Request]()
	errorType         = reflect.TypeFor[error]()
	timeType          = reflect.TypeFor[time.Time]()
	numberType        = reflect.TypeFor[json.Number]()
	rawMessageType    = reflect.TypeFor[json.RawMessage]()
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// schema returns the schema of t; input is true for types reached from a
// payload.
var personalIDType = reflect.TypeOf(contact.PersonalIDType(""))

func (g *schemaGen) schema(t reflect.Type, input bool) (jsonSchema, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return jsonSchema{"type": "string", "format": "date-time"}, nil
	case t == numberType:
		return jsonSchema{"type": "number"}, nil
	case t == personalIDType:
		// The Kenyan seed sends it as "101" on some endpoints and 101 on others.
		return jsonSchema{"type": []string{"string", "integer"}, "enum": []any{"101", "102", "103", 101, 102, 103}}, nil
	case t == rawMessageType || implements(t, marshalerType):
		return jsonSchema{}, nil // any JSON value
	case implements(t, textMarshalerType):
		return jsonSchema{"type": "string"}, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return jsonSchema{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return jsonSchema{"type": "integer"}, nil
	case reflect.Float32, reflect.Float64:
		return jsonSchema{"type": "number"}, nil
	case reflect.String:
		return jsonSchema{"type": "string"}, nil
	case reflect.Interface:
		return jsonSchema{}, nil
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return jsonSchema{"type": "string", "contentEncoding": "base64"}, nil
		}
		items, err := g.schema(t.Elem(), input)
		return jsonSchema{"type": "array", "items": items}, err
	case reflect.Map:
		if k := t.Key().Kind(); k != reflect.String && (k < reflect.Int || k > reflect.Uintptr) && !implements(t.Key(), textMarshalerType) {
			return nil, fmt.Errorf("%s: map keys must be strings or integers", t)
		}
		values, err := g.schema(t.Elem(), input)
		return jsonSchema{"type": "object", "additionalProperties": values}, err
	case reflect.Struct:
		return g.structSchema(t, input)
	}
	return nil, fmt.Errorf("%s has no JSON form", t)
}

// sizeSchema adds a field's declared size limit to its schema: maxLength
// for a string, maxItems for an array.
func sizeSchema(s jsonSchema, limit services.FieldLimit) {
	if !limit.Declared || limit.Max == 0 {
		return
	}
	switch s["type"] {
	case "string":
		s["maxLength"] = limit.Max
	case "array":
		s["maxItems"] = limit.Max
	}
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || reflect.PointerTo(t).Implements(iface)
}

// reComponent is the shape OpenRPC allows for component names.
var reComponent = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// structSchema returns a reference to a named struct's component, writing
// the component on first use, or an anonymous struct's schema inline.
func (g *schemaGen) structSchema(t reflect.Type, input bool) (jsonSchema, error) {
	if t.Name() == "" {
		obj, req, err := g.object(t, input)
		if err == nil && len(req) > 0 && !input {
			obj["required"] = req
		}
		return obj, err
	}
	name := t.Name()
	if !reComponent.MatchString(name) {
		return nil, fmt.Errorf("%s: %q is not a valid component name", t, name)
	}
	if other, taken := g.types[name]; taken && other != t {
		return nil, fmt.Errorf("%s and %v are both named %s", t, other, name)
	}
	ref := componentRef("schemas", name)
	if g.visited[visit{t, input}] {
		return ref, nil
	}
	g.visited[visit{t, input}] = true
	g.types[name] = t
	g.input[name] = g.input[name] || input
	obj, req, err := g.object(t, input)
	if err != nil {
		return nil, err
	}
	g.schemas[name], g.required[name] = obj, req
	return ref, nil
}

// object returns a struct's object schema and the members it always
// writes. Member names are those decodePayload matches. What encoding/json
// and decodePayload would treat differently (embedded structs, the string
// option) is refused rather than described wrongly.
func (g *schemaGen) object(t reflect.Type, input bool) (jsonSchema, []string, error) {
	names := structFields(t).names
	props := jsonSchema{}
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		tagName, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && tagName == "":
			return nil, nil, fmt.Errorf("%s.%s: embedded structs are not supported", t, f.Name)
		case names[i] == "":
			continue
		case slices.Contains(strings.Split(opts, ","), "string"):
			return nil, nil, fmt.Errorf("%s.%s: the string option is not supported", t, f.Name)
		}
		if _, dup := props[names[i]]; dup {
			return nil, nil, fmt.Errorf("%s: two fields are named %q", t, names[i])
		}
		s, err := g.schema(f.Type, input)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		sizeSchema(s, services.LimitOf(f))
		props[names[i]] = s
		if o := strings.Split(opts, ","); !slices.Contains(o, "omitempty") && !slices.Contains(o, "omitzero") {
			required = append(required, names[i])
		}
	}
	return jsonSchema{"type": "object", "properties": props}, required, nil
}
