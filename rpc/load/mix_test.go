package load

import (
	"strings"
	"testing"
	"time"
)

func TestParseMix(t *testing.T) {
	tests := []struct {
		in      string
		want    string // the mix as String gives it
		wantErr string
	}{
		{in: "GetDetails=4,AddAccount=1", want: "GetDetails=4,AddAccount=1"},
		{in: "getdetails, noop", want: "GetDetails=1,NoOp=1"},
		{in: "CustomerService.AddCustomer=2", want: "AddCustomer=2"},
		{in: "GetDetails,", want: "GetDetails=1"},
		{in: "Transfer", wantErr: `unknown method "Transfer"`},
		{in: "GetDetails=0", wantErr: "weight of GetDetails"},
		{in: "GetDetails=1001", wantErr: "weight of GetDetails"},
		{in: "GetDetails=x", wantErr: "weight of GetDetails"},
		{in: "GetDetails,AccountService.GetDetails", wantErr: "given twice"},
		{in: "", wantErr: "names no method"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			mix, err := ParseMix(tt.in)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, %v; want an error saying %q", mix, err, tt.wantErr)
			case tt.wantErr == "" && (err != nil || mix.String() != tt.want):
				t.Errorf("got %v, %v; want %s", mix, err, tt.want)
			}
		})
	}
}

// TestCycle: each method comes up as often as its weight, interleaved.
func TestCycle(t *testing.T) {
	mix, err := ParseMix("GetDetails=3,AddAccount=1,NoOp=2")
	if err != nil {
		t.Fatal(err)
	}
	got := mix.cycle()
	want := []int{0, 1, 2, 0, 2, 0}
	if len(got) != len(want) {
		t.Fatalf("cycle %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("cycle %v; want %v", got, want)
		}
	}
}

func TestPercentile(t *testing.T) {
	l := make([]time.Duration, 100)
	for i := range l {
		l[i] = time.Duration(100-i) * time.Millisecond
	}
	sortLatencies(l)
	tests := []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0, time.Millisecond}}
	for _, tt := range tests {
		if got := percentile(l, tt.q); got != tt.want {
			t.Errorf("percentile %.2f: got %v, want %v", tt.q, got, tt.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of nothing: got %v, want 0", got)
	}
}

// TestPayloadsUnique: what AddCustomer and HoldNiceNumber create differs
// from call to call and from run to run.
func TestPayloadsUnique(t *testing.T) {
	seen := map[string]bool{}
	for run := range 2 {
		f, err := newFixture("970")
		if err != nil {
			t.Fatal(err)
		}
		f.niceBlock = []string{"12345", "54321"}[run] // each run holds in the block its search found free
		f.customers = []string{"100000000000001"}
		for _, name := range []string{"AddCustomer", "HoldNiceNumber"} {
			m, _ := Lookup(name)
			for n := range uint64(50) {
				p := string(m.payload(f, n))
				if seen[p] {
					t.Fatalf("%s payload %s sent twice", name, p)
				}
				seen[p] = true
			}
		}
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.4: "1,234,567", -4500: "-4,500"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%v): got %q, want %q", in, got, want)
		}
	}
}
