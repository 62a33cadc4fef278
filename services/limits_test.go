package services_test

import (
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/store/storetest"
)

func TestCheckLimits(t *testing.T) {
	type untagged struct {
		Note  string   `json:"note"`
		Notes []string `json:"notes"`
	}
	long := func(n int) string { return strings.Repeat("a", n) }
	withIDs := func(n int) customer.AddCustomerInput {
		in := customer.AddCustomerInput{}
		for range n {
			in.Identification = append(in.Identification, customer.Identification{Type: "SSN", Value: "123456789"})
		}
		return in
	}
	tests := []struct {
		name string
		in   any
		want string // field:REASON:message, space-separated
	}{
		{"within every limit", banktest.Dave(), ""},
		{"a name at its limit", customer.AddCustomerInput{FirstName: long(140)}, ""},
		{"a name one over", customer.AddCustomerInput{FirstName: long(141)}, "firstName:TOO_LONG:must be at most 140 characters"},
		// Characters, not bytes: 140 three-byte letters are 420 bytes.
		{"letters of three bytes", customer.AddCustomerInput{LastName: strings.Repeat("ệ", 140)}, ""},
		{"letters of three bytes, one over", customer.AddCustomerInput{LastName: strings.Repeat("ệ", 141)}, "lastName:TOO_LONG:must be at most 140 characters"},
		{"nested and in an array", customer.AddCustomerInput{
			Identification: []customer.Identification{{Type: "SSN", Value: "1"}, {Type: "SSN", Value: long(41)}},
			Contact:        customer.Contact{Email: long(255)}, Address: customer.Address{ZipCode: long(17)}},
			"identification[1].value:TOO_LONG:must be at most 40 characters contact.email:TOO_LONG:must be at most 254 characters " +
				"address.zipCode:TOO_LONG:must be at most 16 characters"},
		{"items at the limit", withIDs(10), ""},
		{"one item too many", withIDs(11), "identification:TOO_LONG:must have at most 10 items"},
		{"a nil pointer", customer.UpdateBlacklistInput{}, ""},
		{"through a pointer", &customer.UpdateBlacklistInput{Identification: &customer.Identification{Value: long(900_000)}},
			"identification.value:TOO_LONG:must be at most 40 characters"},
		{"a picture is bounded by the body limit", onboarding.UploadPortraitInput{Image: long(3 << 20)}, ""},
		{"the default for a string without a size", untagged{Note: long(256)}, ""},
		{"the default, one over", untagged{Note: long(257)}, "note:TOO_LONG:must be at most 256 characters"},
		{"the default for an array without items", untagged{Notes: make([]string, 101)}, "notes:TOO_LONG:must have at most 100 items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := services.CheckLimits(tt.in)
			var got []string
			var ve *services.ValidationError
			if errors.As(err, &ve) {
				for _, f := range ve.Fields {
					got = append(got, f.Field+":"+f.Reason+":"+f.Message)
				}
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if err != nil && !errors.Is(err, services.ErrInvalidInput) {
				t.Errorf("%v does not wrap ErrInvalidInput", err)
			}
		})
	}
}

func TestLimitOfRefusesUnknownSizes(t *testing.T) {
	type bad struct {
		A string `size:"novel"`
		B []int  `items:"many"`
	}
	for i := range 2 {
		f := reflect.TypeFor[bad]().Field(i)
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic for tag %q", f.Name, f.Tag)
				}
			}()
			services.LimitOf(f)
		}()
	}
}

