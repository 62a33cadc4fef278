// Package openrpc writes OpenRPC 1.3.2 documents (https://spec.open-rpc.org):
// the objects, and JSON Schemas of Go types as encoding/json writes them and
// rpc/payload reads them.
package openrpc

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/accountd/accountd/rpc/jsonrpc"
	"github.com/accountd/accountd/rpc/payload"
	"github.com/accountd/accountd/services"
)

// The OpenRPC 1.3.2 objects this document uses (https://spec.open-rpc.org).
type (
	// Doc is an OpenRPC document.
	Doc struct {
		OpenRPC    string     `json:"openrpc"`
		Info       Info       `json:"info"`
		Servers    []Server   `json:"servers,omitempty"`
		Methods    []Method   `json:"methods"`
		Components Components `json:"components"`
	}
	// Info is the document's info object.
	Info struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Version     string `json:"version"`
	}
	// Method describes one method.
	Method struct {
		Name           string              `json:"name"`
		Summary        string              `json:"summary"`
		Description    string              `json:"description"`
		ParamStructure string              `json:"paramStructure,omitempty"`
		Params         []ContentDescriptor `json:"params"`
		Result         ContentDescriptor   `json:"result"`
		Errors         []Schema            `json:"errors"`
		Examples       []Example           `json:"examples,omitempty"`
		Mutates        bool                `json:"x-mutates"`
		// JSONRPCName is the name as the server also knows it,
		// "Service.Method"; Name is the same with "_" for ".", so that
		// generated clients can use it as an identifier.
		JSONRPCName string `json:"x-jsonrpc-name"`
	}
	// Server is where the methods answer.
	Server struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	// Example pairs a call's params with its result.
	Example struct {
		Name   string         `json:"name"`
		Params []ExampleValue `json:"params"`
		Result ExampleValue   `json:"result"`
	}
	// ExampleValue is one named value of an example.
	ExampleValue struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	}
	// ContentDescriptor describes a param or a result.
	ContentDescriptor struct {
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
		Required    bool   `json:"required,omitempty"`
		Schema      Schema `json:"schema"`
	}
	// Components are the schemas and errors methods refer to.
	Components struct {
		Schemas map[string]Schema        `json:"schemas"`
		Errors  map[string]jsonrpc.Error `json:"errors"`
	}
	// Schema is a JSON Schema (draft 7, as OpenRPC uses) or a
	// reference object; encoding/json writes its keys sorted.
	Schema = map[string]any
)

// Ref is a reference to a component of the given kind ("schemas", "errors").
func Ref(kind, name string) Schema {
	return Schema{"$ref": "#/components/" + kind + "/" + name}
}

// Generator writes JSON Schemas for Go types as encoding/json writes them
// and decodePayload reads them. Named struct types become components,
// referred to by $ref. A struct's members without omitempty are required
// in results, where the server always writes them; payload types list no
// required members, since the methods' own checks decide (often one of
// several, or by type), so a type reached from a payload has none.
type Generator struct {
	// Enums are the closed value sets of payload members, by "Type.member".
	Enums map[string]func() []string
	// Special are the schemas of types whose JSON form reflection cannot
	// tell.
	Special map[reflect.Type]Schema

	schemas  map[string]Schema
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

// NewGenerator returns a generator with the given enums and special types.
func NewGenerator(enums map[string]func() []string, special map[reflect.Type]Schema) *Generator {
	return &Generator{Enums: enums, Special: special, schemas: map[string]Schema{}, types: map[string]reflect.Type{},
		required: map[string][]string{}, inputRequired: map[string][]string{}, input: map[string]bool{}, visited: map[visit]bool{}}
}

// Components returns the component schemas, titled by their names, with
// their required lists: a result's members it always writes, a payload's
// members its method refuses to go without.
func (g *Generator) Components() (map[string]Schema, error) {
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

// Require records the members a payload type's method requires. Methods
// that share a payload type must require the same members.
func (g *Generator) Require(t reflect.Type, names []string) error {
	if len(names) == 0 {
		return nil
	}
	names = slices.Sorted(slices.Values(names))
	name := t.Name()
	if prev, ok := g.inputRequired[name]; ok && !slices.Equal(prev, names) {
		return fmt.Errorf("%s: methods that share it require %q and %q", name, prev, names)
	}
	props, _ := g.schemas[name]["properties"].(Schema)
	for _, n := range names {
		if _, ok := props[n]; !ok {
			return fmt.Errorf("%s has no member %q to require", name, n)
		}
	}
	g.inputRequired[name] = names
	return nil
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	numberType        = reflect.TypeFor[json.Number]()
	rawMessageType    = reflect.TypeFor[json.RawMessage]()
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// Schema returns the schema of t; input is true for types reached from a
// payload.

func (g *Generator) Schema(t reflect.Type, input bool) (Schema, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := g.Special[t]; ok {
		return maps.Clone(s), nil
	}
	switch {
	case t == timeType:
		return Schema{"type": "string", "format": "date-time"}, nil
	case t == numberType:
		return Schema{"type": "number"}, nil
	case t == rawMessageType || implements(t, marshalerType):
		return Schema{}, nil // any JSON value
	case implements(t, textMarshalerType):
		return Schema{"type": "string"}, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return Schema{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Schema{"type": "integer"}, nil
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}, nil
	case reflect.String:
		return Schema{"type": "string"}, nil
	case reflect.Interface:
		return Schema{}, nil
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return Schema{"type": "string", "contentEncoding": "base64"}, nil
		}
		items, err := g.Schema(t.Elem(), input)
		return Schema{"type": "array", "items": items}, err
	case reflect.Map:
		if k := t.Key().Kind(); k != reflect.String && (k < reflect.Int || k > reflect.Uintptr) && !implements(t.Key(), textMarshalerType) {
			return nil, fmt.Errorf("%s: map keys must be strings or integers", t)
		}
		values, err := g.Schema(t.Elem(), input)
		return Schema{"type": "object", "additionalProperties": values}, err
	case reflect.Struct:
		return g.structSchema(t, input)
	}
	return nil, fmt.Errorf("%s has no JSON form", t)
}

// sizeSchema adds a field's declared size limit to its schema: maxLength
// for a string, maxItems for an array.
func sizeSchema(s Schema, limit services.FieldLimit) {
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
func (g *Generator) structSchema(t reflect.Type, input bool) (Schema, error) {
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
	ref := Ref("schemas", name)
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
func (g *Generator) object(t reflect.Type, input bool) (Schema, []string, error) {
	names := payload.FieldNames(t)
	props := Schema{}
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
		s, err := g.Schema(f.Type, input)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		sizeSchema(s, services.LimitOf(f))
		if values, ok := g.Enums[t.Name()+"."+names[i]]; ok && s["type"] == "string" {
			s["enum"] = values()
		}
		props[names[i]] = s
		if o := strings.Split(opts, ","); !slices.Contains(o, "omitempty") && !slices.Contains(o, "omitzero") {
			required = append(required, names[i])
		}
	}
	return Schema{"type": "object", "properties": props}, required, nil
}

// Reserve gives the component name to a schema written by hand, which no
// Go type may then take.
func (g *Generator) Reserve(name string, s Schema) {
	g.types[name] = nil
	g.schemas[name] = s
}
