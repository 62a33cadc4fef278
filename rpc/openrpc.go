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

	"github.com/accountd/accountd/rpc/payload"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/onboarding"
)

// DiscoverMethod is OpenRPC's service discovery method. Its name is in the
// namespace JSON-RPC 2.0 reserves for rpc-internal methods: the handler
// answers it itself, before authentication, and it never reaches
// gorilla/rpc.
const DiscoverMethod = "rpc.discover"

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

func OpenRPCDocument() (json.RawMessage, error) {
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
func discover(req request, serverURL string, out *callOutcome) *response {
	if !emptyParams(req.params) {
		e := paramsError(services.FieldError{Field: "params", Reason: services.ReasonNotAllowed,
			Message: DiscoverMethod + " takes no params"})
		out.code = e.Code
		return errorResponse(req.id, e)
	}
	doc, err := OpenRPCDocument()
	if err != nil {
		out.code, out.err = CodeInternal, err
		return errorResponse(req.id, internalError())
	}
	return &response{JSONRPC: "2.0", Result: withServer(doc, serverURL), ID: req.id}
}

// endpointKey carries the endpoint's URL, for rpc.discover's servers.
type endpointKey struct{}

// withServer adds the servers member to the document: url is where this
// request reached the server.
func withServer(doc json.RawMessage, url string) json.RawMessage {
	if url == "" {
		url = "/jsonrpc"
	}
	servers, _ := json.Marshal([]openRPCServer{{Name: "accountd", URL: url}})
	out := make([]byte, 0, len(doc)+len(servers)+16)
	out = append(out, `{"servers":`...)
	out = append(out, servers...)
	out = append(out, ',')
	return append(out, doc[1:]...)
}

// reHost is the shape of a Host header this server echoes in servers: a
// name or an address, and a port.
var reHost = regexp.MustCompile(`^[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?$`)

// endpointURL is the URL a client used to reach /jsonrpc: publicURL when
// one is configured, else built from the request's scheme and Host, or ""
// when the Host header is not a plain host name.
func endpointURL(r *http.Request, publicURL string) string {
	switch {
	case publicURL != "":
		return publicURL
	case !reHost.MatchString(r.Host):
		return ""
	case r.TLS != nil:
		return "https://" + r.Host + r.URL.Path
	}
	return "http://" + r.Host + r.URL.Path
}

// emptyParams reports whether params is absent, {} or [].
func emptyParams(params json.RawMessage) bool {
	params = bytes.TrimSpace(params)
	if len(params) == 0 {
		return true
	}
	if members, ok := payload.Members(params); ok {
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
		Servers    []openRPCServer   `json:"servers,omitempty"`
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
		Examples       []openRPCExample    `json:"examples,omitempty"`
		Mutates        bool                `json:"x-mutates"`
		// JSONRPCName is the name as the server also knows it,
		// "Service.Method"; Name is the same with "_" for ".", so that
		// generated clients can use it as an identifier.
		JSONRPCName string `json:"x-jsonrpc-name"`
	}
	openRPCServer struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	openRPCExample struct {
		Name   string         `json:"name"`
		Params []exampleValue `json:"params"`
		Result exampleValue   `json:"result"`
	}
	exampleValue struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
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

// buildOpenRPC returns the OpenRPC document of every method in the
// registry, with the payload and result schemas generated from the types of
// the domain methods the entries name. The output is deterministic.
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
			Description: "Signed JSON-RPC 2.0 on POST /jsonrpc. Every method but " + DiscoverMethod +
				` takes params {"api": {keyId, credential, signature, timestamp}, "payload": {...}}, or by position [api, payload]; methods are named Service_Method here and answer to Service.Method too (x-jsonrpc-name); the ACCOUNTD-V2 signature covers` +
				` "ACCOUNTD-V2" LF method LF id LF timestamp LF payload: the method as sent, the id's JSON text, the timestamp and the exact bytes of params.payload.`},
		Methods: []openRPCMethod{discoverDescription()},
	}
	examples, err := methodExamples()
	if err != nil {
		return nil, err
	}
	for _, m := range methods {
		om, err := g.method(m, examples[m.name])
		if err != nil {
			return nil, fmt.Errorf("describe %s: %w", m.name, err)
		}
		doc.Methods = append(doc.Methods, om)
	}
	slices.SortFunc(doc.Methods, func(a, b openRPCMethod) int { return strings.Compare(a.Name, b.Name) })
	schemas, err := g.components()
	if err != nil {
		return nil, err
	}
	doc.Components = openRPCComponents{Schemas: schemas, Errors: errs}
	return json.Marshal(doc)
}

