package payload

import (
	"encoding/json"
)

// Member is one member of a JSON object, as sent.
type Member struct {
	Name  string
	Value json.RawMessage
}

// Members returns the members of a JSON object in order, duplicates
// included; ok is false when raw is not one JSON object (whitespace may
// follow it). Each value is the exact bytes of the member's value in raw
// (a slice of raw, not a copy), without the whitespace around it.
//
// It reads raw in one pass without allocating more than the result: every
// request is split this way three or four times (the request object,
// params, params.api, the payload), which through json.Decoder's tokens
// took a tenth of a signed read's time.
func Members(raw json.RawMessage) ([]Member, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	s := scanner{b: raw, i: 1}
	s.space()
	if s.peek() == '}' {
		s.i++
		return nil, s.end()
	}
	out := make([]Member, 0, 4) // the request, params and api have 2 to 4
	for {
		s.space()
		start := s.i
		if !s.str() {
			return nil, false
		}
		name, ok := memberName(raw[start:s.i])
		s.space()
		if !ok || s.peek() != ':' {
			return nil, false
		}
		s.i++
		s.space()
		start = s.i
		if !s.value(1) { // the object itself is the first level
			return nil, false
		}
		out = append(out, Member{Name: name, Value: raw[start:s.i]})
		s.space()
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return out, s.end()
		default:
			return nil, false
		}
	}
}

// memberName decodes a member name's JSON string as encoding/json does
// (invalid UTF-8 and lone surrogates become U+FFFD): plain ASCII without
// escapes, by far the usual case, is taken as it stands.
func memberName(quoted []byte) (string, bool) {
	plain := true
	for _, c := range quoted[1 : len(quoted)-1] {
		if c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return envelopeName(quoted[1 : len(quoted)-1]), true
	}
	var name string
	return name, json.Unmarshal(quoted, &name) == nil
}

// envelopeName is name as a string, without allocating one for the names
// every request carries.
func envelopeName(name []byte) string {
	switch string(name) {
	case "jsonrpc":
		return "jsonrpc"
	case "method":
		return "method"
	case "id":
		return "id"
	case "params":
		return "params"
	case "api":
		return "api"
	case "payload":
		return "payload"
	case "keyId":
		return "keyId"
	case "credential":
		return "credential"
	case "signature":
		return "signature"
	case "timestamp":
		return "timestamp"
	}
	return string(name)
}

// maxDepth is how deeply arrays and objects may nest, as in encoding/json.
const maxDepth = 10000

// scanner checks JSON text by the grammar of RFC 8259 (strings are not
// checked for valid UTF-8, as encoding/json does not check them either).
type scanner struct {
	b []byte
	i int
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// end reports whether nothing but whitespace is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// value skips one value; depth is how deeply it is nested.
func (s *scanner) value(depth int) bool {
	switch c := s.peek(); {
	case c == '"':
		return s.str()
	case c == '{' || c == '[':
		return depth < maxDepth && s.container(depth+1)
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return false
}

// container skips an object or an array.
func (s *scanner) container(depth int) bool {
	closer := byte(']')
	object := s.b[s.i] == '{'
	if object {
		closer = '}'
	}
	s.i++
	s.space()
	if s.peek() == closer {
		s.i++
		return true
	}
	for {
		s.space()
		if object {
			if !s.str() {
				return false
			}
			s.space()
			if s.peek() != ':' {
				return false
			}
			s.i++
			s.space()
		}
		if !s.value(depth) {
			return false
		}
		s.space()
		switch s.peek() {
		case ',':
			s.i++
		case closer:
			s.i++
			return true
		default:
			return false
		}
	}
}

// str skips a string.
func (s *scanner) str() bool {
	if s.peek() != '"' {
		return false
	}
	for s.i++; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			s.i++
			switch s.peek() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if s.i+4 >= len(s.b) || !hex4(s.b[s.i+1:s.i+5]) {
					return false
				}
				s.i += 4
			default:
				return false
			}
		}
	}
	return false
}

func hex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// number skips a number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func (s *scanner) number() bool {
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		return false
	}
	if s.peek() == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits skips one or more digits.
func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

func (s *scanner) literal(word string) bool {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}
