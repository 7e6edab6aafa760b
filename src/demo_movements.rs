//! The demo's emulation movement (issue 15 item 1): LĐLĐ An Giang launched "Xanh – sạch
//! – đẹp, đảm bảo an toàn, vệ sinh lao động" for 2025 to its CĐCS in January 2025; a few
//! registered their targets (the demo officer's CĐCS among them, so its to-do stays
//! about this year's work), the province accepted them, and one member of the demo
//! CĐCS registered personally.

use anyhow::Context;
use congdoan_domain::movement::Goal;
use congdoan_domain::request::{Action, TargetSpec};
use congdoan_store::{Actor, MemberQuery, MovementInput, Scope, StepInput, Store};
use time::macros::{date, time};

fn goal(text: &str, n: Option<i64>) -> Goal {
    Goal {
        text: text.into(),
        goal: n,
    }
}

pub async fn load(store: &Store) -> anyhow::Result<()> {
    let scope = Scope::admin(Actor::system("demo"));
    let ag = store.unit_by_code(&scope, "AG").await?;
    let demo_cdcs = store
        .unit_by_code(&scope, congdoan_datagen::DEMO_CDCS_CODE)
        .await?;
    let m = store
        .create_movement(
            &scope,
            MovementInput {
                issuer_unit_id: ag.unit_id,
                code: "XSD-2025".into(),
                name: "Xanh – sạch – đẹp, đảm bảo an toàn, vệ sinh lao động năm 2025".into(),
                level: "thuong_xuyen".into(),
                starts_on: date!(2025 - 01 - 15),
                ends_on: date!(2025 - 12 - 31),
                registration_due: date!(2025 - 02 - 28),
                cadence: "half".into(),
                directive_id: None,
                description: Some(
                    "Các CĐCS phối hợp với người sử dụng lao động đăng ký chỉ tiêu cải thiện điều kiện làm việc, \
                     trồng cây xanh, không để xảy ra tai nạn lao động nghiêm trọng; gửi bản đăng ký về LĐLĐ tỉnh \
                     trước ngày 28/02/2025."
                        .into(),
                ),
                targets: TargetSpec::Subtree {
                    root: ag.unit_id,
                    types: vec!["CDCS".into()],
                },
                issued_on: Some(date!(2025 - 01 - 15)),
            },
        )
        .await
        .context("movement: Xanh – sạch – đẹp")?;
    let mut registering: Vec<i64> = store
        .unit_ids_of_type(&ag.path, "CDCS")
        .await?
        .into_iter()
        .filter(|u| *u != demo_cdcs.unit_id)
        .take(3)
        .collect();
    registering.push(demo_cdcs.unit_id);
    let plans = [
        vec![
            goal(
                "Trồng mới cây xanh trong khuôn viên doanh nghiệp",
                Some(200),
            ),
            goal("Không để xảy ra tai nạn lao động nghiêm trọng", None),
        ],
        vec![
            goal(
                "Huấn luyện an toàn, vệ sinh lao động cho người lao động",
                Some(450),
            ),
            goal("Cải tạo khu vực nhà ăn, nhà vệ sinh cho công nhân", None),
        ],
        vec![goal(
            "Mạng lưới an toàn vệ sinh viên ở mọi tổ sản xuất",
            Some(24),
        )],
        vec![
            goal("Tổ chức Tháng hành động về an toàn, vệ sinh lao động", None),
            goal("Trồng mới cây xanh", Some(50)),
        ],
    ];
    for (i, (&u, goals)) in registering.iter().zip(plans).enumerate() {
        let day = date!(2025 - 02 - 10) + time::Duration::days(i as i64 * 7);
        let at = day.with_time(time!(02:00)).assume_utc();
        store
            .register_unit(&scope, m.movement_id, u, goals, Some(at))
            .await
            .context("registering a unit")?;
        store
            .request_step(
                &scope,
                m.request_id,
                u,
                Action::Approve,
                StepInput {
                    at: Some(at + time::Duration::days(2)),
                    ..StepInput::default()
                },
                day,
            )
            .await?;
    }
    let member = store
        .search_members(
            &scope,
            &MemberQuery {
                unit_id: Some(demo_cdcs.unit_id),
                per_page: 1,
                ..Default::default()
            },
        )
        .await?
        .rows
        .into_iter()
        .next();
    if let Some(member) = member {
        store
            .register_member(
                &scope,
                m.movement_id,
                member.member_id,
                vec![
                    goal("Đạt danh hiệu Lao động giỏi", None),
                    goal("Sáng kiến cải tiến quy trình vệ sinh nhà xưởng", Some(1)),
                ],
            )
            .await
            .context("an individual registration")?;
    }
    Ok(())
}
