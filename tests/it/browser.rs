//! End to end in headless Chromium (Debian's chromium + chromedriver): log in, walk the
//! tree, add a member with a bad CCCD, read the Vietnamese error, fix it, and find the
//! member without diacritics — on a 360-px phone screen.

use crate::harness::{Kind, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver {
    child: Child,
    port: u16,
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
fn start_driver() -> Option<Driver> {
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

async fn connect(port: u16) -> Client {
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
    c.goto(&app.url("/")).await?;
    c.wait()
        .for_element(Locator::Id("username"))
        .await?
        .send_keys("btv.angiang")
        .await?;
    c.find(Locator::Id("password"))
        .await?
        .send_keys(congdoan_datagen::DEMO_PASSWORD)
        .await?;
    c.find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
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
    let summary = format!("//summary[a[normalize-space()='{}']]/span", parent.name);
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
    c.wait()
        .for_element(Locator::Id("username"))
        .await?
        .send_keys("cdcs.officer")
        .await?;
    c.find(Locator::Id("password"))
        .await?
        .send_keys(congdoan_datagen::DEMO_PASSWORD)
        .await?;
    c.find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
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
