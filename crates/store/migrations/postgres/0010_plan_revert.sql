-- See ../sqlite/0010_plan_revert.sql.
ALTER TABLE member_event ADD COLUMN plan_id BIGINT REFERENCES restructure_plan(plan_id);
CREATE INDEX member_event_plan_idx ON member_event(plan_id) WHERE plan_id IS NOT NULL;
ALTER TABLE restructure_plan ADD COLUMN undo TEXT;
