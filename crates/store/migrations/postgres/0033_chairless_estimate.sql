-- The to-do page's "CĐCS without a chair" at the national root: tổ never have a chair,
-- so a third of all units had has_chair = 0 and PostgreSQL planned a scan of every unit
-- (50–110 ms at the 10M country) for the few chairless CĐCS. With statistics on the pair
-- (type, has_chair) and has_chair leading the index, it estimates them and reads only them.
CREATE STATISTICS unit_type_chair_stx (mcv) ON type_code, has_chair FROM unit;
DROP INDEX unit_chairless_idx;
CREATE INDEX unit_chairless_idx ON unit(has_chair, type_code, path);
ANALYZE unit;
