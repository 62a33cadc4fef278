package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accountd/accountd/store/storetest"
)

// readmeLimit is the size the README must stay under: the front door, not
// the reference (docs/ holds that).
const readmeLimit = 12 * 1024

// TestREADMEFitsInAHead keeps the README under 12 KiB.
func TestREADMEFitsInAHead(t *testing.T) {
	fi, err := os.Stat("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() >= readmeLimit {
		t.Errorf("README.md is %d bytes; keep it under %d and move the rest to docs/", fi.Size(), readmeLimit)
	}
}

// TestREADMEWalkthrough runs the README's walk-through as printed: the
// equivalent of `make demo` (the program built into bin/ of a fresh folder,
// `accountd demo` started there), then every other sh block of the
// section in one bash script, which must succeed command by command,
// the fixture replay included.
func TestREADMEWalkthrough(t *testing.T) {
	if storetest.IsPostgres() {
		t.Skip("the demo runs on its own SQLite file: covered by the SQLite pass")
	}
	if testing.Short() {
		t.Skip("builds the program and replays every fixture against it")
	}
	for _, tool := range []string{"bash", "curl", "jq", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the walk-through needs %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := walkthroughBlocks(string(readme))
	if len(blocks) < 2 || blocks[0] != "make demo" {
		t.Fatalf("the README's walk-through should start with a block `make demo`, then the commands; found %q", blocks)
	}
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(buildProgram(t), filepath.Join(root, "bin", "accountd")); err != nil {
		t.Fatal(err)
	}
	testdata, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(testdata, filepath.Join(root, "testdata")); err != nil {
		t.Fatal(err)
	}
	stopDemo := startDemo(t, root)
	defer stopDemo()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	script := "set -euo pipefail\nset -x\n" + strings.Join(blocks[1:], "\n")
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir, cmd.Env = root, newcomerEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's walk-through failed (%v); the last command shown is the one that failed:\n%s\n\ndemo's console:\n%s",
			err, out, readFileOrEmpty(filepath.Join(root, "demo.out")))
	}
	if !regexp.MustCompile(`(?m)^30 scenarios, 0 failed$`).Match(out) {
		t.Errorf("the walk-through's replay did not report every scenario passing:\n%s", out)
	}
}

// walkthroughBlocks returns the sh code blocks of the README's Walk-through
// section, in order.
func walkthroughBlocks(readme string) []string {
	_, section, ok := strings.Cut(readme, "\n## Walk-through\n")
	if !ok {
		return nil
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var blocks []string
	for _, m := range regexp.MustCompile("(?ms)^```sh\n(.*?)^```$").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, strings.TrimSpace(m[1]))
	}
	return blocks
}

// startDemo runs `bin/accountd demo` in root as `make demo` does, on a free
// port (the walk-through reads the address from demo/env), and returns
// what stops it.
func startDemo(t *testing.T, root string) (stop func()) {
	t.Helper()
	console, err := os.Create(filepath.Join(root, "demo.out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "bin", "accountd"), "demo", "--server.addr", "127.0.0.1:0")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = root, newcomerEnv(), console, console
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("the demo ended with %v:\n%s", err, readFileOrEmpty(console.Name()))
		}
		console.Close()
	}
}

// newcomerEnv is the test's environment without accountd's configuration
// variables, as in a newcomer's shell.
func newcomerEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACCOUNTD_") {
			env = append(env, kv)
		}
	}
	return env
}

func readFileOrEmpty(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
