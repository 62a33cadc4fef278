package services

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func testVault(t testing.TB, current string, ids ...string) *Vault {
	t.Helper()
	keys := DataKeys{Current: current, Keys: map[string][]byte{}}
	for _, id := range append([]string{current}, ids...) {
		sum := sha256.Sum256([]byte(id))
		keys.Keys[id] = sum[:]
	}
	v, err := NewVault(keys)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVault(t *testing.T) {
	old, cur := testVault(t, "k1"), testVault(t, "k2", "k1")
	sealed, err := old.Seal([]byte("An Nguyen"), "onboardings.applicant x")
	if err != nil || sealed.KeyID != "k1" || bytes.Contains(sealed.Data, []byte("Nguyen")) {
		t.Fatalf("seal: %+v, %v", sealed, err)
	}
	again, _ := old.Seal([]byte("An Nguyen"), "onboardings.applicant x")
	if bytes.Equal(again.Data, sealed.Data) {
		t.Error("two seals of the same value are equal: the nonce is not fresh")
	}
	tests := []struct {
		name string
		v    *Vault
		s    Sealed
		ad   string
		want error
	}{
		{"its own key", old, sealed, "onboardings.applicant x", nil},
		{"an old key kept", cur, sealed, "onboardings.applicant x", nil},
		{"another row", cur, sealed, "onboardings.applicant y", ErrDataTampered},
		{"a key not configured", testVault(t, "k2"), sealed, "onboardings.applicant x", ErrDataKeyUnknown},
		{"another key under the same id", testVault(t, "k2", "x1"), Sealed{KeyID: "x1", Data: sealed.Data}, "onboardings.applicant x", ErrDataTampered},
		{"truncated", cur, Sealed{KeyID: "k1", Data: sealed.Data[:20]}, "onboardings.applicant x", ErrDataTampered},
		{"in clear", cur, Sealed{Data: []byte("An Nguyen")}, "anything", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Open(tt.s, tt.ad)
			if !errors.Is(err, tt.want) || (tt.want == nil && (err != nil || string(got) != "An Nguyen")) {
				t.Fatalf("open: %q, %v; want %v", got, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "Nguyen") {
				t.Errorf("the error shows the data: %v", err)
			}
		})
	}
	resealed, err := cur.Reseal(sealed, "onboardings.applicant x")
	if err != nil || resealed.KeyID != "k2" {
		t.Fatalf("reseal: %+v, %v", resealed, err)
	}
	if same, err := cur.Reseal(resealed, "onboardings.applicant x"); err != nil || !bytes.Equal(same.Data, resealed.Data) {
		t.Errorf("reseal under the current key changed it: %v", err)
	}
	ephemeral, err := NewVault(DataKeys{})
	if err != nil || !strings.HasPrefix(ephemeral.current, "ephemeral-") {
		t.Errorf("without keys: %+v, %v; want a key of this process", ephemeral, err)
	}
	if _, err := NewVault(DataKeys{Current: "k3", Keys: map[string][]byte{"k1": make([]byte, 32)}}); err == nil {
		t.Error("a current key that is not among the keys: no error")
	}
	if _, err := NewVault(DataKeys{Current: "k1", Keys: map[string][]byte{"k1": make([]byte, 16)}}); err == nil {
		t.Error("a 16-byte key: no error")
	}
}

// BenchmarkSealPicture seals a picture of ekyc.max_picture_bytes (4 MiB),
// as an upload does inside its transaction.
func BenchmarkSealPicture(b *testing.B) {
	v := testVault(b, "k1")
	picture := bytes.Repeat([]byte{0xA5}, 4<<20)
	b.SetBytes(int64(len(picture)))
	for b.Loop() {
		if _, err := v.Seal(picture, "onboarding_images.data x FRONT 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"); err != nil {
			b.Fatal(err)
		}
	}
}
