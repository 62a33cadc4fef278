-- accountd schema, version 3: account lifecycle (freeze, dormancy, status
-- history), short codes, verified contacts, OTP-confirmed operations, the
-- outbox of messages to customers and the mobile-change counter.

-- last_activity_at is the last customer-initiated operation on the account;
-- the dormancy sweep compares it with dormancy.days. A freeze is set when
-- freeze_reason_code is not NULL, and lifts itself at freeze_expires_at.
ALTER TABLE accounts ADD COLUMN last_activity_at BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET last_activity_at = updated_at;
ALTER TABLE accounts ADD COLUMN freeze_reason_code TEXT;
ALTER TABLE accounts ADD COLUMN freeze_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN frozen_at BIGINT;
ALTER TABLE accounts ADD COLUMN freeze_expires_at BIGINT;
CREATE INDEX accounts_dormancy ON accounts (status, last_activity_at);
CREATE INDEX accounts_partner_seq ON accounts (partner_id, seq);
CREATE INDEX accounts_freeze_expiry ON accounts (freeze_expires_at) WHERE freeze_expires_at IS NOT NULL;
CREATE INDEX accounts_activity_account ON accounts (activity_account_id) WHERE activity_account_id IS NOT NULL;

-- Every status change and every freeze, unfreeze and expiry of a freeze.
CREATE TABLE account_status_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   BIGINT  NOT NULL REFERENCES accounts (id),
    partner_id   BIGINT  NOT NULL,
    event        TEXT    NOT NULL,
    from_status  TEXT    NOT NULL,
    to_status    TEXT    NOT NULL,
    reason_code  TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    key_id       TEXT    NOT NULL,
    at           BIGINT  NOT NULL
);
CREATE INDEX account_status_history_account ON account_status_history (account_id, id);

-- A short code belongs to one account for good: rows are never updated or
-- deleted, so a code is never given to another account.
CREATE TABLE short_codes (
    code        TEXT    PRIMARY KEY,
    account_id  BIGINT  NOT NULL UNIQUE REFERENCES accounts (id),
    partner_id  BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE TRIGGER short_codes_no_update BEFORE UPDATE ON short_codes
BEGIN SELECT RAISE(ABORT, 'short codes are never reassigned'); END;
CREATE TRIGGER short_codes_no_delete BEFORE DELETE ON short_codes
BEGIN SELECT RAISE(ABORT, 'short codes are never reassigned'); END;
CREATE UNIQUE INDEX accounts_short_code ON accounts (short_code) WHERE short_code IS NOT NULL;
-- A short code set before this version gets its row, so that it is never
-- given to another account either.
INSERT INTO short_codes (code, account_id, partner_id, created_at)
    SELECT short_code, id, partner_id, updated_at FROM accounts WHERE short_code IS NOT NULL;

-- Contacts that received a code and gave it back.
ALTER TABLE customers ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE customers ADD COLUMN phone_verified BOOLEAN NOT NULL DEFAULT FALSE;

-- An operation waiting for the customer's one-time code(s). Only hashes of
-- the codes are kept.
CREATE TABLE otp_operations (
    request_id        TEXT    PRIMARY KEY,
    partner_id        BIGINT  NOT NULL,
    key_id            TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    customer_id       BIGINT  NOT NULL REFERENCES customers (id),
    account_id        BIGINT  REFERENCES accounts (id),
    params            TEXT    NOT NULL DEFAULT '{}',
    status            TEXT    NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'CANCELLED', 'EXPIRED', 'FAILED')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    code_hash         TEXT    NOT NULL,
    second_code_hash  TEXT    NOT NULL DEFAULT '',
    expires_at        BIGINT  NOT NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX otp_operations_customer ON otp_operations (customer_id, created_at);

-- Messages to customers, written in the transaction that needs them and
-- delivered by the dispatcher. sealed holds the destination and text,
-- encrypted; it is emptied once the message is sent or given up.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id       TEXT    NOT NULL,
    channel          TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    purpose          TEXT    NOT NULL,
    masked_to        TEXT    NOT NULL,
    key_fingerprint  TEXT    NOT NULL,
    sealed           TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('PENDING', 'SENT', 'CANCELLED', 'EXPIRED', 'FAILED')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    lease_until      BIGINT  NOT NULL DEFAULT 0,
    expires_at       BIGINT  NOT NULL,
    last_error       TEXT    NOT NULL DEFAULT '',
    created_at       BIGINT  NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_request ON outbox (request_id);

-- Mobile-change requests, failed and successful, for the daily limit. day is
-- the calendar day in the bank's time zone.
CREATE TABLE mobile_change_requests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  BIGINT  NOT NULL,
    partner_id   BIGINT  NOT NULL,
    day          TEXT    NOT NULL,
    outcome      TEXT    NOT NULL,
    at           BIGINT  NOT NULL
);
CREATE INDEX mobile_change_requests_day ON mobile_change_requests (customer_id, day);
