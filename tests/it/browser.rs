//! End to end in headless Chromium (Debian's chromium + chromedriver): log in, walk the
//! tree, add a member with a bad CCCD, read the Vietnamese error, fix it, and find the
//! member without diacritics — on a 360-px phone screen.

use crate::harness::{Kind, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) struct Driver {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts chromedriver, or returns None (a failure when all engines are required).
pub(crate) fn start_driver() -> Option<Driver> {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    if !std::path::Path::new(&bin).exists() {
        if std::env::var("CONGDOAN_REQUIRE_ALL_ENGINES").is_ok() {
            panic!("chromedriver not found at {bin}");
        }
        eprintln!("skipping the browser test: no chromedriver at {bin}");
        return None;
    }
    let port = free_port();
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    Some(Driver { child, port })
}

pub(crate) async fn connect(port: u16) -> Client {
    let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let dir = std::env::temp_dir().join(format!("congdoan-chrome-{port}"));
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chrome,
            "mobileEmulation": {"deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2.0}},
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=360,800",
                     format!("--user-data-dir={}", dir.display())]
        }
    });
    let caps = caps.as_object().cloned().unwrap_or_default();
    for _ in 0..50 {
        if let Ok(c) = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("could not connect to chromedriver");
}

/// Fills and sends the login form on the current page as a demo account.
pub(crate) async fn log_in(c: &Client, username: &str) -> Result<(), fantoccini::error::CmdError> {
    c.wait()
        .for_element(Locator::Id("username"))
        .await?
        .send_keys(username)
        .await?;
    c.find(Locator::Id("password"))
        .await?
        .send_keys(congdoan_datagen::DEMO_PASSWORD)
        .await?;
    c.find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await
}

/// Opens the header's menu (closed on a phone) so that its links can be clicked.
pub(crate) async fn open_menu(c: &Client) -> Result<(), fantoccini::error::CmdError> {
    let open = c
        .execute(
            "const m = document.querySelector('header details.menu'); return !m || m.open",
            vec![],
        )
        .await?;
    if open == serde_json::Value::Bool(false) {
        c.find(Locator::Css("header details.menu > summary"))
            .await?
            .click()
            .await?;
    }
    Ok(())
}

async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .expect(css)
        .text()
        .await
        .expect("text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_adds_a_member_on_a_phone() {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(Kind::Sqlite).await else {
        return;
    };
    let c = connect(driver.port).await;
    let result = scenario(&c, &app).await;
    let _ = c.close().await;
    result.expect("scenario");
}

async fn scenario(c: &Client, app: &TestApp) -> Result<(), fantoccini::error::CmdError> {
    // Log in.
    c.goto(&app.url("/dashboard")).await?;
    log_in(c, "btv.angiang").await?;
    let shown = text_of(c, "#active-members").await;
    assert!(!shown.is_empty());
    // Nothing overflows a 360-px phone screen.
    let w = c
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth]",
            vec![],
        )
        .await?;
    assert_eq!(
        w,
        serde_json::json!([360, 360]),
        "viewport and page width on a 360-px phone"
    );
    // Walk the tree: the root (LĐLĐ An Giang) opens with its sub-units; the CĐCS's
    // managing parent expands in place through htmx, then the CĐCS opens.
    open_menu(c).await?;
    c.find(Locator::LinkText("Cây tổ chức"))
        .await?
        .click()
        .await?;
    let scope = app.admin_scope();
    let cdcs = app
        .store()
        .unit(&scope, app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await)
        .await
        .expect("unit");
    let parent = app
        .store()
        .unit(&scope, cdcs.parent_id.expect("a parent"))
        .await
        .expect("parent");
    let unit_name = cdcs.name.clone();
    c.wait().for_element(Locator::Css("ul.tree.root")).await?;
    assert!(
        c.find_all(Locator::LinkText(&unit_name)).await?.is_empty(),
        "not loaded before expanding"
    );
    let summary = format!(
        "//li[a[normalize-space()='{}']]/details/summary",
        parent.name
    );
    c.find(Locator::XPath(&summary)).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText(&unit_name))
        .await?
        .click()
        .await?;
    assert_eq!(text_of(c, "h1").await, unit_name);
    // Add a member with a bad CCCD.
    c.find(Locator::Id("add-member")).await?.click().await?;
    c.wait()
        .for_element(Locator::Id("full_name"))
        .await?
        .send_keys("Lương Thị Đào")
        .await?;
    c.find(Locator::Id("birth_date"))
        .await?
        .send_keys("21/11/1994")
        .await?;
    c.find(Locator::Css("select#sex option[value=F]"))
        .await?
        .click()
        .await?;
    c.find(Locator::Id("cccd"))
        .await?
        .send_keys("999194012345")
        .await?;
    c.find(Locator::Id("join_date"))
        .await?
        .send_keys("02/05/2018")
        .await?;
    c.find(Locator::Id("save-member")).await?.click().await?;
    let err = text_of(c, "#cccd-error").await;
    assert!(
        err.starts_with("Số CCCD:"),
        "Vietnamese error naming the field: {err}"
    );
    assert!(err.contains("999"), "{err}");
    // Fix it.
    let cccd = c.find(Locator::Id("cccd")).await?;
    cccd.clear().await?;
    cccd.send_keys("089194012345").await?;
    c.find(Locator::Id("save-member")).await?.click().await?;
    assert_eq!(text_of(c, "#member-name").await, "Lương Thị Đào");
    // Find her without diacritics, live (htmx) from the member list.
    open_menu(c).await?;
    c.find(Locator::LinkText("Đoàn viên"))
        .await?
        .click()
        .await?;
    c.wait()
        .for_element(Locator::Id("q"))
        .await?
        .send_keys("luong thi dao")
        .await?;
    let found = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText("Lương Thị Đào"))
        .await;
    assert!(found.is_ok(), "the member is found without diacritics");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_imports_an_excel_file_on_a_phone() {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(Kind::Sqlite).await else {
        return;
    };
    let c = connect(driver.port).await;
    let result = import_scenario(&c, &app).await;
    let _ = c.close().await;
    result.expect("import scenario");
}

