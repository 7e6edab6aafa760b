-- A job whose worker dies while working it (a hostile file that crashes the process,
-- a machine out of memory) is taken up again when its lease runs out; after three
-- such attempts it is marked failed and never retried automatically (a poison job).
ALTER TABLE import_job ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
