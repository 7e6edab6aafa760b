-- A unit's own catalogue entries (issue 15 item 6): how many people one decision may
-- reward with the entry, and the day its cash rule takes effect (a decision dated
-- earlier cannot use it).
ALTER TABLE reward_kind ADD COLUMN quota BIGINT;
ALTER TABLE reward_kind ADD COLUMN cash_from DATE;
