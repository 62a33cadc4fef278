package frontdoor

import (
	"testing"
)

// TestHostOf counts IPv4 clients by address and IPv6 clients by /64.
func TestHostOf(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1:5000", "127.0.0.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"[::ffff:10.0.0.1]:80", "::ffff:10.0.0.1"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := HostOf(tt.addr); got != tt.want {
			t.Errorf("HostOf(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
