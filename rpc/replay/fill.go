package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/accountd/accountd/rpc/client"
)

// jsonVar prefixes the hidden copy of a captured value that is not a
// string; the prefix cannot appear in a placeholder name.
const jsonVar = "json:"

var (
	rePlaceholder       = regexp.MustCompile(`\{\{([A-Za-z][A-Za-z0-9_]*)(\|lower|\|upper)?\}\}`)
	reQuotedPlaceholder = regexp.MustCompile(`"\{\{([A-Za-z][A-Za-z0-9_]*)\}\}"`)
)

// varValue is the value a placeholder match stands for: the variable's
// value, in lower or upper case for {{name|lower}} and {{name|upper}}.
func varValue(m string, vars map[string]string) (string, bool) {
	sub := rePlaceholder.FindStringSubmatch(m)
	v, ok := vars[sub[1]]
	switch sub[2] {
	case "|lower":
		v = strings.ToLower(v)
	case "|upper":
		v = strings.ToUpper(v)
	}
	return v, ok
}

// fillText replaces {{name}} with the variable's value; unknown names stay.
func fillText(s string, vars map[string]string) string {
	return rePlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := varValue(m, vars); ok {
			return v
		}
		return m
	})
}

// fillJSON fills placeholders inside the string values of a JSON document.
func fillJSON(raw json.RawMessage, vars map[string]string) (json.RawMessage, error) {
	v, err := decode(raw)
	if err != nil {
		return nil, fmt.Errorf("fixture JSON: %w", err)
	}
	v, err = fillValue(v, vars)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func fillValue(v any, vars map[string]string) (any, error) {
	switch t := v.(type) {
	case string:
		// A whole "{{name}}" naming a captured object, array or number
		// stands for that value itself.
		if m := rePlaceholder.FindStringSubmatch(t); m != nil && m[0] == t && m[2] == "" {
			if raw, ok := vars[jsonVar+m[1]]; ok {
				return decode([]byte(raw))
			}
		}
		out := fillText(t, vars)
		if m := rePlaceholder.FindString(out); m != "" {
			return nil, fmt.Errorf("unknown variable %s", m)
		}
		return out, nil
	case map[string]any:
		for k, e := range t {
			f, err := fillValue(e, vars)
			if err != nil {
				return nil, err
			}
			t[k] = f
		}
	case []any:
		for i, e := range t {
			f, err := fillValue(e, vars)
			if err != nil {
				return nil, err
			}
			t[i] = f
		}
	}
	return v, nil
}

// fillRaw fills the placeholders of JSON text in place, JSON-escaping the
// values, so that the text keeps its member order and spacing.
func fillRaw(raw json.RawMessage, vars map[string]string) (json.RawMessage, error) {
	var unknown string
	// A whole "{{name}}" naming a captured number or object stands for that
	// value itself, as in expectations: "pageNo": "{{total}}" sends a number.
	text := reQuotedPlaceholder.ReplaceAllStringFunc(string(raw), func(m string) string {
		if v, ok := vars[jsonVar+m[3:len(m)-3]]; ok {
			return v
		}
		return m
	})
	text = rePlaceholder.ReplaceAllStringFunc(text, func(m string) string {
		v, ok := varValue(m, vars)
		if !ok {
			if m != "{{signature}}" {
				unknown = m
			}
			return m
		}
		esc, _ := json.Marshal(v)
		return string(esc[1 : len(esc)-1])
	})
	if unknown != "" {
		return nil, fmt.Errorf("unknown variable %s", unknown)
	}
	return json.RawMessage(text), nil
}

// fillBody fills a raw body's placeholders, then signs the request as it
// stands for {{signature}}: ACCOUNTD-V2 over the method, the id's text,
// params.api.timestamp and the payload's bytes when the body has a
// timestamp, the payload's bytes alone otherwise.
func fillBody(raw json.RawMessage, vars map[string]string, key *client.KeyFile) ([]byte, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	filled, err := fillRaw(raw, vars)
	if err != nil {
		return nil, err
	}
	text := string(filled)
	if !strings.Contains(text, "{{signature}}") {
		return []byte(text), nil
	}
	var env struct {
		Method string          `json:"method"`
		ID     json.RawMessage `json:"id"` // the exact text, as signed
		Params struct {
			API struct {
				Timestamp *string `json:"timestamp"`
			} `json:"api"`
			Payload json.RawMessage `json:"payload"`
		} `json:"params"`
	}
	if err := json.Unmarshal([]byte(text), &env); err != nil || env.Params.Payload == nil {
		return nil, errors.New("{{signature}} needs a JSON body with params.payload")
	}
	// With params.api.timestamp the body is signed ACCOUNTD-V2, without it
	// payload-only (NetXD's form).
	var sig string
	if env.Params.API.Timestamp != nil {
		sig, err = key.SignV2(env.Method, env.ID, *env.Params.API.Timestamp, env.Params.Payload)
	} else {
		sig, err = key.SignPayload(env.Params.Payload)
	}
	if err != nil {
		return nil, err
	}
	return []byte(strings.ReplaceAll(text, "{{signature}}", sig)), nil
}
