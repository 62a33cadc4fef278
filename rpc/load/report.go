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

func newReport(cfg Config, run string) Report {
	return Report{Started: time.Now().UTC().Truncate(time.Second), URL: cfg.URL, Mix: cfg.Mix.String(), Each: cfg.Each,
		Connections: cfg.Connections, Duration: cfg.Duration.String(), Rate: cfg.Rate, Methods: []Row{},
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

// add adds the rows of a mix measured against the target (m) and, when
// there is one, the ceiling (base).
func (rep *Report) add(mix Mix, m measured, base *measured) {
	var all, allBase methodStats
	for i, e := range mix {
		row := makeRow(e.Method.Name, m.methods[i], m.elapsed)
		if base != nil {
			row.withCeiling(makeRow(e.Method.Name, base.methods[i], base.elapsed))
			allBase.merge(base.methods[i])
		}
		rep.Methods = append(rep.Methods, row)
		all.merge(m.methods[i])
	}
	if rep.Each {
		return
	}
	total := makeRow("total", all, m.elapsed)
	if base != nil {
		c := makeRow("ceiling", allBase, base.elapsed)
		total.withCeiling(c)
		rep.Ceiling = &c
	}
	rep.Total = &total
}

// makeRow sums up one method's calls over elapsed.
func makeRow(name string, s methodStats, elapsed time.Duration) Row {
	l := sortLatencies(s.latencies)
	errs := map[string]int{}
	for code, n := range s.errors {
		errs[code] = n
	}
	return Row{Method: name, Calls: len(l), CallsPerSecond: round(float64(len(l))/elapsed.Seconds(), 1),
		P50Ms: ms(percentile(l, 0.50)), P99Ms: ms(percentile(l, 0.99)), MaxMs: ms(percentile(l, 1)), Errors: errs}
}

// withCeiling sets the row's share of the ceiling's rate c.
func (r *Row) withCeiling(c Row) {
	r.CeilingPerSecond = c.CallsPerSecond
	if c.CallsPerSecond > 0 {
		r.Ratio = round(r.CallsPerSecond/c.CallsPerSecond, 3)
	}
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 2) }

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
	fmt.Fprintf(w, "accountd load, %s: %s\nmix %s%s, %d connections, %s a phase, %s\nsetup: %s\n\n",
		rep.Started.Format(time.RFC3339), rep.URL, rep.Mix, each, rep.Connections, rep.Duration, rate, rep.Setup)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tcalls\tcalls/s\tp50 ms\tp99 ms\tmax ms\terrors\tceiling calls/s\tratio\t")
	rows := rep.Methods
	if rep.Total != nil {
		rows = append(append([]Row{}, rows...), *rep.Total)
	}
	for _, r := range rows {
		ceiling, ratio := "-", "-"
		if r.CeilingPerSecond > 0 {
			ceiling, ratio = thousands(r.CeilingPerSecond), strconv.FormatFloat(r.Ratio, 'f', 3, 64)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%s\t%s\t%s\t\n", r.Method, thousands(float64(r.Calls)), thousands(r.CallsPerSecond),
			r.P50Ms, r.P99Ms, r.MaxMs, errorText(r.Errors), ceiling, ratio)
	}
	if err := tw.Flush(); err != nil {
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
