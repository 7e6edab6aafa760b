//! Store stories that run on both engines: maintained counts stay exact.

use crate::both_engines;
use crate::harness::{Kind, TestApp};
use congdoan_domain::member::{MemberEventKind, MembershipRules};
use congdoan_store::{MemberEventInput, MemberQuery};

both_engines!(member_counts_match_a_recount);

async fn member_counts_match_a_recount(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let s = app.store();
    let scope = app.admin_scope();
    let ag = app.unit_id("AG").await;
    let recount = |app: &TestApp| {
        let s = app.store().clone();
        async move {
            let scope = congdoan_store::Scope::admin(congdoan_store::Actor::system("t"));
            let mut n = 0i64;
            let mut page = 0;
            loop {
                let (rows, more) = s
                    .search_members(
                        &scope,
                        &MemberQuery {
                            unit_id: Some(ag),
                            page,
                            per_page: 200,
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
                n += rows.iter().filter(|r| r.status == "member").count() as i64;
                if !more {
                    break n;
                }
                page += 1;
            }
        }
    };
    assert_eq!(
        s.subtree_member_count(&scope, ag).await.unwrap(),
        recount(&app).await
    );
    // Suspend one, transfer one out of the subtree, and the maintained figure follows.
    let (rows, _) = s
        .search_members(
            &scope,
            &MemberQuery {
                unit_id: Some(ag),
                per_page: 2,
                status: Some(congdoan_domain::MemberStatus::Member),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let today = congdoan_web::today();
    s.member_event(
        &scope,
        rows[0].member_id,
        MemberEventInput {
            kind: MemberEventKind::Suspend,
            on: today,
            reason: Some("Nghỉ không lương".into()),
            to_unit_id: None,
            discipline_end: None,
        },
        &MembershipRules::hd38(),
        today,
    )
    .await
    .unwrap();
    let kg_cdcs = s
        .search_members(
            &scope,
            &MemberQuery {
                unit_id: Some(app.unit_id("KG").await),
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .0[0]
        .unit_id;
    s.member_event(
        &scope,
        rows[1].member_id,
        MemberEventInput {
            kind: MemberEventKind::TransferOut,
            on: today,
            reason: None,
            to_unit_id: Some(kg_cdcs),
            discipline_end: None,
        },
        &MembershipRules::hd38(),
        today,
    )
    .await
    .unwrap();
    assert_eq!(
        s.subtree_member_count(&scope, ag).await.unwrap(),
        recount(&app).await
    );
    let d = s.dashboard(&scope, Some(ag)).await.unwrap();
    let active: i64 = d
        .members_by_status
        .iter()
        .filter(|c| c.key == "member")
        .map(|c| c.n)
        .sum();
    assert_eq!(active, s.subtree_member_count(&scope, ag).await.unwrap());
}
