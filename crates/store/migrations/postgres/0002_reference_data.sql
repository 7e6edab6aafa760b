-- Reference data: VGCL unit types (current and historic) and officer positions.
-- Same file for both engines. Rules change by decision, so types carry effective dates.
INSERT INTO unit_type (type_code, name_vi, name_en, tier, is_grassroots, holds_members, valid_from, valid_to, sort_order) VALUES
('TLD', 'Tổng Liên đoàn Lao động Việt Nam', 'Vietnam General Confederation of Labour', 1, FALSE, FALSE, NULL, NULL, 10),
('LDLD_TINH', 'Liên đoàn Lao động tỉnh, thành phố', 'Provincial federation of labour', 2, FALSE, FALSE, NULL, NULL, 20),
('CD_NGANH_TW', 'Công đoàn ngành Trung ương', 'Central sector union', 2, FALSE, FALSE, NULL, NULL, 30),
('CD_TAP_DOAN', 'Công đoàn tập đoàn, tổng công ty', 'Corporation union', 2, FALSE, FALSE, NULL, NULL, 40),
('LDLD_HUYEN', 'Liên đoàn Lao động huyện, quận, thị xã (đã giải thể)', 'District federation of labour (historic)', 3, FALSE, FALSE, NULL, '2025-07-01', 50),
('CD_NGANH_DP', 'Công đoàn ngành địa phương, Công đoàn Viên chức tỉnh (đã giải thể)', 'Local sector union / provincial civil servants union (historic)', 3, FALSE, FALSE, NULL, '2025-07-01', 60),
('CD_KCN', 'Công đoàn các khu công nghiệp, khu kinh tế', 'Industrial-park union', 3, FALSE, FALSE, NULL, NULL, 70),
('CD_XA', 'Công đoàn xã, phường, đặc khu', 'Commune, ward or special-zone union', 3, FALSE, FALSE, '2025-07-01', NULL, 80),
('CDCS', 'Công đoàn cơ sở', 'Grassroots union', 4, TRUE, TRUE, NULL, NULL, 90),
('NGHIEP_DOAN', 'Nghiệp đoàn cơ sở', 'Grassroots trade association', 4, TRUE, TRUE, NULL, NULL, 100),
('CDCS_THANH_VIEN', 'Công đoàn cơ sở thành viên', 'Member grassroots union', 5, FALSE, TRUE, NULL, NULL, 110),
('CD_BO_PHAN', 'Công đoàn bộ phận', 'Department union', 5, FALSE, TRUE, NULL, NULL, 120),
('TO_CD', 'Tổ công đoàn', 'Union group', 6, FALSE, TRUE, NULL, NULL, 130);

INSERT INTO position_type (position_code, name_vi, name_en, committee_kind, sort_order) VALUES
('CHU_TICH', 'Chủ tịch', 'Chair', 'BCH', 10),
('PHO_CHU_TICH', 'Phó Chủ tịch', 'Vice-chair', 'BCH', 20),
('UV_BTV', 'Ủy viên Ban Thường vụ', 'Standing committee member', 'BTV', 30),
('UV_BCH', 'Ủy viên Ban Chấp hành', 'Executive committee member', 'BCH', 40),
('CHU_NHIEM_UBKT', 'Chủ nhiệm Ủy ban Kiểm tra', 'Inspection committee chair', 'UBKT', 50),
('PHO_CHU_NHIEM_UBKT', 'Phó Chủ nhiệm Ủy ban Kiểm tra', 'Inspection committee vice-chair', 'UBKT', 60),
('UV_UBKT', 'Ủy viên Ủy ban Kiểm tra', 'Inspection committee member', 'UBKT', 70),
('TO_TRUONG', 'Tổ trưởng', 'Group leader', 'TO', 80),
('TO_PHO', 'Tổ phó', 'Deputy group leader', 'TO', 90);
