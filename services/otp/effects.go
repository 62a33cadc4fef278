package otp

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/accountd/accountd/services"
)

// Effect is what confirming an operation of one kind does. The domain that
// starts operations of a kind registers its effect with Service.Register;
// OTP itself knows none of them.
type Effect struct {
	// Purpose completes the code's message: "Your code to <Purpose> is ...".
	Purpose string
	// Apply makes the confirmed change in the confirming transaction.
	Apply func(ctx context.Context, tx services.Tx, call services.Call, op Operation) (OperationConfirmed, error)
	// Failed, when set, runs in the same transaction when the operation
	// fails at its last wrong code.
	Failed func(ctx context.Context, tx services.Tx, op Operation, at time.Time) error
	// Expired, when set, runs when the operation is found past its expiry;
	// it returns the refusal to answer.
	Expired func(ctx context.Context, tx services.Tx, op Operation, now time.Time) (refusal, err error)
}

// Register makes confirming an operation of kind run e. It is called while
// the services are wired, before the first call; a kind registered twice is
// a programming error.
func (s *Service) Register(kind string, e Effect) {
	if _, dup := s.effects[kind]; dup {
		panic("otp: operation kind " + kind + " registered twice")
	}
	if e.Apply == nil {
		panic("otp: operation kind " + kind + " has no Apply")
	}
	s.effects[kind] = e
}

// applyOperation makes the confirmed change.
func (s *Service) applyOperation(ctx context.Context, tx Tx, call services.Call, op Operation) (OperationConfirmed, error) {
	e, ok := s.effects[op.Kind]
	if !ok {
		return OperationConfirmed{}, fmt.Errorf("operation kind %q has no effect registered", op.Kind)
	}
	return e.Apply(ctx, tx, call, op)
}

// EncodeParams is the JSON text of an operation's parameters: the values its
// effect applies once confirmed.
func EncodeParams(p any) string {
	b, err := json.Marshal(p)
	if err != nil {
		panic("otp: operation parameters do not encode: " + err.Error())
	}
	return string(b)
}

// DecodeParams reads an operation's parameters into p.
func DecodeParams(op Operation, p any) error {
	if err := json.Unmarshal([]byte(op.Params), p); err != nil {
		return fmt.Errorf("operation %s params: %w", op.Kind, err)
	}
	return nil
}
