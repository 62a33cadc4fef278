package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/store/sqldb"
)

type accountRow struct {
	ID                    int64          `db:"id"`
	PartnerID             int64          `db:"partner_id"`
	CustomerID            int64          `db:"customer_id"`
	Number                string         `db:"account_number"`
	Name                  string         `db:"name"`
	Type                  string         `db:"account_type"`
	Currency              string         `db:"currency"`
	Status                string         `db:"status"`
	BalanceMinor          int64          `db:"balance_minor"`
	ActivityAccountID     sql.NullInt64  `db:"activity_account_id"`
	ActivityAccountNumber string         `db:"activity_account_number"`
	CustodialCustomerID   sql.NullInt64  `db:"custodial_customer_id"`
	CustodialType         string         `db:"custodial_type"`
	ShortCode             string         `db:"short_code"`
	CreatedAt             int64          `db:"created_at"`
	UpdatedAt             int64          `db:"updated_at"`
	LastActivityAt        int64          `db:"last_activity_at"`
	FreezeReasonCode      sql.NullString `db:"freeze_reason_code"`
	FreezeReason          string         `db:"freeze_reason"`
	FrozenAt              sql.NullInt64  `db:"frozen_at"`
	FreezeExpiresAt       sql.NullInt64  `db:"freeze_expires_at"`
	NiceCategory          string         `db:"nice_category"`
	NiceFeeMinor          int64          `db:"nice_fee_minor"`
}

func (r accountRow) account() account.Account {
	a := account.Account{
		ID: r.ID, PartnerID: r.PartnerID, CustomerID: r.CustomerID, Number: r.Number, Name: r.Name,
		Type: r.Type, Currency: r.Currency, Status: r.Status, BalanceMinor: r.BalanceMinor,
		ActivityAccountID: r.ActivityAccountID.Int64, ActivityAccountNumber: r.ActivityAccountNumber,
		CustodialCustomerID: r.CustodialCustomerID.Int64, CustodialType: r.CustodialType, ShortCode: r.ShortCode,
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), UpdatedAt: time.UnixMilli(r.UpdatedAt).UTC(),
		LastActivityAt: time.UnixMilli(r.LastActivityAt).UTC(),
		NiceCategory:   r.NiceCategory, NiceFeeMinor: r.NiceFeeMinor,
	}
	if r.FreezeReasonCode.Valid {
		a.Freeze = &account.Freeze{
			ReasonCode: r.FreezeReasonCode.String, Reason: r.FreezeReason,
			At: sqldb.TimeOf(r.FrozenAt), ExpiresAt: sqldb.TimeOf(r.FreezeExpiresAt),
		}
	}
	return a
}

// accountColumns selects accounts (alias a) with their pool account's
// number; selectAccount scopes it to a partner.
const accountColumns = `SELECT a.id, a.partner_id, a.customer_id, a.account_number, a.name, a.account_type,
	a.currency, a.status, a.balance_minor, a.activity_account_id, COALESCE(p.account_number, '') AS activity_account_number,
	a.custodial_customer_id, a.custodial_type, COALESCE(a.short_code, '') AS short_code, a.created_at, a.updated_at,
	a.last_activity_at, a.freeze_reason_code, a.freeze_reason, a.frozen_at, a.freeze_expires_at,
	a.nice_category, a.nice_fee_minor
	FROM accounts a LEFT JOIN accounts p ON p.id = a.activity_account_id `

const selectAccount = accountColumns + `WHERE a.partner_id = ? `

// FindAccount's queries, by ID and by number.
const (
	selectAccountByID     = selectAccount + `AND a.id = ?`
	selectAccountByNumber = selectAccount + `AND a.account_number = ?`
)

// FindAccount returns the partner's account with the given ID or number, or
// account.ErrAccountNotFound.
func (q queries) FindAccount(ctx context.Context, partnerID int64, by account.AccountLookup) (account.Account, error) {
	return findAccount(ctx, q.db, partnerID, by, "")
}

// LockAccount is FindAccount holding the row until the transaction ends.
func (t *txStore) LockAccount(ctx context.Context, partnerID int64, by account.AccountLookup) (account.Account, error) {
	return findAccount(ctx, t.tx, partnerID, by, sqldb.LockOf(t.dialect.ForUpdate, "a"))
}

// ShareAccount is FindAccount that keeps the row from changing until the
// transaction ends (FOR SHARE on PostgreSQL), without serialising the
// transactions that share it.
func (t *txStore) ShareAccount(ctx context.Context, partnerID int64, by account.AccountLookup) (account.Account, error) {
	return findAccount(ctx, t.tx, partnerID, by, sqldb.LockOf(t.dialect.ForShare, "a"))
}

