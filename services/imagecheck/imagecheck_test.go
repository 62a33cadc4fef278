package imagecheck

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func readPicture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(picturesDir, name))
	if err != nil {
		t.Fatalf("read %s: %v (go test ./services/imagecheck -run TestPictures -update writes it)", name, err)
	}
	return data
}

// failures lists the failed checks of a report as "CHECK:CODE" words, in
// report order, "" when every check passed. It also checks the report's
// shape: five checks in order, Problems never nil, Passed consistent.
func failures(t *testing.T, rep Report) string {
	t.Helper()
	var names, got []string
	for _, c := range rep.Checks {
		names = append(names, c.Name)
		if c.Problems == nil {
			t.Errorf("check %s: Problems is nil, want an empty slice", c.Name)
		}
		if c.Passed != (len(c.Problems) == 0) {
			t.Errorf("check %s: Passed = %v with %d problems", c.Name, c.Passed, len(c.Problems))
		}
		for _, p := range c.Problems {
			got = append(got, c.Name+":"+p.Code)
			if p.Message == "" {
				t.Errorf("check %s, problem %s: empty message", c.Name, p.Code)
			}
		}
	}
	want := []string{CheckFormat, CheckFileSize, CheckResolution, CheckSharpness, CheckExposure}
	if !slices.Equal(names, want) {
		t.Errorf("checks = %v, want %v", names, want)
	}
	if rep.Passed() != (len(got) == 0) {
		t.Errorf("Passed() = %v with failures %v", rep.Passed(), got)
	}
	return strings.Join(got, " ")
}

func TestAnalyzePictures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		rules  Rules
		format string
		want   string // failed checks and codes, "" for none
	}{
		{file: "card-front-a.jpg", rules: CardRules(), format: JPEG},
		{file: "card-back-a.png", rules: CardRules(), format: PNG},
		{file: "portrait-a.jpg", rules: PortraitRules(), format: JPEG},
		{file: "card-front-b.jpg", rules: CardRules(), format: JPEG},
		{file: "card-back-b.png", rules: CardRules(), format: PNG},
		{file: "portrait-b.jpg", rules: PortraitRules(), format: JPEG},
		{file: "card-front-c.jpg", rules: CardRules(), format: JPEG},
		{file: "card-back-c.png", rules: CardRules(), format: PNG},
		{file: "portrait-c.jpg", rules: PortraitRules(), format: JPEG},
		{file: "portrait-a-copy.jpg", rules: PortraitRules(), format: JPEG},
		{file: "card-front-a-blurred.jpg", rules: CardRules(), format: JPEG, want: "SHARPNESS:BLURRY"},
		// Washed out, the card loses its detail too.
		{file: "card-front-a-overexposed.jpg", rules: CardRules(), format: JPEG, want: "SHARPNESS:BLURRY EXPOSURE:OVEREXPOSED EXPOSURE:GLARE"},
		{file: "card-front-a-dark.jpg", rules: CardRules(), format: JPEG, want: "EXPOSURE:TOO_DARK"},
		{file: "card-tiny.jpg", rules: CardRules(), format: JPEG, want: "FILE_SIZE:TOO_SMALL_FILE RESOLUTION:LOW_RESOLUTION"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readPicture(t, tt.file)
			rep := Analyze(data, tt.format, tt.rules)
			if got := failures(t, rep); got != tt.want {
				t.Errorf("failures = %q, want %q\nsharpness %.1f, brightness %.1f, glare %.4f",
					got, tt.want, rep.Sharpness, rep.Brightness, rep.Glare)
			}
			if !rep.Decoded || rep.Format != tt.format || rep.Bytes != len(data) || len(rep.SHA256) != 64 {
				t.Errorf("Decoded %v, Format %q, Bytes %d, SHA256 %q; want decoded %s of %d bytes",
					rep.Decoded, rep.Format, rep.Bytes, rep.SHA256, tt.format, len(data))
			}
		})
	}
}

// honest are the pictures of the three honest applicants: all different.
var honest = []string{
	"card-front-a.jpg", "card-back-a.png", "portrait-a.jpg",
	"card-front-b.jpg", "card-back-b.png", "portrait-b.jpg",
	"card-front-c.jpg", "card-back-c.png", "portrait-c.jpg",
}

