-- The unit picker searches units by their folded name (unit.search_key, kept by every
-- write of a name since 0001) and by code. Prefix matches walk this index (bytewise, as the
-- folded key is ASCII-like).
CREATE INDEX unit_search_key_idx ON unit(search_key COLLATE "C");
