-- accountd schema, version 5 (PostgreSQL): e-banking users of customers,
-- and the history of their status. The same tables as the SQLite schema.

CREATE TABLE ebank_users (
    id            BIGINT  NOT NULL,
    partner_id    BIGINT  NOT NULL,
    customer_id   BIGINT  NOT NULL REFERENCES customers (id),
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL,
    mobile        TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'LOCKED', 'BLOCKED', 'CLOSED')),
    channel       TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    CONSTRAINT ebank_users_pkey PRIMARY KEY (id),
    CONSTRAINT ebank_users_customer_key UNIQUE (customer_id),
    CONSTRAINT ebank_users_username_key UNIQUE (username_key)
);
CREATE INDEX ebank_users_mobile ON ebank_users (partner_id, mobile);

CREATE TABLE ebank_user_history (
    id           BIGSERIAL,
    user_id      BIGINT  NOT NULL REFERENCES ebank_users (id),
    from_status  TEXT    NOT NULL,
    to_status    TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    at           BIGINT  NOT NULL,
    CONSTRAINT ebank_user_history_pkey PRIMARY KEY (id)
);
CREATE INDEX ebank_user_history_user ON ebank_user_history (user_id, id);
