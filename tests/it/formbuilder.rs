//! A report form defined in the browser without JavaScript (`/forms/new`): three fields
//! added one at a time, a duplicate key and a formula naming an unknown field refused
//! inline (422, Vietnamese labels, the typed value kept, the key named), reordered,
//! previewed as a filler sees it, confirmed and created — the stored definition equals
//! what was entered — then sent and filled at a CĐCS, listed on "Báo cáo tôi phải nộp"
//! until submitted; a new version leaves the sent report on its version. Plus the
//! builder at 360 px in Chromium.

use crate::browser::{connect, log_in, start_driver};
use crate::harness::{Browser, Kind, TestApp, csrf_of};
use congdoan_domain::form::{Aggregation, CmpOp, Field, FieldKind, FormDef, Rule, Section};
use fantoccini::Locator;
use std::time::Duration;

/// The value of a hidden input, entities decoded.
fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + key.len();
    let raw = html[i..].split('"').next().unwrap_or_default();
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').unwrap_or(0);
        let ent = &tail[1..end.max(1)];
        let ch = match ent {
            "quot" => Some('"'),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) if end > 0 => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The header every step re-posts.
const HEAD: [(&str, &str); 5] = [
    ("title", "Báo cáo nhanh công tác nữ công"),
    ("code", "BC-NUCONG"),
    ("period", "quarter"),
    ("due_days", "10"),
    ("filled_by", "CDCS"),
];

/// Posts one builder step from the page last shown (its CSRF token and draft).
async fn step(
    b: &Browser,
    action: &str,
    prev: &str,
    unit: i64,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let csrf = csrf_of(prev);
    let draft = hidden(prev, "draft");
    let unit = unit.to_string();
    let mut body: Vec<(&str, &str)> = vec![
        ("csrf", csrf.as_str()),
        ("unit", unit.as_str()),
        ("draft", draft.as_str()),
    ];
    if action.ends_with("/edit") {
        let v = hidden(prev, "version");
        body.push(("version", Box::leak(v.into_boxed_str())));
    }
    body.extend_from_slice(&HEAD);
    body.extend_from_slice(fields);
    let r = b
        .http
        .post(format!("{}{action}", b.base))
        .form(&body)
        .send()
        .await
        .expect("POST");
    let s = r.status().as_u16();
    let url = format!("{}?{}", r.url().path(), r.url().query().unwrap_or(""));
    (s, url, r.text().await.expect("body"))
}

fn draft_of(html: &str) -> FormDef {
    serde_json::from_str(&hidden(html, "draft")).expect("the draft is a FormDef")
}

fn keys(def: &FormDef) -> Vec<String> {
    def.sections
        .iter()
        .flat_map(|s| s.fields.iter().map(|f| f.key.clone()))
        .collect()
}

fn expected() -> FormDef {
    FormDef {
        code: "BC-NUCONG".into(),
        title: "Báo cáo nhanh công tác nữ công".into(),
        period: "quarter".into(),
        due_days: 10,
        filled_by: vec!["CDCS".into()],
        sections: vec![Section {
            title: "Đoàn viên".into(),
            fields: vec![
                Field::new("nam", "Đoàn viên nam", FieldKind::Whole).required(),
                Field::new("nu", "Đoàn viên nữ", FieldKind::Whole).required(),
                Field::new("tong", "Tổng số đoàn viên", FieldKind::Whole)
                    .formula("nam + nu")
                    .aggregation(Aggregation::Last),
            ],
        }],
        rules: vec![
            Rule::compare(
                "nam",
                CmpOp::Le,
                "100000",
                "Đoàn viên nam không được lớn hơn 100.000.",
            ),
            Rule::compare("tong", CmpOp::Ge, "nu", "Tổng số không được nhỏ hơn số nữ."),
        ],
    }
}

