-- accountd schema, version 4: the partner's blacklist of identities and
-- phone numbers with its history, and the customers' data-sharing consent
-- records.

-- value is "TYPE:VALUE" for an identification, E.164 for a phone number.
CREATE TABLE blacklist (
    partner_id  BIGINT  NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('IDENTIFICATION', 'PHONE')),
    value       TEXT    NOT NULL,
    active      BOOLEAN NOT NULL,
    reason      TEXT    NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (partner_id, kind, value)
);

-- Every ADD and REMOVE: who, when and why.
CREATE TABLE blacklist_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id  BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    action      TEXT    NOT NULL CHECK (action IN ('ADD', 'REMOVE')),
    reason      TEXT    NOT NULL,
    key_id      TEXT    NOT NULL,
    at          BIGINT  NOT NULL
);
CREATE INDEX blacklist_history_value ON blacklist_history (partner_id, kind, value, id);

-- Each change of a customer's data-sharing consent is a new record; the
-- latest is the current state. Records are never updated or deleted.
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id   BIGINT  NOT NULL,
    customer_id  BIGINT  NOT NULL REFERENCES customers (id),
    agreed       BOOLEAN NOT NULL,
    version      TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    at           BIGINT  NOT NULL
);
CREATE INDEX consents_customer ON consents (customer_id, id);
CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents
BEGIN SELECT RAISE(ABORT, 'consent records are never changed'); END;
CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents
BEGIN SELECT RAISE(ABORT, 'consent records are never changed'); END;
