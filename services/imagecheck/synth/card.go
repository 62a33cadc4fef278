package synth

import (
	"image"
	"math/rand/v2"
)

// The generated identity cards: ID-1 format (85.60 x 53.98 mm) photographed
// on a table at about 300 dpi.
const cardW, cardH = 1012, 638

// card is the design of one applicant's card: each applicant holds a card of
// a different issuer, so layouts differ as much as colours.
type card struct {
	seed        uint64
	holder      person
	table       rgb
	front       [2]rgb // background gradient, from grad's first point to its second
	grad        [4]int
	ink         rgb // guilloche and emblem
	band        rgb // the issuer's band
	bandAt      image.Rectangle
	photoAt     image.Rectangle
	fieldsX     int
	emblem      image.Point
	chipAt      image.Point // zero for no chip
	back        [2]rgb
	backGrad    [4]int
	barcodeAt   image.Rectangle
	stripe      bool            // a dark magnetic stripe across the top of the back
	ghostAt     image.Rectangle // a faint second photo on the back, if not empty
	backFieldsX int
	// light is uneven lighting over the photo of the card: centre x and y
	// in 1/256 of the picture, and strength; zero for even light.
	light [3]int
}

var (
	textInk  = rgb{25, 28, 40}
	labelInk = rgb{70, 80, 105}
	mrzPaper = rgb{236, 236, 230}
)

