package onboarding_test

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// person is applicant A's data for another person: name, birth date,
// gender, CCCD number (which must agree with the birth date and gender),
// phone and username.
func person(first, dob, gender, cccd, phone, username string) onboarding.InitCustomerInfoInput {
	in := banktest.ApplicantA()
	in.FirstName, in.DOB, in.Gender, in.Username = first, dob, gender, username
	in.Identification.Number = cccd
	in.Contact = customer.Contact{PhoneNumber: phone}
	return in
}

// tooYoung is a 12-year-old: InitCustomerInfo keeps the package REJECTED.
func tooYoung() onboarding.InitCustomerInfoInput {
	return person("Gia", "20140101", "MALE", "001214000333", "0911000333", "gia.young")
}

// rejectedPackage opens a package whose checks fail and returns its ID.
func rejectedPackage(t *testing.T, e *banktest.Env, in onboarding.InitCustomerInfoInput) string {
	t.Helper()
	_, err := e.Bank.Onboarding.InitCustomerInfo(context.Background(), banktest.With(e.Alpha, "OnboardingService.InitCustomerInfo", ""), in)
	r := banktest.Refusal(err)
	if r == nil || r.State != onboarding.OnbRejected {
		t.Fatalf("init: %v, want a REJECTED package", err)
	}
	return r.OnboardingID
}

