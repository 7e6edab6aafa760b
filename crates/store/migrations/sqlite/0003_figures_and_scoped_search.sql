-- National scale: maintained subtree figures, and member search that carries the scope.

-- Figures of each unit's whole subtree (the unit itself included), kept exact by every
-- write in the same transaction: a member change adds ±1 to its unit and each ancestor
-- (a handful of rows), so a dashboard for the national root reads one unit's rows.
--   dim 'status'     key = member status (all members)
--   dim 'sex'        key = M/F            (active members)
--   dim 'birth_year' key = yyyy           (active members; age bands are derived per day)
--   dim 'sector'     key = sector of the member's CĐCS ('' when unknown)
--   dim 'ownership'  key = employer ownership of the member's CĐCS ('' when unknown)
--   dim 'party'      key = '1'            (active Party members)
--   dim 'unit_type'  key = type code      (units not ended)
--   dim 'workers'    key = ''             (employer head count of grassroots units not ended)
CREATE TABLE unit_stat (
    unit_id INTEGER NOT NULL REFERENCES unit(unit_id),
    dim     TEXT NOT NULL,
    key     TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (unit_id, dim, key)
) WITHOUT ROWID;

-- The search index now carries the member's ancestors as tokens (x<unit_id>), so a
-- subtree filter is part of the full-text match instead of a post-filter over millions.
DROP TRIGGER member_fts_ai;
DROP TRIGGER member_fts_ad;
DROP TRIGGER member_fts_au;
DROP TABLE member_fts;
CREATE VIRTUAL TABLE member_fts USING fts5(
    search_key, scope, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3', detail = column
);
CREATE TRIGGER member_fts_ai AFTER INSERT ON member BEGIN
    INSERT INTO member_fts(rowid, search_key, scope)
    VALUES (new.member_id, new.search_key, 'x' || replace(trim(new.path, '/'), '/', ' x'));
END;
CREATE TRIGGER member_fts_ad AFTER DELETE ON member BEGIN
    DELETE FROM member_fts WHERE rowid = old.member_id;
END;
CREATE TRIGGER member_fts_au AFTER UPDATE OF search_key, path ON member BEGIN
    DELETE FROM member_fts WHERE rowid = old.member_id;
    INSERT INTO member_fts(rowid, search_key, scope)
    VALUES (new.member_id, new.search_key, 'x' || replace(trim(new.path, '/'), '/', ' x'));
END;
INSERT INTO member_fts(rowid, search_key, scope)
SELECT member_id, search_key, 'x' || replace(trim(path, '/'), '/', ' x') FROM member;

-- Member lists of one unit in name order (the unit page, small subtrees).
CREATE INDEX member_unit_sort_idx ON member(unit_id, sort_key);
DROP INDEX member_unit_idx;
