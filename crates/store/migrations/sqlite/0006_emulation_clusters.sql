-- Emulation clusters and blocks (cụm, khối thi đua) of an upper-level union for a year,
-- with member CĐCS from any line, a lead unit, and standing-committee (BTV) members as
-- supervisors (seed 000: An Giang runs its CĐCS this way instead of a CĐ Viên chức tier).
-- Keep in step with ../postgres/0006_emulation_clusters.sql.
CREATE TABLE emulation_cluster (
    cluster_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_unit_id INTEGER NOT NULL REFERENCES unit(unit_id),
    path          TEXT NOT NULL,
    year          INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('cum','khoi')),
    name          TEXT NOT NULL,
    lead_unit_id  INTEGER REFERENCES unit(unit_id),
    created_at    TEXT NOT NULL,
    UNIQUE (owner_unit_id, year, name)
);
CREATE INDEX emulation_cluster_path_idx ON emulation_cluster(path, year);

CREATE TABLE cluster_unit (
    cluster_id INTEGER NOT NULL REFERENCES emulation_cluster(cluster_id),
    unit_id    INTEGER NOT NULL REFERENCES unit(unit_id),
    PRIMARY KEY (cluster_id, unit_id)
);
CREATE INDEX cluster_unit_unit_idx ON cluster_unit(unit_id);

-- A supervisor is a post in the owner's BTV (so the post's end ends the supervision).
CREATE TABLE cluster_supervisor (
    cluster_id    INTEGER NOT NULL REFERENCES emulation_cluster(cluster_id),
    assignment_id INTEGER NOT NULL REFERENCES position_assignment(assignment_id),
    PRIMARY KEY (cluster_id, assignment_id)
);
CREATE INDEX cluster_supervisor_assignment_idx ON cluster_supervisor(assignment_id);
