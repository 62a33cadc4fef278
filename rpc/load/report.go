package load

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what `accountd load` prints: a row per method, the total, and
// the ceiling measured in the same run.
type Report struct {
	Started     time.Time `json:"started"`
	URL         string    `json:"url"`
	Mix         string    `json:"mix"`
	Each        bool      `json:"each,omitempty"`
	Connections int       `json:"connections"`
	Duration    string    `json:"duration"`
	Rate        float64   `json:"rate,omitempty"`
	Rounds      int       `json:"rounds"`
	Setup       string    `json:"setup"`
	Methods     []Row     `json:"methods"`
	// Total is the whole mix against the target; Ceiling the whole mix
	// against the ceiling. Neither is given with Each.
	Total   *Row    `json:"total,omitempty"`
	Ceiling *Row    `json:"ceiling,omitempty"`
	Signing Signing `json:"signing"`
}

// Row is one method's calls (or a whole mix's). Calls are the calls that
// succeeded; CallsPerSecond and the latencies are theirs. Errors counts the
// others by JSON-RPC error code ("HTTP 503", "transport" or "bad response"
// when there was none).
type Row struct {
	Method         string         `json:"method"`
	Calls          int            `json:"calls"`
	CallsPerSecond float64        `json:"callsPerSecond"`
	P50Ms          float64        `json:"p50Ms"`
	P99Ms          float64        `json:"p99Ms"`
	MaxMs          float64        `json:"maxMs"`
	Errors         map[string]int `json:"errors"`
	// CeilingPerSecond is the same method's calls a second against the
	// ceiling under the same load, and Ratio CallsPerSecond divided by it.
	CeilingPerSecond float64 `json:"ceilingCallsPerSecond,omitempty"`
	Ratio            float64 `json:"ratio,omitempty"`
	// Rounds are each round's rates and ratio, when there was more than
	// one; Ratio is then the median of theirs, and the rest sums them up.
	Rounds []Round `json:"rounds,omitempty"`
}

// Round is one round's rates of a method, and its ratio.
type Round struct {
	CallsPerSecond   float64 `json:"callsPerSecond"`
	CeilingPerSecond float64 `json:"ceilingCallsPerSecond"`
	Ratio            float64 `json:"ratio"`
}

// ErrorCount is the number of calls that failed.
func (r Row) ErrorCount() int {
	n := 0
	for _, c := range r.Errors {
		n += c
	}
	return n
}

// Signing says what signing cost the load generator: every call is built
// and signed by its worker before its latency clock starts.
type Signing struct {
	Calls       int     `json:"calls"`
	Seconds     float64 `json:"seconds"`
	MeanMicros  float64 `json:"meanMicroseconds"`
	Explanation string  `json:"explanation"`
}

func newReport(cfg Config) Report {
	return Report{Started: time.Now().UTC().Truncate(time.Second), URL: cfg.URL, Mix: cfg.Mix.String(), Each: cfg.Each,
		Connections: cfg.Connections, Duration: cfg.Duration.String(), Rate: cfg.Rate, Rounds: cfg.rounds(), Methods: []Row{},
		Signing: Signing{Explanation: "each call is built and signed (ECDSA P-256, its own id and timestamp) by its worker " +
			"before its latency clock starts; the time is the workers', on the CPUs the servers share"}}
}

// addSigning adds a phase's signing time.
func (rep *Report) addSigning(m measured) {
	s := &rep.Signing
	s.Calls += m.signed
	s.Seconds += m.signing.Seconds()
	if s.Calls > 0 {
		s.MeanMicros = s.Seconds / float64(s.Calls) * 1e6
	}
}

// add adds the rows of a mix measured against the target in every round
// (ms) and, when there was one, against the ceiling (bases, round for
// round).
func (rep *Report) add(mix Mix, ms, bases []measured) {
	for i, e := range mix {
		rep.Methods = append(rep.Methods, makeRow(e.Method.Name, ms, bases, i))
	}
	if rep.Each {
		return
	}
	total := makeRow("total", ms, bases, all)
	rep.Total = &total
	if len(bases) > 0 {
		c := makeRow("ceiling", bases, nil, all)
		rep.Ceiling = &c
	}
}

// all selects every method of a mix in makeRow.
const all = -1

