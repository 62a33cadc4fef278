package imagecheck

import (
	"encoding/json"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

func TestResolutionCheck(t *testing.T) {
	tests := []struct {
		w, h int
		want string // problem codes, "" when it passes
	}{
		{640, 480, ""},
		{480, 640, ""}, // portrait orientation
		{4000, 3000, ""},
		{639, 480, "LOW_RESOLUTION"},
		{640, 479, "LOW_RESOLUTION"},
		{479, 640, "LOW_RESOLUTION"},
		{480, 639, "LOW_RESOLUTION"},
		{8000, 5000, ""}, // exactly 40 megapixels
		{8000, 5001, "TOO_MANY_PIXELS"},
		{1_000_000, 100, "LOW_RESOLUTION TOO_MANY_PIXELS"},
	}
	for _, tt := range tests {
		p := picture{kind: JPEG, header: true, width: tt.w, height: tt.h}
		p.tooManyPixels = tt.w > DefaultMaxPixels/tt.h
		c := resolutionCheck(p, CardRules())
		if got := codes(c); got != tt.want {
			t.Errorf("%dx%d: problems %q, want %q", tt.w, tt.h, got, tt.want)
		}
	}
}

func codes(c Check) string {
	var out []string
	for _, p := range c.Problems {
		out = append(out, p.Code)
	}
	return strings.Join(out, " ")
}

func TestSizeCheck(t *testing.T) {
	card := CardRules()
	tests := []struct {
		n       int
		want    string
		message string
	}{
		{34<<10 - 1, "TOO_SMALL_FILE", "the file is 33 KiB, at least 34 KiB needed"},
		{34 << 10, "", ""},
		{4 << 20, "", ""},
		{4<<20 + 1, "TOO_LARGE_FILE", "the file is 4.00 MiB, at most 4 MiB allowed"},
		{6 << 20, "TOO_LARGE_FILE", "the file is 6 MiB, at most 4 MiB allowed"},
		{0, "TOO_SMALL_FILE", "the file is 0 bytes, at least 34 KiB needed"},
	}
	for _, tt := range tests {
		c := sizeCheck(tt.n, card)
		if got := codes(c); got != tt.want {
			t.Errorf("%d bytes: problems %q, want %q", tt.n, got, tt.want)
		}
		if tt.message != "" && c.Problems[0].Message != tt.message {
			t.Errorf("%d bytes: message %q, want %q", tt.n, c.Problems[0].Message, tt.message)
		}
	}
	if c := sizeCheck(12<<10, PortraitRules()); !c.Passed {
		t.Errorf("a 12 KiB portrait: %v, want passed", c.Problems)
	}
}

func TestExposureAndSharpnessChecks(t *testing.T) {
	r := CardRules()
	tests := []struct {
		name                         string
		sharpness, brightness, glare float64
		want                         string
	}{
		{"good", 500, 140, 0.01, ""},
		{"blurry", 99.9, 140, 0.01, "BLURRY"},
		{"at the limits", 100, 40, 0.2, ""},
		{"dark", 500, 39.9, 0, "TOO_DARK"},
		{"bright", 500, 215.1, 0.1, "OVEREXPOSED"},
		{"glare", 500, 180, 0.21, "GLARE"},
		{"bright with glare", 500, 230, 0.6, "OVEREXPOSED GLARE"},
	}
	for _, tt := range tests {
		rep := Report{Decoded: true, Sharpness: tt.sharpness, Brightness: tt.brightness, Glare: tt.glare}
		got := strings.TrimSpace(codes(sharpnessCheck(rep, r)) + " " + codes(exposureCheck(rep, r)))
		if got != tt.want {
			t.Errorf("%s: problems %q, want %q", tt.name, got, tt.want)
		}
	}
	msg := sharpnessCheck(Report{Decoded: true, Sharpness: 42.4}, r).Problems[0].Message
	if want := "the picture is blurry (sharpness 42, at least 100 needed)"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
}

func TestCheckJSON(t *testing.T) {
	b, err := json.Marshal(newCheck(CheckFormat))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"FORMAT","passed":true,"problems":[]}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}