/// Upload a union's own xlsx from the CĐCS page, watch the progress (htmx polling),
/// read the preview and the problem rows, confirm, and see the members arrive.
async fn import_scenario(c: &Client, app: &TestApp) -> Result<(), fantoccini::error::CmdError> {
    let scope = app.admin_scope();
    let code = congdoan_datagen::DEMO_CDCS_CODE;
    let cdcs = app.unit_id(code).await;
    let to1 = app
        .store()
        .unit_by_code(&scope, &format!("{code}-T01"))
        .await
        .expect("tổ");
    let file = crate::imports::temp_file("tu-may-dien-thoai.xlsx");
    crate::imports::union_workbook(
        &file,
        &to1.name,
        &format!("{code}-T02"),
        ("", "01/01/1980", "Nam"),
    );
    c.goto(&app.url(&format!("/login?next=/units/{cdcs}")))
        .await?;
    log_in(c, "cdcs.officer").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("import-members"))
        .await?
        .click()
        .await?;
    c.wait()
        .for_element(Locator::Id("file"))
        .await?
        .send_keys(&file.to_string_lossy())
        .await?;
    c.find(Locator::Css("#upload-form button[type=submit]"))
        .await?
        .click()
        .await?;
    // The status block polls until the analysis is done, then the page reloads whole.
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("confirm-import"))
        .await?;
    assert_eq!(text_of(c, "#valid-rows").await, "4");
    // Row 11 carries no CCCD here, so it is valid; the four other problem rows are not.
    let rejected = text_of(c, "#rejected-rows").await;
    assert_eq!(rejected, "4", "rejected rows");
    let preview = text_of(c, "#import-preview").await;
    assert!(preview.contains("Nguyễn Thị Lan"), "{preview}");
    let problems = text_of(c, "#import-rejects").await;
    assert!(problems.contains("Tổ 99"), "{problems}");
    let w = c
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth]",
            vec![],
        )
        .await?;
    assert_eq!(
        w,
        serde_json::json!([360, 360]),
        "the page fits a 360-px phone"
    );
    c.find(Locator::Id("confirm-import")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("undo-import"))
        .await?;
    let state = text_of(c, "#import-state").await;
    assert_eq!(state, "Đã nhập xong");
    Ok(())
}

