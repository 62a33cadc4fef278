-- accountd schema, version 9: the personal data of onboarding packages is
-- encrypted at rest, and the retention sweep removes it from finished
-- packages.
--
-- Each sealed column has a key id column naming the data key it is sealed
-- under (ekyc.data_key_id, ekyc.old_data_keys): applicant and
-- fatca_declaration hold the Base64 of the nonce and ciphertext, data the
-- bytes. A key id of '' means the value is in clear: rows written before
-- this version, which are read as they are and sealed by the server's
-- sweep (or accountd sweep reencrypt), and values the retention sweep
-- removed (then empty). data_removed_at is when the sweep removed a
-- package's pictures and applicant data, or a picture; NULL while kept.
ALTER TABLE onboardings ADD COLUMN applicant_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE onboardings ADD COLUMN fatca_declaration_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE onboardings ADD COLUMN data_removed_at BIGINT;

-- The sweeps find their rows through these: values to seal again under
-- the current key, and finished packages whose data is still kept.
CREATE INDEX onboardings_applicant_key ON onboardings (applicant_key_id) WHERE data_removed_at IS NULL;
CREATE INDEX onboardings_declaration_key ON onboardings (fatca_declaration_key_id) WHERE fatca_declaration <> '';
CREATE INDEX onboardings_retention ON onboardings (state, updated_at, expires_at) WHERE data_removed_at IS NULL;

-- onboarding_images is built again so that the new columns come before
-- data, which stays the last column: SQLite reads a column after a large
-- value by walking the value's overflow pages.
CREATE TABLE onboarding_images_new (
    onboarding_id    TEXT     NOT NULL REFERENCES onboardings (id),
    kind             TEXT     NOT NULL CHECK (kind IN ('FRONT', 'BACK', 'PORTRAIT')),
    attempt          INTEGER  NOT NULL,
    id_type          TEXT     NOT NULL,
    id_value         TEXT     NOT NULL,
    sha256           TEXT     NOT NULL,
    phash            BIGINT   NOT NULL,
    detail_hash      TEXT     NOT NULL,
    format           TEXT     NOT NULL,
    width            INTEGER  NOT NULL,
    height           INTEGER  NOT NULL,
    bytes            INTEGER  NOT NULL,
    passed           BOOLEAN  NOT NULL,
    checks           TEXT     NOT NULL,
    created_at       BIGINT   NOT NULL,
    data_key_id      TEXT     NOT NULL DEFAULT '',
    data_removed_at  BIGINT,
    data             BLOB     NOT NULL,
    PRIMARY KEY (onboarding_id, kind, attempt)
);
INSERT INTO onboarding_images_new (onboarding_id, kind, attempt, id_type, id_value, sha256, phash, detail_hash, format,
        width, height, bytes, passed, checks, created_at, data)
    SELECT onboarding_id, kind, attempt, id_type, id_value, sha256, phash, detail_hash, format,
        width, height, bytes, passed, checks, created_at, data
    FROM onboarding_images;
DROP TABLE onboarding_images;
ALTER TABLE onboarding_images_new RENAME TO onboarding_images;
CREATE INDEX onboarding_images_passed ON onboarding_images (kind, id_type, id_value, phash, detail_hash, onboarding_id, passed)
    WHERE passed;
CREATE INDEX onboarding_images_data_key ON onboarding_images (data_key_id) WHERE data_removed_at IS NULL;
