-- accountd schema, version 6 (PostgreSQL): holds of nice account numbers,
-- and the category and fee of accounts opened with one.
CREATE TABLE nice_holds (
    number       TEXT    NOT NULL,
    partner_id   BIGINT  NOT NULL,
    customer_id  BIGINT  NOT NULL REFERENCES customers (id),
    category     TEXT    NOT NULL,
    fee_minor    BIGINT  NOT NULL,
    currency     TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    CONSTRAINT nice_holds_pkey PRIMARY KEY (number)
);
CREATE INDEX nice_holds_customer ON nice_holds (partner_id, customer_id);

ALTER TABLE accounts ADD COLUMN nice_category TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN nice_fee_minor BIGINT NOT NULL DEFAULT 0;
