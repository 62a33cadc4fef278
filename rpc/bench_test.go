package rpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/partner"
)

// benchHandler is the handler on a real SQLite file (synchronous=FULL), with
// one partner and one customer.
func benchHandler(b *testing.B) (http.Handler, *client.KeyFile, string, string) {
	b.Helper()
	ctx := context.Background()
	st := openStore(b)
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399", BankCode: "970"})
	b.Cleanup(func() { svc.Close(ctx) }) // writes the name inquiries' audit rows before the store closes
	h, err := rpc.NewHandler(svc, partner.NewAuthenticator(st, nil, 2*time.Second), rpc.Options{}, zerolog.Nop())
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

// serve posts body to the handler and fails on anything but a result.
func serve(b *testing.B, h http.Handler, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "/jsonrpc", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r client.Response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || r.Error != nil {
		b.Fatalf("%s", rec.Body.Bytes())
	}
}

// BenchmarkGetDetails measures a signed read: parse, authenticate (cached
// key), verify the ECDSA signature, decode, query, encode.
func BenchmarkGetDetails(b *testing.B) {
	h, key, _, acct := benchHandler(b)
	body, _ := key.Envelope("AccountService.GetDetails", json.RawMessage(`"1"`), []byte(`{"accountId":"`+acct+`"}`))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			serve(b, h, body)
		}
	})
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
