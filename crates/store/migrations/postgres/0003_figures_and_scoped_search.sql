-- National scale: maintained subtree figures, and member search that carries the scope.
-- See ../sqlite/0003_figures_and_scoped_search.sql for the meaning of each dim.
CREATE TABLE unit_stat (
    unit_id BIGINT NOT NULL REFERENCES unit(unit_id),
    dim     TEXT NOT NULL,
    key     TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (unit_id, dim, key)
);

-- Ancestors as weight-A tokens (x<unit_id>), the folded name as weight-D tokens.
DROP INDEX member_search_idx;
ALTER TABLE member DROP COLUMN search_tsv;
ALTER TABLE member ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', 'x' || replace(trim(both '/' from path), '/', ' x')), 'A')
    || to_tsvector('simple', search_key)
) STORED;
CREATE INDEX member_search_idx ON member USING GIN (search_tsv);

CREATE INDEX member_unit_sort_idx ON member(unit_id, sort_key);
DROP INDEX member_unit_idx;
