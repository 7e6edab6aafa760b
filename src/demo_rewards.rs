//! The demo's rewards (issue 15, seed 004): Công đoàn Văn phòng Trung ương Đoàn (a
//! department union of Công đoàn cơ quan Trung ương Đoàn) evaluates its staff every
//! quarter and rewards 10–12 people with a certificate and 500.000 ₫ each. Quarter III
//! of 2025 is decided (a numbered decision and its payout list); quarter IV is still
//! open, so the to-do page asks for its decision.

use anyhow::Context;
use congdoan_domain::reward::{AwardScope, CashRule, Eligibility, Recipient};
use congdoan_store::{Actor, DecisionInput, MemberQuery, NewEvaluation, NewNominee, Scope, Store};
use time::macros::date;

/// The CĐCS "Công đoàn cơ quan Trung ương Đoàn" and its office's department union.
const YOUTH_UNION: &str = "CDVC-CDCS-002";
const OFFICE: &str = "CDVC-CDCS-002-BP01";

pub async fn load(store: &Store) -> anyhow::Result<()> {
    let scope = Scope::admin(Actor::system("demo"));
    let (Ok(cdcs), Ok(office)) = (
        store.unit_id_by_code(YOUTH_UNION).await,
        store.unit_id_by_code(OFFICE).await,
    ) else {
        return Ok(());
    };
    let kind = store
        .create_reward_kind(
            &scope,
            cdcs,
            "THUONG_QUY",
            "Giấy chứng nhận bình xét quý kèm tiền thưởng",
            Recipient::Individual,
            AwardScope::Comprehensive,
            CashRule::Fixed(500_000),
            &[Eligibility::Absence, Eligibility::NotDisciplined],
        )
        .await
        .context("the quarterly reward of the youth union's office")?;
    let staff = store
        .search_members(
            &scope,
            &MemberQuery {
                unit_id: Some(office),
                per_page: 16,
                ..Default::default()
            },
        )
        .await?
        .rows;
    for (period, count, decide) in [("2025-Q3", 11usize, true), ("2025-Q4", 4, false)] {
        let ev = store
            .create_evaluation(
                &scope,
                NewEvaluation {
                    unit_id: office,
                    title: String::new(),
                    period_type: "quarter".into(),
                    period: period.into(),
                    quota: 12,
                    reward_kind_id: kind.reward_kind_id,
                },
            )
            .await
            .context("the office's quarterly evaluation")?;
        for (i, m) in staff
            .iter()
            .skip(if decide { 0 } else { 11 })
            .take(count)
            .enumerate()
        {
            store
                .nominate(
                    &scope,
                    ev.evaluation_id,
                    NewNominee {
                        member_id: m.member_id,
                        votes: Some(30 - i as i64),
                        note: Some("Hoàn thành xuất sắc nhiệm vụ chuyên môn trong quý".into()),
                        service_months: Some(24),
                        ..Default::default()
                    },
                )
                .await
                .with_context(|| format!("nominating {}", m.full_name))?;
        }
        if decide {
            let signer = store
                .chair_name(office)
                .await?
                .unwrap_or_else(|| "Lê Hồng Hạnh".into());
            store
                .decide_evaluation(
                    &scope,
                    ev.evaluation_id,
                    DecisionInput {
                        seq: Some(15),
                        decided_on: date!(2025 - 10 - 08),
                        signer_name: signer,
                        signer_role: Some("CHỦ TỊCH".into()),
                        issuer_abbrev: Some("CĐVP".into()),
                        title: None,
                    },
                    false,
                )
                .await
                .context("the office's reward decision")?;
        }
    }
    Ok(())
}
