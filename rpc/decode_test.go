package rpc

import (
	"context"
	"encoding/json"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/rpc/payload"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

type inner struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type sample struct {
	Name  string  `json:"name"`
	DOB   string  `json:"DOB"`
	Size  *int    `json:"pageSize"`
	On    bool    `json:"on"`
	One   inner   `json:"one"`
	Many  []inner `json:"many"`
	Maybe *inner  `json:"maybe"`
}

func TestDecodePayload(t *testing.T) {
	seven := 7
	tests := []struct {
		name       string
		in         string
		want       sample
		wantFields string
	}{
		{"exact names", `{"name":"a","DOB":"1","pageSize":7,"on":true}`, sample{Name: "a", DOB: "1", Size: &seven, On: true}, ""},
		{"any case", `{"NAME":"a","dob":"1","PageSize":7}`, sample{Name: "a", DOB: "1", Size: &seven}, ""},
		{"null is absent", `{"name":null,"maybe":null,"many":null}`, sample{}, ""},
		{"nested", `{"one":{"TYPE":"t","value":"v"},"many":[{"type":"a"},{"value":"b"}],"maybe":{"type":"m"}}`,
			sample{One: inner{"t", "v"}, Many: []inner{{Type: "a"}, {Value: "b"}}, Maybe: &inner{Type: "m"}}, ""},
		{"unknown", `{"nmae":"a","one":{"kind":1}}`, sample{}, "nmae:UNKNOWN_FIELD one.kind:UNKNOWN_FIELD"},
		{"twice", `{"name":"a","Name":"b"}`, sample{Name: "a"}, "Name:DUPLICATE_FIELD"},
		{"twice exactly", `{"name":"a","name":"b"}`, sample{Name: "a"}, "name:DUPLICATE_FIELD"},
		{"wrong types everywhere", `{"name":1,"pageSize":"7","on":"yes","one":[],"many":{},"maybe":"x"}`, sample{},
			"name:INVALID_TYPE pageSize:INVALID_TYPE on:INVALID_TYPE one:INVALID_TYPE many:INVALID_TYPE maybe:INVALID_TYPE"},
		{"fraction for an integer", `{"pageSize":1.5}`, sample{}, "pageSize:INVALID_TYPE"},
		{"element of the wrong type", `{"many":[{"type":"a"},"b",{"type":2}]}`, sample{}, "many[1]:INVALID_TYPE many[2].type:INVALID_TYPE"},
		{"not an object", `["name"]`, sample{}, "payload:INVALID_TYPE"},
		{"null payload", `null`, sample{}, "payload:INVALID_TYPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got sample
			err := payload.Decode(json.RawMessage(tt.in), &got)
			var fields []string
			if ve, ok := err.(*services.ValidationError); ok {
				for _, f := range ve.Fields {
					fields = append(fields, f.Field+":"+f.Reason)
				}
			} else if err != nil {
				t.Fatalf("error %v is not a ValidationError", err)
			}
			if g := strings.Join(fields, " "); g != tt.wantFields {
				t.Fatalf("fields %q, want %q", g, tt.wantFields)
			}
			if tt.wantFields == "" && !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestEveryOperationIsDeclared checks that every exported method of a
// domain service shaped as an operation (ctx, services.Call, input) is in
// the registry, so none escapes the mutates flag or the documentation, and
// that each entry runs the method it names.
func TestEveryOperationIsDeclared(t *testing.T) {
	declared := map[string]bool{}
	for _, m := range registry {
		fn := m.endpoint(nil)
		fv := reflect.ValueOf(fn).Elem().FieldByName("fn")
		name := runtime.FuncForPC(fv.Pointer()).Name() // ".../account.(*Service).GetDetails"
		declared[name] = true
		if goName := name[strings.LastIndex(name, ".")+1:]; goName != m.name[strings.Index(m.name, ".")+1:] {
			t.Errorf("%s runs %s", m.name, name)
		}
	}
	ctxType := reflect.TypeFor[context.Context]()
	callType := reflect.TypeFor[services.Call]()
	for _, svc := range []any{&customer.Service{}, &account.Service{}, &nice.Service{}, &contact.Service{},
		&ebank.Service{}, &otp.Service{}, &onboarding.Service{}} {
		rt := reflect.TypeOf(svc)
		for i := range rt.NumMethod() {
			m := rt.Method(i)
			mt := m.Type
			if mt.NumIn() != 4 || mt.In(1) != ctxType || mt.In(2) != callType || mt.NumOut() != 2 {
				continue
			}
			name := rt.Elem().PkgPath() + ".(*Service)." + m.Name
			if !declared[name] {
				t.Errorf("%s is an operation but no registry entry runs it", name)
			}
		}
	}
}

// TestPanicIsAnInternalError makes a method panic (a Service without a
// store) and checks that the caller gets -32603 and the panic is logged.
func TestPanicIsAnInternalError(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	k, err := partner.NewPartners(st, nil).CreateKey(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	h, err := NewHandler(&bank.Bank{}, partner.NewAuthenticator(st, nil, time.Second), Options{}, zerolog.New(&logs))
	if err != nil {
		t.Fatal(err)
	}
	key := &client.KeyFile{KeyID: k.KeyID, Credential: k.Credential, PrivateKey: k.PrivateKeyPEM}
	body, err := key.Envelope("AccountService.GetDetails", json.RawMessage("1"), []byte(`{"accountId":"200982345048071"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp := h.handleBody(ctx, body).(*response)
	if resp.Error == nil || resp.Error.Code != CodeInternal || string(resp.ID) != "1" {
		t.Fatalf("response %+v, want -32603 with id 1", resp)
	}
	if !strings.Contains(logs.String(), `"panic":"runtime error: invalid memory address or nil pointer dereference"`) || !strings.Contains(logs.String(), `"level":"error"`) {
		t.Fatalf("panic not logged as an error: %s", logs.String())
	}
}

func TestRequestKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{`2460`, `2460.0`}, {`2460`, `24.6e2`}, {`2460`, `246E+1`}, {`0.5`, `5e-1`}, {`0`, `-0`}, {`0`, `0.000`},
		{`-12`, `-1.2e1`}, {`"k1"`, `"\u006b1"`},
	}
	for _, tt := range tests {
		if ka, kb := requestKey(json.RawMessage(tt.a)), requestKey(json.RawMessage(tt.b)); ka != kb {
			t.Errorf("requestKey(%s) = %q, requestKey(%s) = %q; want the same", tt.a, ka, tt.b, kb)
		}
	}
	different := []struct{ a, b string }{{`1`, `"1"`}, {`1`, `10`}, {`1`, `-1`}, {`12`, `1.2`}, {`"a"`, `"A"`}}
	for _, tt := range different {
		if requestKey(json.RawMessage(tt.a)) == requestKey(json.RawMessage(tt.b)) {
			t.Errorf("requestKey(%s) = requestKey(%s); want different keys", tt.a, tt.b)
		}
	}
	if requestKey(json.RawMessage(`null`)) != "" || requestKey(nil) != "" {
		t.Error("null and absent ids must have no key")
	}
}
