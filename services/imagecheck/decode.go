package imagecheck

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
)

// picture is what could be read of the bytes.
type picture struct {
	// kind is JPEG or PNG, the name of another picture format recognised
	// by its magic bytes (GIF, WEBP, ...), or "" for anything else.
	kind          string
	header        bool // the JPEG or PNG header was read: width and height are known
	width, height int
	tooManyPixels bool        // over the limit, so not decoded
	img           image.Image // nil when not decoded
}

// readable tells whether the bytes are a JPEG or PNG that could be read as
// far as the rules let it be read.
func (p picture) readable() bool {
	return p.header && (p.img != nil || p.tooManyPixels)
}

// load sniffs the format, reads the header and, when the picture has no more
// than maxPixels pixels, decodes it. The decoders are called by format rather
// than through image.Decode, so that a decoder some other package registers
// (GIF, WebP) never widens what is accepted here. A decoder panic counts as
// an unreadable picture.
func load(data []byte, maxPixels int) (p picture) {
	p.kind = sniff(data)
	if p.kind != JPEG && p.kind != PNG {
		return p
	}
	defer func() {
		if recover() != nil {
			p.img = nil
		}
	}()
	decodeConfig, decode := jpeg.DecodeConfig, jpeg.Decode
	if p.kind == PNG {
		decodeConfig, decode = png.DecodeConfig, png.Decode
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return p
	}
	p.header, p.width, p.height = true, cfg.Width, cfg.Height
	if cfg.Width > maxPixels/cfg.Height {
		p.tooManyPixels = true
		return p
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != cfg.Width || img.Bounds().Dy() != cfg.Height {
		return p
	}
	p.img = img
	return p
}

// magics are the first bytes of the picture formats recognised. Only JPEG
// and PNG are decoded; the others are named in the UNSUPPORTED_FORMAT
// message.
var magics = []struct {
	kind   string
	offset int
	magic  string
}{
	{JPEG, 0, "\xff\xd8\xff"},
	{PNG, 0, "\x89PNG\r\n\x1a\n"},
	{"GIF", 0, "GIF87a"},
	{"GIF", 0, "GIF89a"},
	{"BMP", 0, "BM"},
	{"TIFF", 0, "II*\x00"},
	{"TIFF", 0, "MM\x00*"},
	{"WEBP", 8, "WEBP"}, // after "RIFF" and a length
	{"HEIC", 4, "ftypheic"},
	{"HEIC", 4, "ftypheix"},
	{"HEIC", 4, "ftypmif1"},
	{"AVIF", 4, "ftypavif"},
}

// sniff names the picture format of data from its first bytes, or returns
// "" when it is none it knows.
func sniff(data []byte) string {
	for _, m := range magics {
		end := m.offset + len(m.magic)
		if len(data) >= end && string(data[m.offset:end]) == m.magic {
			if m.kind == "WEBP" && string(data[:4]) != "RIFF" {
				continue
			}
			return m.kind
		}
	}
	return ""
}
