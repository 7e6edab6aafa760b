//! The demo's emulation scoring (issue 15): LĐLĐ An Giang's 2025 criteria set for
//! non-state CĐCS (100 points, the bands of QĐ 366) and a set for tổ and bộ phận
//! (seed 002), and the 2025 annual scoring of its CĐCS within its emulation clusters:
//! each CĐCS scores itself, the province appraises and publishes; one unit's
//! self-score stands well above its appraisal ("không chạy theo thành tích").

use anyhow::Context;
use congdoan_domain::emulation::{
    CriteriaSet, Group, Item, Pts, Scores, Veto, bands_366, bands_vung_manh,
};
use congdoan_domain::request::TargetSpec;
use congdoan_store::{Actor, NewAssessment, Scope, Store};
use time::macros::date;

fn item(code: &str, text: &str, max: i64, evidence: bool, veto: bool) -> Item {
    Item {
        code: code.into(),
        text: text.into(),
        max: Pts::from_points(max),
        evidence,
        veto_if_zero: veto,
    }
}

fn group(code: &str, title: &str, items: Vec<Item>) -> Group {
    Group {
        code: code.into(),
        title: title.into(),
        order: code.parse().unwrap_or(0),
        items,
    }
}

/// 2019 TLĐ guidance's three criteria, with indicators for a non-state CĐCS.
pub fn cdcs_non_state_2025() -> CriteriaSet {
    CriteriaSet {
        code: "CDCS-NN-2025".into(),
        title: "Đánh giá, xếp loại CĐCS khu vực ngoài nhà nước năm 2025".into(),
        year: 2025,
        unit_types: vec!["CDCS".into()],
        ownership: vec!["private".into(), "fdi".into(), "coop".into()],
        scale: Pts::from_points(100),
        groups: vec![
            group(
                "1",
                "Đại diện, chăm lo, bảo vệ quyền lợi đoàn viên, người lao động",
                vec![
                    item(
                        "1.1",
                        "Thương lượng, ký kết và thực hiện thỏa ước lao động tập thể",
                        12,
                        true,
                        true,
                    ),
                    item(
                        "1.2",
                        "Phối hợp tổ chức hội nghị người lao động, đối thoại định kỳ",
                        10,
                        true,
                        true,
                    ),
                    item(
                        "1.3",
                        "Tham gia xây dựng quy chế, giám sát trả lương, BHXH, ATVSLĐ",
                        10,
                        false,
                        false,
                    ),
                    item(
                        "1.4",
                        "Chăm lo đời sống, Tết Sum vầy, Mái ấm công đoàn",
                        8,
                        false,
                        false,
                    ),
                    item(
                        "1.5",
                        "Không để xảy ra ngừng việc tập thể, đình công trái quy định",
                        5,
                        false,
                        false,
                    ),
                ],
            ),
            group(
                "2",
                "Xây dựng tổ chức công đoàn vững mạnh",
                vec![
                    item(
                        "2.1",
                        "Phát triển đoàn viên, tỷ lệ đoàn viên trên người lao động",
                        10,
                        false,
                        false,
                    ),
                    item(
                        "2.2",
                        "Ban chấp hành, ủy ban kiểm tra hoạt động đúng điều lệ",
                        8,
                        false,
                        false,
                    ),
                    item(
                        "2.3",
                        "Thu, nộp kinh phí và đoàn phí công đoàn đúng, đủ",
                        10,
                        true,
                        false,
                    ),
                    item(
                        "2.4",
                        "Quản lý tài chính, tài sản công đoàn theo quy định",
                        7,
                        false,
                        false,
                    ),
                ],
            ),
            group(
                "3",
                "Tuyên truyền, thi đua và các hoạt động khác",
                vec![
                    item(
                        "3.1",
                        "Tuyên truyền, phổ biến pháp luật, nghị quyết công đoàn",
                        8,
                        false,
                        false,
                    ),
                    item(
                        "3.2",
                        "Phong trào \"Lao động giỏi, lao động sáng tạo\", \"Xanh – sạch – đẹp\"",
                        7,
                        false,
                        false,
                    ),
                    item(
                        "3.3",
                        "Hoạt động văn hóa, thể thao, \"Giỏi việc nước, đảm việc nhà\"",
                        5,
                        false,
                        false,
                    ),
                ],
            ),
        ],
        vetoes: vec![
            Veto {
                code: "fatal_accident".into(),
                question: "Trong năm có tai nạn lao động chết người do lỗi của đơn vị?".into(),
            },
            Veto {
                code: "member_disciplined".into(),
                question: "Có cán bộ công đoàn bị kỷ luật từ khiển trách trở lên?".into(),
            },
        ],
        bands: bands_366(),
    }
}

