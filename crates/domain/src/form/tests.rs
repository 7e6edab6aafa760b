use super::*;
use proptest::prelude::*;
use time::macros::date;

fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn sample_def() -> FormDef {
    FormDef {
        code: "BC-THU".into(),
        title: "Báo cáo thử".into(),
        period: "month".into(),
        due_days: 5,
        filled_by: vec!["CDCS".into()],
        sections: vec![
            Section {
                title: "Đoàn viên".into(),
                fields: vec![
                    Field::new("members", "Tổng số đoàn viên", FieldKind::Whole)
                        .required()
                        .by(&BY_SEX)
                        .aggregation(Aggregation::Last)
                        .prefill(Prefill::MembersAtEnd),
                    Field::new("women", "Đoàn viên nữ", FieldKind::Whole).prefill(Prefill::Women),
                    Field::new("joined", "Kết nạp mới", FieldKind::Whole),
                    Field::new("left", "Giảm", FieldKind::Whole),
                    Field::new("net", "Tăng thực", FieldKind::Whole).formula("joined - left"),
                    Field::new("share_women", "Tỷ lệ nữ", FieldKind::Percent)
                        .formula("women / members * 100")
                        .aggregation(Aggregation::Average),
                ],
            },
            Section {
                title: "Hoạt động".into(),
                fields: vec![
                    Field::new("arrears", "Nợ lương", FieldKind::YesNo).aggregation(
                        Aggregation::CountIf {
                            op: CmpOp::Eq,
                            value: "có".into(),
                        },
                    ),
                    Field::new("support", "Tiền hỗ trợ", FieldKind::Money),
                    Field::new(
                        "wage",
                        "Lương bình quân (triệu đồng)",
                        FieldKind::Decimal { places: 1 },
                    )
                    .aggregation(Aggregation::Average),
                    Field::new(
                        "sector",
                        "Loại hình",
                        FieldKind::Choice {
                            options: vec![
                                ("fdi".into(), "Doanh nghiệp FDI".into()),
                                ("nn".into(), "Nhà nước".into()),
                            ],
                        },
                    )
                    .aggregation(Aggregation::CountIf {
                        op: CmpOp::Eq,
                        value: "fdi".into(),
                    }),
                    Field::new("strikes", "Số vụ ngừng việc", FieldKind::Whole).aggregation(
                        Aggregation::CountIf {
                            op: CmpOp::Gt,
                            value: "0".into(),
                        },
                    ),
                    Field::new("note", "Kiến nghị", FieldKind::Text { max_len: 20 })
                        .aggregation(Aggregation::None),
                    Field::new("met_on", "Ngày họp", FieldKind::Date),
                    Field::new(
                        "incidents",
                        "Các vụ việc",
                        FieldKind::Table {
                            columns: vec![
                                Field::new("name", "Tên vụ việc", FieldKind::Text { max_len: 100 })
                                    .required(),
                                Field::new("people", "Số người", FieldKind::Whole),
                            ],
                        },
                    ),
                ],
            },
        ],
        rules: vec![
            Rule::compare(
                "women",
                CmpOp::Le,
                "members",
                "Số nữ không được lớn hơn tổng số",
            ),
            Rule::compare("members.nu", CmpOp::Eq, "women", ""),
            Rule::required_pair("support", "note", ""),
        ],
    }
}

fn sample() -> Form {
    sample_def().check().expect("sample form is valid")
}

fn codes(issues: &[DefIssue]) -> Vec<&str> {
    issues.iter().map(|i| i.code).collect()
}

#[test]
fn fields_flatten_sections_and_parts() {
    let f = sample();
    let keys: Vec<&str> = f.fields().map(|x| x.key).collect();
    assert_eq!(
        &keys[..4],
        &["members", "members.nam", "members.nu", "women"]
    );
    let nu = f.fields().find(|x| x.key == "members.nu").unwrap();
    assert_eq!(nu.label, "Tổng số đoàn viên (Nữ)");
    assert_eq!(nu.section, "Đoàn viên");
    assert!(!nu.computed);
    assert!(f.fields().find(|x| x.key == "members").unwrap().computed);
    assert!(f.fields().find(|x| x.key == "net").unwrap().computed);
    assert_eq!(
        f.prefills(),
        vec![
            ("members".to_string(), Prefill::MembersAtEnd),
            ("women".to_string(), Prefill::Women)
        ]
    );
}

