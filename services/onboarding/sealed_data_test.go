package onboarding_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/store/storetest"
)

// testKeys are data keys with ids current and old, each derived from its
// id, so that two services given the same ids share the keys.
func testKeys(current string, old ...string) services.DataKeys {
	k := services.DataKeys{Current: current, Keys: map[string][]byte{}}
	for _, id := range append([]string{current}, old...) {
		sum := sha256.Sum256([]byte("test data key " + id))
		k.Keys[id] = sum[:]
	}
	return k
}

// withKeys sets the data keys of a lifecycle env's settings.
func withKeys(keys services.DataKeys) func(*bank.Settings) {
	return func(s *bank.Settings) { s.DataKeys = keys }
}

// replica returns another service on the env's database and clock, with
// the given data keys.
func replica(e *banktest.Env, keys services.DataKeys) *bank.Bank {
	return bank.New(e.Store, bank.Settings{InstitutionID: "101115399", PhoneRegion: "VN", IdempotencyTTL: 24 * time.Hour,
		BankCode: banktest.BankCode, DataKeys: keys}, bank.WithClock(e.Clock))
}

// rawPackage is an onboardings row's sealed columns as stored.
type rawPackage struct {
	Applicant        string `db:"applicant"`
	ApplicantKey     string `db:"applicant_key_id"`
	Declaration      string `db:"fatca_declaration"`
	DeclarationKey   string `db:"fatca_declaration_key_id"`
	DataRemovedAtSet bool   `db:"removed"`
}

func readRawPackage(t *testing.T, e *banktest.Env, id string) rawPackage {
	t.Helper()
	db := storetest.Conn(t, e.Path)
	var r rawPackage
	err := db.Get(&r, db.Rebind(`SELECT applicant, applicant_key_id, fatca_declaration, fatca_declaration_key_id,
		data_removed_at IS NOT NULL AS removed FROM onboardings WHERE id = ?`), id)
	if err != nil {
		t.Fatalf("read package %s: %v", id, err)
	}
	return r
}

// rawPicture is an onboarding_images row's data and key as stored.
type rawPicture struct {
	Data   []byte `db:"data"`
	KeyID  string `db:"data_key_id"`
	SHA256 string `db:"sha256"`
}

func readRawPicture(t *testing.T, e *banktest.Env, id, kind string, attempt int) rawPicture {
	t.Helper()
	db := storetest.Conn(t, e.Path)
	var r rawPicture
	err := db.Get(&r, db.Rebind(`SELECT data, data_key_id, sha256 FROM onboarding_images
		WHERE onboarding_id = ? AND kind = ? AND attempt = ?`), id, kind, attempt)
	if err != nil {
		t.Fatalf("read picture %s/%d of %s: %v", kind, attempt, id, err)
	}
	return r
}

func readPicture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "images", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pictureFiles are applicant A's pictures by kind.
var pictureFiles = map[string]string{onboarding.PictureFront: "card-front-a.jpg", onboarding.PictureBack: "card-back-a.png",
	onboarding.PicturePortrait: "portrait-a.jpg"}

// w8ben is a W-8BEN declaration of applicant A with a Vietnamese tax number.
func w8ben(id string) onboarding.SubmitFatcaDeclarationInput {
	return onboarding.SubmitFatcaDeclarationInput{OnboardingID: id, Form: "W8BEN", CountryOfCitizenship: "VN", ResidenceCountry: "VN",
		ForeignTIN: "8012345678", Evidence: "Vietnamese passport", SignedBy: "An Nguyen", SignedDate: "20261121"}
}