/// Polls the text of `css` until it satisfies `ok`, for at most 20 s; returns the last text.
async fn text_until(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if ok(&t) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reproduces_the_2025_reform_on_a_phone() {
    let Some(driver) = start_driver() else { return };
    let Some(app) = TestApp::spawn(Kind::Sqlite).await else {
        return;
    };
    let c = connect(driver.port).await;
    let result = reform_scenario(&c, &app).await;
    let _ = c.close().await;
    result.expect("reform scenario");
}

/// The 2025 reform on a phone: generate the plan merging Kiên Giang into An Giang, read
/// its note, operations and preview, apply it, then see history kept in the tree as of
/// 2019, today's tree without Kiên Giang, a factory union with no level left above it,
/// and the emulation clusters still there.
async fn reform_scenario(c: &Client, app: &TestApp) -> Result<(), fantoccini::error::CmdError> {
    let tld = app.unit_id("TLD").await;
    let (ag, kg) = (app.unit_id("AG").await, app.unit_id("KG").await);
    let factory = app.unit_id("KG-CDCS-009").await;
    const KIEN_GIANG: &str = "Liên đoàn Lao động tỉnh Kiên Giang";
    // Log in.
    c.goto(&app.url("/dashboard")).await?;
    log_in(c, "admin").await?;
    assert!(!text_of(c, "#active-members").await.is_empty());
    // Generate the reform from the TLĐ's plans: An Giang receives Kiên Giang.
    c.goto(&app.url(&format!("/plans?unit={tld}"))).await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#reform-2025 select#federation"))
        .await?
        .select_by_value(&ag.to_string())
        .await?;
    c.find(Locator::Css(&format!(
        "#reform-2025 input[name=merged][value='{kg}']"
    )))
    .await?
    .click()
    .await?;
    let name = c.find(Locator::Id("reform_name")).await?;
    assert!(!name.prop("value").await?.unwrap_or_default().is_empty());
    let date = c.find(Locator::Id("reform_date")).await?;
    assert_eq!(date.prop("value").await?.as_deref(), Some("01/07/2025"));
    c.find(Locator::Css("#reform-2025 button[type=submit]"))
        .await?
        .click()
        .await?;
    // The generated plan explains itself, lists its operations and previews the impact.
    let note = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("plan-note"))
        .await?
        .text()
        .await?;
    assert!(
        note.contains(
            "Liên đoàn Lao động tỉnh Kiên Giang sáp nhập vào Liên đoàn Lao động tỉnh An Giang"
        ),
        "{note}"
    );
    let url = c.current_url().await?;
    let plan_id: i64 = url
        .path()
        .trim_start_matches("/plans/")
        .parse()
        .expect("on the plan's page");
    let ops = c.find_all(Locator::Css("#plan-ops > li")).await?;
    assert!(ops.len() > 3, "several operations: {}", ops.len());
    assert_eq!(text_of(c, "#preview").await, "Xem trước tác động");
    assert!(
        c.find_all(Locator::Id("plan-error")).await?.is_empty(),
        "the preview has no error"
    );
    // Apply it: the button opens a confirmation restating the impact, then applies.
    let source = c.source().await?;
    assert!(
        source.contains(&format!("action=\"/plans/{plan_id}/apply\"")),
        "the apply form is offered"
    );
    c.find(Locator::Css("#apply-plan button[type=submit]"))
        .await?
        .click()
        .await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("confirm-yes"))
        .await?
        .click()
        .await?;
    let status = text_until(c, "#plan-status", |t| t == "Đã áp dụng").await;
    assert_eq!(status, "Đã áp dụng");
    assert!(
        c.find_all(Locator::Id("apply-plan")).await?.is_empty(),
        "an applied plan cannot be applied again"
    );
    // History is kept: in 2019 Kiên Giang is there, and Long Xuyên under An Giang
    // (loaded through htmx when An Giang's branch is opened).
    c.goto(&app.url("/units?as_of=01/06/2019")).await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("ul.tree.root"))
        .await?;
    let tree = text_of(c, "ul.tree.root").await;
    assert!(tree.contains(KIEN_GIANG), "{tree}");
    let an_giang = format!("//li[a[starts-with(@href, '/units/{ag}?')]]/details/summary");
    c.find(Locator::XPath(&an_giang)).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText("Liên đoàn Lao động thành phố Long Xuyên"))
        .await?;
    let body = text_of(c, "body").await;
    assert!(body.contains(KIEN_GIANG), "{body}");
    assert!(
        body.contains("Liên đoàn Lao động thành phố Long Xuyên"),
        "{body}"
    );
    // Today Kiên Giang has ended: the tree no longer lists it.
    c.goto(&app.url("/units")).await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("ul.tree.root"))
        .await?;
    let tree = text_of(c, "ul.tree.root").await;
    assert!(!tree.contains(KIEN_GIANG), "{tree}");
    assert!(tree.contains("Liên đoàn Lao động tỉnh An Giang"), "{tree}");
    // A Kiên Giang factory union now sits right under the provincial federation.
    c.goto(&app.url(&format!("/units/{factory}"))).await?;
    assert_eq!(text_of(c, "#intermediaries-n").await, "0");
    // Supervising CĐCS by cluster still works after the reform.
    c.goto(&app.url(&format!("/clusters?unit={ag}"))).await?;
    let body = text_of(c, "body").await;
    assert!(body.contains("Cụm"), "{body}");
    let rows = c.find_all(Locator::Css("#clusters tbody tr")).await?;
    assert!(!rows.is_empty(), "An Giang's clusters are listed: {body}");
    Ok(())
}
