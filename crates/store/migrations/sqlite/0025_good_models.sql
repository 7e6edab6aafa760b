-- The library of good models (issue 15 item 8): mô hình hay, điển hình tiên tiến,
-- sáng kiến — what was done, where (the owner unit), results with a few labelled
-- figures, tags and evidence files; "nhân rộng" sends a model as a request of kind
-- 'replication' (good_model_replication links them). Reading is open to every
-- logged-in account (models are meant to be shared); writing needs write access to
-- the owner unit. Keep in step with ../postgres/0025_good_models.sql.
CREATE TABLE good_model (
    model_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_unit_id   BIGINT NOT NULL REFERENCES unit(unit_id),
    kind            TEXT NOT NULL CHECK (kind IN ('mo_hinh','dien_hinh','sang_kien')),
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    results         TEXT,
    -- JSON list of [label, number] pairs, in the order shown.
    figures         TEXT NOT NULL,
    -- Tags as typed (NFC), comma separated; their folded forms are in good_model_tag.
    tags            TEXT NOT NULL,
    -- fold(title + tags): shown order and exact-phrase checks.
    search_key      TEXT NOT NULL,
    started_on      TEXT,
    created_by      BIGINT REFERENCES account(account_id),
    created_by_name TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX good_model_recent_idx ON good_model(updated_at, model_id);
CREATE INDEX good_model_kind_idx ON good_model(kind, updated_at);
CREATE INDEX good_model_owner_idx ON good_model(owner_unit_id);

-- The folded words of a model's title, summary, results and tags: a search asks
-- each typed word as an indexed prefix range (word >= w AND word < w || '~').
CREATE TABLE good_model_word (
    word     TEXT NOT NULL,
    model_id BIGINT NOT NULL REFERENCES good_model(model_id),
    PRIMARY KEY (word, model_id)
);
CREATE INDEX good_model_word_model_idx ON good_model_word(model_id);

-- Folded tags, for the tag filter.
CREATE TABLE good_model_tag (
    tag_key  TEXT NOT NULL,
    model_id BIGINT NOT NULL REFERENCES good_model(model_id),
    tag      TEXT NOT NULL,
    PRIMARY KEY (tag_key, model_id)
);
CREATE INDEX good_model_tag_model_idx ON good_model_tag(model_id);

-- Evidence files, in the database so every instance serves them (type sniffed from
-- the content, 10 MB each).
CREATE TABLE good_model_file (
    file_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id    BIGINT NOT NULL REFERENCES good_model(model_id),
    file_name   TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    bytes       BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL
);
CREATE INDEX good_model_file_idx ON good_model_file(model_id);

-- Each replication request sent for a model.
CREATE TABLE good_model_replication (
    model_id   BIGINT NOT NULL REFERENCES good_model(model_id),
    request_id BIGINT NOT NULL REFERENCES request(request_id),
    PRIMARY KEY (model_id, request_id)
);
CREATE UNIQUE INDEX good_model_replication_request_idx ON good_model_replication(request_id);
