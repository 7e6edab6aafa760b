//! The demo's report forms, written as data: the monthly quick report and the
//! six-month statistics report a CĐCS sends up, and a synthetic form of any
//! size for the benchmark.

use congdoan_domain::form::{
    Aggregation, BY_SEX, CmpOp, Field, FieldKind, FormDef, Prefill, Rule, Section,
};

fn whole(key: &str, label: &str) -> Field {
    Field::new(key, label, FieldKind::Whole)
}

fn money(key: &str, label: &str) -> Field {
    Field::new(key, label, FieldKind::Money)
}

fn yes_no(key: &str, label: &str) -> Field {
    Field::new(key, label, FieldKind::YesNo).aggregation(Aggregation::CountIf {
        op: CmpOp::Eq,
        value: "có".into(),
    })
}

fn text(key: &str, label: &str, max_len: u32) -> Field {
    Field::new(key, label, FieldKind::Text { max_len }).aggregation(Aggregation::None)
}

fn choice(key: &str, label: &str, options: &[(&str, &str)]) -> Field {
    Field::new(
        key,
        label,
        FieldKind::Choice {
            options: options
                .iter()
                .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                .collect(),
        },
    )
    .aggregation(Aggregation::None)
}

fn section(title: &str, fields: Vec<Field>) -> Section {
    Section {
        title: title.to_owned(),
        fields,
    }
}

/// "Báo cáo nhanh tình hình công nhân, viên chức, lao động và hoạt động công
/// đoàn tháng": 12 fields, due 5 days after the month, filled by each CĐCS.
pub fn monthly_quick_report() -> FormDef {
    FormDef {
        code: "BCN-THANG".into(),
        title:
            "Báo cáo nhanh tình hình công nhân, viên chức, lao động và hoạt động công đoàn tháng"
                .into(),
        period: "month".into(),
        due_days: 5,
        filled_by: vec!["CDCS".into()],
        sections: vec![
            section(
                "I. Đoàn viên",
                vec![
                    whole("members_end", "Tổng số đoàn viên cuối tháng")
                        .required()
                        .prefill(Prefill::MembersAtEnd)
                        .aggregation(Aggregation::Last),
                    whole("members_joined", "Đoàn viên kết nạp mới trong tháng")
                        .prefill(Prefill::MembersJoined),
                    whole("members_left", "Đoàn viên giảm trong tháng")
                        .prefill(Prefill::MembersLeft),
                    whole("women", "Đoàn viên nữ")
                        .prefill(Prefill::Women)
                        .aggregation(Aggregation::Last),
                    whole("net_change", "Tăng (giảm) thực trong tháng")
                        .formula("members_joined - members_left")
                        .hint("Tự tính: kết nạp mới trừ số giảm."),
                ],
            ),
            section(
                "II. Tình hình công nhân, viên chức, lao động",
                vec![
                    whole("disputes", "Số vụ tranh chấp lao động").required(),
                    whole("stoppages", "Số cuộc ngừng việc tập thể").required(),
                    whole("stoppage_people", "Số người tham gia ngừng việc tập thể"),
                    yes_no("wage_arrears", "Doanh nghiệp chậm, nợ lương người lao động").required(),
                ],
            ),
            section(
                "III. Hoạt động công đoàn",
                vec![
                    money("support_money", "Tiền hỗ trợ, thăm hỏi đoàn viên"),
                    whole("support_people", "Số lượt đoàn viên được hỗ trợ, thăm hỏi"),
                    text("recommendations", "Kiến nghị", 2_000)
                        .hint("Kiến nghị với công đoàn cấp trên, nếu có."),
                ],
            ),
        ],
        rules: vec![
            Rule::compare(
                "women",
                CmpOp::Le,
                "members_end",
                "Số đoàn viên nữ không được lớn hơn tổng số đoàn viên",
            ),
            Rule::compare(
                "members_joined",
                CmpOp::Le,
                "members_end",
                "Số kết nạp mới không được lớn hơn tổng số đoàn viên cuối tháng",
            ),
            Rule::required_pair("stoppages", "stoppage_people", ""),
            Rule::required_pair("support_money", "support_people", ""),
        ],
    }
}

