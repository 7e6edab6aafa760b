//! Emulation scoring and certificates over the JSON API, on both engines, with bearer
//! tokens: a criteria set uploaded as xlsx, a self-assessment sent to a cluster of two
//! CĐCS, both scoring themselves (over a maximum: 422 naming the item), the appraisal
//! published and the ranking in order with its classes; a viewer is refused before the
//! body is read and another province's officer finds nothing. Then a reward decision's
//! certificates printed, one verified publicly without a token, revoked, and the public
//! answer says so.

use crate::both_engines;
use crate::harness::{Api, Kind, TestApp};
use serde_json::{Value, json};

both_engines!(scoring_over_the_api, certificates_over_the_api);

/// Uploads a file as the multipart form of `/api/v1/emulation/sets`.
async fn upload(api: &Api, unit: i64, bytes: Vec<u8>) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("unit", unit.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("bo-tieu-chi.xlsx"),
        );
    let r = api
        .http
        .post(format!("{}/api/v1/emulation/sets", api.base))
        .bearer_auth(&api.token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn points(p: &[(&str, f64)]) -> Value {
    Value::Object(p.iter().map(|(k, v)| (k.to_string(), json!(v))).collect())
}

async fn scoring_over_the_api(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let btv = app.token("btv.angiang").await;
    let viewer = app.token("cdcs.viewer").await;
    let kontum = app.token("lddl.kontum").await;
    let ag = app.unit_id("AG").await;
    let (u1, u2) = (
        app.unit_id("AG-CDCS-019").await,
        app.unit_id("AG-CDCS-010").await,
    );

    // The set, uploaded as the xlsx the export gives.
    let xlsx =
        congdoan_sheet::criteria::write_criteria_set(&crate::emulation::test_set("API-CDCS"));
    let (st, body) = upload(&viewer, ag, xlsx.clone()).await;
    assert_eq!(st, 403, "a viewer may write nowhere: {body}");
    let (st, body) = upload(&btv, ag, b"not a spreadsheet".to_vec()).await;
    assert_eq!(st, 422, "{body}");
    assert!(!body["fields"].as_array().unwrap().is_empty(), "{body}");
    let (st, body) = upload(&btv, ag, xlsx).await;
    assert_eq!(st, 200, "{body}");
    let set_id = body["set"]["set_id"].as_i64().unwrap();
    assert_eq!(body["definition"]["code"], "API-CDCS");
    let (st, set) = btv.get(&format!("/api/v1/emulation/sets/{set_id}")).await;
    assert_eq!(st, 200);
    assert_eq!(set["definition"]["groups"][0]["items"][0]["code"], "1.1");
    assert_eq!(set["definition"]["groups"][0]["items"][0]["max"], 25);
    assert_eq!(set["definition"]["vetoes"][0]["code"], "fatal_accident");
    assert_eq!(set["definition"]["bands"][0]["code"], "xuat_sac");
    let (st, list) = btv
        .get(&format!("/api/v1/emulation/sets?unit_id={ag}"))
        .await;
    assert_eq!(st, 200);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|s| s["set_id"] == set_id),
        "{list}"
    );
    let r = btv
        .http
        .get(format!(
            "{}/api/v1/emulation/sets/{set_id}/export.xlsx",
            btv.base
        ))
        .bearer_auth(&btv.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"), "an xlsx (zip)");
    let (st, _) = kontum
        .get(&format!("/api/v1/emulation/sets/{set_id}"))
        .await;
    assert_eq!(st, 404, "another province does not see An Giang's set");

    // A cluster of the two CĐCS, then the request to it.
    let (st, c) = btv
        .post(
            "/api/v1/clusters",
            json!({"owner_unit_id": ag, "year": 2025, "kind": "cum", "name": "Cụm thi đua qua API"}),
        )
        .await;
    assert_eq!(st, 200, "{c}");
    let cluster = c["cluster_id"].as_i64().unwrap();
    let (st, c) = btv
        .post(
            &format!("/api/v1/clusters/{cluster}/units"),
            json!({"unit_ids": [u1, u2]}),
        )
        .await;
    assert_eq!(st, 200, "{c}");
    let send = json!({"issuer_unit_id": ag, "set_id": set_id, "title": "Chấm điểm qua API",
        "due_on": "31/12/2099", "targets": {"kind": "cluster", "cluster_id": cluster}});
    let (st, _) = viewer
        .post("/api/v1/emulation/assessments", send.clone())
        .await;
    assert_eq!(st, 403);
    // A dry run restates whom, as the page's confirmation does, and sends nothing.
    let mut dry = send.clone();
    dry["dry_run"] = json!(true);
    let (st, r) = btv.post("/api/v1/emulation/assessments", dry).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["by_type"], json!([["Công đoàn cơ sở", 2]]), "{r}");
    assert!(r["request"].is_null(), "{r}");
    let (_, sent) = btv
        .get(&format!(
            "/api/v1/requests?unit_id={ag}&kind=assessment&box=sent"
        ))
        .await;
    let titled = |v: &Value| {
        v["sent"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r.to_string().contains("Chấm điểm qua API"))
            .count()
    };
    assert_eq!(titled(&sent), 0, "{sent}");
    let (st, r) = btv.post("/api/v1/emulation/assessments", send).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["by_type"], json!([["Công đoàn cơ sở", 2]]), "{r}");
    let id = r["request"]["request_id"].as_i64().unwrap();
    let (_, sent) = btv
        .get(&format!(
            "/api/v1/requests?unit_id={ag}&kind=assessment&box=sent"
        ))
        .await;
    assert_eq!(titled(&sent), 1, "{sent}");
    let sheet = |u: i64| format!("/api/v1/emulation/{id}/units/{u}");

    // Over an item's maximum: 422 naming the item, nothing written.
    let (st, err) = btv
        .post(
            &format!("{}/self", sheet(u1)),
            json!({"points": points(&[("1.1", 26.0), ("2.1", 10.0)])}),
        )
        .await;
    assert_eq!(st, 422, "{err}");
    assert_eq!(err["fields"][0]["field"], "points.1.1", "{err}");
    let msg = err["fields"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("1.1") && msg.contains("25"),
        "names the item and its maximum: {msg}"
    );
    let (st, sh) = btv.get(&sheet(u1)).await;
    assert_eq!(st, 200);
    assert!(sh["items"][0]["self_points"].is_null(), "{sh}");
    // Another province's officer finds no such sheet.
    let (st, _) = kontum.get(&sheet(u1)).await;
    assert_eq!(st, 404);
    let (st, _) = kontum
        .post(
            &format!("{}/self", sheet(u1)),
            json!({"points": points(&[("1.1", 5.0)])}),
        )
        .await;
    assert_eq!(st, 404);

    // Both units score themselves and submit.
    for (u, p) in [
        (u1, [25.0, 15.0, 30.0, 29.5]),
        (u2, [20.0, 10.0, 20.0, 20.0]),
    ] {
        let (st, sh) = btv
            .post(
                &format!("{}/self", sheet(u)),
                json!({"points": points(&[("1.1", p[0]), ("1.2", p[1]), ("2.1", p[2]), ("2.2", p[3])]),
                       "submit": true}),
            )
            .await;
        assert_eq!(st, 200, "{sh}");
        assert_eq!(sh["target"]["state"], "submitted", "{sh}");
    }
    let (_, sh) = btv.get(&sheet(u1)).await;
    assert_eq!(sh["own"]["total"], 99.5, "{sh}");
    assert_eq!(sh["own"]["class"], "xuat_sac");

    // The upper level appraises item by item and publishes.
    for (u, p) in [
        (u1, [20.0, 15.0, 25.0, 20.0]),
        (u2, [15.0, 10.0, 20.0, 20.0]),
    ] {
        let (st, sh) = btv
            .post(
                &format!("{}/appraisal", sheet(u)),
                json!({"points": points(&[("1.1", p[0]), ("1.2", p[1]), ("2.1", p[2]), ("2.2", p[3])]),
                       "notes": {"1.1": "Thiếu biên bản"}, "publish": true}),
            )
            .await;
        assert_eq!(st, 200, "{sh}");
        assert!(sh["published"].as_bool().unwrap(), "{sh}");
    }
    let (_, sh) = btv.get(&sheet(u1)).await;
    assert_eq!(sh["appraised"]["total"], 80, "{sh}");
    assert_eq!(sh["delta"], 19.5, "self minus appraised: {sh}");
    assert_eq!(sh["items"][0]["delta"], 5, "{sh}");
    assert_eq!(sh["items"][0]["note"], "Thiếu biên bản", "{sh}");
    // Published: locked.
    let (st, err) = btv
        .post(
            &format!("{}/appraisal", sheet(u1)),
            json!({"points": points(&[("1.1", 25.0)])}),
        )
        .await;
    assert_eq!(
        (st, err["fields"][0]["code"].as_str()),
        (422, Some("ST2204")),
        "{err}"
    );

    // The ranking: in order, with classes, counts and the target.
    let (st, rk) = btv
        .get(&format!(
            "/api/v1/emulation/{id}/ranking?class=tot&share=50"
        ))
        .await;
    assert_eq!(st, 200, "{rk}");
    let rows = rk["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rk}");
    assert_eq!(
        (rows[0]["unit_id"].as_i64(), rows[0]["rank"].as_i64()),
        (Some(u1), Some(1))
    );
    assert_eq!(rows[0]["appraised_total"], 800);
    assert_eq!(rows[0]["class_name"], "Hoàn thành tốt nhiệm vụ");
    assert_eq!(
        (rows[1]["unit_id"].as_i64(), rows[1]["rank"].as_i64()),
        (Some(u2), Some(2))
    );
    assert_eq!(rows[1]["class"], "hoan_thanh");
    assert_eq!(rk["target_class"], "tot");
    assert_eq!(rk["reached"], 1);
    assert_eq!(rk["met"], true, "1 of 2 reach 'tốt', 50% asked: {rk}");
    assert!(
        rk["counts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c[0] == "tot" && c[2] == 1),
        "{rk}"
    );

    // Across the province (the rankings page's data): this set's two results, new
    // since last year, the target, and the class counts per child unit.
    let (st, w) = btv
        .get(&format!(
            "/api/v1/emulation/rankings?unit_id={ag}&set_id={set_id}&share=50"
        ))
        .await;
    assert_eq!(st, 200, "{w}");
    let ranked: Vec<_> = w["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rank"].as_i64(),
                r["unit_id"].as_i64(),
                r["total_trend"].clone(),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        vec![
            (Some(1), Some(u1), json!("new")),
            (Some(2), Some(u2), json!("new"))
        ],
        "{w}"
    );
    assert_eq!(
        (w["total"].as_i64(), w["met"].as_bool()),
        (Some(2), Some(true)),
        "{w}"
    );
    let (st, d) = btv
        .get(&format!(
            "/api/v1/emulation/distribution?unit_id={ag}&set_id={set_id}"
        ))
        .await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["total"], 2, "{d}");
    let (st, _) = btv
        .get(&format!("/api/v1/emulation/rankings?unit_id={ag}&parent=2"))
        .await;
    assert_eq!(st, 400, "an unknown parameter is refused");
    let (st, _) = kontum
        .get(&format!("/api/v1/emulation/rankings?unit_id={ag}"))
        .await;
    assert_eq!(st, 404, "another province does not see An Giang's ranking");

    // Re-appraisal: a reason is required, then the result leaves the ranking.
    let (st, _) = viewer
        .post(&format!("{}/reopen", sheet(u1)), json!({"reason": "x"}))
        .await;
    assert_eq!(st, 403);
    let (st, sh) = btv
        .post(
            &format!("{}/reopen", sheet(u1)),
            json!({"reason": "Khiếu nại về điểm tiêu chí 1.1"}),
        )
        .await;
    assert_eq!(st, 200, "{sh}");
    assert!(!sh["published"].as_bool().unwrap(), "{sh}");
    let (_, rk) = btv.get(&format!("/api/v1/emulation/{id}/ranking")).await;
    assert_eq!(rk["rows"].as_array().unwrap().len(), 1, "{rk}");
    assert_eq!(rk["rows"][0]["unit_id"].as_i64(), Some(u2));
}

