-- Reverting a plan. The plan whose apply wrote a member's transfer or exit: a member's
-- history names the plan, and the inverse plan finds exactly the members it moved.
ALTER TABLE member_event ADD COLUMN plan_id INTEGER REFERENCES restructure_plan(plan_id);
CREATE INDEX member_event_plan_idx ON member_event(plan_id) WHERE plan_id IS NOT NULL;
-- What the apply did to units (JSON `restructure::Applied`: created, moved with the
-- parent before, renamed, retyped, ended), from which the inverse plan is generated.
ALTER TABLE restructure_plan ADD COLUMN undo TEXT;
