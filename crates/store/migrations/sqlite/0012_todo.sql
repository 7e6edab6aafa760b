-- The to-do page ("Việc cần làm"): bounded reads of what needs attention.
-- Recent membership changes (a CĐCS whose members fell over the last 90 days).
CREATE INDEX member_event_on_idx ON member_event(on_date);
-- Committees by the end of their term (terms ending within six months, or ended).
CREATE INDEX committee_term_end_idx ON committee(kind, term_end) WHERE term_end IS NOT NULL;
-- Chairs in office, probed per CĐCS.
CREATE INDEX position_open_idx ON position_assignment(unit_id, position_code) WHERE end_date IS NULL;
