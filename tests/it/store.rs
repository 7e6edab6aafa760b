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
                let page_ = s
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
                n += page_.rows.iter().filter(|r| r.status == "member").count() as i64;
                if !page_.more {
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
    let rows = s
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
        .unwrap()
        .rows;
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
        .rows[0]
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
    let d = s
        .dashboard(&scope, Some(ag), congdoan_web::today())
        .await
        .unwrap();
    let active: i64 = d
        .members_by_status
        .iter()
        .filter(|c| c.key == "member")
        .map(|c| c.n)
        .sum();
    assert_eq!(active, s.subtree_member_count(&scope, ag).await.unwrap());
}

both_engines!(figures_equal_a_full_recount_after_random_changes);

/// The maintained subtree figures equal a recount from the base tables after a random
/// mix of new members, edits, status changes, transfers, unit edits, new units and
/// moves (three seeds; the failing seed and step are printed).
async fn figures_equal_a_full_recount_after_random_changes(kind: Kind) {
    use congdoan_domain::member::{MemberStatus, Sex};
    use congdoan_domain::{PersonName, cccd::make_cccd};
    use congdoan_store::{MemberInput, UnitInput};
    use time::macros::date;

    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let s = app.store();
    let scope = app.admin_scope();
    let today = congdoan_web::today();
    let diff = |a: congdoan_store::StatDelta, b: congdoan_store::StatDelta| {
        let d = a.differences(&b);
        d[..d.len().min(20)].join("\n")
    };
    assert_eq!(
        diff(
            s.stored_stats().await.unwrap(),
            s.recount_stats().await.unwrap()
        ),
        "",
        "after loading the demo"
    );
    let ds = congdoan_datagen::demo();
    let holders: Vec<&str> = ds
        .units
        .iter()
        .filter(|u| matches!(u.type_code, "CDCS" | "TO_CD" | "CD_BO_PHAN"))
        .map(|u| u.code.as_str())
        .collect();
    let uppers: Vec<&str> = ds
        .units
        .iter()
        .filter(|u| matches!(u.type_code, "CD_KCN" | "LDLD_TINH"))
        .map(|u| u.code.as_str())
        .collect();
    let mut serial = 900_000u32;
    for seed in [7u64, 42, 1234] {
        let mut x = seed;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for step in 0..30 {
            let holder = app.unit_id(holders[next(holders.len())]).await;
            let some_member = s
                .search_members(
                    &scope,
                    &MemberQuery {
                        unit_id: Some(app.unit_id(holders[next(holders.len())]).await),
                        per_page: 1,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .rows
                .first()
                .map(|r| r.member_id);
            let op = next(7);
            let result = match (op, some_member) {
                (0, _) => {
                    serial += 1;
                    let sex = if next(2) == 0 { Sex::Male } else { Sex::Female };
                    let born = date!(1990 - 05 - 17);
                    s.create_member(
                        &scope,
                        MemberInput {
                            unit_id: holder,
                            name: PersonName::parse("Phạm Thị Ngọc Ánh").unwrap(),
                            birth_date: born,
                            sex,
                            cccd: Some(make_cccd(89, 1990, sex, serial)),
                            phone: None,
                            ethnicity: None,
                            nationality: None,
                            job_title: None,
                            employer_name: None,
                            si_salary: None,
                            card_no: None,
                            join_date: Some(date!(2015 - 01 - 01)),
                            party_member: next(2) == 0,
                            status: if next(4) == 0 {
                                MemberStatus::Applicant
                            } else {
                                MemberStatus::Member
                            },
                        },
                        today,
                    )
                    .await
                    .map(|_| ())
                }
                (1, Some(id)) => {
                    let m = s.member(&scope, id).await.unwrap();
                    s.update_member(
                        &scope,
                        id,
                        m.version,
                        MemberInput {
                            unit_id: m.unit_id,
                            name: PersonName::parse(&m.full_name).unwrap(),
                            birth_date: m.birth_date.replace_year(1970 + next(30) as i32).unwrap(),
                            sex: if m.sex == "M" { Sex::Female } else { Sex::Male },
                            cccd: None,
                            phone: None,
                            ethnicity: None,
                            nationality: None,
                            job_title: None,
                            employer_name: None,
                            si_salary: None,
                            card_no: m.card_no.clone(),
                            join_date: m.join_date,
                            party_member: !m.party_member,
                            status: MemberStatus::Member,
                        },
                    )
                    .await
                    .map(|_| ())
                }
                (2 | 3, Some(id)) => {
                    let kinds = [
                        MemberEventKind::Suspend,
                        MemberEventKind::Resume,
                        MemberEventKind::Exit,
                        MemberEventKind::TransferOut,
                    ];
                    let kind = kinds[next(kinds.len())];
                    s.member_event(
                        &scope,
                        id,
                        MemberEventInput {
                            kind,
                            on: today,
                            reason: Some("Thử nghiệm".into()),
                            to_unit_id: (kind == MemberEventKind::TransferOut).then_some(holder),
                            discipline_end: None,
                        },
                        &MembershipRules::hd38(),
                        today,
                    )
                    .await
                    .map(|_| ())
                }
                (4, _) => {
                    let u = s.unit(&scope, holder).await.unwrap();
                    let sectors = ["Dệt may", "Giáo dục", "Cao su"];
                    let owners = ["fdi", "private", "soe"];
                    s.update_unit(
                        &scope,
                        holder,
                        u.version,
                        UnitInput {
                            name: u.name.clone(),
                            sector: Some(sectors[next(3)].into()),
                            employer_ownership: Some(owners[next(3)].into()),
                            employer_head_count: Some(next(5000) as i64),
                            ..Default::default()
                        },
                    )
                    .await
                    .map(|_| ())
                }
                (5, _) => {
                    serial += 1;
                    s.create_unit(
                        &scope,
                        UnitInput {
                            code: format!("T-{seed}-{step}"),
                            name: format!("Công đoàn cơ sở thử {serial}"),
                            type_code: "CDCS".into(),
                            parent_id: Some(app.unit_id(uppers[next(uppers.len())]).await),
                            employer_head_count: Some(120),
                            sector: Some("Dệt may".into()),
                            ..Default::default()
                        },
                        today,
                    )
                    .await
                    .map(|_| ())
                }
                _ => {
                    let u = s.unit(&scope, holder).await.unwrap();
                    let to = app.unit_id(uppers[next(uppers.len())]).await;
                    if u.type_code == "CDCS" {
                        s.move_unit(&scope, holder, to, today, today, "Thử chuyển")
                            .await
                            .map(|_| ())
                    } else {
                        Ok(())
                    }
                }
            };
            // Rule refusals (a transition the status machine forbids) are fine; the
            // figures must be right either way.
            if let Err(e) = &result {
                assert!(
                    matches!(
                        e,
                        congdoan_store::StoreError::Rule { .. }
                            | congdoan_store::StoreError::Invalid(_)
                    ),
                    "seed {seed} step {step} op {op}: {e:?}"
                );
            }
            if step % 3 == 2 {
                assert_eq!(
                    diff(
                        s.stored_stats().await.unwrap(),
                        s.recount_stats().await.unwrap()
                    ),
                    "",
                    "seed {seed} step {step} op {op}"
                );
            }
        }
    }
    // And the dashboard of the national root reads those figures.
    let tld = app.unit_id("TLD").await;
    let d = s.dashboard(&scope, Some(tld), today).await.unwrap();
    let naive = s.dashboard_naive(&scope, tld).await.unwrap();
    let by_status: i64 = d.members_by_status.iter().map(|c| c.n).sum();
    let naive_total: i64 = naive
        .iter()
        .filter(|c| {
            [
                "member",
                "applicant",
                "suspended",
                "exited",
                "transferred",
                "expelled",
            ]
            .contains(&c.key.as_str())
        })
        .map(|c| c.n)
        .sum();
    assert_eq!(by_status, naive_total);
}

both_engines!(a_filtered_total_in_a_large_subtree_is_counted_within_bounds);

/// A total combining filters the maintained figures do not hold (active women who are
/// Party members) in a large subtree is counted by reading the subtree's units and
/// their members: it equals the list's own length; with the read bounded below the
/// subtree's size it stops there and says "at least" (never more than the truth).
async fn a_filtered_total_in_a_large_subtree_is_counted_within_bounds(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let scope = app.admin_scope();
    let large = app.store().clone().with_small_subtree(0);
    let ag = app.unit_id("AG").await;
    let q = |unit_id: Option<i64>, page: i64| MemberQuery {
        unit_id,
        status: Some(congdoan_domain::MemberStatus::Member),
        sex: Some("F".into()),
        party: true,
        page,
        per_page: 200,
        ..Default::default()
    };
    let mut listed = 0i64;
    for page in 0.. {
        let p = app
            .store()
            .search_members(&scope, &q(Some(ag), page))
            .await
            .unwrap();
        listed += p.rows.len() as i64;
        if !p.more {
            break;
        }
    }
    assert!(listed > 0, "the demo has Party women in An Giang");
    let total = large.count_members(&scope, &q(Some(ag), 0)).await.unwrap();
    assert_eq!((total.n, total.more, total.partial), (listed, false, false));
    // The whole country (an administrator with no unit) is counted the same way.
    let national = large.count_members(&scope, &q(None, 0)).await.unwrap();
    assert!(national.n >= listed && !national.partial, "{national:?}");

    let bounded = large.with_member_scan_cap(50);
    let total = bounded
        .count_members(&scope, &q(Some(ag), 0))
        .await
        .unwrap();
    assert!(total.partial && !total.more, "{total:?}");
    assert!(total.n <= listed && total.n <= 50, "{total:?} of {listed}");

    // The page says so.
    let (_, html) = app
        .login("admin")
        .await
        .get_html(&format!("/members?unit={ag}&status=member&sex=F&party=1"))
        .await;
    assert!(
        html.contains(&format!(
            "id=\"members-total\"><strong>{}</strong>",
            congdoan_domain::format_int(listed)
        )),
        "{html}"
    );
}
