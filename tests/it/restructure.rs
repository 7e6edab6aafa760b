//! Restructuring plans on the demo data, on both engines: preview, all-or-nothing
//! apply, exact figures and history, refusals that change nothing.

use crate::harness::{Kind, TestApp, version_of};
use congdoan_domain::restructure::{Op, UnitRef};
use congdoan_store::{Store, StoreError};
use time::macros::date;

pub(crate) async fn figures_exact(s: &Store) {
    let diff = s
        .stored_stats()
        .await
        .unwrap()
        .differences(&s.recount_stats().await.unwrap());
    assert!(diff.is_empty(), "{diff:?}");
}

pub(crate) async fn members_of(app: &TestApp, unit: i64) -> i64 {
    app.store()
        .subtree_member_count(&app.admin_scope(), unit)
        .await
        .unwrap()
}

/// The first member (in name order) of a unit's subtree.
pub(crate) async fn first_member(s: &Store, unit: i64) -> congdoan_store::MemberListRow {
    let scope = congdoan_store::Scope::admin(congdoan_store::Actor::system("test"));
    let q = congdoan_store::MemberQuery {
        unit_id: Some(unit),
        per_page: 1,
        ..Default::default()
    };
    s.search_members(&scope, &q).await.unwrap().rows.remove(0)
}

/// The first active member (status `member`, in name order) of a unit's subtree.
pub(crate) async fn active_member(s: &Store, unit: i64) -> i64 {
    let scope = congdoan_store::Scope::admin(congdoan_store::Actor::system("test"));
    let q = congdoan_store::MemberQuery {
        unit_id: Some(unit),
        status: Some(congdoan_domain::member::MemberStatus::Member),
        per_page: 1,
        ..Default::default()
    };
    s.search_members(&scope, &q)
        .await
        .unwrap()
        .rows
        .remove(0)
        .member_id
}

/// Long Xuyên's district federation gives way to a new ward union (AG demo).
fn long_xuyen_ops(ag: i64, lx: i64) -> Vec<Op> {
    vec![
        Op::Create {
            key: "lx".into(),
            code: "AG-XA-LX".into(),
            name: "Công đoàn phường Long Xuyên".into(),
            type_code: "CD_XA".into(),
            parent: UnitRef::Id(ag),
        },
        Op::Dissolve {
            unit: lx,
            children_to: Some(UnitRef::New("lx".into())),
            members_to: None,
            reason: "Kết thúc hoạt động LĐLĐ cấp huyện (CV 4173/TLĐ-ToC)".into(),
        },
    ]
}

pub(crate) async fn codes_as_of(app: &TestApp, root: i64, on: time::Date) -> Vec<String> {
    app.store()
        .subtree_as_of(&app.admin_scope(), root, on)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.code)
        .collect()
}

async fn a_district_federation_gives_way_to_a_commune_union(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let lx = app.unit_id("AG-LX").await;
    let cdcs = [
        app.unit_id("AG-CDCS-016").await,
        app.unit_id("AG-CDCS-017").await,
        app.unit_id("AG-CDCS-018").await,
    ];
    let members_before = members_of(&app, ag).await;
    let lx_members = members_of(&app, lx).await;
    let on = date!(2025 - 07 - 01);
    let plan = s
        .create_plan(&scope, ag, "Sắp xếp Long Xuyên", on)
        .await
        .unwrap();
    let ops = long_xuyen_ops(ag, lx);
    let plan = s
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, on, &ops)
        .await
        .unwrap();
    // Someone else's stale edit is refused, not merged silently.
    let stale = s
        .save_plan(&scope, plan.plan_id, plan.version - 1, "Khác", on, &[])
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");

    let preview = s.preview_plan(&scope, plan.plan_id).await.unwrap();
    let out = preview.outcome.as_ref().expect("a valid plan");
    assert_eq!(out.created.len(), 1);
    assert_eq!(out.ended, vec![lx]);
    let mut moved = out.moved.clone();
    moved.sort();
    assert_eq!(moved, cdcs);
    // The new union is far below the commune-union criteria: said, not blocking.
    let f = &out.findings[0];
    assert!(
        !f.blocking && f.message_vi.contains("dưới tiêu chí"),
        "{f:?}"
    );
    assert!(
        preview.posts_ended > 0,
        "the district's officials' posts end"
    );
    // Nothing is written by a preview.
    assert!(
        codes_as_of(&app, ag, date!(2026 - 01 - 01))
            .await
            .contains(&"AG-LX".to_string())
    );

    let applied = s
        .apply_plan(&scope, plan.plan_id, plan.version, date!(2026 - 01 - 01))
        .await
        .unwrap();
    assert_eq!(applied.status, "applied");
    figures_exact(s).await;
    assert_eq!(members_of(&app, ag).await, members_before);
    let xa = app.unit_id("AG-XA-LX").await;
    assert_eq!(members_of(&app, xa).await, lx_members);
    // The tree as of any date is exact: before the day the district is there, after it not.
    let before = codes_as_of(&app, ag, date!(2025 - 06 - 30)).await;
    assert!(before.contains(&"AG-LX".to_string()) && !before.contains(&"AG-XA-LX".to_string()));
    let after = codes_as_of(&app, ag, date!(2025 - 07 - 01)).await;
    assert!(!after.contains(&"AG-LX".to_string()) && after.contains(&"AG-XA-LX".to_string()));
    let history = s.unit_history(&scope, cdcs[0]).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.valid_from, last.parent_id), (on, Some(xa)));
    let ended = s.unit(&scope, lx).await.unwrap();
    assert_eq!(ended.ended_on, Some(on));
    // An applied plan is history: it cannot be edited or applied again.
    let again = s
        .apply_plan(&scope, plan.plan_id, applied.version, date!(2026 - 01 - 01))
        .await;
    assert!(
        matches!(again, Err(StoreError::Rule { code: "ST0801", .. })),
        "{again:?}"
    );
}

