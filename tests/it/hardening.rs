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

both_engines!(pages_are_not_cached_nor_framed_and_uploads_over_the_limit_get_413);

async fn pages_are_not_cached_nor_framed_and_uploads_over_the_limit_get_413(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let b = app.login("cdcs.officer").await;
    // Pages with personal data: no-store, a CSP without inline script, no framing.
    let r = b.get("/members").await;
    let h = r.headers();
    assert_eq!(h["cache-control"], "no-store");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"));
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        h.get("strict-transport-security").is_none(),
        "HSTS only with --secure-cookies"
    );
    // Versioned assets keep their long cache.
    let html = r.text().await.unwrap();
    let css = html
        .split("href=\"")
        .find_map(|s| s.split('"').next().filter(|u| u.ends_with(".css")))
        .expect("a stylesheet")
        .to_string();
    let r = b.get(&css).await;
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // No page carries an inline script.
    for page in ["/", "/members", "/units"] {
        let (_, html) = b.get_html(page).await;
        assert!(!html.contains("<script>"), "{page}");
        assert!(!html.contains(" onsubmit="), "{page}");
        assert!(!html.contains(" onclick="), "{page}");
    }
    // An upload over the limit: 413 and a message naming the limit.
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let (_, page) = b.get_html(&format!("/imports?unit={unit}")).await;
    let csrf = crate::harness::csrf_of(&page);
    let big = vec![b'a'; congdoan_store::MAX_IMPORT_BYTES + 1024 * 1024];
    // The server answers as soon as the limit is passed and may close the connection
    // while the client is still sending: that attempt sees a broken pipe instead of
    // the answer, so try again (a few times at most) until the answer is read.
    let mut answer = None;
    for _ in 0..5 {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("unit", unit.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(big.clone()).file_name("to.csv"),
            );
        if let Ok(r) = b
            .http
            .post(app.url("/imports"))
            .multipart(form)
            .send()
            .await
        {
            answer = Some(r);
            break;
        }
    }
    let r = answer.expect("an answer in five attempts");
    assert_eq!(r.status().as_u16(), 413);
    let text = r.text().await.unwrap();
    assert!(text.contains("Tệp lớn hơn 200 MB"), "{text}");
}

both_engines!(wrong_passwords_slow_down_the_next_attempts_without_locking_out);

