//! Every list page read on a 360-px phone in Chromium: nothing scrolls sideways, no word
//! is broken mid-syllable, the header stays compact, and axe-core finds no serious or
//! critical problem. Plus the Vietnamese 404 and 403 pages. Both engines.

use crate::browser::{connect, log_in, start_driver};
use crate::harness::{Kind, TestApp};
use fantoccini::{Client, Locator};
use std::time::Duration;

/// axe-core 4 (MPL-2.0), vendored for this test only.
const AXE: &str = include_str!("assets/axe.min.js");

/// Layout problems of the current page, as text (empty when it reads well): the page
/// or a table wrapper wider than the screen, a word (or a part of a hyphenated code)
/// split over two lines (unless it alone is about as wide as the screen, like a long
/// e-mail address), a header taller than 56 px.
const LAYOUT_JS: &str = r#"
const out = [];
const vw = window.innerWidth;
if (document.documentElement.scrollWidth > vw) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw);
for (const w of document.querySelectorAll('.table-wrap, table')) {
  if (w.offsetParent !== null && w.scrollWidth > w.clientWidth + 1) out.push('scrolls sideways: ' + (w.id || w.className || w.tagName) + ' ' + w.scrollWidth + ' > ' + w.clientWidth);
}
const h = document.querySelector('header.top');
if (h && h.getBoundingClientRect().height > 56) out.push('header is ' + Math.round(h.getBoundingClientRect().height) + ' px high');
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
let n;
while ((n = walker.nextNode())) {
  // Words, split at hyphens too: a code may wrap after its hyphen (AG-|CDCS-028),
  // a syllable or a date never.
  const re = /[^\s\-\u2010]+/g; let m;
  while ((m = re.exec(n.data))) {
    const r = document.createRange();
    r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
    const rects = Array.from(r.getClientRects()).filter(x => x.width > 0 && x.height > 0);
    if (rects.length < 2) continue;
    const tops = new Set(rects.map(x => Math.round(x.top)));
    if (tops.size < 2) continue;
    const width = rects.reduce((s, x) => s + x.width, 0);
    // A token wider than a card's line (JSON, a long e-mail) may only wrap.
    if (width > vw - 72) continue;
    const cell = n.parentElement.closest('td, th, li, dd, summary, h1, h2, p, a') || n.parentElement;
    out.push('word broken over ' + tops.size + ' lines: "' + m[0] + '" in <' + cell.tagName.toLowerCase() + '> ' + Math.round(cell.getBoundingClientRect().width) + ' px wide');
    if (out.length > 12) return out;
  }
}
return out;
"#;

/// Runs axe-core on the page; returns "rule: targets" for serious and critical findings.
const AXE_RUN_JS: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(
  r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | '))
)).catch(e => done(['axe failed: ' + e]));
"#;

/// Checks the page now shown: layout and accessibility. Returns the problems found.
pub(crate) async fn check_page(c: &Client, what: &str) -> Vec<String> {
    let mut problems = vec![];
    let title = c.title().await.unwrap_or_default();
    let layout = c.execute(LAYOUT_JS, vec![]).await.expect("layout script");
    for p in layout.as_array().into_iter().flatten() {
        problems.push(format!("{what} ({title}): {}", p.as_str().unwrap_or("?")));
    }
    let has_axe = c
        .execute("return typeof window.axe !== 'undefined'", vec![])
        .await
        .expect("axe probe");
    if has_axe != serde_json::Value::Bool(true) {
        c.execute(AXE, vec![]).await.expect("axe loads");
    }
    let found = c.execute_async(AXE_RUN_JS, vec![]).await.expect("axe runs");
    for p in found.as_array().into_iter().flatten() {
        problems.push(format!(
            "{what} ({title}): axe {}",
            p.as_str().unwrap_or("?")
        ));
    }
    problems
}

