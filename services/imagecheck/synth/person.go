package synth

import (
	"image"
	"math/rand/v2"
)

// person is how a generated applicant looks, on the portrait and in the
// photo box of the card.
type person struct {
	seed          uint64
	bg0, bg1      rgb // background: left to right with bgAcross, else top to bottom
	bgAcross      bool
	skin, hair    rgb
	clothes, eyes rgb
	longHair      bool   // hair down to the shoulders, behind them
	collar        bool   // a white collar
	offset, scale int    // head centre off the middle in 1/256 of the width; head size, 256 = usual
	textured      bool   // hair strands and cloth weave: the portrait, not the card's small photo
	light         [3]int // uneven lighting of the portrait (see canvas.lighting)
}

// drawPerson draws head and shoulders filling box. With p.textured it adds
// hair strands and cloth weave, the detail of a real portrait.
func (c *canvas) drawPerson(box image.Rectangle, p person) {
	rng := rand.New(rand.NewPCG(p.seed, 2))
	w, h := box.Dx(), box.Dy()
	bx, by := box.Min.X, box.Min.Y
	if p.bgAcross {
		c.rect(bx, by, box.Max.X, box.Max.Y, linear(bx, by, box.Max.X, by, p.bg0, p.bg1), 256)
	} else {
		c.rect(bx, by, box.Max.X, box.Max.Y, linear(bx, by, bx+w/3, box.Max.Y, p.bg0, p.bg1), 256)
	}
	cx := bx + w/2 + w*p.offset/256
	rx := w * 21 / 100 * p.scale / 256
	ry := rx * 13 / 10
	cy := by + h*42/100
	clip := func(x, y int) bool { return image.Pt(x, y).In(box) }

	// From back to front, nothing outside the box (the card's photo frame).
	c.clipped(clip, func() {
		if p.longHair {
			c.ellipse(cx, cy+ry*35/100, rx*125/100, ry*110/100, solid(p.hair), 256)
		}
		c.rect(cx-rx*45/100, cy+ry*5/10, cx+rx*45/100, by+h*74/100, solid(shade(p.skin, 205)), 256)
		c.ellipse(cx, by+h+h/20, w*50/100, h*40/100, linear(cx, by+h*6/10, cx+w/3, by+h, p.clothes, shade(p.clothes, 170)), 256)
		if p.collar {
			c.ellipse(cx, by+h*70/100, rx*70/100, ry*22/100, solid(rgb{236, 236, 232}), 256)
			c.ellipse(cx, by+h*68/100, rx*45/100, ry*20/100, solid(shade(p.skin, 205)), 256)
		}
		c.ellipse(cx-rx, cy+ry/10, rx*14/100, ry*20/100, solid(shade(p.skin, 225)), 256) // ears
		c.ellipse(cx+rx, cy+ry/10, rx*14/100, ry*20/100, solid(shade(p.skin, 225)), 256)
		c.ellipse(cx, cy-ry*18/100, rx*108/100, ry*88/100, solid(p.hair), 256)
		c.ellipse(cx, cy+ry/10, rx, ry*90/100, radial(cx-rx/5, cy-ry/6, ry*11/10, p.skin, shade(p.skin, 190)), 256)
		c.face(cx, cy, rx, ry, p)
		if p.textured {
			c.strands(rng, cx, cy-ry*18/100, rx*108/100, ry*88/100, p.hair)
			c.weave(cx, by+h+h/20, w*50/100, h*40/100, p.clothes)
		}
	})
}

// face draws eyes, brows, nose and mouth on the head of centre (cx, cy).
func (c *canvas) face(cx, cy, rx, ry int, p person) {
	ey := cy - ry*2/100
	for _, ex := range []int{cx - rx*40/100, cx + rx*40/100} {
		c.ellipse(ex, ey, rx*20/100, ry*8/100, solid(rgb{240, 238, 232}), 256)
		c.ellipse(ex, ey, ry*7/100, ry*7/100, solid(p.eyes), 256)
		c.ellipse(ex, ey, ry*3/100, ry*3/100, solid(rgb{12, 10, 10}), 256)
		c.ellipse(ex+ry*2/100, ey-ry*2/100, max(1, ry/100), max(1, ry/100), solid(rgb{255, 255, 255}), 256)
		c.line(ex-rx*22/100, ey-ry*17/100, ex+rx*22/100, ey-ry*19/100, max(2, ry*4/100), shade(p.hair, 200), 256)
	}
	nose := shade(p.skin, 175)
	c.line(cx+rx*4/100, ey+ry*5/100, cx+rx*8/100, cy+ry*33/100, max(1, ry/100), nose, 160)
	c.ellipse(cx-rx*9/100, cy+ry*36/100, rx*5/100, ry*2/100, solid(nose), 256)
	c.ellipse(cx+rx*9/100, cy+ry*36/100, rx*5/100, ry*2/100, solid(nose), 256)
	c.ellipse(cx, cy+ry*57/100, rx*30/100, ry*7/100, solid(rgb{168, 82, 84}), 256)
	c.line(cx-rx*30/100, cy+ry*57/100, cx+rx*30/100, cy+ry*57/100, max(1, ry/100), rgb{90, 40, 42}, 256)
}

// strands draws thin curved hairs inside the hair ellipse.
func (c *canvas) strands(rng *rand.Rand, cx, cy, rx, ry int, hair rgb) {
	for range 2500 {
		x := cx - rx + rng.IntN(2*rx)
		y := cy - ry + rng.IntN(ry)
		if (x-cx)*(x-cx)*ry*ry+(y-cy)*(y-cy)*rx*rx > rx*rx*ry*ry {
			continue
		}
		col := shade(hair, 80+rng.IntN(400))
		dx := (x - cx) / 6
		c.polyline([]image.Point{{x, y}, {x + dx/2, y + 14}, {x + dx, y + 30}}, 1, col, 140)
	}
}

// weave draws the diagonal threads of cloth inside the shoulders' ellipse.
func (c *canvas) weave(cx, cy, rx, ry int, cloth rgb) {
	inside := func(x, y int) bool {
		return (x-cx)*(x-cx)*ry*ry+(y-cy)*(y-cy)*rx*rx <= rx*rx*ry*ry
	}
	dark, light := shade(cloth, 150), rgb{min(255, cloth.r+40), min(255, cloth.g+40), min(255, cloth.b+40)}
	for y := cy - ry; y < cy+ry; y++ {
		for x := cx - rx; x < cx+rx; x++ {
			if !inside(x, y) {
				continue
			}
			switch (x + y) % 5 {
			case 0:
				c.blend(x, y, dark, 170)
			case 2:
				c.blend(x, y, light, 110)
			}
		}
	}
}

// clipped runs draw with blend limited to the pixels keep accepts.
func (c *canvas) clipped(keep func(x, y int) bool, draw func()) {
	old := c.keep
	c.keep = keep
	draw()
	c.keep = old
}
