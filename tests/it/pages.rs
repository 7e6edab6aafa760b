//! The Vietnamese pages, through HTTP with cookies, as a person without JavaScript uses them.

use crate::both_engines;
use crate::harness::{Browser, Kind, TestApp};

both_engines!(
    login_dashboard_and_language,
    add_member_form_names_bad_fields,
    forms_need_the_csrf_token
);

async fn login_dashboard_and_language(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    // Anonymous visitors are sent to the login form.
    let anon = Browser::new(&app.base);
    let r = anon.get("/members").await;
    assert_eq!(r.url().path(), "/login");
    // A wrong password is refused in Vietnamese.
    let r = anon.login("btv.angiang", "sai-mat-khau").await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Sai tên đăng nhập hoặc mật khẩu."), "{html}");
    let b = app.login("btv.angiang").await;
    let (s, html) = b.get_html("/dashboard").await;
    assert_eq!(s, 200);
    assert!(html.contains("đoàn viên đang sinh hoạt"));
    assert!(html.contains("lang=\"vi\""));
    // The figure on the dashboard is the real count of active members in scope.
    let api = app.token("btv.angiang").await;
    let (_, d) = api.get("/api/v1/dashboard").await;
    let active = d["members_by_status"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "member")
        .unwrap()["n"]
        .as_i64()
        .unwrap();
    assert!(active > 100);
    assert!(
        html.contains(&format!(
            "id=\"active-members\">{}<",
            congdoan_domain::format_int(active)
        )),
        "dashboard shows {active}"
    );
    // Charts a person would rather look at, and the unionisation rate from the same figures.
    for chart in [
        "by-status",
        "by-sex",
        "by-age",
        "by-sector",
        "by-ownership",
        "by-type",
    ] {
        assert!(html.contains(&format!("id=\"{chart}\"")), "chart {chart}");
    }
    let rate = d["unionisation_pct"]
        .as_f64()
        .expect("head counts recorded");
    assert!(rate > 0.0 && rate <= 100.0, "{rate}");
    assert!(
        html.contains(&format!(
            "id=\"unionisation\">{} %<",
            congdoan_domain::money::format_decimal(rate, 1)
        )),
        "rate {rate}"
    );
    let by_age: i64 = d["members_by_age"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["n"].as_i64().unwrap())
        .sum();
    assert_eq!(by_age, active, "every active member has an age band");
    // English on request.
    let r = b
        .http
        .get(app.url("/lang/en"))
        .header("referer", app.url("/units"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/units");
    let html = r.text().await.unwrap();
    assert!(html.contains("Union tree") && html.contains("lang=\"en\""));
    // The tree page lists the user's root with its member count, and expands through a partial.
    let ag = app.unit_id("AG").await;
    let (s, unit_html) = b.get_html(&format!("/units/{ag}")).await;
    assert_eq!(s, 200);
    let total = app
        .store()
        .subtree_member_count(&app.admin_scope(), ag)
        .await
        .unwrap();
    assert!(unit_html.contains(&format!(
        "id=\"subtree-members\">{}<",
        congdoan_domain::format_int(total)
    )));
    let (_, part) = b.get_html(&format!("/units/{ag}/children")).await;
    assert!(
        part.contains("<li>") && !part.contains("<html"),
        "a partial, not a page"
    );
    // Logging out ends the session.
    let (s, url, _) = b.post_form("/", "/logout", &[]).await;
    assert_eq!((s, url.as_str()), (200, "/login"));
    assert_eq!(b.get("/").await.url().path(), "/login");
}

async fn add_member_form_names_bad_fields(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let b = app.login("cdcs.officer").await;
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let page = format!("/members/new?unit={unit}");
    let unit_s = unit.to_string();
    let fields = |cccd: &'static str| {
        vec![
            ("unit_id", unit_s.clone()),
            ("full_name", "Võ Thị Ngọc Hường".to_string()),
            ("birth_date", "07/09/1992".to_string()),
            ("sex", "F".to_string()),
            ("cccd", cccd.to_string()),
            ("phone", "0987 654 321".to_string()),
            ("join_date", "1/3/2015".to_string()),
            ("status", "member".to_string()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let bad = as_refs(&fields("08919212345"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, _, html) = b.post_form(&page, "/members", &bad).await;
    assert_eq!(s, 422);
    assert!(
        html.contains("Số CCCD: phải gồm đúng 12 chữ số") || html.contains("Số CCCD:"),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("Võ Thị Ngọc Hường"), "what was typed is kept");
    let good = as_refs(&fields("089192123456"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, url, html) = b.post_form(&page, "/members", &good).await;
    assert_eq!(s, 200);
    assert!(url.starts_with("/members/"), "{url}");
    assert!(html.contains("Võ Thị Ngọc Hường"));
    assert!(html.contains("089******456"), "CCCD masked by default");
    // Revealing personal data is logged.
    let (_, full) = b.get_html(&format!("{url}?reveal=1")).await;
    assert!(full.contains("089192123456"));
    let api = app.token("cdcs.officer").await;
    let (_, log) = api.get("/api/v1/audit?entity=member").await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "view_personal_data"),
        "{log}"
    );
    // Found by name without accents, in the list page.
    let (_, list) = b.get_html("/members?q=vo%20thi%20ngoc%20huong").await;
    assert!(list.contains("Võ Thị Ngọc Hường"));
}

async fn forms_need_the_csrf_token(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let b = app.login("cdcs.officer").await;
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let r = b
        .http
        .post(app.url("/members"))
        .form(&[
            ("csrf", "forged"),
            ("unit_id", &unit.to_string()),
            ("full_name", "A B"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = b
        .http
        .post(app.url(&format!("/units/{unit}/edit")))
        .form(&[("name", "Đổi tên")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
}
