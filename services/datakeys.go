package services

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
)

// DataKeys are the keys that encrypt an onboarding package's personal data
// at rest (AES-256-GCM): the pictures, the applicant's data and the FATCA
// declaration. New data is sealed under Current; data sealed under any key
// of Keys can be read, so that a key can be replaced without re-encrypting
// everything at once.
type DataKeys struct {
	Current string            // the id of the key new data is sealed under
	Keys    map[string][]byte // 32-byte keys by id, Current's among them
}

// Sealed is personal data as stored: Data is the nonce followed by the
// AES-256-GCM ciphertext under the data key KeyID. A KeyID of "" means
// Data is in clear: a row written before data keys existed (schema
// version 9), or data removed by the retention sweep (then Data is empty).
type Sealed struct {
	KeyID string
	Data  []byte
}

// ErrDataKeyUnknown means personal data is sealed under a key that is not
// configured (ekyc.data_key, ekyc.old_data_keys).
var ErrDataKeyUnknown = errors.New("data sealed under a key that is not configured")

// ErrDataTampered means sealed personal data failed its authentication:
// it was changed, or moved from another row or column.
var ErrDataTampered = errors.New("sealed data failed authentication")

// Vault seals and opens personal data with the data keys. The associated
// data of each value names its row and column, so that a ciphertext copied
// to another row or column does not open.
type Vault struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewVault uses keys, or a random key for this process alone (under an id
// that says so) when keys has none.
func NewVault(keys DataKeys) (*Vault, error) {
	if len(keys.Keys) == 0 {
		key, id := make([]byte, 32), make([]byte, 4)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("draw data key: %w", err)
		}
		if _, err := rand.Read(id); err != nil {
			return nil, fmt.Errorf("draw data key: %w", err)
		}
		keys = DataKeys{Current: "ephemeral-" + hex.EncodeToString(id), Keys: map[string][]byte{}}
		keys.Keys[keys.Current] = key
	}
	v := &Vault{current: keys.Current, aeads: map[string]cipher.AEAD{}}
	for id, key := range keys.Keys {
		if id == "" {
			return nil, errors.New("data key: empty id")
		}
		block, err := aes.NewCipher(key)
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("data key %s: want 32 bytes, got %d", id, len(key))
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("data key %s: %w", id, err)
		}
		v.aeads[id] = aead
	}
	if v.aeads[v.current] == nil {
		return nil, fmt.Errorf("data key %q: the current key is not among the keys", v.current)
	}
	return v, nil
}

// seal encrypts plain under the current key, bound to ad.
func (v *Vault) Seal(plain []byte, ad string) (Sealed, error) {
	aead := v.aeads[v.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return Sealed{}, fmt.Errorf("seal personal data: %w", err)
	}
	return Sealed{KeyID: v.current, Data: aead.Seal(nonce, nonce, plain, []byte(ad))}, nil
}

// open decrypts s, which must have been sealed bound to ad; data in clear
// (KeyID "") is returned as it is.
func (v *Vault) Open(s Sealed, ad string) ([]byte, error) {
	if s.KeyID == "" {
		return s.Data, nil
	}
	aead := v.aeads[s.KeyID]
	if aead == nil {
		return nil, fmt.Errorf("open %s: key %q: %w", ad, s.KeyID, ErrDataKeyUnknown)
	}
	n := aead.NonceSize()
	if len(s.Data) < n+aead.Overhead() {
		return nil, fmt.Errorf("open %s: too short: %w", ad, ErrDataTampered)
	}
	plain, err := aead.Open(nil, s.Data[:n], s.Data[n:], []byte(ad))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", ad, ErrDataTampered)
	}
	return plain, nil
}

// reseal opens s and seals it again under the current key; data already
// under the current key is returned as it is.
func (v *Vault) Reseal(s Sealed, ad string) (Sealed, error) {
	if s.KeyID == v.current {
		return s, nil
	}
	plain, err := v.Open(s, ad)
	if err != nil {
		return Sealed{}, err
	}
	return v.Seal(plain, ad)
}

// The associated data of each sealed column: the table, the column and the
// row. A picture is bound to its package, its kind and its SHA-256 (which
// its row keeps in clear), rather than to its upload number, so that it can
// be sealed before the transaction that numbers it: two uploads of a kind
// with the same SHA-256 are the same bytes.
func ApplicantAD(onboardingID string) string {
	return "onboardings.applicant " + onboardingID
}

func DeclarationAD(onboardingID string) string {
	return "onboardings.fatca_declaration " + onboardingID
}

func PictureAD(onboardingID, kind, sha256 string) string {
	return "onboarding_images.data " + onboardingID + " " + kind + " " + sha256
}

// Current is the id of the key new data is sealed under.
func (v *Vault) Current() string { return v.current }
