package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

const day = 24 * time.Hour

// TestRetentionCandidates: the packages whose data is past its retention
// are the REJECTED ones rejected before the final cutoff, those whose time
// ran out before it (marked EXPIRED or not), and the COMPLETED ones
// completed before the completed cutoff whose customer's accounts were all
// closed before it; never a package whose data is already removed.
func TestRetentionCandidates(t *testing.T) {
	st, _ := openStore(t)
	final, completed := epoch.Add(40*day), epoch.Add(10*day)
	closed := func(a account.Account, at time.Time) account.Account {
		a.Status, a.UpdatedAt = account.StatusClosed, at
		return a
	}
	onCustomer := func(a account.Account, cust int64) account.Account {
		a.CustomerID = cust
		return a
	}
	seedBank(t, st, closed(newAccount(500, 1, ""), completed.Add(-time.Hour)))
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		for _, c := range []customer.Customer{newCustomer(101, 1, "N101", "", ""), newCustomer(102, 1, "N102", "", "")} {
			if err := tx.InsertCustomer(ctx, c); err != nil {
				return err
			}
		}
		for _, a := range []account.Account{
			onCustomer(newAccount(501, 1, account.StatusActive), 101),
			onCustomer(closed(newAccount(502, 1, ""), completed.Add(-time.Hour)), 102),
			onCustomer(closed(newAccount(503, 1, ""), completed.Add(time.Minute)), 102),
		} {
			if err := tx.InsertAccount(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	pkg := func(id string, partner int64, state string, updated, expires time.Time, cust int64) onboarding.Onboarding {
		o := newOnboarding(id, partner, id, epoch)
		o.State, o.UpdatedAt, o.ExpiresAt, o.CustomerID = state, updated, expires, cust
		return o
	}
	later := final.Add(time.Hour)
	packages := []struct {
		o    onboarding.Onboarding
		want bool
	}{
		{pkg("rejected-before", 1, onboarding.OnbRejected, final.Add(-time.Minute), later, 0), true},
		{pkg("rejected-after", 1, onboarding.OnbRejected, final.Add(time.Minute), later, 0), false},
		{pkg("rejected-other-partner", 2, onboarding.OnbRejected, final.Add(-time.Minute), later, 0), true},
		{pkg("expired-before", 1, onboarding.OnbExpired, later, final.Add(-time.Minute), 0), true},
		{pkg("expired-after", 1, onboarding.OnbExpired, later, final.Add(time.Minute), 0), false},
		{pkg("lapsed-unmarked", 1, onboarding.OnbAuthPending, epoch, final.Add(-time.Minute), 0), true},
		{pkg("open", 1, onboarding.OnbReadyForAuth, epoch, final.Add(time.Minute), 0), false},
		{pkg("completed-all-closed", 1, onboarding.OnbCompleted, completed.Add(-time.Hour), epoch, 100), true},
		{pkg("completed-recently", 1, onboarding.OnbCompleted, completed.Add(time.Minute), epoch, 100), false},
		{pkg("completed-account-open", 1, onboarding.OnbCompleted, completed.Add(-time.Hour), epoch, 101), false},
		{pkg("completed-closed-late", 1, onboarding.OnbCompleted, completed.Add(-time.Hour), epoch, 102), false},
		{pkg("removed-already", 1, onboarding.OnbRejected, epoch, epoch, 0), false},
	}
	var want []string
	for _, p := range packages {
		insertOnboardings(t, st, p.o)
		if p.want {
			want = append(want, p.o.ID)
		}
	}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		return tx.RemoveOnboardingData(ctx, "removed-already", false, epoch)
	})
	c := onboarding.RetentionCutoffs{Final: final, Completed: completed}
	candidates := func(limit int) []string {
		var got []string
		update(t, st, func(ctx context.Context, tx store.AnyTx) error {
			found, err := tx.RetentionCandidates(ctx, c, limit)
			for _, o := range found {
				got = append(got, o.ID)
			}
			return err
		})
		return got
	}
	got := candidates(100)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("candidates %v, want %v", got, want)
	}
	if got := candidates(2); len(got) != 2 || got[0] != "lapsed-unmarked" || got[1] != "completed-all-closed" {
		t.Errorf("the first 2 candidates: %v, want the oldest changes first", got)
	}
}

