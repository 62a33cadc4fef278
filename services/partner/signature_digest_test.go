package partner_test

import (
	"crypto/sha256"
	"testing"

	"github.com/accountd/accountd/services/partner"
)

// TestV2DigestIsTheMessageHash: the server hashes the V2 message part by
// part; the result must be the hash of V2Message, which clients sign.
func TestV2DigestIsTheMessageHash(t *testing.T) {
	for _, id := range [][]byte{nil, []byte(`"a"`), []byte(`42`)} {
		msg := partner.V2Message("AccountService.GetDetails", id, "2026-12-07T10:15:30.123Z", []byte(`{"a":"b"}`))
		if got, want := partner.V2DigestForTest("AccountService.GetDetails", id, "2026-12-07T10:15:30.123Z", []byte(`{"a":"b"}`)), sha256.Sum256(msg); got != want {
			t.Errorf("id %q: digest %x, want %x", id, got, want)
		}
	}
}
