//! The demo's library of good models (issue 15 item 8): "Sát cơ sở, gần công nhân" of
//! LĐLĐ An Giang (seed 003), replicated to eight of its CĐCS — some adopted it and
//! reported results, the demo officer's CĐCS still owes it; and the practices of the
//! Central Youth Union office's union (seed 004): the unit fan pages, the quarterly
//! recognition, and the initiative of raising outside funds for workers' activities.

use anyhow::Context;
use congdoan_domain::request::{Action, TargetSpec};
use congdoan_store::{Actor, Figure, ModelInput, ReplicateInput, Scope, StepInput, Store};
use time::{Date, Duration, macros::date};

fn fig(label: &str, value: i64) -> Figure {
    Figure {
        label: label.into(),
        value,
    }
}

#[allow(clippy::too_many_arguments)]
fn model(
    owner: i64,
    kind: &str,
    title: &str,
    summary: &str,
    results: &str,
    figures: Vec<Figure>,
    tags: &[&str],
    started_on: Date,
) -> ModelInput {
    ModelInput {
        owner_unit_id: owner,
        kind: kind.into(),
        title: title.into(),
        summary: summary.into(),
        results: Some(results.into()),
        figures,
        tags: tags.iter().map(|t| (*t).to_string()).collect(),
        started_on: Some(started_on),
    }
}