/// Opens `path` and checks it is a real page (not an error page), then checks it.
async fn visit(c: &Client, app: &TestApp, path: &str) -> Vec<String> {
    c.goto(&app.url(path)).await.expect("goto");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("main h1"))
        .await
        .expect("a page with a heading");
    let h1 = c
        .find(Locator::Css("main h1"))
        .await
        .expect("h1")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        !["Không tìm thấy", "Không có quyền", "Có lỗi xảy ra"].contains(&h1.as_str()),
        "{path} is an error page: {h1}"
    );
    check_page(c, path).await
}

/// Uploads the demo workbook with its problem rows into the demo CĐCS and waits for the
/// preview; returns the import page's path.
async fn upload(c: &Client, app: &TestApp, cdcs: i64) -> String {
    let scope = app.admin_scope();
    let code = congdoan_datagen::DEMO_CDCS_CODE;
    let to1 = app
        .store()
        .unit_by_code(&scope, &format!("{code}-T01"))
        .await
        .expect("tổ");
    let file = crate::imports::temp_file("dien-thoai.xlsx");
    crate::imports::union_workbook(
        &file,
        &to1.name,
        &format!("{code}-T02"),
        ("", "01/01/1980", "Nam"),
    );
    c.goto(&app.url(&format!("/imports?unit={cdcs}")))
        .await
        .expect("imports");
    c.wait()
        .for_element(Locator::Id("file"))
        .await
        .expect("upload form")
        .send_keys(&file.to_string_lossy())
        .await
        .expect("file");
    c.find(Locator::Css("#upload-form button[type=submit]"))
        .await
        .expect("upload button")
        .click()
        .await
        .expect("upload");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("import-rejects"))
        .await
        .expect("the preview with its rejected rows");
    c.current_url().await.expect("url").path().to_string()
}

/// Generates a restructuring plan from the plans page of `unit`; returns its path.
async fn generate_plan(c: &Client, app: &TestApp, unit: i64) -> Option<String> {
    c.goto(&app.url(&format!("/plans?unit={unit}")))
        .await
        .expect("plans");
    let button = c
        .find(Locator::Css("#reform-2025 button[type=submit]"))
        .await
        .ok()?;
    button.click().await.expect("generate");
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("plan-changes"))
        .await
        .expect("the plan's preview");
    Some(c.current_url().await.expect("url").path().to_string())
}

/// The first `/members/ID` link of the page now shown.
async fn first_member_link(c: &Client) -> String {
    c.execute(
        "return Array.from(document.querySelectorAll('a[href^=\"/members/\"]')).map(a => a.getAttribute('href')).find(h => /^\\/members\\/\\d+$/.test(h)) || ''",
        vec![],
    )
    .await
    .expect("member link")
    .as_str()
    .unwrap_or_default()
    .to_string()
}

