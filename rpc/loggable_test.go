package rpc

import (
	"strings"
	"testing"
)

// TestLoggableKeyID: only ids of the shape accountd issues reach the log.
func TestLoggableKeyID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"k_NtjTsK2zTVwual-o", true},
		{"k_a", true},
		{"k_" + strings.Repeat("x", 40), true},
		{"k_" + strings.Repeat("x", 41), false},
		{"k_", false},
		{"", false},
		{"c_5Hk0secretcredential", false},
		{"K_abc", false},
		{"k_a b", false},
		{"k_abc\n", false},
		{"k_é", false},
		{"xk_abc", false},
	}
	for _, tt := range tests {
		got := loggableKeyID(tt.id)
		if (got == tt.id) != tt.want || (!tt.want && got != "(malformed)") {
			t.Errorf("loggableKeyID(%q) = %q, want it shown: %v", tt.id, got, tt.want)
		}
	}
}
