// Package imagecheck checks the pictures of eKYC onboarding (identity card sides and portraits).
package imagecheck

import (
	"crypto/sha256"
	"encoding/hex"
)

// DefaultMaxPixels is the largest picture decoded when Rules.MaxPixels is not
// set: 40 megapixels, more than any phone camera takes.
const DefaultMaxPixels = 40_000_000

// Rules are the thresholds one kind of picture is checked against.
type Rules struct {
	MinBytes, MaxBytes int // encoded size bounds
	// MinWidth x MinHeight is the smallest picture accepted; a picture
	// meets it in either orientation (a 480x640 portrait meets 640x480).
	MinWidth, MinHeight int
	// MaxPixels is the largest width*height decoded; the header is read
	// first, so a decompression bomb is refused before any pixel is
	// allocated. Zero or less means DefaultMaxPixels.
	MaxPixels int
	// MinSharpness is the least variance of the Laplacian of the grey
	// picture scaled to a longer side of 640 pixels (see Report.Sharpness).
	MinSharpness float64
	// MinBrightness and MaxBrightness bound the mean grey level (0-255).
	MinBrightness, MaxBrightness float64
	// MaxGlare is the largest share (0-1) of clipped pixels, grey >= 250.
	MaxGlare float64
}

// CardRules are the rules for a side of an identity card.
//
// MinSharpness 100 is the usual limit for the variance of the Laplacian at
// this working size. The generated pictures in testdata/images sit far from
// it on both sides: the sharp ones measure 650 to 1800, the blurred card 7,
// and the dark card, with a quarter of the contrast, still 166. They test the
// measure, not the limit: it wants checking against real uploads.
// MaxGlare 0.2: a fifth of the card washed out hides at least one printed
// field, while a small highlight that leaves the text readable, or a strip
// of white table around the card, stays under it.
func CardRules() Rules {
	return Rules{
		MinBytes: 34 << 10, MaxBytes: 4 << 20,
		MinWidth: 640, MinHeight: 480,
		MaxPixels:     DefaultMaxPixels,
		MinSharpness:  100,
		MinBrightness: 40, MaxBrightness: 215,
		MaxGlare: 0.2,
	}
}

// PortraitRules are the rules for the applicant's portrait. They are the card
// rules but for a smaller least size (a face compresses better than a
// printed card) and MaxGlare 0.35: the plain light background that portrait
// rules ask for may clip over a large part of a selfie without harming the
// face, and a face washed out by a flash also lifts the mean brightness over
// MaxBrightness.
func PortraitRules() Rules {
	r := CardRules()
	r.MinBytes = 10 << 10
	r.MaxGlare = 0.35
	return r
}

// Formats of the pictures accepted.
const (
	JPEG = "JPEG"
	PNG  = "PNG"
)

// Names of the checks, in the order reported.
const (
	CheckFormat     = "FORMAT"
	CheckFileSize   = "FILE_SIZE"
	CheckResolution = "RESOLUTION"
	CheckSharpness  = "SHARPNESS"
	CheckExposure   = "EXPOSURE"
)

// Problem codes. They are stable: partners and the back office match on them.
const (
	ProblemNotAnImage        = "NOT_AN_IMAGE"       // not a picture, or a damaged or incomplete one
	ProblemUnsupportedFormat = "UNSUPPORTED_FORMAT" // a picture, but neither JPEG nor PNG (GIF, WebP, ...)
	ProblemFormatMismatch    = "FORMAT_MISMATCH"    // declared JPEG but is PNG, or the reverse
	ProblemTooSmallFile      = "TOO_SMALL_FILE"
	ProblemTooLargeFile      = "TOO_LARGE_FILE"
	ProblemLowResolution     = "LOW_RESOLUTION"
	ProblemTooManyPixels     = "TOO_MANY_PIXELS" // refused before decoding
	ProblemBlurry            = "BLURRY"
	ProblemTooDark           = "TOO_DARK"
	ProblemOverexposed       = "OVEREXPOSED"
	ProblemGlare             = "GLARE"
	ProblemNotChecked        = "NOT_CHECKED" // the check needs pixels and the picture was not decoded
)

// Problem is one reason a check failed. Message is for people and holds no
// personal data.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Check is the outcome of one check. Problems is never nil, so that JSON
// shows [] for a passed check.
type Check struct {
	Name     string    `json:"name"`
	Passed   bool      `json:"passed"`
	Problems []Problem `json:"problems"`
}

// Report is what Analyze found out about a picture.
type Report struct {
	SHA256 string // hex of the encoded bytes
	Bytes  int
	// Format is what the bytes are, JPEG or PNG, whatever was declared; ""
	// when they are not a readable JPEG or PNG. A picture refused for
	// TOO_MANY_PIXELS has the format its header tells.
	Format string
	// Width and Height come from the header; 0 when it cannot be read.
	Width, Height int
	// Sharpness is the variance of the Laplacian (4-neighbour kernel) of
	// the grey picture box-scaled to a longer side of 640 pixels (never
	// enlarged); higher is sharper.
	Sharpness  float64
	Brightness float64 // mean grey, 0-255
	Glare      float64 // share (0-1) of pixels with grey >= 250
	Hash       uint64  // perceptual hash (see PHash); valid only when Decoded
	Detail     Detail  // finer difference hash (see DetailHash); valid only when Decoded
	Decoded    bool    // the pixels were decoded and measured
	Checks     []Check // all five, in the order of the Check* names
}

// Passed tells whether every check passed.
func (r Report) Passed() bool {
	for _, c := range r.Checks {
		if !c.Passed {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Analyze checks a picture against the rules. declared is the format the
// sender gave, JPEG or PNG. Analyze never fails and never panics: whatever the
// bytes are, the outcome is in the report's checks. Only JPEG and PNG are
// decoded, and only up to r.MaxPixels.
func Analyze(data []byte, declared string, r Rules) Report {
	sum := sha256.Sum256(data)
	rep := Report{SHA256: hex.EncodeToString(sum[:]), Bytes: len(data)}
	pic := load(data, maxPixels(r))
	rep.Width, rep.Height = pic.width, pic.height
	if pic.readable() {
		rep.Format = pic.kind
	}
	if pic.img != nil {
		m := measure(pic.img)
		rep.Decoded = true
		rep.Sharpness, rep.Brightness, rep.Glare, rep.Hash, rep.Detail = m.sharpness, m.brightness, m.glare, m.hash, m.detail
	}
	rep.Checks = []Check{
		formatCheck(pic, declared),
		sizeCheck(len(data), r),
		resolutionCheck(pic, r),
		sharpnessCheck(rep, r),
		exposureCheck(rep, r),
	}
	return rep
}

func maxPixels(r Rules) int {
	if r.MaxPixels <= 0 {
		return DefaultMaxPixels
	}
	return r.MaxPixels
}
