package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/accountd/accountd/services"
)

// checkpointKeys are the keys that sign audit checkpoints (derived from
// the current data key) and check them (derived from every configured data
// key, and audit.checkpoint_public_keys).
func (a *app) checkpointKeys() (*services.CheckpointKeys, error) {
	keys, err := services.NewCheckpointKeys(dataKeys(a.cfg.EKYC), a.cfg.Audit.CheckpointPublicKeys)
	if err != nil {
		return nil, fmt.Errorf("config: audit.checkpoint_public_keys: %w", err)
	}
	return keys, nil
}

// checkpointLoop signs a checkpoint of the audit trail's head at start and
// every audit.checkpoint_interval, when the head moved, and publishes it.
func (a *app) checkpointLoop(ctx context.Context, keys *services.CheckpointKeys) {
	c := &services.Checkpointer{Store: a.store, Keys: keys, Clock: a.clock}
	t := time.NewTicker(a.cfg.Audit.CheckpointInterval)
	defer t.Stop()
	for {
		cp, written, err := c.CheckpointIfMoved(ctx)
		if err != nil && ctx.Err() == nil {
			a.log.Error().Err(err).Msg("audit checkpoint refused")
		}
		if written {
			a.publishCheckpoint(cp)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// publishCheckpoint writes a checkpoint outside the database: a log line
// whose fields are the checkpoint's JSON fields, and a line of
// audit.checkpoint_file when it is set. Neither holds personal data.
func (a *app) publishCheckpoint(cp services.AuditCheckpoint) {
	a.log.Info().Int64("seq", cp.Seq).Str("hash", cp.Hash).Str("at", cp.At.Format(time.RFC3339Nano)).
		Str("key", cp.Key).Str("sig", cp.Signature).Msg(services.CheckpointLogMessage)
	if f := a.cfg.Audit.CheckpointFile; f != "" {
		if err := appendCheckpoint(f, cp); err != nil {
			a.log.Error().Err(err).Int64("seq", cp.Seq).Msg("audit checkpoint file")
		}
	}
}

// appendCheckpoint appends cp to the file at path as one JSON line and
// syncs it to disk. The file is opened for each checkpoint, so that it may
// be rotated or shipped away between two.
func appendCheckpoint(path string, cp services.AuditCheckpoint) error {
	line, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}
