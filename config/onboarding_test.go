package config_test

import (
	"strings"
	"testing"
	"time"
)

// TestOnboardingKeys covers the eKYC onboarding keys and the upload body
// limit: defaults, values from YAML and refusals naming the key.
func TestOnboardingKeys(t *testing.T) {
	c, err := load(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.EKYC.OnboardingTTL != 24*time.Hour || c.EKYC.PictureRetries != 2 || c.EKYC.HashDistance != 10 ||
		c.EKYC.MaxPictureBytes != 4<<20 || c.Server.MaxUploadBodyBytes != 10<<20 {
		t.Fatalf("defaults: %+v, upload body %d", c.EKYC, c.Server.MaxUploadBodyBytes)
	}
	c, err = load(t, "ekyc:\n  onboarding_ttl: 2h\n  picture_retries: 5\n  hash_distance: 6\n  max_picture_bytes: 1048576\n"+
		"server:\n  max_upload_body_bytes: 2097152\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.EKYC.OnboardingTTL != 2*time.Hour || c.EKYC.PictureRetries != 5 || c.EKYC.HashDistance != 6 ||
		c.EKYC.MaxPictureBytes != 1<<20 || c.Server.MaxUploadBodyBytes != 2<<20 {
		t.Fatalf("from YAML: %+v, upload body %d", c.EKYC, c.Server.MaxUploadBodyBytes)
	}
	for _, bad := range []struct{ yaml, key string }{
		{"ekyc:\n  onboarding_ttl: 3600\n", "ekyc.onboarding_ttl"},
		{"ekyc:\n  picture_retries: 0\n", "ekyc.picture_retries"},
		{"ekyc:\n  hash_distance: 40\n", "ekyc.hash_distance"},
		{"ekyc:\n  max_picture_bytes: 100\n", "ekyc.max_picture_bytes"},
		{"server:\n  max_upload_body_bytes: lots\n", "server.max_upload_body_bytes"},
	} {
		if _, err := load(t, bad.yaml, nil); err == nil || !strings.Contains(err.Error(), bad.key) {
			t.Errorf("%q: got %v, want an error naming %s", bad.yaml, err, bad.key)
		}
	}
}
