package synth

import (
	"image"
	"math/rand/v2"
)

// The "text" of the generated cards: glyphs made of a few strokes on a grid 2
// units wide and 4 high, drawn at any size. They read as print from a
// distance, which is all a sharpness measure or a hash sees.

// stroke is a segment of a glyph, in grid units.
type stroke struct{ x0, y0, x1, y1 int }

// strokes are the segments glyphs are made of: stems, bars and diagonals.
var strokes = []stroke{
	{0, 0, 0, 4}, {2, 0, 2, 4}, {1, 0, 1, 4}, {0, 0, 0, 2}, {0, 2, 0, 4}, {2, 0, 2, 2}, {2, 2, 2, 4},
	{0, 0, 2, 0}, {0, 2, 2, 2}, {0, 4, 2, 4}, {0, 2, 1, 2},
	{0, 0, 2, 4}, {2, 0, 0, 4}, {0, 4, 1, 0}, {1, 0, 2, 4}, {0, 2, 2, 0}, {0, 2, 2, 4}, {0, 0, 2, 2}, {0, 4, 2, 2},
}

// filler is the "<" of a machine-readable zone.
const filler = -2

// space is a blank glyph.
const space = -1

// font is 36 glyphs, the same for every card.
var font = func() [][]stroke {
	rng := rand.New(rand.NewPCG(36, 36))
	glyphs := make([][]stroke, 36)
	for i := range glyphs {
		for range 2 + rng.IntN(3) {
			glyphs[i] = append(glyphs[i], strokes[rng.IntN(len(strokes))])
		}
	}
	return glyphs
}()

var fillerGlyph = []stroke{{2, 1, 0, 2}, {0, 2, 2, 3}}

// words returns n glyphs in words of 2 to 9 letters.
func words(rng *rand.Rand, n int) []int {
	out := make([]int, 0, n)
	for len(out) < n {
		for range 2 + rng.IntN(8) {
			out = append(out, rng.IntN(len(font)))
		}
		out = append(out, space)
	}
	return out[:n]
}

// text draws glyphs from (x, y), the top left, `size` pixels high with
// strokes `weight` pixels thick, and returns the x after the last glyph.
func (c *canvas) text(x, y, size, weight int, glyphs []int, col rgb) int {
	unit := max(1, size/4)
	for _, g := range glyphs {
		var ss []stroke
		switch {
		case g == filler:
			ss = fillerGlyph
		case g >= 0:
			ss = font[g%len(font)]
		}
		for _, s := range ss {
			c.line(x+s.x0*unit, y+s.y0*unit, x+s.x1*unit, y+s.y1*unit, weight, col, 256)
		}
		x += 3*unit + weight
	}
	return x
}

// field draws a small label and, under it, a value in heavier print.
func (c *canvas) field(rng *rand.Rand, x, y, letters int, label, ink rgb) {
	c.text(x, y, 12, 1, words(rng, 4+rng.IntN(8)), label)
	c.text(x, y+20, 20, 2, words(rng, letters), ink)
}

// mrz draws a machine-readable zone of three lines of 30 characters: letters
// and digits with runs of "<".
func (c *canvas) mrz(rng *rand.Rand, x, y int, ink rgb) {
	for line := range 3 {
		glyphs := make([]int, 30)
		for i := range glyphs {
			glyphs[i] = rng.IntN(len(font))
			if rng.IntN(4) == 0 || (line == 2 && i > 18) {
				glyphs[i] = filler
			}
		}
		c.text(x, y+line*38, 28, 3, glyphs, ink)
	}
}

// barcode draws rows of bars of random widths, like a PDF417 code, over the
// rectangle r.
func (c *canvas) barcode(rng *rand.Rand, r image.Rectangle, ink rgb) {
	for y := r.Min.Y; y+6 <= r.Max.Y; y += 7 {
		for x := r.Min.X; x < r.Max.X; {
			w := 1 + rng.IntN(4)
			if rng.IntN(2) == 0 {
				c.rect(x, y, min(x+w, r.Max.X), y+6, solid(ink), 256)
			}
			x += w
		}
	}
}

// guilloche draws n interlaced waves across [x0, x1) around the height y,
// the fine security print of a card.
func (c *canvas) guilloche(rng *rand.Rand, x0, x1, y, amp, n int, ink rgb, a int) {
	f1, f2 := 9+rng.IntN(6), 3+rng.IntN(4) // turns of 1/4096 per pixel
	p1, p2 := rng.IntN(4096), rng.IntN(4096)
	for k := range n {
		var pts []image.Point
		for x := x0; x <= x1; x += 4 {
			dy := isin(x*f1+p1+k*4096/n, amp) + isin(x*f2+p2-k*2048/n, amp/2)
			pts = append(pts, image.Pt(x, y+dy))
		}
		c.polyline(pts, 1, ink, a)
	}
}

// rosette draws n rotated epitrochoids around (cx, cy), an emblem of fine
// lines.
func (c *canvas) rosette(cx, cy, r, n int, ink rgb, a int) {
	for k := range n {
		var pts []image.Point
		for t := 0; t <= 4096; t += 8 {
			ph := k * 4096 / (n * 7)
			x := cx + icos(t+ph, r*2/3) + icos(7*t-ph, r/3)
			y := cy + isin(t+ph, r*2/3) + isin(7*t-ph, r/3)
			pts = append(pts, image.Pt(x, y))
		}
		c.polyline(pts, 1, ink, a)
	}
}
