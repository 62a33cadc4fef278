package rpc_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/rpc/logwriter"
	"github.com/accountd/accountd/rpc/ratelimit"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/partner"
)

// benchHandler is the handler on a real SQLite file (synchronous=FULL), with
// one partner and one customer, without a log, a rate limiter or metrics.
func benchHandler(b *testing.B) (http.Handler, *client.KeyFile, string, string) {
	return benchHandlerWith(b, rpc.Options{}, zerolog.Nop())
}

// benchHandlerWith is benchHandler with the given options and log.
func benchHandlerWith(b *testing.B, opts rpc.Options, log zerolog.Logger) (http.Handler, *client.KeyFile, string, string) {
	b.Helper()
	ctx := context.Background()
	st := openStore(b)
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399", BankCode: "970"})
	b.Cleanup(func() { svc.Close(ctx) }) // writes the name inquiries' audit rows before the store closes
	h, err := rpc.NewHandler(svc, partner.NewAuthenticator(st, nil, 2*time.Second), opts, log)
	if err != nil {
		b.Fatal(err)
	}
	k, err := partner.NewPartners(st, nil).CreateKey(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	key := &client.KeyFile{KeyID: k.KeyID, Credential: k.Credential, PrivateKey: k.PrivateKeyPEM}
	p, _ := partner.NewPartners(st, nil).FindPartner(ctx, "bench")
	call := services.Call{PartnerID: p.ID, Method: "CustomerService.AddCustomer"}
	c, err := svc.Customers.AddCustomer(ctx, call, customer.AddCustomerInput{Type: "INDIVIDUAL", FirstName: "B", LastName: "M", DOB: "19800101",
		Identification: []customer.Identification{{Type: "PASSPORT", Value: "B1234567"}}, Contact: customer.Contact{Email: "b@example.com"}})
	if err != nil {
		b.Fatal(err)
	}
	a, err := svc.Accounts.AddAccount(ctx, call, account.AddAccountInput{CustomerID: c.ID, Name: "B", AccountType: "CHECKING", Currency: "USD"})
	if err != nil {
		b.Fatal(err)
	}
	return h.Routes(), key, c.ID, a.AccountNumber
}

// serve posts body to the handler and fails on anything but a result. It
// builds the request without parsing one and checks the answer without
// decoding it, so that the client's share of each operation stays small
// next to the server's.
func serve(b *testing.B, h http.Handler, body []byte) {
	req, err := http.NewRequest(http.MethodPost, "/jsonrpc", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"result":`)) {
		b.Fatalf("%d %s", rec.Code, rec.Body.Bytes())
	}
}

// BenchmarkGetDetails measures a signed read from all cores at once (parse,
// authenticate with the cached key, verify the ECDSA signature, decode,
// query, encode) beside the signed no-op ceiling, so that their ratio can
// be read from one run:
//
//	go test -run '^$' -bench GetDetails -benchtime 5s ./rpc/
//
// The ratio of cpu-ns/op (ceiling over GetDetails) is the share of the
// signed ceiling a CPU-bound server reaches; ns/op says the same when the
// machine is otherwise idle.
//
// ceiling is the signed no-op (decode the envelope, find the key, check the
// credential hash and the timestamp, verify the signature, answer); bare is
// the handler without a log, rate limiter or metrics; served is the handler
// as `accountd serve` builds it: the request log at info through the
// buffered writer (logwriter) onto a pipe that another goroutine drains (as
// a log collector drains stderr), the in-process rate limiter and the
// Prometheus metrics; served-unbuffered-log writes each log line to the
// pipe itself, as serve did before.
func BenchmarkGetDetails(b *testing.B) {
	run := func(b *testing.B, h http.Handler, body []byte) {
		b.ReportAllocs()
		b.ResetTimer()
		cpu := processCPU()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				serve(b, h, body)
			}
		})
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	}
	getDetails := func(b *testing.B, h http.Handler, key *client.KeyFile, acct string) []byte {
		body, err := key.Envelope("AccountService.GetDetails", json.RawMessage(`"1"`), []byte(`{"accountId":"`+acct+`"}`))
		if err != nil {
			b.Fatal(err)
		}
		serve(b, h, body) // the key is cached from here on
		return body
	}
	b.Run("ceiling", func(b *testing.B) {
		_, key, _, acct := benchHandler(b)
		h := newCeiling(b, key)
		run(b, h, getDetails(b, h, key, acct))
	})
	b.Run("bare", func(b *testing.B) {
		h, key, _, acct := benchHandler(b)
		run(b, h, getDetails(b, h, key, acct))
	})
	b.Run("served", func(b *testing.B) {
		logs := logwriter.New(drainedPipe(b), logwriter.Options{})
		b.Cleanup(func() { logs.Close() })
		h, key, _, acct := benchHandlerWith(b, servedOptions(), zerolog.New(logs).With().Timestamp().Logger())
		run(b, h, getDetails(b, h, key, acct))
	})
	b.Run("served-unbuffered-log", func(b *testing.B) {
		h, key, _, acct := benchHandlerWith(b, servedOptions(), zerolog.New(drainedPipe(b)).With().Timestamp().Logger())
		run(b, h, getDetails(b, h, key, acct))
	})
}

// processCPU is the CPU time the process has used (user and system), in
// nanoseconds. Per operation it is steadier than ns/op on a machine that
// other work shares: what a call costs, not how long it waited for a core.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// servedOptions are the handler options `accountd serve` sets that cost
// something per call: the in-process rate limiter (at a rate the benchmark
// cannot reach) and the metrics.
func servedOptions() rpc.Options {
	unlimited := map[string]int{}
	for _, tier := range partner.Tiers {
		unlimited[tier] = ratelimit.MaxLimitPerMinute
	}
	return rpc.Options{Limiter: ratelimit.NewMemory(nil), Tiers: unlimited, Metrics: rpc.NewMetrics(nil)}
}

// drainedPipe is the write end of a pipe whose read end a goroutine drains
// until the benchmark ends, as a log collector reads a server's stderr.
func drainedPipe(b *testing.B) *os.File {
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(io.Discard, r) //nolint:errcheck // ends when w is closed
	}()
	b.Cleanup(func() {
		w.Close()
		<-done
		r.Close()
	})
	return w
}

// ceiling is the signed no-op server: the least any server must do for a
// signed call. It reads the body, decodes the envelope, finds the key,
// checks the credential's hash and the timestamp, verifies the ACCOUNTD-V2
// signature and answers an empty result.
type ceiling struct {
	keys map[string]ceilingKey
}

type ceilingKey struct {
	credentialHash [sha256.Size]byte
	pub            *ecdsa.PublicKey
}

// newCeiling is the signed no-op server that knows key.
func newCeiling(b *testing.B, key *client.KeyFile) *ceiling {
	block, _ := pem.Decode([]byte(key.PrivateKey))
	if block == nil {
		b.Fatal("the key file's private key is not PEM")
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		b.Fatal(err)
	}
	return &ceiling{keys: map[string]ceilingKey{key.KeyID: {
		credentialHash: sha256.Sum256([]byte(key.Credential)),
		pub:            &priv.(*ecdsa.PrivateKey).PublicKey,
	}}}
}

func (c *ceiling) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			API struct {
				KeyID      string `json:"keyId"`
				Credential string `json:"credential"`
				Signature  string `json:"signature"`
				Timestamp  string `json:"timestamp"`
			} `json:"api"`
			Payload json.RawMessage `json:"payload"`
		} `json:"params"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(body, &req) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	api := req.Params.API
	k, found := c.keys[api.KeyID]
	hash := sha256.Sum256([]byte(api.Credential))
	if subtle.ConstantTimeCompare(hash[:], k.credentialHash[:]) != 1 || !found {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	ts, err := partner.ParseTimestamp(api.Timestamp)
	if err != nil || time.Since(ts).Abs() > partner.DefaultMaxClockSkew {
		http.Error(w, "timestamp", http.StatusUnauthorized)
		return
	}
	sig, err := base64.StdEncoding.DecodeString(api.Signature)
	if err != nil || !partner.VerifySignature(k.pub, partner.V2Message(req.Method, req.ID, api.Timestamp, req.Params.Payload), sig) {
		http.Error(w, "signature", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"jsonrpc":"2.0","result":{},"id":` + string(req.ID) + `}`)) //nolint:errcheck // a benchmark's recorder
}

// BenchmarkAddAccount measures a signed write: everything GetDetails does,
// plus one durable transaction holding the account and its idempotency
// record.
func BenchmarkAddAccount(b *testing.B) {
	h, key, cust, _ := benchHandler(b)
	payload := []byte(`{"customerID":"` + cust + `","name":"B","accountType":"WALLET","currency":"USD"}`)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf(`"%d"`, n.Add(1))
			body, _ := key.Envelope("CustomerService.AddAccount", json.RawMessage(id), payload)
			serve(b, h, body)
		}
	})
}

// BenchmarkValidateName measures a name inquiry: a signed read of any
// partner's account whose audit row is written later, with others, in one
// transaction (services.Kernel.AuditLater).
func BenchmarkValidateName(b *testing.B) {
	h, key, _, acct := benchHandler(b)
	body, _ := key.Envelope("AccountService.ValidateName", json.RawMessage(`"1"`),
		[]byte(`{"bankCode":"970","accountNumber":"`+acct+`","additionalInfo":{"deviceId":"d1","channel":"mobilephone"}}`))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			serve(b, h, body)
		}
	})
}
