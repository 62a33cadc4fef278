// Prints an accountd request body signed with ACCOUNTD-V2, with Java 17's
// own java.security (SHA256withECDSA) and no library.
//
//   java docs/signing/Sign.java KEY_FILE METHOD ID PAYLOAD_FILE > body.json
//
// KEY_FILE is what `accountd keys create` writes, ID the id's JSON text
// ('"1"' with its quotes, or 42; '' for none) and PAYLOAD_FILE the exact
// bytes of params.payload. See docs/signing/README.md.

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class Sign {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: java Sign.java KEY_FILE METHOD ID PAYLOAD_FILE");
            System.exit(2);
        }
        try {
            byte[] body = signedBody(args[0], args[1], args[2], args[3]);
            System.out.write(body); // bytes, not a String: no platform encoding
            System.out.write('\n');
            System.out.flush();
        } catch (Exception e) {
            System.err.println("sign: " + (e instanceof IllegalArgumentException ? e.getMessage() : e));
            System.exit(1);
        }
    }

    static byte[] signedBody(String keyPath, String method, String id, String payloadPath) throws Exception {
        String keyFile = Files.readString(Path.of(keyPath), StandardCharsets.UTF_8);
        String pem = member(keyFile, "privateKey");
        byte[] pkcs8 = Base64.getMimeDecoder().decode(pem
                .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", ""));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        if (!method.matches("[A-Za-z0-9_.]+")) {
            throw new IllegalArgumentException("METHOD must be letters, digits, '.' and '_', e.g. AccountService.GetDetails");
        }
        byte[] payload = Files.readAllBytes(Path.of(payloadPath)); // the exact bytes of params.payload
        if (payload.length == 0 || isSpace(payload[0]) || isSpace(payload[payload.length - 1])) {
            throw new IllegalArgumentException(payloadPath + " must hold exactly the bytes of params.payload: not empty, "
                    + "no whitespace before or after the JSON value (a final newline?)");
        }

        // RFC 3339 in UTC; the server accepts it within 5 minutes of its clock.
        String timestamp = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        // ACCOUNTD-V2 LF method LF id LF timestamp LF payload
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        msg.writeBytes(("ACCOUNTD-V2\n" + method + "\n" + id + "\n" + timestamp + "\n").getBytes(StandardCharsets.UTF_8));
        msg.writeBytes(payload);
        Signature ecdsa = Signature.getInstance("SHA256withECDSA"); // ASN.1 DER
        ecdsa.initSign(key);
        ecdsa.update(msg.toByteArray());
        String signature = Base64.getEncoder().encodeToString(ecdsa.sign());

        // The payload goes into the body exactly as it was signed.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String head = "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\","
                + (id.isEmpty() ? "" : "\"id\":" + id + ",")
                + "\"params\":{\"api\":{\"keyId\":" + quote(member(keyFile, "keyId"))
                + ",\"credential\":" + quote(member(keyFile, "credential"))
                + ",\"signature\":\"" + signature + "\",\"timestamp\":\"" + timestamp + "\"},\"payload\":";
        body.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(payload);
        body.writeBytes("}}".getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    // isSpace reports whether b is JSON whitespace, which a server's JSON
    // parser drops from around params.payload.
    static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    // member returns a string member of a flat JSON object (the key file),
    // with its escapes decoded.
    static String member(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("the key file has no " + name);
        }
        StringBuilder out = new StringBuilder();
        for (int i = m.end(); i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                c = json.charAt(++i);
                switch (c) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> { out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16)); i += 4; }
                    default -> out.append(c); // \" \\ \/
                }
            } else {
                out.append(c);
            }
        }
        throw new IllegalArgumentException("the key file's " + name + " is not a complete string");
    }

    // quote writes s as a JSON string.
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
