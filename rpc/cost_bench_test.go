package rpc_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/imagecheck/synth"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

// BenchmarkMethodCost measures one call of each method that may cost more
// than a unit of the rate limit, through the handler, one at a time, so
// that ns/op is the work a partner's call makes the server do. It is how
// the default costs (rpc.DefaultCosts) were chosen:
//
//	go test -run '^$' -bench MethodCost -benchtime 20x ./rpc/
func BenchmarkMethodCost(b *testing.B) {
	h, key, _, account := benchHandler(b)
	post := func(method, id, payload string) client.Response {
		body, err := key.Envelope(method, json.RawMessage(id), []byte(payload))
		if err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/jsonrpc", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var r client.Response
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			b.Fatalf("%s: %.300s", method, rec.Body.Bytes())
		}
		return r
	}
	n := 0
	// applicant is InitCustomerInfo's payload for a new applicant each time.
	applicant := func() string {
		n++
		return fmt.Sprintf(`{"firstName":"An","lastName":"Nguyen","DOB":"19840506","gender":"MALE",`+
			`"identification":{"type":"CCCD","number":"087084%06d","issueDate":"20210101","expiryDate":"20440506"},`+
			`"contact":{"phoneNumber":"+849123%05d"},"address":{"line1":"12 Nguyen Hue","city":"Ho Chi Minh City","country":"VN"},`+
			`"fatcaAnswers":[%s],"username":"applicant%d"}`, n, n, noFatca(), n)
	}
	open := func() string {
		r := post("OnboardingService.InitCustomerInfo", fmt.Sprintf(`"init-%d"`, n+1), applicant())
		var st onboarding.OnboardingStatus
		if r.Error != nil || json.Unmarshal(r.Result, &st) != nil {
			b.Fatalf("InitCustomerInfo: %+v %+v", r.Error, r.Error.Data)
		}
		return st.OnboardingID
	}
	card := picture(b, "card-front-a.jpg")
	portrait := picture(b, "portrait-a.jpg")
	a, _ := synth.Named("a")
	photo, err := synth.PhonePhoto(a)
	if err != nil {
		b.Fatal(err)
	}
	phone := base64.StdEncoding.EncodeToString(photo)
	uploads := []struct{ name, method, payload string }{
		{"UploadIDCard card-front-a.jpg", "OnboardingService.UploadIDCard", `{"onboardingId":%q,"side":"FRONT","format":"JPEG","image":"` + card + `"}`},
		{"UploadIDCard phone photo", "OnboardingService.UploadIDCard", `{"onboardingId":%q,"side":"FRONT","format":"JPEG","image":"` + phone + `"}`},
		{"UploadPortrait portrait-a.jpg", "OnboardingService.UploadPortrait", `{"onboardingId":%q,"format":"JPEG","image":"` + portrait + `"}`},
	}
	b.Run("GetDetails", func(b *testing.B) {
		for b.Loop() {
			post("AccountService.GetDetails", `"1"`, `{"accountId":"`+account+`"}`)
		}
	})
	b.Run("ValidateEKYC", func(b *testing.B) {
		for b.Loop() {
			post("CustomerService.ValidateEKYC", `"1"`, `{"firstName":"An","lastName":"Nguyen","DOB":"19840506","gender":"MALE",`+
				`"identification":{"type":"CCCD","number":"087084000999","issueDate":"20210101","expiryDate":"20440506"},"phoneNumber":"+84912345678"}`)
		}
	})
	b.Run("InitCustomerInfo", func(b *testing.B) {
		for b.Loop() {
			open()
		}
	})
	b.Run("SearchNiceNumbers *6868", func(b *testing.B) {
		for b.Loop() {
			post("AccountService.SearchNiceNumbers", `"1"`, `{"pattern":"*6868","length":8}`)
		}
	})
	for _, u := range uploads {
		b.Run(u.name, func(b *testing.B) {
			var r client.Response
			for b.Loop() {
				b.StopTimer()
				id := open()
				b.StartTimer()
				r = post(u.method, fmt.Sprintf(`"up-%d"`, n), fmt.Sprintf(u.payload, id))
			}
			b.Logf("last answer: error %+v", r.Error)
		})
	}
}

// noFatca is the seven FATCA answers, all no.
func noFatca() string {
	var out []string
	for _, id := range []string{"US_CITIZEN_OR_RESIDENT", "US_PLACE_OF_BIRTH", "US_ADDRESS", "US_PHONE_NUMBER",
		"US_STANDING_INSTRUCTIONS", "US_POWER_OF_ATTORNEY", "IN_CARE_OF_ADDRESS_ONLY"} {
		out = append(out, `{"questionId":"`+id+`","answer":false}`)
	}
	return strings.Join(out, ",")
}

// picture is a committed test picture in Base64.
func picture(b *testing.B, name string) string {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "images", name))
	if err != nil {
		b.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// BenchmarkWorstSearchBatch sends one batch of 60 of the most expensive
// searches a partner can make (every candidate taken, among a million
// rows) through the handler and waits for its 60 answers: the issue's
// check that such a batch is answered in well under 30 seconds.
//
//	go test -run '^$' -bench WorstSearchBatch -benchtime 3x ./rpc/
func BenchmarkWorstSearchBatch(b *testing.B) {
	ctx := context.Background()
	st, dsn := storetest.OpenDSN(b)
	svc := bank.New(st, bank.Settings{InstitutionID: "101115399"})
	h, err := rpc.NewHandler(svc, partner.NewAuthenticator(st, nil, time.Minute), rpc.Options{}, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	partners := partner.NewPartners(st, nil)
	k, err := partners.CreateKey(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	key := &client.KeyFile{KeyID: k.KeyID, Credential: k.Credential, PrivateKey: k.PrivateKeyPEM}
	p, _ := partners.FindPartner(ctx, "bench")
	c, err := svc.Customers.AddCustomer(ctx, services.Call{PartnerID: p.ID}, customer.AddCustomerInput{Type: "INDIVIDUAL", FirstName: "B", LastName: "M",
		DOB: "19800101", Identification: []customer.Identification{{Type: "PASSPORT", Value: "B1234567"}}, Contact: customer.Contact{Email: "b@example.com"}})
	if err != nil {
		b.Fatal(err)
	}
	var cust int64
	fmt.Sscan(c.ID, &cust)
	storetest.FillTakenNumbers(b, dsn, p.ID, cust)
	elems := make([]string, 60)
	for i := range elems {
		e, err := key.Envelope("AccountService.SearchNiceNumbers", json.RawMessage(fmt.Sprint(i+1)), []byte(`{"pattern":"1******5","pageSize":100}`))
		if err != nil {
			b.Fatal(err)
		}
		elems[i] = string(e)
	}
	body := []byte("[" + strings.Join(elems, ",") + "]")
	routes := h.Routes()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/jsonrpc", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		routes.ServeHTTP(rec, req)
		var rs []client.Response
		if err := json.Unmarshal(rec.Body.Bytes(), &rs); err != nil || len(rs) != 60 {
			b.Fatalf("%d answers, %v: %.300s", len(rs), err, rec.Body.Bytes())
		}
		for _, r := range rs {
			if r.Error != nil {
				b.Fatalf("element %s: %+v", r.ID, r.Error)
			}
		}
	}
}