// TestOnboardingDataSealed: the applicant's data, the FATCA declaration
// and the pictures are stored encrypted under the current key, and read
// back as they were given where they are read (completion, pictures).
func TestOnboardingDataSealed(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t, withKeys(testKeys("k1")))
	in := banktest.ApplicantA()
	in.FatcaAnswers = banktest.Answers(onboarding.FatcaUSBirthplace)
	id := e.InitOnboarding(t, e.Alpha, in).OnboardingID
	if _, err := e.Bank.Onboarding.SubmitFatcaDeclaration(ctx, e.Alpha, w8ben(id)); err != nil {
		t.Fatal(err)
	}
	e.UploadAll(t, e.Alpha, id, "a")

	raw := readRawPackage(t, e, id)
	if raw.ApplicantKey != "k1" || raw.DeclarationKey != "k1" {
		t.Errorf("key ids %q and %q, want k1", raw.ApplicantKey, raw.DeclarationKey)
	}
	for _, clear := range []string{"Nguyen", "087084000999", "an.nguyen@example.com", "Nguyen Hue", "8012345678"} {
		if strings.Contains(raw.Applicant+raw.Declaration, clear) {
			t.Errorf("the stored package holds %q in clear", clear)
		}
	}
	for kind, file := range pictureFiles {
		plain := readPicture(t, file)
		pic := readRawPicture(t, e, id, kind, 1)
		if pic.KeyID != "k1" || len(pic.Data) != len(plain)+12+16 {
			t.Errorf("%s: key %q, %d bytes; want k1 and %d bytes (nonce and tag)", kind, pic.KeyID, len(pic.Data), len(plain)+28)
		}
		// A picture stored in clear starts with its format's magic bytes; a
		// 3-byte magic anywhere in random ciphertext is no sign (about one
		// picture in 300 would hold one), 16 bytes of the picture are.
		for _, magic := range [][]byte{{0xFF, 0xD8, 0xFF}, []byte("\x89PNG")} {
			if bytes.HasPrefix(pic.Data, magic) || len(pic.Data) > 12 && bytes.HasPrefix(pic.Data[12:], magic) {
				t.Errorf("%s: the stored data starts with %x", kind, magic)
			}
		}
		if bytes.Contains(pic.Data, plain[:16]) {
			t.Errorf("%s: the stored data holds the picture's first 16 bytes", kind)
		}
		got, err := e.Bank.Onboarding.OpenPicture(ctx, id, kind, 1)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%s read back: %d bytes, %v; want the %d bytes uploaded", kind, len(got), err, len(plain))
		}
	}
	applicant, declaration, err := e.Bank.Onboarding.OpenApplicant(ctx, e.Alpha.PartnerID, id)
	if err != nil || !strings.Contains(string(applicant), `"lastName":"Nguyen"`) || !strings.Contains(string(declaration), "8012345678") {
		t.Errorf("read back: %s / %s, %v", applicant, declaration, err)
	}
	res := e.Authenticate(t, e.Alpha, &banktest.CaptureSender{}, id)
	c, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{ID: res.CustomerID})
	if err != nil || c.FirstName != "An" || c.LastName != "Nguyen" || c.Contact.Email != "an.nguyen@example.com" {
		t.Errorf("customer opened from the sealed data: %+v, %v", c, err)
	}
}

// TestDataKeyRotation: with a new current key and the old one kept, rows
// sealed under the old key stay readable and new rows use the new key; the
// reseal sweep moves every row to the new key, after which the old key can
// go.
func TestDataKeyRotation(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t, withKeys(testKeys("k1")))
	in := banktest.ApplicantA()
	in.FatcaAnswers = banktest.Answers(onboarding.FatcaUSBirthplace)
	old := e.InitOnboarding(t, e.Alpha, in).OnboardingID
	if _, err := e.Bank.Onboarding.SubmitFatcaDeclaration(ctx, e.Alpha, w8ben(old)); err != nil {
		t.Fatal(err)
	}
	e.UploadAll(t, e.Alpha, old, "a")

	rotated := replica(e, testKeys("k2", "k1"))
	onlyNew := replica(e, testKeys("k2"))
	if got, err := rotated.Onboarding.OpenPicture(ctx, old, onboarding.PictureFront, 1); err != nil || !bytes.Equal(got, readPicture(t, "card-front-a.jpg")) {
		t.Fatalf("old picture with the old key kept: %d bytes, %v", len(got), err)
	}
	if _, err := onlyNew.Onboarding.OpenPicture(ctx, old, onboarding.PictureFront, 1); !errors.Is(err, services.ErrDataKeyUnknown) {
		t.Fatalf("old picture without the old key: %v, want ErrDataKeyUnknown", err)
	}
	e.Bank = rotated
	fresh := e.InitOnboarding(t, e.Alpha, banktest.ApplicantB()).OnboardingID
	e.MustUpload(t, e.Alpha, fresh, onboarding.PictureFront, "card-front-b.jpg")
	if raw, pic := readRawPackage(t, e, fresh), readRawPicture(t, e, fresh, onboarding.PictureFront, 1); raw.ApplicantKey != "k2" || pic.KeyID != "k2" {
		t.Errorf("new rows under keys %q and %q, want k2", raw.ApplicantKey, pic.KeyID)
	}

	rep, err := rotated.Onboarding.ResealOnboardingData(ctx)
	want := onboarding.ResealReport{KeyID: "k2", Applicants: 1, Declarations: 1, Pictures: 3}
	if err != nil || rep != want {
		t.Fatalf("reseal: %+v, %v; want %+v", rep, err, want)
	}
	if again, err := rotated.Onboarding.ResealOnboardingData(ctx); err != nil || again != (onboarding.ResealReport{KeyID: "k2"}) {
		t.Errorf("second reseal: %+v, %v; want nothing left", again, err)
	}
	raw := readRawPackage(t, e, old)
	if raw.ApplicantKey != "k2" || raw.DeclarationKey != "k2" {
		t.Errorf("after the reseal: keys %q and %q, want k2", raw.ApplicantKey, raw.DeclarationKey)
	}
	for kind, file := range pictureFiles {
		got, err := onlyNew.Onboarding.OpenPicture(ctx, old, kind, 1)
		if err != nil || !bytes.Equal(got, readPicture(t, file)) {
			t.Errorf("%s with the new key alone: %d bytes, %v", kind, len(got), err)
		}
	}
	// The package sealed under k1 completes under k2 alone.
	e.Bank = onlyNew
	res := e.Authenticate(t, e.Alpha, &banktest.CaptureSender{}, old)
	if c, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{ID: res.CustomerID}); err != nil || c.LastName != "Nguyen" {
		t.Errorf("customer: %+v, %v", c, err)
	}
}

