package rpc_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc"
)

// TestFixtureErrorsAreDocumented: every refusal a fixture scenario expects
// from a method is among the errors rpc.discover lists for that method, so
// the per-method error lists cannot miss what the server is known to
// answer. A refusal of the request itself, before any method runs (-32600
// reasons such as ID_REQUIRED), is no error component: docs/protocol.md
// must name it.
func TestFixtureErrorsAreDocumented(t *testing.T) {
	raw, err := rpc.OpenRPCDocument()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Methods []struct {
			Name   string              `json:"x-jsonrpc-name"`
			Errors []map[string]string `json:"errors"`
		} `json:"methods"`
		Components struct {
			Errors map[string]json.RawMessage `json:"errors"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	listed := map[string]map[string]bool{}
	for _, m := range doc.Methods {
		listed[m.Name] = map[string]bool{}
		for _, e := range m.Errors {
			ref := e["$ref"]
			listed[m.Name][ref[strings.LastIndex(ref, "/")+1:]] = true
		}
	}
	protocol, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../testdata/fixtures/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sc struct {
			Steps []struct {
				Name   string `json:"name"`
				Method string `json:"method"`
				Expect struct {
					Error *struct {
						Data struct {
							Reason string `json:"reason"`
						} `json:"data"`
					} `json:"error"`
				} `json:"expect"`
			} `json:"steps"`
		}
		if err := json.Unmarshal(b, &sc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, st := range sc.Steps {
			errs, known := listed[st.Method]
			if !known || st.Expect.Error == nil || st.Expect.Error.Data.Reason == "" {
				continue
			}
			checked++
			reason := st.Expect.Error.Data.Reason
			if _, component := doc.Components.Errors[reason]; !component {
				if !strings.Contains(string(protocol), reason) {
					t.Errorf("%s, %q: %s answers %s, a refusal of the request that docs/protocol.md does not name",
						filepath.Base(f), st.Name, st.Method, reason)
				}
				continue
			}
			if !errs[reason] {
				t.Errorf("%s, %q: %s answers %s, which rpc.discover does not list for it (add it to the method's registry entry)",
					filepath.Base(f), st.Name, st.Method, reason)
			}
		}
	}
	if checked < 50 {
		t.Errorf("checked %d expected refusals; the fixtures hold more", checked)
	}
}
