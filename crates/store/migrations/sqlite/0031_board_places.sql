-- The board's per-type counters and acknowledgement times (keys '@t/…' and '@a/…' of
-- request_tally) replace reading every target: 5.6 s at the national root of the 10M
-- country. Requests sent before this migration get them from a one-time recount in
-- Store::migrate, which runs while a name is listed here and removes it in the same
-- transaction (a second instance starting at once waits, then finds nothing to do).
CREATE TABLE pending_backfill (
    name TEXT PRIMARY KEY
);
INSERT INTO pending_backfill (name) VALUES ('request_places');
