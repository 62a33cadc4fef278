package replay

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/client"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"181d", 181 * 24 * time.Hour, true},
		{"6m", 6 * time.Minute, true},
		{"1d12h", 36 * time.Hour, true},
		{"90s", 90 * time.Second, true},
		{"1h30m", 90 * time.Minute, true},
		{"", 0, false},
		{"5", 0, false},
		{"1w", 0, false},
		{"-1d", 0, false},
		{"0d", 0, false},
		{"1.5h", 0, false},
		{"1h 2m", 0, false},
		{"d", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestLoadRefusesMalformedSteps(t *testing.T) {
	tests := []struct{ name, step, want string }{
		{"two kinds", `{"method":"X.Y","advanceClock":"1d"}`, "give one of"},
		{"payload without method", `{"payload":{},"command":["sweep"]}`, "give one of"},
		{"no kind", `{"name":"nothing"}`, "give one of"},
		{"code without as", `{"code":{"requestId":"r","purpose":"OTP"}}`, `"as"`},
		{"code as a bad name", `{"code":{"requestId":"r","purpose":"OTP","as":"1x"}}`, `"as"`},
		{"output on a request", `{"method":"X.Y","expect":{"output":"x"}}`, "expect.output"},
		{"result on a command", `{"command":["sweep"],"expect":{"result":{}}}`, "for requests"},
		{"capture on a code", `{"code":{"requestId":"r","purpose":"OTP","as":"c"},"capture":{"x":"result"}}`, "for requests"},
		{"empty command", `{"command":[]}`, "command needs"},
		{"bad duration", `{"advanceClock":"3 days"}`, "advanceClock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "s.json"), []byte(`{"steps":[`+tt.step+`]}`), 0o644)
			if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func hookScenario(t *testing.T) Scenario {
	t.Helper()
	var sc Scenario
	err := json.Unmarshal([]byte(`{"name":"hooks","steps":[
		{"code":{"requestId":"req-{{run}}","purpose":"PROVE_ID","as":"otp"}},
		{"advanceClock":"1d"},
		{"advanceClock":"6m"},
		{"command":["echo","{{otp}}","{{otp|upper}}"],"expect":{"output":"$regex:^said 12345a 12345A\n$"}},
		{"command":["echo","{{otp}}"],"expect":{"output":"said 12345a\n"}}
	]}`), &sc)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range sc.Steps {
		if err := st.check(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	return sc
}

func TestRunHooks(t *testing.T) {
	var asked []string
	var moved []time.Duration
	var ran [][]string
	r := &Runner{Key: &client.KeyFile{KeyID: "k"},
		Codes: func(_ context.Context, id, purpose string) (string, error) {
			asked = append(asked, id, purpose)
			return "12345a", nil
		},
		AdvanceClock: func(d time.Duration) error { moved = append(moved, d); return nil },
		Command: func(_ context.Context, args []string) (string, error) {
			ran = append(ran, args)
			return "said " + strings.Join(args[1:], " ") + "\n", nil
		},
	}
	res := r.Run(context.Background(), hookScenario(t))
	if res.Skipped || res.Err != nil {
		t.Fatalf("Run = %+v", res)
	}
	if len(asked) != 2 || !strings.HasPrefix(asked[0], "req-") || len(asked[0]) != 11 || asked[1] != "PROVE_ID" {
		t.Errorf("Codes asked for %v, want req-{{run}} and PROVE_ID", asked)
	}
	if want := []time.Duration{24 * time.Hour, 6 * time.Minute}; !reflect.DeepEqual(moved, want) {
		t.Errorf("AdvanceClock got %v, want %v", moved, want)
	}
	if want := [][]string{{"echo", "12345a", "12345A"}, {"echo", "12345a"}}; !reflect.DeepEqual(ran, want) {
		t.Errorf("Command ran %v, want %v", ran, want)
	}
	// $unixTime is checked against the moved clock.
	if d := r.now().Sub(time.Now()); d < 24*time.Hour+5*time.Minute || d > 24*time.Hour+7*time.Minute {
		t.Errorf("the runner's clock is %v ahead, want 1d6m", d)
	}
}

func TestRunHookFailures(t *testing.T) {
	ok := func(context.Context, string, string) (string, error) { return "123456", nil }
	tests := []struct {
		name    string
		codes   func(context.Context, string, string) (string, error)
		command func(context.Context, []string) (string, error)
		want    string
	}{
		{"no code", func(context.Context, string, string) (string, error) { return "", errors.New("not printed") },
			nil, "step 1"},
		{"command fails", ok, func(context.Context, []string) (string, error) { return "oops", errors.New("exit 1") },
			"step 4"},
		{"output differs", ok, func(context.Context, []string) (string, error) { return "said nothing\n", nil },
			"output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Runner{Key: &client.KeyFile{}, Codes: tt.codes, AdvanceClock: func(time.Duration) error { return nil }, Command: tt.command}
			if tt.command == nil {
				r.Command = func(context.Context, []string) (string, error) { return "", nil }
			}
			res := r.Run(context.Background(), hookScenario(t))
			if res.Err == nil || !strings.Contains(res.Err.Error(), tt.want) {
				t.Fatalf("Run = %v, want an error with %q", res.Err, tt.want)
			}
		})
	}
}

func TestRunSkipsWithoutHooks(t *testing.T) {
	sc := hookScenario(t)
	sc.Steps = append(sc.Steps, Step{Method: "X.Y", As: "other"})
	r := &Runner{Key: &client.KeyFile{}}
	res := r.Run(context.Background(), sc)
	if !res.Skipped || res.Err != nil {
		t.Fatalf("Run = %+v, want skipped", res)
	}
	want := "needs the second partner's key, the one-time codes the server sends, moving the server's clock, running accountd commands on the server's database"
	if res.Reason != want {
		t.Errorf("reason %q, want %q", res.Reason, want)
	}
	r.Codes = func(context.Context, string, string) (string, error) { return "", nil }
	r.Other = &client.KeyFile{}
	if res := r.Run(context.Background(), sc); !res.Skipped || strings.Contains(res.Reason, "codes") || strings.Contains(res.Reason, "partner") {
		t.Errorf("with codes and the second key: %+v", res)
	}
}

func TestFillCapturedNumbersAndCase(t *testing.T) {
	vars := map[string]string{"total": "7", jsonVar + "total": "7", "code": "Ab2C3d"}
	raw, err := fillRaw(json.RawMessage(`{"pageNo": "{{total}}", "label": "page {{total}}", "lo": "{{code|lower}}", "up": "{{code|upper}}"}`), vars)
	if err != nil || string(raw) != `{"pageNo": 7, "label": "page 7", "lo": "ab2c3d", "up": "AB2C3D"}` {
		t.Fatalf("fillRaw: %s, %v", raw, err)
	}
	v, err := fillJSON(json.RawMessage(`{"n":"{{total}}","s":"{{code|lower}}"}`), vars)
	if err != nil || string(v) != `{"n":7,"s":"ab2c3d"}` {
		t.Fatalf("fillJSON: %s, %v", v, err)
	}
	if _, err := fillRaw(json.RawMessage(`{"x":"{{nope|lower}}"}`), vars); err == nil {
		t.Fatal("an unknown variable with a filter was accepted")
	}
}