func TestDistances(t *testing.T) {
	t.Parallel()
	hashes := map[string]uint64{}
	hash := func(name string) uint64 {
		if h, ok := hashes[name]; ok {
			return h
		}
		rep := Analyze(readPicture(t, name), JPEG, CardRules())
		if !rep.Decoded {
			t.Fatalf("%s did not decode", name)
		}
		hashes[name] = rep.Hash
		return rep.Hash
	}
	for i, a := range honest {
		for _, b := range honest[i+1:] {
			if d := Distance(hash(a), hash(b)); d <= 20 {
				t.Errorf("distance(%s, %s) = %d, want > 20 (different pictures)", a, b, d)
			}
		}
	}
	same := []struct {
		a, b string
		max  int
	}{
		{"portrait-a.jpg", "portrait-a-copy.jpg", 6},
		{"card-front-a.jpg", "card-front-a-blurred.jpg", 6},
		{"card-front-a.jpg", "card-front-a-dark.jpg", 6},
		{"card-front-a.jpg", "card-tiny.jpg", 6},
		// The glare hides a part of the card, yet it is recognised.
		{"card-front-a.jpg", "card-front-a-overexposed.jpg", 10},
	}
	for _, s := range same {
		if d := Distance(hash(s.a), hash(s.b)); d > s.max {
			t.Errorf("distance(%s, %s) = %d, want <= %d (same picture)", s.a, s.b, d, s.max)
		}
	}
	// The pictures that pass are told apart, or recognised, by Same too.
	detailOf := map[string]Detail{}
	details := func(name string) (uint64, Detail) {
		if _, ok := detailOf[name]; !ok {
			rep := Analyze(readPicture(t, name), JPEG, CardRules())
			detailOf[name] = rep.Detail
		}
		return hash(name), detailOf[name]
	}
	for i, a := range honest {
		for _, b := range honest[i+1:] {
			ha, da := details(a)
			hb, db := details(b)
			if Same(ha, hb, da, db, 32) {
				t.Errorf("%s and %s count as the same picture", a, b)
			}
		}
	}
	for _, s := range same[:4] {
		ha, da := details(s.a)
		hb, db := details(s.b)
		if !Same(ha, hb, da, db, 10) {
			t.Errorf("%s and %s do not count as the same picture (detail %d bits apart)", s.a, s.b, DetailDistance(da, db))
		}
	}
	a, b := readPicture(t, "portrait-a.jpg"), readPicture(t, "portrait-a-copy.jpg")
	if Analyze(a, JPEG, PortraitRules()).SHA256 == Analyze(b, JPEG, PortraitRules()).SHA256 {
		t.Error("portrait-a-copy.jpg has the SHA-256 of portrait-a.jpg, want a different file")
	}
}

// pngHeader is a PNG signature, an IHDR chunk for a w x h RGB picture and
// IEND: a header with no pixels.
func pngHeader(w, h uint32) []byte {
	chunk := func(kind string, data []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(append(out, kind...), data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB, no interlace
	out := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr)...)
	return append(out, chunk("IEND", nil)...)
}

