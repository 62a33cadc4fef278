package rpc

import (
	"context"
	"net/http"

	"github.com/accountd/accountd/services"
)

// methodInfo describes a method beyond what gorilla/rpc knows.
type methodInfo struct {
	// mutates marks methods that change data: they are idempotent per
	// request id, and are not executed as notifications.
	mutates bool
	// summary is the method's one-line summary in the OpenRPC document.
	summary string
}

// methodTable lists every method the server answers. NewHandler checks that
// each is registered with gorilla/rpc, and a test checks the converse.
var methodTable = map[string]methodInfo{
	"CustomerService.AddCustomer": {mutates: true, summary: "Create an individual or business customer"},
	"CustomerService.GetCustomer": {summary: "Find a customer by one criterion, with its accounts"},
	"CustomerService.AddAccount":  {mutates: true, summary: "Open an account for a customer"},
	"AccountService.GetDetails":   {summary: "Return one account"},
	"AccountService.ListAccounts": {summary: "Return a page of a customer's accounts"},
}

func known(method string) bool {
	_, ok := methodTable[method]
	return ok
}

// Methods returns the names of every method, for documentation and tests.
func Methods() []string {
	out := make([]string, 0, len(methodTable))
	for m := range methodTable {
		out = append(out, m)
	}
	return out
}

// serviceReceivers returns the gorilla/rpc receivers by service name.
func serviceReceivers(svc *services.Service) map[string]any {
	return map[string]any{
		"CustomerService": &CustomerService{svc: svc},
		"AccountService":  &AccountService{svc: svc},
	}
}

// invoke runs a service operation for a dispatched request.
func invoke[I, O any](r *http.Request, in *I, out *O, op func(context.Context, services.Call, I) (O, error)) error {
	res, err := op(r.Context(), callFrom(r), *in)
	if err != nil {
		return err
	}
	*out = res
	return nil
}

// CustomerService is NetXD's CustomerService.
type CustomerService struct{ svc *services.Service }

// AddCustomer creates an individual or business customer.
func (s *CustomerService) AddCustomer(r *http.Request, in *services.AddCustomerInput, out *services.AddCustomerResult) error {
	return invoke(r, in, out, s.svc.AddCustomer)
}

// GetCustomer finds a customer by one criterion and returns it with its accounts.
func (s *CustomerService) GetCustomer(r *http.Request, in *services.GetCustomerInput, out *services.CustomerView) error {
	return invoke(r, in, out, s.svc.GetCustomer)
}

// AddAccount opens an account for a customer.
func (s *CustomerService) AddAccount(r *http.Request, in *services.AddAccountInput, out *services.AddAccountResult) error {
	return invoke(r, in, out, s.svc.AddAccount)
}

// AccountService holds the account queries.
type AccountService struct{ svc *services.Service }

// GetDetails returns one account.
func (s *AccountService) GetDetails(r *http.Request, in *services.GetDetailsInput, out *services.AccountDetails) error {
	return invoke(r, in, out, s.svc.GetDetails)
}

// ListAccounts returns a page of a customer's accounts.
func (s *AccountService) ListAccounts(r *http.Request, in *services.ListAccountsInput, out *services.AccountPage) error {
	return invoke(r, in, out, s.svc.ListAccounts)
}
