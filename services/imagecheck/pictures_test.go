package imagecheck

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/accountd/accountd/services/imagecheck/synth"
)

var update = flag.Bool("update", false, "rewrite the generated pictures in testdata/images")

// picturesDir holds the generated pictures, committed so that other packages'
// tests (and people) can use them without running the generator.
const picturesDir = "../../testdata/images"

// generated is one picture file of testdata/images.
type generated struct {
	name string
	data []byte
}

// pictureFiles are the files of testdata/images: applicant, kind and file.
var pictureFiles = [][3]string{
	{"a", synth.CardFront, "card-front-a.jpg"}, {"a", synth.CardBack, "card-back-a.png"}, {"a", synth.Portrait, "portrait-a.jpg"},
	{"b", synth.CardFront, "card-front-b.jpg"}, {"b", synth.CardBack, "card-back-b.png"}, {"b", synth.Portrait, "portrait-b.jpg"},
	{"c", synth.CardFront, "card-front-c.jpg"}, {"c", synth.CardBack, "card-back-c.png"}, {"c", synth.Portrait, "portrait-c.jpg"},
	{"a", synth.PortraitCopy, "portrait-a-copy.jpg"},
	{"a", synth.CardFrontBlurred, "card-front-a-blurred.jpg"},
	{"a", synth.CardFrontOverexposed, "card-front-a-overexposed.jpg"},
	{"a", synth.CardFrontDark, "card-front-a-dark.jpg"},
	{"a", synth.CardTiny, "card-tiny.jpg"},
}

// generatePictures makes every picture of testdata/images, at the same
// time; each comes from its own seeds, so the output does not depend on
// the order they finish in.
func generatePictures() ([]generated, error) {
	out := make([]generated, len(pictureFiles))
	errs := make([]error, len(pictureFiles))
	var wg sync.WaitGroup
	for i, f := range pictureFiles {
		wg.Go(func() {
			a, _ := synth.Named(f[0])
			out[i].name = f[2]
			if out[i].data, errs[i] = synth.Picture(a, f[1]); errs[i] != nil {
				errs[i] = fmt.Errorf("generate %s: %w", f[2], errs[i])
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// TestPictures checks that testdata/images holds what the generator makes,
// byte for byte; with -update it rewrites the files.
func TestPictures(t *testing.T) {
	t.Parallel()
	pics, err := generatePictures()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll(picturesDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range pics {
		path := filepath.Join(picturesDir, p.name)
		if *update {
			if err := os.WriteFile(path, p.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("read %s: %v (to write it: go test ./services/imagecheck -run TestPictures -update)", p.name, err)
			continue
		}
		if !bytes.Equal(got, p.data) {
			t.Errorf("%s: committed file (%d bytes) differs from the generator's output (%d bytes); "+
				"if the change is intended: go test ./services/imagecheck -run TestPictures -update", p.name, len(got), len(p.data))
		}
	}
}