#[test]
fn cycle_is_named() {
    let mut d = sample_def();
    d.sections[0].fields.extend([
        Field::new("a", "Chỉ tiêu A", FieldKind::Whole).formula("b + 1"),
        Field::new("b", "Chỉ tiêu B", FieldKind::Whole).formula("c * 2"),
        Field::new("c", "Chỉ tiêu C", FieldKind::Whole).formula("joined + a"),
        Field::new("d", "Chỉ tiêu D", FieldKind::Whole).formula("d"),
    ]);
    let issues = d.check().unwrap_err();
    let cycles: Vec<&DefIssue> = issues.iter().filter(|i| i.code == "VL0813").collect();
    assert_eq!(cycles.len(), 2, "{issues:#?}");
    let abc = cycles.iter().find(|i| i.vi.contains("Chỉ tiêu A")).unwrap();
    for name in ["“Chỉ tiêu A” (a)", "“Chỉ tiêu B” (b)", "“Chỉ tiêu C” (c)"] {
        assert!(abc.vi.contains(name), "{}", abc.vi);
    }
    assert!(abc.en.contains("a → b → c → a"), "{}", abc.en);
    assert!(!abc.vi.contains("Chỉ tiêu D"));
    let d = cycles.iter().find(|i| i.vi.contains("Chỉ tiêu D")).unwrap();
    assert_eq!(d.field.as_deref(), Some("d"));
}

#[test]
fn unknown_and_non_numeric_references_are_named() {
    let mut d = sample_def();
    d.sections[0]
        .fields
        .push(Field::new("x", "Chỉ tiêu X", FieldKind::Whole).formula("joined + nobody"));
    d.sections[0]
        .fields
        .push(Field::new("y", "Chỉ tiêu Y", FieldKind::Whole).formula("note * 2"));
    d.sections[0]
        .fields
        .push(Field::new("z", "Ghi chú Z", FieldKind::Text { max_len: 10 }).formula("joined"));
    d.rules
        .push(Rule::compare("ghost", CmpOp::Lt, "members", ""));
    d.rules.push(Rule::required_pair("support", "phantom", ""));
    let issues = d.check().unwrap_err();
    let unknown: Vec<&DefIssue> = issues.iter().filter(|i| i.code == "VL0811").collect();
    assert_eq!(unknown.len(), 3, "{issues:#?}");
    assert!(unknown[0].vi.contains("“Chỉ tiêu X”") && unknown[0].vi.contains("“nobody”"));
    assert_eq!(unknown[0].field.as_deref(), Some("x"));
    assert!(unknown[1].vi.contains("Quy tắc số 4") && unknown[1].vi.contains("“ghost”"));
    assert!(unknown[2].vi.contains("“phantom”"));
    let non_numeric: Vec<&DefIssue> = issues.iter().filter(|i| i.code == "VL0812").collect();
    assert_eq!(non_numeric.len(), 2, "{issues:#?}");
    assert!(
        non_numeric
            .iter()
            .any(|i| i.vi.contains("“Kiến nghị” (note) là văn bản"))
    );
    assert!(non_numeric.iter().any(|i| i.field.as_deref() == Some("z")));
}

