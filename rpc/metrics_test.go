package rpc_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc"
)

// TestDispatchAndSweepMetrics checks that the dispatcher's and the sweeps'
// counts reach /metrics.
func TestDispatchAndSweepMetrics(t *testing.T) {
	m := rpc.NewMetrics(nil)
	m.Dispatched(2, 1, 0, 3)
	m.Dispatched(1, 0, 0, 0)
	m.Swept(5, 1)
	zero := httptest.NewRecorder()
	m.Handler().ServeHTTP(zero, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{`accountd_ekyc_data_removed_total{what="picture"} 0`, `accountd_ekyc_data_removed_total{what="package"} 0`} {
		if !strings.Contains(zero.Body.String(), want) {
			t.Errorf("/metrics before any removal lacks %s", want)
		}
	}
	m.RemovedOnboardingData(2, 7)
	var nilMetrics *rpc.Metrics
	nilMetrics.Dispatched(1, 1, 1, 1) // a nil Metrics counts nothing and does not panic
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`accountd_outbox_messages_total{outcome="sent"} 3`,
		`accountd_outbox_messages_total{outcome="retried"} 1`,
		`accountd_outbox_messages_total{outcome="failed"} 3`,
		`accountd_sweep_changes_total{change="dormant"} 5`,
		`accountd_sweep_changes_total{change="freeze_lifted"} 1`,
		`accountd_ekyc_data_removed_total{what="package"} 2`,
		`accountd_ekyc_data_removed_total{what="picture"} 7`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
