package customer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
)

// Blacklist kinds.
const (
	BlacklistIdentification = "IDENTIFICATION"
	BlacklistPhone          = "PHONE"
)

// BlacklistKey is one blacklisted identity or phone number: for an
// identification Value is "TYPE:VALUE" (normalised), for a phone E.164.
type BlacklistKey struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// customerKeys are the blacklist keys of a customer's documents and phone.
func CustomerKeys(ids []Identification, phone string) []BlacklistKey {
	keys := make([]BlacklistKey, 0, len(ids)+1)
	for _, id := range ids {
		keys = append(keys, BlacklistKey{Kind: BlacklistIdentification, Value: id.Type + ":" + id.Value})
	}
	if phone != "" {
		keys = append(keys, BlacklistKey{Kind: BlacklistPhone, Value: phone})
	}
	return keys
}

// RefuseBlacklisted refuses with ErrBlacklisted when one of keys is on the
// partner's blacklist, naming which kind without the value.
func RefuseBlacklisted(ctx context.Context, r BlacklistReader, partnerID int64, keys []BlacklistKey) error {
	hits, err := r.Blacklisted(ctx, partnerID, keys)
	if err != nil || len(hits) == 0 {
		return err
	}
	return BlacklistRefusal(hits[0].Kind)
}

// blacklistRefusal names the kind of entry, never its value.
func BlacklistRefusal(kind string) error {
	what := "an identification"
	if kind == BlacklistPhone {
		what = "the phone number"
	}
	return &services.Refusal{Err: ErrBlacklisted, Detail: what + " is on the blacklist"}
}

// UpdateBlacklistInput is CustomerService.UpdateBlacklist's payload: exactly
// one of customerID (all its documents and its phone), identification and
// phoneNumber.
type UpdateBlacklistInput struct {
	CustomerID     string          `json:"customerID" size:"id"`
	Identification *Identification `json:"identification"`
	PhoneNumber    string          `json:"phoneNumber" size:"phone"`
	Action         string          `json:"action" size:"code"`
	Reason         string          `json:"reason" size:"reason"`
}

// BlacklistResult lists the entries an UpdateBlacklist call named and
// whether each changed.
type BlacklistResult struct {
	Action  string           `json:"action"`
	Entries []BlacklistEntry `json:"entries"`
}

// BlacklistEntry is one entry of a BlacklistResult.
type BlacklistEntry struct {
	Kind    string `json:"kind"`
	Value   string `json:"value"`
	Changed bool   `json:"changed"`
}

func (r BlacklistResult) AuditEntities() map[string]string {
	changed := 0
	for _, e := range r.Entries {
		if e.Changed {
			changed++
		}
	}
	// The values are personal data: the audit trail keeps only counts.
	return map[string]string{"action": r.Action, "entries": fmt.Sprint(len(r.Entries)), "changed": fmt.Sprint(changed)}
}

// UpdateBlacklist adds identities or phone numbers to the partner's
// blacklist, or removes them, recording who, when and why. A blacklisted
// identity or phone cannot become a customer or open an account.
func (s *Service) UpdateBlacklist(ctx context.Context, call services.Call, in UpdateBlacklistInput) (BlacklistResult, error) {
	var ck checker
	action := ck.CheckEnum("action", in.Action, true, "ADD", "REMOVE")
	reason := ck.CheckReason("reason", in.Reason, true)
	var customerID int64
	var keys []BlacklistKey
	given := 0
	if in.CustomerID != "" {
		given++
		id, ok := services.ParseID(in.CustomerID)
		if !ok {
			ck.Add("customerID", services.ReasonInvalidFormat, "must be a numeric customer ID")
		}
		customerID = id
	}
	if in.Identification != nil {
		given++
		typ := ck.CheckEnum("identification.type", strings.TrimSpace(in.Identification.Type), true, AllIDTypes...)
		if ck.Required("identification.value", in.Identification.Value) && typ != "" {
			v := NormalizeIDValue(typ, in.Identification.Value)
			if problem := IdValueProblem(typ, v); problem != "" {
				ck.Add("identification.value", services.ReasonInvalidFormat, problem)
			}
			keys = append(keys, BlacklistKey{Kind: BlacklistIdentification, Value: typ + ":" + v})
		}
	}
	if in.PhoneNumber != "" {
		given++
		if phone := ck.CheckPhone("phoneNumber", in.PhoneNumber, s.settings.PhoneRegion); phone != "" {
			keys = append(keys, BlacklistKey{Kind: BlacklistPhone, Value: phone})
		}
	}
	if given != 1 {
		ck.Add("payload", services.ReasonInvalidValue, fmt.Sprintf("give exactly one of customerID, identification, phoneNumber (got %d)", given))
	}
	if err := ck.Err(); err != nil {
		return BlacklistResult{}, fmt.Errorf("update blacklist: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (BlacklistResult, error) {
		keys := keys
		if customerID != 0 {
			c, err := tx.FindCustomer(ctx, call.PartnerID, CustomerLookup{ID: customerID})
			if err != nil {
				return BlacklistResult{}, err
			}
			keys = CustomerKeys(c.Identifications, c.Phone)
		}
		out := BlacklistResult{Action: action, Entries: make([]BlacklistEntry, 0, len(keys))}
		now := s.k.Clock.Now()
		for _, k := range keys {
			changed, err := tx.SetBlacklisted(ctx, call.PartnerID, k, action == "ADD", reason, call.KeyID, now)
			if err != nil {
				return BlacklistResult{}, err
			}
			out.Entries = append(out.Entries, BlacklistEntry{Kind: k.Kind, Value: k.Value, Changed: changed})
		}
		return out, nil
	})
	if err != nil {
		return BlacklistResult{}, fmt.Errorf("update blacklist: %w", err)
	}
	return res, nil
}