async fn certificates_over_the_api(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let admin = app.token("admin").await;
    let viewer = app.token("cdcs.viewer").await;
    let kontum = app.token("lddl.kontum").await;
    let office = app.unit_id("CDVC-CDCS-002-BP01").await;
    let d = s.reward_decisions(&scope, Some(office)).await.unwrap()[0].clone();
    let print = format!("/api/v1/rewards/decisions/{}/certificates", d.decision_id);

    // "In giấy khen…": one certificate per line, once.
    let (st, _) = kontum.post(&print, Value::Null).await;
    assert_eq!(st, 404, "outside the scope");
    let (st, lines) = admin.get(&print).await;
    assert_eq!(st, 200, "{lines}");
    assert_eq!(lines.as_array().unwrap().len(), 11, "what would be printed");
    let (st, certs) = admin.post(&print, Value::Null).await;
    assert_eq!(st, 200, "{certs}");
    let certs = certs.as_array().unwrap().clone();
    assert_eq!(certs.len(), 11);
    assert!(certs.iter().all(|c| c["decision_number"] == "15/QĐ-CĐVP"));
    let (_, lines) = admin.get(&print).await;
    assert_eq!(lines, json!([]), "everyone printed");
    let (st, err) = admin.post(&print, Value::Null).await;
    assert_eq!(
        (st, err["fields"][0]["code"].as_str()),
        (422, Some("ST2410")),
        "{err}"
    );
    let (st, list) = admin
        .get(&format!(
            "/api/v1/units/{office}/certificates?decision=15%2FQĐ-CĐVP"
        ))
        .await;
    assert_eq!(st, 200);
    assert_eq!(list["certificates"].as_array().unwrap().len(), 11);

    // One PDF page for one certificate.
    let id = certs[0]["certificate_id"].as_i64().unwrap();
    let r = admin
        .http
        .get(format!("{}/api/v1/certificates/{id}/pdf", admin.base))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(crate::certificates::pdf_pages(&r.bytes().await.unwrap()), 1);

    // Issued by hand, as the page's form does; a bad date is named.
    let issue = |date: &str| {
        json!({"kind": "giay_khen", "award_title": "Đoàn viên công đoàn xuất sắc năm 2025",
            "achievement": "Có thành tích xuất sắc", "decision_number": "99/QĐ-API",
            "decision_date": date, "place": "Hà Nội", "signer_position": "Chủ tịch",
            "signer_name": "Nguyễn Văn Ký",
            "recipients": [{"name": "Lê Thị Hoa", "unit_name": "Tổ 1"}, {"name": "Trần Văn Nam"}]})
    };
    let (st, err) = admin
        .post(
            &format!("/api/v1/units/{office}/certificates"),
            issue("31/02/2025"),
        )
        .await;
    assert_eq!(st, 422, "{err}");
    assert_eq!(err["fields"][0]["field"], "decision_date", "{err}");
    let (st, _) = viewer
        .post(
            &format!("/api/v1/units/{office}/certificates"),
            issue("20/11/2025"),
        )
        .await;
    assert_eq!(st, 403);
    let (st, two) = admin
        .post(
            &format!("/api/v1/units/{office}/certificates"),
            issue("20/11/2025"),
        )
        .await;
    assert_eq!(st, 200, "{two}");
    assert_eq!(two.as_array().unwrap().len(), 2);

    // Public verification, without a token: only the public fields.
    let code = certs[0]["code"].as_str().unwrap().to_string();
    let anonymous = reqwest::Client::new();
    let check = |code: String| {
        let (anonymous, base) = (anonymous.clone(), app.base.clone());
        async move {
            let r = anonymous
                .get(format!("{base}/api/v1/verify/{code}"))
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (st, v) = check(code.to_lowercase()).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["valid"], true);
    assert_eq!(v["recipient_name"], certs[0]["recipient_name"]);
    assert_eq!(v["decision_number"], "15/QĐ-CĐVP");
    for private in [
        "reason",
        "member_id",
        "issued_by",
        "revoked_reason",
        "certificate_id",
    ] {
        assert!(v.get(private).is_none(), "{private} is not public: {v}");
    }
    let (st, _) = check("ZZZZZZZZZZZZ".into()).await;
    assert_eq!(st, 404);

    // Revoked with a reason; the public answer says so, without the reason.
    let revoke = format!("/api/v1/certificates/{id}/revoke");
    let (st, _) = viewer.post(&revoke, json!({"reason": "x"})).await;
    assert_eq!(st, 403);
    let (st, err) = admin.post(&revoke, json!({"reason": "  "})).await;
    assert_eq!(st, 422, "{err}");
    assert_eq!(err["fields"][0]["field"], "revoked_reason", "{err}");
    let (st, c) = admin
        .post(&revoke, json!({"reason": "Quyết định bị thu hồi"}))
        .await;
    assert_eq!(st, 200, "{c}");
    assert!(!c["revoked_at"].is_null());
    let (st, v) = check(code).await;
    assert_eq!(st, 200);
    assert_eq!(v["valid"], false, "{v}");
    assert!(!v["revoked_on"].is_null(), "{v}");
    assert!(!v.to_string().contains("Quyết định bị thu hồi"), "{v}");
}
