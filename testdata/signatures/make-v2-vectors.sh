#!/bin/sh
# Makes the ACCOUNTD-V2 test vectors (15-*.json to 28-*.json) with the
# openssl command line, and jq (1.6 or later) to write the JSON files. No Go
# code takes part. Every run draws new keys, so the signatures change; the
# private keys are deleted when the script ends. See README.md.
set -eu
cd "$(dirname "$0")"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
umask 077

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/a.pem" 2>/dev/null
openssl pkey -in "$TMP/a.pem" -pubout -out "$TMP/a.pub"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/b.pem" 2>/dev/null

# message METHOD ID TIMESTAMP PAYLOAD [SEPARATOR]: the ACCOUNTD-V2 message
message() {
	sep=${5:-'\n'}
	printf "ACCOUNTD-V2$sep%s$sep%s$sep%s$sep%s" "$1" "$2" "$3" "$4"
}
# sign KEY: the Base64 DER signature of standard input
sign() { openssl dgst -sha256 -sign "$1" | openssl base64 -A; }
# to_raw: a Base64 DER signature (argument) as Base64 raw r||s, each value
# left-padded with zeros to 32 bytes
to_raw() {
	hex=$(printf '%s' "$1" | openssl base64 -d -A | openssl asn1parse -inform DER |
		sed -n 's/.*INTEGER *:0*//p' | while read -r v; do printf '%64s' "$v" | tr ' ' 0; done)
	openssl asn1parse -genstr "FORMAT:HEX,OCTETSTRING:$hex" -noout -out "$TMP/raw.der" >/dev/null
	tail -c 64 "$TMP/raw.der" | openssl base64 -A
}
# vector FILE DESCRIPTION METHOD ID TIMESTAMP PAYLOAD SIGNATURE FORMAT EXPECTED NOTE
vector() {
	jq -n --arg description "$2" --rawfile publicKey "$TMP/a.pub" --arg method "$3" --arg id "$4" \
		--arg timestamp "$5" --arg payload "$6" --arg signature "$7" --arg format "$8" --arg expected "$9" \
		--arg note "${10}" '{description: $description, form: "v2", publicKey: $publicKey, method: $method,
			id: $id, timestamp: $timestamp, payload: $payload, signature: $signature, format: $format,
			expected: $expected} + (if $note == "" then {} else {note: $note} end)' > "$1"
}

M=CustomerService.AddAccount
ID='"1"'
TS=2026-12-07T10:15:30.123Z
P='{"customerID":"100000000052004","name":"DAVE","accountType":"WALLET","currency":"USD","activityAccountNumber":"900309799403557"}'
PRETTY='{
  "customerID": "100000000052004",
  "name": "DAVE",
  "accountType": "WALLET",
  "currency": "USD",
  "activityAccountNumber": "900309799403557"
}'
UTF8='{"type":"INDIVIDUAL","firstName":"Văn An","lastName":"Nguyễn","DOB":"19900115","identification":[{"type":"CCCD","value":"079090123456"}],"contact":{"email":"an.nguyen@example.com"}}'
DETAILS='{"accountId":"633029192219425"}'

S=$(message "$M" "$ID" "$TS" "$P" | sign "$TMP/a.pem")
vector 15-v2-der.json "ACCOUNTD-V2 DER signature of an AddAccount request with the id \"1\"" \
	"$M" "$ID" "$TS" "$P" "$S" der valid ""
vector 16-v2-raw.json "The signature of 15 in raw r||s form (64 bytes, WebCrypto)" \
	"$M" "$ID" "$TS" "$P" "$(to_raw "$S")" raw valid "r and s are each left-padded with zeros to 32 bytes"
# A signature whose standard Base64 holds + or /, so that the URL-safe
# alphabet shows.
while :; do
	U=$(message "$M" "$ID" "$TS" "$P" | sign "$TMP/a.pem")
	case $U in *[+/]*) break ;; esac
done
vector 17-v2-der-base64url.json "ACCOUNTD-V2 DER signature in URL-safe Base64 without padding" \
	"$M" "$ID" "$TS" "$P" "$(printf '%s' "$U" | tr '+/' '-_' | tr -d '=')" der valid \
	"the server accepts standard and URL-safe Base64, padded or not"
vector 18-v2-utf8-payload.json "ACCOUNTD-V2 over an AddCustomer payload with a Vietnamese name in raw UTF-8, under the numeric id 42" \
	CustomerService.AddCustomer 42 "$TS" "$UTF8" "$(message CustomerService.AddCustomer 42 "$TS" "$UTF8" | sign "$TMP/a.pem")" der valid \
	"the payload's UTF-8 bytes are signed as they stand in the body; the id line is 42 without quotes"
vector 19-v2-no-id.json "ACCOUNTD-V2 over a request without an id (a notification): the id line is empty" \
	AccountService.GetDetails "" "$TS" "$DETAILS" "$(message AccountService.GetDetails "" "$TS" "$DETAILS" | sign "$TMP/a.pem")" der valid \
	"the message is ACCOUNTD-V2 LF method LF LF timestamp LF payload"
vector 20-v2-other-method.json "The signature of 15 presented with another method" \
	CustomerService.AddCustomer "$ID" "$TS" "$P" "$S" der invalid "signed for CustomerService.AddAccount"
vector 21-v2-id-number.json "The signature of 15 (id \"1\") presented with the id 1" \
	"$M" 1 "$TS" "$P" "$S" der invalid "the id is signed as its JSON text: 1 and \"1\" differ"
vector 22-v2-id-escaped.json "Signed with the id \"k1\", presented with the id \"\\u006b1\"" \
	"$M" '"\u006b1"' "$TS" "$P" "$(message "$M" '"k1"' "$TS" "$P" | sign "$TMP/a.pem")" der invalid \
	"the same JSON value, so the same id for idempotency, but another text: the signature covers the text as it stands in the body"
vector 23-v2-other-timestamp.json "The signature of 15 presented with the same instant written differently" \
	"$M" "$ID" 2026-12-07T10:15:30.123000Z "$P" "$S" der invalid "signed with 2026-12-07T10:15:30.123Z: the timestamp is signed exactly as sent"
vector 24-v2-pretty-payload.json "The signature of 15 presented with the payload pretty-printed" \
	"$M" "$ID" "$TS" "$PRETTY" "$S" der invalid \
	"ACCOUNTD-V2 covers the exact bytes: unlike the payload-only form (03), there is no retry without whitespace"
vector 25-v2-trailing-lf.json "Signed with a LF after the payload, presented without it" \
	"$M" "$ID" "$TS" "$P" "$(message "$M" "$ID" "$TS" "$P
" | sign "$TMP/a.pem")" der invalid \
	"what signing a payload file that ends with a newline gives: the newline is signed but is not part of params.payload"
vector 26-v2-crlf.json "Signed with CR LF between the parts" \
	"$M" "$ID" "$TS" "$P" "$(message "$M" "$ID" "$TS" "$P" '\r\n' | sign "$TMP/a.pem")" der invalid "the parts are joined by LF alone"
vector 27-v2-wrong-key.json "ACCOUNTD-V2 signed with another P-256 key" \
	"$M" "$ID" "$TS" "$P" "$(message "$M" "$ID" "$TS" "$P" | sign "$TMP/b.pem")" der invalid ""
vector 28-v2-payload-only-signature.json "NetXD's payload-only signature of the payload, presented as ACCOUNTD-V2" \
	"$M" "$ID" "$TS" "$P" "$(printf '%s' "$P" | sign "$TMP/a.pem")" der invalid \
	"a signature that covers the payload alone is not an ACCOUNTD-V2 signature"