// removedPackages lists the packages whose data the sweep removed, sorted.
func removedPackages(t *testing.T, e *banktest.Env) []string {
	t.Helper()
	db := storetest.Conn(t, e.Path)
	var ids []string
	if err := db.Select(&ids, `SELECT id FROM onboardings WHERE data_removed_at IS NOT NULL ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return ids
}

// retentionAudit returns the SHA-256 in each picture-removal audit row,
// by onboarding ID.
func retentionAudit(t *testing.T, e *banktest.Env) map[string][]string {
	t.Helper()
	storetest.Sealed(t, e.Store)
	db := storetest.Conn(t, e.Path)
	var rows []string
	if err := db.Select(&rows, db.Rebind(`SELECT entities FROM audit_log WHERE method = ? ORDER BY seq`), "system.PictureRetention"); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		var ent map[string]string
		if err := json.Unmarshal([]byte(r), &ent); err != nil {
			t.Fatal(err)
		}
		out[ent["onboardingId"]] = append(out[ent["onboardingId"]], ent["sha256"])
	}
	return out
}

// TestOnboardingRetention moves the clock through the retention periods:
// each sweep removes exactly the pictures and applicant data due, keeps
// the pictures' rows and hashes, records each removed picture's SHA-256 in
// the audit trail, and leaves open packages and the packages of customers
// who still have an open account alone.
func TestOnboardingRetention(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t, withKeys(testKeys("k1")))
	t0 := e.Clock.Now()

	completedOpen := e.InitOnboarding(t, e.Alpha, banktest.ApplicantA()).OnboardingID
	e.UploadAll(t, e.Alpha, completedOpen, "a")
	e.Authenticate(t, e.Alpha, &banktest.CaptureSender{}, completedOpen)
	in := banktest.ApplicantB()
	in.FatcaAnswers = banktest.Answers(onboarding.FatcaUSBirthplace)
	completedClosed := e.InitOnboarding(t, e.Alpha, in).OnboardingID
	w := w8ben(completedClosed)
	w.SignedBy = "Binh Tran"
	if _, err := e.Bank.Onboarding.SubmitFatcaDeclaration(ctx, e.Alpha, w); err != nil {
		t.Fatal(err)
	}
	e.UploadAll(t, e.Alpha, completedClosed, "b")
	e.Authenticate(t, e.Alpha, &banktest.CaptureSender{}, completedClosed)
	lazyExpired := e.InitOnboarding(t, e.Alpha, banktest.ApplicantC()).OnboardingID
	e.MustUpload(t, e.Alpha, lazyExpired, onboarding.PictureFront, "card-front-c.jpg")
	markedExpired := e.InitOnboarding(t, e.Alpha, person("Dung", "19920304", "MALE", "001092000111", "0911000111", "dung.pham")).OnboardingID
	rejectedPictures := e.InitOnboarding(t, e.Alpha, person("Em", "19880607", "FEMALE", "079188000222", "0911000222", "em.vo.thi")).OnboardingID
	for range 3 {
		if _, err := e.Upload(e.Alpha, rejectedPictures, onboarding.PictureFront, "card-front-a-blurred.jpg"); !banktest.IsErr(err, onboarding.ErrPictureRejected) {
			t.Fatalf("blurred picture: %v", err)
		}
	}
	rejectedInfo := rejectedPackage(t, e, tooYoung())

	e.Clock.Add(25 * time.Hour) // markedExpired is found expired by a call; lazyExpired by none
	if _, err := e.Upload(e.Alpha, markedExpired, onboarding.PictureFront, "card-front-a.jpg"); !banktest.IsErr(err, onboarding.ErrOnboardingExpired) {
		t.Fatalf("upload after expiry: %v", err)
	}
	var open string
	closeAccount := func(at time.Time) {
		storetest.Exec(t, e.Path, `UPDATE accounts SET status = 'CLOSED', updated_at = ?
			WHERE id = (SELECT account_id FROM onboardings WHERE id = ?)`, at.UnixMilli(), completedClosed)
	}
	day := 24 * time.Hour
	steps := []struct {
		name    string
		at      time.Time
		before  func()
		want    onboarding.RetentionReport
		removed []string // every package removed so far
	}{
		{"a day after expiry", t0.Add(25 * time.Hour), nil, onboarding.RetentionReport{}, nil},
		{"just before 30 days after the rejections", t0.Add(30*day - time.Minute), nil, onboarding.RetentionReport{}, nil},
		{"30 days after the rejections", t0.Add(30*day + time.Minute), nil,
			onboarding.RetentionReport{Packages: 2, Pictures: 3}, []string{rejectedPictures, rejectedInfo}},
		{"30 days after the expiries", t0.Add(31*day + time.Hour), func() {
			open = e.InitOnboarding(t, e.Alpha, person("Giang", "19930101", "FEMALE", "001193000444", "0911000444", "giang.do")).OnboardingID
			if _, err := e.Upload(e.Alpha, open, onboarding.PictureFront, "card-tiny.jpg"); !banktest.IsErr(err, onboarding.ErrPictureRejected) {
				t.Fatalf("tiny picture: %v", err)
			}
		}, onboarding.RetentionReport{Packages: 2, Pictures: 1, Expired: 1},
			[]string{rejectedPictures, rejectedInfo, lazyExpired, markedExpired}},
		{"the account closed, 5 years less an hour after", t0.Add(40*day + onboarding.DefaultCompletedPictureRetention - time.Hour),
			func() { closeAccount(t0.Add(40 * day)) }, onboarding.RetentionReport{Packages: 1, Pictures: 1, Expired: 1},
			[]string{rejectedPictures, rejectedInfo, lazyExpired, markedExpired, "open"}},
		{"5 years after the account closed", t0.Add(40*day + onboarding.DefaultCompletedPictureRetention + time.Hour), nil,
			onboarding.RetentionReport{Packages: 1, Pictures: 3},
			[]string{rejectedPictures, rejectedInfo, lazyExpired, markedExpired, "open", completedClosed}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			e.Clock.Add(step.at.Sub(e.Clock.Now()))
			if step.before != nil {
				step.before()
			}
			rep, err := e.Bank.Onboarding.SweepOnboardingData(ctx)
			if err != nil || rep != step.want {
				t.Fatalf("sweep: %+v, %v; want %+v", rep, err, step.want)
			}
			want := slices.Clone(step.removed)
			for i, id := range want {
				if id == "open" {
					want[i] = open
				}
			}
			sort.Strings(want)
			if got := removedPackages(t, e); !slices.Equal(got, want) {
				t.Fatalf("removed packages %v, want %v", got, want)
			}
			if again, err := e.Bank.Onboarding.SweepOnboardingData(ctx); err != nil || again != (onboarding.RetentionReport{}) {
				t.Errorf("second sweep: %+v, %v; want nothing", again, err)
			}
		})
	}
	checkRemoved(t, e, map[string]bool{rejectedPictures: true, rejectedInfo: true, lazyExpired: true, markedExpired: true,
		open: true, completedClosed: true, completedOpen: false})
	if got := e.Status(t, e.Alpha, lazyExpired); got.State != onboarding.OnbExpired {
		t.Errorf("the package expired without a call is %s, want EXPIRED", got.State)
	}
	if raw := readRawPackage(t, e, completedClosed); raw.Declaration == "" || raw.DeclarationKey != "k1" {
		t.Errorf("the completed package's FATCA declaration was removed")
	}
	if rep, err := services.VerifyAudit(ctx, e.Store); err != nil || !rep.OK() {
		t.Errorf("audit chain: %+v, %v", rep, err)
	}
}

// checkRemoved checks each package's pictures and applicant data: removed
// (pictures empty, their rows, hashes and checks kept, each SHA-256 in the
// audit trail once) or kept (and still readable).
func checkRemoved(t *testing.T, e *banktest.Env, packages map[string]bool) {
	t.Helper()
	ctx := context.Background()
	audit := retentionAudit(t, e)
	for id, removed := range packages {
		images, err := e.Store.OnboardingImages(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var shas []string
		for _, img := range images {
			pic := readRawPicture(t, e, id, img.Kind, img.Attempt)
			shas = append(shas, img.SHA256)
			switch {
			case removed && (len(pic.Data) != 0 || pic.KeyID != "" || img.DataRemovedAt.IsZero() || len(pic.SHA256) != 64 || img.Checks == ""):
				t.Errorf("%s %s/%d: %d bytes under %q, removed at %v, sha256 %q; want removed, hashes kept",
					id, img.Kind, img.Attempt, len(pic.Data), pic.KeyID, img.DataRemovedAt, pic.SHA256)
			case !removed && len(pic.Data) == 0:
				t.Errorf("%s %s/%d removed, want kept", id, img.Kind, img.Attempt)
			}
		}
		raw := readRawPackage(t, e, id)
		if removed != (raw.Applicant == "" && raw.DataRemovedAtSet) {
			t.Errorf("%s: applicant data of %d bytes, removed %v; want removed %v", id, len(raw.Applicant), raw.DataRemovedAtSet, removed)
		}
		got := audit[id]
		if !removed {
			shas = nil
		}
		sort.Strings(got)
		sort.Strings(shas)
		if !slices.Equal(got, shas) {
			t.Errorf("%s: audit rows with SHA-256 %v, want %v", id, got, shas)
		}
	}
}

// TestOnboardingRetentionTwoReplicas runs the retention sweep from two
// services on two connection pools at once (on PostgreSQL, concurrent
// transactions that skip each other's rows): every package's data is
// removed once, with one audit row per picture.
func TestOnboardingRetentionTwoReplicas(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	const n = 120 // more than two batches
	for i := range n {
		id := rejectedPackage(t, e, tooYoung())
		err := services.Update(ctx, e.Store, func(tx onboarding.Tx) error {
			return tx.InsertOnboardingImage(ctx, onboarding.OnboardingImage{OnboardingID: id, Kind: onboarding.PictureFront, Attempt: 1,
				IDType: "CCCD", IDValue: "001214000333", SHA256: sha(i), Format: "jpeg", Checks: "[]",
				Data: services.Sealed{Data: []byte("a picture in clear")}, CreatedAt: e.Clock.Now()})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	e.Clock.Add(31 * 24 * time.Hour)
	other, err := store.Open(ctx, storetest.Driver(), e.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	replicas := []*bank.Bank{e.Bank, bank.New(other, bank.Settings{InstitutionID: "101115399"}, bank.WithClock(e.Clock))}
	reports := make([]onboarding.RetentionReport, len(replicas))
	var wg sync.WaitGroup
	for i, svc := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if reports[i], err = svc.Onboarding.SweepOnboardingData(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if p, pics := reports[0].Packages+reports[1].Packages, reports[0].Pictures+reports[1].Pictures; p != n || pics != n {
		t.Fatalf("reports %+v: %d packages and %d pictures, want %d each", reports, p, pics, n)
	}
	if got := len(removedPackages(t, e)); got != n {
		t.Fatalf("%d packages removed, want %d", got, n)
	}
	for method, want := range map[string]int{"system.PictureRetention": n, "system.OnboardingDataRetention": n} {
		if got := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM audit_log WHERE method = ?`, method); got != want {
			t.Errorf("%d %s audit rows, want %d", got, method, want)
		}
	}
	if got := storetest.Count(t, e.Path, `SELECT COUNT(DISTINCT entities) FROM audit_log WHERE method = 'system.PictureRetention'`); got != n {
		t.Errorf("%d distinct picture audit rows, want %d", got, n)
	}
	if rep, err := services.VerifyAudit(ctx, e.Store); err != nil || !rep.OK() {
		t.Fatalf("audit chain: %+v %v", rep, err)
	}
}

// sha is a distinct stand-in SHA-256 for picture i.
func sha(i int) string {
	const hex = "0123456789abcdef"
	b := []byte("0000000000000000000000000000000000000000000000000000000000000000")
	for j := 0; i > 0; j++ {
		b[63-j] = hex[i%16]
		i /= 16
	}
	return string(b)
}
