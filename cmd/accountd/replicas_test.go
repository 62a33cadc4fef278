package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// signedCall posts one signed request and decodes the answer.
func signedCall(t *testing.T, url string, key *client.KeyFile, method, id, payload string) client.Response {
	t.Helper()
	body, err := key.Envelope(method, json.RawMessage(id), []byte(payload))
	if err != nil {
		t.Error(err)
		return client.Response{}
	}
	_, raw, err := (&client.Client{URL: url}).Post(context.Background(), body)
	if err != nil {
		t.Error(err)
		return client.Response{}
	}
	var resp client.Response
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Errorf("%s: %v in %s", method, err, raw)
	}
	return resp
}

// atOnce calls call for every replica from its own goroutine, released
// together, and returns the answers in replica order.
func atOnce(urls []string, call func(r int, url string) client.Response) []client.Response {
	results := make([]client.Response, len(urls))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for r, url := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[r] = call(r, url)
		}()
	}
	close(start)
	wg.Wait()
	return results
}

// TestTwoReplicasOneDatabase runs two servers on one database (PostgreSQL
// in the PostgreSQL pass, one SQLite file otherwise) and fires concurrent
// traffic at both: generated numbers never collide, a request id sent to
// both at once has one effect, and uniqueness holds under races.
func TestTwoReplicasOneDatabase(t *testing.T) {
	in := start(t)
	urls := []string{in.url, serveDB(t, in.db, &syncBuffer{})}
	key := loadKey(t, in.alphaKey)
	resp := signedCall(t, urls[0], key, "CustomerService.AddCustomer", `"cust"`,
		`{"type":"INDIVIDUAL","firstName":"An","lastName":"Nguyen","DOB":"19900115","identification":[{"type":"PASSPORT","value":"C1000001"}],"contact":{"email":"an@example.com"}}`)
	var cust struct{ ID string }
	if resp.Error != nil || json.Unmarshal(resp.Result, &cust) != nil {
		t.Fatalf("add customer: %+v", resp.Error)
	}
	accountPayload := func(name string) string {
		return fmt.Sprintf(`{"customerID":%q,"name":%q,"accountType":"CHECKING","currency":"VND"}`, cust.ID, name)
	}

	// 1. Concurrent AddAccount on both replicas, every request its own id.
	const workers, perWorker = 6, 12
	var mu sync.Mutex
	numbers := map[string]bool{}
	var wg sync.WaitGroup
	for r, url := range urls {
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perWorker; i++ {
					resp := signedCall(t, url, key, "CustomerService.AddAccount", fmt.Sprintf(`"load-%d-%d-%d"`, r, w, i), accountPayload("LOAD"))
					var acct struct{ AccountNumber string }
					if resp.Error != nil || json.Unmarshal(resp.Result, &acct) != nil {
						t.Errorf("replica %d: add account: %+v", r, resp.Error)
						return
					}
					mu.Lock()
					if numbers[acct.AccountNumber] {
						t.Errorf("account number %s handed out twice", acct.AccountNumber)
					}
					numbers[acct.AccountNumber] = true
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	want := len(urls) * workers * perWorker
	if len(numbers) != want {
		t.Fatalf("%d distinct account numbers, want %d", len(numbers), want)
	}

	// 2. The same request id and payload 20 times at once, 10 on each
	// replica: one account, and every call waits for the first and answers
	// that account (none is -32006).
	const dupIDs = 15
	var dupURLs []string
	for range 10 {
		dupURLs = append(dupURLs, urls...)
	}
	for i := 0; i < dupIDs; i++ {
		id := fmt.Sprintf(`"dup-%d"`, i)
		results := atOnce(dupURLs, func(r int, url string) client.Response {
			return signedCall(t, url, key, "CustomerService.AddAccount", id, accountPayload("DUP"))
		})
		for r, res := range results {
			if res.Error != nil || string(res.Result) != string(results[0].Result) {
				t.Errorf("id %s, call %d (replica %d): %s, %+v; want the answer of call 0: %s", id, r, r%2, res.Result, res.Error, results[0].Result)
			}
		}
	}
	if n := storetest.Count(t, in.db, `SELECT COUNT(*) FROM accounts WHERE name = 'DUP'`); n != dupIDs {
		t.Errorf("%d accounts from %d duplicated ids, want one each", n, dupIDs)
	}

	// 3. The same passport added through both replicas at once, under
	// different request ids: exactly one customer, the other call refused.
	for i := 0; i < 10; i++ {
		payload := fmt.Sprintf(`{"type":"INDIVIDUAL","firstName":"Binh","lastName":"Tran","DOB":"19850310","identification":[{"type":"PASSPORT","value":"D%07d"}],"contact":{"email":"binh%d@example.com"}}`, i, i)
		results := atOnce(urls, func(r int, url string) client.Response {
			return signedCall(t, url, key, "CustomerService.AddCustomer", fmt.Sprintf(`"race-%d-%d"`, i, r), payload)
		})
		ok, clash := 0, 0
		for _, res := range results {
			switch {
			case res.Error == nil:
				ok++
			case res.Error.Code == 1002:
				clash++
			default:
				t.Errorf("passport race %d: %+v", i, res.Error)
			}
		}
		if ok != 1 || clash != 1 {
			t.Errorf("passport race %d: %d created, %d refused; want 1 and 1", i, ok, clash)
		}
	}

	// The audit chain written by both replicas is whole.
	st, err := store.Open(context.Background(), driver, in.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := services.VerifyAudit(context.Background(), st)
	if err != nil || !rep.OK() {
		t.Fatalf("audit chain after concurrent replicas: %+v, %v", rep, err)
	}
	if min := int64(1 + want + dupIDs + 10); rep.Rows < min {
		t.Errorf("audit chain holds %d rows, want at least %d", rep.Rows, min)
	}
}
