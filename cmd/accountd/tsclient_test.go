package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc/client"
)

// tsclientDir holds the pinned tools (package.json, package-lock.json) and
// the script that calls through the generated client.
var tsclientDir = filepath.Join("..", "..", "testdata", "tsclient")

// TestTypeScriptClient generates the TypeScript client from the running
// server's rpc.discover with @open-rpc/generator, compiles it with tsc
// (zero errors), and makes one signed call through it: AddCustomer, whose
// customer must then be found. It needs node and npm (and the npm
// registry, the first time: the tools are kept in
// $HOME/.cache/accountd-tsclient by the lockfile's hash).
func TestTypeScriptClient(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED: %s is not on PATH; the generated TypeScript client is not checked", tool)
		}
	}
	modules := installTSTools(t)
	in := start(t)
	key := loadKey(t, in.alphaKey)
	rpcClient := &client.Client{URL: in.url}

	dir := t.TempDir()
	status, body, err := rpcClient.Post(context.Background(), []byte(`{"jsonrpc":"2.0","method":"rpc.discover","id":1}`))
	if err != nil || status != 200 {
		t.Fatalf("rpc.discover: HTTP %d %v", status, err)
	}
	var disc struct{ Result json.RawMessage }
	if err := json.Unmarshal(body, &disc); err != nil || len(disc.Result) == 0 {
		t.Fatalf("rpc.discover: %v %.300s", err, body)
	}
	writeFile(t, filepath.Join(dir, "openrpc.json"), disc.Result)
	writeFile(t, filepath.Join(dir, "generator.json"), []byte(`{"openrpcDocument":"./openrpc.json","outDir":"./generated",`+
		`"components":[{"type":"client","language":"typescript","name":"accountd-client"}]}`))
	runNode(t, dir, filepath.Join(modules, "@open-rpc", "generator", "build", "cli.js"), "generate", "-c", "generator.json")

	clientDir := filepath.Join(dir, "generated", "client", "typescript")
	if err := os.Symlink(modules, filepath.Join(clientDir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	out := runNode(t, clientDir, filepath.Join(modules, "typescript", "bin", "tsc"), "-p", ".")
	t.Logf("tsc: 0 errors %s", out)
	script, err := os.ReadFile(filepath.Join(tsclientDir, "call.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(clientDir, "call.mjs"), script)

	payload := `{"type":"INDIVIDUAL","firstName":"Ama","lastName":"Mensah","DOB":"19900215","gender":"FEMALE",` +
		`"identification":[{"type":"PASSPORT","value":"G7654321"}],"contact":{"email":"ama.mensah@example.com"}}`
	out = runNode(t, clientDir, "call.mjs", in.url, in.alphaKey, payload)
	var got struct {
		Result struct{ ID, CustomerNumber, Status string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Result.ID == "" || got.Result.Status != "ACTIVE" {
		t.Fatalf("the TypeScript client's call: %v: %s", err, out)
	}
	// The customer it added is there.
	body, err = key.Envelope("CustomerService.GetCustomer", json.RawMessage(`"ts-check"`), fmt.Appendf(nil, `{"ID":%q}`, got.Result.ID))
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err := rpcClient.Post(context.Background(), body)
	if err != nil || !bytes.Contains(resp, []byte(`"firstName":"Ama"`)) {
		t.Fatalf("GetCustomer %s after the TypeScript client's call: %v %s", got.Result.ID, err, resp)
	}
}

// installTSTools installs testdata/tsclient's locked packages, once per
// lockfile, in $HOME/.cache/accountd-tsclient/<hash>, and returns the
// node_modules folder.
func installTSTools(t *testing.T) string {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(tsclientDir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(tsclientDir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append(manifest, lock...))
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	final := filepath.Join(cache, "accountd-tsclient", hex.EncodeToString(sum[:8]))
	modules := filepath.Join(final, "node_modules")
	if _, err := os.Stat(filepath.Join(modules, ".installed")); err == nil {
		return modules
	}
	// Installed beside, then renamed into place: a concurrent or broken
	// install never leaves a half folder under the final name.
	work, err := os.MkdirTemp(filepath.Dir(final), "install-")
	if err != nil {
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			t.Fatal(err)
		}
		if work, err = os.MkdirTemp(filepath.Dir(final), "install-"); err != nil {
			t.Fatal(err)
		}
	}
	defer os.RemoveAll(work)
	writeFile(t, filepath.Join(work, "package.json"), manifest)
	writeFile(t, filepath.Join(work, "package-lock.json"), lock)
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", work, err, out)
	}
	writeFile(t, filepath.Join(work, "node_modules", ".installed"), nil)
	if err := os.Rename(work, final); err != nil && !errors.Is(err, fs.ErrExist) {
		if _, statErr := os.Stat(filepath.Join(modules, ".installed")); statErr != nil {
			t.Fatalf("install the TypeScript tools: %v", err)
		}
	}
	return modules
}

// runNode runs a Node.js script in dir and returns its standard output;
// the test fails with both outputs if it fails.
func runNode(t *testing.T, dir string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("node", args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
