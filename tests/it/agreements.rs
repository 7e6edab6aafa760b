//! Coordination regulations (seed 001): agreements create the coordinating links that
//! let the partner read the covered units. Both engines.

use crate::harness::{Kind, TestApp};

async fn kon_tum_reads_the_corporation_cdcs_under_its_regulations(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let kt = app.unit_id("KT").await;
    let br = app.login("lddl.kontum").await;
    let (status, html) = br.get_html(&format!("/agreements?unit={kt}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("01/QCPH-LĐLĐ-VRG") && html.contains("06/QCPH-LĐLĐ-SONGDA"),
        "{html}"
    );
    let vrg = app
        .store()
        .agreements(&app.admin_scope(), kt)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.number.ends_with("VRG"))
        .unwrap();
    assert_eq!(vrg.covered, 4);
    let (status, page) = br
        .get_html(&format!("/agreements/{}", vrg.agreement_id))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Công ty TNHH MTV Cao su Kon Tum"), "{page}");
    assert!(page.contains("Thăm hỏi, tặng quà dịp lễ, Tết"), "{page}");
}

async fn an_agreement_grants_the_partner_read_access(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let admin = app.token("admin").await;
    let ag_api = app.token("btv.angiang").await;
    let (ag, cdyt, office) = (
        app.unit_id("AG").await,
        app.unit_id("CDYT").await,
        app.unit_id("CDYT-CDCS-001").await,
    );
    let (status, _) = ag_api.get(&format!("/api/v1/units/{office}")).await;
    assert_eq!(status, 404, "outside An Giang's scope before the agreement");
    let body = |items: serde_json::Value, party_a: i64| {
        serde_json::json!({
            "number": "07/QCPH", "title": "Quy chế phối hợp ngành Y tế", "party_a_id": party_a, "party_b_id": cdyt,
            "signed_on": "2026-01-05", "valid_from": "2026-01-05", "valid_to": null,
            "scope_items": items, "unit_ids": [office]
        })
    };
    let (status, e) = admin
        .post("/api/v1/agreements", body(serde_json::json!([]), ag))
        .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["fields"][0]["code"], "ST1005", "{e}");
    let root = app.unit_id("TLD").await;
    let (status, e) = admin
        .post(
            "/api/v1/agreements",
            body(serde_json::json!(["info"]), root),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["fields"][0]["code"], "ST1003", "{e}");
    let (status, g) = admin
        .post(
            "/api/v1/agreements",
            body(serde_json::json!(["info", "tet", "survey"]), ag),
        )
        .await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["covered"], 1);
    let (status, u) = ag_api.get(&format!("/api/v1/units/{office}")).await;
    assert_eq!(status, 200, "{u}");
    let (status, v) = ag_api
        .get(&format!("/api/v1/agreements/{}", g["agreement_id"]))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["links"][0]["unit_id"], office);
}

crate::both_engines!(
    kon_tum_reads_the_corporation_cdcs_under_its_regulations,
    an_agreement_grants_the_partner_read_access,
);
