package rpc_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawPost is a POST written by hand on its own connection, so that a test
// can send a body slowly, in pieces, and stop in the middle.
type rawPost struct {
	t    *testing.T
	conn net.Conn
}

// openPost sends the headers of a POST to rawURL: with Content-Length when
// length >= 0, chunked otherwise.
func openPost(t *testing.T, rawURL string, length int) *rawPost {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(time.Minute)) //nolint:errcheck // a safety net: a server that never answers fails the test
	framing := "Transfer-Encoding: chunked"
	if length >= 0 {
		framing = "Content-Length: " + strconv.Itoa(length)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s\r\n\r\n", u.Path, u.Host, framing)
	return &rawPost{t: t, conn: conn}
}

// send writes b as it stands (a body with Content-Length).
func (p *rawPost) send(b []byte) {
	p.conn.Write(b) //nolint:errcheck // the server may have answered and closed
}

// chunk writes b as one chunk of a chunked body.
func (p *rawPost) chunk(b []byte) {
	fmt.Fprintf(p.conn, "%x\r\n%s\r\n", len(b), b)
}

// end ends a chunked body.
func (p *rawPost) end() { io.WriteString(p.conn, "0\r\n\r\n") } //nolint:errcheck // as in send

// response reads the server's answer.
func (p *rawPost) response() (*http.Response, []byte) {
	p.t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(p.conn), nil)
	if err != nil {
		p.t.Fatalf("no response: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// metric reads one sample from the server's /metrics, 0 when absent.
func metric(t *testing.T, s *server, sample string) float64 {
	t.Helper()
	resp, err := s.client.HTTP.Get(strings.TrimSuffix(s.url, "/jsonrpc") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return 0
}

// waitFor polls cond until it holds; it fails the test after a minute. It
// waits for the server to reach a state, it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
	}
}
