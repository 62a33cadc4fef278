package imagecheck

import (
	"image"
	"math"
)

// workSide is the longer side of the picture the sharpness is measured on,
// so that one threshold fits pictures of every size.
const workSide = 640

// clipLevel is the grey level from which a pixel counts as washed out.
const clipLevel = 250

type metrics struct {
	sharpness, brightness, glare float64
	hash                         uint64
	detail                       Detail
}

func measure(img image.Image) metrics {
	p := greyPlane(img)
	if p.w == 0 || p.h == 0 {
		return metrics{}
	}
	var m metrics
	m.brightness, m.glare = p.stats()
	w, h := workingSize(p.w, p.h)
	m.sharpness = laplacianVariance(p.resize(w, h), w, h)
	m.hash = p.phash()
	m.detail = p.detailHash()
	return m
}

// plane is an 8-bit grey picture: the pixel (x, y) is pix[y*stride+x].
type plane struct {
	pix          []uint8
	stride, w, h int
}

// greyPlane returns the grey levels of img. The luma of a JPEG, and a grey
// picture, are used as they are; other pictures are converted as
// color.GrayModel converts, composed over black where transparent.
func greyPlane(img image.Image) plane {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return plane{}
	}
	switch m := img.(type) {
	case *image.YCbCr:
		return plane{pix: m.Y[m.YOffset(b.Min.X, b.Min.Y):], stride: m.YStride, w: w, h: h}
	case *image.Gray:
		return plane{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], stride: m.Stride, w: w, h: h}
	}
	p := plane{pix: make([]uint8, w*h), stride: w, w: w, h: h}
	for y := range h {
		row, sy := p.pix[y*w:(y+1)*w], b.Min.Y+y
		switch m := img.(type) {
		case *image.RGBA: // the PNG decoder's opaque colour pictures
			src := m.Pix[m.PixOffset(b.Min.X, sy):]
			for x := range row {
				r, g, b := uint32(src[4*x]), uint32(src[4*x+1]), uint32(src[4*x+2])
				row[x] = uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 16)
			}
		case image.RGBA64Image: // every other picture type of the standard library
			for x := range row {
				c := m.RGBA64At(b.Min.X+x, sy)
				row[x] = luma16(uint32(c.R), uint32(c.G), uint32(c.B))
			}
		default:
			for x := range row {
				r, g, b, _ := img.At(b.Min.X+x, sy).RGBA()
				row[x] = luma16(r, g, b)
			}
		}
	}
	return p
}

// luma16 is the 8-bit grey level of 16-bit red, green and blue, weighted as
// color.GrayModel weighs them.
func luma16(r, g, b uint32) uint8 {
	return uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 24)
}

// stats returns the mean grey level and the share of pixels at clipLevel or
// over.
func (p plane) stats() (mean, clipped float64) {
	var sum, clip uint64
	for y := range p.h {
		for _, v := range p.pix[y*p.stride : y*p.stride+p.w] {
			sum += uint64(v)
			if v >= clipLevel {
				clip++
			}
		}
	}
	n := float64(p.w * p.h)
	return float64(sum) / n, float64(clip) / n
}

// workingSize scales w x h down to a longer side of workSide, keeping the
// aspect ratio; a smaller picture keeps its size.
func workingSize(w, h int) (int, int) {
	long := max(w, h)
	if long <= workSide {
		return w, h
	}
	return max(1, (w*workSide+long/2)/long), max(1, (h*workSide+long/2)/long)
}

// tap is one destination pixel of an area-average resize along one axis:
// the weighted mean of the source pixels first, first+1, ...
type tap struct {
	first   int
	weights []float32
}

// taps spreads src pixels over dst pixels: each destination pixel is the
// mean of the source interval it covers, partial pixels counted by the part
// covered.
func taps(src, dst int) []tap {
	t := make([]tap, dst)
	scale := float64(src) / float64(dst)
	for i := range t {
		lo, hi := float64(i)*scale, float64(i+1)*scale
		first, last := int(lo), min(src, int(math.Ceil(hi)))
		last = max(last, first+1)
		t[i] = tap{first: first, weights: make([]float32, last-first)}
		for j := first; j < last; j++ {
			covered := min(hi, float64(j+1)) - max(lo, float64(j))
			t[i].weights[j-first] = float32(covered / (hi - lo))
		}
	}
	return t
}

// resize returns the plane scaled to w x h by area averaging (a box filter),
// row by row: pix[y*w+x].
func (p plane) resize(w, h int) []float32 {
	tx, ty := taps(p.w, w), taps(p.h, h)
	rows := make([]float32, p.h*w) // scaled across, not yet down
	for y := range p.h {
		src, dst := p.pix[y*p.stride:y*p.stride+p.w], rows[y*w:(y+1)*w]
		for x, t := range tx {
			var s float32
			for k, wt := range t.weights {
				s += wt * float32(src[t.first+k])
			}
			dst[x] = s
		}
	}
	out := make([]float32, w*h)
	for y, t := range ty {
		dst := out[y*w : (y+1)*w]
		for k, wt := range t.weights {
			src := rows[(t.first+k)*w : (t.first+k+1)*w]
			for x, v := range src {
				dst[x] += wt * v
			}
		}
	}
	return out
}

// laplacianVariance is the variance of the 4-neighbour Laplacian over the
// inner pixels of a w x h grey picture; 0 for a picture too small to have
// any.
func laplacianVariance(pix []float32, w, h int) float64 {
	if w < 3 || h < 3 {
		return 0
	}
	var sum, squares float64
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			l := float64(pix[i-1] + pix[i+1] + pix[i-w] + pix[i+w] - 4*pix[i])
			sum += l
			squares += l * l
		}
	}
	n := float64((w - 2) * (h - 2))
	mean := sum / n
	return squares/n - mean*mean
}