func gifPicture(t *testing.T) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, 640, 480), palette.Plan9)
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAnalyzeBadInput(t *testing.T) {
	t.Parallel()
	front := readPicture(t, "card-front-a.jpg")
	noise := make([]byte, 50_000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(rng.UintN(256))
	}
	const unread = "RESOLUTION:NOT_CHECKED SHARPNESS:NOT_CHECKED EXPOSURE:NOT_CHECKED"
	tests := []struct {
		name       string
		data       []byte
		declared   string
		want       string
		wantFormat string
	}{
		{"PNG declared JPEG", readPicture(t, "card-back-a.png"), JPEG, "FORMAT:FORMAT_MISMATCH", PNG},
		{"JPEG declared PNG", front, PNG, "FORMAT:FORMAT_MISMATCH", JPEG},
		{"random bytes", noise, JPEG, "FORMAT:NOT_AN_IMAGE " + unread, ""},
		{"empty", nil, JPEG, "FORMAT:NOT_AN_IMAGE FILE_SIZE:TOO_SMALL_FILE " + unread, ""},
		{"JPEG magic only", []byte("\xff\xd8\xff"), JPEG, "FORMAT:NOT_AN_IMAGE FILE_SIZE:TOO_SMALL_FILE " + unread, ""},
		// The header still tells the size, so RESOLUTION is checked.
		{"truncated JPEG", front[:len(front)/2], JPEG, "FORMAT:NOT_AN_IMAGE SHARPNESS:NOT_CHECKED EXPOSURE:NOT_CHECKED", ""},
		{"JPEG cut in its header", front[:100], JPEG, "FORMAT:NOT_AN_IMAGE FILE_SIZE:TOO_SMALL_FILE " + unread, ""},
		{"truncated PNG", readPicture(t, "card-back-a.png")[:60_000], PNG, "FORMAT:NOT_AN_IMAGE SHARPNESS:NOT_CHECKED EXPOSURE:NOT_CHECKED", ""},
		{"PNG of 100000x100000", pngHeader(100_000, 100_000), PNG,
			"FILE_SIZE:TOO_SMALL_FILE RESOLUTION:TOO_MANY_PIXELS SHARPNESS:NOT_CHECKED EXPOSURE:NOT_CHECKED", PNG},
		{"GIF", gifPicture(t), JPEG, "FORMAT:UNSUPPORTED_FORMAT FILE_SIZE:TOO_SMALL_FILE " + unread, ""},
		{"WebP magic", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), JPEG, "FORMAT:UNSUPPORTED_FORMAT FILE_SIZE:TOO_SMALL_FILE " + unread, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Analyze(tt.data, tt.declared, CardRules())
			if got := failures(t, rep); got != tt.want {
				t.Errorf("failures = %q, want %q", got, tt.want)
			}
			if rep.Format != tt.wantFormat {
				t.Errorf("Format = %q, want %q", rep.Format, tt.wantFormat)
			}
			if rep.Decoded != (tt.want == "FORMAT:FORMAT_MISMATCH") {
				t.Errorf("Decoded = %v", rep.Decoded)
			}
		})
	}
}

// TestTooManyPixelsNotDecoded gives a valid PNG over the limit and checks
// that Analyze allocates far less than decoding it would. It counts the
// allocations of the whole test binary, so it must not run in parallel.
func TestTooManyPixelsNotDecoded(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 3000, 3000)) // 9 MB decoded
	for i := range img.Pix {
		img.Pix[i] = uint8(i / 3000 % 256)
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	r := CardRules()
	r.MaxPixels = 1_000_000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rep := Analyze(b.Bytes(), PNG, r)
	runtime.ReadMemStats(&after)
	if got, want := failures(t, rep), "FILE_SIZE:TOO_SMALL_FILE RESOLUTION:TOO_MANY_PIXELS SHARPNESS:NOT_CHECKED EXPOSURE:NOT_CHECKED"; got != want {
		t.Errorf("failures = %q, want %q", got, want)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Errorf("Analyze allocated %d bytes, want under 1 MiB: the picture was decoded", allocated)
	}
	if rep.Width != 3000 || rep.Height != 3000 || rep.Decoded {
		t.Errorf("size %dx%d, decoded %v; want 3000x3000 not decoded", rep.Width, rep.Height, rep.Decoded)
	}
}

// TestPHashOfEveryPictureKind hashes the same picture held as each image
// type the decoders return: the grey conversions must agree.
func TestPHashOfEveryPictureKind(t *testing.T) {
	t.Parallel()
	data := readPicture(t, "portrait-b.jpg")
	rep := Analyze(data, JPEG, PortraitRules())
	pic := load(data, DefaultMaxPixels)
	if got := PHash(pic.img); got != rep.Hash {
		t.Errorf("PHash = %016x, Report.Hash = %016x", got, rep.Hash)
	}
	b := pic.img.Bounds()
	kinds := map[string]interface {
		image.Image
		Set(x, y int, c color.Color)
	}{
		"RGBA": image.NewRGBA(b), "NRGBA": image.NewNRGBA(b), "Gray": image.NewGray(b),
		"RGBA64": image.NewRGBA64(b),
	}
	for name, img := range kinds {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				img.Set(x, y, pic.img.At(x, y))
			}
		}
		if d := Distance(PHash(img), rep.Hash); d > 2 {
			t.Errorf("%s: distance to the JPEG's hash = %d, want <= 2", name, d)
		}
		if name == "NRGBA" {
			if d := Distance(PHash(onlyAt{img}), rep.Hash); d > 2 {
				t.Errorf("an image with only At: distance to the JPEG's hash = %d, want <= 2", d)
			}
		}
	}
}
