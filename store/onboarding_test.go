package store_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// newOnboarding is an INITIATED package of the partner for a CCCD document,
// created at created and open for a day, with every text field set.
func newOnboarding(id string, partner int64, idValue string, created time.Time) onboarding.Onboarding {
	return onboarding.Onboarding{
		ID: id, PartnerID: partner, KeyID: "k1", State: onboarding.OnbInitiated,
		Applicant: sealed("k1", "applicant of "+id), IDType: "CCCD", IDValue: idValue, Phone: "+84912345678",
		Username: "user-" + id, Checks: `[{"name":"DOCUMENT","passed":true}]`, FatcaAnswers: `{"q1":false}`,
		FatcaStatus: onboarding.FatcaNotRequired, ExpiresAt: created.Add(24 * time.Hour), CreatedAt: created, UpdatedAt: created,
	}
}

// sealed is a stand-in for data sealed under keyID: bytes that are not
// valid text.
func sealed(keyID, text string) services.Sealed {
	return services.Sealed{KeyID: keyID, Data: append([]byte{0x00, 0xFF, 0xFE}, text...)}
}

func insertOnboardings(t *testing.T, st *store.Store, packages ...onboarding.Onboarding) {
	t.Helper()
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		for _, o := range packages {
			if err := tx.InsertOnboarding(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestOnboardingRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedBank(t, st, newAccount(500, 1, account.StatusActive))
	o := newOnboarding("onb-1", 1, "001099000001", epoch)
	o.State, o.Username, o.FatcaStatus, o.FatcaDeclaration = onboarding.OnbFatcaReview, "An.Nguyen", onboarding.FatcaPending, sealed("k0", `{"form":"W9"}`)
	o.USReportable, o.AuthRequestID, o.AuthSends, o.RejectReason = true, "op-1", 1, "none yet"
	insertOnboardings(t, st, o)

	finds := []struct {
		name    string
		partner int64
		id      string
		want    error
	}{
		{"own package", 1, "onb-1", nil},
		{"another partner's package", 2, "onb-1", onboarding.ErrOnboardingNotFound},
		{"unknown package", 1, "onb-9", onboarding.ErrOnboardingNotFound},
	}
	for _, tt := range finds {
		t.Run("find "+tt.name, func(t *testing.T) {
			got, err := st.FindOnboarding(ctx, tt.partner, tt.id)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.want == nil && !reflect.DeepEqual(got, o) {
				t.Fatalf("got %+v, want %+v", got, o)
			}
		})
		t.Run("lock "+tt.name, func(t *testing.T) {
			var got onboarding.Onboarding
			err := store.Update(ctx, st, func(tx store.AnyTx) (err error) {
				got, err = tx.LockOnboarding(ctx, tt.partner, tt.id)
				return err
			})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.want == nil && !reflect.DeepEqual(got, o) {
				t.Fatalf("got %+v, want %+v", got, o)
			}
		})
	}

	// UpdateOnboarding writes its fields, and only those.
	done := o
	done.State, done.FatcaStatus, done.FatcaDeclaration, done.USReportable = onboarding.OnbCompleted, onboarding.FatcaW8BEN, sealed("k2", `{"form":"W8BEN"}`), false
	done.AuthRequestID, done.AuthSends, done.CustomerID, done.AccountID = "op-2", 2, 100, 500
	done.RejectReason, done.UpdatedAt = "", epoch.Add(time.Hour)
	changed := done
	changed.Applicant, changed.Phone, changed.ExpiresAt = sealed("k2", "{}"), "+84900000000", epoch
	updates := []struct {
		name string
		o    onboarding.Onboarding
		want onboarding.Onboarding
		err  error
	}{
		{"completed", changed, done, nil},
		{"customer and account back to none", withLinks(done, 0, 0), withLinks(done, 0, 0), nil},
		{"another partner's package", withPartner(done, 2), withLinks(done, 0, 0), onboarding.ErrOnboardingNotFound},
		{"unknown package", withID(done, "onb-9"), withLinks(done, 0, 0), onboarding.ErrOnboardingNotFound},
	}
	for _, tt := range updates {
		t.Run("update "+tt.name, func(t *testing.T) {
			err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.UpdateOnboarding(ctx, tt.o) })
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
			if got, err := st.FindOnboarding(ctx, 1, "onb-1"); err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("after update: got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func withLinks(o onboarding.Onboarding, customerID, accountID int64) onboarding.Onboarding {
	o.CustomerID, o.AccountID = customerID, accountID
	return o
}

func withPartner(o onboarding.Onboarding, partner int64) onboarding.Onboarding {
	o.PartnerID = partner
	return o
}

func withID(o onboarding.Onboarding, id string) onboarding.Onboarding {
	o.ID = id
	return o
}

// TestInsertOnboardingClash: a used ID, also another partner's, is
// ErrNumberTaken and the transaction goes on with another ID.
func TestInsertOnboardingClash(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedBank(t, st)
	insertOnboardings(t, st, newOnboarding("onb-1", 1, "001099000001", epoch))
	err := store.Update(ctx, st, func(tx store.AnyTx) error {
		if err := tx.InsertOnboarding(ctx, newOnboarding("onb-1", 2, "001099000002", epoch)); !errors.Is(err, services.ErrNumberTaken) {
			return errors.Join(errors.New("clash not reported as ErrNumberTaken"), err)
		}
		return tx.InsertOnboarding(ctx, newOnboarding("onb-2", 2, "001099000002", epoch))
	})
	if err != nil {
		t.Fatalf("retry in the same transaction: %v", err)
	}
	if got, err := st.FindOnboarding(ctx, 2, "onb-2"); err != nil || got.IDValue != "001099000002" {
		t.Fatalf("retried package: %+v, %v", got, err)
	}
	if got, err := st.FindOnboarding(ctx, 1, "onb-1"); err != nil || got.IDValue != "001099000001" {
		t.Fatalf("first package: %+v, %v", got, err)
	}
}

func TestFindOpenOnboarding(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedBank(t, st)
	now := epoch.Add(3 * time.Hour)
	pkg := func(id string, partner int64, idValue string, created time.Time, state string) onboarding.Onboarding {
		o := newOnboarding(id, partner, idValue, created)
		o.State = state
		return o
	}
	expiresNow := pkg("onb-expires-now", 1, "003", epoch, onboarding.OnbInitiated)
	expiresNow.ExpiresAt = now
	named := pkg("onb-named", 1, "004", epoch, onboarding.OnbReadyForAuth)
	named.Username = "An.Nguyen"
	insertOnboardings(t, st,
		pkg("onb-old", 1, "001", epoch, onboarding.OnbInitiated),
		pkg("onb-new", 1, "001", epoch.Add(time.Hour), onboarding.OnbDocumentsPending),
		pkg("onb-completed", 1, "001", epoch.Add(2*time.Hour), onboarding.OnbCompleted),
		pkg("onb-rejected", 1, "002", epoch.Add(time.Hour), onboarding.OnbRejected),
		pkg("onb-expired", 1, "002", epoch.Add(2*time.Hour), onboarding.OnbExpired),
		expiresNow, named,
		pkg("onb-other-partner", 2, "005", epoch, onboarding.OnbAuthPending),
	)
	doc := func(v string) onboarding.OnboardingLookup {
		return onboarding.OnboardingLookup{IDType: "CCCD", IDValue: v}
	}
	tests := []struct {
		name    string
		partner int64
		by      onboarding.OnboardingLookup
		want    string // package ID, "" for ErrOnboardingNotFound
	}{
		{"newest open package of the document", 1, doc("001"), "onb-new"},
		{"only final states", 1, doc("002"), ""},
		{"expires now", 1, doc("003"), ""},
		{"another document type", 1, onboarding.OnboardingLookup{IDType: "PASSPORT", IDValue: "001"}, ""},
		{"username in another case", 1, onboarding.OnboardingLookup{Username: "an.NGUYEN"}, "onb-named"},
		{"unknown username", 1, onboarding.OnboardingLookup{Username: "someone"}, ""},
		{"another partner's document", 1, doc("005"), ""},
		{"own document at partner 2", 2, doc("005"), "onb-other-partner"},
		{"empty lookup", 1, onboarding.OnboardingLookup{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.FindOpenOnboarding(ctx, tt.partner, tt.by, now)
			if tt.want == "" {
				if !errors.Is(err, onboarding.ErrOnboardingNotFound) {
					t.Fatalf("got %q, %v; want ErrOnboardingNotFound", got.ID, err)
				}
				return
			}
			if err != nil || got.ID != tt.want {
				t.Fatalf("got %q, %v; want %q", got.ID, err, tt.want)
			}
		})
	}
	// Inside a transaction too.
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		got, err := tx.FindOpenOnboarding(ctx, 1, doc("001"), now)
		if err == nil && got.ID != "onb-new" {
			err = errors.New("in a transaction: got " + got.ID + ", want onb-new")
		}
		return err
	})
}

// image is a picture of a package, passed or not, with a perceptual hash
// whose top bit is set.
func image(o onboarding.Onboarding, kind string, attempt int, passed bool, hash uint64) onboarding.OnboardingImage {
	return onboarding.OnboardingImage{OnboardingID: o.ID, Kind: kind, Attempt: attempt, IDType: o.IDType, IDValue: o.IDValue,
		SHA256: strings.Repeat("ab", 32), Hash: hash, Detail: detailOf(hash), Format: "jpeg", Width: 1280, Height: 800, Bytes: 8, Passed: passed,
		Checks: `[{"name":"FORMAT","passed":true}]`, Data: services.Sealed{KeyID: "k1", Data: []byte{0xFF, 0xD8, 0x00, 0x00, 0x7F, 0x80, 0x00, 0xD9}},
		CreatedAt: epoch.Add(time.Duration(attempt) * time.Minute)}
}

func TestOnboardingImages(t *testing.T) {
	ctx := context.Background()
	st, dsn := openStore(t)
	seedBank(t, st)
	p1 := newOnboarding("onb-1", 1, "001", epoch)
	p2 := newOnboarding("onb-2", 2, "002", epoch)
	insertOnboardings(t, st, p1, p2)
	const top = 0xF0F0F0F0F0F0F0F0
	p1Front2 := image(p1, onboarding.PictureFront, 2, true, top)
	p1Front2.Data = services.Sealed{KeyID: "k2", Data: append(p1Front2.Data.Data, 0x00)} // its own bytes and key
	images := []onboarding.OnboardingImage{
		p1Front2,
		image(p1, onboarding.PicturePortrait, 1, true, 3),
		image(p1, onboarding.PictureFront, 1, false, top+1),
		image(p1, onboarding.PictureBack, 1, true, 0xFFFFFFFFFFFFFFFF),
		image(p2, onboarding.PictureFront, 1, true, top+2),
		image(p2, onboarding.PictureFront, 2, false, top+3),
		image(p2, onboarding.PicturePortrait, 1, true, 4),
	}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		for _, img := range images {
			if err := tx.InsertOnboardingImage(ctx, img); err != nil {
				return err
			}
		}
		return nil
	})
	if err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.InsertOnboardingImage(ctx, images[0]) }); err == nil {
		t.Error("the same package, kind and attempt twice: no error")
	}

	got, err := st.OnboardingImages(ctx, "onb-1")
	if err != nil {
		t.Fatal(err)
	}
	var want []onboarding.OnboardingImage
	for _, i := range []int{3, 2, 0, 1} { // BACK 1, FRONT 1, FRONT 2, PORTRAIT 1
		img := images[i]
		img.Data.Data = nil // the key id only
		want = append(want, img)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("images of onb-1:\n got %+v\nwant %+v", got, want)
	}
	if got, err := st.OnboardingImages(ctx, "onb-9"); err != nil || len(got) != 0 {
		t.Errorf("images of an unknown package: %+v, %v; want none", got, err)
	}
	var data []byte
	db := storetest.Conn(t, dsn)
	err = db.Get(&data, db.Rebind(`SELECT data FROM onboarding_images WHERE onboarding_id = ? AND kind = ? AND attempt = ?`), "onb-1", "FRONT", 2)
	if err != nil || !bytes.Equal(data, p1Front2.Data.Data) {
		t.Errorf("stored data: %x, %v; want %x", data, err, p1Front2.Data.Data)
	}
	pic, err := st.OnboardingPicture(ctx, "onb-1", "FRONT", 2)
	if err != nil || !reflect.DeepEqual(pic, p1Front2) {
		t.Errorf("OnboardingPicture:\n got %+v, %v\nwant %+v", pic, err, p1Front2)
	}
	if _, err := st.OnboardingPicture(ctx, "onb-1", "FRONT", 3); !errors.Is(err, onboarding.ErrOnboardingNotFound) {
		t.Errorf("an unknown picture: %v, want ErrOnboardingNotFound", err)
	}
}

