package rpc

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// methodExample is one real call of a method: a payload that passes its
// checks and the result a call with it returned.
type methodExample struct {
	Payload json.RawMessage `json:"payload"`
	Result  json.RawMessage `json:"result"`
}

// examplesJSON holds an example of each method, recorded from real calls
// on a fresh database by
//
//	go test ./rpc -run TestOpenRPCExamples -update-examples
//
// and checked by TestOpenRPCExamples.
//
//go:embed openrpc_examples.json
var examplesJSON []byte

func methodExamples() (map[string]*methodExample, error) {
	out := map[string]*methodExample{}
	if err := json.Unmarshal(examplesJSON, &out); err != nil {
		return nil, fmt.Errorf("openrpc_examples.json: %w", err)
	}
	return out, nil
}