#[test]
fn every_definition_problem_at_once() {
    let d = FormDef {
        code: "bad code!".into(),
        title: " ".into(),
        period: "weekly".into(),
        due_days: 0,
        filled_by: vec![],
        sections: vec![Section {
            title: String::new(),
            fields: vec![
                Field::new("Bad-Key", "Sai mã", FieldKind::Whole),
                Field::new("dup", "Một", FieldKind::Whole),
                Field::new("dup", "Hai", FieldKind::Whole),
                Field::new("pick", "Chọn", FieldKind::Choice { options: vec![] }),
                Field::new("dec", "Số lẻ", FieldKind::Decimal { places: 6 }),
                Field::new("nolabel", "", FieldKind::Whole),
                Field::new("txt", "Chữ", FieldKind::Text { max_len: 5 }).by(&BY_SEX),
                Field::new("avg", "TB chữ", FieldKind::Date).aggregation(Aggregation::Average),
                Field::new("f", "Lỗi công thức", FieldKind::Whole).formula("1 +"),
                Field::new(
                    "t",
                    "Bảng",
                    FieldKind::Table {
                        columns: vec![Field::new("c", "Cột", FieldKind::Whole).formula("1")],
                    },
                ),
            ],
        }],
        rules: vec![],
    };
    let issues = d.check().unwrap_err();
    let c = codes(&issues);
    for want in [
        "VL0801", "VL0802", "VL0803", "VL0818", "VL0805", "VL0806", "VL0808", "VL0809", "VL0807",
        "VL0815", "VL0814", "VL0810", "VL0816",
    ] {
        assert!(c.contains(&want), "missing {want}: {issues:#?}");
    }
    let dup = issues.iter().find(|i| i.code == "VL0806").unwrap();
    assert_eq!(dup.field.as_deref(), Some("dup"));
    assert!(dup.vi.contains("“dup”"));
    let period = issues.iter().find(|i| i.code == "VL0803").unwrap();
    assert!(period.vi.contains("“weekly”"));

    let empty = FormDef {
        sections: vec![],
        rules: vec![],
        ..sample_def()
    };
    assert_eq!(codes(&empty.check().unwrap_err()), vec!["VL0804"]);
}

#[test]
fn parses_vietnamese_input_and_computes() {
    let f = sample();
    let c = f.parse_input(&raw(&[
        ("members.nam", "1.200"),
        ("members.nu", "800"),
        ("women", "800"),
        ("joined", "15"),
        ("left", "3"),
        ("arrears", "Có"),
        ("support", "1.500.000 ₫"),
        ("note", "Tăng lương"),
        ("wage", "7,5"),
        ("sector", "Doanh nghiệp FDI"),
        ("met_on", "05/07/2025"),
        ("incidents.0.name", "Ngừng việc tập thể"),
        ("incidents.0.people", "120"),
        ("incidents.3.name", "Tranh chấp"),
    ]));
    assert_eq!(c.issues, vec![]);
    let v = &c.values;
    assert_eq!(v["members"], Value::Num(2000));
    assert_eq!(v["net"], Value::Num(12));
    assert_eq!(v["share_women"], Value::Num(4000));
    assert_eq!(v["support"], Value::Num(1_500_000));
    assert_eq!(v["wage"], Value::Num(75));
    assert_eq!(v["arrears"], Value::Bool(true));
    assert_eq!(v["sector"], Value::Text("fdi".into()));
    assert_eq!(v["met_on"], Value::Date(date!(2025 - 07 - 05)));
    let Value::Rows(rows) = &v["incidents"] else {
        panic!("rows")
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["people"], Value::Num(120));
    assert!(!v.contains_key("strikes"));
    assert_eq!(f.display("share_women", &v["share_women"]), "40%");
    assert_eq!(f.display("support", &v["support"]), "1.500.000 ₫");
    assert_eq!(f.display("wage", &v["wage"]), "7,5");
    assert_eq!(f.display("members", &v["members"]), "2.000");
    assert_eq!(f.display("sector", &v["sector"]), "Doanh nghiệp FDI");
    assert_eq!(f.display("met_on", &v["met_on"]), "05/07/2025");
    assert_eq!(f.display("incidents", &v["incidents"]), "2 dòng");

    // What a page puts back into its inputs reads back to the same values.
    let again = f.parse_input(&f.raw_of(v));
    assert_eq!(again.issues, vec![]);
    assert_eq!(&again.values, v);
}