// TestRemoveOnboardingData empties a package's applicant data, its
// pictures' data and (unless kept) its declaration; the pictures' rows and
// hashes stay.
func TestRemoveOnboardingData(t *testing.T) {
	ctx := context.Background()
	for _, keep := range []bool{false, true} {
		st, _ := openStore(t)
		seedBank(t, st)
		o := newOnboarding("onb-1", 1, "001", epoch)
		o.FatcaDeclaration = sealed("k1", `{"form":"W9"}`)
		other := newOnboarding("onb-2", 1, "002", epoch)
		insertOnboardings(t, st, o, other)
		imgs := []onboarding.OnboardingImage{image(o, onboarding.PictureFront, 1, false, 1), image(o, onboarding.PictureFront, 2, true, 2),
			image(other, onboarding.PictureFront, 1, true, 3)}
		update(t, st, func(ctx context.Context, tx store.AnyTx) error {
			for _, img := range imgs {
				if err := tx.InsertOnboardingImage(ctx, img); err != nil {
					return err
				}
			}
			return tx.RemoveOnboardingData(ctx, o.ID, keep, epoch.Add(day))
		})
		got, err := st.FindOnboarding(ctx, 1, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantDeclaration := services.Sealed{Data: []byte{}}
		if keep {
			wantDeclaration = o.FatcaDeclaration
		}
		if len(got.Applicant.Data) != 0 || got.Applicant.KeyID != "" || !got.DataRemovedAt.Equal(epoch.Add(day)) ||
			!reflect.DeepEqual(got.FatcaDeclaration, wantDeclaration) {
			t.Errorf("keep declaration %v: package %+v", keep, got)
		}
		for _, img := range imgs {
			pic, err := st.OnboardingPicture(ctx, img.OnboardingID, img.Kind, img.Attempt)
			if err != nil {
				t.Fatal(err)
			}
			removed := img.OnboardingID == o.ID
			want := img
			if removed {
				want.Data, want.DataRemovedAt = services.Sealed{Data: []byte{}}, epoch.Add(day)
			}
			if !reflect.DeepEqual(pic, want) {
				t.Errorf("picture %s/%d of %s:\n got %+v\nwant %+v", img.Kind, img.Attempt, img.OnboardingID, pic, want)
			}
		}
		if other, err := st.FindOnboarding(ctx, 1, other.ID); err != nil || !other.DataRemovedAt.IsZero() || len(other.Applicant.Data) == 0 {
			t.Errorf("the other package: %+v, %v", other, err)
		}
	}
}

// TestResealCandidates: the values to seal again are those under another
// key than the current one or in clear, never removed data or a missing
// declaration; the reseal writes value and key id together.
func TestResealCandidates(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedBank(t, st)
	pkg := func(id, applicantKey, declarationKey string) onboarding.Onboarding {
		o := newOnboarding(id, 1, id, epoch)
		o.Applicant = sealed(applicantKey, "applicant")
		if applicantKey == "" {
			o.Applicant = services.Sealed{Data: []byte(`{"customer":{}}`)}
		}
		if declarationKey != "-" {
			o.FatcaDeclaration = sealed(declarationKey, "declaration")
		}
		return o
	}
	packages := []onboarding.Onboarding{pkg("current", "k2", "k2"), pkg("old", "k1", "-"), pkg("clear", "", "k1"), pkg("removed", "k1", "-")}
	insertOnboardings(t, st, packages...)
	pictures := []onboarding.OnboardingImage{image(packages[0], "FRONT", 1, true, 1), image(packages[1], "FRONT", 1, true, 2),
		image(packages[2], "FRONT", 1, true, 3), image(packages[3], "FRONT", 1, true, 4)}
	pictures[0].Data.KeyID, pictures[2].Data.KeyID = "k2", ""
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		for _, img := range pictures {
			if err := tx.InsertOnboardingImage(ctx, img); err != nil {
				return err
			}
		}
		return tx.RemoveOnboardingData(ctx, "removed", true, epoch)
	})
	var applicants, declarations, pics []string
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		a, err := tx.ApplicantsToReseal(ctx, "k2", 10)
		if err != nil {
			return err
		}
		d, err := tx.DeclarationsToReseal(ctx, "k2", 10)
		if err != nil {
			return err
		}
		p, err := tx.PicturesToReseal(ctx, "k2", 10)
		for _, o := range a {
			applicants = append(applicants, o.ID)
		}
		for _, o := range d {
			declarations = append(declarations, o.ID)
		}
		for _, img := range p {
			pics = append(pics, img.OnboardingID)
			if img.OnboardingID == "old" && !reflect.DeepEqual(img, pictures[1]) {
				t.Errorf("picture to reseal:\n got %+v\nwant %+v", img, pictures[1])
			}
		}
		return err
	})
	slices.Sort(applicants)
	slices.Sort(pics)
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"applicants", applicants, []string{"clear", "old"}},
		{"declarations", declarations, []string{"clear"}},
		{"pictures", pics, []string{"clear", "old"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s to reseal: %v, want %v", c.name, c.got, c.want)
		}
	}
	o := packages[2]
	o.Applicant, o.FatcaDeclaration = sealed("k2", "new applicant"), sealed("k2", "new declaration")
	img := pictures[2]
	img.Data = services.Sealed{KeyID: "k2", Data: []byte("new picture")}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		if err := tx.ResealOnboarding(ctx, o); err != nil {
			return err
		}
		return tx.ResealPicture(ctx, img)
	})
	if got, err := st.FindOnboarding(ctx, 1, o.ID); err != nil || !reflect.DeepEqual(got, o) {
		t.Errorf("resealed package:\n got %+v, %v\nwant %+v", got, err, o)
	}
	if got, err := st.OnboardingPicture(ctx, img.OnboardingID, img.Kind, img.Attempt); err != nil || !reflect.DeepEqual(got, img) {
		t.Errorf("resealed picture:\n got %+v, %v\nwant %+v", got, err, img)
	}
}

