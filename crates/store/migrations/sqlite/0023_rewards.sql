-- Rewards (issue 15, items 5–6): the reward catalogue, periodic evaluations of people
-- with a quota, numbered reward decisions and their items (the reward register).
-- Quotas, the combination rule (HD 1217/HD-TLĐ) and cash amounts are enforced by the
-- store in the transaction that writes a decision. Keep in step with
-- ../postgres/0023_rewards.sql.

-- The catalogue: forms of reward and titles. owner_unit_id NULL = national (seeded
-- below); a unit may add its own (e.g. a fixed quarterly bonus).
CREATE TABLE reward_kind (
    reward_kind_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_unit_id   BIGINT REFERENCES unit(unit_id),
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    -- Unit types that may grant it, comma-separated ('' = any level).
    grant_types     TEXT NOT NULL,
    recipient       TEXT NOT NULL CHECK (recipient IN ('individual','collective')),
    award_scope     TEXT NOT NULL CHECK (award_scope IN ('comprehensive','thematic')),
    -- 'none', 'multiple:<f>' (of the base salary on the decision date) or 'fixed:<vnd>'.
    cash_rule       TEXT NOT NULL,
    -- Eligibility rules, comma-separated: absence, service, not_disciplined, registered.
    rules           TEXT NOT NULL,
    source          TEXT,
    sort_order      BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX reward_kind_code_idx ON reward_kind(COALESCE(owner_unit_id, 0), code);

-- A periodic evaluation (bình xét) of the people of a unit for a period, with a quota.
CREATE TABLE evaluation (
    evaluation_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         BIGINT NOT NULL REFERENCES unit(unit_id),
    title           TEXT NOT NULL,
    period_type     TEXT NOT NULL,
    period          TEXT NOT NULL,
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    quota           BIGINT NOT NULL,
    reward_kind_id  BIGINT NOT NULL REFERENCES reward_kind(reward_kind_id),
    state           TEXT NOT NULL CHECK (state IN ('draft','decided')),
    decision_id     BIGINT,
    created_at      TEXT NOT NULL,
    created_by_name TEXT
);
CREATE INDEX evaluation_unit_idx ON evaluation(unit_id, period_end);
CREATE INDEX evaluation_open_idx ON evaluation(state, period_end);

-- A person put forward in an evaluation, with the facts the eligibility rules read.
CREATE TABLE evaluation_nominee (
    evaluation_id   BIGINT NOT NULL REFERENCES evaluation(evaluation_id),
    member_id       BIGINT NOT NULL REFERENCES member(member_id),
    reward_kind_id  BIGINT NOT NULL REFERENCES reward_kind(reward_kind_id),
    votes           BIGINT,
    note            TEXT,
    absent_days     BIGINT NOT NULL DEFAULT 0,
    maternity_days  BIGINT NOT NULL DEFAULT 0,
    service_months  BIGINT NOT NULL DEFAULT 0,
    disciplined     BOOLEAN NOT NULL DEFAULT FALSE,
    registered      BOOLEAN NOT NULL DEFAULT TRUE,
    added_at        TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, member_id)
);

-- A reward decision (quyết định khen thưởng), numbered like directives: "12/QĐ-CĐCS".
CREATE TABLE reward_decision (
    decision_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer_unit_id  BIGINT NOT NULL REFERENCES unit(unit_id),
    evaluation_id   BIGINT REFERENCES evaluation(evaluation_id),
    doc_year        BIGINT NOT NULL,
    doc_seq         BIGINT NOT NULL,
    doc_number      TEXT NOT NULL,
    title           TEXT NOT NULL,
    decided_on      TEXT NOT NULL,
    signer_name     TEXT NOT NULL,
    signer_role     TEXT NOT NULL,
    total_vnd       BIGINT NOT NULL,
    item_count      BIGINT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by_name TEXT
);
CREATE UNIQUE INDEX reward_decision_number_idx ON reward_decision(issuer_unit_id, doc_year, doc_seq);
CREATE INDEX reward_decision_issuer_idx ON reward_decision(issuer_unit_id, decided_on);

