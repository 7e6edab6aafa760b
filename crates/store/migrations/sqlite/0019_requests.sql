-- Requests: one mechanism for the work units owe (issue 14). A unit sends a request
-- (a directive, a periodic or thematic report; later surveys, self-assessments…) to a
-- target set; each target unit owes a response by a due date. Keep in step with
-- ../postgres/0019_requests.sql.

-- Report forms are data: a form and its versions (the definition is JSON of
-- congdoan_domain::form::FormDef; a new version never changes past submissions).
CREATE TABLE report_form (
    form_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_unit_id BIGINT NOT NULL REFERENCES unit(unit_id),
    code          TEXT NOT NULL,
    title         TEXT NOT NULL,
    search_key    TEXT NOT NULL,
    period_type   TEXT NOT NULL,
    current_version BIGINT NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    UNIQUE (owner_unit_id, code)
);
CREATE TABLE report_form_version (
    form_id     BIGINT NOT NULL REFERENCES report_form(form_id),
    version     BIGINT NOT NULL,
    definition  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  BIGINT REFERENCES account(account_id),
    PRIMARY KEY (form_id, version)
);

CREATE TABLE request (
    request_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('directive','report')),
    issuer_unit_id  BIGINT NOT NULL REFERENCES unit(unit_id),
    -- Directives: the document type (KH, CT, NQ, HD, CV, TB, QD), its number per
    -- issuer, type and year, and the issuer's abbreviation as printed ("267/KH-LĐLĐ").
    doc_type        TEXT,
    doc_year        BIGINT,
    doc_seq         BIGINT,
    doc_number      TEXT,
    title           TEXT NOT NULL,
    search_key      TEXT NOT NULL,
    body            TEXT,
    -- Reports: the form version and the period ("2026-05", "2026-Q2", "2026-H1",
    -- "2026-9M", "2026", or NULL for an ad hoc thematic report).
    form_id         BIGINT REFERENCES report_form(form_id),
    form_version    BIGINT,
    period          TEXT,
    period_start    TEXT,
    period_end      TEXT,
    issued_on       TEXT NOT NULL,
    issued_at       TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    -- How the target set was chosen (JSON of congdoan_domain::request::TargetSpec).
    target_spec     TEXT NOT NULL,
    closed_at       TEXT,
    created_by      BIGINT REFERENCES account(account_id),
    created_by_name TEXT
);
CREATE UNIQUE INDEX request_doc_number_idx ON request(issuer_unit_id, doc_type, doc_year, doc_seq) WHERE doc_seq IS NOT NULL;
CREATE INDEX request_issuer_idx ON request(issuer_unit_id, issued_on);
CREATE INDEX request_form_idx ON request(form_id, period);

-- What one unit owes for one request. Forwarded directives add targets under the
-- forwarding unit (via_unit_id): one propagation tree, not copies. A unit merged away
-- while its response was open stops being expected (ended_on) and its survivor
-- inherits the obligation (inherited_from).
CREATE TABLE request_target (
    request_id      BIGINT NOT NULL REFERENCES request(request_id),
    unit_id         BIGINT NOT NULL REFERENCES unit(unit_id),
    via_unit_id     BIGINT REFERENCES unit(unit_id),
    inherited_from  BIGINT REFERENCES unit(unit_id),
    due_on          TEXT NOT NULL,
    instructions    TEXT,
    -- pending → draft → submitted → returned → submitted … → approved (reports);
    -- pending → acknowledged → implemented (directives).
    state           TEXT NOT NULL CHECK (state IN ('pending','draft','submitted','returned','approved','acknowledged','implemented')),
    added_at        TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    forwarded_at    TEXT,
    responded_at    TEXT,
    on_time         BOOLEAN NOT NULL DEFAULT FALSE,
    approved_at     TEXT,
    ended_on        TEXT,
    -- Current values (JSON of congdoan_domain::form::Values), the implementation text,
    -- and this unit's contribution to its ancestors' roll-up (JSON), kept so a move
    -- of the unit shifts it without re-reading the form.
    response_values TEXT,
    response_text   TEXT,
    contribution    TEXT,
    revision        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, unit_id)
);
CREATE INDEX request_target_unit_idx ON request_target(unit_id, state);
CREATE INDEX request_target_via_idx ON request_target(request_id, via_unit_id);

-- Every step on a target, append-only: drafts, submissions (with their values),
-- returns with the reason, approvals, reopenings, acknowledgements, forwards.
CREATE TABLE request_event (
    event_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id   BIGINT NOT NULL,
    unit_id      BIGINT NOT NULL,
    action       TEXT NOT NULL,
    revision     BIGINT NOT NULL,
    note         TEXT,
    response_values TEXT,
    at           TEXT NOT NULL,
    account_id   BIGINT,
    actor_name   TEXT NOT NULL
);
CREATE INDEX request_event_target_idx ON request_event(request_id, unit_id, event_id);

-- Files of a request (the directive's document) or of a response (implementation
-- evidence), stored in the database so every instance serves them.
CREATE TABLE request_file (
    file_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  BIGINT NOT NULL REFERENCES request(request_id),
    unit_id     BIGINT NOT NULL REFERENCES unit(unit_id),
    file_name   TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    bytes       BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL
);
CREATE INDEX request_file_idx ON request_file(request_id, unit_id);

-- Maintained roll-up: for each request and each unit strictly above a target, the sum
-- of its subtree's targets' counters ('#expected', '#received', '#on_time', …) and
-- form field contributions (total, n, hits). Written in the submitting transaction.
CREATE TABLE request_tally (
    request_id BIGINT NOT NULL,
    unit_id    BIGINT NOT NULL,
    key        TEXT NOT NULL,
    total      BIGINT NOT NULL DEFAULT 0,
    n          BIGINT NOT NULL DEFAULT 0,
    hits       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, unit_id, key)
);
CREATE INDEX request_tally_unit_idx ON request_tally(unit_id, request_id);
