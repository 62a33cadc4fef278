package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services/notify"
	"github.com/accountd/accountd/store/storetest"
)

// TestSeedExampleSignedByOpenSSL signs NetXD's published AddAccount example
// with ACCOUNTD-V2 using the date and openssl command lines, as
// docs/signing/sign.sh does, builds the body by hand and posts it with
// net/http: no code of ours signs or encodes the request.
func TestSeedExampleSignedByOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed; this test needs an independent signer")
	}
	in := start(t)
	key := loadKey(t, in.alphaKey)
	cust, pool := seedForExample(t, in)

	dir := t.TempDir()
	keyPEM := filepath.Join(dir, "private.pem")
	os.WriteFile(keyPEM, []byte(key.PrivateKey), 0o600)
	payload := `{"customerID":"` + cust + `","name":"DAVE","accountType":"WALLET","currency":"USD","activityAccountNumber":"` + pool + `"}`
	payloadFile := filepath.Join(dir, "payload.json")
	os.WriteFile(payloadFile, []byte(payload), 0o600)
	// The ACCOUNTD-V2 message: the tag, the method, the id's JSON text
	// ("1" with its quotes), the timestamp and the payload, joined by LF.
	script := `TS=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
{ printf 'ACCOUNTD-V2\n%s\n%s\n%s\n' 'CustomerService.AddAccount' '"1"' "$TS"; cat "$2"; } > "$3"
printf '%s %s' "$TS" "$(openssl dgst -sha256 -sign "$1" "$3" | base64 -w0)"`
	out, err := exec.Command("sh", "-c", script, "sh", keyPEM, payloadFile, filepath.Join(dir, "message.txt")).Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	ts, sig, _ := strings.Cut(string(out), " ")
	body := `{"method":"CustomerService.AddAccount","id":"1","params":{"api":{"signature":"` + sig +
		`","keyId":"` + key.KeyID + `","credential":"` + key.Credential + `","timestamp":"` + ts + `"},"payload":` + payload + `}}`
	resp, err := http.Post(in.url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var got struct {
		ID      string
		JSONRPC string
		Result  map[string]string
		Error   any
	}
	if err := json.Unmarshal(raw, &got); err != nil || got.Error != nil {
		t.Fatalf("response %s", raw)
	}
	r := got.Result
	if got.ID != "1" || got.JSONRPC != "2.0" || len(r) != 6 || r["status"] != "ACTIVE" || r["accountType"] != "WALLET" ||
		r["customerID"] != cust || r["institutionID"] != "101115399" || !regexp.MustCompile(`^\d+$`).MatchString(r["ID"]) ||
		!regexp.MustCompile(`^\d{15}$`).MatchString(r["accountNumber"]) {
		t.Fatalf("not the documented result: %s", raw)
	}
	// The account is stored: GetDetails and ListAccounts show it.
	out2, _, err := runCmd(t, `{"accountId":"`+r["accountNumber"]+`"}`, "call", "AccountService.GetDetails", "-", "--key", in.alphaKey, "--url", in.url)
	if err != nil || !strings.Contains(out2, `"activityAccountNumber": "`+pool+`"`) {
		t.Fatalf("GetDetails: %v\n%s", err, out2)
	}
	out3, _, err := runCmd(t, `{"customerID":"`+cust+`"}`, "call", "AccountService.ListAccounts", "-", "--key", in.alphaKey, "--url", in.url)
	if err != nil || !strings.Contains(out3, r["accountNumber"]) {
		t.Fatalf("ListAccounts: %v\n%s", err, out3)
	}
}

// seedForExample adds a customer and a USD pool account with the CLI.
func seedForExample(t *testing.T, in *instance) (string, string) {
	t.Helper()
	out, _, err := runCmd(t, `{"type":"INDIVIDUAL","firstName":"Dave","lastName":"Miller","DOB":"19850412",
		"identification":[{"type":"SSN","value":"123-45-6789"}],"contact":{"email":"dave@example.com"}}`,
		"call", "CustomerService.AddCustomer", "-", "--key", in.alphaKey, "--url", in.url)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var c client.Response
	json.Unmarshal([]byte(out), &c)
	var cust struct{ ID string }
	json.Unmarshal(c.Result, &cust)
	out, _, err = runCmd(t, `{"customerID":"`+cust.ID+`","name":"POOL","accountType":"CHECKING","currency":"USD"}`,
		"call", "CustomerService.AddAccount", "-", "--key", in.alphaKey, "--url", in.url)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var a client.Response
	json.Unmarshal([]byte(out), &a)
	var acc struct{ AccountNumber string }
	json.Unmarshal(a.Result, &acc)
	return cust.ID, acc.AccountNumber
}