async fn form_built_step_by_step(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let btv = app.login("btv.angiang").await;
    let new = "/forms/new";

    // The empty builder, linked from the forms page.
    let (_, list) = btv.get_html(&format!("/forms?unit={ag}")).await;
    assert!(
        list.contains(&format!("href=\"/forms/new?unit={ag}\"")),
        "{list}"
    );
    let (s, page) = btv.get_html(&format!("/forms/new?unit={ag}")).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("id=\"no-fields\""));

    // First field, with a maximum (a rule with its Vietnamese message).
    let nam = [
        ("op", "add"),
        ("f_section", "Đoàn viên"),
        ("f_kind", "whole"),
        ("f_key", "nam"),
        ("f_label", "Đoàn viên nam"),
        ("f_required", "1"),
        ("f_max", "100.000"),
        ("f_agg", "sum"),
    ];
    let (s, _, page) = step(&btv, new, &page, ag, &nam).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(keys(&draft_of(&page)), ["nam"]);
    assert!(page.contains("id=\"bf-nam\""), "listed: {page}");
    let nu = [
        ("op", "add"),
        ("f_section", "Đoàn viên"),
        ("f_kind", "whole"),
        ("f_key", "nu"),
        ("f_label", "Đoàn viên nữ"),
        ("f_required", "1"),
        ("f_agg", "sum"),
    ];
    let (s, _, page) = step(&btv, new, &page, ag, &nu).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(keys(&draft_of(&page)), ["nam", "nu"]);

    // The same key again: refused inline, the key named, the input kept, nothing added.
    let dup = [
        ("op", "add"),
        ("f_section", "Đoàn viên"),
        ("f_kind", "whole"),
        ("f_key", "nu"),
        ("f_label", "Nữ lần hai"),
    ];
    let (s, _, page) = step(&btv, new, &page, ag, &dup).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("class=\"errors\" role=\"alert\""), "{page}");
    assert!(page.contains("id=\"f_key-error\""), "inline: {page}");
    assert!(page.contains("Mã trường “nu” bị trùng"), "{page}");
    assert!(page.contains("value=\"Nữ lần hai\""), "kept: {page}");
    assert_eq!(keys(&draft_of(&page)), ["nam", "nu"]);

    // A formula naming a field that is not in the form.
    let bad = [
        ("op", "add"),
        ("f_section", "Đoàn viên"),
        ("f_kind", "whole"),
        ("f_key", "tong"),
        ("f_label", "Tổng số đoàn viên"),
        ("f_formula", "nam + nu_khac"),
        ("f_agg", "last"),
    ];
    let (s, _, page) = step(&btv, new, &page, ag, &bad).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("id=\"f_formula-error\""), "inline: {page}");
    assert!(page.contains("Công thức"), "{page}");
    assert!(page.contains("nu_khac"), "the unknown key named: {page}");
    assert!(page.contains("value=\"nam + nu_khac\""), "kept: {page}");
    assert!(!page.contains("<li>f_formula:"), "no raw key");
    assert_eq!(keys(&draft_of(&page)), ["nam", "nu"]);

    // Corrected, with a rule and its message.
    let tong = [
        ("op", "add"),
        ("f_section", "Đoàn viên"),
        ("f_kind", "whole"),
        ("f_key", "tong"),
        ("f_label", "Tổng số đoàn viên"),
        ("f_formula", "nam + nu"),
        ("f_agg", "last"),
        ("f_rule_op", ">="),
        ("f_rule_right", "nu"),
        ("f_rule_message", "Tổng số không được nhỏ hơn số nữ."),
    ];
    let (s, _, page) = step(&btv, new, &page, ag, &tong).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(keys(&draft_of(&page)), ["nam", "nu", "tong"]);
    assert!(page.contains("id=\"builder-rules\""), "{page}");

    // A fourth field, removed again (its rules go with it); moves up and down.
    let note = [
        ("op", "add"),
        ("f_section", "Đoàn viên"),
        ("f_kind", "whole"),
        ("f_key", "tam"),
        ("f_label", "Tạm"),
        ("f_min", "1"),
    ];
    let (s, _, page) = step(&btv, new, &page, ag, &note).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(draft_of(&page).rules.len(), 3);
    let (_, _, page) = step(&btv, new, &page, ag, &[("op", "remove:3")]).await;
    assert_eq!(keys(&draft_of(&page)), ["nam", "nu", "tong"]);
    assert_eq!(draft_of(&page).rules.len(), 2);
    let (_, _, page) = step(&btv, new, &page, ag, &[("op", "up:1")]).await;
    assert_eq!(keys(&draft_of(&page)), ["nu", "nam", "tong"]);
    let (_, _, page) = step(&btv, new, &page, ag, &[("op", "down:0")]).await;
    assert_eq!(keys(&draft_of(&page)), ["nam", "nu", "tong"]);

    // The preview shows the filler's inputs: numeric, the formula computed.
    let (s, _, page) = step(&btv, new, &page, ag, &[("op", "preview")]).await;
    assert_eq!(s, 200, "{page}");
    let preview = &page[page
        .find("id=\"builder-preview\" open")
        .expect("preview open")..];
    assert!(preview.contains("id=\"in-nam\""), "{preview}");
    assert!(preview.contains("inputmode=\"numeric\""));
    assert!(preview.contains("tự tính"));

    // "Tạo biểu mẫu…" restates what will be created; nothing is stored before.
    let (s, _, page) = step(&btv, new, &page, ag, &[("op", "create")]).await;
    assert_eq!(s, 200, "{page}");
    let lead = &page[page.find("id=\"confirm-lead\"").expect("a confirmation")..];
    let lead = &lead[..lead.find("</p>").unwrap()];
    assert!(lead.contains("3 trường"), "{lead}");
    assert!(lead.contains("kỳ quý"), "{lead}");
    assert!(lead.contains("10 ngày"), "{lead}");
    let (_, list) = btv.get_html(&format!("/forms?unit={ag}")).await;
    assert!(
        !list.contains("BC-NUCONG"),
        "nothing stored before confirming"
    );
    let (s, url, html) = step(
        &btv,
        new,
        &page,
        ag,
        &[("op", "create"), ("confirmed", "1")],
    )
    .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Đã tạo mẫu báo cáo"), "{html}");
    let form_id: i64 = url
        .trim_start_matches("/forms/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .expect("the form's page");
    let (_, stored) = app
        .store()
        .report_form(&app.admin_scope(), form_id)
        .await
        .expect("stored");
    assert_eq!(stored.def(), &expected(), "what was entered");

    // Sent for a quarter and filled at a CĐCS: listed as owed until submitted.
    let ag_s = ag.to_string();
    let period = format!("{}-Q1", time::OffsetDateTime::now_utc().year());
    let page_url = format!("/forms/{form_id}?unit={ag}");
    let send = format!("/forms/{form_id}/send");
    let due = congdoan_domain::date::format_vn_date(
        time::OffsetDateTime::now_utc().date() + time::Duration::days(10),
    );
    let (s, url, html) = btv
        .post_form(
            &page_url,
            &send,
            &[
                ("unit", ag_s.as_str()),
                ("period", period.as_str()),
                ("due_on", due.as_str()),
                ("confirmed", "1"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    let rid: i64 = url
        .trim_start_matches("/reports/")
        .parse()
        .expect("the report");
    let officer = app.login("cdcs.officer").await;
    let fill = format!("/reports/{rid}/units/{cdcs}");
    let (s, owed) = officer.get_html("/reports/owed").await;
    assert_eq!(s, 200, "{owed}");
    assert!(owed.contains("id=\"owed\""), "{owed}");
    assert!(owed.contains(&format!("href=\"{fill}\"")), "{owed}");
    let (s, html) = officer.get_html(&fill).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Đoàn viên nữ"), "{html}");
    let (s, _, html) = officer
        .post_form(
            &fill,
            &fill,
            &[("nam", "12"), ("nu", "30"), ("action", "submit")],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Đã gửi báo cáo"), "{html}");
    assert!(html.contains(">42</output>"), "computed: {html}");
    let (_, owed) = officer.get_html("/reports/owed").await;
    assert!(!owed.contains(&format!("href=\"{fill}\"")), "{owed}");
    // Returned, it comes back on top of the list, before the demo's monthly reports.
    app.store()
        .request_step(
            &app.admin_scope(),
            rid,
            cdcs,
            congdoan_domain::request::Action::Return,
            congdoan_store::StepInput {
                note: Some("Thiếu số liệu quý".into()),
                ..Default::default()
            },
            time::OffsetDateTime::now_utc().date(),
        )
        .await
        .expect("returned");
    let (s, owed) = officer
        .get_html(&format!("/reports/owed?unit={cdcs}"))
        .await;
    assert_eq!(s, 200, "{owed}");
    let table = &owed[owed.find("id=\"owed\"").expect("the list")..];
    let first = table.find("href=\"/reports/").expect("a report row");
    assert!(
        table[first..].starts_with(&format!("href=\"{fill}\"")),
        "returned first: {table}"
    );
    assert!(table.contains("Bị trả lại"), "{table}");

    // A new version (one field fewer) leaves the sent report on version 1.
    let edit = format!("/forms/{form_id}/edit");
    let (s, page) = btv.get_html(&edit).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("id=\"version-note\""), "{page}");
    assert!(page.contains("phiên bản cũ"), "{page}");
    let (_, _, page) = step(&btv, &edit, &page, ag, &[("op", "remove:2")]).await;
    let (_, _, page) = step(&btv, &edit, &page, ag, &[("op", "create")]).await;
    assert!(page.contains("id=\"confirm-lead\""), "{page}");
    assert!(page.contains("2 trường"), "{page}");
    let (s, _, html) = step(
        &btv,
        &edit,
        &page,
        ag,
        &[("op", "create"), ("confirmed", "1")],
    )
    .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Đã lưu phiên bản mới"), "{html}");
    let (f, now) = app
        .store()
        .report_form(&app.admin_scope(), form_id)
        .await
        .unwrap();
    assert_eq!(f.current_version, 2);
    assert_eq!(keys(now.def()), ["nam", "nu"]);
    let r = app
        .store()
        .request(&app.admin_scope(), rid)
        .await
        .unwrap()
        .request;
    let sent = app.store().report_request_form(&r).await.unwrap();
    assert_eq!(sent.def(), &expected(), "the sent report keeps version 1");
}

crate::both_engines!(form_built_step_by_step);

/// The builder on a 360-px phone: a field added, nothing scrolls sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builder_on_a_phone() {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(Kind::Sqlite).await else {
        return;
    };
    let ag = app.unit_id("AG").await;
    let c = connect(driver.port).await;
    let result = async {
        c.goto(&app.url("/todo")).await?;
        log_in(&c, "btv.angiang").await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("main h1"))
            .await?;
        c.goto(&app.url(&format!("/forms/new?unit={ag}"))).await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("f_key"))
            .await?
            .send_keys("doan_vien_nu")
            .await?;
        c.find(Locator::Id("f_label"))
            .await?
            .send_keys("Đoàn viên nữ")
            .await?;
        c.find(Locator::Id("add-field-button"))
            .await?
            .click()
            .await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("bf-doan_vien_nu"))
            .await?;
        if let Ok(png) = c.screenshot().await {
            let _ = std::fs::write("/tmp/formbuilder-360.png", png);
        }
        let layout = crate::phone::check_page(&c, "/forms/new").await;
        Ok::<_, fantoccini::error::CmdError>(layout)
    }
    .await;
    let _ = c.close().await;
    let problems = result.expect("scenario");
    assert!(problems.is_empty(), "{problems:#?}");
}
