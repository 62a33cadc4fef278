package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/accountd/accountd/rpc/openrpc"
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

// endpointKey carries the HTTP request, whose endpointURL rpc.discover's
// servers gives.
type endpointKey struct{}

// withServer adds the servers member to the document: url is where this
// request reached the server.
func withServer(doc json.RawMessage, url string) json.RawMessage {
	if url == "" {
		url = "/jsonrpc"
	}
	servers, _ := json.Marshal([]openrpc.Server{{Name: "accountd", URL: url}})
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

// buildOpenRPC returns the OpenRPC document of every method in the
// registry, with the payload and result schemas generated from the types of
// the domain methods the entries name. The output is deterministic.
func buildOpenRPC() ([]byte, error) {
	methods, err := dispatchedMethods()
	if err != nil {
		return nil, err
	}
	g := openrpc.NewGenerator(memberEnums, specialSchemas)
	g.Reserve(apiComponent, apiSchema())
	errs := errorComponents()
	doc := openrpc.Doc{
		OpenRPC: "1.3.2",
		Info: openrpc.Info{Title: "accountd", Version: apiVersion(),
			Description: "Signed JSON-RPC 2.0 on POST /jsonrpc. Every method but " + DiscoverMethod +
				` takes params {"api": {keyId, credential, signature, timestamp}, "payload": {...}}, or by position [api, payload]; methods are named Service_Method here and answer to Service.Method too (x-jsonrpc-name); the ACCOUNTD-V2 signature covers` +
				` "ACCOUNTD-V2" LF method LF id LF timestamp LF payload: the method as sent, the id's JSON text, the timestamp and the exact bytes of params.payload.`},
		Methods: []openrpc.Method{discoverDescription()},
	}
	examples, err := methodExamples()
	if err != nil {
		return nil, err
	}
	for _, m := range methods {
		om, err := describe(g, m, examples[m.name])
		if err != nil {
			return nil, fmt.Errorf("describe %s: %w", m.name, err)
		}
		doc.Methods = append(doc.Methods, om)
	}
	slices.SortFunc(doc.Methods, func(a, b openrpc.Method) int { return strings.Compare(a.Name, b.Name) })
	schemas, err := g.Components()
	if err != nil {
		return nil, err
	}
	doc.Components = openrpc.Components{Schemas: schemas, Errors: errs}
	return json.Marshal(doc)
}

// dispatchedMethods returns the registry sorted by name.
func dispatchedMethods() ([]method, error) {
	out := slices.Clone(registry)
	slices.SortFunc(out, func(a, b method) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// describe describes one signed method.
func describe(g *openrpc.Generator, m method, example *methodExample) (openrpc.Method, error) {
	payload, err := g.Schema(m.in, true)
	if err != nil {
		return openrpc.Method{}, fmt.Errorf("payload %s: %w", m.in, err)
	}
	if err := g.Require(m.in, m.required); err != nil {
		return openrpc.Method{}, fmt.Errorf("payload %s: %w", m.in, err)
	}
	result, err := g.Schema(m.out, false)
	if err != nil {
		return openrpc.Method{}, fmt.Errorf("result %s: %w", m.out, err)
	}
	desc := "Reads only; safe to retry."
	if m.mutates {
		desc = "Changes data. The request id is the idempotency key: the same id with the same method and payload returns the first answer again without a second effect. A notification (no id) is not executed."
	}
	errs, err := methodErrors(m)
	if err != nil {
		return openrpc.Method{}, err
	}
	om := openrpc.Method{
		Name: clientMethodName(m.name), JSONRPCName: m.name, Summary: m.summary, Description: desc, ParamStructure: "either",
		Params: []openrpc.ContentDescriptor{
			{Name: "api", Required: true, Schema: openrpc.Ref("schemas", apiComponent),
				Description: "Who is calling; checked before the payload is read."},
			{Name: "payload", Required: true, Schema: payload,
				Description: "Member names match without regard to case and null means absent. Unknown members, members given twice, values of the wrong type, strings or arrays over their maxLength or maxItems (TOO_LONG) and missing required members are refused with -32602 naming every bad field; some members are required only with others (see the method's checks)."},
		},
		Result:  openrpc.ContentDescriptor{Name: resultName(m.out), Schema: result},
		Errors:  errs,
		Mutates: m.mutates,
	}
	if example != nil {
		om.Examples = []openrpc.Example{{Name: m.name + " example",
			Params: []openrpc.ExampleValue{{Name: "api", Value: exampleAPI}, {Name: "payload", Value: example.Payload}},
			Result: openrpc.ExampleValue{Name: resultName(m.out), Value: example.Result}}}
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

func discoverDescription() openrpc.Method {
	return openrpc.Method{
		Name:        clientMethodName(DiscoverMethod),
		JSONRPCName: DiscoverMethod,
		Summary:     "Return this OpenRPC document",
		Description: "Public: needs no api block and no signature. params may be left out, {} or [].",
		Params:      []openrpc.ContentDescriptor{},
		Result: openrpc.ContentDescriptor{Name: "OpenRPC Schema", Schema: openrpc.Schema{"title": "OpenRPCDocument", "type": "object",
			"description": "An OpenRPC 1.3.2 document; its schema is the OpenRPC meta-schema, " + metaSchemaURL}},
		Errors: []openrpc.Schema{openrpc.Ref("errors", paramsError().Data.Reason), openrpc.Ref("errors", internalError().Data.Reason)},
	}
}

func apiSchema() openrpc.Schema {
	str := func(desc string) openrpc.Schema { return openrpc.Schema{"type": "string", "description": desc} }
	return openrpc.Schema{
		"type": "object",
		"properties": openrpc.Schema{
			"keyId":      str("The key id (k_...); not secret."),
			"credential": str("The key's credential; a secret."),
			"signature": str("Base64 (standard or URL-safe) of an ECDSA P-256/SHA-256 signature, ASN.1 DER or raw r||s, over the UTF-8 bytes of " +
				"\"ACCOUNTD-V2\" LF method LF id LF timestamp LF payload: the method's value, the id member's JSON text as it stands in the body " +
				"(empty without an id), params.api.timestamp's value and the exact bytes of params.payload."),
			"timestamp": openrpc.Schema{"type": "string", "format": "date-time", "maxLength": 40,
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
func methodErrors(m method) ([]openrpc.Schema, error) {
	errs := slices.Clone(envelopeErrors)
	if m.mutates {
		errs = append(errs, idempotencyErrors...)
	}
	var out []openrpc.Schema
	seen := map[string]bool{}
	for _, err := range append(errs, m.errors...) {
		reason, ok := tableReason(err)
		if !ok {
			return nil, fmt.Errorf("error %q is not in the error table", err)
		}
		if !seen[reason] {
			seen[reason] = true
			out = append(out, openrpc.Ref("errors", reason))
		}
	}
	return append(out, openrpc.Ref("errors", internalError().Data.Reason)), nil
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

// specialSchemas are the payload types whose JSON form reflection cannot
// tell: the Kenyan seed sends personalIdType as "101" on some endpoints
// and 101 on others.
var specialSchemas = map[reflect.Type]openrpc.Schema{
	reflect.TypeFor[contact.PersonalIDType](): {"type": []string{"string", "integer"}, "enum": []any{"101", "102", "103", 101, 102, 103}},
}
