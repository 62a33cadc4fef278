package rpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services/partner"
)

// TestOversizedBodies checks the rule for bodies over server.max_body_bytes:
// read on only for a single request to a picture-upload method whose key
// authenticates and may call it, with method and params.api before
// params.payload; anything else is HTTP 413.
func TestOversizedBodies(t *testing.T) {
	s := newServer(t, rpc.Options{MaxBodyBytes: 8 << 10, MaxUploadBodyBytes: 256 << 10})
	limitedKey, err := s.keys.CreateKey(context.Background(), "alpha", partner.KeyOptions{Methods: []string{"AccountService.GetDetails"}})
	if err != nil {
		t.Fatal(err)
	}
	limited := &client.KeyFile{KeyID: limitedKey.KeyID, Credential: limitedKey.Credential, PrivateKey: limitedKey.PrivateKeyPEM}
	unknown := &client.KeyFile{KeyID: "k_unknown", Credential: s.alpha.Credential, PrivateKey: s.alpha.PrivateKey}
	wrongCredential := &client.KeyFile{KeyID: s.alpha.KeyID, Credential: s.beta.Credential, PrivateKey: s.alpha.PrivateKey}
	payload := func(imageBytes int) string {
		return fmt.Sprintf(`{"onboardingId":"o_1","side":"FRONT","format":"JPEG","image":"%s"}`, strings.Repeat("A", imageBytes))
	}
	envelope := func(k *client.KeyFile, method, p string) []byte {
		b, err := k.Envelope(method, json.RawMessage(`"u"`), []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// byPosition is envelope with params [api, payload].
	byPosition := func(k *client.KeyFile, method, p string) []byte {
		ts := k.Timestamp()
		sig, err := k.SignV2(method, json.RawMessage(`"u"`), ts, []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		api, err := json.Marshal(client.API{KeyID: k.KeyID, Credential: k.Credential, Signature: sig, Timestamp: ts})
		if err != nil {
			t.Fatal(err)
		}
		return []byte(`{"jsonrpc":"2.0","method":"` + method + `","id":"u","params":[` + string(api) + `,` + p + `]}`)
	}
	const upload = "OnboardingService.UploadIDCard"
	api := fmt.Sprintf(`{"keyId":%q,"credential":%q,"signature":"x"}`, s.alpha.KeyID, s.alpha.Credential)
	tests := []struct {
		name    string
		body    []byte
		chunked bool
		status  int
	}{
		{"an upload by its key", envelope(s.alpha, upload, payload(100<<10)), false, http.StatusOK},
		{"an upload by its key, chunked", envelope(s.alpha, upload, payload(100<<10)), true, http.StatusOK},
		{"a portrait by its key", envelope(s.alpha, "OnboardingService.UploadPortrait", payload(100<<10)), false, http.StatusOK},
		{"an upload under its document name", envelope(s.alpha, "OnboardingService_UploadIDCard", payload(100<<10)), false, http.StatusOK},
		{"an upload with params by position", byPosition(s.alpha, upload, payload(100<<10)), true, http.StatusOK},
		{"an upload by position by an unknown key", byPosition(unknown, upload, payload(100<<10)), false, http.StatusRequestEntityTooLarge},
		{"another method under its document name", envelope(s.alpha, "AccountService_GetDetails", payload(100<<10)), false, http.StatusRequestEntityTooLarge},
		{"an upload by an unknown key", envelope(unknown, upload, payload(100<<10)), false, http.StatusRequestEntityTooLarge},
		{"an upload with a wrong credential", envelope(wrongCredential, upload, payload(100<<10)), true, http.StatusRequestEntityTooLarge},
		{"an upload by a key limited to other methods", envelope(limited, upload, payload(100<<10)), false, http.StatusRequestEntityTooLarge},
		{"another method by a good key", envelope(s.alpha, "AccountService.GetDetails", payload(100<<10)), false, http.StatusRequestEntityTooLarge},
		{"payload before api", []byte(`{"method":"` + upload + `","id":"u","params":{"payload":` + payload(100<<10) + `,"api":` + api + `}}`), false, http.StatusRequestEntityTooLarge},
		{"method after params", []byte(`{"id":"u","params":{"api":` + api + `,"payload":` + payload(100<<10) + `},"method":"` + upload + `"}`), true, http.StatusRequestEntityTooLarge},
		{"an upload in a batch", []byte("[" + string(envelope(s.alpha, upload, payload(100<<10))) + "]"), false, http.StatusRequestEntityTooLarge},
		{"an upload over the upload limit, chunked", envelope(s.alpha, upload, payload(300<<10)), true, http.StatusRequestEntityTooLarge},
		{"an upload over the upload limit", envelope(s.alpha, upload, payload(300<<10)), false, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, err := http.NewRequest(http.MethodPost, s.url, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := s.client.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("HTTP %d, want %d: %.300s", resp.StatusCode, tt.status, got)
			}
			if tt.status == http.StatusOK && bytes.Contains(got, []byte("PAYLOAD_TOO_LARGE")) {
				t.Fatalf("read but refused: %s", got)
			}
		})
	}
}

// TestUnauthenticatedBodyCost sends oversized bodies that are not
// authenticated uploads: each is refused having been read no further than
// its first 64 KiB, which the budget does not count, so that nothing was
// ever reserved. An authenticated upload then is.
func TestUnauthenticatedBodyCost(t *testing.T) {
	s := newServer(t, rpc.Options{MaxBodyBytes: 8 << 10, MaxUploadBodyBytes: 1 << 20, Metrics: rpc.NewMetrics(nil)})
	unknown := &client.KeyFile{KeyID: "k_unknown", Credential: "c_guess", PrivateKey: s.alpha.PrivateKey}
	image := strings.Repeat("A", 900<<10)
	for i, k := range []*client.KeyFile{unknown, unknown, unknown} {
		p := []byte(`{"onboardingId":"o_1","side":"FRONT","format":"JPEG","image":"` + image + `"}`)
		body, _ := k.Envelope("OnboardingService.UploadIDCard", json.RawMessage(fmt.Sprint(i)), p)
		if i == 2 {
			body = bytes.Repeat([]byte("x"), 900<<10) // not even JSON
		}
		post := openPost(t, s.url, len(body))
		post.send(body[:128<<10])
		if resp, got := post.response(); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("body %d: HTTP %d %.200s; want 413", i, resp.StatusCode, got)
		}
	}
	if peak := metric(t, s, "accountd_inflight_body_bytes_max"); peak != 0 {
		t.Fatalf("refused bodies held %v bytes of the budget; want none (64 KiB each at most, uncounted)", peak)
	}
	p := []byte(`{"onboardingId":"o_1","side":"FRONT","format":"JPEG","image":"` + image + `"}`)
	body, _ := s.alpha.Envelope("OnboardingService.UploadIDCard", json.RawMessage(`"ok"`), p)
	if status, got := s.post(body); status != http.StatusOK {
		t.Fatalf("an authenticated upload: HTTP %d %.200s", status, got)
	}
	if peak := metric(t, s, "accountd_inflight_body_bytes_max"); peak < float64(len(body)-64<<10) || peak > 1<<20 {
		t.Errorf("an upload of %d bytes: peak %v bytes held; want its size less the free 64 KiB", len(body), peak)
	}
}
