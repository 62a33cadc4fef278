package rpc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/rpc/frontdoor"
	"github.com/accountd/accountd/services/account"
)

// TestBodyBudget fills server.max_inflight_body_bytes with slow bodies and
// checks that small signed calls still go through, that a body which cannot
// get its share gets HTTP 503 with Retry-After and a JSON-RPC error, that the
// budget held never exceeds the configured one, and that it is all given
// back.
func TestBodyBudget(t *testing.T) {
	const budget = 256 << 10
	s := newServer(t, rpc.Options{MaxBodyBytes: 512 << 10, MaxUploadBodyBytes: 512 << 10, MaxInflightBodyBytes: budget, Metrics: rpc.NewMetrics(nil)})
	_, acct := s.seed(s.alpha, "123456789", "dave@example.com")
	inUse := func() float64 { return metric(t, s, "accountd_inflight_body_bytes") }
	spaces := func(n int) []byte { return bytes.Repeat([]byte(" "), n) }

	// a: 200 KiB read, the first 64 KiB free, room reserved up to 256 KiB.
	a := openPost(t, s.url, -1)
	a.chunk(spaces(200 << 10))
	waitFor(t, "the first body's reservation", func() bool { return inUse() == 192<<10 })
	// c: 100 KiB read: 64 KiB reserved, and the budget is used up.
	c := openPost(t, s.url, -1)
	c.chunk(spaces(100 << 10))
	waitFor(t, "the second body's reservation", func() bool { return inUse() == budget })

	for i := range 5 {
		var d account.AccountDetails
		s.mustCall(s.alpha, "AccountService.GetDetails", fmt.Sprintf(`"small-%d"`, i), map[string]string{"accountId": acct}, &d)
	}

	b := openPost(t, s.url, -1)
	b.chunk(spaces(200 << 10))
	resp, body := b.response()
	var r client.Response
	json.Unmarshal(body, &r) //nolint:errcheck // checked below
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" ||
		r.Error == nil || r.Error.Data == nil || r.Error.Data.Reason != "SERVER_BUSY" || r.Error.Data.RetryAfterSeconds != 1 {
		t.Fatalf("a body beyond the budget: HTTP %d Retry-After %q %s; want 503, Retry-After 1 and SERVER_BUSY",
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}

	for _, p := range []*rawPost{a, c} {
		p.chunk([]byte("[]"))
		p.end()
		if resp, body := p.response(); resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("EMPTY_BATCH")) {
			t.Errorf("a slow body, finished: HTTP %d %s; want 200 and EMPTY_BATCH", resp.StatusCode, body)
		}
	}
	waitFor(t, "the budget to be given back", func() bool { return inUse() == 0 })
	if peak := metric(t, s, "accountd_inflight_body_bytes_max"); peak != budget {
		t.Errorf("peak %v bytes held; want the budget, %d, and never more", peak, budget)
	}
	if n := metric(t, s, `accountd_http_refusals_total{reason="SERVER_BUSY"}`); n != 1 {
		t.Errorf("%v SERVER_BUSY refusals counted, want 1", n)
	}
}

// TestUnauthenticatedPerAddress holds server.max_unauthenticated_per_ip
// bodies open from one address: the next request gets HTTP 503 with
// Retry-After; once they are done, requests go through again.
func TestUnauthenticatedPerAddress(t *testing.T) {
	s := newServer(t, rpc.Options{MaxUnauthenticatedPerIP: 2})
	valid, _ := s.alpha.Envelope("AccountService.GetDetails", json.RawMessage(`"1"`), []byte(`{"accountId":"200982345048071"}`))
	var held []*rawPost
	for range 2 {
		p := openPost(t, s.url, len(valid))
		p.send(valid[:10])
		held = append(held, p)
	}
	var status int
	var body []byte
	waitFor(t, "the held bodies to take their places", func() bool {
		status, body = s.post(valid)
		return status != http.StatusOK
	})
	r, e := errorOf(t, body)
	if status != http.StatusServiceUnavailable || e == nil || e.Data.Reason != "TOO_MANY_UNAUTHENTICATED" || e.Data.RetryAfterSeconds != 1 || string(r.ID) != "null" {
		t.Fatalf("a third request from the address: HTTP %d %s; want 503 TOO_MANY_UNAUTHENTICATED", status, body)
	}
	for _, p := range held {
		p.send(valid[10:])
		if resp, b := p.response(); resp.StatusCode != http.StatusOK {
			t.Fatalf("a held body, finished: HTTP %d %s", resp.StatusCode, b)
		}
	}
	if status, body := s.post(valid); status != http.StatusOK {
		t.Fatalf("after the held bodies: HTTP %d %s; want 200", status, body)
	}
}

// TestLimitListener caps the open connections of one address: the one over
// the cap is closed at once, and a place frees when a connection closes.
func TestLimitListener(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := rpc.NewMetrics(nil)
	ln := frontdoor.LimitListener(tcp, 2, m)
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", tcp.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	dial()
	dial()
	first, second := <-accepted, <-accepted
	defer second.Close()
	over := dial()
	if n, err := over.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the connection over the cap: read %d bytes, %v; want it closed (EOF)", n, err)
	}
	first.Close()
	dial()
	third := <-accepted // accepted: first's place is free again
	third.Close()
}
