-- Further kinds of request (issue 15): self-assessments against a criteria set, the
-- replication of good models, and registrations for an emulation movement. Keep in step with ../sqlite/0021_request_kinds.sql.
ALTER TABLE request DROP CONSTRAINT request_kind_check;
ALTER TABLE request ADD CONSTRAINT request_kind_check
    CHECK (kind IN ('directive','report','assessment','replication','registration'));
-- The to-do page counts the submissions waiting for review of the reports a unit
-- issued: an indexed read per request, whatever the size of the subtree.
CREATE INDEX request_target_state_idx ON request_target(request_id, state);