// dispatchedMethods returns the registry sorted by name.
func dispatchedMethods() ([]method, error) {
	out := slices.Clone(registry)
	slices.SortFunc(out, func(a, b method) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// method describes one signed method.
func (g *schemaGen) method(m method, example *methodExample) (openRPCMethod, error) {
	payload, err := g.schema(m.in, true)
	if err != nil {
		return openRPCMethod{}, fmt.Errorf("payload %s: %w", m.in, err)
	}
	if err := g.require(m.in, m.required); err != nil {
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
	errs, err := methodErrors(m)
	if err != nil {
		return openRPCMethod{}, err
	}
	om := openRPCMethod{
		Name: clientMethodName(m.name), JSONRPCName: m.name, Summary: m.summary, Description: desc, ParamStructure: "either",
		Params: []contentDescriptor{
			{Name: "api", Required: true, Schema: componentRef("schemas", apiComponent),
				Description: "Who is calling; checked before the payload is read."},
			{Name: "payload", Required: true, Schema: payload,
				Description: "Member names match without regard to case and null means absent. Unknown members, members given twice, values of the wrong type, strings or arrays over their maxLength or maxItems (TOO_LONG) and missing required members are refused with -32602 naming every bad field; some members are required only with others (see the method's checks)."},
		},
		Result:  contentDescriptor{Name: resultName(m.out), Schema: result},
		Errors:  errs,
		Mutates: m.mutates,
	}
	if example != nil {
		om.Examples = []openRPCExample{{Name: m.name + " example",
			Params: []exampleValue{{Name: "api", Value: exampleAPI}, {Name: "payload", Value: example.Payload}},
			Result: exampleValue{Name: resultName(m.out), Value: example.Result}}}
	}
	return om, nil
}

// exampleAPI is the api block of the examples: its signature is a
// placeholder, since a signature covers the request id and a timestamp.
var exampleAPI = map[string]string{"keyId": "k_3f9a1c2b7d", "credential": "c_secret", "signature": "MEUCIQ...", "timestamp": "2026-11-21T10:00:00Z"}

// clientMethodName is a method's name in the OpenRPC document: "." becomes
// "_" (AccountService_GetDetails), so that clients generated from the
// document can use it as an identifier. The server answers both names.
func clientMethodName(name string) string {
	return strings.Replace(name, ".", "_", 1)
}

// canonicalMethod is the method a name sent by a client stands for: a
// document name (AccountService_GetDetails, rpc_discover) is the method
// Service.Method; any other name is itself.
func canonicalMethod(name string) string {
	if strings.Contains(name, ".") {
		return name
	}
	if c := strings.Replace(name, "_", ".", 1); c == DiscoverMethod || known(c) {
		return c
	}
	return name
}

func discoverDescription() openRPCMethod {
	return openRPCMethod{
		Name:        clientMethodName(DiscoverMethod),
		JSONRPCName: DiscoverMethod,
		Summary:     "Return this OpenRPC document",
		Description: "Public: needs no api block and no signature. params may be left out, {} or [].",
		Params:      []contentDescriptor{},
		Result: contentDescriptor{Name: "OpenRPC Schema", Schema: jsonSchema{"title": "OpenRPCDocument", "type": "object",
			"description": "An OpenRPC 1.3.2 document; its schema is the OpenRPC meta-schema, " + metaSchemaURL}},
		Errors: []jsonSchema{componentRef("errors", paramsError().Data.Reason), componentRef("errors", internalError().Data.Reason)},
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

// envelopeErrors are the errors every signed method may return: the
// envelope's, authentication's, the rate limit's and the deadline's.
var envelopeErrors = []error{services.ErrInvalidInput, services.ErrUnauthenticated, services.ErrInvalidSignature,
	services.ErrTimestampOutOfWindow, services.ErrPermissionDenied, services.ErrRateLimited, ErrCallTimeout}

// idempotencyErrors are the errors of methods that change data, whose
// request id is an idempotency key.
var idempotencyErrors = []error{services.ErrIdempotencyConflict, services.ErrRequestInProgress}

// methodErrors refers to the errors a signed method may return: the
// envelope's, the idempotency errors for methods that change data, the
// method's own from the method table, and the internal error.
func methodErrors(m method) ([]jsonSchema, error) {
	errs := slices.Clone(envelopeErrors)
	if m.mutates {
		errs = append(errs, idempotencyErrors...)
	}
	var out []jsonSchema
	seen := map[string]bool{}
	for _, err := range append(errs, m.errors...) {
		reason, ok := tableReason(err)
		if !ok {
			return nil, fmt.Errorf("error %q is not in the error table", err)
		}
		if !seen[reason] {
			seen[reason] = true
			out = append(out, componentRef("errors", reason))
		}
	}
	return append(out, componentRef("errors", internalError().Data.Reason)), nil
}

// tableReason is the reason the error table gives err.
func tableReason(err error) (string, bool) {
	for _, e := range errorTable {
		if e.err == err {
			return e.reason, true
		}
	}
	return "", false
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

// Version is the build's version, set by `make build` from git describe
// (-ldflags "-X github.com/accountd/accountd/rpc.Version=...").
var Version string

// apiVersion is Version, or else the module version or the VCS revision
// the Go toolchain recorded, or "dev".
func apiVersion() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	var rev, dirty string
	for _, kv := range bi.Settings {
		switch {
		case kv.Key == "vcs.revision" && len(kv.Value) >= 12:
			rev = kv.Value[:12]
		case kv.Key == "vcs.modified" && kv.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev == "" {
		return "dev"
	}
	return "0.0.0-" + rev + dirty
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
	// inputRequired is the members each payload type's method requires.
	inputRequired map[string][]string
	input         map[string]bool
	visited       map[visit]bool
}

type visit struct {
	t     reflect.Type
	input bool
}

func newSchemaGen() *schemaGen {
	return &schemaGen{schemas: map[string]jsonSchema{}, types: map[string]reflect.Type{},
		required: map[string][]string{}, inputRequired: map[string][]string{}, input: map[string]bool{}, visited: map[visit]bool{}}
}

// components returns the component schemas, titled by their names, with
// their required lists: a result's members it always writes, a payload's
// members its method refuses to go without.
func (g *schemaGen) components() (map[string]jsonSchema, error) {
	for name, req := range g.required {
		if len(req) > 0 && !g.input[name] {
			g.schemas[name]["required"] = req
		}
	}
	for name, req := range g.inputRequired {
		g.schemas[name]["required"] = req
	}
	for name, s := range g.schemas {
		s["title"] = name
	}
	return g.schemas, nil
}

// require records the members a payload type's method requires. Methods
// that share a payload type must require the same members.
func (g *schemaGen) require(t reflect.Type, names []string) error {
	if len(names) == 0 {
		return nil
	}
	names = slices.Sorted(slices.Values(names))
	name := t.Name()
	if prev, ok := g.inputRequired[name]; ok && !slices.Equal(prev, names) {
		return fmt.Errorf("%s: methods that share it require %q and %q", name, prev, names)
	}
	props, _ := g.schemas[name]["properties"].(jsonSchema)
	for _, n := range names {
		if _, ok := props[n]; !ok {
			return fmt.Errorf("%s has no member %q to require", name, n)
		}
	}
	g.inputRequired[name] = names
	return nil
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

// memberEnums gives the closed value sets of payload members, by type and
// member name: each is the list the service checks the member against.
var memberEnums = map[string]func() []string{
	"AddAccountInput.accountType":         account.AccountTypes,
	"AddAccountInput.currency":            services.Currencies,
	"AddAccountInput.custodialType":       account.CustodialTypes,
	"ListAccountsInput.accountType":       account.AccountTypes,
	"ListAccountsInput.status":            account.AccountStatuses,
	"UpdateAccountStatusInput.status":     account.AccountStatuses,
	"FreezeAccountInput.reasonCode":       account.FreezeReasonCodes,
	"UpdateProtectAgreementInput.channel": customer.ConsentChannels,
	"OnboardComboInput.channel":           ebank.UserChannels,
	"OnboardComboInput.currency":          services.Currencies,
	"OpenCurrentAccountInput.currency":    services.Currencies,
	"InitCustomerInfoInput.channel":       ebank.UserChannels,
	"InitCustomerInfoInput.currency":      services.Currencies,
	"InitCustomerInfoInput.gender":        customer.Genders,
	"AddCustomerInput.type":               customer.CustomerTypes,
	"AddCustomerInput.gender":             customer.Genders,
	"Identification.type":                 customer.IdentificationTypes,
	"UpdateUserStatusInput.status":        ebank.UserStatuses,
	"SearchNiceNumbersInput.category":     func() []string { return slices.Clone(nice.NiceCategories) },
	"ValidateLegalIDInput.gender":         customer.Genders,
	"ValidateEKYCInput.gender":            customer.Genders,
	"ValidateNameInput.currency":          services.Currencies,
	"UploadIDCardInput.side":              onboarding.PictureSides,
	"SubmitFatcaDeclarationInput.form":    onboarding.FatcaForms,
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
	names := payload.FieldNames(t)
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
		if values, ok := memberEnums[t.Name()+"."+names[i]]; ok && s["type"] == "string" {
			s["enum"] = values()
		}
		props[names[i]] = s
		if o := strings.Split(opts, ","); !slices.Contains(o, "omitempty") && !slices.Contains(o, "omitzero") {
			required = append(required, names[i])
		}
	}
	return jsonSchema{"type": "object", "properties": props}, required, nil
}
