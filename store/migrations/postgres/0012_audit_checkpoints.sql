-- accountd schema, version 12 (PostgreSQL): signed checkpoints of the audit
-- trail's head. The hash chain shows a changed, removed or inserted row, but
-- not rows cut from its end; a checkpoint signs (Ed25519, under a key
-- derived from the data key, which the database does not hold) that row seq
-- had hash at the time at, and is also published outside the database. One
-- checkpoint per row: replicas that checkpoint the same head store it once.
CREATE TABLE audit_checkpoints (
    seq         BIGINT  NOT NULL,
    hash        TEXT    NOT NULL,
    at          BIGINT  NOT NULL,
    public_key  TEXT    NOT NULL,
    signature   TEXT    NOT NULL,
    CONSTRAINT audit_checkpoints_pkey PRIMARY KEY (seq)
);
CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints rows are never updated or deleted';
END
$$;
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
