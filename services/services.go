// Package services holds accountd's domain: customers, accounts, partners and
// their keys, the validation rules, the sentinel errors and the Store
// interface that the storage layer implements.
package services

import (
	"context"
	"time"
)

// Clock tells the time. Services take it as a dependency so that tests can
// move time (idempotency expiry, key cache refresh, dates of birth).
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

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

// Store is the storage that the services need. Reads outside a transaction go
// to a pool of readers; every operation that changes data runs in exactly one
// write transaction through Update.
//
// Implementations translate driver errors into this package's sentinel
// errors: ErrNotFound variants for missing rows, ErrIdentificationExists,
// ErrEmailExists and ErrPhoneExists for uniqueness violations.
type Store interface {
	Reader
	// Update runs fn in one write transaction: committed when fn returns nil
	// and the data is on disk, rolled back otherwise.
	Update(ctx context.Context, fn func(tx Tx) error) error
}

// Reader holds the queries that services run outside or inside a
// transaction. Every query about customers and accounts is scoped to a
// partner: another partner's rows are reported as not found.
//
// FindCustomer and CustomerStatus return ErrCustomerNotFound, FindAccount
// ErrAccountNotFound,
// FindAPIKey ErrKeyNotFound, FindPartnerByName ErrPartnerNotFound.
type Reader interface {
	FindCustomer(ctx context.Context, partnerID int64, by CustomerLookup) (Customer, error)
	FindAccount(ctx context.Context, partnerID int64, by AccountLookup) (Account, error)
	ListAccounts(ctx context.Context, f AccountFilter) ([]Account, int, error)
	ListCustomerAccounts(ctx context.Context, partnerID, customerID int64) ([]Account, error)
	FindAPIKey(ctx context.Context, keyID string) (APIKey, error)
	ListAPIKeys(ctx context.Context) ([]APIKey, error)
	FindPartnerByName(ctx context.Context, name string) (Partner, error)
	// CustomerStatus is a customer's status alone, for checks that need
	// neither its fields nor its documents.
	CustomerStatus(ctx context.Context, partnerID, customerID int64) (string, error)
	// AuditEntries returns up to limit audit rows after seq, in order.
	AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)

	// FindAccountAnyPartner finds an account by number whoever owns it, for
	// name inquiry; ErrAccountNotFound when the bank has none.
	FindAccountAnyPartner(ctx context.Context, number string) (Account, error)
	// AccountHolder returns the customer that holds an account, without its
	// documents; ErrCustomerNotFound when missing.
	AccountHolder(ctx context.Context, customerID int64) (Customer, error)
	// FindAccountByShortCode returns the partner's account that holds code,
	// or ErrAccountNotFound.
	FindAccountByShortCode(ctx context.Context, partnerID int64, code string) (Account, error)
	// StatusHistory returns a page of an account's status changes and freeze
	// events, oldest first, and how many there are in all.
	StatusHistory(ctx context.Context, accountID int64, offset, limit int) ([]StatusChange, int, error)
	// ListAbnormalAccounts returns a page of the partner's accounts whose
	// status is not ACTIVE or that are frozen at now (a freeze whose expiry is
	// at or before now does not count), in creation order, and the total.
	ListAbnormalAccounts(ctx context.Context, partnerID int64, now time.Time, offset, limit int) ([]Account, int, error)
	// FindOperation returns the partner's OTP operation with that request
	// id, or ErrOperationNotFound (also for another partner's).
	FindOperation(ctx context.Context, partnerID int64, requestID string) (Operation, error)
	// OpenSubAccounts counts the accounts that are not CLOSED and whose
	// activity (pool) account is poolID.
	OpenSubAccounts(ctx context.Context, poolID int64) (int, error)
	// MobileChangesOn counts a customer's mobile-change requests on a day
	// (YYYY-MM-DD in the bank's time zone).
	MobileChangesOn(ctx context.Context, customerID int64, day string) (int, error)
	// RecentOperations returns the creation times of a customer's OTP
	// operations created after since, newest first, at most limit of them.
	RecentOperations(ctx context.Context, customerID int64, since time.Time, limit int) ([]time.Time, error)
	// OutboxMessages returns the messages of an operation, oldest first.
	OutboxMessages(ctx context.Context, requestID string) ([]OutboxMessage, error)
	// Blacklisted returns those of keys on the partner's blacklist.
	Blacklisted(ctx context.Context, partnerID int64, keys []BlacklistKey) ([]BlacklistKey, error)
	// CustomerBlacklist returns the kinds (IDENTIFICATION, PHONE) of the
	// customer's documents and phone that are on the partner's blacklist.
	CustomerBlacklist(ctx context.Context, partnerID, customerID int64) ([]string, error)
	// FindEbankUser returns the partner's e-banking user by username (any
	// case) or by mobile number (the newest that is not CLOSED first), or
	// ErrUserNotFound.
	FindEbankUser(ctx context.Context, partnerID int64, by EbankUserLookup) (EbankUser, error)
	// EbankUserHistory returns a user's status changes, oldest first.
	EbankUserHistory(ctx context.Context, userID int64) ([]UserStatusChange, error)
	// NiceTaken says which of numbers are account numbers already and
	// which are held by an unexpired hold at now.
	NiceTaken(ctx context.Context, numbers []string, now time.Time) (accounts, held map[string]bool, err error)
	// FindNiceHold returns a number's hold, expired or not, or ErrNiceHoldNotFound.
	FindNiceHold(ctx context.Context, number string) (NiceHold, error)
	// Consents returns a customer's consent records, newest first.
	Consents(ctx context.Context, customerID int64) ([]Consent, error)
	// FindOnboarding returns the partner's onboarding package, or
	// ErrOnboardingNotFound (also for another partner's).
	FindOnboarding(ctx context.Context, partnerID int64, id string) (Onboarding, error)
	// FindOpenOnboarding returns the partner's newest package for the
	// document (IDType and IDValue) or the username (any case) that is not
	// COMPLETED, REJECTED or EXPIRED and expires after now, or
	// ErrOnboardingNotFound.
	FindOpenOnboarding(ctx context.Context, partnerID int64, by OnboardingLookup, now time.Time) (Onboarding, error)
	// OnboardingImages returns a package's pictures without their data,
	// by kind and attempt.
	OnboardingImages(ctx context.Context, onboardingID string) ([]OnboardingImage, error)
	// ImageHashes returns the perceptual hashes of the passed pictures of
	// the given kinds, of every partner's packages whose document is not
	// (idType, idValue): the pictures of other people.
	ImageHashes(ctx context.Context, kinds []string, idType, idValue string) ([]ImageHash, error)
	// OnboardingPicture returns one picture of a package with its data
	// (sealed; empty once removed), or ErrOnboardingNotFound.
	OnboardingPicture(ctx context.Context, onboardingID, kind string, attempt int) (OnboardingImage, error)
}

