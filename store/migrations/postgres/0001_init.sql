-- accountd schema, version 1 (PostgreSQL): partners and their keys,
-- customers, accounts, and the idempotency records of data-changing
-- requests. The same tables as the SQLite schema; constraints are named so
-- that store/errors.go can tell which rule a change broke.
-- Times are Unix milliseconds (UTC); dates are YYYY-MM-DD text.

CREATE TABLE partners (
    id          BIGINT  NOT NULL,
    name        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    CONSTRAINT partners_pkey PRIMARY KEY (id),
    CONSTRAINT partners_name_key UNIQUE (name)
);

CREATE TABLE api_keys (
    key_id           TEXT    NOT NULL,
    partner_id       BIGINT  NOT NULL REFERENCES partners (id),
    public_key       TEXT    NOT NULL,
    credential_hash  TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'REVOKED')),
    created_at       BIGINT  NOT NULL,
    revoked_at       BIGINT,
    CONSTRAINT api_keys_pkey PRIMARY KEY (key_id)
);
CREATE INDEX api_keys_partner ON api_keys (partner_id);

CREATE TABLE customers (
    id                   BIGINT  NOT NULL,
    partner_id           BIGINT  NOT NULL REFERENCES partners (id),
    customer_number      TEXT    NOT NULL,
    type                 TEXT    NOT NULL CHECK (type IN ('INDIVIDUAL', 'BUSINESS')),
    status               TEXT    NOT NULL,
    first_name           TEXT    NOT NULL DEFAULT '',
    last_name            TEXT    NOT NULL DEFAULT '',
    dob                  TEXT    NOT NULL DEFAULT '',
    gender               TEXT    NOT NULL DEFAULT '',
    business_name_legal  TEXT    NOT NULL DEFAULT '',
    date_established     TEXT    NOT NULL DEFAULT '',
    email                TEXT,
    email_key            TEXT,
    phone                TEXT,
    address_line1        TEXT    NOT NULL DEFAULT '',
    address_line2        TEXT    NOT NULL DEFAULT '',
    city                 TEXT    NOT NULL DEFAULT '',
    state                TEXT    NOT NULL DEFAULT '',
    country              TEXT    NOT NULL DEFAULT '',
    zip_code             TEXT    NOT NULL DEFAULT '',
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    CONSTRAINT customers_pkey PRIMARY KEY (id),
    CONSTRAINT customers_number_key UNIQUE (customer_number),
    CONSTRAINT customers_email_key UNIQUE (partner_id, email_key),
    CONSTRAINT customers_phone_key UNIQUE (partner_id, phone)
);

CREATE TABLE customer_identifications (
    partner_id   BIGINT  NOT NULL,
    type         TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    -- Deferred, so that a customer's documents are inserted (and checked for
    -- uniqueness) before the customer row: an identity clash is reported
    -- before a clash on e-mail or phone.
    customer_id  BIGINT  NOT NULL REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT customer_identifications_pkey PRIMARY KEY (partner_id, type, value)
);
CREATE INDEX customer_identifications_customer ON customer_identifications (customer_id);

CREATE TABLE accounts (
    id                     BIGINT  NOT NULL,
    partner_id             BIGINT  NOT NULL REFERENCES partners (id),
    customer_id            BIGINT  NOT NULL REFERENCES customers (id),
    account_number         TEXT    NOT NULL,
    name                   TEXT    NOT NULL,
    account_type           TEXT    NOT NULL,
    currency               TEXT    NOT NULL,
    status                 TEXT    NOT NULL,
    balance_minor          BIGINT  NOT NULL DEFAULT 0,
    activity_account_id    BIGINT  REFERENCES accounts (id),
    custodial_customer_id  BIGINT  REFERENCES customers (id),
    custodial_type         TEXT    NOT NULL DEFAULT '',
    short_code             TEXT,
    created_at             BIGINT  NOT NULL,
    updated_at             BIGINT  NOT NULL,
    CONSTRAINT accounts_pkey PRIMARY KEY (id),
    CONSTRAINT accounts_number_key UNIQUE (account_number)
);
CREATE INDEX accounts_customer ON accounts (partner_id, customer_id, created_at, id);

CREATE TABLE idempotency_keys (
    partner_id    BIGINT  NOT NULL,
    request_id    TEXT    NOT NULL,
    method        TEXT    NOT NULL,
    payload_hash  TEXT    NOT NULL,
    response      TEXT,
    created_at    BIGINT  NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (partner_id, request_id)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
