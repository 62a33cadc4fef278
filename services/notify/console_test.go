package notify

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

var testExpires = time.Date(2025, 3, 1, 12, 5, 0, 0, time.FixedZone("CET", 3600))

func testMessage() Message {
	return Message{
		ID:        42,
		RequestID: "req-1",
		Channel:   "sms",
		To:        "+40721234567",
		MaskedTo:  "+407******67",
		Purpose:   "OTP",
		Code:      "123456",
		Text:      "Your code is 123456",
		ExpiresAt: testExpires,
	}
}

func TestConsoleSend(t *testing.T) {
	spoof := testMessage()
	spoof.RequestID = "req-1 code=999999\nOTP requestId=req-1 purpose=OTP code=888888"
	tests := []struct {
		name string
		msg  Message
		want string
	}{
		{
			name: "sms",
			msg:  testMessage(),
			want: "OTP requestId=req-1 purpose=OTP channel=sms to=+407******67 code=123456 expires=2025-03-01T11:05:00Z\n",
		},
		{
			name: "spaces and newlines in values stay on one line",
			msg:  spoof,
			want: "OTP requestId=req-1_code=999999_OTP_requestId=req-1_purpose=OTP_code=888888 purpose=OTP channel=sms to=+407******67 code=123456 expires=2025-03-01T11:05:00Z\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := NewConsole(&buf).Send(context.Background(), tt.msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("line\n got %q\nwant %q", got, tt.want)
			}
			id, purpose, code, ok := ParseConsoleLine(buf.String())
			if !ok || id != field(tt.msg.RequestID) || purpose != tt.msg.Purpose || code != tt.msg.Code {
				t.Errorf("ParseConsoleLine = %q, %q, %q, %v; want %q, %q, %q, true",
					id, purpose, code, ok, field(tt.msg.RequestID), tt.msg.Purpose, tt.msg.Code)
			}
		})
	}
}

func TestConsoleSendCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if err := NewConsole(&buf).Send(ctx, testMessage()); err == nil {
		t.Fatal("Send with a cancelled context: got nil error")
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q, want nothing", buf.String())
	}
}

func TestConsoleConcurrent(t *testing.T) {
	var buf bytes.Buffer
	c := NewConsole(&buf)
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := testMessage()
			m.RequestID = fmt.Sprintf("req-%d", i)
			if err := c.Send(context.Background(), m); err != nil {
				t.Errorf("Send: %v", err)
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if _, ok := FindCode(buf.String(), fmt.Sprintf("req-%d", i), "OTP"); !ok {
			t.Errorf("no line for req-%d in output", i)
		}
	}
}

func TestParseConsoleLine(t *testing.T) {
	tests := []struct {
		name                string
		line                string
		wantID, wantPurpose string
		wantCode            string
		wantOK              bool
	}{
		{name: "full line", line: "OTP requestId=r1 purpose=PROVE_ID channel=email to=a***@x.ro code=654321 expires=2025-03-01T11:05:00Z",
			wantID: "r1", wantPurpose: "PROVE_ID", wantCode: "654321", wantOK: true},
		{name: "surrounding white space", line: "  OTP requestId=r1 purpose=OTP code=111111\r\n",
			wantID: "r1", wantPurpose: "OTP", wantCode: "111111", wantOK: true},
		{name: "not an OTP line", line: "INFO requestId=r1 purpose=OTP code=111111"},
		{name: "log text before OTP", line: "x OTP requestId=r1 purpose=OTP code=111111"},
		{name: "empty", line: ""},
		{name: "no code", line: "OTP requestId=r1 purpose=OTP"},
		{name: "empty code", line: "OTP requestId=r1 purpose=OTP code="},
		{name: "no purpose", line: "OTP requestId=r1 code=111111"},
		{name: "no requestId", line: "OTP purpose=OTP code=111111"},
		{name: "duplicate code", line: "OTP requestId=r1 purpose=OTP code=111111 code=222222"},
		{name: "field without equals", line: "OTP requestId=r1 purpose=OTP code=111111 junk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, purpose, code, ok := ParseConsoleLine(tt.line)
			if id != tt.wantID || purpose != tt.wantPurpose || code != tt.wantCode || ok != tt.wantOK {
				t.Errorf("ParseConsoleLine(%q) = %q, %q, %q, %v; want %q, %q, %q, %v",
					tt.line, id, purpose, code, ok, tt.wantID, tt.wantPurpose, tt.wantCode, tt.wantOK)
			}
		})
	}
}

func TestFindCode(t *testing.T) {
	text := strings.Join([]string{
		"starting accountd",
		"OTP requestId=r1 purpose=OTP channel=sms to=+40***67 code=111111 expires=2025-03-01T11:05:00Z",
		"OTP requestId=r1 purpose=CONFIRM_CHANGE channel=sms to=+40***99 code=222222 expires=2025-03-01T11:05:00Z",
		"OTP requestId=r2 purpose=OTP channel=sms to=+40***67 code=333333 expires=2025-03-01T11:05:00Z",
		"OTP requestId=r1 purpose=OTP channel=sms to=+40***67 code=444444 expires=2025-03-01T11:06:00Z",
		"",
	}, "\n")
	tests := []struct {
		name, requestID, purpose string
		wantCode                 string
		wantOK                   bool
	}{
		{name: "last of two codes", requestID: "r1", purpose: "OTP", wantCode: "444444", wantOK: true},
		{name: "other purpose", requestID: "r1", purpose: "CONFIRM_CHANGE", wantCode: "222222", wantOK: true},
		{name: "other request", requestID: "r2", purpose: "OTP", wantCode: "333333", wantOK: true},
		{name: "unknown request", requestID: "r3", purpose: "OTP"},
		{name: "unknown purpose", requestID: "r2", purpose: "PROVE_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, ok := FindCode(text, tt.requestID, tt.purpose)
			if code != tt.wantCode || ok != tt.wantOK {
				t.Errorf("FindCode(%q, %q) = %q, %v; want %q, %v", tt.requestID, tt.purpose, code, ok, tt.wantCode, tt.wantOK)
			}
		})
	}
}
