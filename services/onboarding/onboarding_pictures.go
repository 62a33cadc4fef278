package onboarding

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/accountd/accountd/services"

	"github.com/accountd/accountd/services/imagecheck"
)

// UploadIDCardInput is OnboardingService.UploadIDCard's payload: one side
// of the identity card, Base64, as JPEG or PNG. Format may be left out when
// the image is a data URL (data:image/jpeg;base64,...).
type UploadIDCardInput struct {
	OnboardingID string `json:"onboardingId" size:"id"`
	Side         string `json:"side" size:"code"`
	Format       string `json:"format" size:"code"`
	Image        string `json:"image" size:"picture"`
}

// UploadPortraitInput is OnboardingService.UploadPortrait's payload.
type UploadPortraitInput struct {
	OnboardingID string `json:"onboardingId" size:"id"`
	Format       string `json:"format" size:"code"`
	Image        string `json:"image" size:"picture"`
}

// PictureAccepted is what a passed upload returns: the picture's checks
// and SHA-256, and the package's state and what it still misses.
type PictureAccepted struct {
	OnboardingID string               `json:"onboardingId"`
	Kind         string               `json:"kind"`
	Upload       int                  `json:"upload"`
	SHA256       string               `json:"sha256"`
	Checks       []services.EKYCCheck `json:"checks"`
	State        string               `json:"state"`
	Missing      []string             `json:"missing"`
}

func (r PictureAccepted) AuditEntities() map[string]string {
	return map[string]string{"onboardingId": r.OnboardingID, "picture": r.Kind, "sha256": r.SHA256, "state": r.State}
}

// CheckUnique is the picture check that it is not another picture of the
// package or of another applicant.
const CheckUnique = "UNIQUE"

// Problem codes of the UNIQUE check.
const (
	ProblemSameAsOtherSide = "SAME_AS_OTHER_SIDE"
	ProblemSameAsCard      = "SAME_AS_CARD"
	ProblemSameAsPortrait  = "SAME_AS_PORTRAIT"
	ProblemUsedByOther     = "USED_BY_ANOTHER_APPLICANT"
	ProblemNotChecked      = "NOT_CHECKED"
)

// UploadIDCard takes one side of the applicant's identity card and checks
// it; a failed picture is refused with every check and may be uploaded
// again until the package's retries are used up.
func (s *Service) UploadIDCard(ctx context.Context, call services.Call, in UploadIDCardInput) (PictureAccepted, error) {
	var ck checker
	ck.checkOnboardingID(in.OnboardingID)
	side := ck.CheckEnum("side", strings.ToUpper(strings.TrimSpace(in.Side)), true, PictureFront, PictureBack)
	format, data := ck.checkPicture(in.Format, in.Image)
	if err := ck.Err(); err != nil {
		return PictureAccepted{}, fmt.Errorf("upload id card: %w", err)
	}
	res, err := s.uploadPicture(ctx, call, in, in.OnboardingID, side, format, data)
	if err != nil {
		return PictureAccepted{}, fmt.Errorf("upload id card: %w", err)
	}
	return res, nil
}

// UploadPortrait takes the applicant's portrait and checks it, as
// UploadIDCard does a card side.
func (s *Service) UploadPortrait(ctx context.Context, call services.Call, in UploadPortraitInput) (PictureAccepted, error) {
	var ck checker
	ck.checkOnboardingID(in.OnboardingID)
	format, data := ck.checkPicture(in.Format, in.Image)
	if err := ck.Err(); err != nil {
		return PictureAccepted{}, fmt.Errorf("upload portrait: %w", err)
	}
	res, err := s.uploadPicture(ctx, call, in, in.OnboardingID, PicturePortrait, format, data)
	if err != nil {
		return PictureAccepted{}, fmt.Errorf("upload portrait: %w", err)
	}
	return res, nil
}

// pictureFormats maps the declared formats, and data-URL media types, to
// imagecheck's formats.
var pictureFormats = map[string]string{"JPEG": imagecheck.JPEG, "JPG": imagecheck.JPEG, "PNG": imagecheck.PNG,
	"IMAGE/JPEG": imagecheck.JPEG, "IMAGE/JPG": imagecheck.JPEG, "IMAGE/PNG": imagecheck.PNG}

