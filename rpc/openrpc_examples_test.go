package rpc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

var updateExamples = flag.Bool("update-examples", false, "record openrpc_examples.json from real calls")

// TestOpenRPCExamples: every method has an example in the document; each
// example's payload passes the method's checks on a fresh database (no
// -32602), and its result matches the method's result schema.
// -update-examples records them again from real calls.
func TestOpenRPCExamples(t *testing.T) {
	if *updateExamples {
		recordExamples(t)
	}
	examples, err := methodExamples()
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := readDoc(t)
	f := newFreshHandler(t)
	for _, name := range slices.Sorted(maps.Keys(methodTable)) {
		ex := examples[name]
		if ex == nil {
			t.Errorf("%s has no example: run go test ./rpc -run TestOpenRPCExamples -update-examples", name)
			continue
		}
		if e := f.call(t, name, ex.Payload); e != nil && e.Code == CodeInvalidParams {
			t.Errorf("%s: the example payload is refused: %+v", name, e.Data)
		}
		m, _ := doc.method(name)
		var result any
		if err := json.Unmarshal(ex.Result, &result); err != nil {
			t.Fatalf("%s: example result: %v", name, err)
		}
		conform(t, doc, name+" example result", m.Result.Schema, result)
	}
}

// recordExamples calls every method (runExamples) and writes each one's
// first payload and result to openrpc_examples.json. Pictures are replaced
// by a small PNG: the document stays small, and the payload still passes
// the checks.
func recordExamples(t *testing.T) {
	first := map[string]json.RawMessage{}
	run := runExamples(t, func(method string, result map[string]any) {
		if _, ok := first[method]; !ok {
			first[method], _ = json.Marshal(result)
		}
	})
	out := map[string]methodExample{}
	for name, payload := range run.payloads {
		var p map[string]any
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			t.Fatal(err)
		}
		if _, ok := p["image"]; ok {
			p["image"], p["format"] = tinyPNG(t), "PNG"
		}
		b, _ := json.Marshal(p)
		out[name] = methodExample{Payload: b, Result: first[name]}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("openrpc_examples.json", append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func tinyPNG(t *testing.T) string {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// freshHandler is a handler on an empty database with one partner's key.
type freshHandler struct {
	h   *Handler
	key *client.KeyFile
	n   int
}

func newFreshHandler(t *testing.T) *freshHandler {
	t.Helper()
	st, _ := storetest.OpenDSN(t)
	k, err := partner.NewPartners(st, nil).CreateKey(context.Background(), "alpha")
	if err != nil {
		t.Fatal(err)
	}
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399", IdempotencyTTL: time.Hour, BankCode: "970"})
	h, err := NewHandler(svc, partner.NewAuthenticator(st, nil, time.Second), Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	return &freshHandler{h: h, key: &client.KeyFile{KeyID: k.KeyID, Credential: k.Credential, PrivateKey: k.PrivateKeyPEM}}
}

// call signs and runs one call; it returns its error, or nil for a result.
func (f *freshHandler) call(t *testing.T, method string, payload []byte) *Error {
	t.Helper()
	f.n++
	body, err := f.key.Envelope(method, json.RawMessage(fmt.Sprintf(`"fresh-%d"`, f.n)), payload)
	if err != nil {
		t.Fatal(err)
	}
	return f.h.handleBody(context.Background(), body).(*response).Error
}
