//! The demo's certificates: the demo CĐCS's "Đoàn viên công đoàn xuất sắc năm
//! 2025" under its decision 09/QĐ-CĐCS, one of them revoked (issue 15 item 7).

use congdoan_domain::member::MemberStatus;
use congdoan_store::{Actor, MemberQuery, NewCertificate, Scope, Store};
use time::macros::date;

pub async fn load(store: &Store) -> anyhow::Result<()> {
    let scope = Scope::admin(Actor::system("demo"));
    let cdcs = store
        .unit_by_code(&scope, congdoan_datagen::DEMO_CDCS_CODE)
        .await?;
    let q = MemberQuery {
        unit_id: Some(cdcs.unit_id),
        status: Some(MemberStatus::Member),
        per_page: 4,
        ..Default::default()
    };
    let members = store.search_members(&scope, &q).await?.rows;
    let chair = store
        .chair_name(cdcs.unit_id)
        .await?
        .unwrap_or_else(|| "Nguyễn Văn Hùng".into());
    let items: Vec<NewCertificate> = members
        .iter()
        .skip(1)
        .map(|m| NewCertificate {
            kind: "giay_khen".into(),
            title: "Đoàn viên công đoàn xuất sắc năm 2025".into(),
            recipient_name: String::new(),
            recipient_unit_name: None,
            reason: "Đã có thành tích xuất sắc trong phong trào thi đua \"Lao động giỏi, lao động sáng tạo\" năm 2025.".into(),
            decision_number: "09/QĐ-CĐCS".into(),
            decision_date: date!(2025 - 12 - 15),
            place: "An Giang".into(),
            signer_position: "Chủ tịch".into(),
            signer_name: chair.clone(),
            member_id: Some(m.member_id),
            unit_id: None,
            reward_item_id: None,
        })
        .collect();
    if items.is_empty() {
        return Ok(());
    }
    let issued = store
        .issue_certificates(&scope, cdcs.unit_id, items)
        .await?;
    if let Some(last) = issued.last() {
        store
            .revoke_certificate(&scope, last.certificate_id, "Cấp nhầm đối tượng")
            .await?;
    }
    Ok(())
}
