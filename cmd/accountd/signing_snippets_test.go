package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/store/storetest"
)

// snippetDir holds the signing snippets partners copy (docs/signing).
var snippetDir = filepath.Join("..", "..", "docs", "signing")

// signingSnippet is one of docs/signing's signers and how to run it.
type signingSnippet struct {
	name string // as in the test's name
	file string // in snippetDir
	// prepare checks that the toolchain is on the machine and returns the
	// command line that runs the snippet (its arguments follow), or a
	// reason to skip.
	prepare func(t *testing.T, dir string) (argv []string, skip string)
}

var signingSnippets = []signingSnippet{
	{"go", "sign.go", prepareGo},
	{"openssl", "sign.sh", prepareOpenSSL},
	{"java", "Sign.java", prepareJava},
	{"node", "sign.mjs", prepareNode},
	{"python", "sign.py", preparePython},
}

// TestSigningSnippets runs every signing snippet of docs/signing whose
// toolchain is on the machine against the real server with a key file from
// `accountd keys create`, and posts the bodies they print with net/http:
// a read works, a data-changing call with a UTF-8 payload works and sent
// again gets the first answer again, and under another id its signature
// fails. A payload file that ends with a newline is refused with a message.
func TestSigningSnippets(t *testing.T) {
	if storetest.IsPostgres() {
		t.Skip("the snippets sign the same whatever the database: covered by the SQLite pass")
	}
	in := start(t)
	_, pool := seedForExample(t, in)
	for i, sn := range signingSnippets {
		t.Run(sn.name, func(t *testing.T) {
			dir := t.TempDir()
			argv, skip := sn.prepare(t, dir)
			if skip != "" {
				t.Skipf("%s not run: %s", sn.file, skip)
			}
			sign := func(method, id, payloadFile string) ([]byte, string, error) {
				return runSnippet(argv, in.alphaKey, method, id, payloadFile)
			}
			checkRefusesFinalNewline(t, dir, sign)
			checkSignedRead(t, in, dir, pool, `"read-`+sn.name+`"`, sign)
			checkSignedWrite(t, in, dir, sn.name, strconv.Itoa(101+i), sign)
		})
	}
}

// signFunc runs a snippet on the test's key file and returns what it
// printed on standard output and standard error.
type signFunc func(method, id, payloadFile string) (stdout []byte, stderr string, err error)

// runSnippet runs a snippet in the C locale, so that a signer that relies
// on the platform's text encoding shows it on the UTF-8 payload.
func runSnippet(argv []string, args ...string) ([]byte, string, error) {
	cmd := exec.Command(argv[0], append(argv[1:], args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.String(), err
}

func checkRefusesFinalNewline(t *testing.T, dir string, sign signFunc) {
	t.Helper()
	file := filepath.Join(dir, "final-newline.json")
	os.WriteFile(file, []byte("{\"accountId\":\"100000000000000\"}\n"), 0o600)
	out, stderr, err := sign("AccountService.GetDetails", `"nl"`, file)
	if err == nil || len(out) != 0 || !strings.Contains(stderr, "exactly the bytes of params.payload") {
		t.Errorf("a payload file with a final newline: err=%v, stdout %q, stderr %q; want a refusal that says why", err, out, stderr)
	}
}

func checkSignedRead(t *testing.T, in *instance, dir, account, id string, sign signFunc) {
	t.Helper()
	file := filepath.Join(dir, "get-details.json")
	os.WriteFile(file, []byte(`{"accountId":"`+account+`"}`), 0o600)
	body := signedBody(t, sign, "AccountService.GetDetails", id, file)
	got := postBody(t, in.url, body)
	if got.Error != nil || !strings.Contains(string(got.Result), `"accountId":"`+account+`"`) || string(got.ID) != id {
		t.Fatalf("GetDetails signed by the snippet: %s", got.raw)
	}
}

// checkSignedWrite adds a customer whose name is Vietnamese, in a payload
// with spaces and line breaks inside, under a numeric id.
func checkSignedWrite(t *testing.T, in *instance, dir, name, id string, sign signFunc) {
	t.Helper()
	passport := "SIGN" + strings.ToUpper(name) + "1"
	payload := "{\"type\": \"INDIVIDUAL\", \"firstName\": \"Văn An\", \"lastName\": \"Nguyễn\",\n" +
		"  \"DOB\": \"19900115\", \"identification\": [{\"type\": \"PASSPORT\", \"value\": \"" + passport + "\"}],\n" +
		"  \"contact\": {\"email\": \"an." + name + "@example.com\"}}"
	file := filepath.Join(dir, "add-customer.json")
	os.WriteFile(file, []byte(payload), 0o600)
	body := signedBody(t, sign, "CustomerService.AddCustomer", id, file)
	if !bytes.Contains(body, []byte(`,"payload":`+payload+`}}`)) {
		t.Errorf("the body does not carry the payload file's bytes as they are:\n%s", body)
	}
	first := postBody(t, in.url, body)
	var added struct{ ID, Status string }
	if first.Error != nil || json.Unmarshal(first.Result, &added) != nil || added.ID == "" || string(first.ID) != id {
		t.Fatalf("AddCustomer signed by the snippet: %s", first.raw)
	}
	if again := postBody(t, in.url, body); !bytes.Equal(again.raw, first.raw) {
		t.Errorf("the same body sent again:\n got %s\nwant %s", again.raw, first.raw)
	}
	// Under another id (the string "101" where 101 was signed) the
	// signature fails and nothing runs.
	if bytes.Count(body, []byte(`"id":`+id+`,`)) != 1 {
		t.Fatalf("the body does not give the id as %s once:\n%s", id, body)
	}
	other := bytes.Replace(body, []byte(`"id":`+id+`,`), []byte(`"id":"`+id+`",`), 1)
	if got := postBody(t, in.url, other); got.Error == nil || got.Error.Code != rpc.CodeInvalidSignature {
		t.Errorf("the body under the id %q: %s, want -32002", id, got.raw)
	}
	out, _, err := runCmd(t, `{"identification":{"type":"PASSPORT","value":"`+passport+`"}}`,
		"call", "CustomerService.GetCustomer", "-", "--key", in.alphaKey, "--url", in.url)
	if err != nil || !strings.Contains(out, `"firstName": "Văn An"`) || !strings.Contains(out, `"lastName": "Nguyễn"`) {
		t.Errorf("the customer added by the snippet: %v\n%s", err, out)
	}
	if strings.Count(out, `"ID": "`+added.ID+`"`) != 1 {
		t.Errorf("GetCustomer does not show customer %s once:\n%s", added.ID, out)
	}
}

// signedBody runs the snippet and returns the body it printed, without its
// final newline.
func signedBody(t *testing.T, sign signFunc, method, id, file string) []byte {
	t.Helper()
	out, stderr, err := sign(method, id, file)
	if err != nil {
		t.Fatalf("%s: %v\n%s", method, err, stderr)
	}
	body, ok := bytes.CutSuffix(out, []byte("\n"))
	if !ok || !json.Valid(body) {
		t.Fatalf("%s: the snippet printed %q, want a JSON body and a newline", method, out)
	}
	return body
}

// postedAnswer is a JSON-RPC response as it came back.
type postedAnswer struct {
	ID     json.RawMessage
	Result json.RawMessage
	Error  *struct{ Code int }
	raw    []byte
}

func postBody(t *testing.T, url string, body []byte) postedAnswer {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a postedAnswer
	if a.raw, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(a.raw, &a); err != nil {
		t.Fatalf("answer %q: %v", a.raw, err)
	}
	return a
}

// prepareGo builds sign.go once (go run would build it at every call).
func prepareGo(t *testing.T, dir string) ([]string, string) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return nil, "go is not on PATH"
	}
	bin := filepath.Join(dir, "sign")
	if out, err := exec.Command(goTool, "build", "-o", bin, filepath.Join(snippetDir, "sign.go")).CombinedOutput(); err != nil {
		t.Fatalf("go build sign.go: %v\n%s", err, out)
	}
	return []string{bin}, ""
}

