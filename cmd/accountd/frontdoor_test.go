package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc/client"

	"github.com/accountd/accountd/store/storetest"
)

// slowBody is one unauthenticated client sending a body slowly, in pieces,
// on its own connection.
type slowBody struct {
	length int    // the announced Content-Length; -1 sends it chunked
	body   []byte // what it sends
	piece  int
	pause  time.Duration
	// holdAt, with hold, stops the sending there until hold is closed.
	holdAt int
	hold   <-chan struct{}
}

// send sends the body to url, stopping when the server answers, and
// returns the answer's status and headers (0 and nil when none came).
func (b slowBody) send(url string) (int, http.Header) {
	u, err := neturl.Parse(url)
	if err != nil {
		return 0, nil
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		return 0, nil
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Minute)) //nolint:errcheck // a safety net against a server that never answers
	framing := "Transfer-Encoding: chunked"
	if b.length >= 0 {
		framing = "Content-Length: " + strconv.Itoa(b.length)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s\r\n\r\n", u.Path, u.Host, framing)
	type answer struct {
		status int
		header http.Header
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answered <- answer{}
			return
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the status matters
		resp.Body.Close()
		answered <- answer{resp.StatusCode, resp.Header}
	}()
	hold := b.hold
	for sent := 0; sent < len(b.body); {
		if hold != nil && sent >= b.holdAt {
			select {
			case <-hold:
				hold = nil
			case a := <-answered:
				return a.status, a.header
			}
		}
		n := min(b.piece, len(b.body)-sent)
		if b.length < 0 {
			_, err = fmt.Fprintf(conn, "%x\r\n%s\r\n", n, b.body[sent:sent+n])
		} else {
			_, err = conn.Write(b.body[sent : sent+n])
		}
		if err != nil {
			break
		}
		sent += n
		select {
		case a := <-answered:
			return a.status, a.header
		case <-time.After(b.pause):
		}
	}
	if b.length < 0 {
		io.WriteString(conn, "0\r\n\r\n") //nolint:errcheck // the server may have answered and closed
	}
	a := <-answered
	return a.status, a.header
}

// uploadLike is the start of a picture upload by a key that does not exist,
// padded to size bytes: what an attacker without a key can send.
func uploadLike(size int) []byte {
	head := `{"jsonrpc":"2.0","method":"OnboardingService.UploadIDCard","id":"x","params":{"api":{"keyId":"k_guessed","credential":"c_guessed","signature":"x"},"payload":{"onboardingId":"o","image":"`
	b := []byte(head + strings.Repeat("A", max(0, size-len(head))))
	return b[:size]
}

// getDetails keeps signed GetDetails calls going until stop, recording
// each call's time and counting failures.
func getDetails(t *testing.T, url string, key *client.KeyFile, account string, stop <-chan struct{}, latencies *[]time.Duration, mu *sync.Mutex, failures *atomic.Int64) {
	rpcClient := &client.Client{URL: url}
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		body, _ := key.Envelope("AccountService.GetDetails", json.RawMessage(strconv.Itoa(i)), []byte(`{"accountId":"`+account+`"}`))
		began := time.Now()
		status, raw, err := rpcClient.Post(context.Background(), body)
		took := time.Since(began)
		var resp client.Response
		if err != nil || status != http.StatusOK || json.Unmarshal(raw, &resp) != nil || resp.Error != nil {
			failures.Add(1)
			t.Logf("a signed GetDetails failed: HTTP %d %v %.200s", status, err, raw)
			continue
		}
		mu.Lock()
		*latencies = append(*latencies, took)
		mu.Unlock()
	}
}

// metricOf reads one sample from the server's /metrics.
func metricOf(t *testing.T, url, sample string) float64 {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(url, "/jsonrpc") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	t.Fatalf("/metrics has no %s", sample)
	return 0
}

// unlimitedRate lifts the PLATINUM rate limit, so that the signed calls
// made during a flood are never refused for their number.
const unlimitedRate = "ratelimit:\n  platinum: 1000000\n"

