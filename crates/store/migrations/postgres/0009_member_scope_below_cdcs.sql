-- Members are addressed through their unit, not by a copy of its path; see
-- ../sqlite/0009_member_scope_below_cdcs.sql for the search scope tokens.
ALTER TABLE member ADD COLUMN fts_top BIGINT NOT NULL DEFAULT 0;
UPDATE member SET fts_top = split_part(path, '/', 3)::bigint;
DROP INDEX member_search_idx;
ALTER TABLE member DROP COLUMN search_tsv;
DROP INDEX member_path_sort_idx;
ALTER TABLE member DROP COLUMN path;
ALTER TABLE member ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', 'x' || fts_top::text || ' x' || cdcs_id::text || ' x' || unit_id::text), 'A')
    || to_tsvector('simple', search_key)
) STORED;
CREATE INDEX member_search_idx ON member USING GIN (search_tsv);
ALTER TABLE unit ADD COLUMN fts_top BIGINT;
CREATE INDEX unit_fts_stale_idx ON unit(path) WHERE fts_top IS NOT NULL;
