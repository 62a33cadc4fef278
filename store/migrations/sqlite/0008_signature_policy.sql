-- accountd schema, version 8: each key's signature policy. V2 keys accept
-- only the ACCOUNTD-V2 signature (method, id, timestamp and payload signed
-- together); NETXD keys also accept NetXD's payload-only form, which a
-- captured request can be replayed with. The column defaults to V2, so that
-- a key inserted without naming it fails safe; keys that existed before
-- keep working as they did (NETXD) and are flagged by `accountd keys list`
-- until `accountd keys signature KEYID V2` moves them over.
ALTER TABLE api_keys ADD COLUMN signature TEXT NOT NULL DEFAULT 'V2'
    CHECK (signature IN ('V2', 'NETXD'));
UPDATE api_keys SET signature = 'NETXD';
