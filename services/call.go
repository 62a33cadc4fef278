package services

// Call describes one authenticated JSON-RPC call: who makes it and which
// request it is. RequestID is the JSON text of the request id ("\"7\"" and
// "7" are different ids); it is empty when the id is null, in which case the
// call gets no idempotency protection.
type Call struct {
	PartnerID int64
	KeyID     string
	Method    string
	RequestID string
}