#[test]
fn input_problems_name_field_and_value() {
    let f = sample();
    let c = f.parse_input(&raw(&[
        ("members.nam", "12,5"),
        ("women", "abc"),
        ("joined", "-2"),
        ("wage", "7,55"),
        ("arrears", "chắc vậy"),
        ("sector", "tư nhân"),
        ("met_on", "31/02/2025"),
        ("note", "một kiến nghị rất dài quá giới hạn"),
        ("incidents.0.people", "3"),
    ]));
    let by_field: BTreeMap<&str, &FieldIssue> =
        c.issues.iter().map(|i| (i.field.as_str(), i)).collect();
    assert_eq!(by_field["members.nam"].code, "VL0852");
    assert_eq!(
        by_field["members.nam"].vi,
        "Tổng số đoàn viên (Nam): phải là số nguyên, không nhập phần thập phân (đã nhập “12,5”)."
    );
    assert_eq!(by_field["members.nu"].code, "VL0850");
    assert_eq!(
        by_field["members.nu"].vi,
        "Tổng số đoàn viên (Nữ): không được để trống."
    );
    assert_eq!(by_field["women"].code, "VL0851");
    assert!(
        by_field["women"]
            .vi
            .starts_with("Đoàn viên nữ: “abc” không phải là số")
    );
    assert_eq!(by_field["joined"].code, "VL0854");
    assert_eq!(by_field["wage"].code, "VL0853");
    assert_eq!(by_field["arrears"].code, "VL0858");
    assert_eq!(by_field["sector"].code, "VL0859");
    assert!(by_field["sector"].vi.contains("Doanh nghiệp FDI, Nhà nước"));
    assert_eq!(by_field["met_on"].code, "VL0860");
    assert!(by_field["met_on"].vi.contains("31/02"));
    assert_eq!(by_field["note"].code, "VL0857");
    assert_eq!(by_field["incidents.0.name"].code, "VL0850");
    assert_eq!(
        by_field["incidents.0.name"].vi,
        "Các vụ việc — dòng 1 — Tên vụ việc: không được để trống."
    );
    let pct = Form::parse_input(
        &FormDef {
            sections: vec![Section {
                title: String::new(),
                fields: vec![Field::new("p", "Tỷ lệ", FieldKind::Percent)],
            }],
            rules: vec![],
            ..sample_def()
        }
        .check()
        .unwrap(),
        &raw(&[("p", "120%")]),
    );
    assert_eq!(pct.issues[0].code, "VL0855");
}

#[test]
fn rules_explain_themselves() {
    let f = sample();
    let c = f.parse_input(&raw(&[
        ("members.nam", "10"),
        ("members.nu", "5"),
        ("women", "20"),
        ("support", "100.000"),
    ]));
    let msgs: Vec<(&str, &str, &str)> = c
        .issues
        .iter()
        .map(|i| (i.field.as_str(), i.code, i.vi.as_str()))
        .collect();
    assert_eq!(
        msgs,
        vec![
            (
                "women",
                "VL0861",
                "Số nữ không được lớn hơn tổng số (Đoàn viên nữ: 20; Tổng số đoàn viên: 15)."
            ),
            (
                "members.nu",
                "VL0861",
                "Tổng số đoàn viên (Nữ) (5) phải bằng Đoàn viên nữ (20)."
            ),
            (
                "note",
                "VL0862",
                "Kiến nghị: không được để trống khi đã nhập “Tiền hỗ trợ”."
            ),
        ]
    );
    // A rule reading a blank field waits for it.
    let c = f.parse_input(&raw(&[("members.nam", "10"), ("members.nu", "5")]));
    assert_eq!(c.issues, vec![]);
    // Expressions on both sides, labelled.
    let mut d = sample_def();
    d.rules = vec![Rule::compare("joined - left", CmpOp::Le, "members / 2", "")];
    let f = d.check().unwrap();
    let c = f.parse_input(&raw(&[
        ("members.nam", "4"),
        ("members.nu", "6"),
        ("joined", "9"),
        ("left", "1"),
    ]));
    assert_eq!(
        c.issues[0].vi,
        "Kết nạp mới − Giảm (8) không được lớn hơn Tổng số đoàn viên : 2 (5)."
    );
}

#[test]
fn check_field_shows_rules_at_the_field_typed() {
    let f = sample();
    let others = raw(&[("members.nam", "10"), ("members.nu", "5")]);
    let typed = f.check_field("women", "20", &others);
    assert_eq!(typed.len(), 2, "{typed:#?}");
    assert!(typed.iter().all(|i| i.field == "women"));
    assert!(typed[0].vi.starts_with("Số nữ không được lớn hơn tổng số"));
    // Typing the part the rule reads through the sum also shows it, at the part.
    let others = raw(&[("women", "5"), ("members.nu", "5")]);
    let typed = f.check_field("members.nam", "-1", &others);
    assert_eq!(typed.len(), 1);
    assert_eq!(typed[0].code, "VL0854");
    let others = raw(&[("women", "30"), ("members.nu", "20")]);
    let typed = f.check_field("members.nam", "1", &others);
    assert_eq!(typed.len(), 1, "{typed:#?}");
    assert_eq!(typed[0].field, "members.nam");
    assert_eq!(typed[0].code, "VL0861");
    // Other fields' problems are not this field's.
    assert_eq!(f.check_field("joined", "3", &raw(&[])), vec![]);
}

