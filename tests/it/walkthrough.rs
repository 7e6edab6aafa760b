//! A new official's first directive and first report, clicked through in Chromium on a
//! 360-px phone (issue 14's "done when"). Directive: LĐLĐ An Giang's standing-committee
//! member issues a công văn to every CĐCS from the menu, the factory CĐCS's officer
//! finds it on the to-do page, acknowledges it and forwards it to the CĐCS's tổ, and
//! the issuer's board shows the acknowledgement and the forward. Report: the same
//! member defines a two-field monthly form in the builder, sends it to the CĐCS, the
//! factory's officer fills it from the to-do page, a second CĐCS is filled upstairs,
//! one is returned and corrected, the other approved, and the live roll-up, the
//! chase list and the exports are read. Every page on the way is checked for sideways
//! scrolling, split words and serious accessibility findings.

use crate::browser::{connect, log_in, open_menu, start_driver};
use crate::harness::{Kind, TestApp};
use crate::phone::check_page;
use fantoccini::{Client, Locator};
use std::time::Duration;

pub(crate) async fn click(c: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await?
        .click()
        .await
}

pub(crate) async fn fill(
    c: &Client,
    css: &str,
    text: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let e = c.find(Locator::Css(css)).await?;
    e.clear().await?;
    e.send_keys(text).await
}

/// The text of `main` once it contains `needle` (a click may still be navigating;
/// an element of the page left behind goes stale and is read again).
pub(crate) async fn main_text(c: &Client, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css("main")).await
            && let Ok(t) = e.text().await
        {
            if t.contains(needle) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{needle:?} never showed; the page says:\n{last}");
}

/// The page a failed step left the browser on, to say where it stopped.
pub(crate) async fn where_we_are(c: &Client) -> String {
    let url = c
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    let text = match c.find(Locator::Css("main")).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    format!("at {url}:\n{text}")
}