// checkPicture reads the declared format and decodes the Base64 image,
// which may be a data URL; a media type in the URL must agree with format.
func (ck *checker) checkPicture(format, image string) (string, []byte) {
	declared := pictureFormats[strings.ToUpper(strings.TrimSpace(format))]
	if format != "" && declared == "" {
		ck.Add("format", services.ReasonInvalidValue, "must be JPEG or PNG")
	}
	if !ck.Required("image", image) {
		return "", nil
	}
	if rest, ok := strings.CutPrefix(image, "data:"); ok {
		media, payload, found := strings.Cut(rest, ",")
		mt, isBase64 := strings.CutSuffix(media, ";base64")
		urlFormat := pictureFormats[strings.ToUpper(mt)]
		switch {
		case !found || !isBase64:
			ck.Add("image", services.ReasonInvalidFormat, "a data URL must be data:image/jpeg;base64,... or data:image/png;base64,...")
			return "", nil
		case urlFormat == "":
			ck.Add("image", services.ReasonInvalidValue, "the data URL's media type must be image/jpeg or image/png")
		case declared != "" && urlFormat != declared:
			ck.Add("format", services.ReasonConflict, "differs from the data URL's media type")
		default:
			declared = urlFormat
		}
		image = payload
	}
	if declared == "" && format == "" {
		ck.Add("format", services.ReasonRequired, "is required (JPEG or PNG) unless the image is a data URL")
	}
	data, err := base64.StdEncoding.DecodeString(image)
	if err != nil {
		data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(image, "="))
	}
	if err != nil {
		ck.Add("image", services.ReasonInvalidFormat, "must be Base64 (standard alphabet)")
		return "", nil
	}
	return declared, data
}

// uploadPicture checks a picture and stores it as the next upload of its
// kind. The picture's own checks run before the transaction; whether it
// repeats another picture of the package or another applicant's is checked
// inside it.
func (s *Service) uploadPicture(ctx context.Context, call services.Call, input any, id, kind, format string, data []byte) (PictureAccepted, error) {
	rules := s.settings.CardRules
	if kind == PicturePortrait {
		rules = s.settings.PortraitRules
	}
	report := imagecheck.Analyze(data, format, rules)
	// Sealed here, not in the transaction: a large picture takes
	// milliseconds, which SQLite's one writer should not wait for.
	sealed, err := s.vault.Seal(keptPicture(data, rules), services.PictureAD(id, kind, report.SHA256))
	if err != nil {
		return PictureAccepted{}, err
	}
	return services.Idempotent(ctx, s.k, call, input, func(tx Tx) (PictureAccepted, error) {
		o, err := s.liveOnboarding(ctx, tx, call, id, OnbInitiated, OnbDocumentsPending, OnbFatcaReview, OnbReadyForAuth)
		if err != nil {
			return PictureAccepted{}, err
		}
		images, err := tx.OnboardingImages(ctx, o.ID)
		if err != nil {
			return PictureAccepted{}, err
		}
		unique, err := s.uniqueCheck(ctx, tx, o, kind, report, images)
		if err != nil {
			return PictureAccepted{}, err
		}
		checks := append(pictureChecks(report), unique)
		now := s.k.Clock.Now()
		img := OnboardingImage{OnboardingID: o.ID, Kind: kind, Attempt: 1, IDType: o.IDType, IDValue: o.IDValue,
			SHA256: report.SHA256, Hash: report.Hash, Detail: report.Detail, Format: report.Format, Width: report.Width, Height: report.Height,
			Bytes: report.Bytes, Passed: report.Passed() && unique.Passed, Checks: encodeJSON(checks), Data: sealed, CreatedAt: now}
		for _, prev := range images {
			if prev.Kind == kind {
				img.Attempt = prev.Attempt + 1
			}
		}
		if err := tx.InsertOnboardingImage(ctx, img); err != nil {
			return PictureAccepted{}, err
		}
		images = append(images, img)
		pics, err := s.pictureStates(images)
		if err != nil {
			return PictureAccepted{}, err
		}
		o.UpdatedAt = now
		o.State = documentState(o, pics)
		left := pics[slices.IndexFunc(pics, func(p PictureState) bool { return p.Kind == kind })].UploadsLeft
		if !img.Passed && left == 0 {
			o.State, o.RejectReason = OnbRejected, "the "+pictureNames[kind]+" picture failed too often"
		}
		if err := tx.UpdateOnboarding(ctx, o); err != nil {
			return PictureAccepted{}, err
		}
		if !img.Passed {
			return PictureAccepted{}, services.KeepWrites(&services.Refusal{Err: ErrPictureRejected, Checks: checks, AttemptsLeft: &left,
				OnboardingID: o.ID, State: o.State, Detail: pictureRefusal(checks, left)})
		}
		return PictureAccepted{OnboardingID: o.ID, Kind: kind, Upload: img.Attempt, SHA256: img.SHA256, Checks: checks,
			State: o.State, Missing: missingSteps(o, pics)}, nil
	})
}

