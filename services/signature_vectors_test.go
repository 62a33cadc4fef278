package services_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/accountd/accountd/services"
)

// signatureVector is one file of testdata/signatures (see its README.md).
// Pointers tell a missing field from an empty one: the empty-signature
// vector has "signature": "".
type signatureVector struct {
	Description *string `json:"description"`
	PublicKey   *string `json:"publicKey"`
	Payload     *string `json:"payload"`
	Signature   *string `json:"signature"`
	Format      *string `json:"format"`
	Expected    *string `json:"expected"`
	Note        string  `json:"note"`
}

const minSignatureVectors = 10

func loadSignatureVector(t *testing.T, path string) signatureVector {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var v signatureVector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for name, field := range map[string]*string{
		"description": v.Description,
		"publicKey":   v.PublicKey,
		"payload":     v.Payload,
		"signature":   v.Signature,
		"format":      v.Format,
		"expected":    v.Expected,
	} {
		if field == nil {
			t.Fatalf("%s: missing field %q", path, name)
		}
	}
	switch *v.Format {
	case "der", "raw", "none":
	default:
		t.Fatalf("%s: format %q, want der, raw or none", path, *v.Format)
	}
	switch *v.Expected {
	case "valid", "invalid", "key-rejected":
	default:
		t.Fatalf("%s: expected %q, want valid, invalid or key-rejected", path, *v.Expected)
	}
	return v
}

func TestSignatureVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "signatures", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < minSignatureVectors {
		t.Fatalf("found %d signature vectors in ../testdata/signatures, want at least %d", len(files), minSignatureVectors)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			v := loadSignatureVector(t, path)

			pub, err := services.ParsePublicKey([]byte(*v.PublicKey))
			if *v.Expected == "key-rejected" {
				if err == nil {
					t.Fatalf("%s: ParsePublicKey accepted the key, want it rejected (%s)", name, *v.Description)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: ParsePublicKey: %v", name, err)
			}

			err = services.VerifyPayload(pub, []byte(*v.Payload), *v.Signature)
			got := "valid"
			if err != nil {
				if !errors.Is(err, services.ErrInvalidSignature) {
					t.Errorf("%s: VerifyPayload error %v does not wrap ErrInvalidSignature", name, err)
				}
				got = "invalid"
			}
			if got != *v.Expected {
				t.Errorf("%s (%s, %s): got %s, want %s; err = %v", name, *v.Description, *v.Format, got, *v.Expected, err)
			}
		})
	}
}