-- One line of a decision: a member or a unit, the reward, the cash computed by the rule
-- on the decision date, the period. The register of a member or unit reads these.
CREATE TABLE reward_item (
    item_id         INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id     BIGINT NOT NULL REFERENCES reward_decision(decision_id),
    line_no         BIGINT NOT NULL,
    member_id       BIGINT REFERENCES member(member_id),
    unit_id         BIGINT REFERENCES unit(unit_id),
    -- The member's unit when the decision was made (the payout list's column).
    recipient_unit_id BIGINT NOT NULL REFERENCES unit(unit_id),
    recipient_name  TEXT NOT NULL,
    unit_name       TEXT NOT NULL,
    reward_kind_id  BIGINT NOT NULL REFERENCES reward_kind(reward_kind_id),
    granting_unit_id BIGINT NOT NULL REFERENCES unit(unit_id),
    award_scope     TEXT NOT NULL,
    period          TEXT NOT NULL,
    amount_vnd      BIGINT NOT NULL,
    reason          TEXT
);
CREATE INDEX reward_item_decision_idx ON reward_item(decision_id, line_no);
CREATE INDEX reward_item_member_idx ON reward_item(member_id) WHERE member_id IS NOT NULL;
CREATE INDEX reward_item_unit_idx ON reward_item(unit_id) WHERE unit_id IS NOT NULL;
CREATE INDEX reward_item_grant_idx ON reward_item(granting_unit_id, period);

INSERT INTO reward_kind (owner_unit_id, code, name, grant_types, recipient, award_scope, cash_rule, rules, source, sort_order, created_at) VALUES
(NULL, 'BIEU_DUONG', 'Biểu dương', '', 'individual', 'thematic', 'none', '', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 10, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'GIAY_CHUNG_NHAN', 'Giấy chứng nhận', '', 'individual', 'comprehensive', 'none', 'absence,not_disciplined', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 20, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'DVCD_XUAT_SAC', 'Đoàn viên công đoàn xuất sắc', 'CDCS,NGHIEP_DOAN,CDCS_THANH_VIEN', 'individual', 'comprehensive', 'none', 'absence,service,not_disciplined,registered', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 30, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'GIAY_KHEN_CDCS', 'Giấy khen của Ban Chấp hành CĐCS', 'CDCS,NGHIEP_DOAN', 'individual', 'comprehensive', 'none', 'absence,service,not_disciplined', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 40, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'GIAY_KHEN_CDCS_CD', 'Giấy khen chuyên đề của Ban Chấp hành CĐCS', 'CDCS,NGHIEP_DOAN', 'individual', 'thematic', 'none', 'not_disciplined', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 45, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'GIAY_KHEN_CAP_TREN', 'Giấy khen của công đoàn cấp trên trực tiếp cơ sở', 'CD_XA,CD_KCN,LDLD_HUYEN,CD_NGANH_DP,CD_TAP_DOAN', 'individual', 'comprehensive', 'none', 'absence,service,not_disciplined', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 50, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'BANG_KHEN_LDLD', 'Bằng khen của LĐLĐ tỉnh, CĐ ngành Trung ương', 'LDLD_TINH,CD_NGANH_TW,CD_TAP_DOAN', 'individual', 'comprehensive', 'none', 'absence,service,not_disciplined', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 60, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'BANG_KHEN_TLD', 'Bằng khen của Ban Chấp hành Tổng Liên đoàn', 'TLD', 'individual', 'comprehensive', 'none', 'absence,service,not_disciplined', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 70, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'BANG_LDST', 'Bằng Lao động sáng tạo', 'TLD', 'individual', 'thematic', 'none', 'not_disciplined', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 80, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'LDTT', 'Lao động tiên tiến', '', 'individual', 'comprehensive', 'multiple:0.3', 'absence,service,not_disciplined,registered', 'NĐ 152/2025/NĐ-CP, Điều 50', 90, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'CSTD_CO_SO', 'Chiến sĩ thi đua cơ sở', '', 'individual', 'comprehensive', 'multiple:1', 'absence,service,not_disciplined,registered', 'NĐ 152/2025/NĐ-CP, Điều 50', 100, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'TT_LDTT', 'Tập thể lao động tiên tiến', '', 'collective', 'comprehensive', 'multiple:0.8', 'registered', 'NĐ 152/2025/NĐ-CP, Điều 50', 110, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'TT_LDXS', 'Tập thể lao động xuất sắc', '', 'collective', 'comprehensive', 'multiple:1.5', 'registered', 'NĐ 152/2025/NĐ-CP, Điều 50', 120, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'CO_THI_DUA_LDLD', 'Cờ thi đua của LĐLĐ tỉnh, CĐ ngành Trung ương', 'LDLD_TINH,CD_NGANH_TW,CD_TAP_DOAN', 'collective', 'comprehensive', 'none', 'registered', 'QĐ 1564/QĐ-TLĐ (2014), Điều 11', 130, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
(NULL, 'CO_THI_DUA_TLD', 'Cờ thi đua của Tổng Liên đoàn', 'TLD', 'collective', 'comprehensive', 'none', 'registered', 'QĐ 999/QĐ-TLĐ (29/5/2024)', 140, strftime('%Y-%m-%dT%H:%M:%SZ','now'));
