package synth

// Drawing for the generated test pictures. Everything that decides a pixel is
// integer arithmetic, so the pictures come out byte for byte the same on every
// platform, whatever floating-point contractions the compiler makes. The one
// use of floating point, the sine table, is rounded to integers; no entry is
// within 0.0002 of a half, far more than a last-bit difference of math.Sin.

import (
	"image"
	"math"
	"math/rand/v2"
)

// rgb is a colour with 8-bit channels, held in ints for arithmetic.
type rgb struct{ r, g, b int }

// mix is a + (b-a)*t/256.
func mix(a, b rgb, t int) rgb {
	return rgb{a.r + (b.r-a.r)*t/256, a.g + (b.g-a.g)*t/256, a.b + (b.b-a.b)*t/256}
}

// shade scales a colour by k/256.
func shade(c rgb, k int) rgb { return rgb{c.r * k / 256, c.g * k / 256, c.b * k / 256} }

// paint gives the colour of a shape at a pixel.
type paint func(x, y int) rgb

func solid(c rgb) paint { return func(int, int) rgb { return c } }

// linear is a gradient from `from` at (x0, y0) to `to` at (x1, y1), constant
// across that direction.
func linear(x0, y0, x1, y1 int, from, to rgb) paint {
	dx, dy := x1-x0, y1-y0
	span := max(1, dx*dx+dy*dy)
	return func(x, y int) rgb {
		t := ((x-x0)*dx + (y-y0)*dy) * 256 / span
		return mix(from, to, min(256, max(0, t)))
	}
}

// radial goes from `in` at (cx, cy) to `out` at distance r and beyond.
func radial(cx, cy, r int, in, out rgb) paint {
	return func(x, y int) rgb {
		d := isqrt((x-cx)*(x-cx) + (y-cy)*(y-cy))
		return mix(in, out, min(256, d*256/max(1, r)))
	}
}

// isqrt is the integer square root of n >= 0.
func isqrt(n int) int {
	r := int(math.Sqrt(float64(n)))
	for r*r > n {
		r--
	}
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}

// sinTab is sin over a full turn of 4096 steps, scaled to +-16384.
var sinTab = func() (t [4096]int) {
	for i := range t {
		t[i] = int(math.Round(16384 * math.Sin(2*math.Pi*float64(i)/4096)))
	}
	return t
}()

// isin is amp*sin(2*pi*turn/4096).
func isin(turn, amp int) int { return sinTab[turn&4095] * amp / 16384 }

// icos is amp*cos(2*pi*turn/4096).
func icos(turn, amp int) int { return isin(turn+1024, amp) }

// canvas is an opaque RGBA picture being drawn.
type canvas struct {
	img  *image.RGBA
	w, h int
	keep func(x, y int) bool // when set, only the pixels it accepts are drawn
}

func newCanvas(w, h int) *canvas {
	return &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), w: w, h: h}
}

// blend lays col over the pixel (x, y) with opacity a/256.
func (c *canvas) blend(x, y int, col rgb, a int) {
	if x < 0 || y < 0 || x >= c.w || y >= c.h || (c.keep != nil && !c.keep(x, y)) {
		return
	}
	p := c.img.Pix[y*c.img.Stride+4*x:]
	p[0] = uint8(int(p[0]) + (clamp(col.r)-int(p[0]))*a/256)
	p[1] = uint8(int(p[1]) + (clamp(col.g)-int(p[1]))*a/256)
	p[2] = uint8(int(p[2]) + (clamp(col.b)-int(p[2]))*a/256)
	p[3] = 255
}

func clamp(v int) int { return min(255, max(0, v)) }

// roundRect fills [x0,x1) x [y0,y1) with rounded corners of radius r.
func (c *canvas) roundRect(x0, y0, x1, y1, r int, p paint, a int) {
	for y := max(0, y0); y < min(c.h, y1); y++ {
		for x := max(0, x0); x < min(c.w, x1); x++ {
			cx := min(max(x, x0+r), x1-1-r)
			cy := min(max(y, y0+r), y1-1-r)
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
				c.blend(x, y, p(x, y), a)
			}
		}
	}
}

func (c *canvas) rect(x0, y0, x1, y1 int, p paint, a int) { c.roundRect(x0, y0, x1, y1, 0, p, a) }

// ellipse fills the ellipse of centre (cx, cy) and radii rx, ry.
func (c *canvas) ellipse(cx, cy, rx, ry int, p paint, a int) {
	rx, ry = max(1, rx), max(1, ry)
	for dy := -ry; dy <= ry; dy++ {
		half := isqrt(rx * rx * (ry*ry - dy*dy) / (ry * ry))
		for x := cx - half; x <= cx+half; x++ {
			c.blend(x, cy+dy, p(x, cy+dy), a)
		}
	}
}

// line draws a segment `width` pixels thick, each pixel once.
func (c *canvas) line(x0, y0, x1, y1, width int, col rgb, a int) {
	dx, dy := abs(x1-x0), abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	steep := dy > dx
	e := dx - dy // Bresenham's error term
	for {
		for k := -(width - 1) / 2; k <= width/2; k++ {
			if steep {
				c.blend(x0+k, y0, col, a)
			} else {
				c.blend(x0, y0+k, col, a)
			}
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 > -dy {
			e -= dy
			x0 += sx
		}
		if e2 < dx {
			e += dx
			y0 += sy
		}
	}
}

// polyline joins the points with lines.
func (c *canvas) polyline(pts []image.Point, width int, col rgb, a int) {
	for i := 1; i < len(pts); i++ {
		c.line(pts[i-1].X, pts[i-1].Y, pts[i].X, pts[i].Y, width, col, a)
	}
}

func abs(v int) int { return max(v, -v) }

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// soften blurs with the kernel [1 2 1]/4 across and down, the softness of a
// camera lens.
func (c *canvas) soften() {
	src := append([]uint8(nil), c.img.Pix...)
	st := c.img.Stride
	at := func(x, y, ch int) int {
		return int(src[min(c.h-1, max(0, y))*st+4*min(c.w-1, max(0, x))+ch])
	}
	for y := range c.h {
		for x := range c.w {
			for ch := range 3 {
				s := 4*at(x, y, ch) + 2*(at(x-1, y, ch)+at(x+1, y, ch)+at(x, y-1, ch)+at(x, y+1, ch)) +
					at(x-1, y-1, ch) + at(x+1, y-1, ch) + at(x-1, y+1, ch) + at(x+1, y+1, ch)
				c.img.Pix[y*st+4*x+ch] = uint8((s + 8) / 16)
			}
		}
	}
}

// noise adds grain of up to +-amp grey levels, the same on all channels.
func (c *canvas) noise(rng *rand.Rand, amp int) {
	for i := 0; i < len(c.img.Pix); i += 4 {
		d := rng.IntN(2*amp+1) + rng.IntN(2*amp+1) - 2*amp // triangular
		d /= 2
		for ch := range 3 {
			c.img.Pix[i+ch] = uint8(clamp(int(c.img.Pix[i+ch]) + d))
		}
	}
}
