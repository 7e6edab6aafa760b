-- See ../sqlite/0012_todo.sql.
CREATE INDEX member_event_on_idx ON member_event(on_date);
CREATE INDEX committee_term_end_idx ON committee(kind, term_end) WHERE term_end IS NOT NULL;
CREATE INDEX position_open_idx ON position_assignment(unit_id, position_code) WHERE end_date IS NULL;
