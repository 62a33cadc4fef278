// Package synth draws synthetic eKYC pictures: identity card sides and
// portraits of made-up applicants, and spoilt copies of them (blurred,
// over-exposed, dark, tiny, re-encoded). The tests' committed pictures
// (testdata/images) and the fixtures' fresh ones come from here, so that
// the picture checks are tested on real encoded pictures. Output is
// deterministic: the same applicant and kind give the same bytes.
package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"slices"
	"sort"
)

// PortraitW and PortraitH are the size of a generated portrait.
const PortraitW, PortraitH = 720, 960

// Applicant is the design of one made-up person's card and portrait.
type Applicant struct{ d card }

// Named returns one of the three hand-designed applicants "a", "b" and "c"
// of testdata/images.
func Named(name string) (Applicant, bool) {
	d, ok := applicants[name]
	return Applicant{d}, ok
}

// Random returns an applicant whose design (issuer colours, layout and
// looks) is drawn from seed: different seeds give different pictures, far
// apart by perceptual hash.
func Random(seed uint64) Applicant {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	col := func(lo, hi int) rgb { return rgb{lo + rng.IntN(hi-lo), lo + rng.IntN(hi-lo), lo + rng.IntN(hi-lo)} }
	base := applicants[[]string{"a", "b", "c"}[rng.IntN(3)]]
	d := base
	d.seed = seed
	d.holder = person{seed: seed, bg0: col(60, 240), bg1: col(40, 240), bgAcross: rng.IntN(2) == 0, skin: col(150, 245),
		hair: col(20, 210), clothes: col(20, 230), eyes: col(20, 150), longHair: rng.IntN(2) == 0, collar: rng.IntN(2) == 0,
		offset: rng.IntN(90) - 45, scale: 210 + rng.IntN(90)}
	d.table, d.front, d.back = col(40, 200), [2]rgb{col(150, 240), col(90, 200)}, [2]rgb{col(150, 240), col(90, 200)}
	d.ink, d.band = col(40, 160), col(20, 140)
	corners := [][4]int{{0, 0, cardW, 0}, {0, 0, 0, cardH}, {cardW, cardH, 0, 0}, {0, cardH, cardW, 0}}
	d.grad, d.backGrad = corners[rng.IntN(4)], corners[rng.IntN(4)]
	// The layout's parts come from the three designs, each on its own.
	pick := func() card { return applicants[[]string{"a", "b", "c"}[rng.IntN(3)]] }
	photo := pick()
	d.photoAt, d.fieldsX = photo.photoAt, photo.fieldsX
	d.bandAt, d.emblem, d.chipAt = pick().bandAt, pick().emblem, pick().chipAt
	back := pick()
	d.barcodeAt, d.backFieldsX = back.barcodeAt, back.backFieldsX
	d.stripe, d.ghostAt = rng.IntN(2) == 0, pick().ghostAt
	d.light = [3]int{rng.IntN(256), rng.IntN(256), 40 + rng.IntN(50)}
	d.holder.light = [3]int{rng.IntN(256), rng.IntN(256), 30 + rng.IntN(40)}
	return Applicant{d}
}

// Picture kinds Picture draws.
const (
	CardFront            = "card-front"             // JPEG
	CardBack             = "card-back"              // PNG
	Portrait             = "portrait"               // JPEG
	PortraitCopy         = "portrait-copy"          // the portrait cropped, brightened and re-encoded: the same picture to a perceptual hash
	CardFrontBlurred     = "card-front-blurred"     // fails SHARPNESS
	CardFrontOverexposed = "card-front-overexposed" // fails EXPOSURE (OVEREXPOSED, GLARE)
	CardFrontDark        = "card-front-dark"        // fails EXPOSURE (TOO_DARK)
	CardTiny             = "card-tiny"              // fails RESOLUTION and FILE_SIZE
)

