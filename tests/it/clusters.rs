//! Emulation clusters and supervisors (seed 000's An Giang model), on both engines.

use crate::harness::{Kind, TestApp};

async fn an_giang_supervises_its_cdcs_by_cluster(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let br = app.login("btv.angiang").await;
    let (_, unit_page) = br.get_html(&format!("/units/{ag}")).await;
    assert!(unit_page.contains(&format!("href=\"/clusters?unit={ag}\"")));
    let (status, html) = br.get_html(&format!("/clusters?unit={ag}")).await;
    assert_eq!(status, 200, "{html}");
    for name in [
        "Khối thi đua các cơ quan Đảng, Nhà nước tỉnh",
        "Cụm thi đua doanh nghiệp các khu công nghiệp và Chợ Mới",
    ] {
        assert!(html.contains(name), "{name}: {html}");
    }
    // The supervisor of the first block also has the industrial-park cluster.
    let scope = app.admin_scope();
    let s = app.store();
    let clusters = s.clusters(&scope, ag, Some(2026)).await.unwrap();
    assert_eq!(clusters.len(), 4);
    let block = clusters
        .iter()
        .find(|c| c.name.starts_with("Khối thi đua các cơ quan"))
        .unwrap();
    let detail = s.cluster(&scope, block.cluster_id).await.unwrap();
    assert_eq!(detail.units.len(), 10);
    assert_eq!(
        detail.cluster.lead_name.as_deref(),
        Some(
            detail
                .units
                .iter()
                .find(|u| u.code == "AG-CDCS-008")
                .unwrap()
                .name
                .as_str()
        )
    );
    let sup = &detail.supervisors[0];
    let (_, mine) = s.supervised_units(&scope, sup.assignment_id).await.unwrap();
    assert_eq!(mine.len(), 18, "10 in the block and 8 in the cluster");
    let mut total = 0;
    for u in &mine {
        total += s.subtree_member_count(&scope, u.unit_id).await.unwrap();
    }
    let (status, page) = br
        .get_html(&format!("/supervisors/{}", sup.assignment_id))
        .await;
    assert_eq!(status, 200, "{page}");
    let line = &page[page.find("id=\"supervised\"").unwrap()..];
    let expected = format!(
        "<strong>18</strong> CĐCS · <strong>{}</strong> đoàn viên",
        congdoan_domain::format_int(total)
    );
    assert!(line.contains(&expected), "{expected} in {line}");
    assert!(page.contains("Công ty TNHH Bao bì Mekong"), "{page}");
}

async fn clusters_hold_active_cdcs_the_caller_can_see(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let api = app.token("btv.angiang").await;
    let ag = app.unit_id("AG").await;
    let (status, c) = api
        .post("/api/v1/clusters", serde_json::json!({"owner_unit_id": ag, "year": 2027, "kind": "cum", "name": "Cụm thi đua Châu Đốc"}))
        .await;
    assert_eq!(status, 200, "{c}");
    let id = c["cluster_id"].as_i64().unwrap();
    let cdcs = app.unit_id("AG-CDCS-019").await;
    let (status, d) = api
        .post(
            &format!("/api/v1/clusters/{id}/units"),
            serde_json::json!({"unit_ids": [cdcs]}),
        )
        .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["units"][0]["code"], "AG-CDCS-019");
    assert!(d["units"][0]["members"].as_i64().unwrap() > 0);
    // An upper-level union is not a CĐCS; another province's CĐCS is out of scope.
    let lx = app.unit_id("AG-LX").await;
    let (status, e) = api
        .post(
            &format!("/api/v1/clusters/{id}/units"),
            serde_json::json!({"unit_ids": [lx]}),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["fields"][0]["code"], "ST0905", "{e}");
    let kt = app.unit_id("KT-CDCS-002").await;
    let (status, _) = api
        .post(
            &format!("/api/v1/clusters/{id}/units"),
            serde_json::json!({"unit_ids": [kt]}),
        )
        .await;
    assert_eq!(status, 404);
    // Only a current BTV post of the owner may supervise.
    let committees = app
        .store()
        .committees(&app.admin_scope(), cdcs)
        .await
        .unwrap();
    let not_btv = committees
        .iter()
        .flat_map(|c| &c.positions)
        .find(|p| p.end_date.is_none())
        .unwrap();
    let (status, e) = api
        .post(
            &format!("/api/v1/clusters/{id}/supervisors"),
            serde_json::json!({"assignment_id": not_btv.assignment_id}),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    let (_, doc) = api.get("/api/openapi.json").await;
    assert!(doc["paths"].get("/api/v1/supervisors/{id}/units").is_some());
    let other = app.token("lddl.kontum").await;
    let (status, _) = other.get(&format!("/api/v1/clusters/{id}")).await;
    assert_eq!(status, 404);
}

crate::both_engines!(
    an_giang_supervises_its_cdcs_by_cluster,
    clusters_hold_active_cdcs_the_caller_can_see,
);