// TestKeysAddOwnPublicKey registers a partner's own public key and calls
// with a key file assembled from the partner's private key.
func TestKeysAddOwnPublicKey(t *testing.T) {
	in := start(t)
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pubDER, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	pubFile := filepath.Join(in.dir, "pub.pem")
	os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644)
	out := mustRun(t, "keys", "add", "--partner", "gamma", "--public-key", pubFile, "--database.driver", driver, "--database.dsn", in.db)
	keyID := regexp.MustCompile(`keyId:\s+(\S+)`).FindStringSubmatch(out)
	cred := regexp.MustCompile(`credential:\s+(\S+)`).FindStringSubmatch(out)
	if keyID == nil || cred == nil {
		t.Fatalf("keys add output:\n%s", out)
	}
	privDER, _ := x509.MarshalPKCS8PrivateKey(priv)
	kf := client.KeyFile{Partner: "gamma", KeyID: keyID[1], Credential: cred[1], PrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}))}
	b, _ := json.Marshal(kf)
	path := filepath.Join(in.dir, "gamma.json")
	os.WriteFile(path, b, 0o600)
	out, _, err := runCmd(t, `{"ID":"1"}`, "call", "CustomerService.GetCustomer", "-", "--key", path, "--url", in.url)
	if !strings.Contains(out, "NOT_FOUND_CUSTOMER") || err == nil {
		t.Fatalf("a call with the partner's own key: %v\n%s", err, out)
	}
	// A key on another curve is refused.
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der384, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der384}), 0o644)
	if _, _, err := runCmd(t, "", "keys", "add", "--partner", "gamma", "--public-key", pubFile, "--database.driver", driver, "--database.dsn", in.db); err == nil {
		t.Fatal("a P-384 key was accepted")
	}
}

// TestDemo runs `accountd demo` as a newcomer would and pastes the printed
// call line; a second run on the same folder reuses the key and the seeded
// customers.
func TestDemo(t *testing.T) {
	if storetest.IsPostgres() {
		t.Skip("the demo runs on its own SQLite file: covered by the SQLite pass")
	}
	t.Setenv("ACCOUNTD_EKYC_DATA_KEY", "") // the demo draws its own
	dir := filepath.Join(t.TempDir(), "demo")
	var keyIDs, dataKeys []string
	for round := 1; round <= 2; round++ {
		runDemoOnce(t, dir, round == 1)
		kf := loadKey(t, filepath.Join(dir, "demo-partner.key.json"))
		keyIDs = append(keyIDs, kf.KeyID)
		b, _ := os.ReadFile(filepath.Join(dir, "ekyc-data.key"))
		dataKeys = append(dataKeys, string(b))
		for _, f := range []string{"accountd.db", "demo-other.key.json", "payloads/get-customer.json"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("round %d: demo folder lacks %s", round, f)
			}
		}
		for _, f := range []string{"", "payloads", "accountd.db", "ekyc-data.key"} {
			want := os.FileMode(0o700)
			if strings.Contains(f, ".") {
				want = 0o600
			}
			if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != want {
				t.Errorf("round %d: demo %q has mode %v, %v; want %v", round, f, fi.Mode().Perm(), err, want)
			}
		}
	}
	// A folder left open by an older demo is made private again.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	runDemoOnce(t, dir, false)
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("a demo folder of mode 0755 is now %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	if keyIDs[0] != keyIDs[1] || dataKeys[0] != dataKeys[1] {
		t.Errorf("the second run made a new key: %v", keyIDs)
	}
}

// runDemoOnce starts the demo, runs the call line it prints and a payload
// it wrote, follows the printed one-time-code flow (a new e-mail address at
// every start, so that it works again on a folder used before), and stops
// the demo.
func runDemoOnce(t *testing.T, dir string, fresh bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"demo", "--dir", dir, "--server.addr", "127.0.0.1:0"}, nil, &out, &errOut)
	}()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("demo ended with %v", err)
		}
	}()
	var line, url string
	deadline := time.Now().Add(15 * time.Second)
	for line == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no call line printed:\n%s\n%s", out.String(), errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
		if line = printedLine(out.String(), programName+" call CustomerService.AddAccount "); line != "" {
			url = strings.Fields(line)[len(strings.Fields(line))-1]
		}
	}
	res, _, err := runCmd(t, "", strings.Fields(line)[1:]...)
	if err != nil || !strings.Contains(res, `"accountType": "WALLET"`) || !strings.Contains(res, `"status": "ACTIVE"`) {
		t.Fatalf("the printed line %q: %v\n%s", line, err, res)
	}
	key := filepath.Join(dir, "demo-partner.key.json")
	got, _, err := runCmd(t, "", "call", "CustomerService.GetCustomer", filepath.Join(dir, "payloads", "get-customer.json"), "--key", key, "--url", url)
	if err != nil || !strings.Contains(got, `"lastName": "Miller"`) {
		t.Fatalf("get-customer payload: %v\n%s", err, got)
	}
	start, confirm := demoOTPLines(t, out.String())
	followDemoOTPFlow(t, &out, start, confirm)
	checkOperatorEndpoints(t, url)
	// The demo's changes (keys, seeded customers) form an intact audit chain.
	audit := mustRun(t, "audit", "verify", "--database.dsn", filepath.Join(dir, "accountd.db"))
	if !strings.HasPrefix(audit, "OK: ") {
		t.Fatalf("audit verify on the demo:\n%s", audit)
	}
}

