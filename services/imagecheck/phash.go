package imagecheck

import (
	"image"
	"math"
	"math/bits"
	"slices"
)

// hashSide is the side of the square grey picture the hash is taken from,
// and hashFreqs the number of lowest frequencies kept along each axis.
const (
	hashSide  = 32
	hashFreqs = 8
)

// PHash is the 64-bit perceptual hash of img (DCT pHash): the grey picture is
// box-scaled to 32x32, whatever its aspect ratio, and transformed by a 2-D
// DCT; bit 8*v+u is set when the coefficient of vertical frequency v and
// horizontal frequency u (both under 8) is above the median of those 64.
// Re-encoding, scaling and small changes of brightness or framing change few
// bits; see Distance. An empty picture hashes to 0.
func PHash(img image.Image) uint64 {
	return greyPlane(img).phash()
}

// Distance is the Hamming distance of two hashes: how many of the 64 bits
// differ. Two pictures at 10 or less are very likely the same picture.
func Distance(a, b uint64) int {
	return bits.OnesCount64(a ^ b)
}

func (p plane) phash() uint64 {
	if p.w == 0 || p.h == 0 {
		return 0
	}
	coef := lowFrequencies(p.resize(hashSide, hashSide))
	sorted := coef
	slices.Sort(sorted[:])
	median := (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	var h uint64
	for i, c := range coef {
		if c > median {
			h |= 1 << i
		}
	}
	return h
}

// dctBasis[u][x] is the orthonormal DCT-II basis: the weight of sample x in
// frequency u, for hashSide samples.
var dctBasis = func() (b [hashFreqs][hashSide]float64) {
	for u := range b {
		scale := math.Sqrt(2.0 / hashSide)
		if u == 0 {
			scale = math.Sqrt(1.0 / hashSide)
		}
		for x := range b[u] {
			b[u][x] = scale * math.Cos(float64(2*x+1)*float64(u)*math.Pi/(2*hashSide))
		}
	}
	return b
}()

// lowFrequencies returns the lowest 8x8 coefficients of the 2-D DCT of a
// hashSide x hashSide picture, index 8*v+u.
func lowFrequencies(pix []float32) [hashFreqs * hashFreqs]float64 {
	var across [hashSide][hashFreqs]float64 // each row transformed
	for y := range hashSide {
		row := pix[y*hashSide : (y+1)*hashSide]
		for u := range hashFreqs {
			var s float64
			for x, v := range row {
				s += dctBasis[u][x] * float64(v)
			}
			across[y][u] = s
		}
	}
	var out [hashFreqs * hashFreqs]float64
	for v := range hashFreqs {
		for u := range hashFreqs {
			var s float64
			for y := range hashSide {
				s += dctBasis[v][y] * across[y][u]
			}
			out[hashFreqs*v+u] = s
		}
	}
	return out
}

// Detail is a 256-bit difference hash: finer than the 64-bit PHash, it tells
// apart pictures that share a layout (two people's cards of one issuer,
// two portraits against the same wall) that PHash may find alike.
type Detail [4]uint64

// detailW and detailH are the size of the grey picture DetailHash compares
// neighbours in: 16 comparisons across each of 16 rows.
const detailW, detailH = 17, 16

// DetailHash is the 256-bit difference hash of img: the grey picture is
// box-scaled to 17x16 and bit 16*y+x is set when the pixel (x+1, y) is
// brighter than (x, y).
func DetailHash(img image.Image) Detail {
	return greyPlane(img).detailHash()
}

func (p plane) detailHash() Detail {
	var d Detail
	if p.w == 0 || p.h == 0 {
		return d
	}
	pix := p.resize(detailW, detailH)
	for y := range detailH {
		for x := range detailW - 1 {
			if pix[y*detailW+x+1] > pix[y*detailW+x] {
				i := y*(detailW-1) + x
				d[i/64] |= 1 << (i % 64)
			}
		}
	}
	return d
}

// DetailDistance is the Hamming distance of two detail hashes, of 256 bits.
// A picture and its re-encoded, rescaled or slightly cropped copy are
// usually within 20; different pictures of one layout 30 or more.
func DetailDistance(a, b Detail) int {
	n := 0
	for i := range a {
		n += bits.OnesCount64(a[i] ^ b[i])
	}
	return n
}

// DetailSame is the DetailDistance at or under which two pictures whose
// perceptual hashes are close are the same picture.
const DetailSame = 20

// Same reports whether two pictures are the same picture: their perceptual
// hashes within maxDistance bits and their detail hashes within DetailSame.
func Same(hashA, hashB uint64, detailA, detailB Detail, maxDistance int) bool {
	return Distance(hashA, hashB) <= maxDistance && DetailDistance(detailA, detailB) <= DetailSame
}
