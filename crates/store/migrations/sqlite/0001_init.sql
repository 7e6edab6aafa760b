-- congdoan schema, SQLite flavour. Keep in step with ../postgres/0001_init.sql (same tables, same names).

-- Unit types are data (VGCL changed them in 2025): historic ones carry valid_to.
CREATE TABLE unit_type (
    type_code     TEXT PRIMARY KEY,
    name_vi       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    tier          INTEGER NOT NULL,
    is_grassroots BOOLEAN NOT NULL DEFAULT FALSE,
    holds_members BOOLEAN NOT NULL DEFAULT FALSE,
    valid_from    TEXT,
    valid_to      TEXT,
    sort_order    INTEGER NOT NULL
);

CREATE TABLE unit (
    unit_id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code                TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    search_key          TEXT NOT NULL,
    type_code           TEXT NOT NULL REFERENCES unit_type(type_code),
    parent_id           INTEGER REFERENCES unit(unit_id),
    path                TEXT NOT NULL,
    depth               INTEGER NOT NULL,
    sector              TEXT,
    province_code       INTEGER,
    commune_code        INTEGER,
    address             TEXT,
    employer_name       TEXT,
    employer_tax_id     TEXT,
    employer_ownership  TEXT,
    employer_head_count INTEGER,
    founding_decision   TEXT,
    founded_on          TEXT NOT NULL,
    ended_on            TEXT,
    end_reason          TEXT,
    -- Active members placed directly here, kept in step by every member write,
    -- so a subtree count sums units instead of scanning members.
    direct_members      INTEGER NOT NULL DEFAULT 0,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX unit_path_idx ON unit(path);
CREATE INDEX unit_parent_idx ON unit(parent_id);

-- The managing tree through time: one row per interval of a unit's placement.
-- A move closes the rows of the unit and all its descendants and opens new ones,
-- so "the tree as of D" is one indexed range scan on path.
CREATE TABLE unit_version (
    unit_id    INTEGER NOT NULL REFERENCES unit(unit_id),
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    parent_id  INTEGER,
    path       TEXT NOT NULL,
    name       TEXT NOT NULL,
    type_code  TEXT NOT NULL,
    PRIMARY KEY (unit_id, valid_from)
);
CREATE INDEX unit_version_path_idx ON unit_version(path, valid_from);
CREATE INDEX unit_version_parent_idx ON unit_version(parent_id, valid_from);

-- Coordinating parents ("chỉ đạo song trùng", "phối hợp") besides the managing one.
CREATE TABLE unit_link (
    link_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id        INTEGER NOT NULL REFERENCES unit(unit_id),
    coordinator_id INTEGER NOT NULL REFERENCES unit(unit_id),
    kind           TEXT NOT NULL CHECK (kind IN ('coordinating')),
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,
    note           TEXT
);
CREATE INDEX unit_link_unit_idx ON unit_link(unit_id);
CREATE INDEX unit_link_coord_idx ON unit_link(coordinator_id);

CREATE TABLE member (
    member_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER NOT NULL REFERENCES unit(unit_id),
    cdcs_id       INTEGER NOT NULL REFERENCES unit(unit_id),
    path          TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    search_key    TEXT NOT NULL,
    sort_key      TEXT NOT NULL,
    birth_date    TEXT NOT NULL,
    sex           TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    cccd          TEXT UNIQUE,
    phone         TEXT,
    ethnicity     TEXT,
    nationality   TEXT,
    job_title     TEXT,
    employer_name TEXT,
    si_salary     INTEGER,
    card_no       TEXT UNIQUE,
    join_date     TEXT,
    party_member  BOOLEAN NOT NULL DEFAULT FALSE,
    status        TEXT NOT NULL CHECK (status IN ('applicant','member','suspended','transferred','exited','expelled')),
    status_since  TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX member_path_sort_idx ON member(path, sort_key);
CREATE INDEX member_sort_idx ON member(sort_key);
CREATE INDEX member_phone_idx ON member(phone);
CREATE INDEX member_unit_idx ON member(unit_id);

-- Effective-dated membership history; attributed to the unit where it happened.
CREATE TABLE member_event (
    event_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id    INTEGER NOT NULL REFERENCES member(member_id),
    kind         TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    unit_id      INTEGER NOT NULL REFERENCES unit(unit_id),
    to_unit_id   INTEGER REFERENCES unit(unit_id),
    reason       TEXT,
    recorded_at  TEXT NOT NULL,
    recorded_by  INTEGER
);
CREATE INDEX member_event_member_idx ON member_event(member_id, on_date);

-- Member search: FTS5 over the Rust-folded key (FTS5 alone does not fold đ).
CREATE VIRTUAL TABLE member_fts USING fts5(
    search_key, content='member', content_rowid='member_id',
    tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3'
);
CREATE TRIGGER member_fts_ai AFTER INSERT ON member BEGIN
    INSERT INTO member_fts(rowid, search_key) VALUES (new.member_id, new.search_key);
END;
CREATE TRIGGER member_fts_ad AFTER DELETE ON member BEGIN
    INSERT INTO member_fts(member_fts, rowid, search_key) VALUES ('delete', old.member_id, old.search_key);
END;
CREATE TRIGGER member_fts_au AFTER UPDATE OF search_key ON member BEGIN
    INSERT INTO member_fts(member_fts, rowid, search_key) VALUES ('delete', old.member_id, old.search_key);
    INSERT INTO member_fts(rowid, search_key) VALUES (new.member_id, new.search_key);
END;

CREATE TABLE position_type (
    position_code  TEXT PRIMARY KEY,
    name_vi        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    committee_kind TEXT NOT NULL,
    sort_order     INTEGER NOT NULL
);

CREATE TABLE committee (
    committee_id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id      INTEGER NOT NULL REFERENCES unit(unit_id),
    kind         TEXT NOT NULL CHECK (kind IN ('BCH','BTV','UBKT','TO')),
    term_no      INTEGER,
    term_label   TEXT,
    term_start   TEXT NOT NULL,
    term_end     TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX committee_unit_idx ON committee(unit_id);

CREATE TABLE position_assignment (
    assignment_id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id  INTEGER NOT NULL REFERENCES committee(committee_id),
    unit_id       INTEGER NOT NULL REFERENCES unit(unit_id),
    member_id     INTEGER REFERENCES member(member_id),
    full_name     TEXT NOT NULL,
    position_code TEXT NOT NULL REFERENCES position_type(position_code),
    start_date    TEXT NOT NULL,
    end_date      TEXT,
    full_time     BOOLEAN NOT NULL DEFAULT FALSE,
    elected       BOOLEAN NOT NULL DEFAULT TRUE,
    end_reason    TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX position_committee_idx ON position_assignment(committee_id);
CREATE INDEX position_unit_idx ON position_assignment(unit_id);
CREATE INDEX position_member_idx ON position_assignment(member_id);

CREATE TABLE account (
    account_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    locale        TEXT NOT NULL DEFAULT 'vi',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT NOT NULL
);

CREATE TABLE role_grant (
    grant_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES account(account_id),
    unit_id    INTEGER NOT NULL REFERENCES unit(unit_id),
    role       TEXT NOT NULL CHECK (role IN ('officer','viewer')),
    created_at TEXT NOT NULL,
    UNIQUE (account_id, unit_id, role)
);

-- Sessions live in the database so several app instances share them.
CREATE TABLE session (
    session_hash TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES account(account_id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX session_account_idx ON session(account_id);

CREATE TABLE api_token (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(account_id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Append-only: triggers refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    audit_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    account_id  INTEGER,
    username    TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   INTEGER,
    unit_path   TEXT NOT NULL,
    summary     TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_path_idx ON audit_log(unit_path, audit_id);
CREATE INDEX audit_at_idx ON audit_log(audit_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
