package partner

import "crypto/ecdsa"

// VerifyV2AtOwnTime checks an ACCOUNTD-V2 signature as the server does for a
// key with the V2 policy, on a clock that reads the request's own
// timestamp, so that test vectors are checked without the clock window.
func VerifyV2AtOwnTime(pub *ecdsa.PublicKey, method string, id []byte, timestamp string, payload []byte, signature string) error {
	now, err := ParseTimestamp(timestamp)
	if err != nil {
		return err
	}
	req := SignedRequest{Method: method, ID: id, Timestamp: &timestamp, Payload: payload, Signature: signature}
	return verifyRequest(pub, SignatureV2, req, now, DefaultMaxClockSkew)
}

// V2DigestForTest is v2Digest, the server's hash of an ACCOUNTD-V2 message.
var V2DigestForTest = v2Digest