// Tx is one write transaction. Insert methods that take a generated number
// (IDs, customer and account numbers) report a collision with
// ErrNumberTaken so the caller can draw another number; they never leave the
// transaction unusable.
type Tx interface {
	Reader
	InsertPartner(ctx context.Context, p Partner) error
	SetPartnerTier(ctx context.Context, partnerID int64, tier string) error
	InsertAPIKey(ctx context.Context, k APIKey) error
	RevokeAPIKey(ctx context.Context, keyID string, at time.Time) error
	// SetAPIKeySignature sets a key's signature policy; ErrKeyNotFound.
	SetAPIKeySignature(ctx context.Context, keyID, policy string) error
	InsertCustomer(ctx context.Context, c Customer) error
	InsertAccount(ctx context.Context, a Account) error
	// ClaimIdempotencyKey records rec's request id, or returns the record
	// that holds it. A claim that waits for another replica's transaction
	// holding the id gives up after wait with ErrRequestInProgress.
	ClaimIdempotencyKey(ctx context.Context, rec IdempotencyRecord, expiredBefore time.Time, wait time.Duration) (claimed bool, existing IdempotencyRecord, err error)
	SaveIdempotencyResponse(ctx context.Context, partnerID int64, requestID string, response []byte) error
	PurgeIdempotencyKeys(ctx context.Context, createdBefore time.Time) (int64, error)
	// AppendAudit appends e to the audit chain, filling in its Seq, PrevHash
	// and Hash; appends are serialised until the transaction ends.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// SaveIdempotencyRefusal stores the refusal of a claimed request id; a
	// claim by another method or payload takes such a record over.
	SaveIdempotencyRefusal(ctx context.Context, partnerID int64, requestID string, refusal []byte) error
	// ReleaseIdempotencyKey forgets a claimed request id, for a refusal the
	// id does not remember.
	ReleaseIdempotencyKey(ctx context.Context, partnerID int64, requestID string) error

	// LockCustomer returns the partner's customer (without documents) and
	// holds it until the transaction ends (SELECT ... FOR UPDATE on
	// PostgreSQL; SQLite's writer already holds the database).
	LockCustomer(ctx context.Context, partnerID, customerID int64) (Customer, error)
	// LockAccount is FindAccount that also holds the row until the
	// transaction ends.
	LockAccount(ctx context.Context, partnerID int64, by AccountLookup) (Account, error)
	// ShareAccount is FindAccount that keeps the row from being changed by
	// others until the transaction ends, without serialising the
	// transactions that share it (a pool under which accounts are opened).
	ShareAccount(ctx context.Context, partnerID int64, by AccountLookup) (Account, error)
	// SaveAccountState writes an account's status, freeze fields, name and
	// updated_at.
	SaveAccountState(ctx context.Context, a Account) error
	// AppendStatusChange records one status change or freeze event.
	AppendStatusChange(ctx context.Context, c StatusChange) error
	// TouchAccount records customer activity on one account.
	TouchAccount(ctx context.Context, accountID int64, at time.Time) error
	// TouchCustomerAccounts records customer activity on every account of
	// the customer that is not CLOSED.
	TouchCustomerAccounts(ctx context.Context, customerID int64, at time.Time) error
	// AssignShortCode gives code to an account for good (short_codes and
	// accounts.short_code): ErrNumberTaken when the code is used,
	// ErrShortCodeExists when the account already has one.
	AssignShortCode(ctx context.Context, partnerID, accountID int64, code string, at time.Time) error

	// InsertOperation stores a new OTP operation (ErrNumberTaken when the
	// request id is used).
	InsertOperation(ctx context.Context, op Operation) error
	// LockOperation is FindOperation holding the row until the transaction
	// ends.
	LockOperation(ctx context.Context, partnerID int64, requestID string) (Operation, error)
	// UpdateOperation writes an operation's status, attempts and updated_at.
	UpdateOperation(ctx context.Context, op Operation) error
	// InsertOutbox queues a message; its ID is filled in.
	InsertOutbox(ctx context.Context, m *OutboxMessage) error
	// CloseOutbox gives up the PENDING messages of an operation with status
	// (CANCELLED or EXPIRED), emptying their sealed text.
	CloseOutbox(ctx context.Context, requestID, status string, at time.Time) error
	// ClaimOutbox leases up to limit PENDING messages sealed under
	// fingerprint that are due at now and not leased by another dispatcher:
	// attempts is incremented and lease_until set to leaseUntil. On
	// PostgreSQL rows locked by another claimer are skipped.
	ClaimOutbox(ctx context.Context, fingerprint string, now, leaseUntil time.Time, limit int) ([]OutboxMessage, error)
	// FinishOutbox sets a message's final status (SENT, EXPIRED or FAILED),
	// sent_at for SENT, last_error, and empties its sealed text.
	FinishOutbox(ctx context.Context, id int64, status, lastError string, at time.Time) error
	// ExpireOutbox gives up the PENDING messages of any key that expired at
	// or before now, emptying their sealed text.
	ExpireOutbox(ctx context.Context, now time.Time) (int64, error)
	// RetryOutbox puts a message back for another attempt at next.
	RetryOutbox(ctx context.Context, id int64, next time.Time, lastError string) error

	// SetCustomerEmail changes a customer's e-mail and its verified flag
	// (ErrEmailExists when another customer of the partner has it).
	SetCustomerEmail(ctx context.Context, customerID int64, email string, verified bool, at time.Time) error
	// SetCustomerPhone changes a customer's phone and its verified flag
	// (ErrPhoneExists when another customer of the partner has it), and the
	// mobile number of the customer's e-banking user.
	SetCustomerPhone(ctx context.Context, customerID int64, phone string, verified bool, at time.Time) error
	// SetContactVerified marks the customer's e-mail (kind "email") or
	// phone (kind "mobile") verified.
	SetContactVerified(ctx context.Context, customerID int64, kind string, at time.Time) error
	// RecordMobileChange counts one mobile-change request.
	RecordMobileChange(ctx context.Context, r MobileChangeRequest) error

	// DormancyCandidates returns up to limit ACTIVE accounts whose
	// last_activity_at is before cutoff, holding them until the transaction
	// ends; on PostgreSQL rows held by another sweeper are skipped.
	DormancyCandidates(ctx context.Context, cutoff time.Time, limit int) ([]Account, error)
	// MarkDormant makes an account DORMANT if it is still ACTIVE with
	// last_activity_at before cutoff, and reports whether it did.
	MarkDormant(ctx context.Context, accountID int64, cutoff, at time.Time) (bool, error)
	// SetBlacklisted adds (active) or removes a blacklist entry, recording
	// the change with reason, key and time; changed is false when the entry
	// already was so.
	SetBlacklisted(ctx context.Context, partnerID int64, k BlacklistKey, active bool, reason, keyID string, at time.Time) (changed bool, err error)
	// InsertEbankUser inserts an e-banking user: ErrNumberTaken for a used
	// ID, ErrUsernameExists, ErrCustomerHasUser.
	InsertEbankUser(ctx context.Context, u EbankUser) error
	// LockEbankUser is FindEbankUser holding the row until the transaction ends.
	LockEbankUser(ctx context.Context, partnerID int64, by EbankUserLookup) (EbankUser, error)
	// SetEbankUserStatus writes a user's new status and records the change.
	SetEbankUserStatus(ctx context.Context, c UserStatusChange) error
	// InsertNiceHold holds a number, dropping an expired hold of it first;
	// ErrNiceNumberHeld when an unexpired hold exists, enforced by the
	// database for holds made at the same time.
	InsertNiceHold(ctx context.Context, h NiceHold) error
	// DeleteNiceHold releases a number.
	DeleteNiceHold(ctx context.Context, number string) error
	// InsertConsent appends a consent record of the partner's customer.
	InsertConsent(ctx context.Context, partnerID int64, c Consent) error
	// ExpiredFreezes returns up to limit frozen accounts whose freeze expired
	// at or before now, holding them like DormancyCandidates.
	ExpiredFreezes(ctx context.Context, now time.Time, limit int) ([]Account, error)
	// InsertOnboarding stores a new package (ErrNumberTaken when its ID is
	// used).
	InsertOnboarding(ctx context.Context, o Onboarding) error
	// LockOnboarding is FindOnboarding holding the row until the
	// transaction ends.
	LockOnboarding(ctx context.Context, partnerID int64, id string) (Onboarding, error)
	// UpdateOnboarding writes a package's state, FATCA status, declaration
	// and US-reportable flag, auth request and sends, customer and account,
	// reject reason and updated_at.
	UpdateOnboarding(ctx context.Context, o Onboarding) error
	// InsertOnboardingImage stores one picture attempt.
	InsertOnboardingImage(ctx context.Context, img OnboardingImage) error
	// RetentionCandidates returns up to limit packages whose pictures and
	// applicant data are kept past their retention, holding them until the
	// transaction ends (another sweeper's rows are skipped).
	RetentionCandidates(ctx context.Context, c RetentionCutoffs, limit int) ([]Onboarding, error)
	// RemoveOnboardingData empties a package's applicant data (and its
	// FATCA declaration unless keepDeclaration) and its pictures' data,
	// keeping the pictures' rows, hashes and checks.
	RemoveOnboardingData(ctx context.Context, onboardingID string, keepDeclaration bool, at time.Time) error
	// ApplicantsToReseal, DeclarationsToReseal and PicturesToReseal return
	// up to limit values kept under another key than keyID or in clear,
	// holding their rows like RetentionCandidates.
	ApplicantsToReseal(ctx context.Context, keyID string, limit int) ([]Onboarding, error)
	DeclarationsToReseal(ctx context.Context, keyID string, limit int) ([]Onboarding, error)
	PicturesToReseal(ctx context.Context, keyID string, limit int) ([]OnboardingImage, error)
	// ResealOnboarding writes a package's applicant data and declaration;
	// ResealPicture a picture's data.
	ResealOnboarding(ctx context.Context, o Onboarding) error
	ResealPicture(ctx context.Context, img OnboardingImage) error
}