// kinds maps each kind to how it is drawn and encoded.
var kinds = map[string]func(a Applicant) ([]byte, error){
	CardFront: func(a Applicant) ([]byte, error) { return encodeJPEG(drawFront(a.d), 88) },
	CardBack:  func(a Applicant) ([]byte, error) { return encodePNG(drawBack(a.d)) },
	Portrait:  func(a Applicant) ([]byte, error) { return encodeJPEG(drawPortrait(a.d.holder), 90) },
	PortraitCopy: func(a Applicant) ([]byte, error) {
		orig, err := encodeJPEG(drawPortrait(a.d.holder), 90)
		if err != nil {
			return nil, err
		}
		img, err := jpeg.Decode(bytes.NewReader(orig))
		if err != nil {
			return nil, err
		}
		crop := image.Rect(6, 4, PortraitW-8, PortraitH-8)
		c := newCanvas(crop.Dx(), crop.Dy())
		draw.Draw(c.img, c.img.Bounds(), img, crop.Min, draw.Src)
		c.curve(func(v int) int { return v + 5 })
		return encodeJPEG(c, 78)
	},
	CardFrontBlurred: func(a Applicant) ([]byte, error) {
		c := drawFront(a.d)
		for range 3 {
			c.boxBlur(3)
		}
		c.noise(rand.New(rand.NewPCG(0xB1, 0)), 2)
		return encodeJPEG(c, 92)
	},
	CardFrontOverexposed: func(a Applicant) ([]byte, error) {
		c := drawFront(a.d)
		// Every level lands over 215, whatever the card's colours.
		c.curve(func(v int) int { return 255 - (255-v)*40/256 })
		c.glow(720, 200, 300)
		return encodeJPEG(c, 88)
	},
	CardFrontDark: func(a Applicant) ([]byte, error) {
		c := drawFront(a.d)
		c.curve(func(v int) int { return v * 60 / 256 })
		c.noise(rand.New(rand.NewPCG(0xDA, 0)), 10)
		return encodeJPEG(c, 88)
	},
	CardTiny: func(a Applicant) ([]byte, error) { return encodeJPEG(drawFront(a.d).shrink(320, 202), 85) },
}

// Kinds lists the picture kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Picture draws one picture of a and encodes it: PNG for CardBack, JPEG
// for the others (Format tells).
func Picture(a Applicant, kind string) ([]byte, error) {
	f, ok := kinds[kind]
	if !ok {
		return nil, fmt.Errorf("synth: unknown picture kind %q (one of %v)", kind, Kinds())
	}
	return f(a)
}

// Format is the format Picture encodes a kind in: "PNG" or "JPEG".
func Format(kind string) string {
	if kind == CardBack {
		return "PNG"
	}
	return "JPEG"
}

// IsKind reports whether kind is one Picture draws.
func IsKind(kind string) bool { return slices.Contains(Kinds(), kind) }

// drawPortrait draws the applicant's portrait, with the detail of a photo.
func drawPortrait(p person) *canvas {
	c := newCanvas(PortraitW, PortraitH)
	p.textured = true
	c.drawPerson(c.img.Bounds(), p)
	c.lighting(p.light)
	c.noise(rand.New(rand.NewPCG(p.seed, 4)), 6)
	return c
}

func encodeJPEG(c *canvas, quality int) ([]byte, error) {
	var b bytes.Buffer
	err := jpeg.Encode(&b, c.img, &jpeg.Options{Quality: quality})
	return b.Bytes(), err
}

func encodePNG(c *canvas) ([]byte, error) {
	var b bytes.Buffer
	err := png.Encode(&b, c.img)
	return b.Bytes(), err
}

// PhonePhoto is a's card front enlarged 4 times with sensor noise and
// encoded at JPEG quality 95: the size and weight of a photo straight from
// a phone (4048x2552, about 4 MB).
func PhonePhoto(a Applicant) ([]byte, error) {
	small := drawFront(a.d)
	c := newCanvas(4*small.w, 4*small.h)
	for y := range c.h {
		src := small.img.Pix[(y/4)*small.img.Stride:]
		row := c.img.Pix[y*c.img.Stride:]
		for x := range c.w {
			copy(row[4*x:4*x+4], src[4*(x/4):4*(x/4)+4])
		}
	}
	c.noise(rand.New(rand.NewPCG(4, 4)), 12)
	return encodeJPEG(c, 95)
}

// Thumbnail is a's card front shrunk to w x h, as PNG and as JPEG: whole
// pictures small enough for a fuzzer.
func Thumbnail(a Applicant, w, h int) (pngData, jpegData []byte, err error) {
	small := drawFront(a.d).shrink(w, h)
	if pngData, err = encodePNG(small); err != nil {
		return nil, nil, err
	}
	jpegData, err = encodeJPEG(small, 80)
	return pngData, jpegData, err
}