// keptPicture is what is stored of a picture: all of it, unless it is
// larger than the rules allow (the FILE_SIZE check fails), when its SHA-256
// and size are kept without its bytes, so that a refused upload stores no
// more than a bounded record.
func keptPicture(data []byte, rules imagecheck.Rules) []byte {
	if len(data) > rules.MaxBytes {
		return nil
	}
	return data
}

// pictureRefusal sums up why a picture was refused.
func pictureRefusal(checks []services.EKYCCheck, left int) string {
	var codes []string
	for _, c := range checks {
		for _, p := range c.Problems {
			if p.Code != ProblemNotChecked {
				codes = append(codes, p.Code)
			}
		}
	}
	msg := "the picture failed: " + strings.Join(codes, ", ")
	if left == 0 {
		return msg + "; no uploads are left and the package is REJECTED"
	}
	return msg + fmt.Sprintf("; %d more upload(s) of this picture allowed", left)
}

// pictureChecks turns imagecheck's checks into the API's.
func pictureChecks(r imagecheck.Report) []services.EKYCCheck {
	out := make([]services.EKYCCheck, 0, len(r.Checks)+1)
	for _, c := range r.Checks {
		e := services.EKYCCheck{Name: c.Name, Passed: c.Passed, Problems: make([]services.Problem, 0, len(c.Problems))}
		for _, p := range c.Problems {
			e.Problems = append(e.Problems, services.Problem{Code: p.Code, Message: p.Message})
		}
		out = append(out, e)
	}
	return out
}

// uniqueCheck compares a picture's perceptual hash with the package's other
// pictures (the other card side, the portrait against the card) and with
// the passed pictures of every other applicant, bank-wide.
func (s *Service) uniqueCheck(ctx context.Context, tx Tx, o Onboarding, kind string, r imagecheck.Report, images []OnboardingImage) (services.EKYCCheck, error) {
	c := services.EKYCCheck{Name: CheckUnique, Problems: []services.Problem{}}
	if !r.Decoded {
		c.Problems = append(c.Problems, services.Problem{Code: ProblemNotChecked, Message: "could not be checked: the picture does not decode"})
		return c, nil
	}
	same := func(h uint64, d [4]uint64) bool {
		return imagecheck.Same(h, r.Hash, d, r.Detail, s.settings.HashDistance)
	}
	seen := map[string]bool{}
	for _, img := range latestPassed(images) {
		if img.Kind == kind || !same(img.Hash, img.Detail) {
			continue
		}
		code, msg := ProblemSameAsCard, "the portrait is the same picture as the card's "+strings.ToLower(img.Kind)+" side"
		switch {
		case kind != PicturePortrait && img.Kind != PicturePortrait:
			code, msg = ProblemSameAsOtherSide, "the same picture is used for both sides of the card"
		case kind != PicturePortrait:
			code, msg = ProblemSameAsPortrait, "the card side is the same picture as the portrait"
		}
		if !seen[code] {
			seen[code] = true
			c.Problems = append(c.Problems, services.Problem{Code: code, Message: msg})
		}
	}
	others, err := tx.ImageHashes(ctx, pictureKinds, o.IDType, o.IDValue)
	if err != nil {
		return services.EKYCCheck{}, err
	}
	for _, h := range others {
		if same(h.Hash, h.Detail) {
			c.Problems = append(c.Problems, services.Problem{Code: ProblemUsedByOther,
				Message: "the picture was already used in another applicant's onboarding"})
			break
		}
	}
	c.Passed = len(c.Problems) == 0
	return c, nil
}

// latestPassed returns, per kind, the latest upload when it passed.
func latestPassed(images []OnboardingImage) []OnboardingImage {
	latest := map[string]OnboardingImage{}
	for _, img := range images {
		if prev, ok := latest[img.Kind]; !ok || img.Attempt > prev.Attempt {
			latest[img.Kind] = img
		}
	}
	var out []OnboardingImage
	for _, kind := range pictureKinds {
		if img, ok := latest[kind]; ok && img.Passed {
			out = append(out, img)
		}
	}
	return out
}
