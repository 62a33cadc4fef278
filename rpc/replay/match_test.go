package replay

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	now := time.Unix(1795258214, 0)
	tests := []struct {
		name, want, got string
		ok              bool
	}{
		{"equal objects", `{"a":1,"b":"x"}`, `{"b":"x","a":1.0}`, true},
		{"missing member", `{"a":1,"b":"x"}`, `{"a":1}`, false},
		{"extra member", `{"a":1}`, `{"a":1,"b":2}`, false},
		{"array length", `[1,2]`, `[1,2,3]`, false},
		{"any", `{"a":"$any"}`, `{"a":[1]}`, true},
		{"numeric", `"$numeric"`, `"0123"`, true},
		{"numeric refuses a number", `"$numeric"`, `123`, false},
		{"account number", `"$accountNumber"`, `"900309799403557"`, true},
		{"account number with a wrong check", `"$accountNumber"`, `"900309799403556"`, false},
		{"unix time now", `"$unixTime"`, `1795258000`, true},
		{"unix time long ago", `"$unixTime"`, `1000`, false},
		{"regex", `"$regex:^k_[A-Za-z0-9_-]+$"`, `"k_abc-1"`, true},
		{"regex mismatch", `"$regex:^k_"`, `"c_abc"`, false},
		{"literal dollar", `"$$5"`, `"$5"`, true},
		{"unknown matcher", `"$uuid"`, `"x"`, false},
		{"null", `null`, `null`, true},
		{"null against a value", `null`, `0`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := decode([]byte(tt.want))
			g, _ := decode([]byte(tt.got))
			if err := match(w, g, "", now); (err == nil) != tt.ok {
				t.Fatalf("match(%s, %s) = %v, want ok=%v", tt.want, tt.got, err, tt.ok)
			}
		})
	}
}

func TestFill(t *testing.T) {
	vars := map[string]string{"run": "1234567", "name": `Dave "D"`, "obj": `{"a":1}`, jsonVar + "obj": `{"a":1}`}
	raw, err := fillRaw(json.RawMessage(`{"id":"{{run}}-1", "n":"{{name}}"}`), vars)
	if err != nil || string(raw) != `{"id":"1234567-1", "n":"Dave \"D\""}` {
		t.Fatalf("fillRaw: %s, %v", raw, err)
	}
	if _, err := fillRaw(json.RawMessage(`{"x":"{{nope}}"}`), vars); err == nil {
		t.Fatal("an unknown variable was accepted")
	}
	v, err := fillJSON(json.RawMessage(`{"whole":"{{obj}}","part":"x{{run}}"}`), vars)
	if err != nil || string(v) != `{"part":"x1234567","whole":{"a":1}}` {
		t.Fatalf("fillJSON: %s, %v", v, err)
	}
	got, _ := decode([]byte(`{"result":{"accounts":[{"accountId":"9"}]}}`))
	if v, err := lookup(got, "result.accounts[0].accountId"); err != nil || v != "9" {
		t.Fatalf("lookup: %v, %v", v, err)
	}
	for _, bad := range []string{"result.accounts[1].accountId", "result.nope", "result..x"} {
		if _, err := lookup(got, bad); err == nil || !strings.Contains(err.Error(), "capture") {
			t.Errorf("lookup(%q) = %v, want an error", bad, err)
		}
	}
}
