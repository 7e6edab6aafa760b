//! The 2025 reform as a ready plan, on the demo data and both engines: An Giang and
//! Kiên Giang merged into the new An Giang in the pages, Kon Tum into Quảng Ngãi over
//! the API, and what a provincial officer may generate.

use crate::harness::{Kind, TestApp, version_of};
use crate::restructure::{codes_as_of, figures_exact, members_of};
use congdoan_domain::restructure::Op;
use time::macros::date;

async fn members(app: &TestApp, code: &str) -> i64 {
    members_of(app, app.unit_id(code).await).await
}

async fn an_giang_and_kien_giang_become_the_new_an_giang_in_the_pages(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let tld = app.unit_id("TLD").await;
    let (ag, kg) = (app.unit_id("AG").await, app.unit_id("KG").await);
    let total_before = members(&app, "TLD").await;
    let both_before = members(&app, "AG").await + members(&app, "KG").await;
    let br = app.login("admin").await;
    let list = format!("/plans?unit={tld}");
    let (_, page) = br.get_html(&list).await;
    assert!(
        page.contains("id=\"reform-2025\""),
        "the reform form is offered"
    );
    assert!(page.contains("Liên đoàn Lao động tỉnh Kiên Giang"));
    let (status, url, html) = br
        .post_form(
            &list,
            "/plans/reform",
            &[
                ("federation", &ag.to_string()),
                ("merged", &kg.to_string()),
                ("name", "Hợp nhất An Giang – Kiên Giang"),
                ("effective_date", "01/07/2025"),
                ("under_criteria", "neighbours"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(url.starts_with("/plans/"), "{url}");
    // The generated plan explains itself and previews cleanly.
    assert!(html.contains("id=\"plan-note\""), "{html}");
    assert!(html.contains(
        "Liên đoàn Lao động tỉnh Kiên Giang sáp nhập vào Liên đoàn Lao động tỉnh An Giang"
    ));
    assert!(
        html.contains("dưới tiêu chí thành lập công đoàn xã"),
        "the demo communes are small"
    );
    assert!(!html.contains("class=\"errors\""), "{html}");
    let plan_id: i64 = url.trim_start_matches("/plans/").parse().unwrap();
    let plan = s.plan(&scope, plan_id).await.unwrap();
    assert_eq!(
        plan.owner_unit_id, tld,
        "merging provinces belongs to the TLĐ"
    );
    let ops = plan.op_list();
    assert_eq!(
        ops[0],
        Op::Merge {
            units: vec![kg],
            into: congdoan_domain::restructure::UnitRef::Id(ag)
        }
    );
    let preview = s.preview_plan(&scope, plan_id).await.unwrap();
    let out = preview
        .outcome
        .as_ref()
        .expect("the generated plan simulates");
    assert!(!out.is_blocked(), "{:?}", out.findings);
    let exited = out.members_exited;
    assert!(exited > 0, "members of state agencies leave");
    // Fewer CĐCS with a level between them and their provincial federation.
    let (before, after) = (
        &preview.intermediaries_before,
        &preview.intermediaries_after,
    );
    assert!(after[&1] < before[&1], "{before:?} → {after:?}");

    let (status, _, html) = br
        .post_form(
            &url,
            &format!("/plans/{plan_id}/apply"),
            &[("version", &version_of(&html)), ("confirmed", "1")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let plan = s.plan(&scope, plan_id).await.unwrap();
    assert_eq!(plan.status, "applied");
    figures_exact(app.store()).await;
    assert_eq!(members(&app, "TLD").await, total_before - exited);
    assert_eq!(members(&app, "AG").await, both_before - exited);
    // Kiên Giang, the district federations and the CĐ Viên chức tỉnh are history.
    for code in [
        "KG",
        "KG-VC",
        "KG-RG",
        "KG-PQ",
        "AG-LX",
        "AG-CD",
        "AG-CM",
        "KG-CDCS-001",
    ] {
        let u = s.unit_by_code(&scope, code).await.unwrap();
        assert_eq!(u.ended_on, Some(date!(2025 - 07 - 01)), "{code} ended");
    }
    // State agencies ended with the reason; the federation's own office did not.
    let agency = s.unit_by_code(&scope, "KG-CDCS-003").await.unwrap();
    assert!(agency.end_reason.unwrap().contains("4133"));
    assert!(
        s.unit_by_code(&scope, "AG-CDCS-001")
            .await
            .unwrap()
            .ended_on
            .is_none()
    );
    let factory = s.unit_by_code(&scope, "KG-CDCS-009").await.unwrap();
    assert_eq!(factory.parent_id, Some(ag));
    let (_, page) = br.get_html(&format!("/units/{}", factory.unit_id)).await;
    let n = page
        .split("id=\"intermediaries-n\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert_eq!(n, "0", "no level left between the CĐCS and its federation");
    // The tree as of 2019 is the one seed 000 describes; today's has no intermediate tier.
    let in_2019 = codes_as_of(&app, tld, date!(2019 - 06 - 01)).await;
    for code in ["KG", "KG-VC", "AG-LX", "KG-CDCS-003"] {
        assert!(in_2019.contains(&code.to_string()), "{code} in 2019");
    }
    let today = codes_as_of(&app, ag, date!(2026 - 01 - 01)).await;
    assert!(today.contains(&"KG-CDCS-009".to_string()));
    assert!(
        !today
            .iter()
            .any(|c| ["KG", "KG-VC", "AG-LX", "KG-CDCS-003"].contains(&c.as_str()))
    );
    let (_, tree) = br.get_html("/units?as_of=01/06/2019").await;
    assert!(tree.contains("Liên đoàn Lao động tỉnh Kiên Giang"));
    // Lineage: Kiên Giang's successor is An Giang.
    let lineage = s.lineage(&scope, kg).await.unwrap();
    assert!(
        lineage
            .iter()
            .any(|l| l.to_unit_id == ag && l.plan_id == Some(plan_id))
    );
}

async fn kon_tum_joins_quang_ngai_over_the_api(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    // A later rule version with lower criteria (data, not code) lets the small demo
    // communes form unions: a ward of its own, and neighbours sharing one.
    app.exec_raw("UPDATE rule_value SET value = 100 WHERE rule_code = 'commune_union_min_members'")
        .await
        .unwrap();
    app.exec_raw("UPDATE rule_value SET value = 2 WHERE rule_code = 'commune_union_min_cdcs'")
        .await
        .unwrap();
    let (s, scope) = (app.store(), app.admin_scope());
    let (qng, kt) = (app.unit_id("QNG").await, app.unit_id("KT").await);
    let api = app.token("admin").await;
    let (status, plan) = api
        .post(
            "/api/v1/plans/reform-2025",
            serde_json::json!({"federation_id": qng, "merged_ids": [kt], "effective_date": "2025-07-01",
                "name": "Hợp nhất Quảng Ngãi – Kon Tum"}),
        )
        .await;
    assert_eq!(status, 200, "{plan}");
    let id = plan["plan_id"].as_i64().unwrap();
    let note = plan["note"].as_str().unwrap();
    assert!(note.contains("Công đoàn phường Kon Tum: 2 CĐCS"), "{note}");
    let (status, preview) = api.get(&format!("/api/v1/plans/{id}/preview")).await;
    assert_eq!(status, 200, "{preview}");
    assert!(
        preview["outcome"]["Ok"]["created"]
            .as_array()
            .unwrap()
            .len()
            >= 2,
        "{preview}"
    );
    let (status, plan) = api
        .post(
            &format!("/api/v1/plans/{id}/apply"),
            serde_json::json!({"version": plan["version"]}),
        )
        .await;
    assert_eq!(status, 200, "{plan}");
    figures_exact(app.store()).await;
    let ward = s.unit_by_code(&scope, "QNG-X23293").await.unwrap();
    assert_eq!(ward.name, "Công đoàn phường Kon Tum");
    assert_eq!(ward.type_code, "CD_XA");
    for code in ["KT-CDCS-002", "KT-CDCS-013"] {
        assert_eq!(
            s.unit_by_code(&scope, code).await.unwrap().parent_id,
            Some(ward.unit_id),
            "{code}"
        );
    }
    // The school paid fully by the state budget ended; the sugar factory got a union above it.
    assert!(
        s.unit_by_code(&scope, "QNG-CDCS-007")
            .await
            .unwrap()
            .ended_on
            .is_some()
    );
    let sugar = s.unit_by_code(&scope, "QNG-CDCS-005").await.unwrap();
    assert_eq!(
        s.unit(&scope, sugar.parent_id.unwrap())
            .await
            .unwrap()
            .type_code,
        "CD_XA"
    );
    // Kon Tum's coordination of the corporation CĐCS passed to Quảng Ngãi.
    let rubber = app.unit_id("VRG-CDCS-002").await;
    let links = s
        .coordination(&scope, rubber, date!(2026 - 01 - 01))
        .await
        .unwrap();
    assert!(links.iter().any(|l| l.coordinator_id == qng), "{links:?}");
    let (_, doc) = api.get("/api/openapi.json").await;
    assert!(doc["paths"].get("/api/v1/plans/reform-2025").is_some());
}

async fn a_provincial_officer_reforms_only_their_own_province(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (ag, kg) = (app.unit_id("AG").await, app.unit_id("KG").await);
    let br = app.login("btv.angiang").await;
    let (_, page) = br.get_html(&format!("/plans?unit={ag}")).await;
    assert!(page.contains("id=\"reform-2025\""));
    assert!(
        !page.contains("name=\"merged\""),
        "no province to merge from here"
    );
    let api = app.token("btv.angiang").await;
    let body = |merged: Vec<i64>| {
        serde_json::json!({"federation_id": ag, "merged_ids": merged,
        "effective_date": "2025-07-01", "name": "Sắp xếp An Giang", "under_criteria": "federation"})
    };
    // Kiên Giang is not theirs to merge: it does not exist for them.
    let (status, _) = api.post("/api/v1/plans/reform-2025", body(vec![kg])).await;
    assert_eq!(status, 404);
    let (status, plan) = api.post("/api/v1/plans/reform-2025", body(vec![])).await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["owner_unit_id"], ag);
    // A date before the unit existed is refused naming the field, and nothing is stored.
    let (status, err) = api
        .post("/api/v1/plans/reform-2025", serde_json::json!({"federation_id": ag, "effective_date": "1970-01-01", "name": "Sai ngày"}))
        .await;
    assert_eq!(status, 422, "{err}");
    let (_, plans) = api.get("/api/v1/plans").await;
    assert_eq!(plans.as_array().unwrap().len(), 1);
}

crate::both_engines!(
    an_giang_and_kien_giang_become_the_new_an_giang_in_the_pages,
    kon_tum_joins_quang_ngai_over_the_api,
    a_provincial_officer_reforms_only_their_own_province,
);
