-- accountd schema, version 7 (PostgreSQL): eKYC onboarding packages and
-- their pictures, and one-time-code operations without a customer. The
-- same tables as the SQLite schema.

CREATE TABLE onboardings (
    id                 TEXT     NOT NULL,
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
    updated_at         BIGINT   NOT NULL,
    CONSTRAINT onboardings_pkey PRIMARY KEY (id)
);
CREATE INDEX onboardings_document ON onboardings (partner_id, id_type, id_value, created_at);
CREATE INDEX onboardings_username ON onboardings (partner_id, username_key, created_at);

-- phash is the unsigned 64-bit perceptual hash stored as the signed
-- integer of the same bits. data is stored out of line (TOAST) once large,
-- so reads of the other columns do not fetch it.
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
    data           BYTEA    NOT NULL,
    CONSTRAINT onboarding_images_pkey PRIMARY KEY (onboarding_id, kind, attempt)
);
-- The passed pictures' hashes, by kind: ImageHashes reads this index alone
-- (passed is a column too, or SQLite reads the rows to check it).
CREATE INDEX onboarding_images_passed ON onboarding_images (kind, id_type, id_value, phash, detail_hash, onboarding_id, passed)
    WHERE passed;

-- An onboarding's one-time code is sent before the customer exists.
ALTER TABLE otp_operations ALTER COLUMN customer_id DROP NOT NULL;
