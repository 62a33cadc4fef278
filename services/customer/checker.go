package customer

import "github.com/accountd/accountd/services"

// checker collects the field errors of one input: the kernel's checks and
// this domain's own.
type checker struct{ services.Checker }
