-- accountd schema, version 11 (PostgreSQL): the audit trail without a lock
-- held across transactions. A data-changing transaction appends its audit
-- rows here with its transaction id; one sealer at a time chains them into
-- audit_log once every older transaction has ended (store/audit.go).
CREATE TABLE audit_pending (
    id          BIGSERIAL NOT NULL,
    xid         BIGINT  NOT NULL,
    at          BIGINT  NOT NULL,
    partner_id  BIGINT  NOT NULL,
    key_id      TEXT    NOT NULL,
    method      TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    entities    TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    CONSTRAINT audit_pending_pkey PRIMARY KEY (id)
);
CREATE INDEX audit_pending_xid ON audit_pending (xid, id);