// TestBodyFlood is the outside check scaled down: unauthenticated
// clients announcing large bodies, and others sending chunked bodies and
// holding them open, all from the address of the legitimate client, against
// the real program with a 1 MiB budget. Every signed call made meanwhile
// succeeds; every flooding body gets 413 or 503; the budget held never
// exceeds the configured one, and is all given back.
func TestBodyFlood(t *testing.T) {
	const (
		budget    = 1 << 20
		maxBody   = 256 << 10
		announced = 20
		chunked   = 20
		holdAt    = 200 << 10
		// A held body holds 192 KiB of the budget (its first 64 KiB are
		// free, the room up to 256 KiB is reserved), so at most 5 fit in
		// 1 MiB: the others cannot get their share.
		maxHolders = 5
	)
	cfg := filepath.Join(t.TempDir(), "accountd.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("server:\n  max_body_bytes: %d\n  max_upload_body_bytes: %d\n  max_inflight_body_bytes: %d\n  max_unauthenticated_per_ip: 64\n%s",
		maxBody, budget, budget, unlimitedRate)), 0o600)
	in := start(t, "--config", cfg)
	_, account := seedForExample(t, in)
	key := loadKey(t, in.alphaKey)

	stop := make(chan struct{})
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  atomic.Int64
		legit     sync.WaitGroup
	)
	for range 4 {
		legit.Go(func() { getDetails(t, in.url, key, account, stop, &latencies, &mu, &failures) })
	}

	hold := make(chan struct{})
	statuses := make(chan [2]int, announced+chunked) // kind (0 announced, 1 chunked), status
	var busy atomic.Int64
	var flood sync.WaitGroup
	for i := range announced + chunked {
		flood.Go(func() {
			b := slowBody{length: budget, body: uploadLike(budget), piece: 8 << 10, pause: 2 * time.Millisecond}
			kind := 0
			if i >= announced {
				kind = 1
				b = slowBody{length: -1, body: []byte(strings.Repeat(" ", maxBody+(64<<10))), piece: 8 << 10, pause: 2 * time.Millisecond, holdAt: holdAt, hold: hold}
			}
			status, header := b.send(in.url)
			if status == http.StatusServiceUnavailable {
				busy.Add(1)
				if header.Get("Retry-After") != "1" {
					t.Errorf("a 503 without Retry-After: 1: %v", header)
				}
			}
			statuses <- [2]int{kind, status}
		})
	}
	for deadline := time.Now().Add(time.Minute); busy.Load() < chunked-maxHolders; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d bodies got 503 within a minute; want at least %d", busy.Load(), chunked-maxHolders)
		}
	}
	close(hold)
	flood.Wait()
	close(stop)
	legit.Wait()
	close(statuses)

	for s := range statuses {
		want := map[int]bool{http.StatusRequestEntityTooLarge: true}
		if s[0] == 1 {
			want[http.StatusServiceUnavailable] = true
		}
		if !want[s[1]] {
			t.Errorf("a flooding body (kind %d) got HTTP %d; want 413 (or 503 when chunked)", s[0], s[1])
		}
	}
	if n := failures.Load(); n > 0 || len(latencies) == 0 {
		t.Errorf("%d signed calls failed and %d succeeded during the flood; want none failed", n, len(latencies))
	}
	for deadline := time.Now().Add(time.Minute); metricOf(t, in.url, "accountd_inflight_body_bytes") != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the budget was not all given back")
		}
	}
	if peak := metricOf(t, in.url, "accountd_inflight_body_bytes_max"); peak <= 0 || peak > budget {
		t.Errorf("peak budget held %v bytes; want some, and at most %d", peak, budget)
	}
	t.Logf("%d signed calls during the flood; %d chunked bodies got 503", len(latencies), busy.Load())
}

// percentile is the p-th percentile of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p/100))]
}