async fn wrong_passwords_slow_down_the_next_attempts_without_locking_out(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let b = Browser::new(&app.base);
    for _ in 0..6 {
        let r = b.login("btv.angiang", "sai-mat-khau").await;
        let html = r.text().await.unwrap();
        assert!(html.contains("Sai tên đăng nhập hoặc mật khẩu."), "{html}");
    }
    // Past five failures the account must wait, even with the right password, and
    // the password is not even checked.
    let r = b
        .login("btv.angiang", congdoan_datagen::DEMO_PASSWORD)
        .await;
    assert_eq!(r.status().as_u16(), 429);
    let html = r.text().await.unwrap();
    assert!(html.contains("Vui lòng thử lại sau"), "{html}");
    // Another account from elsewhere is not affected… (same address, under its limit)
    let other = app.login("cdcs.officer").await;
    assert_eq!(other.get("/members").await.status().as_u16(), 200);
    // …and the wait is bounded: after it, the real user gets in.
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let r = b
        .login("btv.angiang", congdoan_datagen::DEMO_PASSWORD)
        .await;
    assert_ne!(r.url().path(), "/login");
    // Every failure, the refusal and the login are in the audit log.
    let log = app
        .store()
        .audit_log(
            &app.admin_scope(),
            &congdoan_store::AuditQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let count = |action: &str| {
        log.iter()
            .filter(|e| e.action == action && e.username == "btv.angiang")
            .count()
    };
    assert_eq!(count("login_failed"), 6);
    assert_eq!(count("login_throttled"), 1);
    assert_eq!(count("login"), 1);
}

both_engines!(a_burst_of_guesses_is_stopped_and_the_real_user_keeps_their_browser);

/// Guesses sent all at once are counted before any password is checked, so only the
/// free ones and the one that crosses get checked; the account then waits — except
/// in the browser its owner logged in from before (its device cookie), which keeps
/// its own count: a guesser elsewhere cannot lock the real user out.
async fn a_burst_of_guesses_is_stopped_and_the_real_user_keeps_their_browser(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let own = Browser::new(&app.base);
    let r = own
        .login("cdcs.officer", congdoan_datagen::DEMO_PASSWORD)
        .await;
    assert_ne!(r.url().path(), "/login");
    let attempts: Vec<_> = (0..30)
        .map(|_| {
            let base = app.base.clone();
            tokio::spawn(async move {
                let b = Browser::new(&base);
                let r = b.login("cdcs.officer", "doan-sai-mat-khau").await;
                r.status().as_u16()
            })
        })
        .collect();
    let mut statuses = vec![];
    for a in attempts {
        statuses.push(a.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 30, "{statuses:?}");
    assert!(checked <= 6, "{checked} guesses were checked: {statuses:?}");
    // A stranger with the right password waits too…
    let stranger = Browser::new(&app.base);
    let r = stranger
        .login("cdcs.officer", congdoan_datagen::DEMO_PASSWORD)
        .await;
    assert_eq!(r.status().as_u16(), 429);
    // …but the owner's browser gets in.
    let r = own
        .login("cdcs.officer", congdoan_datagen::DEMO_PASSWORD)
        .await;
    assert_ne!(r.url().path(), "/login", "{}", r.status());
    assert_eq!(own.get("/members").await.status().as_u16(), 200);
}

both_engines!(api_timestamps_are_rfc3339);

async fn api_timestamps_are_rfc3339(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let api = app.token("admin").await;
    let id = app.unit_id("AG").await;
    let (s, u) = api.get(&format!("/api/v1/units/{id}")).await;
    assert_eq!(s, 200, "{u}");
    for field in ["created_at", "updated_at"] {
        let v = u[field].as_str().unwrap_or_default();
        assert!(
            time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).is_ok(),
            "{field} = {v:?}"
        );
    }
}

both_engines!(demo_accounts_say_so_on_every_page);

async fn demo_accounts_say_so_on_every_page(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let b = app.login("cdcs.officer").await;
    for page in ["/todo", "/members", "/units", "/account"] {
        let (_, html) = b.get_html(page).await;
        assert!(html.contains("id=\"demo-banner\""), "{page}");
        assert!(html.contains("mật khẩu đã công khai"), "{page}");
    }
    // A real deployment's administrator sees no such banner.
    let Some(real) = TestApp::spawn_with(kind, false).await else {
        return;
    };
    let pw = real.running.first_admin_password.clone().unwrap();
    let rb = Browser::new(&real.base);
    let r = rb.login("admin", &pw).await;
    let html = r.text().await.unwrap();
    assert!(!html.contains("id=\"demo-banner\""), "{html}");
}

both_engines!(another_site_cannot_make_a_browser_reveal_or_export);

async fn another_site_cannot_make_a_browser_reveal_or_export(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let b = app.login("cdcs.officer").await;
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let (_, list) = b.get_html(&format!("/members?unit={unit}")).await;
    let member = list
        .split("href=\"/members/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|id| id.bytes().all(|b| b.is_ascii_digit()))
        .expect("a member")
        .to_string();
    let audit_rows = || async {
        app.store()
            .audit_log(
                &app.admin_scope(),
                &congdoan_store::AuditQuery {
                    limit: 500,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "view_personal_data" || e.action == "export")
            .count()
    };
    let before = audit_rows().await;
    for path in [
        format!("/members/{member}?reveal=1"),
        format!("/members/export.csv?unit={unit}"),
        format!("/members/export.xlsx?unit={unit}"),
    ] {
        // What a link or an image on another site would send.
        let r = b
            .http
            .get(app.url(&path))
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "{path}");
        // The same from our own pages works.
        let r = b
            .http
            .get(app.url(&path))
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
    }
    assert_eq!(
        audit_rows().await,
        before + 3,
        "only the same-site views are logged"
    );
}

both_engines!(query_parameters_are_documented_as_such_and_unknown_ones_refused);

async fn query_parameters_are_documented_as_such_and_unknown_ones_refused(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let doc: serde_json::Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Every path parameter is in the path template; query parameters are "in: query".
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                if p["in"] == "path" {
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is declared in the path but is not in it"
                    );
                }
            }
        }
    }
    let units = &doc["paths"]["/api/v1/units"]["get"]["parameters"];
    assert!(
        units
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "parent_id" && p["in"] == "query"),
        "{units}"
    );
    // An unknown query parameter is refused, naming it.
    let api = app.token("btv.angiang").await;
    let (s, body) = api.get("/api/v1/units?parnet=2").await;
    assert_eq!(s, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("parnet"),
        "{body}"
    );
    let (s, _) = api.get("/api/v1/members?q=nguyen").await;
    assert_eq!(s, 200);
}

