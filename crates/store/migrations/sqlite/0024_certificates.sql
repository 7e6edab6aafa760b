-- Certificates (giấy khen, giấy chứng nhận, issue 15 item 7): what was printed,
-- kept as issued (names are copies: a later rename or a deleted member does not
-- change a granted certificate), with an unguessable code for the public
-- verification page. `reward_item_id` keeps the reward it came from without a
-- foreign key (rewards live in another migration).
-- Keep in step with ../postgres/0024_certificates.sql.
CREATE TABLE certificate (
    certificate_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    code                TEXT NOT NULL UNIQUE,
    -- 'giay_khen' or 'giay_chung_nhan'.
    kind                TEXT NOT NULL CHECK (kind IN ('giay_khen', 'giay_chung_nhan')),
    title               TEXT NOT NULL,
    recipient_name      TEXT NOT NULL,
    recipient_unit_name TEXT,
    reason              TEXT NOT NULL,
    decision_number     TEXT NOT NULL,
    decision_date       TEXT NOT NULL,
    issuer_unit_id      INTEGER NOT NULL REFERENCES unit(unit_id),
    issuer_name         TEXT NOT NULL,
    issuer_parent_name  TEXT,
    place               TEXT NOT NULL,
    signer_position     TEXT NOT NULL,
    signer_name         TEXT NOT NULL,
    member_id           INTEGER,
    unit_id             INTEGER,
    reward_item_id      INTEGER,
    issued_at           TEXT NOT NULL,
    issued_by           TEXT NOT NULL,
    revoked_at          TEXT,
    revoked_reason      TEXT
);
CREATE INDEX certificate_issuer_idx ON certificate(issuer_unit_id, certificate_id);
CREATE INDEX certificate_decision_idx ON certificate(issuer_unit_id, decision_number);
CREATE INDEX certificate_member_idx ON certificate(member_id);
