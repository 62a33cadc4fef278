package config_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestAuditCheckpointKeys covers the audit checkpoints' keys: defaults,
// values from YAML and the environment, and refusals naming the key.
func TestAuditCheckpointKeys(t *testing.T) {
	const pub = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
	c, err := load(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Audit; a.CheckpointInterval != time.Minute || a.CheckpointFile != "" || len(a.CheckpointPublicKeys) != 0 {
		t.Fatalf("defaults: %+v", a)
	}
	file := filepath.Join(t.TempDir(), "checkpoints.jsonl")
	c, err = load(t, "audit:\n  checkpoint_interval: 10s\n  checkpoint_public_keys: \""+pub+", "+strings.ToUpper(pub)+"\"\n",
		[]string{"ACCOUNTD_AUDIT_CHECKPOINT_FILE=" + file})
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Audit; a.CheckpointInterval != 10*time.Second || a.CheckpointFile != file ||
		!slices.Equal(a.CheckpointPublicKeys, []string{pub, strings.ToUpper(pub)}) {
		t.Fatalf("from YAML and the environment: %+v", a)
	}
	for _, bad := range []struct{ yaml, key string }{
		{"audit:\n  checkpoint_interval: 0s\n", "audit.checkpoint_interval"},
		{"audit:\n  checkpoint_interval: 48h\n", "audit.checkpoint_interval"},
		{"audit:\n  checkpoint_file: " + filepath.Join(t.TempDir(), "no", "such", "folder", "cp.jsonl") + "\n", "audit.checkpoint_file"},
		{"audit:\n  checkpoint_public_keys: \"" + pub[:62] + "\"\n", "audit.checkpoint_public_keys"},
		{"audit:\n  checkpoint_public_keys: \"" + pub + ",xyz\"\n", "audit.checkpoint_public_keys"},
	} {
		_, err := load(t, bad.yaml, nil)
		if err == nil || !namesKey(err.Error(), bad.key) {
			t.Errorf("%q: got %v, want an error naming %s", bad.yaml, err, bad.key)
		}
		for _, k := range allKeys {
			if err != nil && k != bad.key && namesKey(err.Error(), k) {
				t.Errorf("%q: %v names %s too", bad.yaml, err, k)
			}
		}
	}
}
