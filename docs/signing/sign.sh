#!/bin/sh
# Prints an accountd request body signed with ACCOUNTD-V2, using only
# printf, sed, od, tail, date and the openssl command line.
#
#   sh docs/signing/sign.sh KEY_FILE METHOD ID PAYLOAD_FILE > body.json
#
# KEY_FILE is what `accountd keys create` writes, ID the id's JSON text
# ('"1"' with its quotes, or 42; '' for none) and PAYLOAD_FILE the exact
# bytes of params.payload. See docs/signing/README.md.
set -eu

if [ $# -ne 4 ]; then
	echo "usage: sh sign.sh KEY_FILE METHOD ID PAYLOAD_FILE" >&2
	exit 2
fi
KEY_FILE=$1 METHOD=$2 ID=$3 PAYLOAD_FILE=$4
fail() { echo "sign: $*" >&2; exit 1; }

# member NAME: a string member of the key file (a flat JSON object).
member() {
	tr -d '\n' < "$KEY_FILE" | tr ',{}' '\n\n\n' |
		sed -n 's/^[[:space:]]*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"]*\)"[[:space:]]*$/\1/p'
}
KEY_ID=$(member keyId) CREDENTIAL=$(member credential) PRIVATE_KEY=$(member privateKey)
[ -n "$KEY_ID" ] && [ -n "$CREDENTIAL" ] && [ -n "$PRIVATE_KEY" ] ||
	fail "$KEY_FILE: keyId, credential and privateKey are required"
case $METHOD in
'' | *[!A-Za-z0-9_.]*) fail "METHOD must be letters, digits, '.' and '_', e.g. AccountService.GetDetails" ;;
esac
[ -r "$PAYLOAD_FILE" ] || fail "cannot read $PAYLOAD_FILE"
first=$(od -An -tx1 -N1 "$PAYLOAD_FILE" | tr -d ' \n')
last=$(tail -c 1 "$PAYLOAD_FILE" | od -An -tx1 | tr -d ' \n')
case "$first $last" in
' ' | 20\ * | 09\ * | 0d\ * | 0a\ * | *\ 20 | *\ 09 | *\ 0d | *\ 0a)
	fail "$PAYLOAD_FILE must hold exactly the bytes of params.payload: not empty," \
		"no whitespace before or after the JSON value (a final newline?)" ;;
esac

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
umask 077
printf '%b' "$PRIVATE_KEY" > "$TMP/private.pem" # the PEM's \n become newlines

# RFC 3339 in UTC; the server accepts it within 5 minutes of its clock.
TIMESTAMP=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# ACCOUNTD-V2 LF method LF id LF timestamp LF payload (no LF after it)
{
	printf 'ACCOUNTD-V2\n%s\n%s\n%s\n' "$METHOD" "$ID" "$TIMESTAMP"
	cat "$PAYLOAD_FILE"
} > "$TMP/message"
SIGNATURE=$(openssl dgst -sha256 -sign "$TMP/private.pem" "$TMP/message" | openssl base64 -A) # ASN.1 DER

# The payload goes into the body exactly as it was signed.
printf '{"jsonrpc":"2.0","method":"%s",' "$METHOD"
[ -z "$ID" ] || printf '"id":%s,' "$ID"
printf '"params":{"api":{"keyId":"%s","credential":"%s","signature":"%s","timestamp":"%s"},"payload":' \
	"$KEY_ID" "$CREDENTIAL" "$SIGNATURE" "$TIMESTAMP"
cat "$PAYLOAD_FILE"
printf '}}\n'