func prepareOpenSSL(t *testing.T, dir string) ([]string, string) {
	for _, tool := range []string{"sh", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, tool + " is not on PATH"
		}
	}
	return []string{"sh", filepath.Join(snippetDir, "sign.sh")}, ""
}

// prepareJava compiles Sign.java once: `java Sign.java` compiles it again
// at every call, about a second each.
func prepareJava(t *testing.T, dir string) ([]string, string) {
	for _, tool := range []string{"java", "javac"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, tool + " is not on PATH (Sign.java needs a JDK 17 or later)"
		}
	}
	out, err := exec.Command("javac", "--release", "17", "-d", dir, filepath.Join(snippetDir, "Sign.java")).CombinedOutput()
	if err != nil && bytes.Contains(out, []byte("release")) {
		return nil, "javac cannot compile for Java 17: " + string(out)
	}
	if err != nil {
		t.Fatalf("javac Sign.java: %v\n%s", err, out)
	}
	return []string{"java", "-cp", dir, "Sign"}, ""
}

func prepareNode(t *testing.T, dir string) ([]string, string) {
	if _, err := exec.LookPath("node"); err != nil {
		return nil, "node is not on PATH"
	}
	if exec.Command("node", "-e", "process.exit(globalThis.crypto?.subtle ? 0 : 3)").Run() != nil {
		return nil, "this node has no globalThis.crypto.subtle (WebCrypto): sign.mjs needs Node.js 20 or later"
	}
	return []string{"node", filepath.Join(snippetDir, "sign.mjs")}, ""
}

func preparePython(t *testing.T, dir string) ([]string, string) {
	if _, err := exec.LookPath("python3"); err != nil {
		return nil, "python3 is not on PATH"
	}
	if out, err := exec.Command("python3", "-c", "import cryptography").CombinedOutput(); err != nil {
		return nil, "python3 lacks the cryptography package (pip install cryptography): " + strings.TrimSpace(string(out))
	}
	return []string{"python3", filepath.Join(snippetDir, "sign.py")}, ""
}

// TestSigningDocsQuoteSnippets keeps docs/signing/README.md honest: every
// code block whose info string names a file (```java Sign.java) is a verbatim
// excerpt of that file, and every snippet is quoted.
func TestSigningDocsQuoteSnippets(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(snippetDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	quoted := map[string]bool{}
	block := regexp.MustCompile("(?ms)^```[a-z]+ ([A-Za-z.]+)\n(.*?)^```$")
	for _, m := range block.FindAllStringSubmatch(string(doc), -1) {
		file, excerpt := m[1], m[2]
		src, err := os.ReadFile(filepath.Join(snippetDir, file))
		if errors.Is(err, os.ErrNotExist) {
			t.Errorf("docs/signing/README.md quotes %s, which does not exist", file)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), excerpt) {
			t.Errorf("docs/signing/README.md quotes %s with text that is not in it:\n%s", file, excerpt)
		}
		quoted[file] = true
	}
	for _, sn := range signingSnippets {
		if !quoted[sn.file] {
			t.Errorf("docs/signing/README.md quotes nothing of %s", sn.file)
		}
	}
}
