-- Consent for shared access (issue 13, item 6): an agreement naming a partner outside
-- the proposer's writable subtree is a proposal until an officer of the partner
-- accepts it; its coordinating links are created only then. Either side may end it.
-- Agreements recorded before this migration were recorded by the managing side under
-- the old rules and are in force: the default marks them accepted.
-- Keep in step with ../sqlite/0020_agreement_consent.sql.
ALTER TABLE coordination_agreement ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted'
    CHECK (status IN ('proposed', 'accepted', 'declined', 'withdrawn'));
-- The code the proposer typed when the partner is not a unit they may read or a
-- top-level union: the only name the proposer's pages and answers ever show. When no
-- unit has that code, party_a_id repeats party_b_id (a proposal no one can accept),
-- so a hidden code and an unknown one are recorded and answered alike.
ALTER TABLE coordination_agreement ADD COLUMN partner_code TEXT;
-- Ids of the covered units (comma-separated) until acceptance creates their links.
ALTER TABLE coordination_agreement ADD COLUMN proposed_units TEXT;
-- Who accepted, declined or withdrew it, and when.
ALTER TABLE coordination_agreement ADD COLUMN decided_on DATE;
ALTER TABLE coordination_agreement ADD COLUMN decided_by TEXT;
-- The partner officers' to-do: proposals waiting, by the partner's path range.
CREATE INDEX coordination_agreement_status_idx ON coordination_agreement(status, path_a);
