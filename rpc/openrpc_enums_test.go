package rpc

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// enumCases says where each enum of memberEnums is checked: a method, a
// payload (its example when empty) and the member's path in it.
var enumCases = map[string]struct {
	method, payload string
	path            []string
}{
	"AddAccountInput.accountType":         {"CustomerService.AddAccount", "", []string{"accountType"}},
	"AddAccountInput.currency":            {"CustomerService.AddAccount", "", []string{"currency"}},
	"AddAccountInput.custodialType":       {"CustomerService.AddAccount", `{"customerID":"123456789012","name":"KID","accountType":"CUSTODIAL","currency":"USD","custodialCustomerID":"223456789012"}`, []string{"custodialType"}},
	"ListAccountsInput.accountType":       {"AccountService.ListAccounts", "", []string{"accountType"}},
	"ListAccountsInput.status":            {"AccountService.ListAccounts", "", []string{"status"}},
	"UpdateAccountStatusInput.status":     {"AccountService.UpdateAccountStatus", "", []string{"status"}},
	"FreezeAccountInput.reasonCode":       {"AccountService.FreezeAccount", "", []string{"reasonCode"}},
	"UpdateProtectAgreementInput.channel": {"CustomerService.UpdateProtectAgreement", "", []string{"channel"}},
	"OnboardComboInput.channel":           {"CustomerService.OnboardCombo", "", []string{"channel"}},
	"OnboardComboInput.currency":          {"CustomerService.OnboardCombo", "", []string{"currency"}},
	"OpenCurrentAccountInput.currency":    {"CustomerService.OpenCurrentAccount", "", []string{"currency"}},
	"InitCustomerInfoInput.channel":       {"OnboardingService.InitCustomerInfo", "", []string{"channel"}},
	"InitCustomerInfoInput.currency":      {"OnboardingService.InitCustomerInfo", "", []string{"currency"}},
	"InitCustomerInfoInput.gender":        {"OnboardingService.InitCustomerInfo", "", []string{"gender"}},
	"AddCustomerInput.type":               {"CustomerService.AddCustomer", "", []string{"type"}},
	"AddCustomerInput.gender":             {"CustomerService.AddCustomer", "", []string{"gender"}},
	"Identification.type":                 {"CustomerService.UpdateBlacklist", `{"identification":{"type":"PASSPORT","value":"X1234567"},"action":"ADD","reason":"test"}`, []string{"identification", "type"}},
	"UpdateUserStatusInput.status":        {"UserService.UpdateUserStatus", "", []string{"status"}},
	"SearchNiceNumbersInput.category":     {"AccountService.SearchNiceNumbers", `{"category":"X","length":8}`, []string{"category"}},
	"ValidateLegalIDInput.gender":         {"CustomerService.ValidateLegalID", "", []string{"gender"}},
	"ValidateEKYCInput.gender":            {"CustomerService.ValidateEKYC", "", []string{"gender"}},
	"ValidateNameInput.currency":          {"AccountService.ValidateName", "", []string{"currency"}},
	"UploadIDCardInput.side":              {"OnboardingService.UploadIDCard", "", []string{"side"}},
	"SubmitFatcaDeclarationInput.form":    {"OnboardingService.SubmitFatcaDeclaration", "", []string{"form"}},
}

// TestEnumsMatchServices: each enum in the document is the set the method
// accepts: every value passes the member's check, a value outside it is
// refused, and where the refusal lists the accepted values ("must be one
// of ..."), the list is the enum.
func TestEnumsMatchServices(t *testing.T) {
	doc, _ := readDoc(t)
	examples, err := methodExamples()
	if err != nil {
		t.Fatal(err)
	}
	f := newFreshHandler(t)
	for _, key := range slices.Sorted(maps.Keys(memberEnums)) {
		c, ok := enumCases[key]
		if !ok {
			t.Errorf("%s has no case in enumCases", key)
			continue
		}
		typ, member, _ := strings.Cut(key, ".")
		prop, _ := doc.Components.Schemas[typ]["properties"].(map[string]any)[member].(map[string]any)
		var enum []string
		for _, v := range prop["enum"].([]any) {
			enum = append(enum, v.(string))
		}
		if !slices.Equal(enum, memberEnums[key]()) || len(enum) == 0 {
			t.Errorf("%s: the document's enum %q is not the service's", key, enum)
		}
		payload := c.payload
		if payload == "" {
			payload = string(examples[c.method].Payload)
		}
		field := strings.Join(c.path, ".")
		for _, v := range enum {
			if fe := fieldRefusal(f.call(t, c.method, withMember(t, payload, c.path, v)), field); fe != nil {
				t.Errorf("%s: %s refuses %s %q, which the enum lists: %s", key, c.method, field, v, fe.Message)
			}
		}
		fe := fieldRefusal(f.call(t, c.method, withMember(t, payload, c.path, "NOT_A_VALUE")), field)
		if fe == nil {
			t.Errorf("%s: %s takes %s \"NOT_A_VALUE\", which the enum does not list", key, c.method, field)
			continue
		}
		if _, list, ok := strings.Cut(fe.Message, "must be one of "); ok {
			if got := strings.Split(list, ", "); !sameSet(got, enum) {
				t.Errorf("%s: %s accepts %q, the enum lists %q", key, c.method, got, enum)
			}
		}
	}
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// fieldRefusal is e's INVALID_VALUE or INVALID_FORMAT entry for field, or nil.
func fieldRefusal(e *Error, field string) *struct{ Message string } {
	if e == nil || e.Code != CodeInvalidParams || e.Data == nil {
		return nil
	}
	for _, fe := range e.Data.Fields {
		if fe.Field == field && (fe.Reason == "INVALID_VALUE" || fe.Reason == "INVALID_FORMAT") {
			return &struct{ Message string }{fe.Message}
		}
	}
	return nil
}

// withMember sets the member at path of a JSON object to value.
func withMember(t *testing.T, payload string, path []string, value string) []byte {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal([]byte(payload), &obj); err != nil {
		t.Fatal(err)
	}
	m := obj
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = value
	b, _ := json.Marshal(obj)
	return b
}
