package rpc

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics of one server, in a registry of their
// own (so that tests can run many servers in one process).
type Metrics struct {
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	rateRefusals  *prometheus.CounterVec
	replays       *prometheus.CounterVec
	limiterErrors prometheus.Counter
	outbox        *prometheus.CounterVec
	sweeps        *prometheus.CounterVec
	dataRemoved   *prometheus.CounterVec
}

// NewMetrics registers the server's metrics, the Go runtime's and the
// process's, and the statistics of the given database pools.
func NewMetrics(pools map[string]*sql.DB) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
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
		dataRemoved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accountd_ekyc_data_removed_total",
			Help: "Onboarding data removed by this process's retention sweeps, by what (picture, package: a package's applicant data).",
		}, []string{"what"}),
	}
	// The counts exist at zero before the first removal.
	m.dataRemoved.WithLabelValues("picture")
	m.dataRemoved.WithLabelValues("package")
	reg.MustRegister(m.requests, m.duration, m.rateRefusals, m.replays, m.limiterErrors, m.outbox, m.sweeps, m.dataRemoved,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, db := range pools {
		reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	return m
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
	m.replays.WithLabelValues(metricMethod(method)).Inc()
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

// observe records one answered call.
func (m *Metrics) observe(method string, code int, d time.Duration) {
	if m == nil {
		return
	}
	method = metricMethod(method)
	m.requests.WithLabelValues(method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(method).Observe(d.Seconds())
}

func (m *Metrics) rateRefused(tier string) {
	if m != nil {
		m.rateRefusals.WithLabelValues(tier).Inc()
	}
}

func (m *Metrics) limiterFailed() {
	if m != nil {
		m.limiterErrors.Inc()
	}
}

// metricMethod bounds the method label to the known methods, so that a
// caller cannot grow the metrics with made-up names.
func metricMethod(method string) string {
	if known(method) || method == discoverMethod {
		return method
	}
	return "other"
}
