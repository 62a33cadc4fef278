package imagecheck

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/accountd/accountd/services/imagecheck/synth"
)

// BenchmarkAnalyze analyses the largest committed picture and a picture the
// size of a phone photo (4048x2552, a JPEG of about 4 MB).
func BenchmarkAnalyze(b *testing.B) {
	entries, err := os.ReadDir(picturesDir)
	if err != nil {
		b.Fatal(err)
	}
	var largest string
	var size int64
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			b.Fatal(err)
		}
		if filepath.Ext(e.Name()) != ".md" && info.Size() > size {
			largest, size = e.Name(), info.Size()
		}
	}
	data := readPicture(b, largest)
	b.Run(largest, func(b *testing.B) { benchmarkAnalyze(b, data) })
	b.Run("phone-photo", func(b *testing.B) { benchmarkAnalyze(b, phonePhoto(b)) })
}

func benchmarkAnalyze(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if rep := Analyze(data, JPEG, CardRules()); !rep.Decoded {
			b.Fatal("not decoded")
		}
	}
}

// phonePhoto is front A as a phone would take it (synth.PhonePhoto).
func phonePhoto(b *testing.B) []byte {
	a, _ := synth.Named("a")
	data, err := synth.PhonePhoto(a)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// FuzzAnalyze feeds Analyze damaged pictures: it must never panic, and its
// report must keep its shape.
func FuzzAnalyze(f *testing.F) {
	for _, name := range []string{"card-front-a.jpg", "card-back-a.png", "portrait-a.jpg"} {
		data := readPicture(f, name)
		for _, n := range []int{160, 400, 1000} {
			f.Add(data[:n])
		}
	}
	// Whole pictures, small so that the fuzzer can afford to work on them.
	b, _ := synth.Named("b")
	pngData, jpegData, err := synth.Thumbnail(b, 40, 25)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pngData)
	f.Add(jpegData)
	f.Add(pngHeader(100_000, 100_000))
	rules := CardRules()
	rules.MaxPixels = 1 << 20 // keep each run quick
	names := []string{CheckFormat, CheckFileSize, CheckResolution, CheckSharpness, CheckExposure}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep := Analyze(data, JPEG, rules)
		got := make([]string, len(rep.Checks))
		for i, c := range rep.Checks {
			got[i] = c.Name
			if c.Problems == nil || c.Passed != (len(c.Problems) == 0) {
				t.Fatalf("check %s: passed %v, problems %v", c.Name, c.Passed, c.Problems)
			}
		}
		if !slices.Equal(got, names) {
			t.Fatalf("checks %v, want %v", got, names)
		}
		if rep.Decoded && (rep.Format == "" || rep.Width*rep.Height == 0 || rep.Width*rep.Height > rules.MaxPixels) {
			t.Fatalf("decoded with format %q, size %dx%d", rep.Format, rep.Width, rep.Height)
		}
		if !rep.Decoded && (rep.Checks[3].Passed || rep.Checks[4].Passed) {
			t.Fatal("sharpness or exposure passed without pixels")
		}
	})
}
