//! A new official's first directive, clicked through in Chromium on a 360-px phone
//! (issue 14's "done when"): LĐLĐ An Giang's standing-committee member issues a công
//! văn to every CĐCS from the menu, the factory CĐCS's officer finds it on the to-do
//! page, acknowledges it and forwards it to the CĐCS's tổ, and the issuer's board shows
//! the acknowledgement and the forward. Every page on the way is checked for sideways
//! scrolling, split words and serious accessibility findings.

use crate::browser::{connect, log_in, open_menu, start_driver};
use crate::harness::{Kind, TestApp};
use crate::phone::check_page;
use fantoccini::{Client, Locator};
use std::time::Duration;

async fn click(c: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await?
        .click()
        .await
}

async fn fill(c: &Client, css: &str, text: &str) -> Result<(), fantoccini::error::CmdError> {
    let e = c.find(Locator::Css(css)).await?;
    e.clear().await?;
    e.send_keys(text).await
}

/// The text of `main` once it contains `needle` (a click may still be navigating;
/// an element of the page left behind goes stale and is read again).
async fn main_text(c: &Client, needle: &str) -> String {
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

/// Logs out by forgetting the session, then logs in as `who` from the login page.
async fn switch_to(
    c: &Client,
    app: &TestApp,
    who: &str,
) -> Result<(), fantoccini::error::CmdError> {
    c.delete_all_cookies().await?;
    c.goto(&app.url("/login")).await?;
    log_in(c, who).await
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
    let _ = c.close().await;
    result.expect("walkthrough");
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
