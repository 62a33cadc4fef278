// Package jsonrpc holds the JSON-RPC 2.0 error object accountd writes,
// shared by the server (rpc) and its clients (rpc/client).
package jsonrpc

import "github.com/accountd/accountd/services"

// Error is a JSON-RPC error object. Data is left out when empty.
type Error struct {
	Code    int        `json:"code"`
	Message string     `json:"message"`
	Data    *ErrorData `json:"data,omitempty"`
}

// ErrorData carries a stable UPPER_SNAKE reason, a detail for people and, for
// invalid params, every bad field.
type ErrorData struct {
	Reason string                `json:"reason,omitempty"`
	Detail string                `json:"detail,omitempty"`
	Fields []services.FieldError `json:"fields,omitempty"`
	// RetryAfterSeconds tells a rate-limited caller when to try again.
	RetryAfterSeconds int `json:"retryAfterSeconds,omitempty"`
	// AttemptsLeft tells how many more codes an operation accepts.
	AttemptsLeft *int `json:"attemptsLeft,omitempty"`
	// BRICode is BRI's response code for a refused name inquiry.
	BRICode string `json:"briCode,omitempty"`
	// OnboardingID and State name a refused onboarding call's package and
	// the state it is in; Checks lists every check of a refused step.
	OnboardingID string               `json:"onboardingId,omitempty"`
	State        string               `json:"state,omitempty"`
	Checks       []services.EKYCCheck `json:"checks,omitempty"`
}

func (e *Error) Error() string { return e.Message }
