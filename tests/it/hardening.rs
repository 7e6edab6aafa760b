//! Safe defaults: no deployment starts with a known password.

use crate::both_engines;
use crate::harness::{Browser, Kind, TestApp};

both_engines!(an_empty_database_gets_one_admin_with_a_random_password);

async fn an_empty_database_gets_one_admin_with_a_random_password(kind: Kind) {
    let Some(app) = TestApp::spawn_with(kind, false).await else {
        return;
    };
    let pw = app
        .running
        .first_admin_password
        .clone()
        .expect("the first start creates the administrator");
    assert!(pw.len() >= 20, "{pw}");
    assert_ne!(pw, congdoan_datagen::DEMO_PASSWORD);
    // The published demo password opens nothing.
    let b = Browser::new(&app.base);
    let r = b.login("admin", congdoan_datagen::DEMO_PASSWORD).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Sai tên đăng nhập hoặc mật khẩu."), "{html}");
    for demo_user in ["btv.angiang", "cdcs.officer"] {
        let r = b.login(demo_user, congdoan_datagen::DEMO_PASSWORD).await;
        assert!(r.text().await.unwrap().contains("Sai tên đăng nhập"));
    }
    // The printed one does.
    let r = b.login("admin", &pw).await;
    assert_ne!(
        r.url().path(),
        "/login",
        "logged in with the printed password"
    );
    // A second start on the same database creates nothing more and prints nothing.
    let url = app.database_url.clone();
    app.running.stop().await.unwrap();
    let again = TestApp::spawn_on(&url, false).await;
    assert!(again.running.first_admin_password.is_none());
    assert_eq!(again.store().account_count().await.unwrap(), 1);
}
