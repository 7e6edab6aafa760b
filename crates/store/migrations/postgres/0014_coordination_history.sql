-- Coordination and history read plainly (issue 12, items 7 and 9): agreements can be
-- ended (the date and reason kept), clusters closed; member counts of a past date
-- read the membership events by the unit where they placed the member; the audit log
-- filters by account and action.
-- Keep in step with ../sqlite/0014_coordination_history.sql.
ALTER TABLE coordination_agreement ADD COLUMN ended_on DATE;
ALTER TABLE coordination_agreement ADD COLUMN end_reason TEXT;
ALTER TABLE emulation_cluster ADD COLUMN closed_on DATE;

-- Where an event places the member: the receiving unit of a transfer, else its unit.
CREATE INDEX member_event_unit_idx ON member_event(unit_id, on_date);
CREATE INDEX member_event_to_unit_idx ON member_event(to_unit_id, on_date);

CREATE INDEX audit_username_idx ON audit_log(username, audit_id);
CREATE INDEX audit_action_idx ON audit_log(action, audit_id);