both_engines!(a_viewer_is_refused_before_anything_is_validated);

async fn a_viewer_is_refused_before_anything_is_validated(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let viewer = app.token("cdcs.viewer").await;
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    // A body that would fail validation, and one naming a unit outside the scope:
    // both 403, so nothing is learnt from the checks.
    for body in [
        serde_json::json!({"unit_id": unit.to_string(), "full_name": "", "birth_date": "31/02/1990"}),
        serde_json::json!({"unit_id": "1", "full_name": "Nguyễn Văn A", "birth_date": "01/01/1990", "sex": "M"}),
    ] {
        let (s, v) = viewer.post("/api/v1/members", body).await;
        assert_eq!(s, 403, "{v}");
    }
    // The viewer may still manage their own tokens.
    let (s, v) = viewer.get("/api/v1/tokens").await;
    assert_eq!(s, 200, "{v}");
    // An officer with bad input still gets the field errors.
    let officer = app.token("cdcs.officer").await;
    let (s, v) = officer
        .post(
            "/api/v1/members",
            serde_json::json!({"unit_id": unit.to_string(), "full_name": "", "birth_date": "31/02/1990"}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
}

both_engines!(personal_data_changes_are_audited_masked);

async fn personal_data_changes_are_audited_masked(kind: Kind) {
    use congdoan_domain::cccd::make_cccd;
    use congdoan_domain::member::Sex;
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let api = app.token("cdcs.officer").await;
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let cccd = make_cccd(89, 1990, Sex::Female, 424_242);
    let form = |phone: &str, salary: &str, version: &str| {
        serde_json::json!({
            "unit_id": unit.to_string(), "full_name": "Đỗ Thị Kiểm", "birth_date": "01/02/1990",
            "sex": "F", "cccd": cccd.as_str(), "phone": phone, "si_salary": salary, "version": version,
            "join_date": "01/03/2015"
        })
    };
    let (s, m) = api
        .post("/api/v1/members", form("0912345678", "", ""))
        .await;
    assert_eq!(s, 200, "{m}");
    let id = m["member_id"].as_i64().unwrap();
    let version = m["version"].as_i64().unwrap().to_string();
    let (s, m) = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/members/{id}"),
            form("0987654321", "5000000", &version),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let log = app
        .store()
        .audit_log(
            &app.admin_scope(),
            &congdoan_store::AuditQuery {
                limit: 20,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let row = log
        .iter()
        .find(|e| e.action == "update" && e.entity == "member" && e.entity_id == Some(id))
        .expect("the update is audited");
    let after = row.after_json.clone().unwrap_or_default();
    let before = row.before_json.clone().unwrap_or_default();
    assert!(after.contains("0987***321"), "{after}");
    assert!(before.contains("0912***678"), "{before}");
    assert!(!after.contains("0987654321") && !before.contains("0912345678"));
    assert!(
        after.contains("đã thay đổi") && !after.contains("5000000"),
        "{after}"
    );
    // The CCCD did not change, so it is not in the row at all.
    assert!(!after.contains("cccd"), "{after}");
}