// TestLongInputStoresNothing calls data-changing services directly,
// without the transport's decoder, with a 900 KB document number: each is
// refused before its transaction, so that nothing of it is stored, not
// even the REJECTED package InitCustomerInfo keeps of a refused applicant.
func TestLongInputStoresNothing(t *testing.T) {
	e := banktest.New(t)
	ctx := context.Background()
	huge := strings.Repeat("0", 900_000)
	in := banktest.ApplicantA()
	in.Identification.Number = huge
	_, err := e.Bank.Onboarding.InitCustomerInfo(ctx, banktest.With(e.Alpha, "OnboardingService.InitCustomerInfo", "s:1"), in)
	if got := banktest.Join(banktest.FieldReasons(err)); got != "identification.number:TOO_LONG" {
		t.Errorf("InitCustomerInfo: %v, want identification.number TOO_LONG", err)
	}
	c := banktest.Dave()
	c.Identification[0].Value = huge
	_, err = e.Bank.Customers.AddCustomer(ctx, banktest.With(e.Alpha, "CustomerService.AddCustomer", "s:2"), c)
	if !errors.Is(err, services.ErrInvalidInput) {
		t.Errorf("AddCustomer: %v, want invalid params", err)
	}
	for _, table := range []string{"onboardings", "customers"} {
		if n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM `+table); n != 0 {
			t.Errorf("%d rows stored in %s", n, table)
		}
	}
}

// TestRefusedPackageIsBounded fills every field of an applicant whose
// checks fail to its limit: the REJECTED package kept of it is a few
// kilobytes, and so is the audit row of the refusal.
func TestRefusedPackageIsBounded(t *testing.T) {
	e := banktest.New(t)
	ctx := context.Background()
	in := banktest.ApplicantA()
	in.FirstName, in.LastName = strings.Repeat("Ệ", 140), strings.Repeat("Ư", 140)
	in.Identification.Number = strings.Repeat("9", 40) // not a CCCD: the DOCUMENT check fails
	in.Contact.Email = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + ".example"
	in.Address = customer.Address{Line1: strings.Repeat("Đ", 140), Line2: strings.Repeat("Đ", 140), City: strings.Repeat("H", 80),
		State: strings.Repeat("S", 80), Country: "VN", ZipCode: strings.Repeat("7", 16)}
	call := banktest.With(e.Alpha, "OnboardingService.InitCustomerInfo", "s:r1")
	_, err := e.Bank.Onboarding.InitCustomerInfo(ctx, call, in)
	if !errors.Is(err, onboarding.ErrOnboardingChecksFailed) {
		t.Fatalf("got %v, want the package REJECTED", err)
	}
	if err := e.Bank.Kernel.AuditRefusal(ctx, call, err); err != nil {
		t.Fatal(err)
	}
	const maxRecord = 8 << 10
	if n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM onboardings WHERE state = 'REJECTED' AND
		LENGTH(applicant) + LENGTH(id_value) + LENGTH(phone) + LENGTH(username) + LENGTH(checks) + LENGTH(fatca_answers) + LENGTH(reject_reason) < ?`, maxRecord); n != 1 {
		t.Errorf("%d REJECTED packages under %d characters, want 1", n, maxRecord)
	}
	if n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM audit_log WHERE LENGTH(request_id) + LENGTH(entities) + LENGTH(outcome) > 1024`); n != 0 {
		t.Errorf("%d audit rows over 1 KB", n)
	}
}

// TestOversizedPictureKeptWithoutBytes uploads a portrait larger than the
// rules allow: it is refused and counted like any failed picture, and its
// row keeps its size and SHA-256 but not its bytes. A failed picture within
// the size limit is kept whole.
func TestOversizedPictureKeptWithoutBytes(t *testing.T) {
	e := banktest.New(t)
	id := e.InitOnboarding(t, e.Alpha, banktest.ApplicantA()).OnboardingID
	up := func(data []byte) error {
		_, err := e.Bank.Onboarding.UploadPortrait(context.Background(), banktest.With(e.Alpha, "OnboardingService.UploadPortrait", ""),
			onboarding.UploadPortraitInput{OnboardingID: id, Format: "JPEG", Image: base64.StdEncoding.EncodeToString(data)})
		return err
	}
	big := make([]byte, 5<<20) // the default limit is 4 MiB
	if err := up(big); !strings.Contains(banktest.Problems(err), "FILE_SIZE:") {
		t.Fatalf("an oversized picture: %v (%s)", err, banktest.Problems(err))
	}
	small := make([]byte, 40<<10)
	if err := up(small); !errors.Is(err, onboarding.ErrPictureRejected) {
		t.Fatalf("a small non-picture: %v", err)
	}
	const sealing = 12 + 16 // the AES-GCM nonce and tag around the sealed bytes
	for _, c := range []struct {
		size, stored int
	}{{len(big), sealing}, {len(small), len(small) + sealing}} {
		if n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM onboarding_images WHERE onboarding_id = ? AND bytes = ? AND LENGTH(data) = ?`,
			id, c.size, c.stored); n != 1 {
			t.Errorf("picture of %d bytes: %d rows storing %d bytes of it, want 1", c.size, n, c.stored)
		}
	}
}
