package rpc

import (
	"net/http"

	gorilla "github.com/gorilla/rpc/v2"

	"github.com/accountd/accountd/rpc/payload"
	"github.com/accountd/accountd/services"
)

// stateKey keys the call state in the dispatch request's context.
type stateKey struct{}

// callState carries one authenticated call through gorilla/rpc: the codec
// reads the method and payload from it and writes the outcome back into it.
type callState struct {
	method  string
	payload []byte
	call    services.Call
	result  any
	err     error
}

// codec is the gorilla/rpc codec. The handler has already parsed the request
// and checked the envelope, so the codec request is the call state itself.
type codec struct{}

func (codec) NewRequest(r *http.Request) gorilla.CodecRequest {
	return r.Context().Value(stateKey{}).(*callState)
}

// Method returns the name gorilla/rpc registered the method's endpoint
// under (see gorillaName).
func (st *callState) Method() (string, error) {
	return methodTable[st.method].dispatchName, nil
}

// ReadRequest decodes the payload strictly into the method's argument.
func (st *callState) ReadRequest(args any) error { return payload.Decode(st.payload, args) }

// WriteResponse keeps the method's result.
func (st *callState) WriteResponse(_ http.ResponseWriter, reply any) { st.result = reply }

// WriteError keeps the method's error.
func (st *callState) WriteError(_ http.ResponseWriter, _ int, err error) { st.err = err }

// callFrom returns the call of a dispatched request.
func callFrom(r *http.Request) services.Call {
	return r.Context().Value(stateKey{}).(*callState).call
}
