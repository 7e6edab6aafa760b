-- Emulation movements (phong trào thi đua, issue 15 item 1): a movement is launched
-- by a union to its target units as a request of kind 'registration' (request_id,
-- written in the same transaction as the request); a unit registers its targets as
-- the response values of that request. Individuals register within their unit
-- (movement_member). Progress self-reports are requests of kind 'report' over a small
-- form the movement owns (report_form code 'TDTT-<movement_id>'), so no table here.
-- Keep in step with ../postgres/0027_movements.sql.
CREATE TABLE movement (
    movement_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer_unit_id   BIGINT NOT NULL REFERENCES unit(unit_id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    search_key       TEXT NOT NULL,
    level            TEXT NOT NULL CHECK (level IN ('thuong_xuyen','theo_dot')),
    starts_on        TEXT NOT NULL,
    ends_on          TEXT NOT NULL,
    registration_due TEXT NOT NULL,
    cadence          TEXT NOT NULL CHECK (cadence IN ('none','quarter','half')),
    -- The launching document (a directive the issuer can read), if cited.
    directive_id     BIGINT REFERENCES request(request_id),
    -- The registration request sent to the target units.
    request_id       BIGINT NOT NULL REFERENCES request(request_id),
    created_by       BIGINT REFERENCES account(account_id),
    created_by_name  TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX movement_code_idx ON movement(issuer_unit_id, code);
CREATE UNIQUE INDEX movement_request_idx ON movement(request_id);
CREATE INDEX movement_recent_idx ON movement(starts_on, movement_id);

-- Individual registrations (đăng ký thi đua cá nhân): a member, within a unit that
-- received the movement, with their targets (JSON list of {text, goal}).
CREATE TABLE movement_member (
    movement_id   BIGINT NOT NULL REFERENCES movement(movement_id),
    member_id     BIGINT NOT NULL REFERENCES member(member_id),
    unit_id       BIGINT NOT NULL REFERENCES unit(unit_id),
    goals         TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    PRIMARY KEY (movement_id, member_id)
);
CREATE INDEX movement_member_unit_idx ON movement_member(movement_id, unit_id);