func TestImageHashes(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedBank(t, st)
	p1 := newOnboarding("onb-1", 1, "001", epoch)
	p2 := newOnboarding("onb-2", 2, "002", epoch) // another partner's applicant
	p3 := newOnboarding("onb-3", 1, "001", epoch) // the same person's other package
	p4 := newOnboarding("onb-4", 1, "001", epoch)
	p4.IDType = "PASSPORT" // the same number, another document
	insertOnboardings(t, st, p1, p2, p3, p4)
	const top = 0xF0F0F0F0F0F0F0F0
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		for _, img := range []onboarding.OnboardingImage{
			image(p1, onboarding.PictureFront, 1, true, 1),
			image(p1, onboarding.PicturePortrait, 1, true, 2),
			image(p2, onboarding.PictureFront, 1, true, top),
			image(p2, onboarding.PictureFront, 2, false, top+1),
			image(p2, onboarding.PicturePortrait, 1, true, 1<<63),
			image(p3, onboarding.PictureBack, 1, true, 3),
			image(p4, onboarding.PictureBack, 1, true, 0xFFFFFFFFFFFFFFFF),
		} {
			if err := tx.InsertOnboardingImage(ctx, img); err != nil {
				return err
			}
		}
		return nil
	})
	hash := func(id, kind string, h uint64) onboarding.ImageHash {
		return onboarding.ImageHash{OnboardingID: id, Kind: kind, Hash: h, Detail: detailOf(h)}
	}
	all := []string{onboarding.PictureFront, onboarding.PictureBack, onboarding.PicturePortrait}
	tests := []struct {
		name            string
		kinds           []string
		idType, idValue string
		want            []onboarding.ImageHash
	}{
		{"card sides of other documents", []string{onboarding.PictureFront, onboarding.PictureBack}, "CCCD", "001",
			[]onboarding.ImageHash{hash("onb-2", "FRONT", top), hash("onb-4", "BACK", 0xFFFFFFFFFFFFFFFF)}},
		{"portraits of other documents", []string{onboarding.PicturePortrait}, "CCCD", "001",
			[]onboarding.ImageHash{hash("onb-2", "PORTRAIT", 1<<63)}},
		{"every kind, for another partner's applicant", all, "CCCD", "002",
			[]onboarding.ImageHash{hash("onb-1", "FRONT", 1), hash("onb-1", "PORTRAIT", 2), hash("onb-3", "BACK", 3),
				hash("onb-4", "BACK", 0xFFFFFFFFFFFFFFFF)}},
		{"no kinds", nil, "CCCD", "001", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.ImageHashes(ctx, tt.kinds, tt.idType, tt.idValue)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(got, func(a, b onboarding.ImageHash) int {
				return strings.Compare(a.OnboardingID+a.Kind, b.OnboardingID+b.Kind)
			})
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestImageHashesReadsTheIndexOnly: the search over every partner's
// pictures reads the partial index of passed pictures, never the rows and
// their data.
func TestImageHashesReadsTheIndexOnly(t *testing.T) {
	query := strings.Replace(store.ImageHashesQueryForTest, "IN (?)", "IN (?, ?)", 1)
	checkPlan(t, query, []any{"FRONT", "BACK", "CCCD", "001"}, "USING COVERING INDEX onboarding_images_passed",
		"Index Only Scan using onboarding_images_passed")
}

// TestPicturesToResealUsesItsIndex: the reseal sweep, which runs in every
// server, finds the pictures to seal again through its index, not by
// reading every picture.
func TestPicturesToResealUsesItsIndex(t *testing.T) {
	query := strings.Replace(store.PicturesToResealQueryForTest, "KEY", "< ?", 1) + " LIMIT ?"
	checkPlan(t, query, []any{"k1", 8}, "SEARCH onboarding_images USING INDEX onboarding_images_data_key (data_key_id<?)",
		"Index Cond: (data_key_id < 'k1'::text)")
}

// checkPlan checks that the plan of query names want (SQLite) or
// wantPostgres.
func checkPlan(t *testing.T, query string, args []any, want, wantPostgres string) {
	t.Helper()
	_, dsn := openStore(t)
	db := storetest.Conn(t, dsn)
	explain := "EXPLAIN QUERY PLAN "
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if storetest.IsPostgres() {
		// A new table is too small for the planner to prefer an index.
		if _, err := tx.Exec(`SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off`); err != nil {
			t.Fatal(err)
		}
		explain, want = "EXPLAIN ", wantPostgres
	}
	rows, err := tx.Queryx(tx.Rebind(explain+query), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		cols, err := rows.SliceScan()
		if err != nil {
			t.Fatal(err)
		}
		if len(cols) > 0 {
			plan = append(plan, toString(cols[len(cols)-1]))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), want) {
		t.Errorf("plan:\n%s\nwant %q", strings.Join(plan, "\n"), want)
	}
}

func toString(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	s, _ := v.(string)
	return s
}

// detailOf is a detail hash made from a perceptual hash, every word set.
func detailOf(h uint64) [4]uint64 { return [4]uint64{h, ^h, h >> 1, 0x8000000000000001} }