async fn every_list_reads_on_a_phone(kind: Kind) {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let scope = app.admin_scope();
    let s = app.store();
    let (ag, kt, tld) = (
        app.unit_id("AG").await,
        app.unit_id("KT").await,
        app.unit_id("TLD").await,
    );
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let clusters = s.clusters(&scope, ag, Some(2026)).await.expect("clusters");
    let cluster = clusters[0].cluster_id;
    let sup = s
        .cluster(&scope, cluster)
        .await
        .expect("cluster")
        .supervisors[0]
        .assignment_id;
    let agreement = s.agreements(&scope, kt).await.expect("agreements")[0].agreement_id;
    // The demo's good model that An Giang replicated (issue 15 item 8).
    let model = s
        .models(&scope, &Default::default())
        .await
        .expect("models")
        .0
        .into_iter()
        .find(|m| m.title.starts_with("Sát cơ sở"))
        .expect("the demo model")
        .model_id;
    // A directive to An Giang's CĐCS, with its board and lists.
    let day = congdoan_web::today();
    let directive = s
        .issue_directive(
            &scope,
            congdoan_store::NewDirective {
                issuer_unit_id: ag,
                doc_type: "KH".into(),
                seq: Some(267),
                issuer_abbrev: None,
                issued_on: day,
                title: "Thực hiện mô hình «Sát cơ sở, gần công nhân»".into(),
                body: Some("Các CĐCS tổ chức đối thoại định kỳ.".into()),
                due_on: day + time::Duration::days(30),
                targets: congdoan_domain::request::TargetSpec::Subtree {
                    root: ag,
                    types: vec!["CDCS".into()],
                },
                files: vec![],
            },
        )
        .await
        .expect("directive")
        .request_id;
    let report_form = s
        .create_form(&scope, ag, {
            let mut d = congdoan_datagen::forms::monthly_quick_report();
            d.code = "BCN-THU".into();
            d
        })
        .await
        .expect("form")
        .form_id;
    let today = time::OffsetDateTime::now_utc().date();
    let report = s
        .send_report(
            &scope,
            congdoan_store::NewReport {
                issuer_unit_id: ag,
                form_id: report_form,
                period: Some(format!("{}-11", today.year() - 1)),
                due_on: Some(today + time::Duration::days(10)),
                title: None,
                targets: None,
                issued_on: today,
            },
        )
        .await
        .expect("report")
        .request_id;
    // Rewards: the demo's decided and open evaluations of the youth union's office.
    let office = app.unit_id("CDVC-CDCS-002-BP01").await;
    let reward_pages: Vec<String> = s
        .evaluations(&scope, Some(office))
        .await
        .expect("evaluations")
        .iter()
        .flat_map(|e| {
            let mut v = vec![format!("/rewards/evaluations/{}", e.evaluation_id)];
            v.extend(e.decision_id.map(|d| format!("/rewards/decisions/{d}")));
            v
        })
        .chain([format!("/rewards?unit={office}")])
        .collect();
    assert_eq!(reward_pages.len(), 4, "{reward_pages:?}");
    // The demo's 2025 scoring of An Giang's clusters (src/demo_emulation.rs).
    let assessment = s
        .assessments_sent(&scope, ag)
        .await
        .expect("assessments")
        .last()
        .expect("the demo's scoring")
        .request
        .request_id;
    let ranking = s
        .assessment_ranking(&scope, assessment, None, None)
        .await
        .expect("ranking");
    let scored = ranking.rows.first().expect("a published result").unit_id;
    let mut problems = vec![];
    for (user, plan_unit, own) in [("admin", tld, kt), ("btv.angiang", ag, ag)] {
        let c = connect(driver.port).await;
        c.goto(&app.url("/login")).await.expect("login page");
        problems.extend(check_page(&c, "/login").await);
        log_in(&c, user).await.expect("log in");
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#todo-items, #todo-empty"))
            .await
            .expect("the to-do page, where a login lands");
        let mut pages: Vec<String> = vec![
            "/todo".into(),
            "/dashboard".into(),
            "/account".into(),
            "/account/tokens".into(),
            "/accounts".into(),
            "/members".into(),
            format!("/members?unit={cdcs}"),
            "/units".into(),
            format!("/units/{cdcs}"),
            format!("/units/{ag}"),
            format!("/clusters?unit={ag}"),
            format!("/clusters/{cluster}"),
            format!("/supervisors/{sup}"),
            format!("/agreements?unit={own}"),
            format!("/plans?unit={plan_unit}"),
            format!("/imports?unit={cdcs}"),
            format!("/forms?unit={own}"),
            format!("/forms/{report_form}?unit={ag}"),
            format!("/reports/{report}?field=members_end"),
            format!("/reports/{report}/units/{cdcs}"),
            "/reports/owed".into(),
            "/audit".into(),
            format!("/directives?unit={ag}"),
            format!("/directives?unit={cdcs}"),
            format!("/directives/new?unit={ag}"),
            format!("/directives/{directive}"),
            format!("/directives/{directive}/units?level={ag}&list=expected"),
            "/models".into(),
            "/models/owed".into(),
            format!("/models/{model}"),
            format!("/emulation?unit={ag}"),
            format!("/emulation/{assessment}/ranking"),
            format!("/emulation/{assessment}/units/{scored}"),
            format!("/emulation/sets/{}", ranking.set_id),
        ];
        pages.push("/rewards".into());
        if user == "admin" {
            pages.push(format!("/agreements/{agreement}"));
            pages.extend(reward_pages.iter().cloned());
        }
        for p in &pages {
            problems.extend(visit(&c, &app, p).await);
        }
        // A member with history, from the CĐCS page.
        c.goto(&app.url(&format!("/units/{cdcs}")))
            .await
            .expect("unit");
        let member = first_member_link(&c).await;
        assert!(!member.is_empty(), "the CĐCS lists members");
        problems.extend(visit(&c, &app, &member).await);
        // A plan with its preview, and an import with its preview and rejected rows.
        if let Some(plan) = generate_plan(&c, &app, plan_unit).await {
            problems.extend(check_page(&c, &plan).await);
        }
        let import = upload(&c, &app, cdcs).await;
        problems.extend(check_page(&c, &import).await);
        problems.extend(visit(&c, &app, &format!("/imports?unit={cdcs}")).await);
        // The error page keeps the header and navigation.
        c.goto(&app.url("/khong-co-trang-nay")).await.expect("404");
        problems.extend(check_page(&c, "404").await);
        if user == "admin" {
            for (name, path) in [
                ("members", "/members".to_string()),
                ("unit", format!("/units/{cdcs}")),
            ] {
                c.goto(&app.url(&path)).await.expect("goto");
                if let Ok(png) = c.screenshot().await {
                    let _ = std::fs::write(format!("/tmp/phone-{name}-{kind:?}.png"), png);
                }
                // And further down, where the lists are.
                let _ = c
                    .execute(
                        "document.querySelector('main table')?.scrollIntoView()",
                        vec![],
                    )
                    .await;
                if let Ok(png) = c.screenshot().await {
                    let _ = std::fs::write(format!("/tmp/phone-{name}-list-{kind:?}.png"), png);
                }
            }
        }
        let _ = c.close().await;
    }
    assert!(
        problems.is_empty(),
        "{} problems at 360 px:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// An unknown address answers a Vietnamese 404 page that keeps the navigation for a
/// logged-in user and offers the login to others; a forbidden page answers 403 in
/// Vietnamese; the API keeps answering JSON.
async fn unknown_and_forbidden_pages_are_vietnamese(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let anon = crate::harness::Browser::new(&app.base);
    let (status, html) = anon.get_html("/khong-co-trang-nay").await;
    assert_eq!(status, 404, "{html}");
    assert!(html.contains("<h1>Không tìm thấy trang</h1>"), "{html}");
    assert!(html.contains("href=\"/login\""), "offers the login: {html}");
    let br = app.login("btv.angiang").await;
    let (status, html) = br.get_html("/khong-co-trang-nay/123").await;
    assert_eq!(status, 404, "{html}");
    assert!(html.contains("<h1>Không tìm thấy trang</h1>"), "{html}");
    assert!(html.contains("lang=\"vi\""), "{html}");
    for link in ["href=\"/members\"", "href=\"/units\"", "Đăng xuất"] {
        assert!(html.contains(link), "{link} in the 404 page: {html}");
    }
    assert!(
        html.contains("/khong-co-trang-nay/123"),
        "names the address"
    );
    // A unit outside the scope is "not found" too, with the navigation.
    let kt = app.unit_id("KT").await;
    let (status, html) = br.get_html(&format!("/units/{kt}")).await;
    assert_eq!(status, 404);
    assert!(
        html.contains("href=\"/members\"") && html.contains("Không tìm thấy"),
        "{html}"
    );
    // A viewer may not add members: 403, in Vietnamese, with the navigation.
    let viewer = app.login("cdcs.viewer").await;
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let (status, html) = viewer.get_html(&format!("/members/new?unit={cdcs}")).await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("<h1>Không có quyền</h1>"), "{html}");
    assert!(
        html.contains("Bạn không có quyền thực hiện thao tác này."),
        "{html}"
    );
    assert!(html.contains("href=\"/members\""), "{html}");
    // The API answers JSON, not a page.
    let r = br.get("/api/v1/khong-co").await;
    assert_eq!(r.status().as_u16(), 404);
    let body: serde_json::Value = r.json().await.expect("JSON");
    assert_eq!(body["code"], "WE0404", "{body}");
}

crate::both_engines!(
    every_list_reads_on_a_phone,
    unknown_and_forbidden_pages_are_vietnamese
);
