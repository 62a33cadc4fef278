package store

import (
	"context"
	"fmt"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/store/sqldb"
)

// AccountHolder returns the customer with that ID, whichever partner it
// belongs to, without its identifications, or customer.ErrCustomerNotFound.
func (q queries) AccountHolder(ctx context.Context, customerID int64) (customer.Customer, error) {
	var row customerRow
	if err := sqldb.Get(ctx, q.db, &row, customerColumns+`WHERE c.id = ?`, customerID); err != nil {
		return customer.Customer{}, fmt.Errorf("find account holder: %w", sqldb.NotFound(err, customer.ErrCustomerNotFound))
	}
	return row.customer(), nil
}

// LockCustomer returns the partner's customer without its identifications
// and holds its row until the transaction ends, or returns
// customer.ErrCustomerNotFound.
func (t *txStore) LockCustomer(ctx context.Context, partnerID, customerID int64) (customer.Customer, error) {
	var row customerRow
	err := sqldb.Get(ctx, t.tx, &row, selectCustomer+`c.id = ?`+t.dialect.ForUpdate, partnerID, customerID)
	if err != nil {
		return customer.Customer{}, fmt.Errorf("lock customer: %w", sqldb.NotFound(err, customer.ErrCustomerNotFound))
	}
	return row.customer(), nil
}

// SetCustomerEmail sets a customer's e-mail (none when empty) and whether it
// is verified. Another customer of the partner with the same e-mail is
// customer.ErrEmailExists, and the transaction stays usable.
func (t *txStore) SetCustomerEmail(ctx context.Context, customerID int64, email string, verified bool, at time.Time) error {
	err := t.updateCustomer(ctx, customerID, `UPDATE customers SET email = ?, email_key = ?, email_verified = ?, updated_at = ?
		WHERE id = ?`, nullable(email), nullable(services.EmailKey(email)), verified, at.UnixMilli(), customerID)
	if err != nil {
		return fmt.Errorf("set e-mail of customer %d: %w", customerID, err)
	}
	return nil
}

// SetCustomerPhone sets a customer's phone (none when empty), whether it
// is verified, and the mobile number of the customer's e-banking user. Another customer of the partner with the same phone is
// customer.ErrPhoneExists, and the transaction stays usable.
func (t *txStore) SetCustomerPhone(ctx context.Context, customerID int64, phone string, verified bool, at time.Time) error {
	err := t.updateCustomer(ctx, customerID, `UPDATE customers SET phone = ?, phone_verified = ?, updated_at = ?
		WHERE id = ?`, nullable(phone), verified, at.UnixMilli(), customerID)
	if err != nil {
		return fmt.Errorf("set phone of customer %d: %w", customerID, err)
	}
	// The customer's e-banking user is registered with the customer's mobile.
	if _, err := sqldb.Exec(ctx, t.tx, `UPDATE ebank_users SET mobile = ?, updated_at = ? WHERE customer_id = ?`,
		phone, at.UnixMilli(), customerID); err != nil {
		return fmt.Errorf("set mobile of customer %d's e-banking user: %w", customerID, sqldb.Translate(err))
	}
	return nil
}

// SetContactVerified marks a customer's e-mail (kind "email") or phone
// (kind "mobile") verified.
func (t *txStore) SetContactVerified(ctx context.Context, customerID int64, kind string, at time.Time) error {
	var column string
	switch kind {
	case "email":
		column = "email_verified"
	case "mobile":
		column = "phone_verified"
	default:
		return fmt.Errorf("verify contact of customer %d: unknown contact kind %q", customerID, kind)
	}
	err := t.updateCustomer(ctx, customerID, `UPDATE customers SET `+column+` = ?, updated_at = ? WHERE id = ?`,
		true, at.UnixMilli(), customerID)
	if err != nil {
		return fmt.Errorf("verify %s of customer %d: %w", kind, customerID, err)
	}
	return nil
}

// updateCustomer runs an UPDATE of one customer in a savepoint, so that a
// uniqueness violation leaves the transaction usable, and reports a missing
// customer as customer.ErrCustomerNotFound.
func (t *txStore) updateCustomer(ctx context.Context, customerID int64, query string, args ...any) error {
	return sqldb.WithSavepoint(ctx, t.tx, func() error {
		res, err := sqldb.Exec(ctx, t.tx, query, args...)
		if err != nil {
			return sqldb.Translate(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return customer.ErrCustomerNotFound
		}
		return nil
	})
}

// RecordMobileChange counts one mobile-change request.
func (t *txStore) RecordMobileChange(ctx context.Context, r contact.MobileChangeRequest) error {
	_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO mobile_change_requests (customer_id, partner_id, day, outcome, at)
		VALUES (?, ?, ?, ?, ?)`, r.CustomerID, r.PartnerID, r.Day, r.Outcome, r.At.UnixMilli())
	if err != nil {
		return fmt.Errorf("record mobile change of customer %d: %w", r.CustomerID, sqldb.Translate(err))
	}
	return nil
}

// RecentOperations returns the creation times of a customer's OTP
// operations created after since, newest first, at most limit (the index
// otp_operations_customer answers it).
func (q queries) RecentOperations(ctx context.Context, customerID int64, since time.Time, limit int) ([]time.Time, error) {
	var millis []int64
	err := sqldb.Select(ctx, q.db, &millis, `SELECT created_at FROM otp_operations WHERE customer_id = ? AND created_at > ?
		ORDER BY created_at DESC LIMIT ?`, customerID, since.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("recent operations of customer %d: %w", customerID, sqldb.Translate(err))
	}
	out := make([]time.Time, len(millis))
	for i, ms := range millis {
		out[i] = time.UnixMilli(ms).UTC()
	}
	return out, nil
}

// MobileChangesOn counts a customer's mobile-change requests on day
// (YYYY-MM-DD).
func (q queries) MobileChangesOn(ctx context.Context, customerID int64, day string) (int, error) {
	var n int
	err := sqldb.Get(ctx, q.db, &n, `SELECT COUNT(*) FROM mobile_change_requests WHERE customer_id = ? AND day = ?`,
		customerID, day)
	if err != nil {
		return 0, fmt.Errorf("count mobile changes of customer %d: %w", customerID, sqldb.Translate(err))
	}
	return n, nil
}
