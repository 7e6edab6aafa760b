//! Form definitions as a statistician writes them in Excel: read, checked,
//! located errors, and the round trip through our own export.

use congdoan_domain::form::{
    Aggregation, BY_SEX, CmpOp, Field, FieldKind, FormDef, Prefill, Rule, Section,
};
use congdoan_sheet::Limits;
use congdoan_sheet::form::{FormSheetIssue, read_form_definition, write_form_definition};
use rust_xlsxwriter::Workbook;

fn full_def() -> FormDef {
    FormDef {
        code: "TK-THU".into(),
        title: "Báo cáo thử đủ loại trường".into(),
        period: "quarter".into(),
        due_days: 10,
        filled_by: vec!["CDCS".into(), "CD_BO_PHAN".into()],
        sections: vec![
            Section {
                title: "I. Đoàn viên".into(),
                fields: vec![
                    Field::new("members", "Tổng số đoàn viên", FieldKind::Whole)
                        .required()
                        .by(&BY_SEX)
                        .aggregation(Aggregation::Last)
                        .prefill(Prefill::MembersAtEnd)
                        .hint("Lấy từ sổ đoàn viên, sửa nếu cần."),
                    Field::new("women", "Đoàn viên nữ", FieldKind::Whole).prefill(Prefill::Women),
                    Field::new("share", "Tỷ lệ nữ", FieldKind::Percent)
                        .formula("women / members * 100")
                        .aggregation(Aggregation::Average),
                    Field::new("wage", "Lương bình quân", FieldKind::Decimal { places: 1 })
                        .aggregation(Aggregation::Average),
                ],
            },
            Section {
                title: "II. Hoạt động".into(),
                fields: vec![
                    Field::new("arrears", "Nợ lương", FieldKind::YesNo).aggregation(
                        Aggregation::CountIf {
                            op: CmpOp::Eq,
                            value: "có".into(),
                        },
                    ),
                    Field::new("support", "Tiền hỗ trợ", FieldKind::Money),
                    Field::new(
                        "kind",
                        "Loại hình",
                        FieldKind::Choice {
                            options: vec![
                                ("fdi".into(), "Doanh nghiệp FDI".into()),
                                ("nn".into(), "Nhà nước".into()),
                            ],
                        },
                    )
                    .aggregation(Aggregation::None),
                    Field::new("met_on", "Ngày họp", FieldKind::Date),
                    Field::new(
                        "cases",
                        "Các vụ việc",
                        FieldKind::Table {
                            columns: vec![
                                Field::new("name", "Tên vụ việc", FieldKind::Text { max_len: 200 })
                                    .required(),
                                Field::new("people", "Số người", FieldKind::Whole),
                            ],
                        },
                    ),
                    Field::new("note", "Kiến nghị", FieldKind::Text { max_len: 1000 })
                        .aggregation(Aggregation::None),
                ],
            },
        ],
        rules: vec![
            Rule::compare("women", CmpOp::Le, "members", "Số nữ không quá tổng số"),
            Rule::required_pair("support", "note", ""),
        ],
    }
}

fn read(bytes: &[u8]) -> Result<FormDef, Vec<FormSheetIssue>> {
    read_form_definition(bytes, &Limits::default())
}

