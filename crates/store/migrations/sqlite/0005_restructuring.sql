-- Restructuring plans (phương án sắp xếp tổ chức), unit lineage, and rule values with
-- effective dates. Keep in step with ../postgres/0005_restructuring.sql.

-- A plan touches the subtree of its owner unit. Its operations are one JSON list,
-- edited as a whole under `version`, so two editors never overwrite each other silently.
-- draft → scheduled (dated in the future, applied on the day) → applied → reverted;
-- a draft or scheduled plan may be cancelled.
CREATE TABLE restructure_plan (
    plan_id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_unit_id   INTEGER NOT NULL REFERENCES unit(unit_id),
    path            TEXT NOT NULL,
    name            TEXT NOT NULL,
    effective_date  TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft','scheduled','applied','cancelled','reverted')),
    ops             TEXT NOT NULL DEFAULT '[]',
    note            TEXT,
    -- What the apply did (JSON counts), and the plan an inverse plan undoes.
    summary         TEXT,
    reverts_plan_id INTEGER REFERENCES restructure_plan(plan_id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_by      INTEGER REFERENCES account(account_id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    applied_at      TEXT
);
CREATE INDEX restructure_plan_path_idx ON restructure_plan(path, plan_id);
CREATE INDEX restructure_plan_due_idx ON restructure_plan(status, effective_date);

-- Predecessors and successors (merge, split…), with the plan that made them.
CREATE TABLE unit_lineage (
    lineage_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    from_unit_id INTEGER NOT NULL REFERENCES unit(unit_id),
    to_unit_id   INTEGER NOT NULL REFERENCES unit(unit_id),
    kind         TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    plan_id      INTEGER REFERENCES restructure_plan(plan_id)
);
CREATE INDEX unit_lineage_from_idx ON unit_lineage(from_unit_id);
CREATE INDEX unit_lineage_to_idx ON unit_lineage(to_unit_id);

-- Which plan opened an interval of a unit's placement, name or type.
ALTER TABLE unit_version ADD COLUMN plan_id INTEGER REFERENCES restructure_plan(plan_id);

-- Rules set by law or by VGCL, as data with effective dates (2025 changed many).
CREATE TABLE rule_value (
    rule_code  TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    value      INTEGER NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (rule_code, valid_from)
);
INSERT INTO rule_value (rule_code, valid_from, valid_to, value, source) VALUES
('commune_union_min_members', '2025-07-01', NULL, 1500, 'TLĐ, hướng dẫn thành lập công đoàn xã, phường, đặc khu (2025)'),
('commune_union_min_cdcs', '2025-07-01', NULL, 10, 'TLĐ, hướng dẫn thành lập công đoàn xã, phường, đặc khu (2025)');
