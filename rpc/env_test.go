package rpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// server is an in-process accountd on a real SQLite database, with two
// partners' keys.
type server struct {
	t      *testing.T
	url    string
	client *client.Client
	alpha  *client.KeyFile
	beta   *client.KeyFile
	st     *store.Store
	logs   *syncBuffer
	keys   *partner.Partners
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openStore opens a new migrated database of the driver under test.
func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	return storetest.Open(tb)
}

func newServer(t *testing.T, opts rpc.Options) *server {
	t.Helper()
	st := openStore(t)
	logs := &syncBuffer{}
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399", IdempotencyTTL: time.Hour})
	auth := partner.NewAuthenticator(st, nil, time.Millisecond)
	h, err := rpc.NewHandler(svc, auth, opts, zerolog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h.Routes())
	t.Cleanup(ts.Close)
	s := &server{t: t, url: ts.URL + "/jsonrpc", st: st, logs: logs, keys: partner.NewPartners(st, nil)}
	s.client = &client.Client{URL: s.url, HTTP: ts.Client()}
	s.alpha = s.newKey("alpha")
	s.beta = s.newKey("beta")
	return s
}

func (s *server) newKey(partnerName string) *client.KeyFile {
	s.t.Helper()
	return s.newKeyWith(partnerName, partner.KeyOptions{})
}

// newKeyWith creates a key for partner with opts and returns its key file.
func (s *server) newKeyWith(partnerName string, opts partner.KeyOptions) *client.KeyFile {
	s.t.Helper()
	k, err := s.keys.CreateKey(context.Background(), partnerName, opts)
	if err != nil {
		s.t.Fatal(err)
	}
	return &client.KeyFile{Partner: k.Partner, KeyID: k.KeyID, Credential: k.Credential, PrivateKey: k.PrivateKeyPEM}
}

// post sends a raw body and returns the status and the body.
func (s *server) post(body []byte) (int, []byte) {
	s.t.Helper()
	status, resp, err := s.client.Post(context.Background(), body)
	if err != nil {
		s.t.Fatal(err)
	}
	return status, resp
}

// call signs and sends one request with key and returns the response.
func (s *server) call(key *client.KeyFile, method, id string, payload any) client.Response {
	s.t.Helper()
	p, err := json.Marshal(payload)
	if err != nil {
		s.t.Fatal(err)
	}
	body, err := key.Envelope(method, json.RawMessage(id), p)
	if err != nil {
		s.t.Fatal(err)
	}
	status, resp := s.post(body)
	if status != http.StatusOK {
		s.t.Fatalf("%s: HTTP %d: %s", method, status, resp)
	}
	var r client.Response
	if err := json.Unmarshal(resp, &r); err != nil {
		s.t.Fatalf("%s: %v: %s", method, err, resp)
	}
	return r
}

// mustCall is call that fails the test on a JSON-RPC error and decodes the
// result into out.
func (s *server) mustCall(key *client.KeyFile, method, id string, payload, out any) {
	s.t.Helper()
	r := s.call(key, method, id, payload)
	if r.Error != nil {
		s.t.Fatalf("%s: error %+v", method, r.Error)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result, out); err != nil {
			s.t.Fatal(err)
		}
	}
}

// seed adds a customer with one USD checking account for key's partner and
// returns the customer ID and the account number.
func (s *server) seed(key *client.KeyFile, ssn, email string) (string, string) {
	s.t.Helper()
	var c customer.AddCustomerResult
	s.mustCall(key, "CustomerService.AddCustomer", `"seed-c-`+ssn+`"`, map[string]any{
		"type": "INDIVIDUAL", "firstName": "Dave", "lastName": "Miller", "DOB": "19850412",
		"identification": []map[string]string{{"type": "SSN", "value": ssn}},
		"contact":        map[string]string{"email": email},
	}, &c)
	var a account.AddAccountResult
	s.mustCall(key, "CustomerService.AddAccount", `"seed-a-`+ssn+`"`, map[string]any{
		"customerID": c.ID, "name": "DAVE", "accountType": "CHECKING", "currency": "USD",
	}, &a)
	return c.ID, a.AccountNumber
}
