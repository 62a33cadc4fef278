-- accountd schema, version 6: holds of nice ("beautiful") account numbers,
-- and the category and fee of accounts opened with one. The primary key
-- makes two holds of one number impossible, whoever asks first.
CREATE TABLE nice_holds (
    number       TEXT    PRIMARY KEY,
    partner_id   BIGINT  NOT NULL,
    customer_id  BIGINT  NOT NULL REFERENCES customers (id),
    category     TEXT    NOT NULL,
    fee_minor    BIGINT  NOT NULL,
    currency     TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL
);
CREATE INDEX nice_holds_customer ON nice_holds (partner_id, customer_id);

ALTER TABLE accounts ADD COLUMN nice_category TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN nice_fee_minor BIGINT NOT NULL DEFAULT 0;