/// Writes sheets of text cells: (sheet name, rows).
fn xlsx(sheets: &[(&str, Vec<Vec<&str>>)]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn export_then_import_gives_the_same_form() {
    let def = full_def();
    def.clone().check().expect("valid");
    let bytes = write_form_definition(&def);
    assert!(bytes.starts_with(b"PK"));
    let back = read(&bytes).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(back, def);
    // The demo-sized bench form too.
    let mut many = full_def();
    many.sections[0].fields.extend(
        (0..40).map(|i| Field::new(&format!("f{i}"), &format!("Chỉ tiêu {i}"), FieldKind::Whole)),
    );
    assert_eq!(read(&write_form_definition(&many)).unwrap(), many);
}

#[test]
fn vietnamese_headers_and_xlsform_constraints() {
    let bytes = xlsx(&[
        (
            "Trường",
            vec![
                vec![
                    "Loại",
                    "Mã",
                    "Nhãn",
                    "Bắt buộc",
                    "Ràng buộc",
                    "Thông báo",
                    "Công thức",
                    "Tổng hợp",
                    "Phân tổ",
                    "Lấy sẵn",
                ],
                vec!["bắt_đầu_nhóm", "", "Đoàn viên"],
                vec![
                    "so_nguyen",
                    "members",
                    "Tổng số đoàn viên",
                    "có",
                    "",
                    "",
                    "",
                    "cuối kỳ",
                    "gioi_tinh",
                    "members_at_end",
                ],
                vec![
                    "so_nguyen",
                    "women",
                    "Đoàn viên nữ",
                    "",
                    ". <= members and . >= 0",
                    "Số nữ không quá tổng số",
                    "",
                    "",
                    "",
                    "Đoàn viên nữ",
                ],
                vec![
                    "phan_tram",
                    "share",
                    "Tỷ lệ nữ",
                    "",
                    "",
                    "",
                    "women / members * 100",
                    "trung bình",
                ],
                vec!["kết_thúc_nhóm"],
                vec![],
                vec![
                    "co_khong",
                    "arrears",
                    "Nợ lương",
                    "",
                    "",
                    "",
                    "",
                    "đếm = có",
                ],
                vec!["lua_chon loai", "kind", "Loại hình"],
                vec!["tien", "support", "Tiền hỗ trợ"],
            ],
        ),
        (
            "Lựa chọn",
            vec![
                vec!["list_name", "name", "label"],
                vec!["gioi_tinh", "nam", "Nam"],
                vec!["gioi_tinh", "nu", "Nữ"],
                vec!["loai", "fdi", "Doanh nghiệp FDI"],
                vec!["loai", "nn", "Nhà nước"],
            ],
        ),
        (
            "Cài đặt",
            vec![
                vec!["ma_bieu_mau", "BCN-THU"],
                vec!["Tên biểu mẫu", "Báo cáo nhanh thử"],
                vec!["Kỳ báo cáo", "6 tháng"],
                vec!["Hạn nộp", "15"],
                vec!["Đơn vị lập", "CDCS; CD_BO_PHAN"],
            ],
        ),
    ]);
    let def = read(&bytes).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(def.code, "BCN-THU");
    assert_eq!(def.period, "half");
    assert_eq!(def.due_days, 15);
    assert_eq!(def.filled_by, vec!["CDCS", "CD_BO_PHAN"]);
    assert_eq!(def.sections.len(), 2);
    assert_eq!(def.sections[0].title, "Đoàn viên");
    assert_eq!(def.sections[1].title, "");
    let members = &def.sections[0].fields[0];
    assert!(members.required);
    assert_eq!(members.aggregation, Aggregation::Last);
    assert_eq!(members.prefill, Some(Prefill::MembersAtEnd));
    assert_eq!(
        members.disaggregation,
        Some(vec![
            ("nam".into(), "Nam".into()),
            ("nu".into(), "Nữ".into())
        ])
    );
    assert_eq!(def.sections[0].fields[1].prefill, Some(Prefill::Women));
    assert_eq!(
        def.rules,
        vec![
            Rule::compare("women", CmpOp::Le, "members", "Số nữ không quá tổng số"),
            Rule::compare("women", CmpOp::Ge, "0", "Số nữ không quá tổng số"),
        ]
    );
    assert_eq!(
        def.sections[1].fields[0].aggregation,
        Aggregation::CountIf {
            op: CmpOp::Eq,
            value: "có".into()
        }
    );
    let form = def.check().unwrap();
    let raw = [("members.nam", "3"), ("members.nu", "2"), ("women", "6")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let c = form.parse_input(&raw);
    assert_eq!(c.issues.len(), 1, "{:#?}", c.issues);
    assert_eq!(
        c.issues[0].vi,
        "Số nữ không quá tổng số (Đoàn viên nữ: 6; Tổng số đoàn viên: 5)."
    );
}

fn settings() -> (&'static str, Vec<Vec<&'static str>>) {
    (
        "settings",
        vec![
            vec!["form_id", "form_title", "period", "due_days", "filled_by"],
            vec!["BC-1", "Báo cáo", "month", "5", "CDCS"],
        ],
    )
}

#[test]
fn errors_name_sheet_row_and_column() {
    let bytes = xlsx(&[
        (
            "survey",
            vec![
                vec![
                    "type",
                    "name",
                    "label",
                    "calculation",
                    "constraint",
                    "aggregation",
                ],
                vec!["whole", "a", "Chỉ tiêu A", "b + 1"],
                vec!["whole", "b", "Chỉ tiêu B", "a * 2"],
                vec!["integer", "c", "Chỉ tiêu C", "", ". <= ghost"],
                vec!["số_la_mã", "d", "Chỉ tiêu D"],
                vec!["whole", "e", "Chỉ tiêu E", "", "", "median"],
                vec!["select_one nowhere", "f", "Chỉ tiêu F"],
                vec!["whole", "a", "Trùng mã"],
            ],
        ),
        settings(),
    ]);
    let issues = read(&bytes).unwrap_err();
    // Row-level problems first: the definition is not checked until they are fixed.
    let got: Vec<(Option<usize>, Option<&str>, &str)> = issues
        .iter()
        .map(|i| (i.row, i.column.as_deref(), i.code))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(5), Some("A (type)"), "FD010"),
            (Some(6), Some("F (aggregation)"), "FD010"),
            (Some(7), Some("A (type)"), "FD010"),
        ],
        "{issues:#?}"
    );
    assert!(
        issues[0]
            .vi
            .starts_with("Trang “survey”, dòng 5, cột A (type): kiểu “số_la_mã” không hợp lệ"),
        "{}",
        issues[0].vi
    );
    assert!(issues[2].vi.contains("không có danh sách “nowhere”"));

    // With those fixed, the form's own rules speak, still located.
    let bytes = xlsx(&[
        (
            "survey",
            vec![
                vec!["type", "name", "label", "calculation", "constraint"],
                vec!["whole", "a", "Chỉ tiêu A", "b + 1"],
                vec!["whole", "b", "Chỉ tiêu B", "a * 2"],
                vec!["integer", "c", "Chỉ tiêu C", "", ". <= ghost"],
                vec!["text", "t", "Ghi chú"],
                vec!["whole", "a", "Trùng mã"],
            ],
        ),
        (
            "settings",
            vec![
                vec!["form_id", "form_title", "period", "due_days", "filled_by"],
                vec!["BC-1", "Báo cáo", "weekly", "5", "CDCS"],
            ],
        ),
    ]);
    let issues = read(&bytes).unwrap_err();
    let find = |code: &str| {
        issues
            .iter()
            .find(|i| i.code == code)
            .unwrap_or_else(|| panic!("{code}: {issues:#?}"))
    };
    let cycle = find("VL0813");
    assert_eq!(cycle.sheet.as_deref(), Some("survey"));
    assert_eq!(cycle.row, Some(2));
    assert_eq!(cycle.column.as_deref(), Some("D (calculation)"));
    assert!(
        cycle
            .vi
            .contains("“Chỉ tiêu A” (a) → “Chỉ tiêu B” (b) → “Chỉ tiêu A” (a)")
    );
    let unknown = find("VL0811");
    assert_eq!(
        (unknown.row, unknown.column.as_deref()),
        (Some(4), Some("E (constraint)"))
    );
    assert!(unknown.vi.contains("“ghost”"), "{}", unknown.vi);
    let dup = find("VL0806");
    assert_eq!(
        (dup.row, dup.column.as_deref()),
        (Some(2), Some("B (name)"))
    );
    let period = find("VL0803");
    assert_eq!(period.sheet.as_deref(), Some("settings"));
    assert_eq!(period.row, Some(2));
    assert_eq!(period.column.as_deref(), Some("C (period)"));
    assert!(
        period
            .vi
            .starts_with("Trang “settings”, dòng 2, cột C (period): Kỳ báo cáo “weekly”")
    );
}

