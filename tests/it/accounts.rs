//! Accounts in the browser and the API: officers create accounts in their subtree with
//! a temporary password that must be changed, passwords are checked for strength,
//! resets and disabling take effect at once, API tokens are listed, expire, are revoked
//! and audited.

use crate::both_engines;
use crate::harness::{Browser, Kind, TestApp};
use congdoan_store::AuditQuery;
use serde_json::json;

both_engines!(
    officer_creates_an_account_that_must_change_its_password,
    officers_stay_inside_their_subtree,
    reset_and_disable_take_effect_at_once,
    tokens_are_listed_revoked_expire_and_audited
);

/// The text between `start` and the next `<`.
fn text_after(html: &str, start: &str) -> String {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    html[i..].split('<').next().unwrap_or_default().to_string()
}

fn temp_password(html: &str) -> String {
    text_after(html, "id=\"temp-password\" class=\"secret\">")
}

async fn audit_actions(app: &TestApp, entity: &str, id: i64) -> Vec<String> {
    app.store()
        .audit_log(
            &app.admin_scope(),
            &AuditQuery {
                entity: Some(entity.into()),
                entity_id: Some(id),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn officer_creates_an_account_that_must_change_its_password(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let btv = app.login("btv.angiang").await;
    let (s, html) = btv.get_html("/accounts/new").await;
    assert_eq!(s, 200);
    // The officer's own unit is offered; administrators are not.
    assert!(html.contains("value=\"AG\""), "{html}");
    assert!(!html.contains("value=\"admin\""));
    let (s, _, html) = btv
        .post_form(
            "/accounts/new",
            "/accounts",
            &[
                ("username", "nv.angiang"),
                ("display_name", "Nguyễn Văn An"),
                ("unit_code", "AG"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Đã tạo tài khoản nv.angiang."), "{html}");
    let temp = temp_password(&html);
    assert_eq!(temp.len(), 14, "{temp}");
    let id = app
        .store()
        .account_by_username("nv.angiang")
        .await
        .unwrap()
        .account_id;
    assert!(
        audit_actions(&app, "account", id)
            .await
            .contains(&"create".to_string())
    );
    // The officer's list shows it, and not the accounts of another province.
    let (_, list) = btv.get_html("/accounts?q=angiang").await;
    assert!(list.contains("nv.angiang"), "{list}");
    let (_, list) = btv.get_html("/accounts").await;
    assert!(!list.contains("lddl.kontum"), "{list}");
    assert!(list.contains("Chờ đổi mật khẩu"), "{list}");

    // The new person logs in and is held on the password page until they change it.
    let me = Browser::new(&app.base);
    let r = me.login("nv.angiang", &temp).await;
    assert_eq!(r.url().path(), "/account/password");
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"forced-change\""), "{html}");
    assert_eq!(me.get("/members").await.url().path(), "/account/password");
    // Weak passwords are refused, in Vietnamese, naming the field.
    for (weak, message) in [
        ("matkhau123", "Mật khẩu mới: quá phổ biến, dễ bị đoán"),
        ("ngan-qua", "Mật khẩu mới: cần ít nhất 10 ký tự."),
        (
            "aaaaaaaaaaaa",
            "Mật khẩu mới: không được chỉ lặp lại một ký tự.",
        ),
        (
            "xx-nv.angiang-xx",
            "Mật khẩu mới: không được trùng hoặc chứa tên đăng nhập.",
        ),
    ] {
        let (s, url, html) = me
            .post_form(
                "/account/password",
                "/account/password",
                &[
                    ("current_password", temp.as_str()),
                    ("new_password", weak),
                    ("new_password2", weak),
                    ("only", "1"),
                ],
            )
            .await;
        assert_eq!((s, url.as_str()), (422, "/account/password"), "{weak}");
        assert!(html.contains(message), "{weak}: {html}");
        assert!(html.contains("role=\"alert\" id=\"form-errors\""));
        assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"new_password-error\""));
    }
    // A wrong current password and a mismatched repeat are named too.
    let (s, _, html) = me
        .post_form(
            "/account/password",
            "/account/password",
            &[
                ("current_password", "khong-dung-dau"),
                ("new_password", "song-hong-chay-ra-bien"),
                ("new_password2", "song-hong-chay-ra-bien!"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("Mật khẩu hiện tại: không đúng."), "{html}");
    assert!(
        html.contains("Nhập lại mật khẩu mới: không khớp với mật khẩu mới."),
        "{html}"
    );
    let (s, url, html) = me
        .post_form(
            "/account/password",
            "/account/password",
            &[
                ("current_password", temp.as_str()),
                ("new_password", "song-hong-chay-ra-bien"),
                ("new_password2", "song-hong-chay-ra-bien"),
            ],
        )
        .await;
    assert_eq!((s, url.as_str()), (200, "/account"), "{html}");
    assert!(html.contains("Đã đổi mật khẩu."), "{html}");
    assert!(html.contains("Tài khoản của tôi"));
    assert!(html.contains("Chỉ xem"), "the role is shown: {html}");
    // Free to use the pages now, and the old password is gone.
    assert_eq!(me.get("/members").await.url().path(), "/members");
    let again = Browser::new(&app.base);
    assert_eq!(
        again.login("nv.angiang", &temp).await.url().path(),
        "/login"
    );
    assert_eq!(
        again
            .login("nv.angiang", "song-hong-chay-ra-bien")
            .await
            .url()
            .path(),
        "/todo"
    );
    assert!(
        audit_actions(&app, "account", id)
            .await
            .contains(&"change_password".to_string())
    );
}

async fn officers_stay_inside_their_subtree(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let btv = app.login("btv.angiang").await;
    // A unit of another province is "not among the units you manage", on the form.
    let (s, _, html) = btv
        .post_form(
            "/accounts/new",
            "/accounts",
            &[
                ("username", "nv.kontum"),
                ("display_name", "Người ngoài"),
                ("unit_code", "KT"),
                ("role", "officer"),
            ],
        )
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(
        html.contains("Mã đơn vị: không có đơn vị mã «KT» trong phạm vi bạn quản lý."),
        "{html}"
    );
    assert!(html.contains("value=\"nv.kontum\""), "input kept");
    // Nor may an officer make an administrator.
    let (s, _, html) = btv
        .post_form(
            "/accounts/new",
            "/accounts",
            &[
                ("username", "nv.admin"),
                ("display_name", "X"),
                ("unit_code", "AG"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("Vai trò: «admin» không hợp lệ"), "{html}");
    assert!(
        app.store().account_by_username("nv.kontum").await.is_err()
            && app.store().account_by_username("nv.admin").await.is_err()
    );
    // Through the API: a unit outside is not found; an account outside is not found.
    let api = app.token("btv.angiang").await;
    let kt = app.unit_id("KT").await;
    let (s, _) = api
        .post(
            "/api/v1/accounts",
            json!({"username": "nv.kontum", "display_name": "X", "unit_id": kt, "role": "viewer"}),
        )
        .await;
    assert_eq!(s, 404);
    let kontum = app
        .store()
        .account_by_username("lddl.kontum")
        .await
        .unwrap()
        .account_id;
    for path in ["reset-password", "disable", "enable"] {
        let (s, v) = api
            .post(&format!("/api/v1/accounts/{kontum}/{path}"), json!({}))
            .await;
        assert_eq!(s, 404, "{path}: {v}");
    }
    let (s, _) = btv.get_html(&format!("/accounts/{kontum}")).await;
    assert_eq!(s, 404);
    let (s, _) = btv.get_html(&format!("/accounts/{kontum}/disable")).await;
    assert_eq!(s, 404);
    let (_, list) = api.get("/api/v1/accounts").await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"lddl.kontum") && !names.contains(&"admin"),
        "{names:?}"
    );
    // Inside, the API creates with a temporary password shown once.
    let (s, v) = api
        .post(
            "/api/v1/accounts",
            json!({"username": "ketoan.ag", "display_name": "Kế toán", "unit_code": "AG", "role": "officer"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["account"]["must_change_password"], true);
    assert_eq!(v["account"]["grants"][0]["role"], "officer");
    assert_eq!(v["temporary_password"].as_str().unwrap().len(), 14, "{v}");
    // A viewer manages nobody.
    let viewer = app.login("cdcs.viewer").await;
    let (s, _) = viewer.get_html("/accounts").await;
    assert_eq!(s, 403);
}

async fn reset_and_disable_take_effect_at_once(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let btv = app.login("btv.angiang").await;
    let api = app.token("btv.angiang").await;
    let (s, v) = api
        .post(
            "/api/v1/accounts",
            json!({"username": "thuky.ag", "display_name": "Thư ký", "unit_code": "AG", "role": "officer"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let id = v["account"]["account_id"].as_i64().unwrap();
    let temp = v["temporary_password"].as_str().unwrap().to_string();
    // The person sets their password, and makes a token.
    let person = Browser::new(&app.base);
    person.login("thuky.ag", &temp).await;
    let (_, url, _) = person
        .post_form(
            "/account/password",
            "/account/password",
            &[
                ("current_password", temp.as_str()),
                ("new_password", "mua-xuan-tren-song-hau"),
                ("new_password2", "mua-xuan-tren-song-hau"),
            ],
        )
        .await;
    assert_eq!(url, "/account");
    let (s, _, html) = person
        .post_form(
            "/account/tokens",
            "/account/tokens",
            &[
                ("name", "bảng tính"),
                ("expires_days", "30"),
                ("password", "mua-xuan-tren-song-hau"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    let token = text_after(&html, "id=\"new-token\" class=\"secret\">");
    let me = |t: String| {
        let url = app.url("/api/v1/me");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(token.clone()).await, 200);

    // Reset: the page restates the impact, then shows the new temporary password once.
    let (s, html) = btv.get_html(&format!("/accounts/{id}/reset")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("mọi phiên đăng nhập của người này bị đăng xuất"),
        "{html}"
    );
    let (s, _, html) = btv
        .post_form(
            &format!("/accounts/{id}/reset"),
            &format!("/accounts/{id}/reset"),
            &[],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Đã đặt lại mật khẩu cho thuky.ag."));
    let temp2 = temp_password(&html);
    assert_ne!(temp2, temp);
    // The person's open session ended; the old password no longer works; the new one
    // leads to the forced change.
    assert_eq!(person.get("/members").await.url().path(), "/login");
    let fresh = Browser::new(&app.base);
    assert_eq!(
        fresh
            .login("thuky.ag", "mua-xuan-tren-song-hau")
            .await
            .url()
            .path(),
        "/login"
    );
    assert_eq!(
        fresh.login("thuky.ag", &temp2).await.url().path(),
        "/account/password"
    );
    assert!(
        audit_actions(&app, "account", id)
            .await
            .contains(&"reset_password".to_string())
    );

    // Disable: confirmed, then a result message; sessions and tokens stop at once.
    let (s, html) = btv.get_html(&format!("/accounts/{id}/disable")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Mọi khoá API của tài khoản ngừng hoạt động ngay."),
        "{html}"
    );
    let (s, url, html) = btv
        .post_form(
            &format!("/accounts/{id}/disable"),
            &format!("/accounts/{id}/disable"),
            &[],
        )
        .await;
    assert_eq!((s, url.as_str()), (200, format!("/accounts/{id}").as_str()));
    assert!(html.contains("Đã khoá tài khoản"), "{html}");
    assert!(html.contains("id=\"acc-status\">Đã khoá<"), "{html}");
    assert_eq!(me(token.clone()).await, 401);
    assert_eq!(fresh.get("/").await.url().path(), "/login");
    let r = Browser::new(&app.base).login("thuky.ag", &temp2).await;
    assert_eq!(r.url().path(), "/login");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Sai tên đăng nhập hoặc mật khẩu.")
    );
    // Enabled again, the token works again (it was never revoked).
    let (s, v) = api
        .post(&format!("/api/v1/accounts/{id}/enable"), json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["disabled"], false);
    assert_eq!(me(token).await, 200);
    let actions = audit_actions(&app, "account", id).await;
    assert!(
        actions.contains(&"disable".to_string()) && actions.contains(&"enable".to_string()),
        "{actions:?}"
    );
}

async fn tokens_are_listed_revoked_expire_and_audited(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let b = app.login("cdcs.officer").await;
    let pw = congdoan_datagen::DEMO_PASSWORD;
    // Minting needs the password again; the name and validity are checked.
    let long = "x".repeat(101);
    let (s, _, html) = b
        .post_form(
            "/account/tokens",
            "/account/tokens",
            &[
                ("name", long.as_str()),
                ("expires_days", "400"),
                ("password", "khong-phai-mat-khau"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("Tên khoá API: cần 1–100 ký tự."), "{html}");
    assert!(
        html.contains("Số ngày hiệu lực: «400» không hợp lệ: cần một số ngày từ 1 đến 365."),
        "{html}"
    );
    assert!(html.contains("Mật khẩu: không đúng"), "{html}");
    assert!(html.contains(&format!("value=\"{long}\"")), "input kept");
    let (s, _, html) = b
        .post_form(
            "/account/tokens",
            "/account/tokens",
            &[
                ("name", "báo cáo tháng"),
                ("expires_days", ""),
                ("password", pw),
            ],
        )
        .await;
    assert_eq!(s, 200, "{html}");
    let token = text_after(&html, "id=\"new-token\" class=\"secret\">");
    assert_eq!(token.len(), 64);
    // Listed on the page with its dates (default 90 days), and through the API.
    assert!(html.contains("báo cáo tháng"));
    assert!(html.contains("Chưa dùng"), "{html}");
    let expected = congdoan_domain::date::format_vn_date(
        (time::OffsetDateTime::now_utc() + time::Duration::days(90) + time::Duration::hours(7))
            .date(),
    );
    assert!(html.contains(&expected), "expires {expected}: {html}");
    let api = crate::harness::Api {
        base: app.base.clone(),
        token: token.clone(),
        http: reqwest::Client::new(),
    };
    let (s, list) = api.get("/api/v1/tokens").await;
    assert_eq!(s, 200, "{list}");
    let first = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "báo cáo tháng")
        .unwrap()
        .clone();
    let id = first["token_id"].as_i64().unwrap();
    assert!(
        !first["last_used_at"].is_null(),
        "the use was noted: {first}"
    );
    assert!(first.get("token_hash").is_none());
    let (_, html) = b.get_html("/account/tokens").await;
    assert!(html.contains("Đang dùng được"), "{html}");
    assert_eq!(
        audit_actions(&app, "api_token", id).await,
        ["first_use", "issue"]
    );
    // The API also needs the password.
    let (s, v) = api.post("/api/v1/tokens", json!({"name": "máy chủ"})).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "password");
    let (s, v) = api
        .post(
            "/api/v1/tokens",
            json!({"name": "máy chủ", "expires_days": 7, "password": pw}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let second = v["token"].as_str().unwrap().to_string();
    let second_id = v["token_id"].as_i64().unwrap();
    // Someone else's token is not found.
    let other = app.token("lddl.kontum").await;
    let (s, _) = other
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            json!({}),
        )
        .await;
    assert_eq!(s, 404);
    // Revoked on the page after a confirmation that restates the impact.
    let (s, html) = b.get_html(&format!("/account/tokens/{id}/revoke")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("báo cáo tháng") && html.contains("bị từ chối ngay"),
        "{html}"
    );
    let (s, url, html) = b
        .post_form(
            &format!("/account/tokens/{id}/revoke"),
            &format!("/account/tokens/{id}/revoke"),
            &[],
        )
        .await;
    assert_eq!((s, url.as_str()), (200, "/account/tokens"));
    assert!(html.contains("Đã thu hồi khoá API."), "{html}");
    assert!(html.contains("Đã thu hồi<"), "{html}");
    let (s, _) = api.get("/api/v1/me").await;
    assert_eq!(s, 401);
    assert_eq!(
        audit_actions(&app, "api_token", id).await,
        ["revoke", "first_use", "issue"]
    );
    // Revoked through the API.
    let api2 = crate::harness::Api {
        base: app.base.clone(),
        token: second,
        http: reqwest::Client::new(),
    };
    assert_eq!(api2.get("/api/v1/me").await.0, 200);
    let (s, v) = api2
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/tokens/{second_id}"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(!v["revoked_at"].is_null());
    assert_eq!(api2.get("/api/v1/me").await.0, 401);
    // An expired token is refused.
    let third = app.token("cdcs.officer").await;
    assert_eq!(third.get("/api/v1/me").await.0, 200);
    app.exec_raw(
        "UPDATE api_token SET expires_at = '2001-01-01T00:00:00Z' WHERE revoked_at IS NULL",
    )
    .await
    .unwrap();
    assert_eq!(third.get("/api/v1/me").await.0, 401);
    let (_, html) = b.get_html("/account/tokens").await;
    assert!(html.contains("Hết hạn<"), "{html}");
}
