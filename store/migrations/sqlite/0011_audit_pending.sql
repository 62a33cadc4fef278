-- accountd schema, version 11: the audit rows awaiting their place in the
-- chain. PostgreSQL appends here and one sealer chains the rows into
-- audit_log (store/audit.go); SQLite's single writer chains each row as it
-- is appended, so the table stays empty here. It exists in both schemas so
-- that they stay the same.
CREATE TABLE audit_pending (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    xid         BIGINT  NOT NULL,
    at          BIGINT  NOT NULL,
    partner_id  BIGINT  NOT NULL,
    key_id      TEXT    NOT NULL,
    method      TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    entities    TEXT    NOT NULL,
    outcome     TEXT    NOT NULL
);
CREATE INDEX audit_pending_xid ON audit_pending (xid, id);
