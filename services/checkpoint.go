package services

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// AuditCheckpoint is a signed statement that the audit chain's row Seq had
// the hash Hash at the time At. The chain alone cannot show that its last
// rows were cut off (what is left is a valid, shorter chain); a checkpoint
// kept where the database's writers cannot reach it can.
type AuditCheckpoint struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	At        time.Time `json:"at"`  // to the millisecond, UTC
	Key       string    `json:"key"` // the signer's Ed25519 public key, hex
	Signature string    `json:"sig"` // Ed25519 over Message(), hex
}

// checkpointMessageV1 opens the signed text of a checkpoint; the version
// lets the text change without an old signature meaning something new.
const checkpointMessageV1 = "accountd-audit-checkpoint/v1"

// Message is the text a checkpoint's signature covers:
// "accountd-audit-checkpoint/v1\n<seq>\n<hash>\n<at in Unix milliseconds>".
func (c AuditCheckpoint) Message() []byte {
	return []byte(checkpointMessageV1 + "\n" + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" + strconv.FormatInt(c.At.UnixMilli(), 10))
}

// Errors of signing and checking checkpoints.
var (
	// ErrNoCheckpointKey means there is no key to sign checkpoints with:
	// ekyc.data_key is not set.
	ErrNoCheckpointKey = errors.New("no key to sign audit checkpoints: ekyc.data_key is not set")
	// ErrCheckpointForged means a checkpoint's signature does not match its
	// content under its key: it was forged or changed.
	ErrCheckpointForged = errors.New("its signature does not match: the checkpoint was forged or changed")
	// ErrCheckpointKeyUnknown means a checkpoint is signed by a key that is
	// neither derived from a configured data key nor configured as a
	// checkpoint public key.
	ErrCheckpointKeyUnknown = errors.New("it is signed by a key that is not configured " +
		"(neither derived from ekyc.data_key or ekyc.old_data_keys nor in audit.checkpoint_public_keys)")
)

// checkpointKeyLabel separates the checkpoint signing key derived from a
// data key from every other use of that data key.
const checkpointKeyLabel = "accountd audit checkpoint v1"

// CheckpointSigningKey derives the Ed25519 key that signs checkpoints from
// a data key: its seed is HMAC-SHA256(data key, "accountd audit checkpoint
// v1"). Every replica holds the data key and so signs with the same key;
// the database does not hold it, so a writer of the database alone cannot
// sign; and its public half lets anyone check a checkpoint.
func CheckpointSigningKey(dataKey []byte) ed25519.PrivateKey {
	m := hmac.New(sha256.New, dataKey)
	m.Write([]byte(checkpointKeyLabel))
	return ed25519.NewKeyFromSeed(m.Sum(nil))
}

// CheckpointKeys sign checkpoints with the key derived from the current
// data key, and check them against the keys derived from every configured
// data key and the configured public keys (of data keys since retired, or
// for a checker who holds no data key).
type CheckpointKeys struct {
	signer  ed25519.PrivateKey // nil without a data key
	trusted map[string]bool    // hex public keys
}

// NewCheckpointKeys returns the checkpoint keys of the data keys and of
// publicKeys (hex Ed25519 public keys).
func NewCheckpointKeys(dataKeys DataKeys, publicKeys []string) (*CheckpointKeys, error) {
	k := &CheckpointKeys{trusted: map[string]bool{}}
	for id, key := range dataKeys.Keys {
		priv := CheckpointSigningKey(key)
		k.trusted[hex.EncodeToString(priv.Public().(ed25519.PublicKey))] = true
		if id == dataKeys.Current {
			k.signer = priv
		}
	}
	for _, p := range publicKeys {
		b, err := hex.DecodeString(p)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("checkpoint public key %q: want 64 hex digits", p)
		}
		k.trusted[hex.EncodeToString(b)] = true
	}
	return k, nil
}

// PublicKey is the hex public key checkpoints are signed with; "" when
// there is none.
func (k *CheckpointKeys) PublicKey() string {
	if k.signer == nil {
		return ""
	}
	return hex.EncodeToString(k.signer.Public().(ed25519.PublicKey))
}

// CanCheck reports whether any key is known to check signatures with.
func (k *CheckpointKeys) CanCheck() bool { return len(k.trusted) > 0 }

// Sign returns the signed checkpoint of row seq with hash at the time at
// (kept to the millisecond). It fails with ErrNoCheckpointKey.
func (k *CheckpointKeys) Sign(seq int64, hash string, at time.Time) (AuditCheckpoint, error) {
	if k.signer == nil {
		return AuditCheckpoint{}, ErrNoCheckpointKey
	}
	c := AuditCheckpoint{Seq: seq, Hash: hash, At: at.UTC().Truncate(time.Millisecond), Key: k.PublicKey()}
	c.Signature = hex.EncodeToString(ed25519.Sign(k.signer, c.Message()))
	return c, nil
}

// Check verifies c's signature. It fails with ErrCheckpointKeyUnknown or
// ErrCheckpointForged.
func (k *CheckpointKeys) Check(c AuditCheckpoint) error {
	pub, err := hex.DecodeString(c.Key)
	if err != nil || len(pub) != ed25519.PublicKeySize || !k.trusted[hex.EncodeToString(pub)] {
		return ErrCheckpointKeyUnknown
	}
	sig, err := hex.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, c.Message(), sig) {
		return ErrCheckpointForged
	}
	return nil
}

// CheckpointLogMessage is the message of the log line that publishes a
// checkpoint; its fields are the checkpoint's JSON fields, so that
// ReadCheckpoints reads the server's JSON log as it reads a checkpoint file.
const CheckpointLogMessage = "audit checkpoint"

// maxCheckpointsRead bounds how many checkpoints ReadCheckpoints keeps: a
// checkpoint a minute for twenty years.
const maxCheckpointsRead = 20 * 366 * 24 * 60

var reHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ReadCheckpoints reads checkpoints as they are published: one JSON object
// (as `accountd audit checkpoint` prints it), a file of one per line (as
// audit.checkpoint_file holds them), or the server's JSON log, whose lines
// with another message than "audit checkpoint" are skipped. The result is
// sorted by row.
func ReadCheckpoints(r io.Reader) ([]AuditCheckpoint, error) {
	dec := json.NewDecoder(r)
	var out []AuditCheckpoint
	for n := 1; ; n++ {
		var v struct {
			Message *string `json:"message"`
			AuditCheckpoint
		}
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("read checkpoints: value %d: %w", n, err)
		}
		if v.Message != nil && *v.Message != CheckpointLogMessage {
			continue // another log line
		}
		if c := v.AuditCheckpoint; c.Seq < 1 || !reHash.MatchString(c.Hash) || c.At.IsZero() || c.Key == "" || c.Signature == "" {
			return nil, fmt.Errorf("read checkpoints: value %d is not a checkpoint: want seq, hash, at, key and sig", n)
		}
		if out = append(out, v.AuditCheckpoint); len(out) > maxCheckpointsRead {
			return nil, fmt.Errorf("read checkpoints: more than %d", maxCheckpointsRead)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("read checkpoints: none found")
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}
