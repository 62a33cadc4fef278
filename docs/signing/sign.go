// Command sign prints an accountd request body signed with ACCOUNTD-V2.
//
//	go run docs/signing/sign.go KEY_FILE METHOD ID PAYLOAD_FILE > body.json
//
// KEY_FILE is what `accountd keys create` writes, ID the id's JSON text
// ("1" with its quotes, or 42; an empty argument for none) and PAYLOAD_FILE
// the exact bytes of params.payload. See docs/signing/README.md.
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: go run sign.go KEY_FILE METHOD ID PAYLOAD_FILE")
		os.Exit(2)
	}
	body, err := signedBody(os.Args[1], os.Args[2], os.Args[3], os.Args[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sign:", err)
		os.Exit(1)
	}
	os.Stdout.Write(append(body, '\n'))
}

// keyFile is the file `accountd keys create` writes.
type keyFile struct {
	KeyID      string `json:"keyId"`
	Credential string `json:"credential"`
	PrivateKey string `json:"privateKey"` // PKCS#8 PEM
}

var plainMethod = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)

func signedBody(keyPath, method, id, payloadPath string) ([]byte, error) {
	var kf keyFile
	raw, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &kf); err != nil {
		return nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	block, _ := pem.Decode([]byte(kf.PrivateKey))
	if block == nil {
		return nil, fmt.Errorf("%s: privateKey is not PEM", keyPath)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	ecKey, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: privateKey is not an EC key", keyPath)
	}
	if !plainMethod.MatchString(method) {
		return nil, errors.New("METHOD must be letters, digits, '.' and '_', e.g. AccountService.GetDetails")
	}
	payload, err := os.ReadFile(payloadPath) // the exact bytes of params.payload
	if err != nil {
		return nil, err
	}
	if len(payload) == 0 || isSpace(payload[0]) || isSpace(payload[len(payload)-1]) {
		return nil, fmt.Errorf("%s must hold exactly the bytes of params.payload: not empty, "+
			"no whitespace before or after the JSON value (a final newline?)", payloadPath)
	}

	// RFC 3339 in UTC; the server accepts it within 5 minutes of its clock.
	timestamp := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	// ACCOUNTD-V2 LF method LF id LF timestamp LF payload
	msg := []byte("ACCOUNTD-V2\n" + method + "\n" + id + "\n" + timestamp + "\n")
	msg = append(msg, payload...)
	digest := sha256.Sum256(msg)
	der, err := ecdsa.SignASN1(rand.Reader, ecKey, digest[:]) // ASN.1 DER
	if err != nil {
		return nil, err
	}
	api, err := json.Marshal(map[string]string{"keyId": kf.KeyID, "credential": kf.Credential,
		"signature": base64.StdEncoding.EncodeToString(der), "timestamp": timestamp})
	if err != nil {
		return nil, err
	}

	// The payload goes into the body exactly as it was signed.
	var body bytes.Buffer
	body.WriteString(`{"jsonrpc":"2.0","method":"` + method + `",`)
	if id != "" {
		body.WriteString(`"id":` + id + `,`)
	}
	body.WriteString(`"params":{"api":`)
	body.Write(api)
	body.WriteString(`,"payload":`)
	body.Write(payload)
	body.WriteString(`}}`)
	return body.Bytes(), nil
}

// isSpace reports whether b is JSON whitespace, which a server's JSON parser
// drops from around params.payload.
func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\r' || b == '\n'
}
