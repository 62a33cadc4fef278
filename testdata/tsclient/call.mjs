// Makes one signed call through the TypeScript client that
// @open-rpc/generator made from rpc.discover (cmd/accountd's
// TestTypeScriptClient runs it from the client's folder, after tsc):
//
//   node call.mjs URL KEY_FILE PAYLOAD_JSON
//
// It calls CustomerService_AddCustomer with the payload and prints the
// result as JSON, or the error and exits 1.
import { readFileSync } from "node:fs";
import Accountd from "./build/index.js";

const [url, keyPath, payloadText] = process.argv.slice(2);
const keyFile = JSON.parse(readFileSync(keyPath, "utf8"));
const endpoint = new URL(url);
const client = new Accountd({
  transport: { type: "http", host: endpoint.hostname, port: Number(endpoint.port), path: endpoint.pathname },
});

// The ACCOUNTD-V2 signature covers the request id's JSON text, so the
// script chooses the id rather than leave it to the request manager; the
// request manager sends ids as strings.
const id = "ts-7";
client.rpc.requestManager.nextID = () => id;

// The payload goes out as JSON.stringify writes it inside the request:
// the signature is over that same text.
const payload = JSON.parse(payloadText);
const sent = JSON.stringify(payload);
const timestamp = new Date().toISOString();
const pkcs8 = Buffer.from(keyFile.privateKey.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
const method = "CustomerService.AddCustomer"; // the name the client sends is CustomerService_AddCustomer
const sentMethod = "CustomerService_AddCustomer";
const message = Buffer.from(`ACCOUNTD-V2\n${sentMethod}\n${JSON.stringify(id)}\n${timestamp}\n${sent}`, "utf8");
const rs = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, message);
const api = { keyId: keyFile.keyId, credential: keyFile.credential, signature: Buffer.from(rs).toString("base64"), timestamp };

try {
  const result = await client.CustomerService_AddCustomer(api, payload);
  process.stdout.write(JSON.stringify({ method, result }) + "\n");
} catch (e) {
  process.stderr.write(`call failed: ${JSON.stringify(e)} ${e && e.message}\n`);
  process.exit(1);
}