// printedLine returns the first line of console that starts with prefix
// once indented text is trimmed, or "".
func printedLine(console, prefix string) string {
	for _, l := range strings.Split(console, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// demoOTPLines returns the lines the demo prints to run a one-time-code
// flow: the AddOrUpdateEmail call and the ConfirmOTP call.
func demoOTPLines(t *testing.T, console string) (start, confirm string) {
	t.Helper()
	start = printedLine(console, programName+" call CustomerService.AddOrUpdateEmail ")
	confirm = printedLine(console, "echo '")
	if start == "" || confirm == "" || !strings.Contains(start, "add-email.json") {
		t.Fatalf("the demo does not show how to run a one-time-code flow:\n%s", console)
	}
	return start, confirm
}

// followDemoOTPFlow does what the demo's console says: the printed
// AddOrUpdateEmail line, the code from the demo's console, and the
// printed ConfirmOTP line with both filled in.
func followDemoOTPFlow(t *testing.T, console *syncBuffer, start, confirm string) {
	t.Helper()
	res, _, err := runCmd(t, "", strings.Fields(start)[1:]...)
	var started struct {
		Result struct{ RequestID string }
	}
	if err != nil || json.Unmarshal([]byte(res), &started) != nil || started.Result.RequestID == "" {
		t.Fatalf("the printed line %q: %v\n%s", start, err, res)
	}
	id := started.Result.RequestID
	var code string
	for deadline := time.Now().Add(10 * time.Second); code == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no code for %s on the demo's console:\n%s", id, console.String())
		}
		code, _ = notify.FindCode(console.String(), id, "OTP")
	}
	// echo '{"requestId":"REQUEST_ID","otp":"CODE"}' | accountd call ...
	payload, cmdLine, ok := strings.Cut(strings.TrimPrefix(confirm, "echo '"), "' | ")
	if !ok || !strings.HasPrefix(cmdLine, programName+" call VerificationService.ConfirmOTP - ") {
		t.Fatalf("the printed confirm line %q", confirm)
	}
	payload = strings.NewReplacer("REQUEST_ID", id, "CODE", code).Replace(payload)
	res, _, err = runCmd(t, payload, strings.Fields(cmdLine)[1:]...)
	if err != nil || !strings.Contains(res, `"status": "COMPLETED"`) || !strings.Contains(res, `"verified": "email"`) {
		t.Fatalf("the printed confirm line with requestId and code: %v\n%s", err, res)
	}
}

// checkOperatorEndpoints checks what an operator reads off a running
// server: /readyz, /metrics and the OpenRPC document.
func checkOperatorEndpoints(t *testing.T, url string) {
	t.Helper()
	base := strings.TrimSuffix(url, "/jsonrpc")
	get := func(path string) string {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	if body := get("/readyz"); !strings.HasPrefix(body, "ready") {
		t.Errorf("/readyz: %q", body)
	}
	metrics := get("/metrics")
	for _, want := range []string{`accountd_requests_total{code="0",method="CustomerService.AddAccount"}`, `accountd_requests_total{code="0",method="CustomerService.GetCustomer"}`, "accountd_request_duration_seconds_bucket", "go_sql_"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Result struct {
			OpenRPC string `json:"openrpc"`
			Methods []struct {
				// JSONRPCName is Service.Method; name is Service_Method.
				JSONRPCName string `json:"x-jsonrpc-name"`
			} `json:"methods"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Result.OpenRPC == "" {
		t.Fatalf("rpc.discover: %v %+v", err, doc)
	}
	listed := map[string]bool{}
	for _, m := range doc.Result.Methods {
		listed[m.JSONRPCName] = true
	}
	for _, m := range rpc.Methods() {
		if !listed[m] {
			t.Errorf("rpc.discover does not list %s", m)
		}
	}
}
