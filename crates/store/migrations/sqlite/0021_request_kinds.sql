-- no-transaction
-- Further kinds of request (issue 15): self-assessments against a criteria set, the
-- replication of good models, and registrations for an emulation movement. SQLite cannot change a CHECK constraint in place,
-- so the table is rebuilt the documented way (foreign keys off, one transaction;
-- the rows and their ids are copied as they are). Keep in step with ../postgres/0021_request_kinds.sql.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE request_new (
    request_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('directive','report','assessment','replication','registration')),
    issuer_unit_id  BIGINT NOT NULL REFERENCES unit(unit_id),
    doc_type        TEXT,
    doc_year        BIGINT,
    doc_seq         BIGINT,
    doc_number      TEXT,
    title           TEXT NOT NULL,
    search_key      TEXT NOT NULL,
    body            TEXT,
    form_id         BIGINT REFERENCES report_form(form_id),
    form_version    BIGINT,
    period          TEXT,
    period_start    TEXT,
    period_end      TEXT,
    issued_on       TEXT NOT NULL,
    issued_at       TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    target_spec     TEXT NOT NULL,
    closed_at       TEXT,
    created_by      BIGINT REFERENCES account(account_id),
    created_by_name TEXT
);
INSERT INTO request_new SELECT * FROM request;
DROP TABLE request;
ALTER TABLE request_new RENAME TO request;
CREATE UNIQUE INDEX request_doc_number_idx ON request(issuer_unit_id, doc_type, doc_year, doc_seq) WHERE doc_seq IS NOT NULL;
CREATE INDEX request_issuer_idx ON request(issuer_unit_id, issued_on);
CREATE INDEX request_form_idx ON request(form_id, period);
-- The to-do page counts the submissions waiting for review of the reports a unit
-- issued: an indexed read per request, whatever the size of the subtree.
CREATE INDEX request_target_state_idx ON request_target(request_id, state);
COMMIT;
PRAGMA foreign_keys = ON;