pub async fn load(store: &Store, today: Date) -> anyhow::Result<()> {
    let scope = Scope::admin(Actor::system("demo"));
    let ag = store.unit_by_code(&scope, "AG").await?;
    let youth = store.unit_by_code(&scope, "CDVC-CDCS-002").await?;
    let demo_cdcs = store
        .unit_by_code(&scope, congdoan_datagen::DEMO_CDCS_CODE)
        .await?;

    let sat = store
        .create_model(
            &scope,
            &model(
                ag.unit_id,
                "mo_hinh",
                "Sát cơ sở, gần công nhân",
                "Cán bộ Ban Thường vụ và cán bộ chuyên trách LĐLĐ tỉnh được phân công phụ trách từng cụm, khối thi đua; \
                 định kỳ xuống cơ sở nắm tình hình đoàn viên, người lao động, tổ chức đối thoại tại nơi làm việc và \
                 khu nhà trọ, hỗ trợ kịp thời công nhân khó khăn, phối hợp giải quyết tranh chấp lao động ngay từ cơ sở.",
                "Mối quan hệ giữa công đoàn cấp trên và công đoàn cơ sở gắn bó hơn; nhiều vụ việc được giải quyết \
                 ngay tại doanh nghiệp, không để phát sinh ngừng việc tập thể.",
                vec![
                    fig("Cuộc đối thoại tại cơ sở", 146),
                    fig("Công nhân được hỗ trợ", 1_250),
                    fig("Đoàn viên mới", 3_420),
                ],
                &["Cơ sở", "Đối thoại", "Công nhân"],
                date!(2020 - 05 - 20),
            ),
            vec![],
        )
        .await
        .context("model: Sát cơ sở, gần công nhân")?;

    store
        .create_model(
            &scope,
            &model(
                youth.unit_id,
                "mo_hinh",
                "Trang Fanpage của công đoàn bộ phận",
                "Mỗi công đoàn cơ sở, công đoàn bộ phận đăng ký một tài khoản Facebook của đơn vị hoặc tạo một trang \
                 Fanpage có gắn tên đơn vị, kết nối với trang \"Công đoàn Việt Nam\" để theo dõi, chia sẻ nội dung \
                 tuyên truyền và thông tin tới đoàn viên.",
                "Thông tin của công đoàn đến đoàn viên nhanh hơn; đoàn viên trẻ tham gia bình luận, góp ý nhiều hơn.",
                vec![fig("Trang Fanpage đã lập", 3), fig("Người theo dõi", 860)],
                &["Truyền thông", "Mạng xã hội"],
                date!(2020 - 09 - 10),
            ),
            vec![],
        )
        .await
        .context("model: Fanpage")?;

    store
        .create_model(
            &scope,
            &model(
                youth.unit_id,
                "dien_hinh",
                "Bình xét hằng quý, biểu dương kịp thời người lao động",
                "Công đoàn Văn phòng Trung ương Đoàn bình xét hằng tháng, hằng quý và 6 tháng mức độ, kết quả công việc; \
                 mỗi quý ghi nhận, khen thưởng 10–12 cán bộ bằng hình thức biểu dương, cấp giấy chứng nhận, \
                 khen thưởng 500.000 đồng/người.",
                "Người lao động hăng hái thực hiện nhiệm vụ chuyên môn; việc khen thưởng kịp thời, công khai.",
                vec![fig("Cán bộ được khen mỗi quý", 12), fig("Mức thưởng (đồng/người)", 500_000)],
                &["Thi đua", "Khen thưởng"],
                date!(2020 - 01 - 01),
            ),
            vec![],
        )
        .await
        .context("model: bình xét hằng quý")?;

    store
        .create_model(
            &scope,
            &model(
                youth.unit_id,
                "sang_kien",
                "Xã hội hóa nguồn lực cho đời sống văn hóa, tinh thần của người lao động",
                "Cán bộ công đoàn xung phong vận động các nhà tài trợ, doanh nghiệp đồng hành đóng góp cho các hoạt động \
                 văn hóa, thể thao, thăm hỏi của công đoàn, công khai khoản đóng góp và kết quả sử dụng.",
                "Huy động hàng trăm triệu đồng mỗi năm, bổ sung cho kinh phí công đoàn.",
                vec![fig("Kinh phí vận động được (đồng/năm)", 300_000_000)],
                &["Xã hội hóa", "Văn hóa"],
                date!(2019 - 03 - 01),
            ),
            vec![],
        )
        .await
        .context("model: xã hội hóa")?;

    // LĐLĐ An Giang asks eight of its CĐCS to replicate "Sát cơ sở, gần công nhân"; the
    // demo officer's CĐCS is among them and has not answered yet.
    let mut targets: Vec<i64> = store
        .unit_ids_of_type(&ag.path, "CDCS")
        .await?
        .into_iter()
        .filter(|u| *u != demo_cdcs.unit_id)
        .take(7)
        .collect();
    targets.push(demo_cdcs.unit_id);
    let request_id = store
        .replicate_model(
            &scope,
            sat.model_id,
            ReplicateInput {
                issuer_unit_id: ag.unit_id,
                targets: TargetSpec::Units {
                    units: targets.clone(),
                },
                due_on: today + Duration::days(60),
                instructions: Some(
                    "Ban Chấp hành CĐCS phân công ủy viên phụ trách từng tổ, tổ chức đối thoại hằng quý với người lao động \
                     và báo cáo kết quả về LĐLĐ tỉnh."
                        .into(),
                ),
            },
        )
        .await
        .context("replicating Sát cơ sở, gần công nhân")?;
    for (i, &u) in targets.iter().take(5).enumerate() {
        store
            .request_step(
                &scope,
                request_id,
                u,
                Action::Acknowledge,
                StepInput::default(),
                today,
            )
            .await?;
        if i < 3 {
            let note = [
                "Đã phân công 5 ủy viên BCH phụ trách các tổ; tổ chức 2 buổi đối thoại, giải quyết 4 kiến nghị về ca làm việc.",
                "Đối thoại tại khu nhà trọ công nhân; hỗ trợ 12 công nhân khó khăn, kết nạp 35 đoàn viên mới.",
                "Thành lập tổ tư vấn pháp luật tại cơ sở; không phát sinh ngừng việc tập thể trong quý.",
            ][i];
            store
                .request_step(
                    &scope,
                    request_id,
                    u,
                    Action::Implement,
                    StepInput {
                        note: Some(note.into()),
                        ..StepInput::default()
                    },
                    today,
                )
                .await?;
        }
    }
    Ok(())
}
