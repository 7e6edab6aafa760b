-- Spreadsheet imports: one job per uploaded file, analysed and imported in the
-- background, resumable after a restart and undoable as a whole.
CREATE TABLE import_job (
    job_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Members go to this unit, or to the sub-unit a row names (always inside it).
    unit_id       INTEGER NOT NULL REFERENCES unit(unit_id),
    path          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_size     INTEGER NOT NULL,
    -- analysing → ready (preview) → queued → importing → done → undone;
    -- failed (no usable header, unreadable file) and cancelled end a job.
    state         TEXT NOT NULL CHECK (state IN ('analysing','ready','queued','importing','done','failed','cancelled','undone')),
    -- The user's column choice (JSON), else detected; the legacy encoding found.
    layout        TEXT,
    layout_manual BOOLEAN NOT NULL DEFAULT FALSE,
    legacy        TEXT,
    total_rows    INTEGER NOT NULL DEFAULT 0,
    valid_rows    INTEGER NOT NULL DEFAULT 0,
    rejected_rows INTEGER NOT NULL DEFAULT 0,
    -- Rows read in the current phase (the progress bar), members written so far, and
    -- the sheet row after the last committed chunk (where a restart resumes).
    progress      INTEGER NOT NULL DEFAULT 0,
    imported      INTEGER NOT NULL DEFAULT 0,
    resume_row    INTEGER NOT NULL DEFAULT 0,
    -- The first rows as they will be stored (JSON), for the preview.
    preview       TEXT,
    error         TEXT,
    -- A worker owns a running phase until then; a crashed worker's job is taken over.
    lease_until   TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    INTEGER REFERENCES account(account_id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX import_job_path_idx ON import_job(path, job_id);
CREATE INDEX import_job_state_idx ON import_job(state);

-- The uploaded file itself, so any app instance can run the job.
CREATE TABLE import_file (
    job_id INTEGER PRIMARY KEY REFERENCES import_job(job_id),
    bytes  BLOB NOT NULL
);

-- Rows that will not be imported: the cells as read and every reason (JSON).
CREATE TABLE import_reject (
    job_id   INTEGER NOT NULL REFERENCES import_job(job_id),
    row_no   INTEGER NOT NULL,
    cells    TEXT NOT NULL,
    problems TEXT NOT NULL,
    PRIMARY KEY (job_id, row_no)
) WITHOUT ROWID;

-- Which import created a member: undo removes exactly these.
ALTER TABLE member ADD COLUMN import_job_id INTEGER REFERENCES import_job(job_id);
CREATE INDEX member_import_idx ON member(import_job_id) WHERE import_job_id IS NOT NULL;

-- A CĐCS's own list in name order without sorting it (members sit in its tổ).
CREATE INDEX member_cdcs_sort_idx ON member(cdcs_id, sort_key);
