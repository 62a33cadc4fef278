-- accountd schema, version 12: signed checkpoints of the audit trail's head.
-- The hash chain shows a changed, removed or inserted row, but not rows cut
-- from its end; a checkpoint signs (Ed25519, under a key derived from the
-- data key, which the database does not hold) that row seq had hash at the
-- time at, and is also published outside the database. One checkpoint per
-- row: replicas that checkpoint the same head store it once.
CREATE TABLE audit_checkpoints (
    seq         BIGINT  PRIMARY KEY,
    hash        TEXT    NOT NULL,
    at          BIGINT  NOT NULL,
    public_key  TEXT    NOT NULL,
    signature   TEXT    NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints rows are never updated'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints rows are never deleted'); END;
