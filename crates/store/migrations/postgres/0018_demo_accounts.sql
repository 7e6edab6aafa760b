-- Accounts the demo loader made (published password): every page says so.
ALTER TABLE account ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT FALSE;
