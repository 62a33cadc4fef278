-- accountd schema, version 4 (PostgreSQL): the partner's blacklist of
-- identities and phone numbers with its history, and the customers'
-- data-sharing consent records. The same tables as the SQLite schema.

CREATE TABLE blacklist (
    partner_id  BIGINT  NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('IDENTIFICATION', 'PHONE')),
    value       TEXT    NOT NULL,
    active      BOOLEAN NOT NULL,
    reason      TEXT    NOT NULL,
    updated_at  BIGINT  NOT NULL,
    CONSTRAINT blacklist_pkey PRIMARY KEY (partner_id, kind, value)
);

CREATE TABLE blacklist_history (
    id          BIGSERIAL,
    partner_id  BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    action      TEXT    NOT NULL CHECK (action IN ('ADD', 'REMOVE')),
    reason      TEXT    NOT NULL,
    key_id      TEXT    NOT NULL,
    at          BIGINT  NOT NULL,
    CONSTRAINT blacklist_history_pkey PRIMARY KEY (id)
);
CREATE INDEX blacklist_history_value ON blacklist_history (partner_id, kind, value, id);

CREATE TABLE consents (
    id           BIGSERIAL,
    partner_id   BIGINT  NOT NULL,
    customer_id  BIGINT  NOT NULL REFERENCES customers (id),
    agreed       BOOLEAN NOT NULL,
    version      TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    at           BIGINT  NOT NULL,
    CONSTRAINT consents_pkey PRIMARY KEY (id)
);
CREATE INDEX consents_customer ON consents (customer_id, id);
CREATE FUNCTION consents_never_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent records are never changed';
END
$$;
CREATE TRIGGER consents_never_changed BEFORE UPDATE OR DELETE ON consents
    FOR EACH ROW EXECUTE FUNCTION consents_never_changed();
CREATE TRIGGER consents_no_truncate BEFORE TRUNCATE ON consents
    FOR EACH STATEMENT EXECUTE FUNCTION consents_never_changed();
