//! Rewards (issue 15, items 5–6) on both engines: the demo's quarterly evaluation and
//! its payout list (xlsx and PDF with the total in words), the quota refused on the page
//! and through the API, HD 1217's combination rule, and cash as a multiple of the base
//! salary in force on the decision date.

use crate::both_engines;
use crate::harness::{Kind, TestApp};
use congdoan_store::{DecisionInput, MemberQuery, NewDecision, NewItem, RewardKind, Scope, Store};
use serde_json::json;
use time::macros::date;

both_engines!(
    demo_decision_has_its_payout_list,
    quota_is_refused_on_the_page_and_through_the_api,
    comprehensive_and_thematic_for_one_period_are_refused,
    cash_follows_the_base_salary_on_the_decision_date,
    a_decision_prints_its_certificates_once
);

async fn kind(s: &Store, scope: &Scope, code: &str) -> RewardKind {
    s.reward_kinds(scope)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.code == code)
        .unwrap_or_else(|| panic!("{code} in the catalogue"))
}

async fn members_of(app: &TestApp, code: &str, n: i64) -> Vec<i64> {
    let unit = app.unit_id(code).await;
    app.store()
        .search_members(
            &app.admin_scope(),
            &MemberQuery {
                unit_id: Some(unit),
                per_page: n,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|m| m.member_id)
        .collect()
}

/// The text of a PDF as poppler reads it, white space collapsed.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("congdoan-rw-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.pdf", bytes.len()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn demo_decision_has_its_payout_list(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let office = app.unit_id("CDVC-CDCS-002-BP01").await;
    let decisions = s.reward_decisions(&scope, Some(office)).await.unwrap();
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    let d = &decisions[0];
    assert_eq!(d.doc_number, "15/QĐ-CĐVP");
    assert_eq!((d.item_count, d.total_vnd), (11, 5_500_000));
    let detail = s.reward_decision(&scope, d.decision_id).await.unwrap();
    assert!(detail.items.iter().all(|i| i.amount_vnd == 500_000));
    // The evaluation still open for the last quarter of 2025 is on the to-do page.
    let br = app.login("admin").await;
    let (status, todo) = br.get_html("/todo").await;
    assert_eq!(status, 200);
    assert!(
        todo.contains("đợt bình xét khen thưởng đã hết kỳ, chưa có quyết định"),
        "{todo}"
    );
    // The decision page: total in figures and words, the list.
    let (status, page) = br
        .get_html(&format!("/rewards/decisions/{}", d.decision_id))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("5.500.000 ₫"), "{page}");
    assert!(page.contains("Năm triệu năm trăm nghìn đồng"), "{page}");
    assert!(page.contains(&detail.items[0].recipient_name));
    // The member's page carries the reward in its register.
    let first = detail.items[0].member_id.unwrap();
    let (_, member) = br.get_html(&format!("/members/{first}")).await;
    assert!(member.contains("id=\"reward-register\""), "{member}");
    assert!(member.contains("15/QĐ-CĐVP"), "{member}");
    // The payout list as xlsx: one row per person, the total and the words.
    let r = br
        .get(&format!("/rewards/decisions/{}/payout.xlsx", d.decision_id))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.unwrap();
    let path = std::env::temp_dir().join(format!(
        "congdoan-rw-{}-{}.xlsx",
        std::process::id(),
        d.decision_id
    ));
    std::fs::write(&path, &bytes).unwrap();
    let mut wb = congdoan_sheet::Workbook::open(&path).expect("the payout list opens");
    let rows: Vec<Vec<String>> = wb
        .rows(0)
        .unwrap()
        .map(|r| r.unwrap().iter().map(|c| c.as_text()).collect())
        .collect();
    let header = rows
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("STT"))
        .expect("a header row");
    assert_eq!(rows[header][5], "Ký nhận");
    let people: Vec<&Vec<String>> = rows[header + 1..]
        .iter()
        .filter(|r| r.first().is_some_and(|c| c.parse::<i64>().is_ok()))
        .collect();
    assert_eq!(people.len(), 11);
    assert!(people.iter().all(|r| r[4] == "500000"), "{people:?}");
    let total = rows
        .iter()
        .find(|r| r.get(1).map(String::as_str) == Some("Tổng cộng"))
        .expect("a total row");
    assert_eq!(total[4], "5500000");
    assert!(
        rows.iter().any(
            |r| r.get(1).map(String::as_str) == Some("Bằng chữ: Năm triệu năm trăm nghìn đồng")
        ),
        "{rows:?}"
    );
    // And as PDF, the total in words.
    let r = br
        .get(&format!("/rewards/decisions/{}/payout.pdf", d.decision_id))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(text.contains("Năm triệu năm trăm nghìn đồng"), "{text}");
    assert!(text.contains("5.500.000"), "{text}");
    assert!(text.contains("Ký nhận"), "{text}");
}

