-- Coordination regulations (quy chế phối hợp, seed 001): an agreement between a
-- coordinating union (e.g. a provincial federation) and the managing one (a central
-- sector or corporation union), with its scope; it creates the coordinating links that
-- give the partner read access to the covered units.
-- Keep in step with ../postgres/0007_coordination_agreements.sql.
CREATE TABLE coordination_agreement (
    agreement_id INTEGER PRIMARY KEY AUTOINCREMENT,
    number       TEXT NOT NULL,
    title        TEXT NOT NULL,
    party_a_id   INTEGER NOT NULL REFERENCES unit(unit_id),
    party_b_id   INTEGER NOT NULL REFERENCES unit(unit_id),
    path_a       TEXT NOT NULL,
    path_b       TEXT NOT NULL,
    signed_on    TEXT NOT NULL,
    valid_from   TEXT NOT NULL,
    valid_to     TEXT,
    -- Comma-separated scope codes (information exchange, congresses, surveys, Tết gifts…).
    scope_items  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX coordination_agreement_a_idx ON coordination_agreement(path_a);
CREATE INDEX coordination_agreement_b_idx ON coordination_agreement(path_b);

ALTER TABLE unit_link ADD COLUMN agreement_id INTEGER REFERENCES coordination_agreement(agreement_id);