// body draws the table and the card on it with rounded corners, and limits
// further drawing to the card.
func (c *canvas) body(table rgb, p paint) {
	c.rect(0, 0, c.w, c.h, linear(0, 0, c.w/4, c.h, table, shade(table, 200)), 256)
	x0, y0, x1, y1, r := 14, 12, c.w-14, c.h-12, 32
	inside := func(x, y int) bool {
		cx, cy := min(max(x, x0+r), x1-1-r), min(max(y, y0+r), y1-1-r)
		return x >= x0 && x < x1 && y >= y0 && y < y1 && (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
	}
	c.keep = inside
	c.rect(x0, y0, x1, y1, p, 256)
}

// drawFront draws the front side: security print, the issuer's band, the
// photo, data fields, a chip and a signature.
func drawFront(d card) *canvas {
	rng := rand.New(rand.NewPCG(d.seed, 1))
	c := newCanvas(cardW, cardH)
	c.body(d.table, linear(d.grad[0], d.grad[1], d.grad[2], d.grad[3], d.front[0], d.front[1]))
	for i := range 5 {
		c.guilloche(rng, 20, cardW-20, 90+i*115, 30, 12, d.ink, 70)
	}
	c.rosette(d.emblem.X, d.emblem.Y, 120, 14, d.ink, 130)
	c.rect(d.bandAt.Min.X, d.bandAt.Min.Y, d.bandAt.Max.X, d.bandAt.Max.Y, solid(d.band), 256)
	c.bandTitle(rng, d.bandAt)
	frame := d.photoAt.Inset(-5)
	c.rect(frame.Min.X, frame.Min.Y, frame.Max.X, frame.Max.Y, solid(rgb{250, 250, 248}), 256)
	c.drawPerson(d.photoAt, d.holder)
	for row := range 6 {
		c.field(rng, d.fieldsX, 116+row*62, 8+rng.IntN(12), labelInk, textInk)
	}
	c.text(d.fieldsX, 500, 32, 4, words(rng, 12), textInk)
	for _, y := range []int{104, 604} {
		c.text(30, y, 8, 1, words(rng, 100), d.ink)
	}
	if d.chipAt != (image.Point{}) {
		c.chip(d.chipAt)
	}
	c.signature(rng, d.photoAt.Min.X+10, d.photoAt.Max.Y+45)
	c.keep = nil
	c.lighting(d.light)
	c.noise(rng, 3)
	return c
}

// drawBack draws the back side: security print, a barcode, data fields and
// the machine-readable zone.
func drawBack(d card) *canvas {
	rng := rand.New(rand.NewPCG(d.seed, 3))
	c := newCanvas(cardW, cardH)
	c.body(d.table, linear(d.backGrad[0], d.backGrad[1], d.backGrad[2], d.backGrad[3], d.back[0], d.back[1]))
	for i := range 3 {
		c.guilloche(rng, 20, cardW-20, 80+i*120, 24, 10, d.ink, 50)
	}
	if d.stripe {
		c.rect(0, 40, cardW, 130, linear(0, 40, 0, 130, rgb{40, 36, 30}, rgb{70, 62, 50}), 256)
	}
	c.barcode(rng, d.barcodeAt, textInk)
	if !d.ghostAt.Empty() {
		c.ghost(d.ghostAt, d.holder)
	}
	for row := range 3 {
		c.field(rng, d.backFieldsX, 160+row*72, 8+rng.IntN(12), labelInk, textInk)
	}
	c.rect(0, 430, cardW, cardH, solid(mrzPaper), 256)
	c.mrz(rng, 140, 458, textInk)
	c.keep = nil
	c.lighting(d.light)
	c.soften()
	return c
}

// bandTitle writes the issuer's name along its band.
func (c *canvas) bandTitle(rng *rand.Rand, band image.Rectangle) {
	paper := rgb{240, 240, 236}
	if band.Dx() > band.Dy() {
		c.text(band.Min.X+30, band.Min.Y+(band.Dy()-24)/2, 24, 3, words(rng, 14), paper)
		return
	}
	for i, g := range words(rng, 11) {
		c.text(band.Min.X+(band.Dx()-20)/2, band.Min.Y+40+i*48, 24, 3, []int{g}, paper)
	}
}

// ghost draws the holder's photo in grey, faint, as a second photo.
func (c *canvas) ghost(at image.Rectangle, p person) {
	g := newCanvas(at.Dx(), at.Dy())
	g.drawPerson(g.img.Bounds(), p)
	for y := range at.Dy() {
		for x := range at.Dx() {
			px := g.img.Pix[y*g.img.Stride+4*x:]
			v := (77*int(px[0]) + 150*int(px[1]) + 29*int(px[2])) / 256
			c.blend(at.Min.X+x, at.Min.Y+y, rgb{v, v, v}, 120)
		}
	}
}

// chip draws the gold contact plate of a smart card.
func (c *canvas) chip(at image.Point) {
	gold, edge := rgb{212, 175, 90}, rgb{150, 115, 50}
	c.roundRect(at.X, at.Y, at.X+92, at.Y+72, 12, linear(at.X, at.Y, at.X+92, at.Y+72, gold, shade(gold, 210)), 256)
	for _, y := range []int{at.Y + 24, at.Y + 48} {
		c.line(at.X+4, y, at.X+88, y, 2, edge, 256)
	}
	c.line(at.X+46, at.Y+4, at.X+46, at.Y+68, 2, edge, 256)
}

// signature draws a scribble starting at (x, y).
func (c *canvas) signature(rng *rand.Rand, x, y int) {
	var pts []image.Point
	f := 90 + rng.IntN(60)
	for t := range 200 {
		pts = append(pts, image.Pt(x+t, y+isin(t*f, 14)+isin(t*f/3+rng.IntN(40), 8)))
	}
	c.polyline(pts, 2, rgb{20, 30, 90}, 256)
}

// applicants are the three honest applicants A, B and C.
var applicants = map[string]card{
	"a": {
		seed:   0xA,
		holder: person{seed: 0xA, bg0: rgb{222, 226, 232}, bg1: rgb{168, 178, 194}, bgAcross: true, skin: rgb{226, 186, 160}, hair: rgb{42, 32, 26}, clothes: rgb{36, 42, 64}, eyes: rgb{70, 50, 30}, offset: 10, scale: 256, collar: true},
		table:  rgb{78, 58, 44}, front: [2]rgb{{206, 218, 232}, {138, 162, 196}}, grad: [4]int{0, 0, cardW, 0},
		ink: rgb{60, 90, 150}, band: rgb{28, 56, 118}, bandAt: image.Rect(0, 12, cardW, 96),
		photoAt: image.Rect(46, 130, 296, 440), fieldsX: 340, emblem: image.Pt(840, 470),
		back: [2]rgb{{214, 222, 232}, {170, 186, 206}}, backGrad: [4]int{0, cardH, 0, 0},
		barcodeAt: image.Rect(560, 40, 970, 180), backFieldsX: 60,
	},
	"b": {
		seed:   0xB,
		holder: person{seed: 0xB, bg0: rgb{150, 160, 168}, bg1: rgb{64, 72, 84}, skin: rgb{240, 206, 182}, hair: rgb{204, 172, 112}, clothes: rgb{218, 212, 200}, eyes: rgb{60, 110, 150}, longHair: true, offset: 22, scale: 240},
		table:  rgb{186, 186, 180}, front: [2]rgb{{226, 232, 206}, {120, 146, 104}}, grad: [4]int{0, 0, 0, cardH},
		ink: rgb{70, 110, 60}, band: rgb{124, 40, 40}, bandAt: image.Rect(0, 540, cardW, cardH),
		photoAt: image.Rect(700, 60, 960, 380), fieldsX: 60, emblem: image.Pt(260, 300), chipAt: image.Pt(560, 400),
		back: [2]rgb{{120, 140, 110}, {220, 226, 204}}, backGrad: [4]int{0, 0, cardW, 0},
		barcodeAt: image.Rect(40, 170, 420, 400), stripe: true, backFieldsX: 480,
	},
	"c": {
		seed:   0xC,
		holder: person{seed: 0xC, bg0: rgb{120, 140, 120}, bg1: rgb{232, 236, 222}, skin: rgb{172, 122, 92}, hair: rgb{112, 72, 46}, clothes: rgb{152, 40, 52}, eyes: rgb{40, 30, 20}, offset: -24, scale: 280},
		table:  rgb{60, 80, 112}, front: [2]rgb{{236, 206, 202}, {162, 132, 146}}, grad: [4]int{cardW, cardH, 0, 0},
		ink: rgb{130, 60, 110}, band: rgb{72, 40, 92}, bandAt: image.Rect(14, 0, 120, cardH),
		photoAt: image.Rect(640, 150, 920, 490), fieldsX: 160, emblem: image.Pt(420, 140), chipAt: image.Pt(160, 22),
		back: [2]rgb{{238, 214, 210}, {176, 146, 156}}, backGrad: [4]int{cardW, 0, 0, cardH},
		barcodeAt: image.Rect(40, 40, 330, 330), backFieldsX: 370, ghostAt: image.Rect(720, 90, 940, 380),
	},
}
