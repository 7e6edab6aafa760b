//! Consent for shared access (issue 13, item 6): an agreement or a coordination link
//! naming a partner outside the proposer's writable subtree is a proposal that grants
//! nothing until an officer of the partner accepts; either side can end it; a partner
//! the proposer may not read is named only by the code typed, and an unknown code is
//! answered exactly like a hidden one. Both engines.

use crate::harness::{Kind, TestApp};
use congdoan_datagen::{DEMO_CDCS_CODE, DEMO_OTHER_CDCS_CODE};

/// The form fields of a proposal from the other CĐCS (its own unit covered) to `partner`.
fn proposal(own: &str, number: &str, partner: &str, own_code: &str) -> Vec<(String, String)> {
    [
        ("unit", own),
        ("number", number),
        ("title", "Quy chế phối hợp giữa hai CĐCS"),
        ("party_a", partner),
        ("signed_on", "01/01/2026"),
        ("units", own_code),
        ("scope_info", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The agreement id in a page's URL (`/agreements/12`).
fn id_of(url: &str) -> i64 {
    url.trim_start_matches("/agreements/")
        .split(['?', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("an agreement page, not {url}"))
}

async fn a_proposal_grants_nothing_until_the_partner_accepts_and_either_side_ends_it(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let own = app.unit_id(DEMO_OTHER_CDCS_CODE).await;
    let own_s = own.to_string();
    let proposer = app.login("cdcs.other").await;
    let partner = app.login("cdcs.officer").await;
    let viewer = app.login("cdcs.viewer").await;
    let unit_page = format!("/units/{own}");
    let (status, _) = partner.get_html(&unit_page).await;
    assert_eq!(status, 404, "outside the partner's scope before anything");

    // The proposer names the partner by its exact code (hidden from them).
    let form = proposal(&own_s, "01/QC-DN", DEMO_CDCS_CODE, DEMO_OTHER_CDCS_CODE);
    let (status, url, html) = proposer
        .post_form(
            &format!("/agreements?unit={own}"),
            "/agreements",
            &pairs(&form),
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Chờ đối tác chấp thuận"), "{html}");
    assert!(html.contains("Chưa chia sẻ thông tin nào"), "{html}");
    let partner_unit = app
        .store()
        .unit(&app.admin_scope(), app.unit_id(DEMO_CDCS_CODE).await)
        .await
        .unwrap();
    assert!(
        html.contains(DEMO_CDCS_CODE) && !html.contains(&partner_unit.name),
        "the partner is named by the code typed, never by its name: {html}"
    );
    let id = id_of(&url);
    let page = format!("/agreements/{id}");
    assert!(!html.contains(&format!("{page}/accept")), "{html}");

    // Nothing is shared yet.
    let (status, _) = partner.get_html(&unit_page).await;
    assert_eq!(status, 404, "a proposal grants nothing");

    // The partner's officers see it on their to-do page; the viewer does not.
    let (_, todo) = partner.get_html("/todo").await;
    assert!(
        todo.contains("đề nghị phối hợp chờ chấp thuận")
            && todo.contains(&format!("href=\"{page}\"")),
        "{todo}"
    );
    let (_, todo) = viewer.get_html("/todo").await;
    assert!(!todo.contains("đề nghị phối hợp chờ chấp thuận"), "{todo}");
    let (_, list) = partner
        .get_html(&format!("/agreements?unit={}", partner_unit.unit_id))
        .await;
    assert!(list.contains("đề nghị nhận được"), "{list}");
    let (_, list) = proposer.get_html(&format!("/agreements?unit={own}")).await;
    assert!(list.contains("đề nghị đã gửi"), "{list}");

    // The partner's viewer may read the proposal but not answer it.
    let (status, html) = viewer.get_html(&page).await;
    assert_eq!(status, 200, "{html}");
    assert!(!html.contains(&format!("{page}/accept")), "{html}");
    let (status, _) = viewer.get_html(&format!("{page}/accept")).await;
    assert_eq!(status, 403);
    let (status, _, _) = viewer
        .post_form(&page, &format!("{page}/accept"), &[])
        .await;
    assert_eq!(status, 403, "the viewer cannot accept");
    let (status, _) = partner.get_html(&unit_page).await;
    assert_eq!(status, 404);

    // The partner's officer accepts (after a page restating the impact) → reads.
    let (status, html) = partner.get_html(&page).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("{page}/accept")), "{html}");
    let (status, confirm) = partner.get_html(&format!("{page}/accept")).await;
    assert_eq!(status, 200, "{confirm}");
    assert!(
        confirm.contains("1 đơn vị sau sẽ chia sẻ thông tin với"),
        "{confirm}"
    );
    let (status, _, html) = partner
        .post_form(&format!("{page}/accept"), &format!("{page}/accept"), &[])
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Đã chấp thuận") && html.contains(">Còn hiệu lực<"),
        "{html}"
    );
    let (status, _) = partner.get_html(&unit_page).await;
    assert_eq!(status, 200, "the partner reads once it accepted");
    let (status, _, _) = partner
        .post_form(&page, &format!("{page}/accept"), &[])
        .await;
    assert_eq!(status, 403, "answered once");

    // The managing side ends it: the confirmation restates the impact; access stops at once.
    let (status, confirm) = proposer.get_html(&format!("{page}/end")).await;
    assert_eq!(status, 200, "{confirm}");
    assert!(
        confirm.contains("1 đơn vị sẽ thôi chia sẻ thông tin với"),
        "{confirm}"
    );
    let today = congdoan_domain::date::format_vn_date(congdoan_web::today());
    let (status, _, html) = proposer
        .post_form(
            &format!("{page}/end"),
            &format!("{page}/end"),
            &[("ended_on", &today), ("end_reason", "Hết nhu cầu phối hợp")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(">Đã chấm dứt<"), "{html}");
    let (status, _) = partner.get_html(&unit_page).await;
    assert_eq!(status, 404, "access stops the same day");

    // A second one, accepted, then ended by the partner's side.
    let form = proposal(&own_s, "02/QC-DN", DEMO_CDCS_CODE, DEMO_OTHER_CDCS_CODE);
    let (_, url, _) = proposer
        .post_form(
            &format!("/agreements?unit={own}"),
            "/agreements",
            &pairs(&form),
        )
        .await;
    let page = format!("/agreements/{}", id_of(&url));
    let (status, _, _) = partner
        .post_form(&page, &format!("{page}/accept"), &[])
        .await;
    assert_eq!(status, 200);
    let (status, _) = partner.get_html(&unit_page).await;
    assert_eq!(status, 200);
    let (status, confirm) = partner.get_html(&format!("{page}/end")).await;
    assert_eq!(status, 200, "the partner may end it too: {confirm}");
    let (status, _, html) = partner
        .post_form(
            &format!("{page}/end"),
            &format!("{page}/end"),
            &[("ended_on", &today), ("end_reason", "Không còn phối hợp")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let (status, _) = partner.get_html(&unit_page).await;
    assert_eq!(status, 404, "ended by the partner: access stops at once");

    // A third, declined with a reason; a fourth, withdrawn by the proposer.
    let form = proposal(&own_s, "03/QC-DN", DEMO_CDCS_CODE, DEMO_OTHER_CDCS_CODE);
    let (_, url, _) = proposer
        .post_form(
            &format!("/agreements?unit={own}"),
            "/agreements",
            &pairs(&form),
        )
        .await;
    let page = format!("/agreements/{}", id_of(&url));
    let (status, _, html) = partner
        .post_form(
            &format!("{page}/decline"),
            &format!("{page}/decline"),
            &[("decline_reason", "")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Lý do từ chối:"), "{html}");
    let (status, _, html) = partner
        .post_form(
            &format!("{page}/decline"),
            &format!("{page}/decline"),
            &[("decline_reason", "Không thuộc địa bàn")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(">Đối tác từ chối<"), "{html}");
    let (_, html) = proposer.get_html(&page).await;
    assert!(
        html.contains("Không thuộc địa bàn"),
        "the proposer sees why: {html}"
    );
    let (status, _) = partner.get_html(&unit_page).await;
    assert_eq!(status, 404);
    let form = proposal(&own_s, "04/QC-DN", DEMO_CDCS_CODE, DEMO_OTHER_CDCS_CODE);
    let (_, url, _) = proposer
        .post_form(
            &format!("/agreements?unit={own}"),
            "/agreements",
            &pairs(&form),
        )
        .await;
    let page = format!("/agreements/{}", id_of(&url));
    let (_, confirm) = proposer.get_html(&format!("{page}/end")).await;
    assert!(confirm.contains("Rút đề nghị"), "{confirm}");
    let (status, _, html) = proposer
        .post_form(
            &format!("{page}/end"),
            &format!("{page}/end"),
            &[("end_reason", "Gửi nhầm")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(">Đã rút đề nghị<"), "{html}");
    let (_, todo) = partner.get_html("/todo").await;
    assert!(!todo.contains("đề nghị phối hợp chờ chấp thuận"), "{todo}");

    // Every step is audited.
    let rows = app
        .store()
        .audit_log(
            &app.admin_scope(),
            &congdoan_store::AuditQuery {
                entity: Some("agreement".into()),
                limit: 200,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for action in ["propose", "accept", "end", "decline", "withdraw"] {
        assert!(
            rows.iter()
                .any(|r| r.action == action && r.entity == "agreement"),
            "{action} is audited"
        );
    }
}

/// Replaces what necessarily differs between two answers — the new agreement's id and
/// the code the user typed — so the rest can be compared byte for byte.
fn normalise(s: &str, code: &str, id: i64) -> String {
    s.replace(&format!("/agreements/{id}"), "/agreements/ID")
        .replace(&format!("\"agreement_id\":{id}"), "\"agreement_id\":ID")
        .replace(code, "CODE")
}

async fn a_hidden_code_and_an_unknown_code_answer_the_same(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let own = app.unit_id(DEMO_OTHER_CDCS_CODE).await;
    let own_s = own.to_string();
    let hidden = DEMO_CDCS_CODE;
    let unknown = "AG-CDCS-987";
    assert!(app.store().unit_id_by_code(unknown).await.is_err());
    let b = app.login("cdcs.other").await;
    let list = format!("/agreements?unit={own}");

    // A form with another error: the same 422 page, byte for byte.
    let mut answers = vec![];
    for code in [hidden, unknown] {
        let mut form = proposal(&own_s, "", code, DEMO_OTHER_CDCS_CODE);
        form.retain(|(k, _)| k != "number");
        let (status, _, html) = b.post_form(&list, "/agreements", &pairs(&form)).await;
        assert_eq!(status, 422, "{html}");
        answers.push(html.replace(code, "CODE"));
    }
    assert_eq!(answers[0], answers[1], "the error pages differ");

    // A proposal: the same page (but for its id and the code typed), naming only the code.
    let mut pages = vec![];
    for code in [hidden, unknown] {
        let form = proposal(&own_s, "05/QC-DN", code, DEMO_OTHER_CDCS_CODE);
        let (status, url, html) = b.post_form(&list, "/agreements", &pairs(&form)).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains(code), "{html}");
        pages.push(normalise(&html, code, id_of(&url)));
    }
    assert_eq!(pages[0], pages[1], "the proposal pages differ");
    let name = app
        .store()
        .unit(&app.admin_scope(), app.unit_id(hidden).await)
        .await
        .unwrap()
        .name;
    assert!(!pages[0].contains(&name));
    let (_, listing) = b.get_html(&list).await;
    assert!(!listing.contains(&name), "{listing}");

    // The coordination link form on the unit page: the same answer too.
    let mut pages = vec![];
    for code in [hidden, unknown] {
        let (status, url, html) = b
            .post_form(
                &format!("/units/{own}"),
                &format!("/units/{own}/coordination"),
                &[
                    ("coordinator_code", code),
                    ("valid_from", "01/01/2026"),
                    ("note", "Phối hợp"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Chờ đối tác chấp thuận"), "{html}");
        pages.push(normalise(&html, code, id_of(&url)));
    }
    assert_eq!(pages[0], pages[1], "the link proposals differ");

    // The API: by code, the same JSON but for the id; by id, the same 404.
    let api = app.token("cdcs.other").await;
    let body = |code: serde_json::Value, id: i64| {
        serde_json::json!({
            "number": "06/QC-DN", "title": "Quy chế phối hợp giữa hai CĐCS", "party_a_id": id,
            "party_a_code": code, "party_b_id": own, "signed_on": "2026-01-01",
            "valid_from": "2026-01-01", "valid_to": null, "scope_items": ["info"], "unit_ids": [own]
        })
    };
    let mut answers = vec![];
    for code in [hidden, unknown] {
        let (status, g) = api.post("/api/v1/agreements", body(code.into(), 0)).await;
        assert_eq!(status, 200, "{g}");
        assert_eq!(g["consent"], "proposed");
        assert_eq!(g["party_a_name"], code);
        let id = g["agreement_id"].as_i64().unwrap();
        answers.push(normalise(&g.to_string(), code, id));
    }
    assert_eq!(answers[0], answers[1], "the API answers differ");
    let hidden_id = app.unit_id(hidden).await;
    let mut answers = vec![];
    for id in [hidden_id, 99_999_999] {
        let (status, e) = api
            .post("/api/v1/agreements", body(serde_json::Value::Null, id))
            .await;
        assert_eq!(status, 404, "{e}");
        answers.push(e.to_string());
    }
    assert_eq!(
        answers[0], answers[1],
        "a hidden id answers as an unknown one"
    );

    // The picker offers readable units and the top-level unions by name, nothing else.
    let (_, hits) = b
        .get_html("/pick/units?field=party_a&party_a__q=C%C3%B4ng%20ty&party_a__all=1")
        .await;
    assert!(!hits.contains(&name), "{hits}");
    let (_, hits) = b
        .get_html("/pick/units?field=party_a&party_a__q=Kon%20Tum&party_a__all=1")
        .await;
    assert!(hits.contains("Liên đoàn Lao động tỉnh Kon Tum"), "{hits}");
}

async fn an_administrator_records_for_both_sides_and_links_inside_need_no_consent(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let admin = app.login("admin").await;
    let (ag, own) = (
        app.unit_id("AG").await,
        app.unit_id(DEMO_OTHER_CDCS_CODE).await,
    );
    let (_, page) = admin.get_html(&format!("/agreements?unit={own}")).await;
    assert!(page.contains("cho cả hai bên cùng lúc"), "{page}");
    let form = proposal(
        &own.to_string(),
        "07/QC-QT",
        DEMO_CDCS_CODE,
        DEMO_OTHER_CDCS_CODE,
    );
    let (status, _, html) = admin
        .post_form(
            &format!("/agreements?unit={own}"),
            "/agreements",
            &pairs(&form),
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(">Còn hiệu lực<"), "in force at once: {html}");
    let partner = app.login("cdcs.officer").await;
    let (status, _) = partner.get_html(&format!("/units/{own}")).await;
    assert_eq!(status, 200);
    // An officer of the province links two of its own units at once.
    let btv = app.login("btv.angiang").await;
    let _ = ag;
    let third = app
        .store()
        .search_units(&app.admin_scope(), "AG-CDCS-0", &[], false, false, 5)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.code != DEMO_CDCS_CODE && u.code != DEMO_OTHER_CDCS_CODE)
        .expect("a third CĐCS in An Giang")
        .unit_id;
    let (status, url, html) = btv
        .post_form(
            &format!("/units/{third}"),
            &format!("/units/{third}/coordination"),
            &[
                ("coordinator_code", DEMO_CDCS_CODE),
                ("valid_from", "01/01/2026"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(url, format!("/units/{third}"), "a link at once: {html}");
}

crate::both_engines!(
    a_proposal_grants_nothing_until_the_partner_accepts_and_either_side_ends_it,
    a_hidden_code_and_an_unknown_code_answer_the_same,
    an_administrator_records_for_both_sides_and_links_inside_need_no_consent,
);