// TestSealedDataBoundToRow: a sealed value changed, or copied to another
// package, picture or column, does not open, and a completion reading it
// fails rather than opening an account from it.
func TestSealedDataBoundToRow(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t, withKeys(testKeys("k1")))
	a := e.InitOnboarding(t, e.Alpha, banktest.ApplicantA()).OnboardingID
	e.UploadAll(t, e.Alpha, a, "a")
	b := e.InitOnboarding(t, e.Alpha, banktest.ApplicantB()).OnboardingID
	e.UploadAll(t, e.Alpha, b, "b")
	front, back := readRawPicture(t, e, a, onboarding.PictureFront, 1), readRawPicture(t, e, a, onboarding.PictureBack, 1)
	bFront := readRawPicture(t, e, b, onboarding.PictureFront, 1)
	if _, err := e.Upload(e.Alpha, a, onboarding.PictureFront, "card-front-a-dark.jpg"); !banktest.IsErr(err, onboarding.ErrPictureRejected) {
		t.Fatalf("a second, failing front: %v", err)
	}
	front2 := readRawPicture(t, e, a, onboarding.PictureFront, 2)
	flipped := bytes.Clone(front.Data)
	flipped[len(flipped)/2] ^= 1
	setPicture := func(id, kind string, data []byte) {
		storetest.Exec(t, e.Path, `UPDATE onboarding_images SET data = ? WHERE onboarding_id = ? AND kind = ? AND attempt = 1`, data, id, kind)
	}
	tests := []struct {
		name    string
		tamper  func()
		id      string // the package to read
		kind    string // the picture to read; "" for the applicant
		restore func()
	}{
		{"picture copied to another package", func() { setPicture(b, onboarding.PictureFront, front.Data) }, b, onboarding.PictureFront,
			func() { setPicture(b, onboarding.PictureFront, bFront.Data) }},
		{"picture copied to another kind", func() { setPicture(a, onboarding.PictureBack, front.Data) }, a, onboarding.PictureBack,
			func() { setPicture(a, onboarding.PictureBack, back.Data) }},
		{"picture changed", func() { setPicture(a, onboarding.PictureFront, flipped) }, a, onboarding.PictureFront,
			func() { setPicture(a, onboarding.PictureFront, front.Data) }},
		{"picture copied to another upload of its kind", func() {
			storetest.Exec(t, e.Path, `UPDATE onboarding_images SET data = ? WHERE onboarding_id = ? AND kind = 'FRONT' AND attempt = 1`, front2.Data, a)
		}, a, onboarding.PictureFront, func() { setPicture(a, onboarding.PictureFront, front.Data) }},
		{"applicant copied to another package", func() {
			storetest.Exec(t, e.Path, `UPDATE onboardings SET applicant = ? WHERE id = ?`, readRawPackage(t, e, a).Applicant, b)
		}, b, "", nil},
		{"applicant copied to the declaration", func() {
			storetest.Exec(t, e.Path, `UPDATE onboardings SET fatca_declaration = applicant, fatca_declaration_key_id = applicant_key_id WHERE id = ?`, a)
		}, a, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.tamper()
			var err error
			if tt.kind != "" {
				_, err = e.Bank.Onboarding.OpenPicture(ctx, tt.id, tt.kind, 1)
			} else {
				_, _, err = e.Bank.Onboarding.OpenApplicant(ctx, e.Alpha.PartnerID, tt.id)
			}
			if !errors.Is(err, services.ErrDataTampered) {
				t.Errorf("read: %v, want ErrDataTampered", err)
			}
			if tt.restore != nil {
				tt.restore()
			}
		})
	}
	// Package b now holds a's applicant data: its completion fails and
	// opens nothing.
	op, err := e.Bank.Onboarding.InitAuthen(ctx, banktest.With(e.Alpha, "OnboardingService.InitAuthen", ""), onboarding.OnboardingInput{OnboardingID: b})
	if err != nil {
		t.Fatal(err)
	}
	s := &banktest.CaptureSender{}
	_, err = e.Bank.OTP.ConfirmOTP(ctx, banktest.With(e.Alpha, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{
		RequestID: op.RequestID, OTP: e.Code(t, s, op.RequestID, otp.PurposeOTP)})
	if !errors.Is(err, services.ErrDataTampered) {
		t.Fatalf("completion with another package's applicant data: %v, want ErrDataTampered", err)
	}
	if n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM customers`); n != 0 {
		t.Errorf("%d customers opened, want none", n)
	}
}

// TestClearRowsReadAndResealed: rows written before data keys existed
// (schema version 8 and earlier, key id "") are read as they are, and the
// reseal sweep encrypts them.
func TestClearRowsReadAndResealed(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t, withKeys(testKeys("k1")))
	id := e.InitOnboarding(t, e.Alpha, banktest.ApplicantA()).OnboardingID
	e.UploadAll(t, e.Alpha, id, "a")
	applicant, _, err := e.Bank.Onboarding.OpenApplicant(ctx, e.Alpha.PartnerID, id)
	if err != nil {
		t.Fatal(err)
	}
	front := readPicture(t, "card-front-a.jpg")
	storetest.Exec(t, e.Path, `UPDATE onboardings SET applicant = ?, applicant_key_id = '' WHERE id = ?`, string(applicant), id)
	storetest.Exec(t, e.Path, `UPDATE onboarding_images SET data = ?, data_key_id = '' WHERE onboarding_id = ? AND kind = 'FRONT'`, front, id)

	if got, err := e.Bank.Onboarding.OpenPicture(ctx, id, onboarding.PictureFront, 1); err != nil || !bytes.Equal(got, front) {
		t.Fatalf("a picture in clear: %d bytes, %v", len(got), err)
	}
	rep, err := e.Bank.Onboarding.ResealOnboardingData(ctx)
	if want := (onboarding.ResealReport{KeyID: "k1", Applicants: 1, Pictures: 1}); err != nil || rep != want {
		t.Fatalf("reseal: %+v, %v; want %+v", rep, err, want)
	}
	if raw, pic := readRawPackage(t, e, id), readRawPicture(t, e, id, onboarding.PictureFront, 1); raw.ApplicantKey != "k1" ||
		strings.Contains(raw.Applicant, "Nguyen") || pic.KeyID != "k1" || bytes.Contains(pic.Data, front[:16]) {
		t.Errorf("after the reseal: applicant key %q, picture key %q", raw.ApplicantKey, pic.KeyID)
	}
	if got, err := e.Bank.Onboarding.OpenPicture(ctx, id, onboarding.PictureFront, 1); err != nil || !bytes.Equal(got, front) {
		t.Errorf("resealed picture: %d bytes, %v", len(got), err)
	}
	res := e.Authenticate(t, e.Alpha, &banktest.CaptureSender{}, id)
	if res.CustomerID == "" {
		t.Errorf("completion: %+v", res)
	}
}