#[test]
fn the_file_itself_can_be_wrong() {
    let e = read(b"type,name,label\nwhole,a,A\n").unwrap_err();
    assert_eq!(e[0].code, "FD001");
    assert!(e[0].vi.contains(".xlsx"));
    let e = read(&xlsx(&[("Sheet1", vec![vec!["x"]])])).unwrap_err();
    assert_eq!(e[0].code, "FD003");
    let e = read(&xlsx(&[
        ("survey", vec![vec!["type", "label"]]),
        settings(),
    ]))
    .unwrap_err();
    assert_eq!(e[0].code, "FD004");
    assert!(e[0].vi.contains("“name”"));
    let e = read(&xlsx(&[(
        "survey",
        vec![vec!["type", "name", "label"], vec!["whole", "a", "A"]],
    )]))
    .unwrap_err();
    assert_eq!(e[0].code, "FD006");
    // Bounded: a sheet past the reader's limits is refused with the limit named.
    let rows: Vec<Vec<&str>> = std::iter::once(vec!["type", "name", "label"])
        .chain(std::iter::repeat_n(vec!["whole", "a", "A"], 50))
        .collect();
    let small = Limits {
        max_rows: 20,
        ..Limits::default()
    };
    let e = read_form_definition(&xlsx(&[("survey", rows), settings()]), &small).unwrap_err();
    assert_eq!(e[0].code, "SH011", "{e:#?}");
    // Nothing is left behind in the temporary directory.
    let leftovers = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|d| {
            d.file_name()
                .to_string_lossy()
                .starts_with(&format!("congdoan-formdef-{}-", std::process::id()))
        })
        .count();
    assert_eq!(leftovers, 0);
}
