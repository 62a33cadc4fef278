package config

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite docs/configuration.md from the table of keys")

// referencePath is docs/configuration.md, seen from this package's folder.
const referencePath = "../docs/configuration.md"

// TestConfigurationDoc fails when docs/configuration.md is not what the
// table of keys generates; with -update it rewrites the page.
func TestConfigurationDoc(t *testing.T) {
	want := reference()
	if *update {
		if err := os.WriteFile(referencePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatalf("read %s: %v; write it with: make docs (go test ./config -run '^TestConfigurationDoc$' -update)", referencePath, err)
	}
	if !bytes.Equal(got, want) {
		gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		line := 0
		for line < min(len(gotLines), len(wantLines)) && gotLines[line] == wantLines[line] {
			line++
		}
		t.Errorf("docs/configuration.md is stale (first difference at line %d); regenerate it with: "+
			"make docs (go test ./config -run '^TestConfigurationDoc$' -update)", line+1)
	}
}

// leafFields lists the fields of Config that hold a value (not a section),
// by name, as pointers into c.
func leafFields(c *Config) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			f, name := v.Field(i), path+v.Type().Field(i).Name
			if f.Kind() == reflect.Struct {
				walk(f, name+".")
				continue
			}
			out[name] = f.Addr()
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

// TestEveryFieldHasOneKey proves that each field of Config is filled by
// exactly one key (each entry of a map field by one key), so that a field
// cannot be added without its key.
func TestEveryFieldHasOneKey(t *testing.T) {
	var c Config
	fields := leafFields(&c)
	reached := map[string][]string{} // field (and map entry) -> keys
	entries := map[string][]string{} // map field -> its entries
	for _, k := range keys {
		p := reflect.ValueOf(k.field(&c))
		found := ""
		for name, f := range fields {
			if f.Type() == p.Type() && f.Pointer() == p.Pointer() {
				found = name
			}
		}
		if found == "" {
			t.Errorf("%s: fills no field of Config (got a %s)", k.name, p.Type())
			continue
		}
		if k.entry != "" {
			entries[found] = append(entries[found], k.entry)
			found += "[" + k.entry + "]"
		}
		reached[found] = append(reached[found], k.name)
	}
	for name := range fields {
		if len(reached[name]) == 0 && len(entries[name]) == 0 {
			t.Errorf("Config.%s: no key fills it; add one to the table in keys.go", name)
		}
		if len(reached[name]) > 0 && len(entries[name]) > 0 {
			t.Errorf("Config.%s: filled whole by %v and by entry by other keys", name, reached[name])
		}
	}
	for name, ks := range reached {
		if len(ks) != 1 {
			t.Errorf("Config.%s: filled by %d keys %v, want one", name, len(ks), ks)
		}
	}
	if got := entries["RateLimit.Tiers"]; !slices.Equal(got, Tiers) {
		t.Errorf("RateLimit.Tiers: keys fill the tiers %v, want one key per tier of Tiers %v", got, Tiers)
	}
}

// TestKeyTable checks the table's entries one by one.
func TestKeyTable(t *testing.T) {
	reName := regexp.MustCompile(`^[a-z]+\.[a-z_]+$`)
	seen := map[string]bool{}
	for _, k := range keys {
		if !reName.MatchString(k.name) || seen[k.name] {
			t.Errorf("%q: want a new section.name in lower case", k.name)
		}
		seen[k.name] = true
		if k.doc == "" || strings.ContainsAny(k.doc, "\n|") || strings.HasSuffix(k.doc, ".") {
			t.Errorf("%s: doc %q: want one line, no '|', no final full stop", k.name, k.doc)
		}
		if k.def == nil || k.read == nil || k.kind == "" || (k.show == nil && !k.secret) {
			t.Errorf("%s: want a default, a reader, a kind, and a show unless it is secret", k.name)
		}
		if k.safe && !k.secret {
			t.Errorf("%s: hides a secret but is not marked secret", k.name)
		}
	}
}

// TestSecretsMasked sets every secret key and checks that the start-up log
// shows none of their values.
func TestSecretsMasked(t *testing.T) {
	const k1 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	const k0 = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
	env := []string{"ACCOUNTD_OTP_CHANNEL=webhook", "ACCOUNTD_OTP_WEBHOOK_URL=https://gw.example/x",
		"ACCOUNTD_OTP_WEBHOOK_SECRET=webhook-secret-0123456789", "ACCOUNTD_OTP_MESSAGE_KEY=" + k1,
		"ACCOUNTD_EKYC_DATA_KEY=" + k1, "ACCOUNTD_EKYC_OLD_DATA_KEYS=k0:" + k0}
	c, err := LoadFrom(nil, env)
	if err != nil {
		t.Fatal(err)
	}
	m := c.Masked(func(s string) string { return s })
	for _, k := range keys {
		if !k.secret {
			continue
		}
		if !isSet(k.field(&c)) {
			t.Errorf("%s: not set by the test", k.name)
		}
		for _, secret := range []string{"webhook-secret-0123456789", k1, k0} {
			if s, _ := m[k.name].(string); strings.Contains(strings.ToLower(s), secret) {
				t.Errorf("Masked()[%s]: got %q, want the secret hidden", k.name, s)
			}
		}
	}
	if len(m) != len(keys) {
		t.Errorf("Masked(): got %d keys, want %d", len(m), len(keys))
	}
}

func TestDurationDef(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{24 * time.Hour, "24h"}, {5 * time.Minute, "5m"}, {10 * time.Second, "10s"}, {90 * time.Minute, "1h30m"}, {time.Hour + time.Second, "1h0m1s"}} {
		if got := durationDef(c.d); got != c.want {
			t.Errorf("durationDef(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
