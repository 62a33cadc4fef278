-- accountd schema, version 2: creation order of accounts, partner tiers,
-- method-limited keys and the hash-chained audit trail.

-- seq orders accounts by creation even within one millisecond. SQLite has
-- one writer, so the next value is MAX(seq) + 1 at insert time.
ALTER TABLE accounts ADD COLUMN seq BIGINT;
UPDATE accounts SET seq = o.n FROM (
    SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS n FROM accounts) AS o
    WHERE o.id = accounts.id;
CREATE UNIQUE INDEX accounts_seq ON accounts (seq);
DROP INDEX accounts_customer;
CREATE INDEX accounts_customer ON accounts (partner_id, customer_id, seq);

-- The package tier sets a partner's requests per minute.
ALTER TABLE partners ADD COLUMN tier TEXT NOT NULL DEFAULT 'BRONZE'
    CHECK (tier IN ('BRONZE', 'SILVER', 'GOLD', 'PLATINUM'));

-- methods limits a key to some methods: space-separated names, empty for all.
ALTER TABLE api_keys ADD COLUMN methods TEXT NOT NULL DEFAULT '';

-- One row per data-changing call, appended in the transaction of the change.
-- hash = SHA-256 over the row's content and prev_hash, so that a changed,
-- removed or inserted row breaks the chain (accountd audit verify).
CREATE TABLE audit_log (
    seq         BIGINT  PRIMARY KEY,
    at          BIGINT  NOT NULL,
    partner_id  BIGINT  NOT NULL,
    key_id      TEXT    NOT NULL,
    method      TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    entities    TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log rows are never updated'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log rows are never deleted'); END;
