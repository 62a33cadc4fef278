package config_test

import (
	"strings"
	"testing"
	"time"
)

// TestDataAtRestKeys covers the data keys and the retention periods of
// eKYC pictures: defaults, values from YAML and the environment, the
// start-up log's masking, and refusals naming the key.
func TestDataAtRestKeys(t *testing.T) {
	const k1 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	const k0 = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100"
	c, err := load(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.EKYC.DataKey != nil || c.EKYC.DataKeyID != "k1" || len(c.EKYC.OldDataKeys) != 0 ||
		c.EKYC.PictureRetention != 30*24*time.Hour || c.EKYC.CompletedPictureRetention != 1827*24*time.Hour {
		t.Fatalf("defaults: %+v", c.EKYC)
	}
	c, err = load(t, "ekyc:\n  data_key_id: \"2027-01\"\n  old_data_keys: \"k1:"+k1+", k0 : "+k0+"\"\n"+
		"  picture_retention: 720h\n  completed_picture_retention: 3650d\n", []string{"ACCOUNTD_EKYC_DATA_KEY=" + strings.ToUpper(k0)})
	if err != nil {
		t.Fatal(err)
	}
	if c.EKYC.DataKeyID != "2027-01" || len(c.EKYC.DataKey) != 32 || c.EKYC.DataKey[0] != 0x1f || len(c.EKYC.OldDataKeys) != 2 ||
		c.EKYC.OldDataKeys["k1"][1] != 1 || c.EKYC.OldDataKeys["k0"][0] != 0x1f ||
		c.EKYC.PictureRetention != 30*24*time.Hour || c.EKYC.CompletedPictureRetention != 3650*24*time.Hour {
		t.Fatalf("from YAML and the environment: %+v", c.EKYC)
	}
	masked := c.Masked(func(s string) string { return s })
	if masked["ekyc.data_key"] != "(set)" || masked["ekyc.old_data_keys"] != "k0:(hidden),k1:(hidden)" {
		t.Errorf("masked: %v / %v", masked["ekyc.data_key"], masked["ekyc.old_data_keys"])
	}
	for _, v := range masked {
		if s, ok := v.(string); ok && (strings.Contains(strings.ToLower(s), k0) || strings.Contains(s, k1)) {
			t.Errorf("the start-up log shows a key: %s", s)
		}
	}
	for _, bad := range []struct {
		yaml string
		env  []string
		key  string
	}{
		{"ekyc:\n  data_key: abc\n", nil, "ekyc.data_key"},
		{"", []string{"ACCOUNTD_EKYC_DATA_KEY=" + k1 + "00"}, "ekyc.data_key"},
		{"ekyc:\n  data_key_id: \"\"\n", nil, "ekyc.data_key_id"},
		{"ekyc:\n  data_key_id: \"a key\"\n", nil, "ekyc.data_key_id"},
		{"ekyc:\n  old_data_keys: \"k0:" + k0 + "\"\n", nil, "ekyc.old_data_keys"}, // without a current key
		{"ekyc:\n  data_key: " + k1 + "\n  old_data_keys: \"k0\"\n", nil, "ekyc.old_data_keys"},
		{"ekyc:\n  data_key: " + k1 + "\n  old_data_keys: \"k0:12\"\n", nil, "ekyc.old_data_keys"},
		{"ekyc:\n  data_key: " + k1 + "\n  old_data_keys: \"k1:" + k0 + "\"\n", nil, "ekyc.old_data_keys"},
		{"ekyc:\n  data_key: " + k1 + "\n  old_data_keys: \"k0:" + k0 + ",k0:" + k0 + "\"\n", nil, "ekyc.old_data_keys"},
		{"ekyc:\n  picture_retention: 30\n", nil, "ekyc.picture_retention"},
		{"ekyc:\n  picture_retention: 0d\n", nil, "ekyc.picture_retention"},
		{"ekyc:\n  picture_retention: -1h\n", nil, "ekyc.picture_retention"},
		{"ekyc:\n  completed_picture_retention: 5y\n", nil, "ekyc.completed_picture_retention"},
	} {
		_, err := load(t, bad.yaml, bad.env)
		if err == nil || !namesKey(err.Error(), bad.key) {
			t.Errorf("%q %v: got %v, want an error naming %s", bad.yaml, bad.env, err, bad.key)
		}
		for _, k := range allKeys {
			if err != nil && k != bad.key && namesKey(err.Error(), k) {
				t.Errorf("%q: %v names %s too", bad.yaml, err, k)
			}
		}
		if err != nil && (strings.Contains(err.Error(), k0) || strings.Contains(err.Error(), k1)) {
			t.Errorf("the error shows a key: %v", err)
		}
	}
}