/// "Báo cáo thống kê 6 tháng": 43 fields in seven sections, due 15 days after
/// the half-year, filled by each CĐCS.
pub fn six_month_statistics() -> FormDef {
    FormDef {
        code: "TK-6THANG".into(),
        title: "Báo cáo thống kê 6 tháng".into(),
        period: "half".into(),
        due_days: 15,
        filled_by: vec!["CDCS".into()],
        sections: vec![
            section(
                "I. Lao động và đoàn viên",
                vec![
                    whole("lao_dong", "Tổng số lao động tại đơn vị")
                        .required()
                        .aggregation(Aggregation::Last),
                    whole("doan_vien", "Tổng số đoàn viên")
                        .required()
                        .by(&BY_SEX)
                        .aggregation(Aggregation::Last),
                    whole("doan_vien_ket_nap", "Đoàn viên kết nạp mới trong kỳ")
                        .prefill(Prefill::MembersJoined),
                    whole("doan_vien_giam", "Đoàn viên giảm trong kỳ")
                        .prefill(Prefill::MembersLeft),
                    whole("dang_vien", "Đoàn viên là đảng viên")
                        .prefill(Prefill::PartyMembers)
                        .aggregation(Aggregation::Last),
                    whole("chua_vao", "Lao động chưa vào công đoàn")
                        .formula("lao_dong - doan_vien")
                        .aggregation(Aggregation::Last),
                    Field::new(
                        "ty_le_doan_vien",
                        "Tỷ lệ đoàn viên trên lao động",
                        FieldKind::Percent,
                    )
                    .formula("doan_vien / lao_dong * 100")
                    .aggregation(Aggregation::Average),
                ],
            ),
            section(
                "II. Cán bộ công đoàn",
                vec![
                    whole("can_bo", "Tổng số cán bộ công đoàn")
                        .prefill(Prefill::Officials)
                        .aggregation(Aggregation::Last),
                    whole("can_bo_nu", "Cán bộ công đoàn nữ").aggregation(Aggregation::Last),
                    whole("can_bo_chuyen_trach", "Cán bộ công đoàn chuyên trách")
                        .aggregation(Aggregation::Last),
                    whole("can_bo_tap_huan", "Lượt cán bộ được tập huấn nghiệp vụ"),
                    whole("cd_bo_phan", "Số công đoàn bộ phận")
                        .prefill(Prefill::Departments)
                        .aggregation(Aggregation::Last),
                    whole("to_cong_doan", "Số tổ công đoàn")
                        .prefill(Prefill::Teams)
                        .aggregation(Aggregation::Last),
                ],
            ),
            section(
                "III. Thành lập, giải thể",
                vec![
                    whole(
                        "to_thanh_lap",
                        "Tổ công đoàn, công đoàn bộ phận thành lập mới",
                    ),
                    whole("to_giai_the", "Tổ công đoàn, công đoàn bộ phận giải thể"),
                ],
            ),
            section(
                "IV. Thỏa ước lao động tập thể",
                vec![
                    yes_no("co_tuldtt", "Có thỏa ước lao động tập thể còn hiệu lực").required(),
                    Field::new("tuldtt_ngay_ky", "Ngày ký thỏa ước", FieldKind::Date)
                        .aggregation(Aggregation::None),
                    choice(
                        "tuldtt_loai",
                        "Chất lượng thỏa ước",
                        &[
                            ("a", "Loại A"),
                            ("b", "Loại B"),
                            ("c", "Loại C"),
                            ("chua_xep", "Chưa xếp loại"),
                        ],
                    )
                    .aggregation(Aggregation::CountIf {
                        op: CmpOp::Eq,
                        value: "a".into(),
                    }),
                    whole(
                        "tuldtt_co_loi",
                        "Số nội dung có lợi hơn cho người lao động so với quy định",
                    ),
                ],
            ),
            section(
                "V. Hội nghị người lao động, đối thoại, tranh chấp",
                vec![
                    yes_no("hoi_nghi_nld", "Đã tổ chức hội nghị người lao động").required(),
                    whole("nguoi_du_hoi_nghi", "Số người lao động dự hội nghị"),
                    whole("doi_thoai_dinh_ky", "Số cuộc đối thoại định kỳ"),
                    whole("doi_thoai_dot_xuat", "Số cuộc đối thoại đột xuất"),
                    whole("tong_doi_thoai", "Tổng số cuộc đối thoại")
                        .formula("sum(doi_thoai_dinh_ky, doi_thoai_dot_xuat)"),
                    whole("tranh_chap", "Số vụ tranh chấp lao động"),
                    whole("ngung_viec", "Số cuộc ngừng việc tập thể").aggregation(
                        Aggregation::CountIf {
                            op: CmpOp::Gt,
                            value: "0".into(),
                        },
                    ),
                    whole("ngung_viec_nguoi", "Số người tham gia ngừng việc tập thể"),
                    Field::new(
                        "cac_cuoc_ngung_viec",
                        "Các cuộc ngừng việc tập thể",
                        FieldKind::Table {
                            columns: vec![
                                Field::new("ngay", "Ngày bắt đầu", FieldKind::Date).required(),
                                whole("so_nguoi", "Số người tham gia").required(),
                                Field::new(
                                    "nguyen_nhan",
                                    "Nguyên nhân",
                                    FieldKind::Text { max_len: 500 },
                                ),
                            ],
                        },
                    ),
                ],
            ),
            section(
                "VI. Chăm lo đời sống đoàn viên",
                vec![
                    Field::new(
                        "thu_nhap_bq",
                        "Thu nhập bình quân (triệu đồng/tháng)",
                        FieldKind::Decimal { places: 1 },
                    )
                    .required()
                    .aggregation(Aggregation::Average),
                    money("tien_tham_hoi", "Tiền thăm hỏi, trợ cấp khó khăn"),
                    whole("luot_tham_hoi", "Lượt đoàn viên được thăm hỏi, trợ cấp"),
                    money("tien_tet", "Tiền chăm lo Tết cho đoàn viên"),
                    money("tong_cham_lo", "Tổng tiền chăm lo").formula("tien_tham_hoi + tien_tet"),
                    money("binh_quan_tham_hoi", "Bình quân mỗi lượt thăm hỏi")
                        .formula("tien_tham_hoi / luot_tham_hoi")
                        .aggregation(Aggregation::Average),
                    whole("mai_am", "Số nhà “Mái ấm Công đoàn” được hỗ trợ"),
                ],
            ),
            section(
                "VII. Thi đua, khen thưởng",
                vec![
                    whole("phong_trao", "Số phong trào thi đua phát động"),
                    whole("sang_kien", "Số sáng kiến, cải tiến kỹ thuật"),
                    money("gia_tri_lam_loi", "Giá trị làm lợi từ sáng kiến"),
                    whole("khen_thuong", "Số tập thể, cá nhân được khen thưởng"),
                    choice(
                        "tu_xep_loai",
                        "Tự đánh giá xếp loại công đoàn cơ sở",
                        &[
                            ("xuat_sac", "Hoàn thành xuất sắc nhiệm vụ"),
                            ("tot", "Hoàn thành tốt nhiệm vụ"),
                            ("hoan_thanh", "Hoàn thành nhiệm vụ"),
                            ("khong", "Không hoàn thành nhiệm vụ"),
                        ],
                    )
                    .aggregation(Aggregation::CountIf {
                        op: CmpOp::Eq,
                        value: "xuat_sac".into(),
                    }),
                    text("kho_khan", "Khó khăn, vướng mắc", 3_000),
                    text("kien_nghi", "Kiến nghị, đề xuất", 3_000),
                ],
            ),
        ],
        rules: vec![
            Rule::compare(
                "doan_vien",
                CmpOp::Le,
                "lao_dong",
                "Số đoàn viên không được lớn hơn tổng số lao động",
            ),
            Rule::compare(
                "dang_vien",
                CmpOp::Le,
                "doan_vien",
                "Số đảng viên không được lớn hơn số đoàn viên",
            ),
            Rule::compare(
                "can_bo_nu",
                CmpOp::Le,
                "can_bo",
                "Số cán bộ nữ không được lớn hơn tổng số cán bộ công đoàn",
            ),
            Rule::compare(
                "can_bo_chuyen_trach",
                CmpOp::Le,
                "can_bo",
                "Số cán bộ chuyên trách không được lớn hơn tổng số cán bộ công đoàn",
            ),
            Rule::compare(
                "nguoi_du_hoi_nghi",
                CmpOp::Le,
                "lao_dong",
                "Số người dự hội nghị không được lớn hơn tổng số lao động",
            ),
            Rule::required_pair("ngung_viec", "ngung_viec_nguoi", ""),
            Rule::required_pair("tien_tham_hoi", "luot_tham_hoi", ""),
            Rule::required_pair("tuldtt_ngay_ky", "tuldtt_loai", ""),
        ],
    }
}

