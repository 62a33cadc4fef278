-- accountd schema, version 2 (PostgreSQL): creation order of accounts,
-- partner tiers, method-limited keys and the hash-chained audit trail.

-- seq orders accounts by creation even within one millisecond, across
-- replicas: it comes from a sequence.
CREATE SEQUENCE accounts_seq_seq;
ALTER TABLE accounts ADD COLUMN seq BIGINT;
UPDATE accounts a SET seq = o.n FROM (
    SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS n FROM accounts) o
    WHERE o.id = a.id;
SELECT setval('accounts_seq_seq', COALESCE((SELECT MAX(seq) FROM accounts), 0) + 1, false);
ALTER TABLE accounts ALTER COLUMN seq SET DEFAULT nextval('accounts_seq_seq');
ALTER TABLE accounts ALTER COLUMN seq SET NOT NULL;
ALTER SEQUENCE accounts_seq_seq OWNED BY accounts.seq;
CREATE UNIQUE INDEX accounts_seq ON accounts (seq);
DROP INDEX accounts_customer;
CREATE INDEX accounts_customer ON accounts (partner_id, customer_id, seq);

-- The package tier sets a partner's requests per minute.
ALTER TABLE partners ADD COLUMN tier TEXT NOT NULL DEFAULT 'BRONZE'
    CHECK (tier IN ('BRONZE', 'SILVER', 'GOLD', 'PLATINUM'));

-- methods limits a key to some methods: space-separated names, empty for all.
ALTER TABLE api_keys ADD COLUMN methods TEXT NOT NULL DEFAULT '';

-- One row per data-changing call, appended in the transaction of the change
-- under an advisory lock, so that the chain has one order across replicas.
-- hash = SHA-256 over the row's content and prev_hash, so that a changed,
-- removed or inserted row breaks the chain (accountd audit verify).
CREATE TABLE audit_log (
    seq         BIGINT  NOT NULL,
    at          BIGINT  NOT NULL,
    partner_id  BIGINT  NOT NULL,
    key_id      TEXT    NOT NULL,
    method      TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    entities    TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    CONSTRAINT audit_log_pkey PRIMARY KEY (seq)
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log rows are never updated or deleted';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
