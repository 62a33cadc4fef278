-- accountd schema, version 9 (PostgreSQL): the personal data of onboarding
-- packages is encrypted at rest, and the retention sweep removes it from
-- finished packages. The same columns and indexes as the SQLite schema; a
-- key id of '' means the value is in clear (rows written before this
-- version, or values the retention sweep removed).
ALTER TABLE onboardings ADD COLUMN applicant_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE onboardings ADD COLUMN fatca_declaration_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE onboardings ADD COLUMN data_removed_at BIGINT;
CREATE INDEX onboardings_applicant_key ON onboardings (applicant_key_id) WHERE data_removed_at IS NULL;
CREATE INDEX onboardings_declaration_key ON onboardings (fatca_declaration_key_id) WHERE fatca_declaration <> '';
CREATE INDEX onboardings_retention ON onboardings (state, updated_at, expires_at) WHERE data_removed_at IS NULL;

ALTER TABLE onboarding_images ADD COLUMN data_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE onboarding_images ADD COLUMN data_removed_at BIGINT;
CREATE INDEX onboarding_images_data_key ON onboarding_images (data_key_id) WHERE data_removed_at IS NULL;
