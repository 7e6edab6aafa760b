//! Scoped access, route by route: an officer of one CĐCS cannot read or change another.

use crate::both_engines;
use crate::harness::{Kind, TestApp};
use serde_json::json;

both_engines!(
    one_cdcs_cannot_touch_another,
    viewers_read_only_and_coordinators_read,
    audit_is_scoped_and_append_only
);

async fn one_cdcs_cannot_touch_another(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let mine = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let other = app.unit_id(congdoan_datagen::DEMO_OTHER_CDCS_CODE).await;
    let scope = app.admin_scope();
    let rows = app
        .store()
        .search_members(
            &scope,
            &congdoan_store::MemberQuery {
                unit_id: Some(other),
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows;
    let theirs = rows[0].member_id;
    let api = app.token("cdcs.officer").await;
    // API reads.
    for path in [
        format!("/api/v1/units/{other}"),
        format!("/api/v1/units/{other}/subtree"),
        format!("/api/v1/units/{other}/history"),
        format!("/api/v1/units/{other}/committees"),
        format!("/api/v1/members/{theirs}"),
        format!("/api/v1/members/{theirs}/events"),
        format!("/api/v1/members?unit_id={other}"),
        format!("/api/v1/units?parent_id={other}"),
        format!("/api/v1/dashboard?unit_id={other}"),
    ] {
        let (s, _) = api.get(&path).await;
        assert_eq!(s, 404, "GET {path}");
    }
    // API writes.
    let (s, _) = api.post("/api/v1/members", json!({"unit_id": other.to_string(), "full_name": "Lê Văn Tám", "birth_date": "01/01/1990",
        "sex": "M", "join_date": "01/01/2015"})).await;
    assert_eq!(s, 404);
    let (s, _) = api
        .post(
            &format!("/api/v1/members/{theirs}/events"),
            json!({"kind": "exit", "on": "01/01/2024", "reason": "x"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = api
        .post(
            &format!("/api/v1/units/{other}/move"),
            json!({"parent_id": mine, "on": "01/01/2024", "reason": "x"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = api
        .post(
            &format!("/api/v1/units/{other}/committees"),
            json!({"kind": "BCH", "term_start": "2024-01-01"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/members/{theirs}"),
            json!({"full_name": "X Y", "version": "1"}),
        )
        .await;
    assert_eq!(s, 404);
    // Searches never leak: the other CĐCS's member is not found even by exact CCCD.
    let full = app.store().member(&scope, theirs).await.unwrap();
    let (_, v) = api
        .get(&format!("/api/v1/members?q={}", full.cccd.unwrap()))
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 0);
    // Pages.
    let b = app.login("cdcs.officer").await;
    for path in [
        format!("/units/{other}"),
        format!("/members/{theirs}"),
        format!("/members/{theirs}/edit"),
        format!("/units/{other}/edit"),
        format!("/members/new?unit={other}"),
        format!("/units/new?parent={other}"),
        format!("/units/{other}/children"),
    ] {
        let (s, html) = b.get_html(&path).await;
        assert_eq!(s, 404, "GET {path}");
        assert!(
            html.contains("Không tìm thấy"),
            "a Vietnamese error page for {path}"
        );
    }
    let (s, _, _) = b
        .post_form(
            "/",
            &format!("/members/{theirs}/events"),
            &[("kind", "exit"), ("on", "01/01/2024"), ("reason", "x")],
        )
        .await;
    assert_eq!(s, 404);
    let (s, _, _) = b
        .post_form(
            "/",
            &format!("/units/{other}/move"),
            &[("parent_code", "AG"), ("on", "01/01/2024"), ("reason", "x")],
        )
        .await;
    assert_eq!(s, 404);
    // The member list shows only their own.
    let (_, html) = b.get_html("/members").await;
    assert!(
        !html.contains(&full.full_name)
            || app
                .store()
                .search_members(
                    &app.store()
                        .scope_for(
                            congdoan_store::Actor {
                                account_id: Some(
                                    app.store()
                                        .account_by_username("cdcs.officer")
                                        .await
                                        .unwrap()
                                        .account_id
                                ),
                                username: "x".into()
                            },
                            false,
                            congdoan_web::today()
                        )
                        .await
                        .unwrap(),
                    &congdoan_store::MemberQuery {
                        q: Some(full.full_name.clone()),
                        per_page: 5,
                        ..Default::default()
                    }
                )
                .await
                .unwrap()
                .rows
                .iter()
                .any(|r| r.full_name == full.full_name)
    );
}

async fn viewers_read_only_and_coordinators_read(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let mine = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let viewer = app.token("cdcs.viewer").await;
    let (s, _) = viewer.get(&format!("/api/v1/units/{mine}")).await;
    assert_eq!(s, 200);
    let (s, v) = viewer.post("/api/v1/members", json!({"unit_id": mine.to_string(), "full_name": "Lê Văn Tám", "birth_date": "01/01/1990",
        "sex": "M", "join_date": "01/01/2015"})).await;
    assert_eq!(s, 403, "{v}");
    // A viewer sees identifiers masked even when asking for them in full.
    let (_, list) = viewer
        .get(&format!("/api/v1/members?unit_id={mine}&per_page=1"))
        .await;
    let id = list["items"][0]["member_id"].as_i64().unwrap();
    let (s, _) = viewer
        .get(&format!("/api/v1/members/{id}?reveal=true"))
        .await;
    assert_eq!(s, 403);
    // LĐLĐ Kon Tum reads the corporation CĐCS it coordinates, but cannot change them.
    let kt = app.token("lddl.kontum").await;
    let store = app.store();
    let scope = app.admin_scope();
    let kt_id = app.unit_id("KT").await;
    let links = store
        .coordination(&scope, kt_id, congdoan_web::today())
        .await
        .unwrap();
    let coordinated: Vec<i64> = links
        .iter()
        .filter(|l| l.coordinator_id == kt_id)
        .map(|l| l.unit_id)
        .collect();
    assert!(coordinated.len() >= 15, "{}", coordinated.len());
    let corp_unit = coordinated[0];
    let (s, u) = kt.get(&format!("/api/v1/units/{corp_unit}")).await;
    assert_eq!(s, 200, "{u}");
    let (s, _) = kt
        .post(
            &format!("/api/v1/units/{corp_unit}/committees"),
            json!({"kind": "BCH", "term_start": "2024-01-01"}),
        )
        .await;
    assert_eq!(s, 403);
    // …and nothing of An Giang.
    let ag = app.unit_id("AG").await;
    let (s, _) = kt.get(&format!("/api/v1/units/{ag}")).await;
    assert_eq!(s, 404);
}

async fn audit_is_scoped_and_append_only(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let mine = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let officer = app.token("cdcs.officer").await;
    let (s, m) = officer.post("/api/v1/members", json!({"unit_id": mine.to_string(), "full_name": "Đinh Văn Toàn", "birth_date": "03/03/1993",
        "sex": "M", "join_date": "01/01/2016"})).await;
    assert_eq!(s, 200, "{m}");
    let (_, log) = officer.get("/api/v1/audit").await;
    let first = &log[0];
    assert_eq!(first["action"], "create");
    assert_eq!(first["username"], "cdcs.officer");
    assert!(first["summary"].as_str().unwrap().contains("Đinh Văn Toàn"));
    // Another CĐCS's officer does not see it.
    let other = app.token("cdcs.other").await;
    let (_, log) = other.get("/api/v1/audit?entity=member").await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|a| !a["summary"].as_str().unwrap().contains("Đinh Văn Toàn"))
    );
    // The log refuses updates and deletes at the database level.
    assert!(
        app.exec_raw("UPDATE audit_log SET summary = 'sửa'")
            .await
            .is_err(),
        "audit_log refuses UPDATE"
    );
    assert!(
        app.exec_raw("DELETE FROM audit_log").await.is_err(),
        "audit_log refuses DELETE"
    );
}