/// Seed 002: "kiểm tra, chấm điểm phân hạng tổ công đoàn, công đoàn bộ phận".
pub fn to_bo_phan_2025() -> CriteriaSet {
    CriteriaSet {
        code: "TO-BP-2025".into(),
        title: "Chấm điểm, phân hạng tổ công đoàn, công đoàn bộ phận năm 2025".into(),
        year: 2025,
        unit_types: vec!["TO_CD".into(), "CD_BO_PHAN".into()],
        ownership: vec![],
        scale: Pts::from_points(100),
        groups: vec![
            group(
                "1",
                "Sinh hoạt và chăm lo đoàn viên",
                vec![
                    item(
                        "1.1",
                        "Sinh hoạt tổ, bộ phận đều đặn hằng tháng",
                        25,
                        false,
                        true,
                    ),
                    item(
                        "1.2",
                        "Thăm hỏi đoàn viên ốm đau, hoàn cảnh khó khăn",
                        20,
                        false,
                        false,
                    ),
                ],
            ),
            group(
                "2",
                "Phong trào thi đua",
                vec![
                    item(
                        "2.1",
                        "Đoàn viên đăng ký và đạt danh hiệu lao động giỏi",
                        30,
                        false,
                        false,
                    ),
                    item(
                        "2.2",
                        "Sáng kiến, cải tiến kỹ thuật được công nhận",
                        25,
                        true,
                        false,
                    ),
                ],
            ),
        ],
        vetoes: vec![],
        bands: bands_vung_manh(),
    }
}

/// Self-scores near the top; the appraisal a little lower, per item.
fn points(set: &CriteriaSet, seed: u64, lower: i64) -> (Scores, Scores) {
    let mut g = seed;
    let mut own = Scores::default();
    let mut appr = Scores::default();
    for it in set.groups.iter().flat_map(|g| &g.items) {
        g = g
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = i64::try_from((g >> 33) % 1000).unwrap_or(0);
        let max = it.max.tenths();
        let s = (max * (800 + r / 5) / 1000).min(max);
        let a = (s - max * (lower + r % 7) / 100).max(max / 4);
        own.items.insert(it.code.clone(), Pts(s / 5 * 5));
        appr.items.insert(it.code.clone(), Pts(a / 5 * 5));
    }
    (own, appr)
}

pub async fn load(store: &Store) -> anyhow::Result<()> {
    let scope = Scope::admin(Actor::system("demo"));
    let ag = store.unit_by_code(&scope, "AG").await?;
    let set = store
        .create_criteria_set(&scope, ag.unit_id, cdcs_non_state_2025())
        .await
        .context("criteria set CDCS-NN-2025")?;
    store
        .create_criteria_set(&scope, ag.unit_id, to_bo_phan_2025())
        .await
        .context("criteria set TO-BP-2025")?;
    let clusters = store.clusters(&scope, ag.unit_id, None).await?;
    let appraised_on = date!(2025 - 12 - 20);
    let mut n = 0u64;
    for c in clusters.iter().filter(|c| c.unit_count > 0).take(3) {
        let r = store
            .send_assessment(
                &scope,
                NewAssessment {
                    issuer_unit_id: ag.unit_id,
                    set_id: set.set_id,
                    title: Some(format!("Chấm điểm CĐCS năm 2025 — {}", c.name)),
                    issued_on: date!(2025 - 11 - 15),
                    due_on: date!(2025 - 12 - 15),
                    targets: TargetSpec::Cluster {
                        cluster_id: c.cluster_id,
                    },
                },
            )
            .await
            .with_context(|| format!("assessment of {}", c.name))?;
        let detail = store.cluster(&scope, c.cluster_id).await?;
        let (_, _, checked) = store.assessment_set(r.request_id).await?;
        for (i, u) in detail.units.iter().enumerate() {
            n += 1;
            // The first unit of the first cluster scores itself far above its appraisal.
            let lower = if n == 1 { 30 } else { 3 };
            let (own, appr) = points(checked.def(), 15 + n, lower);
            store
                .save_self_assessment(
                    &scope,
                    r.request_id,
                    u.unit_id,
                    own,
                    vec![],
                    true,
                    date!(2025 - 12 - 10),
                )
                .await?;
            if i % 6 == 5 {
                continue; // still waiting for the appraisal
            }
            store
                .save_appraisal(
                    &scope,
                    r.request_id,
                    u.unit_id,
                    appr,
                    Default::default(),
                    true,
                    appraised_on,
                )
                .await?;
        }
    }
    Ok(())
}
