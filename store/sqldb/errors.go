package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/nice"
)

// uniqueViolations maps the column lists SQLite names in a UNIQUE or
// PRIMARY KEY violation to the services' sentinel errors.
var uniqueViolations = map[string]error{
	"customers.id":                              services.ErrNumberTaken,
	"customers.customer_number":                 services.ErrNumberTaken,
	"customers.partner_id, customers.email_key": customer.ErrEmailExists,
	"customers.partner_id, customers.phone":     customer.ErrPhoneExists,
	"customer_identifications.partner_id, customer_identifications.type, customer_identifications.value": customer.ErrIdentificationExists,
	"accounts.id":               services.ErrNumberTaken,
	"accounts.account_number":   services.ErrNumberTaken,
	"partners.id":               services.ErrNumberTaken,
	"api_keys.key_id":           services.ErrNumberTaken,
	"short_codes.code":          services.ErrNumberTaken,
	"short_codes.account_id":    account.ErrShortCodeExists,
	"accounts.short_code":       services.ErrNumberTaken,
	"otp_operations.request_id": services.ErrNumberTaken,
	"nice_holds.number":         nice.ErrNiceNumberHeld,
	"ebank_users.id":            services.ErrNumberTaken,
	"ebank_users.username_key":  ebank.ErrUsernameExists,
	"ebank_users.customer_id":   ebank.ErrCustomerHasUser,
	"onboardings.id":            services.ErrNumberTaken,
}

// pgUniqueViolations maps the PostgreSQL constraint names (given in the
// postgres migrations) to the same sentinel errors.
var pgUniqueViolations = map[string]error{
	"customers_pkey":                services.ErrNumberTaken,
	"customers_number_key":          services.ErrNumberTaken,
	"customers_email_key":           customer.ErrEmailExists,
	"customers_phone_key":           customer.ErrPhoneExists,
	"customer_identifications_pkey": customer.ErrIdentificationExists,
	"accounts_pkey":                 services.ErrNumberTaken,
	"accounts_number_key":           services.ErrNumberTaken,
	"partners_pkey":                 services.ErrNumberTaken,
	"api_keys_pkey":                 services.ErrNumberTaken,
	"short_codes_pkey":              services.ErrNumberTaken,
	"short_codes_account_key":       account.ErrShortCodeExists,
	"accounts_short_code":           services.ErrNumberTaken,
	"otp_operations_pkey":           services.ErrNumberTaken,
	"nice_holds_pkey":               nice.ErrNiceNumberHeld,
	"ebank_users_pkey":              services.ErrNumberTaken,
	"ebank_users_username_key":      ebank.ErrUsernameExists,
	"ebank_users_customer_key":      ebank.ErrCustomerHasUser,
	"onboardings_pkey":              services.ErrNumberTaken,
}

// ErrRetry marks a PostgreSQL transaction that lost a serialization
// conflict or a deadlock and can be run again.
var ErrRetry = errors.New("transaction conflict, retry")

// ErrBusy means the database stayed locked by another process for longer
// than the busy timeout.
var ErrBusy = errors.New("database is busy")

// Translate turns driver errors into sentinel errors where one applies and
// returns other errors unchanged.
func Translate(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return translatePostgres(pe, err)
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey:
		cols := strings.TrimPrefix(se.Error(), "UNIQUE constraint failed: ")
		if sentinel, ok := uniqueViolations[cols]; ok {
			return sentinel
		}
	case se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked:
		return fmt.Errorf("%w: %w", ErrBusy, err)
	}
	return err
}

// NotFound replaces sql.ErrNoRows with the given sentinel.
func NotFound(err, sentinel error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return sentinel
	}
	return Translate(err)
}

// WithSavepoint runs fn inside a savepoint of tx, rolling back to it when fn
// fails, so that the transaction stays usable after a failed statement (a
// collision on a generated number is retried with another number).
func WithSavepoint(ctx context.Context, tx sqlx.ExtContext, fn func() error) error {
	if _, err := Exec(ctx, tx, "SAVEPOINT insert_row"); err != nil {
		return Translate(err)
	}
	if err := fn(); err != nil {
		if _, rbErr := Exec(ctx, tx, "ROLLBACK TO SAVEPOINT insert_row"); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		return err
	}
	_, err := Exec(ctx, tx, "RELEASE SAVEPOINT insert_row")
	return Translate(err)
}

func translatePostgres(pe *pgconn.PgError, err error) error {
	switch pe.Code {
	case "23505": // unique_violation
		if sentinel, ok := pgUniqueViolations[pe.ConstraintName]; ok {
			return sentinel
		}
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return fmt.Errorf("%w: %w", ErrRetry, err)
	case "22021": // character_not_in_repertoire: a NUL in text
		return &services.ValidationError{Fields: []services.FieldError{{Field: "payload", Reason: services.ReasonInvalidValue, Message: "text must be valid UTF-8 without the NUL character"}}}
	}
	if pe.Code == "23505" && (pe.ConstraintName == "audit_log_pkey" || pe.ConstraintName == "blacklist_pkey") {
		// Two appends saw the same last row, or two transactions added the
		// same blacklist entry: run the transaction again.
		return fmt.Errorf("%w: %w", ErrRetry, err)
	}
	return err
}
