-- accountd schema, version 10: a request id remembers a refusal too. A
-- data-changing call that was refused keeps its id with the refusal, so
-- that the same request sent again (a retry, or a captured copy within its
-- signature's window) gets the same refusal instead of running again; a
-- corrected request (another method or payload) under the same id takes
-- the record over.
ALTER TABLE idempotency_keys ADD COLUMN refusal TEXT;