// findAccount runs FindAccount's query with a locking clause (or none).
func findAccount(ctx context.Context, db sqlx.ExtContext, partnerID int64, by account.AccountLookup, lock string) (account.Account, error) {
	var query string
	var key any
	switch {
	case by.ID != 0:
		query, key = selectAccountByID, by.ID
	case by.Number != "":
		query, key = selectAccountByNumber, by.Number
	default:
		return account.Account{}, fmt.Errorf("find account: empty lookup: %w", account.ErrAccountNotFound)
	}
	if lock != "" {
		query += lock // reads run the constant query as it is
	}
	var row accountRow
	if err := sqldb.Get(ctx, db, &row, query, partnerID, key); err != nil {
		return account.Account{}, fmt.Errorf("find account: %w", sqldb.NotFound(err, account.ErrAccountNotFound))
	}
	return row.account(), nil
}

// FindAccountAnyPartner returns the account with that number whichever
// partner holds it, or account.ErrAccountNotFound.
func (q queries) FindAccountAnyPartner(ctx context.Context, number string) (account.Account, error) {
	var row accountRow
	if err := sqldb.Get(ctx, q.db, &row, accountColumns+`WHERE a.account_number = ?`, number); err != nil {
		return account.Account{}, fmt.Errorf("find account by number: %w", sqldb.NotFound(err, account.ErrAccountNotFound))
	}
	return row.account(), nil
}

// FindAccountByShortCode returns the partner's account holding code, or
// account.ErrAccountNotFound.
func (q queries) FindAccountByShortCode(ctx context.Context, partnerID int64, code string) (account.Account, error) {
	var row accountRow
	if err := sqldb.Get(ctx, q.db, &row, selectAccount+`AND a.short_code = ?`, partnerID, code); err != nil {
		return account.Account{}, fmt.Errorf("find account by short code: %w", sqldb.NotFound(err, account.ErrAccountNotFound))
	}
	return row.account(), nil
}

// ListCustomerAccounts returns all of a customer's accounts, oldest first.
func (q queries) ListCustomerAccounts(ctx context.Context, partnerID, customerID int64) ([]account.Account, error) {
	var rows []accountRow
	err := sqldb.Select(ctx, q.db, &rows, selectAccount+`AND a.customer_id = ? ORDER BY a.seq`, partnerID, customerID)
	if err != nil {
		return nil, fmt.Errorf("list accounts of customer %d: %w", customerID, sqldb.Translate(err))
	}
	return accounts(rows), nil
}

// ListAccounts returns one page of a customer's accounts, oldest first, and
// how many match the filter in all.
func (q queries) ListAccounts(ctx context.Context, f account.AccountFilter) ([]account.Account, int, error) {
	where := `AND a.customer_id = ? AND (? = '' OR a.status = ?) AND (? = '' OR a.account_type = ?) `
	args := []any{f.PartnerID, f.CustomerID, f.Status, f.Status, f.Type, f.Type}
	var total int
	err := sqldb.Get(ctx, q.db, &total, `SELECT COUNT(*) FROM accounts a WHERE a.partner_id = ? `+where, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("count accounts: %w", sqldb.Translate(err))
	}
	var rows []accountRow
	err = sqldb.Select(ctx, q.db, &rows, selectAccount+where+`ORDER BY a.seq LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list accounts: %w", sqldb.Translate(err))
	}
	return accounts(rows), total, nil
}

func accounts(rows []accountRow) []account.Account {
	out := make([]account.Account, len(rows))
	for i, r := range rows {
		out[i] = r.account()
	}
	return out
}

// InsertAccount inserts a new account; its last activity is its opening
// unless LastActivityAt is set.
func (t *txStore) InsertAccount(ctx context.Context, a account.Account) error {
	lastActivity := a.LastActivityAt
	if lastActivity.IsZero() {
		lastActivity = a.CreatedAt
	}
	f := freezeColumns(a.Freeze)
	err := sqldb.WithSavepoint(ctx, t.tx, func() error {
		_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO accounts (id, partner_id, customer_id, account_number, name,
			account_type, currency, status, balance_minor, activity_account_id, custodial_customer_id,
			custodial_type, created_at, updated_at, last_activity_at,
			freeze_reason_code, freeze_reason, frozen_at, freeze_expires_at, nice_category, nice_fee_minor, seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+t.dialect.NextAccountSeq+`)`,
			a.ID, a.PartnerID, a.CustomerID, a.Number, a.Name, a.Type, a.Currency, a.Status, a.BalanceMinor,
			sqldb.NullID(a.ActivityAccountID), sqldb.NullID(a.CustodialCustomerID), a.CustodialType,
			a.CreatedAt.UnixMilli(), a.UpdatedAt.UnixMilli(), lastActivity.UnixMilli(),
			f.reasonCode, f.reason, f.at, f.expiresAt, a.NiceCategory, a.NiceFeeMinor)
		return sqldb.Translate(err)
	})
	if err != nil {
		return fmt.Errorf("insert account: %w", err)
	}
	return nil
}