async fn quota_is_refused_on_the_page_and_through_the_api(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let gcn = kind_id(s, &scope, "GIAY_CHUNG_NHAN").await;
    let cdcs = app.unit_id("AG-CDCS-001").await;
    let api = app.token("admin").await;
    let (status, ev) = api
        .post(
            "/api/v1/rewards/evaluations",
            json!({"unit_id": cdcs, "title": "Bình xét quý I/2026", "period_type": "quarter", "period": "2026-Q1", "quota": 2, "reward_kind_id": gcn}),
        )
        .await;
    assert_eq!(status, 200, "{ev}");
    let id = ev["evaluation_id"].as_i64().unwrap();
    for m in members_of(&app, "AG-CDCS-001", 3).await {
        let (status, body) = api
            .post(
                &format!("/api/v1/rewards/evaluations/{id}/nominees"),
                json!({"member_id": m, "votes": 20}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    // The API cannot bypass the quota.
    let (status, body) = api
        .post(
            &format!("/api/v1/rewards/evaluations/{id}/decide"),
            json!({"decided_on": "2026-04-05", "signer_name": "Nguyễn Văn An"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["code"], "VL1104", "{body}");
    // Nor the page: 422, the message in the summary, the input kept.
    let br = app.login("admin").await;
    let page = format!("/rewards/evaluations/{id}");
    let (status, _, html) = br
        .post_form(
            &page,
            &format!("{page}/decide"),
            &[
                ("seq", "7"),
                ("decided_on", "05/04/2026"),
                ("signer_name", "Nguyễn Văn An"),
                ("signer_role", "CHỦ TỊCH"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(
        html.contains(
            "Vượt chỉ tiêu khen thưởng: đã chọn 3 người, chỉ tiêu của đợt bình xét là 2 người"
        ),
        "{html}"
    );
    assert!(html.contains("value=\"05/04/2026\""), "the input kept");
    assert!(
        s.reward_decisions(&scope, Some(cdcs))
            .await
            .unwrap()
            .is_empty()
    );
    // Within the quota, the confirmation restates count, quota and total, then decides.
    let last = s.evaluation(&scope, id).await.unwrap().nominees[2].member_id;
    let (status, _, _) = br
        .post_form(&page, &format!("{page}/nominees/{last}/remove"), &[])
        .await;
    assert_eq!(status, 200);
    let fields = [
        ("seq", "7"),
        ("decided_on", "05/04/2026"),
        ("signer_name", "Nguyễn Văn An"),
        ("signer_role", "CHỦ TỊCH"),
    ];
    let (status, _, confirm) = br
        .post_form(&page, &format!("{page}/decide"), &fields)
        .await;
    assert_eq!(status, 200, "{confirm}");
    assert!(confirm.contains("id=\"confirm-impacts\""), "{confirm}");
    assert!(confirm.contains("trong chỉ tiêu 2 người"), "{confirm}");
    assert!(confirm.contains("7/QĐ-CĐCS"), "{confirm}");
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirmed", "1"));
    let (status, url, done) = br
        .post_form(&page, &format!("{page}/decide"), &confirmed)
        .await;
    assert_eq!(status, 200, "{done}");
    assert!(url.starts_with("/rewards/decisions/"), "{url}");
    assert!(done.contains("Đã ra quyết định khen thưởng"), "{done}");
    // Decided: no more nominations.
    let (status, body) = api
        .post(
            &format!("/api/v1/rewards/evaluations/{id}/nominees"),
            json!({"member_id": last}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["code"], "ST2318");
}

async fn kind_id(s: &Store, scope: &Scope, code: &str) -> i64 {
    kind(s, scope, code).await.reward_kind_id
}

async fn comprehensive_and_thematic_for_one_period_are_refused(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let cdcs = app.unit_id("AG-CDCS-001").await;
    let member = members_of(&app, "AG-CDCS-001", 1).await[0];
    let full = kind_id(s, &scope, "GIAY_KHEN_CDCS").await;
    let thematic = kind_id(s, &scope, "GIAY_KHEN_CDCS_CD").await;
    let api = app.token("admin").await;
    let body = |kind: i64, period: &str, seq: i64| {
        json!({"issuer_unit_id": cdcs, "period_type": "year", "period": period, "seq": seq,
               "decided_on": "2025-12-20", "signer_name": "Trần Thị Bình",
               "items": [{"member_id": member, "reward_kind_id": kind, "reason": "Thành tích năm 2025"}]})
    };
    let (status, first) = api
        .post("/api/v1/rewards/decisions", body(full, "2025", 30))
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["decision"]["decision"]["doc_number"], "30/QĐ-CĐCS");
    let (status, refused) = api
        .post("/api/v1/rewards/decisions", body(thematic, "2025", 31))
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["fields"][0]["code"], "VL1103", "{refused}");
    let msg = refused["fields"][0]["message"].as_str().unwrap();
    assert!(msg.contains("1217"), "{msg}");
    assert!(msg.contains("Giấy khen của Ban Chấp hành CĐCS"), "{msg}");
    // Another period is another matter; the refused number stays free.
    let (status, other) = api
        .post("/api/v1/rewards/decisions", body(thematic, "2024", 31))
        .await;
    assert_eq!(status, 200, "{other}");
    let register = s.member_rewards(&scope, member).await.unwrap();
    assert_eq!(register.len(), 2);
    // A level that may not grant it is refused too (a provincial award from a CĐCS).
    let (status, refused) = api
        .post(
            "/api/v1/rewards/decisions",
            body(kind_id(s, &scope, "BANG_KHEN_LDLD").await, "2023", 32),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["fields"][0]["code"], "VL1107");
}

async fn cash_follows_the_base_salary_on_the_decision_date(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let cdcs = app.unit_id("AG-CDCS-001").await;
    let ldtt = kind_id(s, &scope, "LDTT").await;
    let people = members_of(&app, "AG-CDCS-001", 2).await;
    let mut amounts = vec![];
    for (member, day, period) in [
        (people[0], date!(2024 - 06 - 30), "2023"),
        (people[1], date!(2024 - 07 - 01), "2023"),
    ] {
        let (plan, id) = s
            .create_reward_decision(
                &scope,
                NewDecision {
                    issuer_unit_id: cdcs,
                    period_type: "year".into(),
                    period: period.into(),
                    decision: DecisionInput {
                        seq: None,
                        decided_on: day,
                        signer_name: "Trần Thị Bình".into(),
                        signer_role: None,
                        issuer_abbrev: None,
                        title: None,
                    },
                    items: vec![NewItem {
                        member_id: Some(member),
                        unit_id: None,
                        reward_kind_id: ldtt,
                        reason: None,
                        facts: None,
                    }],
                },
                false,
            )
            .await
            .unwrap();
        let d = s.reward_decision(&scope, id.unwrap()).await.unwrap();
        assert_eq!(plan.total_vnd, d.decision.total_vnd);
        amounts.push(d.items[0].amount_vnd);
    }
    // 0,3 × 1.800.000 before 01/07/2024, 0,3 × 2.340.000 from that day (NĐ 73/2024).
    assert_eq!(amounts, [540_000, 702_000]);
    // Numbers follow each other per issuer and year.
    let numbers: Vec<String> = s
        .reward_decisions(&scope, Some(cdcs))
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.doc_number)
        .collect();
    assert_eq!(numbers, ["2/QĐ-CĐCS", "1/QĐ-CĐCS"]);
}

/// From the decision page: "In giấy khen…" restates how many, then issues one
/// certificate per line with the decision's number; the batch PDF has a page each, the
/// public page verifies one, and a second print adds none.
async fn a_decision_prints_its_certificates_once(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (s, scope) = (app.store(), app.admin_scope());
    let office = app.unit_id("CDVC-CDCS-002-BP01").await;
    let d = s.reward_decisions(&scope, Some(office)).await.unwrap()[0].clone();
    let page = format!("/rewards/decisions/{}", d.decision_id);
    let action = format!("{page}/certificates");
    let br = app.login("admin").await;
    let (status, html) = br.get_html(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"print-certificates\""), "{html}");
    let (status, _, confirm) = br.post_form(&page, &action, &[]).await;
    assert_eq!(status, 200);
    assert!(
        confirm.contains("15/QĐ-CĐVP") && confirm.contains("<strong class=\"n\">11</strong>"),
        "{confirm}"
    );
    let certs = s
        .certificates_of_unit(&scope, office, Some("15/QĐ-CĐVP"), None, 100)
        .await
        .unwrap();
    assert!(certs.is_empty(), "nothing issued before the confirmation");
    let (status, url, list) = br.post_form(&page, &action, &[("confirmed", "1")]).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(url, format!("/units/{office}/certificates"));
    let certs = s
        .certificates_of_unit(&scope, office, Some("15/QĐ-CĐVP"), None, 100)
        .await
        .unwrap();
    assert_eq!(certs.len(), 11);
    let detail = s.reward_decision(&scope, d.decision_id).await.unwrap();
    let first = &detail.items[0];
    let c = certs
        .iter()
        .find(|c| c.recipient_name == first.recipient_name)
        .expect("the first line's certificate");
    assert_eq!(c.decision_number, "15/QĐ-CĐVP");
    let (status, verify) = crate::harness::Browser::new(&app.base)
        .get_html(&format!("/verify/{}", c.code))
        .await;
    assert_eq!(status, 200);
    assert!(verify.contains(&first.recipient_name), "{verify}");
    let pdf = br
        .get(&format!(
            "/units/{office}/certificates.pdf?decision=15%2FQĐ-CĐVP"
        ))
        .await;
    assert_eq!(pdf.status().as_u16(), 200);
    assert_eq!(
        crate::certificates::pdf_pages(&pdf.bytes().await.unwrap()),
        11
    );
    // Printing again issues nothing more.
    let (status, _, _) = br.post_form(&page, &action, &[("confirmed", "1")]).await;
    assert_eq!(status, 200);
    let again = s
        .certificates_of_unit(&scope, office, Some("15/QĐ-CĐVP"), None, 100)
        .await
        .unwrap();
    assert_eq!(again.len(), 11);
}
