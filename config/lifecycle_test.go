package config_test

import (
	"strings"
	"testing"
	"time"
)

// TestLifecycleKeys covers the keys of dormancy, one-time codes and name
// inquiry: defaults, good values and refusals naming the key.
func TestLifecycleKeys(t *testing.T) {
	c, err := load(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dormancy.Days != 180 || c.Dormancy.SweepInterval != time.Hour || c.OTP.TTL != 5*time.Minute ||
		c.OTP.Channel != "" || c.OTP.MobileChangesPerDay != 3 || c.OTP.OperationsPerHour != 5 || c.Bank.Code != "970" ||
		c.Bank.Location.String() != "UTC" || len(c.OTP.MessageKey) != 0 || c.OTP.DispatchInterval != time.Second || c.EKYC.MinAge != 18 {
		t.Fatalf("defaults: %+v %+v %+v", c.Dormancy, c.OTP, c.Bank)
	}
	key := strings.Repeat("ab", 32)
	c, err = load(t, "bank:\n  code: \"014\"\n  timezone: Africa/Nairobi\notp:\n  channel: webhook\n  webhook_url: https://sms.example/hook\n"+
		"  webhook_secret: 0123456789abcdef\n  message_key: "+key+"\n  mobile_changes_per_day: 5\n  operations_per_hour: 12\ndormancy:\n  days: 90\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Bank.Code != "014" || c.Bank.Location.String() != "Africa/Nairobi" || c.OTP.Channel != "webhook" ||
		len(c.OTP.MessageKey) != 32 || c.OTP.MobileChangesPerDay != 5 || c.OTP.OperationsPerHour != 12 || c.Dormancy.Days != 90 {
		t.Fatalf("from YAML: %+v %+v %+v", c.Bank, c.OTP, c.Dormancy)
	}
	masked := c.Masked(func(s string) string { return s })
	if masked["otp.webhook_secret"] != "(set)" || masked["otp.message_key"] != "(set)" {
		t.Errorf("secrets shown in the start-up log: %v %v", masked["otp.webhook_secret"], masked["otp.message_key"])
	}
	if _, err := load(t, "", nil, "--dormancy.days", "30", "--otp.channel", "LOG"); err != nil {
		t.Errorf("flags: %v", err)
	}

	bad := []struct {
		name, yaml, key string
		env             []string
	}{
		{"bank code letters", "bank:\n  code: \"BRI\"\n", "bank.code", nil},
		{"bank code unquoted", "bank:\n  code: 14\n", "bank.code", nil},
		{"time zone", "bank:\n  timezone: Mars/Olympus\n", "bank.timezone", nil},
		{"dormancy zero", "dormancy:\n  days: 0\n", "dormancy.days", nil},
		{"sweep interval without unit", "", "dormancy.sweep_interval", []string{"ACCOUNTD_DORMANCY_SWEEP_INTERVAL=60"}},
		{"otp ttl", "", "otp.ttl", []string{"ACCOUNTD_OTP_TTL=48h"}},
		{"channel", "otp:\n  channel: carrier-pigeon\n", "otp.channel", nil},
		{"webhook without URL", "otp:\n  channel: webhook\n  webhook_secret: 0123456789abcdef\n", "otp.webhook_url", nil},
		{"webhook ftp URL", "otp:\n  channel: webhook\n  webhook_url: ftp://x/y\n  webhook_secret: 0123456789abcdef\n", "otp.webhook_url", nil},
		{"webhook short secret", "otp:\n  channel: webhook\n  webhook_url: https://sms.example/hook\n  webhook_secret: short\n", "otp.webhook_secret", nil},
		{"message key not hex", "", "otp.message_key", []string{"ACCOUNTD_OTP_MESSAGE_KEY=" + strings.Repeat("z", 64)}},
		{"message key short", "", "otp.message_key", []string{"ACCOUNTD_OTP_MESSAGE_KEY=abcd"}},
		{"mobile changes zero", "otp:\n  mobile_changes_per_day: 0\n", "otp.mobile_changes_per_day", nil},
		{"operations per hour zero", "otp:\n  operations_per_hour: 0\n", "otp.operations_per_hour", nil},
		{"operations per hour not a number", "", "otp.operations_per_hour", []string{"ACCOUNTD_OTP_OPERATIONS_PER_HOUR=many"}},
		{"eKYC age under 15", "ekyc:\n  min_age: 12\n", "ekyc.min_age", nil},
		{"nice fees", "nice:\n  fees: FOUR_OF_A_KIND=lots\n", "nice.fees", nil},
		{"nice reserved", "nice:\n  reserved: 888888, 12\n", "nice.reserved", nil},
		{"nice currency", "nice:\n  fee_currency: dong!\n", "nice.fee_currency", nil},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.yaml, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("got %v, want an error naming %s", err, tt.key)
			}
			if strings.Contains(err.Error(), "0123456789abcdef") || strings.Contains(err.Error(), strings.Repeat("z", 64)) {
				t.Fatalf("the error shows a secret: %v", err)
			}
		})
	}
}