// Consent is one record of a customer's data-sharing consent.
type Consent struct {
	CustomerID int64
	Agreed     bool
	Version    string
	Channel    string
	KeyID      string
	At         time.Time
}

// Consent channels.
var consentChannels = []string{"MOBILE", "INTERNET", "BRANCH", "CALL_CENTER", "PARTNER_APP"}

// UpdateProtectAgreementInput is CustomerService.UpdateProtectAgreement's
// payload: the customer's data-sharing consent, its version and the channel
// it was given through.
type UpdateProtectAgreementInput struct {
	CustomerID string `json:"customerID" size:"id"`
	Agreed     *bool  `json:"agreed"`
	Version    string `json:"version" size:"code"`
	Channel    string `json:"channel" size:"code"`
}

// ProtectAgreement is the current consent, as GetCustomer shows it.
type ProtectAgreement struct {
	Agreed  bool   `json:"agreed"`
	Version string `json:"version"`
	Channel string `json:"channel"`
	At      int64  `json:"at"`
}

// ProtectAgreementResult is what UpdateProtectAgreement returns.
type ProtectAgreementResult struct {
	CustomerID string           `json:"customerID"`
	Agreement  ProtectAgreement `json:"protectAgreement"`
	Records    int              `json:"records"`
}

func (r ProtectAgreementResult) AuditEntities() map[string]string {
	return map[string]string{"customerId": r.CustomerID, "agreed": fmt.Sprint(r.Agreement.Agreed), "version": r.Agreement.Version}
}

// UpdateProtectAgreement records a change of a customer's data-sharing
// consent; each change is kept, never overwritten.
func (s *Service) UpdateProtectAgreement(ctx context.Context, call services.Call, in UpdateProtectAgreementInput) (ProtectAgreementResult, error) {
	var ck checker
	id, ok := services.ParseID(in.CustomerID)
	if ck.Required("customerID", in.CustomerID) && !ok {
		ck.Add("customerID", services.ReasonInvalidFormat, "must be a numeric customer ID")
	}
	if in.Agreed == nil {
		ck.Add("agreed", services.ReasonRequired, "is required: true or false")
	}
	version := ck.CheckText("version", in.Version, services.MaxCodeLength)
	ck.Required("version", in.Version)
	channel := ck.CheckEnum("channel", in.Channel, true, consentChannels...)
	if err := ck.Err(); err != nil {
		return ProtectAgreementResult{}, fmt.Errorf("update protect agreement: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (ProtectAgreementResult, error) {
		if _, err := tx.LockCustomer(ctx, call.PartnerID, id); err != nil {
			return ProtectAgreementResult{}, err
		}
		c := Consent{CustomerID: id, Agreed: *in.Agreed, Version: version, Channel: channel, KeyID: call.KeyID, At: s.k.Clock.Now()}
		if err := tx.InsertConsent(ctx, call.PartnerID, c); err != nil {
			return ProtectAgreementResult{}, err
		}
		records, err := tx.Consents(ctx, id)
		if err != nil {
			return ProtectAgreementResult{}, err
		}
		return ProtectAgreementResult{CustomerID: services.FormatID(id), Agreement: AgreementOf(c), Records: len(records)}, nil
	})
	if err != nil {
		return ProtectAgreementResult{}, fmt.Errorf("update protect agreement: %w", err)
	}
	return res, nil
}

func AgreementOf(c Consent) ProtectAgreement {
	return ProtectAgreement{Agreed: c.Agreed, Version: c.Version, Channel: c.Channel, At: c.At.Unix()}
}