// TestBodyFloodFullSize is the outside check at full size, run by
// hand, as a measurement:
//
//	ACCOUNTD_FLOOD=announced go test ./cmd/accountd -run TestBodyFloodFullSize -v
//
// It builds the program and runs it with the default limits; 150 clients
// without a key each send a 10 MiB body slowly (4 KiB every 100 ms), over
// and over, for ACCOUNTD_FLOOD_SECONDS (30), while 4 clients make signed
// GetDetails calls. ACCOUNTD_FLOOD=announced announces each body's length,
// chunked sends it without, fast sends it chunked at full speed. It
// reports the server's peak RSS (VmHWM), the answers the flood got, and the
// signed calls' failures and percentiles.
func TestBodyFloodFullSize(t *testing.T) {
	mode := os.Getenv("ACCOUNTD_FLOOD")
	if mode == "" {
		t.Skip("a measurement: set ACCOUNTD_FLOOD=announced, chunked or fast to run it")
	}
	seconds, _ := strconv.Atoi(os.Getenv("ACCOUNTD_FLOOD_SECONDS"))
	if seconds <= 0 {
		seconds = 30
	}
	bin := buildProgram(t)
	dir := t.TempDir()
	in := &instance{dir: dir, db: storetest.DSN(t), alphaKey: filepath.Join(dir, "alpha.key.json")}
	mustRun(t, "keys", "create", "--partner", "alpha", "--tier", "PLATINUM", "--out", in.alphaKey, "--database.driver", driver, "--database.dsn", in.db)
	cfg := filepath.Join(dir, "accountd.yaml")
	os.WriteFile(cfg, []byte(unlimitedRate), 0o600)
	cmd := exec.Command(bin, "serve", "--config", cfg, "--database.driver", driver, "--database.dsn", in.db, "--server.addr", "127.0.0.1:0", "--otp.channel", "log")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck // the measurement is over
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if u := servingURL(sc.Text()); u != "" {
				urlc <- u
			}
		}
	}()
	select {
	case in.url = <-urlc:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	_, account := seedForExample(t, in)
	key := loadKey(t, in.alphaKey)
	status := func(field string) string {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, field+":"); ok {
				return strings.TrimSpace(v)
			}
		}
		return "?"
	}
	t.Logf("before the flood: VmRSS %s, VmHWM %s", status("VmRSS"), status("VmHWM"))

	body := uploadLike(10 << 20)
	attack := slowBody{length: len(body), body: body, piece: 4 << 10, pause: 100 * time.Millisecond}
	switch mode {
	case "chunked":
		attack.length = -1
	case "fast":
		attack.length, attack.piece, attack.pause = -1, 64<<10, 0
	}
	stop := make(chan struct{})
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  atomic.Int64
		legit     sync.WaitGroup
		flood     sync.WaitGroup
		answers   sync.Map // status -> *atomic.Int64
	)
	for range 4 {
		legit.Go(func() { getDetails(t, in.url, key, account, stop, &latencies, &mu, &failures) })
	}
	end := time.Now().Add(time.Duration(seconds) * time.Second)
	for range 150 {
		flood.Go(func() {
			for time.Now().Before(end) {
				st, _ := attack.send(in.url)
				n, _ := answers.LoadOrStore(st, new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
			}
		})
	}
	flood.Wait()
	close(stop)
	legit.Wait()
	var got []string
	answers.Range(func(k, v any) bool {
		got = append(got, fmt.Sprintf("HTTP %d: %d", k, v.(*atomic.Int64).Load()))
		return true
	})
	sort.Strings(got)
	t.Logf("flood (%s, %d s): %s", mode, seconds, strings.Join(got, ", "))
	t.Logf("server: VmHWM %s (peak RSS), VmRSS now %s; budget peak %.0f bytes",
		status("VmHWM"), status("VmRSS"), metricOf(t, in.url, "accountd_inflight_body_bytes_max"))
	t.Logf("signed GetDetails: %d succeeded, %d failed; p50 %s, p99 %s, max %s", len(latencies), failures.Load(),
		percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100))
}
