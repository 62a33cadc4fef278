package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/store/storetest"
)

// fatcaNo answers every FATCA question no.
const fatcaNo = `[{"questionId":"US_CITIZEN_OR_RESIDENT","answer":false},{"questionId":"US_PLACE_OF_BIRTH","answer":false},
	{"questionId":"US_ADDRESS","answer":false},{"questionId":"US_PHONE_NUMBER","answer":false},
	{"questionId":"US_STANDING_INSTRUCTIONS","answer":false},{"questionId":"US_POWER_OF_ATTORNEY","answer":false},
	{"questionId":"IN_CARE_OF_ADDRESS_ONLY","answer":false}]`

// TestPictureRetentionCommand: an uploaded picture is stored encrypted in
// private files; `accountd sweep reencrypt` moves it to a new data key;
// once the package has expired and its retention passed, `accountd sweep
// pictures` removes the picture and the applicant's data, keeps the
// picture's SHA-256 in the package and the audit trail, and the chain
// stays intact.
func TestPictureRetentionCommand(t *testing.T) {
	clock := useShiftClock(t)
	in := start(t)
	var pkg struct{ OnboardingID string }
	callResult(t, in, "OnboardingService.InitCustomerInfo", `{"firstName":"An","lastName":"Nguyen","DOB":"19840506","gender":"MALE",
		"identification":{"type":"CCCD","number":"087084000999","issueDate":"20210101","expiryDate":"20440506"},
		"contact":{"phoneNumber":"+84912345678"},"address":{"line1":"12 Nguyen Hue","city":"Ho Chi Minh City","country":"VN"},
		"fatcaAnswers":`+fatcaNo+`,"username":"an.nguyen"}`, &pkg)
	jpeg, err := os.ReadFile(filepath.Join("..", "..", "testdata", "images", "card-front-a.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var up struct{ SHA256 string }
	callResult(t, in, "OnboardingService.UploadIDCard", `{"onboardingId":"`+pkg.OnboardingID+`","side":"FRONT","format":"JPEG","image":"`+
		base64.StdEncoding.EncodeToString(jpeg)+`"}`, &up)

	db := storetest.Conn(t, in.db)
	var stored struct {
		Data  []byte `db:"data"`
		KeyID string `db:"data_key_id"`
	}
	read := func() {
		t.Helper()
		if err := db.Get(&stored, db.Rebind(`SELECT data, data_key_id FROM onboarding_images WHERE onboarding_id = ?`), pkg.OnboardingID); err != nil {
			t.Fatal(err)
		}
	}
	read()
	if stored.KeyID != "k1" || bytes.Contains(stored.Data, jpeg[:16]) || bytes.HasPrefix(stored.Data, []byte{0xFF, 0xD8, 0xFF}) {
		t.Fatalf("stored picture under key %q, %d bytes, starting %x: want it encrypted under k1", stored.KeyID, len(stored.Data), stored.Data[:4])
	}
	if !storetest.IsPostgres() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if fi, err := os.Stat(in.db + suffix); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("database file %s: %v, %v; want mode 0600", suffix, fi.Mode(), err)
			}
		}
	}

	// A new current key, the old one kept for reading: the command seals
	// everything again under the new one.
	t.Setenv("ACCOUNTD_EKYC_DATA_KEY", strings.Repeat("ab", 32))
	t.Setenv("ACCOUNTD_EKYC_DATA_KEY_ID", "k2")
	t.Setenv("ACCOUNTD_EKYC_OLD_DATA_KEYS", "k1:"+testDataKey)
	out, err := in.command(t.Context(), []string{"sweep", "reencrypt"})
	if want := "reencrypt: sealed under data key k2: applicants: 1, FATCA declarations: 0, pictures: 1;"; err != nil || !strings.HasPrefix(out, want) {
		t.Fatalf("sweep reencrypt: %q, %v; want %q...", out, err, want)
	}
	if read(); stored.KeyID != "k2" {
		t.Errorf("after reencrypt the picture is under %q, want k2", stored.KeyID)
	}

	sweep := func() string {
		t.Helper()
		out, err := in.command(t.Context(), []string{"sweep", "pictures"})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	clock.advance(30 * 24 * time.Hour) // a day past its time and 29 days: kept
	if got := sweep(); !strings.HasPrefix(got, "picture retention sweep: packages: 0, pictures removed: 0 (REJECTED and EXPIRED after 30 days, "+
		"COMPLETED 1827 days after the customer's last account closed)") {
		t.Errorf("a sweep with nothing due: %q", got)
	}
	clock.advance(2 * 24 * time.Hour)
	if got := sweep(); !strings.HasPrefix(got, "picture retention sweep: packages: 1, pictures removed: 1 ") ||
		!strings.HasSuffix(got, "packages marked EXPIRED: 1\n") {
		t.Errorf("the sweep 30 days after expiry: %q", got)
	}
	if read(); len(stored.Data) != 0 {
		t.Errorf("the picture is still stored (%d bytes)", len(stored.Data))
	}
	var status struct {
		State    string
		Pictures []struct{ Kind, SHA256 string }
	}
	callResult(t, in, "OnboardingService.GetStatus", `{"onboardingId":"`+pkg.OnboardingID+`"}`, &status)
	if status.State != "EXPIRED" || status.Pictures[0].SHA256 != up.SHA256 {
		t.Errorf("status after the sweep: %+v, want EXPIRED with the front's SHA-256 %s", status, up.SHA256)
	}
	if n := storetest.Count(t, in.db, `SELECT COUNT(*) FROM audit_log WHERE method = 'system.PictureRetention' AND entities LIKE ?`,
		`%"sha256":"`+up.SHA256+`"%`); n != 1 {
		t.Errorf("%d audit rows with the removed picture's SHA-256, want 1", n)
	}
	if out := mustRun(t, "audit", "verify", "--database.driver", driver, "--database.dsn", in.db); !strings.HasPrefix(out, "OK: ") {
		t.Errorf("audit verify after the sweep:\n%s", out)
	}
	resp, err := http.Get(strings.TrimSuffix(in.url, "/jsonrpc") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	metrics, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(metrics), `accountd_ekyc_data_removed_total{what="picture"} 0`) {
		t.Errorf("/metrics lacks the pictures removed by this server, at 0")
	}
}