func TestGreyPlane(t *testing.T) {
	c := color.RGBA{200, 100, 50, 255}
	want := color.GrayModel.Convert(c).(color.Gray).Y
	r := image.Rect(3, 5, 13, 9) // not at the origin
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	y, _, _ := color.RGBToYCbCr(c.R, c.G, c.B)
	for i := range ycc.Y {
		ycc.Y[i] = y
	}
	pictures := map[string]interface {
		image.Image
		Set(x, y int, c color.Color)
	}{"RGBA": image.NewRGBA(r), "NRGBA": image.NewNRGBA(r), "Gray": image.NewGray(r), "CMYK": image.NewCMYK(r), "Paletted": image.NewPaletted(r, color.Palette{c})}
	for name, img := range pictures {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.Set(x, y, c)
			}
		}
		checkGrey(t, name, img, float64(want))
	}
	checkGrey(t, "YCbCr", ycc, float64(y))
	checkGrey(t, "an image with only At", onlyAt{pictures["NRGBA"]}, float64(want))
	checkGrey(t, "YCbCr sub-image", ycc.SubImage(image.Rect(5, 6, 9, 8)), float64(y))
}

// onlyAt hides every method of a picture but those of image.Image.
type onlyAt struct{ image.Image }

func checkGrey(t *testing.T, name string, img image.Image, want float64) {
	t.Helper()
	p := greyPlane(img)
	if p.w != img.Bounds().Dx() || p.h != img.Bounds().Dy() {
		t.Errorf("%s: plane %dx%d, want %v", name, p.w, p.h, img.Bounds().Size())
	}
	if mean, _ := p.stats(); math.Abs(mean-want) > 1 {
		t.Errorf("%s: mean grey %.1f, want %.0f", name, mean, want)
	}
}

func TestLaplacianVariance(t *testing.T) {
	const w, h = 20, 10
	flat, checker := make([]float32, w*h), make([]float32, w*h)
	for i := range flat {
		flat[i] = 128
		if (i%w+i/w)%2 == 0 {
			checker[i] = 255
		}
	}
	if got := laplacianVariance(flat, w, h); got != 0 {
		t.Errorf("flat: %v, want 0", got)
	}
	// Every inner pixel of a checkerboard has a Laplacian of +-4*255.
	if got, want := laplacianVariance(checker, w, h), float64(1020*1020); math.Abs(got-want) > 1e-6*want {
		t.Errorf("checkerboard: %v, want %v", got, want)
	}
	if got := laplacianVariance(checker[:4], 2, 2); got != 0 {
		t.Errorf("2x2: %v, want 0", got)
	}
}

func TestResize(t *testing.T) {
	// A 5x1 row scaled to 2x1: each output covers 2.5 inputs.
	p := plane{pix: []uint8{10, 20, 30, 40, 50}, stride: 5, w: 5, h: 1}
	got := p.resize(2, 1)
	want := []float32{(10 + 20 + 15) / 2.5, (15 + 40 + 50) / 2.5}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-4 {
			t.Errorf("resize: %v, want %v", got, want)
			break
		}
	}
	for _, tt := range []struct{ w, h, ww, wh int }{
		{4000, 3000, 640, 480}, {720, 960, 480, 640}, {1012, 638, 640, 403}, {320, 202, 320, 202}, {10000, 1, 640, 1},
	} {
		if ww, wh := workingSize(tt.w, tt.h); ww != tt.ww || wh != tt.wh {
			t.Errorf("workingSize(%d, %d) = %d, %d; want %d, %d", tt.w, tt.h, ww, wh, tt.ww, tt.wh)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b uint64
		want int
	}{
		{0, 0, 0}, {0, math.MaxUint64, 64}, {1, 3, 1}, {0xf0f0, 0x0f0f, 16},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%x, %x) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if got := PHash(image.NewGray(image.Rect(0, 0, 0, 0))); got != 0 {
		t.Errorf("PHash(empty) = %x, want 0", got)
	}
}
