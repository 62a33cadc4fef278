"""Prints an accountd request body signed with ACCOUNTD-V2, with Python 3 and
the `cryptography` package (pip install cryptography).

    python3 docs/signing/sign.py KEY_FILE METHOD ID PAYLOAD_FILE > body.json

KEY_FILE is what `accountd keys create` writes, ID the id's JSON text
('"1"' with its quotes, or 42; '' for none) and PAYLOAD_FILE the exact bytes
of params.payload. See docs/signing/README.md.
"""
import base64
import json
import re
import sys
from datetime import datetime, timezone

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def is_space(b):
    """JSON whitespace, which a server's JSON parser drops from around params.payload."""
    return b in b" \t\r\n"


def signed_body(key_path, method, id_text, payload_path):
    with open(key_path, encoding="utf-8") as f:
        key_file = json.load(f)
    key = serialization.load_pem_private_key(key_file["privateKey"].encode("ascii"), password=None)
    if not re.fullmatch(r"[A-Za-z0-9_.]+", method):
        raise ValueError("METHOD must be letters, digits, '.' and '_', e.g. AccountService.GetDetails")
    with open(payload_path, "rb") as f:
        payload = f.read()  # bytes: the exact bytes of params.payload
    if not payload or is_space(payload[0]) or is_space(payload[-1]):
        raise ValueError(f"{payload_path} must hold exactly the bytes of params.payload: not empty, "
                         "no whitespace before or after the JSON value (a final newline?)")

    # RFC 3339 in UTC; the server accepts it within 5 minutes of its clock.
    timestamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    # ACCOUNTD-V2 LF method LF id LF timestamp LF payload
    message = f"ACCOUNTD-V2\n{method}\n{id_text}\n{timestamp}\n".encode("utf-8") + payload
    der = key.sign(message, ec.ECDSA(hashes.SHA256()))  # ASN.1 DER
    api = {"keyId": key_file["keyId"], "credential": key_file["credential"],
           "signature": base64.b64encode(der).decode("ascii"), "timestamp": timestamp}

    # The payload goes into the body exactly as it was signed.
    head = f'{{"jsonrpc":"2.0","method":"{method}",' + ("" if id_text == "" else f'"id":{id_text},')
    head += '"params":{"api":' + json.dumps(api, separators=(",", ":")) + ',"payload":'
    return head.encode("utf-8") + payload + b"}}"


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print("usage: python3 sign.py KEY_FILE METHOD ID PAYLOAD_FILE", file=sys.stderr)
        sys.exit(2)
    try:
        body = signed_body(*sys.argv[1:])
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"sign: {e}")
    sys.stdout.buffer.write(body + b"\n")