#[test]
fn rollup_cells_read_vietnamese() {
    let f = sample();
    let units = [
        raw(&[
            ("members.nam", "1.000"),
            ("members.nu", "500"),
            ("women", "500"),
            ("arrears", "có"),
            ("support", "1.000.000"),
            ("note", "x"),
            ("wage", "7"),
            ("sector", "fdi"),
            ("strikes", "2"),
        ]),
        raw(&[
            ("members.nam", "200"),
            ("members.nu", "300"),
            ("women", "300"),
            ("arrears", "không"),
            ("wage", "8"),
            ("sector", "nn"),
            ("strikes", "0"),
            ("incidents.0.name", "a"),
            ("incidents.1.name", "b"),
        ]),
    ];
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for u in &units {
        let c = f.parse_input(u);
        assert_eq!(c.issues, vec![]);
        for (k, t) in f.contributions(&c.values) {
            *tallies.entry(k).or_default() += t;
        }
    }
    let cells = f.rollup_cells(&tallies, 3);
    let text: BTreeMap<&str, &str> = cells
        .iter()
        .map(|c| (c.key.as_str(), c.text.as_str()))
        .collect();
    assert_eq!(text["members"], "2.000");
    assert_eq!(text["members.nu"], "800");
    assert_eq!(text["support"], "1.000.000 ₫");
    assert_eq!(text["wage"], "7,5");
    // (33,33% + 60%) / 2, rounded.
    assert_eq!(text["share_women"], "46,67%");
    assert_eq!(text["arrears"], "1/3 đơn vị");
    assert_eq!(text["sector"], "1/3 đơn vị");
    assert_eq!(text["strikes"], "1/3 đơn vị");
    assert_eq!(text["incidents"], "2 dòng");
    assert_eq!(text["joined"], "—");
    assert!(!text.contains_key("note"));
    assert!(!text.contains_key("met_on"));
    let members = cells.iter().find(|c| c.key == "members").unwrap();
    assert_eq!(members.value, Some(Value::Num(2000)));
    assert_eq!(members.section, "Đoàn viên");
    let cells = f.rollup_cells(&tallies, 0);
    assert_eq!(
        cells.iter().find(|c| c.key == "arrears").unwrap().text,
        "1 đơn vị"
    );
}

#[test]
fn diff_shows_what_changed() {
    let f = sample();
    let old = f
        .parse_input(&raw(&[
            ("members.nam", "10"),
            ("members.nu", "5"),
            ("note", "cũ"),
            ("incidents.0.name", "a"),
        ]))
        .values;
    let new = f
        .parse_input(&raw(&[
            ("members.nam", "10"),
            ("members.nu", "6"),
            ("support", "2.000.000"),
            ("incidents.0.name", "b"),
        ]))
        .values;
    let d = f.diff(&old, &new);
    let got: Vec<(&str, &str, &str)> = d
        .iter()
        .map(|c| (c.label.as_str(), c.old.as_str(), c.new.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Tổng số đoàn viên", "15", "16"),
            ("Tổng số đoàn viên (Nữ)", "5", "6"),
            ("Tiền hỗ trợ", "(trống)", "2.000.000 ₫"),
            ("Kiến nghị", "cũ", "(trống)"),
            ("Các vụ việc", "1 dòng", "1 dòng (đã sửa nội dung)"),
        ]
    );
    assert_eq!(f.diff(&new, &new), vec![]);
}

