// Package onboardingstore implements the storage of eKYC onboarding
// packages: the packages, their pictures, and the removal and resealing of
// their personal data. store embeds it.
package onboardingstore

import (
	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/store/sqldb"
)

// Queries are the reads of packages, on the reader pool or in a
// transaction.
type Queries struct {
	DB sqlx.ExtContext
}

// Tx is one write transaction's access to the packages.
type Tx struct {
	Queries
	SQL     sqlx.ExtContext
	Dialect sqldb.Dialect
}
