package reference

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestReferenceRendersWhatTheDocumentSays: the method reference shows
// what an OpenRPC document may carry beyond today's (required members,
// enums, titles, examples, per-method errors, example pairings, unknown
// keywords and extensions), so that the page keeps up with the document
// without a change to the renderer.
func TestReferenceRendersWhatTheDocumentSays(t *testing.T) {
	const doc = `{
	  "methods": [{
	    "name": "AccountService.GetDetails", "summary": "Return one account", "x-mutates": false, "x-owner": "account",
	    "params": [{"name": "payload", "required": true, "schema": {"$ref": "#/components/schemas/GetDetailsInput"}}],
	    "result": {"name": "AccountDetails", "schema": {"$ref": "#/components/schemas/AccountDetails"}},
	    "errors": [{"$ref": "#/components/errors/NOT_FOUND_ACCOUNT"}, {"code": 7001, "message": "inline", "data": {"reason": "INLINE_ERROR"}}],
	    "examples": [{"name": "one account", "params": [{"name": "payload", "value": {"accountId": "633029192219425"}}],
	                  "result": {"name": "AccountDetails", "value": {"status": "ACTIVE"}}}]
	  }],
	  "components": {
	    "schemas": {
	      "GetDetailsInput": {"type": "object", "title": "Which account", "required": ["accountId"],
	        "properties": {"accountId": {"type": "string", "maxLength": 64, "title": "Account number", "examples": ["633029192219425"], "pattern": "^[0-9]+$"}}},
	      "AccountDetails": {"type": "object", "properties": {
	        "status": {"type": "string", "enum": ["ACTIVE", "DORMANT"]},
	        "holder": {"$ref": "#/components/schemas/Holder"}}},
	      "Holder": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
	    },
	    "errors": {"NOT_FOUND_ACCOUNT": {"code": 2001, "message": "account not found", "data": {"reason": "NOT_FOUND_ACCOUNT"}}}
	  }
	}`
	var parsed map[string]any
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatal(err)
	}
	page := string(newRefWriter(parsed).methodsPage())
	for _, want := range []string{
		"| `accountId` | string | yes | Account number; e.g. `\"633029192219425\"`; at most 64 characters; pattern: \"^[0-9]+$\" |",
		"| `status` | string | no | one of `\"ACTIVE\"`, `\"DORMANT\"` |",
		"| `holder` | [Holder](#holder) | no |  |",
		"Which account\n\n| member |",
		"### Holder",
		"| `name` | string | yes |  |",
		"**Errors** ([reference](errors.md)): 2001 `NOT_FOUND_ACCOUNT`, 7001 `INLINE_ERROR`.",
		"- `x-owner`: \"account\"",
		"**Example** one account",
		"\"accountId\": \"633029192219425\"",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
}
