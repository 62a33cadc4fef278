-- accountd schema, version 5: e-banking (internet and mobile banking)
-- users of customers, and the history of their status.

-- username_key is the username in lower case: usernames are unique across
-- the bank without regard to case. A customer has at most one user.
CREATE TABLE ebank_users (
    id            INTEGER PRIMARY KEY,
    partner_id    BIGINT  NOT NULL,
    customer_id   BIGINT  NOT NULL UNIQUE REFERENCES customers (id),
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL UNIQUE,
    mobile        TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'LOCKED', 'BLOCKED', 'CLOSED')),
    channel       TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX ebank_users_mobile ON ebank_users (partner_id, mobile);

CREATE TABLE ebank_user_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT  NOT NULL REFERENCES ebank_users (id),
    from_status  TEXT    NOT NULL,
    to_status    TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    at           BIGINT  NOT NULL
);
CREATE INDEX ebank_user_history_user ON ebank_user_history (user_id, id);
