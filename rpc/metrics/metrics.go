// Package metrics holds the Prometheus metrics of one accountd server.
package metrics

import (
	"database/sql"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics of one server, in a registry of their
// own (so that tests can run many servers in one process).
type Metrics struct {
	// known are the method names a method label may take; others are "other".
	known         map[string]bool
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	rateRefusals  *prometheus.CounterVec
	replays       *prometheus.CounterVec
	limiterErrors prometheus.Counter
	outbox        *prometheus.CounterVec
	sweeps        *prometheus.CounterVec
	payloadOnly   prometheus.Counter
	// bodyBytes and bodyBytesPeak are the request-body budget in use and
	// its high-water mark; refusals counts requests refused before their
	// body was read in full, by reason.
	bodyBytes     prometheus.Gauge
	bodyBytesPeak prometheus.Gauge
	refusals      *prometheus.CounterVec
	dataRemoved   *prometheus.CounterVec
	batchSize     prometheus.Histogram
	sealFailures  prometheus.Counter
	auditFlushes  prometheus.Counter
}

// New registers the server's metrics, the Go runtime's and the process's,
// and the statistics of the given database pools. methods are the names
// the method label may take.
func New(pools map[string]*sql.DB, methods []string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		known:    map[string]bool{},
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accountd_requests_total",
			Help: "JSON-RPC calls answered, by method and outcome code (0 for success).",
		}, []string{"method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "accountd_request_duration_seconds",
			Help:    "Time to answer a JSON-RPC call, by method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method"}),
		rateRefusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accountd_ratelimit_refusals_total",
			Help: "Calls refused because the partner was over its tier's rate, by tier.",
		}, []string{"tier"}),
		replays: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accountd_idempotent_replays_total",
			Help: "Data-changing calls answered from the stored response of an earlier call with the same request id, by method.",
		}, []string{"method"}),
		limiterErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "accountd_ratelimit_backend_errors_total",
			Help: "Rate-limit checks the shared store (Redis) failed to answer; the process then limited on its own.",
		}),
		outbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accountd_outbox_messages_total",
			Help: "Messages to customers handled by this process's dispatcher, by outcome (sent, retried, expired, failed).",
		}, []string{"outcome"}),
		sweeps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accountd_sweep_changes_total",
			Help: "Accounts changed by this process's sweeps, by change (dormant, freeze_lifted).",
		}, []string{"change"}),
		payloadOnly: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "accountd_payload_only_signatures_total",
			Help: "Calls accepted with NetXD's payload-only signature (keys whose policy is NETXD); such a request can be replayed under a new id.",
		}),
		bodyBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "accountd_inflight_body_bytes",
			Help: "Bytes of request bodies held now against server.max_inflight_body_bytes (the first 64 KiB of each body are not counted).",
		}),
		bodyBytesPeak: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "accountd_inflight_body_bytes_max",
			Help: "The highest accountd_inflight_body_bytes since the process started.",
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accountd_http_refusals_total",
			Help: "Requests refused at the HTTP level (405, 413, 415, 400, 503), by reason.",
		}, []string{"reason"}),
		dataRemoved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accountd_ekyc_data_removed_total",
			Help: "Onboarding data removed by this process's retention sweeps, by what (picture, package: a package's applicant data).",
		}, []string{"what"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "accountd_group_commit_batch_size",
			Help:    "Data-changing calls committed together in one transaction (group commit), per commit.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		sealFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "accountd_audit_seal_failures_total",
			Help: "Failed attempts to chain pending audit rows into the trail (PostgreSQL); the sealer tries again within a second.",
		}),
		auditFlushes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "accountd_audit_flush_failures_total",
			Help: "Failed writes of the name inquiries' audit rows waiting in memory; the rows wait for the next write.",
		}),
	}
	for _, name := range methods {
		m.known[name] = true
	}
	// The counts exist at zero before the first removal.
	m.dataRemoved.WithLabelValues("picture")
	m.dataRemoved.WithLabelValues("package")
	reg.MustRegister(m.requests, m.duration, m.rateRefusals, m.replays, m.limiterErrors, m.outbox, m.sweeps, m.dataRemoved,
		m.bodyBytes, m.bodyBytesPeak, m.refusals, m.payloadOnly, m.batchSize, m.sealFailures, m.auditFlushes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, db := range pools {
		reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	return m
}

// Committed counts one group commit of size calls.
func (m *Metrics) Committed(size int) {
	if m == nil {
		return
	}
	m.batchSize.Observe(float64(size))
}

// SealFailed counts a failed attempt of the audit sealer.
func (m *Metrics) SealFailed() {
	if m == nil {
		return
	}
	m.sealFailures.Inc()
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Replay counts an idempotent replay; services call it.
func (m *Metrics) Replay(method string) {
	if m == nil {
		return
	}
	m.replays.WithLabelValues(m.metricMethod(method)).Inc()
}

// Dispatched counts what a dispatch round did.
func (m *Metrics) Dispatched(sent, retried, expired, failed int) {
	if m == nil {
		return
	}
	for outcome, n := range map[string]int{"sent": sent, "retried": retried, "expired": expired, "failed": failed} {
		m.outbox.WithLabelValues(outcome).Add(float64(n))
	}
}

// Swept counts what a sweep changed.
func (m *Metrics) Swept(dormant, freezesLifted int) {
	if m == nil {
		return
	}
	m.sweeps.WithLabelValues("dormant").Add(float64(dormant))
	m.sweeps.WithLabelValues("freeze_lifted").Add(float64(freezesLifted))
}

// RemovedOnboardingData counts what a retention sweep removed.
func (m *Metrics) RemovedOnboardingData(packages, pictures int) {
	if m == nil {
		return
	}
	m.dataRemoved.WithLabelValues("package").Add(float64(packages))
	m.dataRemoved.WithLabelValues("picture").Add(float64(pictures))
}

// AuditFlushFailed counts a failed write of waiting audit rows.
func (m *Metrics) AuditFlushFailed() {
	if m != nil {
		m.auditFlushes.Inc()
	}
}

// Observe records one answered call under its outcome: the code, or
// "cancelled" for a call whose client went away.
func (m *Metrics) Observe(method, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	method = m.metricMethod(method)
	m.requests.WithLabelValues(method, outcome).Inc()
	m.duration.WithLabelValues(method).Observe(d.Seconds())
}

// BodyBudget records the request-body budget in use and its peak.
func (m *Metrics) BodyBudget(used, peak int64) {
	if m != nil {
		m.bodyBytes.Set(float64(used))
		m.bodyBytesPeak.Set(float64(peak))
	}
}

// Refused counts a request refused at the HTTP level.
func (m *Metrics) Refused(reason string) {
	if m != nil {
		m.refusals.WithLabelValues(reason).Inc()
	}
}

// RateRefused counts a call refused for its partner's rate.
func (m *Metrics) RateRefused(tier string) {
	if m != nil {
		m.rateRefusals.WithLabelValues(tier).Inc()
	}
}

// PayloadOnlySigned counts a call accepted with a payload-only signature.
func (m *Metrics) PayloadOnlySigned() {
	if m != nil {
		m.payloadOnly.Inc()
	}
}

// CountKeys exports the number of active keys by signature policy as
// accountd_active_keys{signature}, read with count at each scrape.
func (m *Metrics) CountKeys(count func() (map[string]int, error)) {
	if m == nil {
		return
	}
	m.registry.MustRegister(&keysCollector{count: count, desc: prometheus.NewDesc("accountd_active_keys",
		"Active API keys by signature policy (V2, or NETXD: also accepts the replayable payload-only form).",
		[]string{"signature"}, nil)})
}

// keysCollector reads the key counts at scrape time.
type keysCollector struct {
	count func() (map[string]int, error)
	desc  *prometheus.Desc
}

func (c *keysCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *keysCollector) Collect(ch chan<- prometheus.Metric) {
	counts, err := c.count()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for policy, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), policy)
	}
}

// LimiterFailed counts a rate-limit check the shared store failed to answer.
func (m *Metrics) LimiterFailed() {
	if m != nil {
		m.limiterErrors.Inc()
	}
}

// metricMethod bounds the method label to the known methods, so that a
// caller cannot grow the metrics with made-up names.
func (m *Metrics) metricMethod(method string) string {
	if m.known[method] {
		return method
	}
	return "other"
}