async fn merging_and_ending_cdcs_keeps_members_and_history(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let (a, b) = (
        app.unit_id("AG-CDCS-017").await,
        app.unit_id("AG-CDCS-016").await,
    );
    let agency = app.unit_id("AG-CDCS-002").await;
    let (na, nb, nag) = (
        members_of(&app, a).await,
        members_of(&app, b).await,
        members_of(&app, agency).await,
    );
    assert!(na > 0 && nag > 0);
    let total = members_of(&app, ag).await;
    let on = date!(2025 - 07 - 01);
    let plan = s
        .create_plan(&scope, ag, "Sáp nhập, kết thúc", on)
        .await
        .unwrap();
    let ops = vec![
        Op::Merge {
            units: vec![a],
            into: UnitRef::Id(b),
        },
        Op::End {
            unit: agency,
            reason: "Cơ quan hưởng lương 100% từ ngân sách (CV 4133/TLĐ-ToC)".into(),
        },
    ];
    let plan = s
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, on, &ops)
        .await
        .unwrap();
    let preview = s.preview_plan(&scope, plan.plan_id).await.unwrap();
    let out = preview.outcome.as_ref().unwrap();
    assert_eq!(out.members_transferred, na);
    assert_eq!(out.members_exited, nag);
    // Both ending unions hold a place in one of An Giang's emulation clusters.
    assert_eq!(preview.cluster_places_affected, 2);
    s.apply_plan(&scope, plan.plan_id, plan.version, date!(2026 - 01 - 01))
        .await
        .unwrap();
    figures_exact(s).await;
    assert_eq!(members_of(&app, b).await, na + nb);
    for c in s.clusters(&scope, ag, Some(2026)).await.unwrap() {
        let units: Vec<i64> = s
            .cluster(&scope, c.cluster_id)
            .await
            .unwrap()
            .units
            .iter()
            .map(|u| u.unit_id)
            .collect();
        assert!(
            !units.contains(&a) && !units.contains(&agency),
            "{}: {units:?}",
            c.name
        );
    }
    assert_eq!(members_of(&app, ag).await, total - nag);
    // The merged union's officials' posts ended with the reason "sáp nhập".
    let posts: Vec<_> = s
        .committees(&scope, a)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|c| c.positions)
        .collect();
    assert!(posts.iter().all(|p| p.end_date.is_some()), "{posts:?}");
    assert!(
        posts
            .iter()
            .any(|p| p.end_date == Some(on) && p.end_reason.as_deref() == Some("sáp nhập")),
        "{posts:?}"
    );
    let lineage = s.lineage(&scope, b).await.unwrap();
    assert_eq!(
        (lineage[0].from_unit_id, lineage[0].kind.as_str()),
        (a, "merge")
    );
    // A member's history stays attributed to the union where it happened.
    let page = s
        .search_members(
            &scope,
            &congdoan_store::MemberQuery {
                unit_id: Some(b),
                page: 0,
                per_page: 200,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut transferred = 0;
    for row in page.rows.iter().filter(|r| r.status == "member") {
        let history = s.member_history(&scope, row.member_id).await.unwrap();
        if let Some(e) = history
            .iter()
            .find(|e| e.kind == "transfer_out" && e.on_date == on)
        {
            assert_eq!((e.unit_id, e.to_unit_id), (a, Some(b)));
            transferred += 1;
        }
    }
    assert_eq!(transferred, na);
}

async fn a_bad_plan_is_refused_naming_the_operation_and_nothing_changes(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let lx = app.unit_id("AG-LX").await;
    let cdcs = app.unit_id("AG-CDCS-016").await;
    let on = date!(2025 - 07 - 01);
    let plan = s.create_plan(&scope, ag, "Sai", on).await.unwrap();
    let ops = vec![
        Op::Rename {
            unit: UnitRef::Id(cdcs),
            name: "Công đoàn cơ sở Dược Long Xuyên".into(),
        },
        Op::Move {
            units: vec![lx],
            parent: UnitRef::Id(cdcs),
        },
    ];
    let plan = s
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, on, &ops)
        .await
        .unwrap();
    let stats_before = s.stored_stats().await.unwrap();
    let e = s
        .apply_plan(&scope, plan.plan_id, plan.version, date!(2026 - 01 - 01))
        .await
        .unwrap_err();
    match &e {
        StoreError::Rule {
            code, message_vi, ..
        } => {
            assert_eq!(*code, "VL0707");
            assert!(
                message_vi.starts_with("Thao tác 2 (Chuyển đơn vị cấp trên)"),
                "{message_vi}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.plan(&scope, plan.plan_id).await.unwrap().status, "draft");
    assert!(
        s.unit(&scope, cdcs)
            .await
            .unwrap()
            .name
            .contains("Dược phẩm")
    );
    assert!(
        s.stored_stats()
            .await
            .unwrap()
            .differences(&stats_before)
            .is_empty()
    );
    // A date before the unit's last change is refused too.
    let plan = s
        .save_plan(
            &scope,
            plan.plan_id,
            plan.version,
            &plan.name,
            date!(1990 - 01 - 01),
            &ops[..1],
        )
        .await
        .unwrap();
    let e = s
        .preview_plan(&scope, plan.plan_id)
        .await
        .unwrap()
        .outcome
        .unwrap_err();
    assert_eq!(e.code, "VL0705");
}

async fn a_plan_dated_later_is_scheduled_then_applied_on_its_day(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let cdcs = app.unit_id("AG-CDCS-018").await;
    let day = date!(2027 - 01 - 01);
    let plan = s
        .create_plan(&scope, ag, "Đổi tên đầu năm", day)
        .await
        .unwrap();
    let ops = vec![Op::Rename {
        unit: UnitRef::Id(cdcs),
        name: "Công đoàn cơ sở Hợp tác xã Bình Đức".into(),
    }];
    let plan = s
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, day, &ops)
        .await
        .unwrap();
    let today = date!(2026 - 11 - 23);
    let plan = s
        .apply_plan(&scope, plan.plan_id, plan.version, today)
        .await
        .unwrap();
    assert_eq!(plan.status, "scheduled");
    assert_eq!(s.apply_due_plans(today).await.unwrap(), 0);
    assert!(
        s.unit(&scope, cdcs)
            .await
            .unwrap()
            .name
            .contains("Thương mại")
    );
    assert_eq!(s.apply_due_plans(day).await.unwrap(), 1);
    assert_eq!(
        s.plan(&scope, plan.plan_id).await.unwrap().status,
        "applied"
    );
    assert_eq!(
        s.unit(&scope, cdcs).await.unwrap().name,
        "Công đoàn cơ sở Hợp tác xã Bình Đức"
    );
    // The old name stays in the unit's history.
    let history = s.unit_history(&scope, cdcs).await.unwrap();
    assert!(history[history.len() - 2].name.contains("Thương mại"));
}

/// "The tree as of" a later day shows the scheduled plans taking effect by then.
async fn the_tree_of_a_later_day_shows_the_scheduled_plans(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let today = time::OffsetDateTime::now_utc().date();
    let day = today + time::Duration::days(400);
    let plan = s
        .create_plan(&scope, ag, "Thành lập công đoàn phường", day)
        .await
        .unwrap();
    let ops = vec![Op::Create {
        key: "cd".into(),
        code: "AG-X-CHAUDOC".into(),
        name: "Công đoàn phường Châu Đốc".into(),
        type_code: "CD_XA".into(),
        parent: UnitRef::Id(ag),
    }];
    let plan = s
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, day, &ops)
        .await
        .unwrap();
    let plan = s
        .apply_plan(&scope, plan.plan_id, plan.version, today)
        .await
        .unwrap();
    assert_eq!(plan.status, "scheduled");
    let br = app.login("btv.angiang").await;
    let vn = |d: time::Date| congdoan_domain::format_vn_date(d);
    let (_, later) = br.get_html(&format!("/units?as_of={}", vn(day))).await;
    let section = later
        .split("id=\"scheduled-trees\"")
        .nth(1)
        .expect("the scheduled plans are shown");
    assert!(section.contains("Thành lập công đoàn phường"));
    assert!(section.contains("Công đoàn phường Châu Đốc"));
    let (_, before) = br
        .get_html(&format!(
            "/units?as_of={}",
            vn(day - time::Duration::days(1))
        ))
        .await;
    assert!(
        !before.contains("id=\"scheduled-trees\""),
        "not before the plan's day"
    );
    // A later plan's tree starts from what the earlier one leaves: the ward union it
    // creates is there, and the district federation the later one dissolves is not.
    let later_day = day + time::Duration::days(30);
    let lx = app.unit_id("AG-LX").await;
    let second = s
        .create_plan(&scope, ag, "Giải thể LĐLĐ Long Xuyên", later_day)
        .await
        .unwrap();
    let ops = vec![Op::Dissolve {
        unit: lx,
        children_to: None,
        members_to: None,
        reason: "Kết thúc hoạt động LĐLĐ cấp huyện".into(),
    }];
    let second = s
        .save_plan(
            &scope,
            second.plan_id,
            second.version,
            &second.name,
            later_day,
            &ops,
        )
        .await
        .unwrap();
    s.apply_plan(&scope, second.plan_id, second.version, today)
        .await
        .unwrap();
    let (_, both) = br
        .get_html(&format!("/units?as_of={}", vn(later_day)))
        .await;
    let after_second = both
        .split("Giải thể LĐLĐ Long Xuyên</a>")
        .nth(1)
        .expect("the second plan is shown")
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        after_second.contains("Công đoàn phường Châu Đốc")
            && !after_second.contains("Liên đoàn Lao động thành phố Long Xuyên"),
        "{after_second}"
    );
}