// TestServeNeedsADataKey: a server does not start without ekyc.data_key,
// so that no server seals pictures under a key that dies with it; the
// other commands do not need it, except the reencryption.
func TestServeNeedsADataKey(t *testing.T) {
	t.Setenv("ACCOUNTD_EKYC_DATA_KEY", "")
	db := storetest.DSN(t)
	_, _, err := runCmd(t, "", "serve", "--database.driver", driver, "--database.dsn", db, "--server.addr", "127.0.0.1:0", "--otp.channel", "log")
	if err == nil || !strings.Contains(err.Error(), "ekyc.data_key is not set") {
		t.Fatalf("serve without ekyc.data_key: %v", err)
	}
	if _, _, err := runCmd(t, "", "sweep", "reencrypt", "--database.driver", driver, "--database.dsn", db); err == nil ||
		!strings.Contains(err.Error(), "ekyc.data_key is not set") {
		t.Errorf("sweep reencrypt without ekyc.data_key: %v", err)
	}
	mustRun(t, "sweep", "pictures", "--database.driver", driver, "--database.dsn", db)
}

// TestLooseDatabaseFileWarned: a database file that others can read is
// named in a warning at start, and left as it is.
func TestLooseDatabaseFileWarned(t *testing.T) {
	if storetest.IsPostgres() {
		t.Skip("SQLite files")
	}
	db := filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	serveDB(t, db, logs)
	if !strings.Contains(logs.String(), "database file readable by others than its owner") || !strings.Contains(logs.String(), db) {
		t.Errorf("no warning naming %s:\n%s", db, logs.String())
	}
	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("the file's mode is %v, %v; want it left at 0644", fi.Mode(), err)
	}
}

// TestDemoDataKey: the demo draws its data key once, keeps it in a private
// file and reads it back on the next run.
func TestDemoDataKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ekyc-data.key")
	first, err := demoDataKey(path)
	if err != nil || len(first) != 32 {
		t.Fatalf("first run: %x, %v", first, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	again, err := demoDataKey(path)
	if err != nil || !bytes.Equal(again, first) {
		t.Errorf("second run: %x, %v; want the first key", again, err)
	}
	if err := os.WriteFile(path, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := demoDataKey(path); err == nil {
		t.Error("a damaged key file: no error")
	}
}
