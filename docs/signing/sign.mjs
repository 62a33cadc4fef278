// Prints an accountd request body signed with ACCOUNTD-V2, with Node.js's
// WebCrypto (globalThis.crypto.subtle, Node 20) and no package.
//
//   node docs/signing/sign.mjs KEY_FILE METHOD ID PAYLOAD_FILE > body.json
//
// KEY_FILE is what `accountd keys create` writes, ID the id's JSON text
// ('"1"' with its quotes, or 42; '' for none) and PAYLOAD_FILE the exact
// bytes of params.payload. See docs/signing/README.md.
import { readFileSync } from "node:fs";

const isSpace = (b) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;

async function signedBody(keyPath, method, id, payloadPath) {
  const keyFile = JSON.parse(readFileSync(keyPath, "utf8"));
  const pkcs8 = Buffer.from(keyFile.privateKey.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  if (!/^[A-Za-z0-9_.]+$/.test(method)) {
    throw new Error("METHOD must be letters, digits, '.' and '_', e.g. AccountService.GetDetails");
  }
  const payload = readFileSync(payloadPath); // a Buffer: the exact bytes of params.payload
  if (payload.length === 0 || isSpace(payload[0]) || isSpace(payload[payload.length - 1])) {
    throw new Error(`${payloadPath} must hold exactly the bytes of params.payload: not empty, ` +
      "no whitespace before or after the JSON value (a final newline?)");
  }

  // RFC 3339 in UTC; the server accepts it within 5 minutes of its clock.
  const timestamp = new Date().toISOString();
  // ACCOUNTD-V2 LF method LF id LF timestamp LF payload
  const message = Buffer.concat([Buffer.from(`ACCOUNTD-V2\n${method}\n${id}\n${timestamp}\n`, "utf8"), payload]);
  const rs = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, message); // raw r||s, 64 bytes
  const api = { keyId: keyFile.keyId, credential: keyFile.credential, signature: Buffer.from(rs).toString("base64"), timestamp };

  // The payload goes into the body exactly as it was signed.
  const head = `{"jsonrpc":"2.0","method":"${method}",` + (id === "" ? "" : `"id":${id},`) +
    `"params":{"api":${JSON.stringify(api)},"payload":`;
  return Buffer.concat([Buffer.from(head, "utf8"), payload, Buffer.from("}}", "utf8")]);
}

if (process.argv.length !== 6) {
  console.error("usage: node sign.mjs KEY_FILE METHOD ID PAYLOAD_FILE");
  process.exit(2);
}
try {
  const body = await signedBody(...process.argv.slice(2));
  process.stdout.write(Buffer.concat([body, Buffer.from("\n")]));
} catch (e) {
  console.error(`sign: ${e.message}`);
  process.exit(1);
}
