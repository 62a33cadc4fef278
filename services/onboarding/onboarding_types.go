package onboarding

import (
	"time"

	"github.com/accountd/accountd/services"
)

// Onboarding states. A package moves INITIATED -> DOCUMENTS_PENDING ->
// READY_FOR_AUTH -> AUTH_PENDING -> COMPLETED, through FATCA_REVIEW when a
// FATCA answer is "yes" and until a declaration is given. REJECTED,
// COMPLETED and EXPIRED are final.
const (
	OnbInitiated        = "INITIATED"
	OnbDocumentsPending = "DOCUMENTS_PENDING"
	OnbFatcaReview      = "FATCA_REVIEW"
	OnbReadyForAuth     = "READY_FOR_AUTH"
	OnbAuthPending      = "AUTH_PENDING"
	OnbCompleted        = "COMPLETED"
	OnbRejected         = "REJECTED"
	OnbExpired          = "EXPIRED"
)

// Picture kinds of an onboarding: the two sides of the identity card and
// the portrait.
const (
	PictureFront    = "FRONT"
	PictureBack     = "BACK"
	PicturePortrait = "PORTRAIT"
)

// FATCA statuses of an onboarding package.
const (
	FatcaNotRequired = "NOT_REQUIRED"        // every answer "no"
	FatcaPending     = "DECLARATION_PENDING" // a "yes", no declaration yet
	FatcaW9          = "W9"                  // a US person: US-reportable
	FatcaW8BEN       = "W8BEN"               // not a US person, self-certified
)

// Onboarding is one eKYC onboarding package of a partner. Applicant holds
// the person's data as given to InitCustomerInfo (JSON), from which the
// customer is created when the package completes; it and the FATCA
// declaration are sealed under a data key.
type Onboarding struct {
	ID        string // 32 hex digits
	PartnerID int64
	KeyID     string
	State     string
	// Applicant is the JSON of the InitCustomerInfo payload, without the
	// FATCA answers, sealed (applicantAD).
	Applicant services.Sealed
	IDType    string // the identity document, to tell applicants apart
	IDValue   string
	Phone     string // E.164
	Username  string
	// Checks is the JSON of the InitCustomerInfo checks ([]EKYCCheck).
	Checks string
	// FatcaAnswers is the JSON of the answers ({questionId: bool}).
	FatcaAnswers string
	FatcaStatus  string
	// FatcaDeclaration is the JSON of the W-9 or W-8BEN given, sealed
	// (declarationAD), or empty.
	FatcaDeclaration services.Sealed
	USReportable     bool
	// AuthRequestID is the OTP operation InitAuthen started last, and
	// AuthSends how many InitAuthen sent.
	AuthRequestID string
	AuthSends     int
	CustomerID    int64 // once COMPLETED
	AccountID     int64 // once COMPLETED
	RejectReason  string
	ExpiresAt     time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// DataRemovedAt is when the retention sweep removed the package's
	// pictures and applicant data; zero while they are kept.
	DataRemovedAt time.Time
}

// OnboardingLookup finds a partner's open package by identity document or
// by username.
type OnboardingLookup struct {
	IDType   string
	IDValue  string
	Username string
}

// OnboardingImage is one uploaded picture of a package: every attempt is
// kept, the failed ones too, until the retention sweep removes the
// pictures of a finished package. Data is the picture as uploaded, sealed
// (pictureAD); reads of a package's pictures leave it out.
type OnboardingImage struct {
	OnboardingID string
	Kind         string // FRONT, BACK or PORTRAIT
	Attempt      int    // 1, 2, ... per kind
	IDType       string // the applicant's document, copied from the package
	IDValue      string
	SHA256       string
	Hash         uint64    // perceptual hash; 0 when the picture did not decode
	Detail       [4]uint64 // 256-bit detail hash (imagecheck.DetailHash)
	Format       string
	Width        int
	Height       int
	Bytes        int
	Passed       bool
	Checks       string // JSON of the checks ([]EKYCCheck)
	Data         services.Sealed
	CreatedAt    time.Time
	// DataRemovedAt is when the retention sweep removed the picture (the
	// row and its hashes stay); zero while it is kept.
	DataRemovedAt time.Time
}

// ImageHash is the perceptual hash of a passed picture of some package.
type ImageHash struct {
	OnboardingID string
	Kind         string
	Hash         uint64
	Detail       [4]uint64
}
