package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/store/sqldb"
)

type customerRow struct {
	ID                int64  `db:"id"`
	PartnerID         int64  `db:"partner_id"`
	Number            string `db:"customer_number"`
	Type              string `db:"type"`
	Status            string `db:"status"`
	FirstName         string `db:"first_name"`
	LastName          string `db:"last_name"`
	DOB               string `db:"dob"`
	Gender            string `db:"gender"`
	BusinessNameLegal string `db:"business_name_legal"`
	DateEstablished   string `db:"date_established"`
	Email             string `db:"email"`
	Phone             string `db:"phone"`
	Line1             string `db:"address_line1"`
	Line2             string `db:"address_line2"`
	City              string `db:"city"`
	State             string `db:"state"`
	Country           string `db:"country"`
	ZipCode           string `db:"zip_code"`
	EmailVerified     bool   `db:"email_verified"`
	PhoneVerified     bool   `db:"phone_verified"`
	CreatedAt         int64  `db:"created_at"`
	UpdatedAt         int64  `db:"updated_at"`
}

func (r customerRow) customer() customer.Customer {
	return customer.Customer{
		ID: r.ID, PartnerID: r.PartnerID, Number: r.Number, Type: r.Type, Status: r.Status,
		FirstName: r.FirstName, LastName: r.LastName, DOB: r.DOB, Gender: r.Gender,
		BusinessNameLegal: r.BusinessNameLegal, DateEstablished: r.DateEstablished,
		Email: r.Email, Phone: r.Phone, EmailVerified: r.EmailVerified, PhoneVerified: r.PhoneVerified,
		Address:   customer.Address{Line1: r.Line1, Line2: r.Line2, City: r.City, State: r.State, Country: r.Country, ZipCode: r.ZipCode},
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), UpdatedAt: time.UnixMilli(r.UpdatedAt).UTC(),
	}
}

// customerColumns selects customers (alias c); selectCustomer scopes it to a
// partner.
const customerColumns = `SELECT id, partner_id, customer_number, type, status, first_name, last_name, dob, gender,
	business_name_legal, date_established, COALESCE(email, '') AS email, COALESCE(phone, '') AS phone,
	address_line1, address_line2, city, state, country, zip_code, email_verified, phone_verified,
	created_at, updated_at
	FROM customers c `

const selectCustomer = customerColumns + `WHERE c.partner_id = ? AND `

// FindCustomer returns the partner's customer matching by, with its
// identifications, or customer.ErrCustomerNotFound.
func (q queries) FindCustomer(ctx context.Context, partnerID int64, by customer.CustomerLookup) (customer.Customer, error) {
	query := selectCustomer
	args := []any{partnerID}
	switch {
	case by.ID != 0:
		query += `c.id = ?`
		args = append(args, by.ID)
	case by.Number != "":
		query += `c.customer_number = ?`
		args = append(args, by.Number)
	case by.EmailKey != "":
		query += `c.email_key = ?`
		args = append(args, by.EmailKey)
	case by.Phone != "":
		query += `c.phone = ?`
		args = append(args, by.Phone)
	case by.IDType != "":
		query += `c.id = (SELECT customer_id FROM customer_identifications WHERE partner_id = ? AND type = ? AND value = ?)`
		args = append(args, partnerID, by.IDType, by.IDValue)
	default:
		return customer.Customer{}, fmt.Errorf("find customer: empty lookup: %w", customer.ErrCustomerNotFound)
	}
	var row customerRow
	if err := sqldb.Get(ctx, q.db, &row, query, args...); err != nil {
		return customer.Customer{}, fmt.Errorf("find customer: %w", sqldb.NotFound(err, customer.ErrCustomerNotFound))
	}
	c := row.customer()
	ids, err := q.identifications(ctx, c.ID)
	if err != nil {
		return customer.Customer{}, err
	}
	c.Identifications = ids
	return c, nil
}

func (q queries) identifications(ctx context.Context, customerID int64) ([]customer.Identification, error) {
	var ids []customer.Identification
	err := sqldb.Select(ctx, q.db, &ids, `SELECT type, value FROM customer_identifications WHERE customer_id = ? ORDER BY type`, customerID)
	if err != nil {
		return nil, fmt.Errorf("find identifications of customer %d: %w", customerID, sqldb.Translate(err))
	}
	return ids, nil
}

// CustomerStatus returns the status of the partner's customer, or
// customer.ErrCustomerNotFound.
func (q queries) CustomerStatus(ctx context.Context, partnerID, customerID int64) (string, error) {
	var status string
	err := sqldb.Get(ctx, q.db, &status, `SELECT status FROM customers WHERE partner_id = ? AND id = ?`, partnerID, customerID)
	if err != nil {
		return "", fmt.Errorf("customer status: %w", sqldb.NotFound(err, customer.ErrCustomerNotFound))
	}
	return status, nil
}

// InsertCustomer inserts a customer and its identifications, the
// identifications first so that an identity clash is the error reported.
func (t *txStore) InsertCustomer(ctx context.Context, c customer.Customer) error {
	err := sqldb.WithSavepoint(ctx, t.tx, func() error {
		for _, id := range c.Identifications {
			if _, err := sqldb.Exec(ctx, t.tx, `INSERT INTO customer_identifications (partner_id, type, value, customer_id)
				VALUES (?, ?, ?, ?)`, c.PartnerID, id.Type, id.Value, c.ID); err != nil {
				return sqldb.Translate(err)
			}
		}
		_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO customers (id, partner_id, customer_number, type, status,
			first_name, last_name, dob, gender, business_name_legal, date_established, email, email_key, phone,
			address_line1, address_line2, city, state, country, zip_code, email_verified, phone_verified,
			created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.PartnerID, c.Number, c.Type, c.Status, c.FirstName, c.LastName, c.DOB, c.Gender,
			c.BusinessNameLegal, c.DateEstablished, nullable(c.Email), nullable(services.EmailKey(c.Email)), nullable(c.Phone),
			c.Address.Line1, c.Address.Line2, c.Address.City, c.Address.State, c.Address.Country, c.Address.ZipCode,
			c.EmailVerified, c.PhoneVerified, c.CreatedAt.UnixMilli(), c.UpdatedAt.UnixMilli())
		return sqldb.Translate(err)
	})
	if err != nil {
		return fmt.Errorf("insert customer: %w", err)
	}
	return nil
}

// nullable stores an empty string as NULL, so that unique columns allow many
// customers without a value.
func nullable(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}
