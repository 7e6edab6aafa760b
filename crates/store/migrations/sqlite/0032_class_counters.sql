-- Published assessment classes are counted per unit type in the roll-up rows
-- ('@c/<type>/<class>' of request_tally), so the national class distribution reads one
-- row per province instead of every result: 2.0 s at the 10M country. The partial
-- index serves that read; the backfill of migration 0031 runs again to add them.
CREATE INDEX request_tally_class_idx ON request_tally(unit_id, key) WHERE key LIKE '@c/%';
INSERT INTO pending_backfill (name) VALUES ('request_places') ON CONFLICT (name) DO NOTHING;
