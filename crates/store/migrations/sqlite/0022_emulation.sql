-- Emulation scoring (issue 15): criteria sets as data, versioned like report forms (the
-- definition is JSON of congdoan_domain::emulation::CriteriaSet; a new version never
-- changes past scores), and the points of self-assessments. A self-assessment is a
-- request of kind 'assessment' (the form flow: draft, submit, return, approve =
-- appraised and published); the unit's own scores also ride in request_target's
-- response_values (history in request_event). Points are tenths (7,5 → 75).
-- Keep in step with ../postgres/0022_emulation.sql.
CREATE TABLE criteria_set (
    set_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_unit_id   BIGINT NOT NULL REFERENCES unit(unit_id),
    code            TEXT NOT NULL,
    title           TEXT NOT NULL,
    search_key      TEXT NOT NULL,
    year            BIGINT NOT NULL,
    current_version BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    UNIQUE (owner_unit_id, code)
);
CREATE TABLE criteria_set_version (
    set_id      BIGINT NOT NULL REFERENCES criteria_set(set_id),
    version     BIGINT NOT NULL,
    definition  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  BIGINT REFERENCES account(account_id),
    PRIMARY KEY (set_id, version)
);
-- Which criteria set version an assessment request scores against.
CREATE TABLE assessment (
    request_id  BIGINT PRIMARY KEY REFERENCES request(request_id),
    set_id      BIGINT NOT NULL REFERENCES criteria_set(set_id),
    set_version BIGINT NOT NULL
);
CREATE INDEX assessment_set_idx ON assessment(set_id);
-- Points per item: the unit's own and the upper level's appraisal.
CREATE TABLE assessment_score (
    request_id       BIGINT NOT NULL,
    unit_id          BIGINT NOT NULL,
    item_code        TEXT NOT NULL,
    self_points      BIGINT,
    appraised_points BIGINT,
    note             TEXT,
    PRIMARY KEY (request_id, unit_id, item_code)
);
-- Totals and classes kept with the points (recomputed by every save, checked against
-- a recount by the tests); the ranking reads these rows.
CREATE TABLE assessment_result (
    request_id       BIGINT NOT NULL,
    unit_id          BIGINT NOT NULL,
    self_total       BIGINT,
    self_class       TEXT,
    self_vetoes      TEXT,
    appraised_total  BIGINT,
    appraised_group1 BIGINT,
    appraised_class  TEXT,
    appraised_vetoes TEXT,
    appraised_at     TEXT,
    appraised_by     TEXT,
    PRIMARY KEY (request_id, unit_id)
);
CREATE INDEX assessment_result_rank_idx ON assessment_result(request_id, appraised_total);