// makeRow sums up method i's calls (every method's for all) over the
// rounds ms, with its share of the ceiling's rate in bases: the median of
// the rounds' ratios.
func makeRow(name string, ms, bases []measured, i int) Row {
	s, elapsed := combine(ms, i)
	l := sortLatencies(s.latencies)
	errs := map[string]int{}
	for code, n := range s.errors {
		errs[code] = n
	}
	row := Row{Method: name, Calls: len(l), CallsPerSecond: round(float64(len(l))/elapsed.Seconds(), 1),
		P50Ms: millis(percentile(l, 0.50)), P99Ms: millis(percentile(l, 0.99)), MaxMs: millis(percentile(l, 1)), Errors: errs}
	if len(bases) == 0 {
		return row
	}
	base, baseElapsed := combine(bases, i)
	row.CeilingPerSecond = round(float64(len(base.latencies))/baseElapsed.Seconds(), 1)
	var ratios []float64
	for r := range ms {
		got, _ := combine(ms[r:r+1], i)
		ceil, _ := combine(bases[r:r+1], i)
		rate, ceilRate := float64(len(got.latencies))/ms[r].elapsed.Seconds(), float64(len(ceil.latencies))/bases[r].elapsed.Seconds()
		ratio := 0.0
		if ceilRate > 0 {
			ratio = round(rate/ceilRate, 3)
		}
		ratios = append(ratios, ratio)
		if len(ms) > 1 {
			row.Rounds = append(row.Rounds, Round{CallsPerSecond: round(rate, 1), CeilingPerSecond: round(ceilRate, 1), Ratio: ratio})
		}
	}
	sort.Float64s(ratios)
	row.Ratio = ratios[(len(ratios)-1)/2]
	return row
}

// combine gathers method i's calls (every method's for all) over rounds,
// and the rounds' time.
func combine(rounds []measured, i int) (methodStats, time.Duration) {
	var s methodStats
	var elapsed time.Duration
	for _, m := range rounds {
		elapsed += m.elapsed
		for j, ms := range m.methods {
			if i == all || i == j {
				s.merge(ms)
			}
		}
	}
	return s, elapsed
}

func millis(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 2) }

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// WriteText prints the report as a table.
func (rep Report) WriteText(w io.Writer) error {
	rate := "no rate cap"
	if rep.Rate > 0 {
		rate = "at most " + thousands(rep.Rate) + " calls/s"
	}
	each := ""
	if rep.Each {
		each = ", one method at a time"
	}
	fmt.Fprintf(w, "accountd load, %s: %s\nmix %s%s, %d connections, %s a phase, %s, %d round(s)\nsetup: %s\n\n",
		rep.Started.Format(time.RFC3339), rep.URL, rep.Mix, each, rep.Connections, rep.Duration, rate, rep.Rounds, rep.Setup)
	if err := rep.writeTable(w); err != nil {
		return err
	}
	if c := rep.Ceiling; c != nil {
		fmt.Fprintf(w, "\nceiling (signed no-op, same mix, same run): %s calls/s, p50 %.2f ms, p99 %.2f ms, %d errors\n",
			thousands(c.CallsPerSecond), c.P50Ms, c.P99Ms, c.ErrorCount())
	}
	s := rep.Signing
	_, err := fmt.Fprintf(w, "signing: %s calls signed, %.0f µs each on average, %.1f s of the workers' time; %s\n",
		thousands(float64(s.Calls)), s.MeanMicros, s.Seconds, s.Explanation)
	return err
}

// writeTable prints a row per method, and the total.
func (rep Report) writeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "method\tcalls\tcalls/s\tp50 ms\tp99 ms\tmax ms\terrors\tceiling calls/s\tratio\t"
	if rep.Rounds > 1 {
		header += "rounds' ratios\t"
	}
	fmt.Fprintln(tw, header)
	rows := rep.Methods
	if rep.Total != nil {
		rows = append(append([]Row{}, rows...), *rep.Total)
	}
	for _, r := range rows {
		ceiling, ratio := "-", "-"
		if r.CeilingPerSecond > 0 {
			ceiling, ratio = thousands(r.CeilingPerSecond), strconv.FormatFloat(r.Ratio, 'f', 3, 64)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%s\t%s\t%s\t", r.Method, thousands(float64(r.Calls)), thousands(r.CallsPerSecond),
			r.P50Ms, r.P99Ms, r.MaxMs, errorText(r.Errors), ceiling, ratio)
		if rep.Rounds > 1 {
			fmt.Fprintf(tw, "%s\t", roundRatios(r.Rounds))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// roundRatios lists the rounds' ratios: "0.412 0.398 0.455", or "-".
func roundRatios(rounds []Round) string {
	if len(rounds) == 0 {
		return "-"
	}
	parts := make([]string, len(rounds))
	for i, r := range rounds {
		parts[i] = strconv.FormatFloat(r.Ratio, 'f', 3, 64)
	}
	return strings.Join(parts, " ")
}

// errorText is the errors by code: "0", or "-32004×12 HTTP 503×3".
func errorText(errs map[string]int) string {
	if len(errs) == 0 {
		return "0"
	}
	codes := make([]string, 0, len(errs))
	for c := range errs {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s×%d", c, errs[c])
	}
	return strings.Join(parts, " ")
}

// thousands formats x rounded to a whole number with thousands separators.
func thousands(x float64) string {
	s := strconv.FormatInt(int64(math.Round(x)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
