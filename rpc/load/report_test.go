package load

import (
	"strings"
	"testing"
	"time"
)

// calls is a phase of one method that answered n calls in a second, with
// errors failures.
func calls(n, errors int) measured {
	s := methodStats{latencies: make([]time.Duration, n)}
	for i := range s.latencies {
		s.latencies[i] = time.Duration(i+1) * time.Millisecond
	}
	for range errors {
		s.record(0, "-32004")
	}
	return measured{elapsed: time.Second, methods: []methodStats{s}}
}

// TestRowRatios: a row's ratio is the median of its rounds' ratios, its
// rates are over all rounds, and failures are counted apart by code.
func TestRowRatios(t *testing.T) {
	targets := []measured{calls(100, 0), calls(300, 2), calls(200, 0)}
	bases := []measured{calls(1000, 0), calls(1000, 0), calls(1000, 0)}
	row := makeRow("GetDetails", targets, bases, 0)
	if row.Ratio != 0.2 {
		t.Errorf("ratio %.3f; want 0.2, the median of 0.1, 0.3 and 0.2", row.Ratio)
	}
	if row.CallsPerSecond != 200 || row.CeilingPerSecond != 1000 || row.Calls != 600 {
		t.Errorf("%d calls, %.1f calls/s, ceiling %.1f; want 600, 200, 1000", row.Calls, row.CallsPerSecond, row.CeilingPerSecond)
	}
	if row.Errors["-32004"] != 2 || row.ErrorCount() != 2 {
		t.Errorf("errors %v; want -32004×2", row.Errors)
	}
	if len(row.Rounds) != 3 || row.Rounds[1].Ratio != 0.3 {
		t.Errorf("rounds %+v; want the three rounds' ratios", row.Rounds)
	}
	if row.MaxMs != 300 || row.P50Ms != 100 {
		t.Errorf("p50 %.2f ms, max %.2f ms; want 100 and 300 over every round's calls", row.P50Ms, row.MaxMs)
	}
}

func TestReportText(t *testing.T) {
	mix, _ := ParseMix("GetDetails")
	rep := newReport(Config{URL: "http://127.0.0.1:1/jsonrpc", Mix: mix, Connections: 2, Duration: time.Second})
	rep.add(mix, []measured{calls(100, 1)}, []measured{calls(400, 0)})
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GetDetails", "total", "0.250", "-32004×1", "ceiling (signed no-op, same mix, same run): 400 calls/s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, b.String())
		}
	}
}
