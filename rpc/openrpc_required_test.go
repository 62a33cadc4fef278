package rpc

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// requiredWithOthers names the payload members a method refuses to go
// without only in some cases (another member can stand in for them, or
// the customer's type asks for them): the schema cannot say they are
// required, and their example leaves them REQUIRED when dropped.
var requiredWithOthers = map[string][]string{
	"AccountService.ActivateAccount":           {"accountId"},     // or accountNumber
	"AccountService.GetDetails":                {"accountId"},     // or ID
	"AccountService.FreezeAccount":             {"accountNumber"}, // or accountId
	"AccountService.UnfreezeAccount":           {"accountNumber"}, // or accountId
	"AccountService.UpdateAccountStatus":       {"accountNumber"}, // or accountId
	"AccountService.GetStatusHistory":          {"accountNumber"}, // or accountId
	"AccountService.SearchNiceNumbers":         {"pattern"},       // or category
	"CustomerService.AddCustomer":              {"DOB", "firstName", "lastName"},
	"OnboardingService.SubmitFatcaDeclaration": {"countryOfCitizenship", "evidence", "residenceCountry"}, // for W8BEN
}

// TestRequiredMembers: for every method, the payload members its schema
// requires are refused with REQUIRED when left out of its example (a real
// call through the handler), and no other member of the example is,
// except those required only with others.
func TestRequiredMembers(t *testing.T) {
	doc, _ := readDoc(t)
	examples, err := methodExamples()
	if err != nil {
		t.Fatal(err)
	}
	f := newFreshHandler(t)
	for _, name := range slices.Sorted(maps.Keys(methodTable)) {
		m, _ := doc.method(name)
		required := requiredNames(doc.schema(t, m.Params[1].Schema))
		if !slices.Equal(required, slices.Sorted(slices.Values(methodTable[name].required))) {
			t.Errorf("%s: the schema requires %q, the method table %q", name, required, methodTable[name].required)
		}
		var payload map[string]json.RawMessage
		if err := json.Unmarshal(examples[name].Payload, &payload); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, member := range required {
			if _, ok := payload[member]; !ok {
				t.Errorf("%s: the example leaves out %s, which the schema requires", name, member)
			}
		}
		for _, member := range slices.Sorted(maps.Keys(payload)) {
			without := maps.Clone(payload)
			delete(without, member)
			b, _ := json.Marshal(without)
			refused := refusedAsRequired(f.call(t, name, b), member)
			switch want := slices.Contains(required, member); {
			case want && !refused:
				t.Errorf("%s: the schema requires %s, but a call without it is not refused with REQUIRED", name, member)
			case !want && refused && !slices.Contains(requiredWithOthers[name], member):
				t.Errorf("%s: a call without %s is refused with REQUIRED, but the schema does not require it (add it to the method table's required)", name, member)
			}
		}
	}
}

// refusedAsRequired reports whether e is -32602 naming member, or a member
// within it, as REQUIRED.
func refusedAsRequired(e *Error, member string) bool {
	if e == nil || e.Code != CodeInvalidParams || e.Data == nil {
		return false
	}
	for _, f := range e.Data.Fields {
		if f.Reason == "REQUIRED" && (f.Field == member || strings.HasPrefix(f.Field, member+".")) {
			return true
		}
	}
	return false
}