/// A monthly form of `fields` whole-number fields in sections of ten, for the
/// benchmark: the first is the members at the month's end (pre-filled, a
/// stock), the second the women among them (a rule keeps it ≤ the first).
pub fn bench_form(fields: usize) -> FormDef {
    let fields = fields.max(1);
    let mut sections: Vec<Section> = Vec::new();
    for i in 1..=fields {
        if (i - 1) % 10 == 0 {
            sections.push(section(&format!("Mục {}", sections.len() + 1), Vec::new()));
        }
        let mut f = whole(&format!("chi_tieu_{i:03}"), &format!("Chỉ tiêu {i}"));
        if i == 1 {
            f = f
                .required()
                .prefill(Prefill::MembersAtEnd)
                .aggregation(Aggregation::Last);
        } else if i == 2 {
            f = f.prefill(Prefill::Women).aggregation(Aggregation::Last);
        }
        if let Some(s) = sections.last_mut() {
            s.fields.push(f);
        }
    }
    let rules = if fields >= 2 {
        vec![Rule::compare(
            "chi_tieu_002",
            CmpOp::Le,
            "chi_tieu_001",
            "Chỉ tiêu 2 không được lớn hơn chỉ tiêu 1",
        )]
    } else {
        Vec::new()
    };
    FormDef {
        code: format!("BENCH-{fields}"),
        title: format!("Biểu mẫu thử {fields} chỉ tiêu"),
        period: "month".into(),
        due_days: 5,
        filled_by: vec!["CDCS".into()],
        sections,
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn count_fields(d: &FormDef) -> usize {
        d.sections.iter().map(|s| s.fields.len()).sum()
    }

    #[test]
    fn demo_forms_pass_their_check() {
        let m = monthly_quick_report().check().expect("monthly form");
        assert_eq!(count_fields(m.def()), 12);
        let s = six_month_statistics().check().expect("6-month form");
        assert!((40..=45).contains(&count_fields(s.def())));
        assert_eq!(s.def().sections.len(), 7);
        for n in [1, 2, 40, 100] {
            let b = bench_form(n).check().expect("bench form");
            assert_eq!(count_fields(b.def()), n);
        }
    }

    #[test]
    fn monthly_report_reads_a_cdcs_figures() {
        let f = monthly_quick_report().check().unwrap();
        let raw: BTreeMap<String, String> = [
            ("members_end", "1.250"),
            ("members_joined", "12"),
            ("members_left", "4"),
            ("women", "1.300"),
            ("disputes", "0"),
            ("stoppages", "1"),
            ("wage_arrears", "không"),
            ("support_money", "2.000.000 ₫"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let c = f.parse_input(&raw);
        let msgs: Vec<&str> = c.issues.iter().map(|i| i.vi.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "Số đoàn viên nữ không được lớn hơn tổng số đoàn viên (Đoàn viên nữ: 1.300; Tổng số đoàn viên cuối tháng: 1.250).",
                "Số người tham gia ngừng việc tập thể: không được để trống khi đã nhập “Số cuộc ngừng việc tập thể”.",
                "Số lượt đoàn viên được hỗ trợ, thăm hỏi: không được để trống khi đã nhập “Tiền hỗ trợ, thăm hỏi đoàn viên”.",
            ]
        );
        assert_eq!(f.display("net_change", &c.values["net_change"]), "8");
    }

    #[test]
    fn six_month_report_computes_and_rolls_up() {
        let f = six_month_statistics().check().unwrap();
        let raw: BTreeMap<String, String> = [
            ("lao_dong", "400"),
            ("doan_vien.nam", "150"),
            ("doan_vien.nu", "170"),
            ("co_tuldtt", "có"),
            ("hoi_nghi_nld", "Có"),
            ("thu_nhap_bq", "8,5"),
            ("tien_tham_hoi", "3.000.000"),
            ("luot_tham_hoi", "4"),
            ("tien_tet", "10.000.000 ₫"),
            ("doi_thoai_dinh_ky", "2"),
            ("ngung_viec", "1"),
            ("ngung_viec_nguoi", "35"),
            ("cac_cuoc_ngung_viec.0.ngay", "12/03/2025"),
            ("cac_cuoc_ngung_viec.0.so_nguoi", "35"),
            ("tu_xep_loai", "Hoàn thành xuất sắc nhiệm vụ"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let c = f.parse_input(&raw);
        assert_eq!(c.issues, vec![]);
        let show = |k: &str| f.display(k, &c.values[k]);
        assert_eq!(show("doan_vien"), "320");
        assert_eq!(show("chua_vao"), "80");
        assert_eq!(show("ty_le_doan_vien"), "80%");
        assert_eq!(show("tong_cham_lo"), "13.000.000 ₫");
        assert_eq!(show("binh_quan_tham_hoi"), "750.000 ₫");
        assert_eq!(show("tong_doi_thoai"), "2");
        assert_eq!(show("cac_cuoc_ngung_viec"), "1 dòng");
        let tallies: BTreeMap<String, _> = f.contributions(&c.values).into_iter().collect();
        let cells = f.rollup_cells(&tallies, 2);
        let text = |k: &str| cells.iter().find(|c| c.key == k).unwrap().text.clone();
        assert_eq!(text("doan_vien.nu"), "170");
        assert_eq!(text("co_tuldtt"), "1/2 đơn vị");
        assert_eq!(text("tu_xep_loai"), "1/2 đơn vị");
        assert_eq!(text("ngung_viec"), "1/2 đơn vị");
        assert_eq!(text("thu_nhap_bq"), "8,5");
    }
}