// TestMigrateToDataAtRest migrates a version-7 database holding a package
// and a picture in clear: both read back as they were, in clear (key id
// ""), with nothing removed.
func TestMigrateToDataAtRest(t *testing.T) {
	ctx := context.Background()
	st, dsn := openAtVersion(t, 7)
	seedPartner(t, st, 1, "alpha")
	applicant := `{"customer":{"firstName":"An","lastName":"Nguyen"}}`
	storetest.Exec(t, dsn, `INSERT INTO onboardings (id, partner_id, key_id, state, applicant, id_type, id_value, phone, username,
		username_key, checks, fatca_answers, fatca_status, fatca_declaration, expires_at, created_at, updated_at)
		VALUES ('onb-1', 1, 'k1', 'INITIATED', ?, 'CCCD', '001', '+84912345678', 'an', 'an', '[]', '{}', 'W9', '{"form":"W9"}', ?, ?, ?)`,
		applicant, epoch.Add(day).UnixMilli(), epoch.UnixMilli(), epoch.UnixMilli())
	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F'}
	storetest.Exec(t, dsn, `INSERT INTO onboarding_images (onboarding_id, kind, attempt, id_type, id_value, sha256, phash,
		detail_hash, format, width, height, bytes, passed, checks, created_at, data)
		VALUES ('onb-1', 'FRONT', 1, 'CCCD', '001', 'abc', 7, '', 'jpeg', 640, 480, 10, TRUE, '[]', ?, ?)`, epoch.UnixMilli(), jpeg)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	o, err := st.FindOnboarding(ctx, 1, "onb-1")
	if err != nil || !reflect.DeepEqual(o.Applicant, services.Sealed{Data: []byte(applicant)}) ||
		string(o.FatcaDeclaration.Data) != `{"form":"W9"}` || o.FatcaDeclaration.KeyID != "" || !o.DataRemovedAt.IsZero() {
		t.Fatalf("package after the migration: %+v, %v", o, err)
	}
	pic, err := st.OnboardingPicture(ctx, "onb-1", "FRONT", 1)
	if err != nil || !reflect.DeepEqual(pic.Data, services.Sealed{Data: jpeg}) || pic.SHA256 != "abc" || pic.Hash != 7 || !pic.Passed {
		t.Fatalf("picture after the migration: %+v, %v", pic, err)
	}
	if hashes, err := st.ImageHashes(ctx, []string{"FRONT"}, "CCCD", "002"); err != nil || len(hashes) != 1 {
		t.Fatalf("the passed pictures' index after the migration: %+v, %v", hashes, err)
	}
}
