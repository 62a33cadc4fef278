package synth

// Edits that spoil a generated picture the way a bad photo is spoilt.

// curve maps every channel of every pixel through f (clamped to 0-255).
func (c *canvas) curve(f func(v int) int) {
	for i, v := range c.img.Pix {
		if i%4 != 3 {
			c.img.Pix[i] = uint8(clamp(f(int(v))))
		}
	}
}

// glow lays a white highlight of radius r around (cx, cy), opaque in its
// middle third: the reflection of a lamp on the card's laminate.
func (c *canvas) glow(cx, cy, r int) {
	white := rgb{255, 255, 255}
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			d := isqrt((x-cx)*(x-cx) + (y-cy)*(y-cy))
			if d < r {
				c.blend(x, y, white, min(256, (r-d)*256*3/(2*r)))
			}
		}
	}
}

// boxBlur replaces each pixel by the mean of the (2r+1)x(2r+1) square around
// it, across then down; the edges repeat.
func (c *canvas) boxBlur(r int) {
	st := c.img.Stride
	pass := func(n, count int, index func(line, i int) int) {
		buf := make([]int, count)
		for line := range n {
			for ch := range 3 {
				for i := range count {
					buf[i] = int(c.img.Pix[index(line, i)+ch])
				}
				for i := range count {
					s := 0
					for k := i - r; k <= i+r; k++ {
						s += buf[min(count-1, max(0, k))]
					}
					c.img.Pix[index(line, i)+ch] = uint8((s + r) / (2*r + 1))
				}
			}
		}
	}
	pass(c.h, c.w, func(y, x int) int { return y*st + 4*x })
	pass(c.w, c.h, func(x, y int) int { return y*st + 4*x })
}

// shrink returns the picture scaled down to w x h, each pixel the mean of
// the block of pixels it replaces.
func (c *canvas) shrink(w, h int) *canvas {
	d := newCanvas(w, h)
	st := c.img.Stride
	for y := range h {
		for x := range w {
			var sum [3]int
			n := 0
			for sy := y * c.h / h; sy < (y+1)*c.h/h; sy++ {
				for sx := x * c.w / w; sx < (x+1)*c.w/w; sx++ {
					for ch := range 3 {
						sum[ch] += int(c.img.Pix[sy*st+4*sx+ch])
					}
					n++
				}
			}
			d.blend(x, y, rgb{(sum[0] + n/2) / n, (sum[1] + n/2) / n, (sum[2] + n/2) / n}, 256)
		}
	}
	return d
}

// lighting darkens the picture away from a lamp: at the centre (l[0], l[1],
// in 1/256 of the width and height) it lifts the pixels by l[2]/4, at the
// far corner it lowers them by l[2]. Zero strength leaves the picture alone.
func (c *canvas) lighting(l [3]int) {
	if l[2] == 0 {
		return
	}
	cx, cy := l[0]*c.w/256, l[1]*c.h/256
	far := isqrt(max(cx, c.w-cx)*max(cx, c.w-cx) + max(cy, c.h-cy)*max(cy, c.h-cy))
	for y := range c.h {
		for x := range c.w {
			d := isqrt((x-cx)*(x-cx) + (y-cy)*(y-cy))
			delta := l[2]/4 - (l[2]*5/4)*d/far
			p := c.img.Pix[y*c.img.Stride+4*x:]
			for i := range 3 {
				p[i] = uint8(clamp(int(p[i]) + delta))
			}
		}
	}
}
