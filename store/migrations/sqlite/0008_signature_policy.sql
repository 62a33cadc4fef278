-- accountd schema, version 8: each key's signature policy. V2 keys accept
-- only the ACCOUNTD-V2 signature (method, id, timestamp and payload signed
-- together); NETXD keys also accept NetXD's payload-only form, which a
-- captured request can be replayed with. Keys that existed before keep
-- working as they did (NETXD) and are flagged by `accountd keys list`;
-- `accountd keys signature KEYID V2` moves one over. New keys are V2.
ALTER TABLE api_keys ADD COLUMN signature TEXT NOT NULL DEFAULT 'NETXD'
    CHECK (signature IN ('V2', 'NETXD'));