crate::both_engines!(the_tree_of_a_later_day_shows_the_scheduled_plans);

/// The text of the element with this id (up to its first tag inside).
fn text_of<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\">")).expect(id) + id.len() + 6;
    html[start..].split('<').next().unwrap_or("")
}

async fn a_provincial_officer_plans_previews_and_applies_in_the_pages(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let br = app.login("btv.angiang").await;
    let (_, unit_page) = br.get_html(&format!("/units/{ag}")).await;
    assert!(
        unit_page.contains(&format!("href=\"/plans?unit={ag}\"")),
        "a link to the plans"
    );
    // Seed 000's measure on each CĐCS page: levels up to the provincial federation.
    let levels = |html: &str| text_of(html, "intermediaries-n").to_string();
    let (_, direct) = br
        .get_html(&format!("/units/{}", app.unit_id("AG-CDCS-002").await))
        .await;
    assert_eq!(levels(&direct), "0");
    let (_, under_district) = br
        .get_html(&format!("/units/{}", app.unit_id("AG-CDCS-019").await))
        .await;
    assert_eq!(levels(&under_district), "1");
    assert!(
        !unit_page.contains("id=\"intermediaries\""),
        "not shown for an upper-level union"
    );
    let list = format!("/plans?unit={ag}");
    let (status, url, html) = br
        .post_form(
            &list,
            "/plans",
            &[
                ("unit", &ag.to_string()),
                ("name", "Sắp xếp Châu Đốc"),
                ("effective_date", "01/07/2025"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let plan_path = url.clone();
    // A commune union, then the district federation dissolved into it.
    let (status, _, html) = br
        .post_form(
            &plan_path,
            &format!("{plan_path}/ops"),
            &[
                ("version", &version_of(&html)),
                ("kind", "create"),
                ("code", "AG-XA-CD"),
                ("name", "Công đoàn phường Châu Đốc"),
                ("type_code", "CD_XA"),
                ("parent", "AG"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let (status, _, html) = br
        .post_form(
            &plan_path,
            &format!("{plan_path}/ops"),
            &[
                ("version", &version_of(&html)),
                ("kind", "dissolve"),
                ("unit", "AG-CD"),
                ("children_to", "ag-xa-cd"),
                ("reason", "Kết thúc hoạt động LĐLĐ cấp huyện"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Công đoàn phường Châu Đốc"), "{html}");
    // The preview: three CĐCS move, one unit ends, the finding about the criteria.
    let counts = &html[html.find("id=\"plan-counts\"").unwrap()..];
    assert!(
        counts.contains("<div class=\"n\">3</div>đơn vị chuyển cấp trên"),
        "{counts}"
    );
    assert!(
        html.contains("dưới tiêu chí thành lập công đoàn xã"),
        "{html}"
    );
    let after = &html[html.find("id=\"tree-after\"").unwrap()..];
    assert!(
        after.contains("Công đoàn phường Châu Đốc <span class=\"muted small\">3 CĐCS"),
        "{after}"
    );
    // A code that does not exist is named as the field in error.
    let (status, _, bad) = br
        .post_form(
            &plan_path,
            &format!("{plan_path}/ops"),
            &[
                ("version", &version_of(&html)),
                ("kind", "move"),
                ("units", "KHONG-CO"),
                ("parent", "AG"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    assert!(
        bad.contains("không tìm thấy đơn vị có mã &#39;KHONG-CO&#39;"),
        "{bad}"
    );
    let (status, _, html) = br
        .post_form(
            &plan_path,
            &format!("{plan_path}/apply"),
            &[("version", &version_of(&html)), ("confirmed", "1")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(text_of(&html, "plan-status"), "Đã áp dụng");
    figures_exact(app.store()).await;
    // The tree as of 2019 still shows the district federation; today it does not.
    let cd = app.unit_id("AG-CD").await;
    let (_, then) = br.get_html(&format!("/units/{ag}?as_of=01/01/2019")).await;
    assert!(
        then.contains(&format!("/units/{cd}\"")),
        "the 2019 tree holds AG-CD"
    );
    let (_, now) = br.get_html(&format!("/units/{ag}")).await;
    assert!(
        !now.contains(&format!("/units/{cd}\"")),
        "today's tree does not"
    );
}

async fn the_api_edits_previews_and_applies_a_plan(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let api = app.token("btv.angiang").await;
    let (ag, cm) = (app.unit_id("AG").await, app.unit_id("AG-CM").await);
    let (status, plan) = api
        .post("/api/v1/plans", serde_json::json!({"owner_unit_id": ag, "name": "Chợ Mới", "effective_date": "2025-07-01"}))
        .await;
    assert_eq!(status, 200, "{plan}");
    let id = plan["plan_id"].as_i64().unwrap();
    let ops = serde_json::json!([
        {"kind": "dissolve", "unit": cm, "children_to": null, "members_to": null, "reason": "Kết thúc hoạt động LĐLĐ cấp huyện"}
    ]);
    let (status, plan) = api
        .send(reqwest::Method::PUT, &format!("/api/v1/plans/{id}"), serde_json::json!({
            "version": plan["version"], "name": "Chợ Mới", "effective_date": "2025-07-01", "operations": ops}))
        .await;
    assert_eq!(status, 200, "{plan}");
    // A stale version is a conflict.
    let (status, _) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/plans/{id}"),
            serde_json::json!({
            "version": 1, "name": "x", "effective_date": "2025-07-01", "operations": []}),
        )
        .await;
    assert_eq!(status, 409);
    let (status, preview) = api.get(&format!("/api/v1/plans/{id}/preview")).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        preview["outcome"]["Ok"]["ended"],
        serde_json::json!([cm]),
        "{preview}"
    );
    assert_eq!(
        preview["outcome"]["Ok"]["moved"].as_array().unwrap().len(),
        3
    );
    let (status, plan) = api
        .post(
            &format!("/api/v1/plans/{id}/apply"),
            serde_json::json!({"version": plan["version"]}),
        )
        .await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["status"], "applied");
    let (_, doc) = api.get("/api/openapi.json").await;
    for path in [
        "/api/v1/plans",
        "/api/v1/plans/{id}/preview",
        "/api/v1/plans/{id}/apply",
        "/api/v1/units/{id}/lineage",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} in the OpenAPI document"
        );
    }
    // Another province's officer cannot see the plan.
    let other = app.token("lddl.kontum").await;
    let (status, _) = other.get(&format!("/api/v1/plans/{id}")).await;
    assert_eq!(status, 404);
}

/// The apply checks the plan inside its own transaction: a code taken after the plan
/// was saved refuses it, now and on a scheduled day, naming the operation, and
/// nothing is written.
async fn a_code_taken_after_saving_refuses_the_apply_now_and_on_its_day(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let cdcs = app.unit_id("AG-CDCS-018").await;
    let ops = vec![
        Op::Create {
            key: "xa".into(),
            code: "AG-XA-MOI".into(),
            name: "Công đoàn xã Mới".into(),
            type_code: "CD_XA".into(),
            parent: UnitRef::Id(ag),
        },
        Op::Move {
            units: vec![cdcs],
            parent: UnitRef::New("xa".into()),
        },
    ];
    let today = date!(2026 - 11 - 23);
    let day = date!(2027 - 01 - 01);
    let now = s
        .create_plan(&scope, ag, "Thành lập ngay", today)
        .await
        .unwrap();
    let now = s
        .save_plan(&scope, now.plan_id, now.version, &now.name, today, &ops)
        .await
        .unwrap();
    let later = s
        .create_plan(&scope, ag, "Thành lập đầu năm", day)
        .await
        .unwrap();
    let later = s
        .save_plan(&scope, later.plan_id, later.version, &later.name, day, &ops)
        .await
        .unwrap();
    let later = s
        .apply_plan(&scope, later.plan_id, later.version, today)
        .await
        .unwrap();
    assert_eq!(later.status, "scheduled");
    // Someone founds a unit with that code by hand meanwhile.
    s.create_unit(
        &scope,
        congdoan_store::UnitInput {
            code: "AG-XA-MOI".into(),
            name: "Công đoàn xã lập tay".into(),
            type_code: "CD_XA".into(),
            parent_id: Some(ag),
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap();
    let parent_before = s.unit(&scope, cdcs).await.unwrap().parent_id;
    match s.apply_plan(&scope, now.plan_id, now.version, today).await {
        Err(StoreError::Rule {
            code, message_vi, ..
        }) => {
            assert_eq!(code, "VL0713");
            assert!(
                message_vi.contains("Thao tác 1") && message_vi.contains("AG-XA-MOI"),
                "{message_vi}"
            );
        }
        other => panic!("expected VL0713, got {other:?}"),
    }
    assert_eq!(s.plan(&scope, now.plan_id).await.unwrap().status, "draft");
    assert_eq!(s.apply_due_plans(day).await.unwrap(), 0);
    assert_eq!(
        s.plan(&scope, later.plan_id).await.unwrap().status,
        "scheduled"
    );
    assert_eq!(s.unit(&scope, cdcs).await.unwrap().parent_id, parent_before);
    figures_exact(s).await;
}

crate::both_engines!(
    a_provincial_officer_plans_previews_and_applies_in_the_pages,
    the_api_edits_previews_and_applies_a_plan,
    a_district_federation_gives_way_to_a_commune_union,
    merging_and_ending_cdcs_keeps_members_and_history,
    a_bad_plan_is_refused_naming_the_operation_and_nothing_changes,
    a_plan_dated_later_is_scheduled_then_applied_on_its_day,
    a_code_taken_after_saving_refuses_the_apply_now_and_on_its_day,
);

/// `congdoan plan --apply` killed with SIGKILL while it writes a plan that moves
/// hundreds of CĐCS: afterwards the tree is exactly the one before or exactly the one
/// after, never between, and the plan can still be applied.
async fn a_killed_apply_leaves_the_tree_before_or_after(kind: Kind) {
    use congdoan_datagen::{Country, CountryOptions};
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let Some(url) = crate::harness::fresh_database(kind).await else {
        return;
    };
    let store = congdoan::open_store(&url).await.unwrap();
    let country = Country::generate(&CountryOptions {
        members: 40_000,
        seed: 7,
    });
    store.load_country(&country, &mut |_, _| {}).await.unwrap();
    let scope = congdoan_store::Scope::admin(congdoan_store::Actor::system("test"));
    let root = store.unit_by_code(&scope, "TLD").await.unwrap();
    let province = store
        .largest_unit_of_type(&scope, "LDLD_TINH", &root.path)
        .await
        .unwrap();
    let ids = store
        .grassroots_ids(&scope, &root.path, 10_000)
        .await
        .unwrap();
    assert!(ids.len() > 300, "{}", ids.len());
    let on = congdoan_web::today();
    let plan = store
        .create_plan(&scope, root.unit_id, "Dồn CĐCS", on)
        .await
        .unwrap();
    let ops = vec![
        Op::Create {
            key: "xa".into(),
            code: "KILL-XA".into(),
            name: "Công đoàn xã thử".into(),
            type_code: "CD_XA".into(),
            parent: UnitRef::Id(province.unit_id),
        },
        Op::Move {
            units: ids.clone(),
            parent: UnitRef::New("xa".into()),
        },
    ];
    let plan = store
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, on, &ops)
        .await
        .unwrap();
    let placement = |rows: Vec<congdoan_store::UnitVersion>| {
        rows.into_iter()
            .map(|v| (v.unit_id, v.parent_id, v.path))
            .collect::<Vec<_>>()
    };
    let before = placement(store.subtree_as_of(&scope, root.unit_id, on).await.unwrap());
    let stats_before = store.stored_stats().await.unwrap();
    store.close().await;

    let mut child = Command::new(env!("CARGO_BIN_EXE_congdoan"))
        .args(["plan", "--apply", &plan.plan_id.to_string()])
        .env("CONGDOAN_DATABASE_URL", &url)
        .env("CONGDOAN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("congdoan plan runs");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with("Đang áp dụng"), "{first}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().expect("SIGKILL");
    child.wait().unwrap();

    let store = congdoan::open_store(&url).await.unwrap();
    let status = store.plan(&scope, plan.plan_id).await.unwrap().status;
    let now = placement(store.subtree_as_of(&scope, root.unit_id, on).await.unwrap());
    if status == "applied" {
        eprintln!("the apply had committed before the kill");
        let xa = store.unit_by_code(&scope, "KILL-XA").await.unwrap();
        assert!(ids.iter().all(|id| {
            now.iter()
                .any(|(u, p, _)| u == id && *p == Some(xa.unit_id))
        }));
    } else {
        eprintln!("killed mid-apply: nothing was written");
        assert_eq!(status, "draft");
        assert_eq!(now, before, "the tree is exactly the one before");
        assert!(
            store
                .stored_stats()
                .await
                .unwrap()
                .differences(&stats_before)
                .is_empty()
        );
        assert!(store.unit_by_code(&scope, "KILL-XA").await.is_err());
        let plan = store.plan(&scope, plan.plan_id).await.unwrap();
        store
            .apply_plan(&scope, plan.plan_id, plan.version, on)
            .await
            .unwrap();
    }
    figures_exact(&store).await;
}

crate::both_engines!(a_killed_apply_leaves_the_tree_before_or_after);

/// A merger's preview states the committee cap of the rule version in force on the
/// plan's date (HD 38 until 29/8/2025, then KH 22) and the term numbering.
async fn a_merger_preview_tells_the_committee_cap_of_its_date(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let (big, small) = (
        app.unit_id("AG-CDCS-025").await,
        app.unit_id("AG-CDCS-028").await,
    );
    let merge = [Op::Merge {
        units: vec![small],
        into: UnitRef::Id(big),
    }];
    let mut said = vec![];
    for on in [date!(2025 - 07 - 01), date!(2026 - 01 - 01)] {
        let plan = s
            .create_plan(&scope, ag, "Hợp nhất hai CĐCS", on)
            .await
            .unwrap();
        let plan = s
            .save_plan(&scope, plan.plan_id, plan.version, &plan.name, on, &merge)
            .await
            .unwrap();
        let preview = s.preview_plan(&scope, plan.plan_id).await.unwrap();
        let out = preview.outcome.unwrap();
        let texts: Vec<String> = out.findings.iter().map(|f| f.message_vi.clone()).collect();
        assert!(
            texts
                .iter()
                .any(|t| t.contains("không vượt tổng BCH các đơn vị trước sáp nhập")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("giữ số thứ tự nhiệm kỳ")),
            "{texts:?}"
        );
        said.push(texts.join(" "));
    }
    assert!(said[0].contains("theo HD38 tối đa"), "{}", said[0]);
    assert!(said[1].contains("theo KH22 tối đa"), "{}", said[1]);
}

crate::both_engines!(a_merger_preview_tells_the_committee_cap_of_its_date);

/// Members are addressed through their units: a CĐCS moved to another federation is
/// found by name there (and no longer in its old one) at once, before and after the
/// background refresh rewrites its members' search tokens; the large-subtree search
/// plan (full-text index with scope tokens) is the one under test.
async fn a_cdcs_moved_to_another_federation_is_searched_there(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let scope = app.admin_scope();
    let s = app.store().clone().with_small_subtree(0);
    let (kt, qng) = (app.unit_id("KT").await, app.unit_id("QNG").await);
    let cdcs = s
        .grassroots_ids(&scope, &s.unit(&scope, kt).await.unwrap().path, 1)
        .await
        .unwrap()[0];
    let member = first_member(&s, cdcs).await;
    let finds = |unit: i64| {
        let (s, scope, name, id) = (
            s.clone(),
            scope.clone(),
            member.full_name.clone(),
            member.member_id,
        );
        async move {
            let by_name = s
                .search_members(
                    &scope,
                    &congdoan_store::MemberQuery {
                        q: Some(congdoan_domain::text::fold(&name)),
                        unit_id: Some(unit),
                        per_page: 200,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let found = by_name.rows.iter().any(|r| r.member_id == id);
            // The list in name order (walking the national name index) agrees.
            let mut listed = false;
            for page in 0.. {
                let p = s
                    .search_members(
                        &scope,
                        &congdoan_store::MemberQuery {
                            unit_id: Some(unit),
                            per_page: 200,
                            page,
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
                listed |= p.rows.iter().any(|r| r.member_id == id);
                if !p.more {
                    break;
                }
            }
            assert_eq!(found, listed);
            found
        }
    };
    let bs = app.unit_id("QNG-BS").await;
    assert!(finds(kt).await && !finds(qng).await && !finds(bs).await);

    let on = date!(2024 - 06 - 01);
    let root = s.unit(&scope, kt).await.unwrap().parent_id.unwrap();
    let plan = s
        .create_plan(&scope, root, "Chuyển một CĐCS", on)
        .await
        .unwrap();
    let ops = vec![Op::Move {
        units: vec![cdcs],
        parent: UnitRef::Id(bs),
    }];
    let plan = s
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, on, &ops)
        .await
        .unwrap();
    s.apply_plan(&scope, plan.plan_id, plan.version, date!(2026 - 01 - 01))
        .await
        .unwrap();
    // Searched in the new federation and in the district federation below it (which
    // the tokens alone cannot tell, so the path decides), not in the old one.
    assert!(
        finds(qng).await && finds(bs).await && !finds(kt).await,
        "before the refresh"
    );
    let mut refreshed = 0;
    loop {
        match s.refresh_search_scope().await.unwrap() {
            0 => break,
            n => refreshed += n,
        }
    }
    assert!(refreshed >= 1, "the moved CĐCS had members to refresh");
    assert!(
        finds(qng).await && finds(bs).await && !finds(kt).await,
        "after the refresh"
    );
    figures_exact(&s).await;
}
crate::both_engines!(a_cdcs_moved_to_another_federation_is_searched_there);

/// A CĐCS split in two in the pages: a new CĐCS takes the rest, an existing one takes a
/// tổ with its members; the split union ends with its lineage, figures stay exact and
/// the moved members' history says where they went.
async fn a_cdcs_is_split_by_its_union_groups_in_the_pages(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let today = congdoan_web::today();
    let ag = app.unit_id("AG").await;
    // A CĐCS of An Giang with at least two tổ holding members.
    let mut found = None;
    for id in s
        .grassroots_ids(&scope, &s.unit(&scope, ag).await.unwrap().path, 100)
        .await
        .unwrap()
    {
        let mut groups = vec![];
        for v in s.subtree_as_of(&scope, id, today).await.unwrap() {
            if v.parent_id == Some(id) && members_of(&app, v.unit_id).await > 0 {
                groups.push(v);
            }
        }
        if groups.len() >= 2 {
            found = Some((s.unit(&scope, id).await.unwrap(), groups));
            break;
        }
    }
    let (cdcs, groups) = found.expect("the demo has a CĐCS with two tổ");
    let other = s
        .unit(&scope, app.unit_id("AG-CDCS-017").await)
        .await
        .unwrap();
    assert_ne!(other.unit_id, cdcs.unit_id);
    let (total, moving, other_before) = (
        members_of(&app, cdcs.unit_id).await,
        members_of(&app, groups[1].unit_id).await,
        members_of(&app, other.unit_id).await,
    );

    let br = app.login("btv.angiang").await;
    let (status, plan_path, html) = br
        .post_form(
            &format!("/plans?unit={ag}"),
            "/plans",
            &[
                ("unit", &ag.to_string()),
                ("name", "Chia tách CĐCS"),
                ("effective_date", "01/07/2025"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let parent = s.unit(&scope, cdcs.parent_id.unwrap()).await.unwrap();
    let (_, _, html) = br
        .post_form(
            &plan_path,
            &format!("{plan_path}/ops"),
            &[
                ("version", &version_of(&html)),
                ("kind", "create"),
                ("code", "AG-CDCS-TACH"),
                ("name", "CĐCS phần tách"),
                ("type_code", &cdcs.type_code),
                ("parent", &parent.code),
            ],
        )
        .await;
    assert!(html.contains("id=\"op-split\""), "the split form");
    // A part given a unit that is not the split union's own tổ: the preview names the
    // operation and why, and the operation can be taken out again.
    let (status, _, bad) = br
        .post_form(
            &plan_path,
            &format!("{plan_path}/ops"),
            &[
                ("version", &version_of(&html)),
                ("kind", "split"),
                ("unit", &cdcs.code),
                (
                    "parts",
                    &format!("AG-CDCS-TACH\n{}: AG-CDCS-002", other.code),
                ),
                ("reason", "Thử"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{bad}");
    let error = bad[bad.find("id=\"plan-error\"").expect("an error")..]
        .split("</p>")
        .next()
        .unwrap();
    assert!(
        error.contains("Thao tác 2 (Chia tách)") && error.contains("không phải đơn vị trực thuộc"),
        "{error}"
    );
    let (_, _, html) = br
        .post_form(
            &plan_path,
            &format!("{plan_path}/ops/2/delete"),
            &[("version", &version_of(&bad)), ("confirmed", "1")],
        )
        .await;
    let parts = format!("AG-CDCS-TACH\n{}: {}", other.code, groups[1].code);
    let (status, _, html) = br
        .post_form(
            &plan_path,
            &format!("{plan_path}/ops"),
            &[
                ("version", &version_of(&html)),
                ("kind", "split"),
                ("unit", &cdcs.code),
                ("parts", &parts),
                ("reason", "Doanh nghiệp tách thành hai công ty"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(!html.contains("id=\"plan-error\""), "{html}");
    assert!(
        html.contains(&format!("Chia tách {}", cdcs.name))
            && html.contains(&format!("{} ({})", other.name, groups[1].name))
            && html.contains("CĐCS phần tách (phần còn lại)"),
        "the operation as read back: {html}"
    );

    let plan_id: i64 = plan_path.rsplit('/').next().unwrap().parse().unwrap();
    let plan = s.plan(&scope, plan_id).await.unwrap();
    s.apply_plan(&scope, plan_id, plan.version, today)
        .await
        .unwrap();
    figures_exact(s).await;
    let part = app.unit_id("AG-CDCS-TACH").await;
    assert_eq!(members_of(&app, part).await, total - moving);
    assert_eq!(members_of(&app, other.unit_id).await, other_before + moving);
    assert_eq!(members_of(&app, cdcs.unit_id).await, 0);
    let ended = s.unit(&scope, cdcs.unit_id).await.unwrap();
    assert_eq!(ended.ended_on, Some(date!(2025 - 07 - 01)));
    assert!(
        ended
            .end_reason
            .unwrap_or_default()
            .starts_with("chia tách")
    );
    let lineage = s.lineage(&scope, cdcs.unit_id).await.unwrap();
    let mut to: Vec<i64> = lineage
        .iter()
        .filter(|l| l.kind == "split")
        .map(|l| l.to_unit_id)
        .collect();
    to.sort();
    let mut want = vec![part, other.unit_id];
    want.sort();
    assert_eq!(to, want);
    // A member of the moved tổ now belongs to the receiving CĐCS, with the step in
    // their history; the tổ kept its members.
    let m = first_member(s, groups[1].unit_id).await;
    assert_eq!(
        s.member(&scope, m.member_id).await.unwrap().cdcs_id,
        other.unit_id
    );
    let history = s.member_history(&scope, m.member_id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.to_unit_id, last.plan_id),
        ("transfer_out", Some(other.unit_id), Some(plan_id))
    );
    assert_eq!(members_of(&app, groups[1].unit_id).await, moving);
}
crate::both_engines!(a_cdcs_is_split_by_its_union_groups_in_the_pages);

/// An applied plan is reverted by its generated inverse, in the pages: units it ended
/// are reopened, units and members go back, members it made leave are re-admitted, the
/// unit it created is dissolved; the figures stay exact and the history keeps both.
async fn an_applied_plan_is_reverted_by_its_inverse(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let lx = app.unit_id("AG-LX").await;
    let (a, b, gone) = (
        app.unit_id("AG-CDCS-016").await,
        app.unit_id("AG-CDCS-017").await,
        app.unit_id("AG-CDCS-002").await,
    );
    let units = [ag, lx, a, b, gone];
    let mut before = vec![];
    for u in units {
        before.push(members_of(&app, u).await);
    }
    let member_of_a = first_member(s, a).await.member_id;
    // The CĐCS to be merged is coordinated by another federation and sits in a cluster.
    let sector = app.unit_id("KT").await;
    s.add_coordination(
        &scope,
        a,
        sector,
        date!(2024 - 01 - 01),
        Some("Quy chế phối hợp".into()),
    )
    .await
    .unwrap();
    let cluster = s
        .create_cluster(&scope, ag, 2025, "cum", "Cụm thi đua Long Xuyên")
        .await
        .unwrap()
        .cluster_id;
    s.add_cluster_units(&scope, cluster, &[a]).await.unwrap();
    // Officials of the CĐCS to be merged and of the one to be ended: an appointed,
    // full-time executive member in each (their posts end with their units).
    let mut officials = vec![];
    for (u, member_id) in [
        (a, active_member(s, a).await),
        (gone, active_member(s, gone).await),
    ] {
        let committee = s
            .create_committee(
                &scope,
                u,
                congdoan_store::CommitteeInput {
                    kind: "BCH".into(),
                    term_no: Some(9),
                    term_label: Some("2023–2028".into()),
                    term_start: date!(2023 - 01 - 01),
                    term_end: None,
                },
            )
            .await
            .unwrap();
        s.add_position(
            &scope,
            committee,
            congdoan_store::PositionInput {
                member_id,
                position_code: "UV_BCH".into(),
                start_date: date!(2023 - 01 - 01),
                end_date: None,
                full_time: true,
                elected: false,
            },
        )
        .await
        .unwrap();
        officials.push((u, committee, member_id));
    }
    // Every open post of the units the plan ends, held by an active member.
    let ended_units = [lx, a, gone];
    let mut posts_before = 0;
    for u in ended_units {
        for c in s.committees(&scope, u).await.unwrap() {
            for p in c.positions.iter().filter(|p| p.end_date.is_none()) {
                let m = s.member(&scope, p.member_id.unwrap()).await.unwrap();
                posts_before += i64::from(m.status == "member");
            }
        }
    }
    assert!(posts_before >= 2, "{posts_before}");
    let linked = |u: i64| {
        let (s, scope) = (s.clone(), scope.clone());
        async move {
            s.coordination(&scope, u, congdoan_web::today())
                .await
                .unwrap()
                .iter()
                .any(|l| l.coordinator_id == sector)
        }
    };
    let in_cluster = |u: i64| {
        let (s, scope) = (s.clone(), scope.clone());
        async move {
            s.cluster(&scope, cluster)
                .await
                .unwrap()
                .units
                .iter()
                .any(|c| c.unit_id == u)
        }
    };
    let on = date!(2025 - 07 - 01);
    let plan = s
        .create_plan(&scope, ag, "Sắp xếp Long Xuyên", on)
        .await
        .unwrap();
    let mut ops = long_xuyen_ops(ag, lx);
    ops.extend([
        Op::Merge {
            units: vec![a],
            into: UnitRef::Id(b),
        },
        Op::End {
            unit: gone,
            reason: "Cơ quan hưởng lương 100% từ ngân sách nhà nước".into(),
        },
    ]);
    let plan = s
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, on, &ops)
        .await
        .unwrap();
    s.apply_plan(&scope, plan.plan_id, plan.version, date!(2026 - 01 - 01))
        .await
        .unwrap();
    assert_eq!(members_of(&app, gone).await, 0);
    // The officials' posts ended with their units.
    for (u, committee, member_id) in &officials {
        let c = s.committees(&scope, *u).await.unwrap();
        let c = c.iter().find(|c| c.committee_id == *committee).unwrap();
        assert!(
            c.positions
                .iter()
                .filter(|p| p.member_id == Some(*member_id))
                .all(|p| p.end_date == Some(on)),
            "{c:?}"
        );
    }
    // The merger passed the link and the cluster place to the survivor.
    assert!(!linked(a).await && linked(b).await);
    assert!(!in_cluster(a).await && in_cluster(b).await);

    let br = app.login("btv.angiang").await;
    let applied_page = format!("/plans/{}", plan.plan_id);
    let (_, html) = br.get_html(&applied_page).await;
    assert!(
        html.contains("id=\"revert-plan\""),
        "a revert form on the applied plan"
    );
    let (status, inverse_page, html) = br
        .post_form(
            &applied_page,
            &format!("{applied_page}/revert"),
            &[("effective_date", "01/01/2026"), ("confirmed", "1")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert_ne!(inverse_page, applied_page);
    // It previews cleanly, counting back what the plan did.
    assert!(!html.contains("id=\"plan-error\""), "{html}");
    assert!(
        html.contains("Đã lập phương án hoàn tác")
            && html.contains("được bổ nhiệm lại vào chức vụ cũ"),
        "a result message and a note that officials come back: {html}"
    );
    assert!(!html.contains("không tự khôi phục"), "{html}");
    assert!(
        html.contains("Khôi phục đơn vị")
            && html.contains("Trả đoàn viên, quan hệ phối hợp, cụm thi đua về nơi cũ")
            && html.contains("id=\"reverts\""),
        "{html}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&s.plan(&scope, plan.plan_id).await.unwrap().summary.unwrap())
            .unwrap();
    let counts = &html[html.find("id=\"plan-counts\"").unwrap()..];
    for (n, what) in [
        (
            &summary["members_transferred"],
            "đoàn viên chuyển sinh hoạt",
        ),
        (&summary["members_exited"], "đoàn viên kết nạp lại"),
        (&summary["ended"], "đơn vị khôi phục"),
        (
            &serde_json::json!(posts_before),
            "chức danh cán bộ được bổ nhiệm lại",
        ),
    ] {
        assert!(
            counts.contains(&format!("<div class=\"n\">{n}</div>{what}")),
            "{what}: {counts}"
        );
    }
    let (status, _, html) = br
        .post_form(
            &inverse_page,
            &format!("{inverse_page}/apply"),
            &[("version", &version_of(&html)), ("confirmed", "1")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        text_of(&html, "plan-status").contains("Đã áp dụng"),
        "{html}"
    );

    figures_exact(s).await;
    for (u, n) in units.iter().zip(&before) {
        assert_eq!(members_of(&app, *u).await, *n, "members of unit {u}");
    }
    let today = congdoan_web::today();
    let now = codes_as_of(&app, ag, today).await;
    assert!(
        now.contains(&"AG-LX".to_string()) && !now.contains(&"AG-XA-LX".to_string()),
        "{now:?}"
    );
    // Between the two plans the tree stays as the first made it.
    let between = codes_as_of(&app, ag, date!(2025 - 09 - 01)).await;
    assert!(between.contains(&"AG-XA-LX".to_string()) && !between.contains(&"AG-LX".to_string()));
    assert_eq!(s.unit(&scope, a).await.unwrap().parent_id, Some(lx));
    assert_eq!(s.unit(&scope, gone).await.unwrap().ended_on, None);
    assert_eq!(
        s.plan(&scope, plan.plan_id).await.unwrap().status,
        "reverted"
    );
    // The officials are back in their posts from the revert's date, appointed and
    // full-time as before, in their committees whose terms are open again.
    for (u, committee, member_id) in &officials {
        let c = s.committees(&scope, *u).await.unwrap();
        let c = c.iter().find(|c| c.committee_id == *committee).unwrap();
        assert_eq!(c.term_end, None, "{c:?}");
        let open: Vec<_> = c
            .positions
            .iter()
            .filter(|p| p.member_id == Some(*member_id) && p.end_date.is_none())
            .collect();
        assert_eq!(open.len(), 1, "{c:?}");
        assert_eq!(open[0].start_date, date!(2026 - 01 - 01));
        assert_eq!(open[0].position_code, "UV_BCH");
        assert!(open[0].full_time && !open[0].elected);
    }
    let mut posts_after = 0;
    for u in ended_units {
        for c in s.committees(&scope, u).await.unwrap() {
            posts_after += c
                .positions
                .iter()
                .filter(|p| p.end_date.is_none() && p.start_date == date!(2026 - 01 - 01))
                .count() as i64;
        }
    }
    assert_eq!(posts_after, posts_before);
    // The unit page shows the restored official with a single end link.
    let (_, unit_html) = br.get_html(&format!("/units/{a}")).await;
    assert!(unit_html.contains("Kết thúc chức vụ"), "{unit_html}");
    assert!(!unit_html.contains("id=\"ended-note\""));
    // The link and the cluster place are back with the reopened CĐCS, not with the other.
    assert!(linked(a).await && !linked(b).await);
    assert!(in_cluster(a).await && !in_cluster(b).await);
    // The member's history has both moves (to the other CĐCS and back), each naming
    // its plan.
    let history = s.member_history(&scope, member_of_a).await.unwrap();
    let inverse_id: i64 = inverse_page.rsplit('/').next().unwrap().parse().unwrap();
    let moves: Vec<(Option<i64>, Option<i64>)> = history
        .iter()
        .filter(|e| e.kind == "transfer_out")
        .map(|e| (e.to_unit_id, e.plan_id))
        .collect();
    assert_eq!(
        moves[moves.len() - 2..],
        [(Some(b), Some(plan.plan_id)), (Some(a), Some(inverse_id))]
    );
    assert_eq!(s.member(&scope, member_of_a).await.unwrap().cdcs_id, a);
    // A reverted plan cannot be reverted again.
    let again = s.revert_plan(&scope, plan.plan_id, today).await;
    assert!(
        matches!(again, Err(StoreError::Rule { code: "ST0820", .. })),
        "{again:?}"
    );
}
crate::both_engines!(an_applied_plan_is_reverted_by_its_inverse);

/// Moves are written in batches; a batch whose order matters (a CĐCS moves, then another
/// merges into it, so its tổ go under a unit that itself moved) is written one move at
/// a time and the paths, history and figures come out as if applied step by step.
async fn moves_that_depend_on_each_other_are_written_in_order(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let ag = app.unit_id("AG").await;
    let (a, b) = (
        app.unit_id("AG-CDCS-017").await,
        app.unit_id("AG-CDCS-016").await,
    );
    let b_groups: Vec<i64> = s
        .subtree_as_of(&scope, b, congdoan_web::today())
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.parent_id == Some(b))
        .map(|v| v.unit_id)
        .collect();
    assert!(!b_groups.is_empty(), "AG-CDCS-016 has tổ");
    let on = date!(2025 - 07 - 01);
    let plan = s
        .create_plan(&scope, ag, "Chuyển rồi sáp nhập", on)
        .await
        .unwrap();
    let ops = vec![
        Op::Create {
            key: "x".into(),
            code: "AG-XA-MOI".into(),
            name: "Công đoàn xã Mới".into(),
            type_code: "CD_XA".into(),
            parent: UnitRef::Id(ag),
        },
        Op::Move {
            units: vec![a],
            parent: UnitRef::New("x".into()),
        },
        Op::Merge {
            units: vec![b],
            into: UnitRef::Id(a),
        },
    ];
    let plan = s
        .save_plan(&scope, plan.plan_id, plan.version, &plan.name, on, &ops)
        .await
        .unwrap();
    s.apply_plan(&scope, plan.plan_id, plan.version, date!(2026 - 01 - 01))
        .await
        .unwrap();
    figures_exact(s).await;
    let x = s
        .unit(&scope, app.unit_id("AG-XA-MOI").await)
        .await
        .unwrap();
    let a_now = s.unit(&scope, a).await.unwrap();
    assert_eq!(a_now.path, format!("{}{a}/", x.path));
    for g in b_groups {
        let unit = s.unit(&scope, g).await.unwrap();
        assert_eq!(unit.path, format!("{}{g}/", a_now.path));
        let last = s.unit_history(&scope, g).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.valid_from, last.parent_id, last.path),
            (on, Some(a), unit.path)
        );
    }
}
crate::both_engines!(moves_that_depend_on_each_other_are_written_in_order);
