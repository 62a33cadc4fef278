package partner_test

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/partner"
)

// signatureVector is one file of testdata/signatures (see its README.md).
// Pointers tell a missing field from an empty one: the empty-signature
// vector has "signature": "", a vector without an id "id": "".
type signatureVector struct {
	Description *string `json:"description"`
	// Form is "payload-only" (NetXD's form, for NETXD keys) or "v2"
	// (ACCOUNTD-V2, which also signs Method, ID and Timestamp).
	Form      *string `json:"form"`
	Method    *string `json:"method"`
	ID        *string `json:"id"` // the id member's JSON text; "" for none
	Timestamp *string `json:"timestamp"`
	PublicKey *string `json:"publicKey"`
	Payload   *string `json:"payload"`
	Signature *string `json:"signature"`
	Format    *string `json:"format"`
	Expected  *string `json:"expected"`
	Note      string  `json:"note"`
}

// minSignatureVectors is how many vectors of each form there must be at
// least.
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
	required := map[string]*string{
		"description": v.Description,
		"form":        v.Form,
		"publicKey":   v.PublicKey,
		"payload":     v.Payload,
		"signature":   v.Signature,
		"format":      v.Format,
		"expected":    v.Expected,
	}
	if v.Form != nil && *v.Form == "v2" {
		required["method"], required["id"], required["timestamp"] = v.Method, v.ID, v.Timestamp
	}
	for name, field := range required {
		if field == nil {
			t.Fatalf("%s: missing field %q", path, name)
		}
	}
	switch *v.Form {
	case "v2", "payload-only":
	default:
		t.Fatalf("%s: form %q, want v2 or payload-only", path, *v.Form)
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

// TestSignatureVectors checks every vector with the verifier of its form:
// VerifyPayload for NetXD's payload-only form, and for ACCOUNTD-V2 the
// server's own check of a V2 key (the message of V2Message, verified with
// VerifySignature), at the vector's own time.
func TestSignatureVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "signatures", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]int{}
	for _, path := range files {
		name := filepath.Base(path)
		v := loadSignatureVector(t, path)
		forms[*v.Form]++
		t.Run(name, func(t *testing.T) {
			pub, err := partner.ParsePublicKey([]byte(*v.PublicKey))
			if *v.Expected == "key-rejected" {
				if err == nil {
					t.Fatalf("%s: ParsePublicKey accepted the key, want it rejected (%s)", name, *v.Description)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: ParsePublicKey: %v", name, err)
			}
			verifier, err := "VerifyPayload", verifyVector(pub, v)
			if *v.Form == "v2" {
				verifier = "ACCOUNTD-V2 verification"
			}
			got := "valid"
			if err != nil {
				if !errors.Is(err, services.ErrInvalidSignature) {
					t.Errorf("%s: %s error %v does not wrap ErrInvalidSignature", name, verifier, err)
				}
				got = "invalid"
			}
			if got != *v.Expected {
				t.Errorf("%s (%s, %s %s): %s says %s, want %s; err = %v", name, *v.Description, *v.Form, *v.Format, verifier, got, *v.Expected, err)
			}
			// A valid ACCOUNTD-V2 signature is no payload-only signature
			// of the same payload.
			if *v.Form == "v2" && got == "valid" && partner.VerifyPayload(pub, []byte(*v.Payload), *v.Signature) == nil {
				t.Errorf("%s: the ACCOUNTD-V2 signature also verifies as a payload-only signature", name)
			}
		})
	}
	for _, form := range []string{"payload-only", "v2"} {
		if forms[form] < minSignatureVectors {
			t.Errorf("found %d %s signature vectors in ../../testdata/signatures, want at least %d", forms[form], form, minSignatureVectors)
		}
	}
}

// verifyVector checks v's signature with the verifier of its form.
func verifyVector(pub *ecdsa.PublicKey, v signatureVector) error {
	if *v.Form == "payload-only" {
		return partner.VerifyPayload(pub, []byte(*v.Payload), *v.Signature)
	}
	var id []byte
	if *v.ID != "" {
		id = []byte(*v.ID)
	}
	return partner.VerifyV2AtOwnTime(pub, *v.Method, id, *v.Timestamp, []byte(*v.Payload), *v.Signature)
}