/// Logs out by forgetting the session, then logs in as `who` from the login page.
pub(crate) async fn switch_to(
    c: &Client,
    app: &TestApp,
    who: &str,
) -> Result<(), fantoccini::error::CmdError> {
    c.delete_all_cookies().await?;
    c.goto(&app.url("/login")).await?;
    log_in(c, who).await?;
    // A login lands on the to-do page: wait for it, so that the next navigation does not
    // race the login's redirect.
    for _ in 0..100 {
        if c.current_url().await?.path() == "/todo"
            && c.find(Locator::Css("#todo-items, #todo-empty"))
                .await
                .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{who} did not land on the to-do page");
}

/// Confirms on whichever confirmation page is shown (the shared one, or one that asks
/// for a field such as a reason).
pub(crate) async fn confirm(c: &Client) -> Result<(), fantoccini::error::CmdError> {
    click(c, "#confirm-yes, #confirm-form button[type=submit]").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directive_goes_down_and_comes_back_on_a_phone() {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(Kind::Sqlite).await else {
        return;
    };
    let c = connect(driver.port).await;
    let mut problems = Vec::new();
    let result = directive_walk(&c, &app, &mut problems).await;
    let at = where_we_are(&c).await;
    let _ = c.close().await;
    result.unwrap_or_else(|e| panic!("walkthrough: {e}\n{at}"));
    assert!(problems.is_empty(), "{problems:#?}");
}

async fn directive_walk(
    c: &Client,
    app: &TestApp,
    problems: &mut Vec<String>,
) -> Result<(), fantoccini::error::CmdError> {
    let summary = "Về việc thăm hỏi công nhân khó khăn dịp Tết";
    let due = crate::reports::today() + time::Duration::days(14);
    let due_vn = congdoan_domain::date::format_vn_date(due);

    // The standing-committee member lands on the to-do page, opens the menu and issues.
    c.goto(&app.url("/login")).await?;
    log_in(c, "btv.angiang").await?;
    c.wait().for_element(Locator::Css("#todo-items")).await?;
    open_menu(c).await?;
    c.find(Locator::LinkText("Chỉ đạo, văn bản"))
        .await?
        .click()
        .await?;
    c.wait().for_element(Locator::Css("#issue-new")).await?;
    problems.extend(check_page(c, "directives of the issuer").await);
    click(c, "#issue-new").await?;
    c.wait()
        .for_element(Locator::Css("#send-directive"))
        .await?;
    problems.extend(check_page(c, "new directive").await);
    c.find(Locator::Css("#doc_type"))
        .await?
        .select_by_value("CV")
        .await?;
    fill(c, "#summary", summary).await?;
    fill(c, "#due_on", &due_vn).await?;
    click(c, "input[name=target_kind][value=types]").await?;
    click(c, "input[name=types][value=CDCS]").await?;
    click(c, "#send-directive").await?;

    // The confirmation restates whom it reaches before anything is sent.
    let confirm = main_text(c, "Xác nhận ban hành").await;
    assert!(confirm.contains(summary), "{confirm}");
    assert!(confirm.contains("Công đoàn cơ sở"), "{confirm}");
    problems.extend(check_page(c, "directive confirmation").await);
    click(c, "#confirm-yes").await?;
    main_text(c, "Đã ban hành và gửi văn bản tới các đơn vị nhận.").await;
    let directive_url = c.current_url().await?;
    let directive_path = directive_url.path().to_string();
    problems.extend(check_page(c, "directive board").await);

    // The factory CĐCS's officer finds it on the to-do page and acknowledges it.
    switch_to(c, app, "cdcs.officer").await?;
    click(c, "li[data-kind=directive_ack] a").await?;
    c.wait().for_element(Locator::Css("#owed")).await?;
    problems.extend(check_page(c, "directives owed").await);
    click(c, &format!("#owed-list a[href^='{directive_path}?']")).await?;
    main_text(c, &format!("hạn {due_vn}")).await;
    problems.extend(check_page(c, "directive at the CĐCS").await);
    click(c, "#acknowledge").await?;
    main_text(c, "Đã xác nhận đã nhận văn bản.").await;

    // … and forwards it to its tổ công đoàn, with its own instructions.
    click(c, "main a[href*='/forward']").await?;
    c.wait().for_element(Locator::Css("#forward-next")).await?;
    problems.extend(check_page(c, "forward").await);
    click(c, "input[name=target_kind][value=types]").await?;
    click(c, "input[name=types][value=TO_CD]").await?;
    fill(
        c,
        "textarea[name=instructions]",
        "Các tổ lập danh sách công nhân khó khăn gửi BCH trước ngày 15.",
    )
    .await?;
    click(c, "#forward-next").await?;
    main_text(c, "Tổ công đoàn").await;
    click(c, "#confirm-yes").await?;
    main_text(c, "Đã chuyển tiếp văn bản xuống các đơn vị trực thuộc.").await;
    problems.extend(check_page(c, "directive after forwarding").await);

    // The issuer's board counts the acknowledgement and the forward.
    switch_to(c, app, "btv.angiang").await?;
    c.goto(&app.url(&directive_path)).await?;
    main_text(c, "đã xác nhận").await;
    for (figure, n) in [("acknowledged", "1"), ("forwarded", "1")] {
        let shown = c
            .find(Locator::Css(&format!("a[data-figure={figure}]")))
            .await?
            .text()
            .await?;
        assert_eq!(shown, n, "{figure} on the issuer's board");
    }
    let propagation = c.find(Locator::Id("propagation")).await?.text().await?;
    assert!(propagation.contains("1 CĐCS đã xác nhận"), "{propagation}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_is_defined_filled_reviewed_and_rolled_up_on_a_phone() {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(Kind::Sqlite).await else {
        return;
    };
    let c = connect(driver.port).await;
    let mut problems = Vec::new();
    let result = report_walk(&c, &app, &mut problems).await;
    let at = where_we_are(&c).await;
    let _ = c.close().await;
    result.unwrap_or_else(|e| panic!("walkthrough: {e}\n{at}"));
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Status and content type of a download, fetched by the page itself (its session).
pub(crate) async fn download(
    c: &Client,
    path: &str,
) -> Result<serde_json::Value, fantoccini::error::CmdError> {
    c.execute_async(
        "const [p, done] = arguments; fetch(p).then(r => r.arrayBuffer().then(b => \
         done([r.status, r.headers.get('content-type'), b.byteLength]))).catch(e => done(String(e)));",
        vec![serde_json::json!(path)],
    )
    .await
}

async fn report_walk(
    c: &Client,
    app: &TestApp,
    problems: &mut Vec<String>,
) -> Result<(), fantoccini::error::CmdError> {
    let factory = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let other = app.unit_id(congdoan_datagen::DEMO_OTHER_CDCS_CODE).await;

    // Define the form in the builder, from the menu.
    c.goto(&app.url("/login")).await?;
    log_in(c, "btv.angiang").await?;
    c.wait().for_element(Locator::Css("#todo-items")).await?;
    open_menu(c).await?;
    c.find(Locator::LinkText("Báo cáo")).await?.click().await?;
    click(c, "main a[href^='/forms/new']").await?;
    c.wait()
        .for_element(Locator::Css("#add-field-button"))
        .await?;
    fill(c, "#title", "Báo cáo nhanh công nhân khó khăn dịp Tết").await?;
    fill(c, "#code", "BC-TET").await?;
    c.find(Locator::Css("#period"))
        .await?
        .select_by_value("month")
        .await?;
    fill(c, "#due_days", "5").await?;
    // CĐCS fill it: the builder's default.
    let cdcs = c
        .find(Locator::Css("input[name=filled_by][value=CDCS]"))
        .await?;
    if !cdcs.is_selected().await? {
        cdcs.click().await?;
    }
    fill(c, "#f_key", "doan_vien").await?;
    fill(c, "#f_label", "Đoàn viên cuối kỳ").await?;
    // The register prefill is among the field's further options, folded on a phone.
    if c.find(Locator::Css("#field-more"))
        .await?
        .attr("open")
        .await?
        .is_none()
    {
        click(c, "#field-more > summary").await?;
    }
    c.find(Locator::Css("#f_prefill"))
        .await?
        .select_by_value("members_at_end")
        .await?;
    click(c, "#add-field-button").await?;
    c.wait().for_element(Locator::Css("#bf-doan_vien")).await?;
    fill(c, "#f_key", "kho_khan").await?;
    fill(c, "#f_label", "Công nhân khó khăn cần hỗ trợ").await?;
    click(c, "input[name=f_required]").await?;
    click(c, "#add-field-button").await?;
    c.wait().for_element(Locator::Css("#bf-kho_khan")).await?;
    problems.extend(check_page(c, "form builder with two fields").await);
    click(c, "#create-button").await?;
    main_text(c, "2").await;
    problems.extend(check_page(c, "form confirmation").await);
    click(c, "#confirm-yes").await?;
    c.wait().for_element(Locator::Css("#send")).await?;

    // Send last month's period to the CĐCS.
    click(c, "#send").await?;
    c.wait().for_element(Locator::Css("#confirm-yes")).await?;
    click(c, "#confirm-yes").await?;
    main_text(c, "Đã gửi yêu cầu báo cáo tới các đơn vị.").await;
    let report = c.current_url().await?.path().to_string();
    problems.extend(check_page(c, "report board, nothing received").await);

    // The factory's officer fills it from the to-do page.
    switch_to(c, app, "cdcs.officer").await?;
    click(c, "li[data-kind=reports_due] a").await?;
    c.wait().for_element(Locator::Css("main")).await?;
    if c.current_url().await?.path() == "/reports/owed" {
        problems.extend(check_page(c, "reports owed").await);
        click(c, &format!("main a[href^='{report}/units/']")).await?;
    }
    c.wait().for_element(Locator::Css("#in-kho_khan")).await?;
    problems.extend(check_page(c, "report to fill").await);
    let prefilled = c
        .find(Locator::Css("#in-doan_vien"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert!(
        prefilled.parse::<i64>().is_ok_and(|n| n > 0),
        "members prefilled from the register: {prefilled:?}"
    );
    fill(c, "#in-kho_khan", "12").await?;
    click(c, "#submit-report").await?;
    main_text(c, "Đã gửi báo cáo.").await;

    // Upstairs: fill for a second CĐCS, return the first, approve the second.
    switch_to(c, app, "btv.angiang").await?;
    c.goto(&app.url(&format!("{report}/units/{other}"))).await?;
    c.wait().for_element(Locator::Css("#in-kho_khan")).await?;
    fill(c, "#in-kho_khan", "7").await?;
    click(c, "#submit-report").await?;
    main_text(c, "Đã gửi báo cáo.").await;
    c.goto(&app.url(&format!("{report}/units/{factory}")))
        .await?;
    click(c, "#return").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#confirm-form input[name=reason]"))
        .await?;
    fill(
        c,
        "#confirm-form input[name=reason]",
        "Số công nhân khó khăn chưa khớp danh sách gửi kèm.",
    )
    .await?;
    confirm(c).await?;
    main_text(c, "Đã trả lại báo cáo để sửa.").await;
    c.goto(&app.url(&format!("{report}/units/{other}"))).await?;
    click(c, "#approve").await?;
    confirm(c).await?;
    main_text(c, "Đã duyệt báo cáo.").await;

    // The factory corrects and resubmits from its to-do page.
    switch_to(c, app, "cdcs.officer").await?;
    click(c, "li[data-kind=reports_returned] a").await?;
    c.wait().for_element(Locator::Css("main")).await?;
    if c.current_url().await?.path() == "/reports/owed" {
        click(c, &format!("main a[href^='{report}/units/']")).await?;
    }
    c.wait().for_element(Locator::Css("#in-kho_khan")).await?;
    fill(c, "#in-kho_khan", "15").await?;
    click(c, "#submit-report").await?;
    main_text(c, "Đã gửi báo cáo.").await;

    // The live roll-up, the reviewer's view of the change, and the exports.
    switch_to(c, app, "btv.angiang").await?;
    c.goto(&app.url(&format!("{report}/units/{factory}")))
        .await?;
    let changes = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("changes"))
        .await?
        .text()
        .await?;
    assert!(
        changes.contains("12") && changes.contains("15"),
        "{changes}"
    );
    c.goto(&app.url(&report)).await?;
    main_text(c, "Tổng hợp số liệu").await;
    let cell = c.find(Locator::Css("#cell-kho_khan")).await?.text().await?;
    assert!(cell.ends_with("22"), "15 + 7 rolled up live: {cell}");
    let received = c.find(Locator::Id("received")).await?.text().await?;
    assert!(received.starts_with("2/"), "{received}");
    problems.extend(check_page(c, "report board with the roll-up").await);
    let rid = report.trim_start_matches("/reports/");
    for (path, kind) in [
        (format!("{report}/rollup.xlsx"), "spreadsheetml"),
        (format!("/requests/{rid}/export.pdf"), "pdf"),
    ] {
        let got = download(c, &path).await?;
        assert_eq!(got[0], 200, "{path}: {got}");
        assert!(
            got[1].as_str().unwrap_or("").contains(kind),
            "{path}: {got}"
        );
        assert!(got[2].as_i64().unwrap_or(0) > 1000, "{path}: {got}");
    }
    Ok(())
}
