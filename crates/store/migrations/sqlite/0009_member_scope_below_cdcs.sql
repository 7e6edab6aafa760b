-- Members are addressed through their unit, not by a copy of its path: moving upper
-- units (the 2025 reform moves thousands of CĐCS) touches unit rows only.
--
-- The search index carries three scope tokens per member: its federation (the unit
-- just below the national root, `fts_top`), its CĐCS and its own unit. When a move
-- takes a subtree to another federation, its units remember the federation their
-- members' tokens still name (`unit.fts_top`, NULL = current); a search adds those
-- units' own tokens until the background refresh rewrites the members.
DROP TRIGGER member_fts_ai;
DROP TRIGGER member_fts_ad;
DROP TRIGGER member_fts_au;
DROP INDEX member_path_sort_idx;
ALTER TABLE member ADD COLUMN fts_top INTEGER NOT NULL DEFAULT 0;
UPDATE member SET fts_top = CAST(substr(
    substr(path, instr(substr(path, 2), '/') + 2), 1,
    instr(substr(path, instr(substr(path, 2), '/') + 2), '/') - 1) AS INTEGER);
ALTER TABLE member DROP COLUMN path;
ALTER TABLE unit ADD COLUMN fts_top INTEGER;
CREATE INDEX unit_fts_stale_idx ON unit(path) WHERE fts_top IS NOT NULL;

DELETE FROM member_fts;
INSERT INTO member_fts(rowid, search_key, scope)
SELECT member_id, search_key, 'x' || fts_top || ' x' || cdcs_id || ' x' || unit_id FROM member;
CREATE TRIGGER member_fts_ai AFTER INSERT ON member BEGIN
    INSERT INTO member_fts(rowid, search_key, scope)
    VALUES (new.member_id, new.search_key, 'x' || new.fts_top || ' x' || new.cdcs_id || ' x' || new.unit_id);
END;
CREATE TRIGGER member_fts_ad AFTER DELETE ON member BEGIN
    DELETE FROM member_fts WHERE rowid = old.member_id;
END;
CREATE TRIGGER member_fts_au AFTER UPDATE OF search_key, fts_top, cdcs_id, unit_id ON member BEGIN
    DELETE FROM member_fts WHERE rowid = old.member_id;
    INSERT INTO member_fts(rowid, search_key, scope)
    VALUES (new.member_id, new.search_key, 'x' || new.fts_top || ' x' || new.cdcs_id || ' x' || new.unit_id);
END;
