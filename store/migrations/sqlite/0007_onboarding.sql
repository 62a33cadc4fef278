-- accountd schema, version 7: eKYC onboarding packages and their pictures,
-- and one-time-code operations without a customer (an onboarding's code is
-- sent before the customer exists).

-- A package of a partner, from InitCustomerInfo until it is COMPLETED,
-- REJECTED or EXPIRED. applicant, checks, fatca_answers and
-- fatca_declaration are JSON. username_key is the username in lower case,
-- for the any-case lookup of an open package. customer_id and account_id
-- are set once the package completes.
CREATE TABLE onboardings (
    id                 TEXT     PRIMARY KEY,
    partner_id         BIGINT   NOT NULL REFERENCES partners (id),
    key_id             TEXT     NOT NULL,
    state              TEXT     NOT NULL CHECK (state IN ('INITIATED', 'DOCUMENTS_PENDING', 'FATCA_REVIEW',
                                    'READY_FOR_AUTH', 'AUTH_PENDING', 'COMPLETED', 'REJECTED', 'EXPIRED')),
    applicant          TEXT     NOT NULL,
    id_type            TEXT     NOT NULL,
    id_value           TEXT     NOT NULL,
    phone              TEXT     NOT NULL,
    username           TEXT     NOT NULL,
    username_key       TEXT     NOT NULL,
    checks             TEXT     NOT NULL,
    fatca_answers      TEXT     NOT NULL,
    fatca_status       TEXT     NOT NULL CHECK (fatca_status IN ('NOT_REQUIRED', 'DECLARATION_PENDING', 'W9', 'W8BEN')),
    fatca_declaration  TEXT     NOT NULL DEFAULT '',
    us_reportable      BOOLEAN  NOT NULL DEFAULT FALSE,
    auth_request_id    TEXT     NOT NULL DEFAULT '',
    auth_sends         INTEGER  NOT NULL DEFAULT 0,
    customer_id        BIGINT   REFERENCES customers (id),
    account_id         BIGINT   REFERENCES accounts (id),
    reject_reason      TEXT     NOT NULL DEFAULT '',
    expires_at         BIGINT   NOT NULL,
    created_at         BIGINT   NOT NULL,
    updated_at         BIGINT   NOT NULL
);
CREATE INDEX onboardings_document ON onboardings (partner_id, id_type, id_value, created_at);
CREATE INDEX onboardings_username ON onboardings (partner_id, username_key, created_at);

-- Every uploaded picture of a package, the failed attempts too. id_type and
-- id_value are the package's document, so that the search for another
-- applicant's picture needs no join; phash is the unsigned 64-bit
-- perceptual hash stored as the signed integer of the same bits. data is
-- the last column, so that reads of the other columns leave its overflow
-- pages alone.
CREATE TABLE onboarding_images (
    onboarding_id  TEXT     NOT NULL REFERENCES onboardings (id),
    kind           TEXT     NOT NULL CHECK (kind IN ('FRONT', 'BACK', 'PORTRAIT')),
    attempt        INTEGER  NOT NULL,
    id_type        TEXT     NOT NULL,
    id_value       TEXT     NOT NULL,
    sha256         TEXT     NOT NULL,
    phash          BIGINT   NOT NULL,
    detail_hash    TEXT     NOT NULL,
    format         TEXT     NOT NULL,
    width          INTEGER  NOT NULL,
    height         INTEGER  NOT NULL,
    bytes          INTEGER  NOT NULL,
    passed         BOOLEAN  NOT NULL,
    checks         TEXT     NOT NULL,
    created_at     BIGINT   NOT NULL,
    data           BLOB     NOT NULL,
    PRIMARY KEY (onboarding_id, kind, attempt)
);
-- The passed pictures' hashes, by kind: ImageHashes reads this index alone
-- (passed is a column too, or SQLite reads the rows to check it).
CREATE INDEX onboarding_images_passed ON onboarding_images (kind, id_type, id_value, phash, detail_hash, onboarding_id, passed)
    WHERE passed;

-- otp_operations.customer_id becomes nullable. SQLite cannot drop a NOT
-- NULL, so the table is built again with the same columns, constraints and
-- index; no table references it.
CREATE TABLE otp_operations_new (
    request_id        TEXT    PRIMARY KEY,
    partner_id        BIGINT  NOT NULL,
    key_id            TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    customer_id       BIGINT  REFERENCES customers (id),
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
INSERT INTO otp_operations_new (request_id, partner_id, key_id, kind, customer_id, account_id, params, status,
        attempts, code_hash, second_code_hash, expires_at, created_at, updated_at)
    SELECT request_id, partner_id, key_id, kind, customer_id, account_id, params, status,
        attempts, code_hash, second_code_hash, expires_at, created_at, updated_at
    FROM otp_operations;
DROP TABLE otp_operations;
ALTER TABLE otp_operations_new RENAME TO otp_operations;
CREATE INDEX otp_operations_customer ON otp_operations (customer_id, created_at);