#[test]
fn json_is_compact_and_round_trips() {
    let d = sample_def();
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.contains(r#""kind":{"type":"whole"}"#), "{json}");
    assert!(json.contains(r#""aggregation":{"type":"count_if","op":">","value":"0"}"#));
    assert!(json.contains(r#""disaggregation":[["nam","Nam"],["nu","Nữ"]]"#));
    assert!(!json.contains("\"hint\""));
    assert!(!json.contains("\"required\":false"));
    let back: FormDef = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
    // Optional parts may be left out.
    let min: FormDef = serde_json::from_str(
        r#"{"code":"X","title":"T","period":"year","sections":[{"fields":[{"key":"a","label":"A","kind":{"type":"text"}}]}]}"#,
    )
    .unwrap();
    assert_eq!(
        min.sections[0].fields[0].kind,
        FieldKind::Text { max_len: 1000 }
    );
    assert_eq!(min.sections[0].fields[0].aggregation, Aggregation::Sum);

    let f = sample();
    let v = f
        .parse_input(&raw(&[
            ("members.nam", "1"),
            ("members.nu", "1"),
            ("arrears", "có"),
            ("met_on", "1/2/2025"),
            ("note", "ghi chú"),
            ("incidents.0.name", "a"),
        ]))
        .values;
    let json = serde_json::to_string(&v).unwrap();
    assert!(json.contains(r#""met_on":"2025-02-01""#), "{json}");
    assert!(json.contains(r#""members.nu":1"#));
    assert!(json.contains(r#""incidents":[{"name":"a"}]"#));
    let back: Values = serde_json::from_str(&json).unwrap();
    assert_eq!(back, v);
}

#[test]
fn yes_no_average_is_a_share() {
    let mut d = sample_def();
    d.sections[1].fields[0].aggregation = Aggregation::Average;
    let f = d.check().unwrap();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for yes in ["có", "không", "không"] {
        let v = f
            .parse_input(&raw(&[
                ("members.nam", "1"),
                ("members.nu", "0"),
                ("women", "0"),
                ("arrears", yes),
            ]))
            .values;
        for (k, t) in f.contributions(&v) {
            *tallies.entry(k).or_default() += t;
        }
    }
    let cell = f
        .rollup_cells(&tallies, 3)
        .into_iter()
        .find(|c| c.key == "arrears")
        .unwrap();
    assert_eq!(cell.text, "33,33%");
    assert_eq!(cell.value, Some(Value::Num(3333)));
}

#[test]
fn tally_arithmetic() {
    let a = Tally {
        total: 5,
        n: 1,
        hits: 1,
    };
    let b = Tally {
        total: 3,
        n: 2,
        hits: 0,
    };
    assert_eq!(a + b - b, a);
    assert_eq!(a + -a, Tally::default());
    assert!((a - a).is_zero());
}

/// One unit's typed figures, random.
fn unit_input() -> impl Strategy<Value = Vec<Option<u32>>> {
    prop::collection::vec(prop::option::of(0u32..5_000), 9)
}

fn to_raw(x: &[Option<u32>]) -> BTreeMap<String, String> {
    let keys = [
        "members.nam",
        "members.nu",
        "women",
        "joined",
        "left",
        "support",
        "wage",
        "strikes",
        "arrears",
    ];
    let mut m = BTreeMap::new();
    for (k, v) in keys.iter().zip(x) {
        if let Some(v) = v {
            let text = match *k {
                "wage" => format!("{},{}", v / 10, v % 10),
                "arrears" => if v % 2 == 0 { "có" } else { "không" }.to_owned(),
                "support" => format_int(i64::from(*v) * 1000),
                _ => v.to_string(),
            };
            m.insert((*k).to_owned(), text);
        }
    }
    // Keep the rules satisfied so every unit is a valid submission.
    let nu = m.entry("members.nu".into()).or_insert("0".into()).clone();
    m.entry("members.nam".into()).or_insert("0".into());
    m.insert("women".into(), nu);
    if m.contains_key("support") {
        m.insert("note".into(), "x".into());
    }
    m
}

/// The aggregate recomputed from all units' values, without tallies.
fn recount(f: &Form, all: &[Values]) -> BTreeMap<String, (Option<i64>, i64)> {
    let mut out = BTreeMap::new();
    for ff in f.fields() {
        let vals: Vec<&Value> = all.iter().filter_map(|v| v.get(ff.key)).collect();
        let nums: Vec<i64> = vals
            .iter()
            .filter_map(|v| match v {
                Value::Num(n) => Some(*n),
                Value::Bool(b) => Some(i64::from(*b)),
                _ => None,
            })
            .collect();
        if matches!(ff.field.kind, FieldKind::Table { .. }) {
            let rows = vals
                .iter()
                .map(|v| match v {
                    Value::Rows(r) => r.len() as i64,
                    _ => 0,
                })
                .sum();
            out.insert(ff.key.to_owned(), (Some(rows), 0));
            continue;
        }
        let r = match &ff.field.aggregation {
            Aggregation::Sum | Aggregation::Last => (
                if nums.is_empty() {
                    None
                } else {
                    Some(nums.iter().sum())
                },
                0,
            ),
            Aggregation::Average => (
                if nums.is_empty() {
                    None
                } else {
                    let s: i64 = nums.iter().sum();
                    Some(average(s, nums.len() as i64))
                },
                0,
            ),
            Aggregation::CountIf { .. } => (
                None,
                vals.iter()
                    .filter(|v| {
                        count_if_holds(
                            &ff.field.kind,
                            match &ff.field.aggregation {
                                Aggregation::CountIf { op, .. } => *op,
                                _ => CmpOp::Eq,
                            },
                            match &ff.field.aggregation {
                                Aggregation::CountIf { value, .. } => value,
                                _ => "",
                            },
                            v,
                        )
                    })
                    .count() as i64,
            ),
            Aggregation::None => continue,
        };
        out.insert(ff.key.to_owned(), r);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The roll-up kept by adding contributions equals a recount, and
    /// contribution(old) + delta(old, new) = contribution(new).
    #[test]
    fn contributions_add_up(
        units in prop::collection::vec(unit_input(), 1..12),
        edits in prop::collection::vec((0usize..12, prop::option::of(unit_input())), 0..8),
    ) {
        let f = sample();
        let mut current: Vec<Option<Values>> = units
            .iter()
            .map(|u| {
                let c = f.parse_input(&to_raw(u));
                assert_eq!(c.issues, vec![], "{u:?}");
                Some(c.values)
            })
            .collect();
        let mut kept: BTreeMap<String, Tally> = BTreeMap::new();
        for v in current.iter().flatten() {
            for (k, t) in f.contributions(v) {
                *kept.entry(k).or_default() += t;
            }
        }
        // Resubmissions and withdrawals applied as deltas.
        for (i, new) in edits {
            let i = i % current.len();
            let new = new.map(|u| f.parse_input(&to_raw(&u)).values);
            let delta = f.contribution_delta(current[i].as_ref(), new.as_ref());
            prop_assert!(delta.iter().all(|(_, t)| !t.is_zero()));
            // contribution(old) + delta = contribution(new), key by key.
            let mut lhs: BTreeMap<String, Tally> = BTreeMap::new();
            for (k, t) in current[i].as_ref().map(|v| f.contributions(v)).unwrap_or_default() {
                *lhs.entry(k).or_default() += t;
            }
            for (k, t) in &delta {
                *lhs.entry(k.clone()).or_default() += *t;
            }
            lhs.retain(|_, t| !t.is_zero());
            let rhs: BTreeMap<String, Tally> = new
                .as_ref()
                .map(|v| f.contributions(v))
                .unwrap_or_default()
                .into_iter()
                .collect();
            prop_assert_eq!(lhs, rhs);
            for (k, t) in delta {
                *kept.entry(k).or_default() += t;
            }
            current[i] = new;
        }
        let all: Vec<Values> = current.into_iter().flatten().collect();
        let expected = recount(&f, &all);
        let cells = f.rollup_cells(&kept, 0);
        for c in &cells {
            let Some((value, hits)) = expected.get(&c.key) else { continue };
            match &f.fields().find(|x| x.key == c.key).unwrap().field.aggregation {
                Aggregation::CountIf { .. } => prop_assert_eq!(c.value.clone(), Some(Value::Num(*hits))),
                _ if matches!(f.fields().find(|x| x.key == c.key).unwrap().field.kind, FieldKind::YesNo) => {
                    prop_assert_eq!(c.value.clone(), Some(Value::Num(value.unwrap_or(0))));
                }
                _ => prop_assert_eq!(c.value.clone(), value.map(Value::Num), "{}", c.key),
            }
        }
    }
}

/// "If A then B" does not fire when A is zero: no stoppages need no number of people.
#[test]
fn required_pair_ignores_zero() {
    let f = sample();
    let zero = f.parse_input(&raw(&[("support", "0")]));
    assert!(
        zero.issues.iter().all(|i| i.code != "VL0862"),
        "{:?}",
        zero.issues
    );
    let some = f.parse_input(&raw(&[("support", "5")]));
    assert!(
        some.issues
            .iter()
            .any(|i| i.code == "VL0862" && i.field == "note"),
        "{:?}",
        some.issues
    );
}
