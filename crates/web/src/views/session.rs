//! Logging in and out, and the language switch.

use super::*;

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NextQuery {
    next: String,
}

/// Where to go after logging in: a path on this site only. Browsers read `/\\host`
/// as `//host`, and a control character cannot go into a Location header, so both
/// (and anything not plain printable ASCII) fall back to the home page.
pub(super) fn safe_next(next: &str) -> String {
    let same_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.starts_with("/login")
        && next.len() <= 2_000
        && next
            .bytes()
            .all(|b| (0x21..0x7f).contains(&b) && b != b'\\');
    if same_site {
        next.to_string()
    } else {
        "/todo".into()
    }
}

pub(super) fn login_page(
    lang: Lang,
    next: &str,
    username: &str,
    error: Option<String>,
    secure: bool,
) -> PageResult {
    let csrf = new_token();
    let page = LoginPage {
        chrome: Chrome::anonymous(lang, Tr::new(lang).s("Đăng nhập", "Log in")),
        csrf: csrf.clone(),
        next: safe_next(next),
        username: username.to_string(),
        error,
    };
    let mut res = render(page)?;
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, secure).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub(super) async fn login_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> PageResult {
    login_page(
        crate::auth::lang_of(&headers),
        &q.next,
        "",
        None,
        st.config.secure_cookies,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: String,
}

#[tracing::instrument(skip_all, fields(username = %form.username))]
pub(super) async fn login(
    State(st): State<AppState>,
    headers: HeaderMap,
    crate::throttle::ClientAddr(addr): crate::throttle::ClientAddr,
    axum::Form(form): axum::Form<LoginForm>,
) -> PageResult {
    let lang = crate::auth::lang_of(&headers);
    let tr = Tr::new(lang);
    let pre = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if pre.is_empty() || !crate::auth::constant_eq(pre, &form.csrf) {
        return login_page(
            lang,
            &form.next,
            &form.username,
            Some(
                tr.s(
                    "Phiên đăng nhập đã hết hạn, vui lòng thử lại.",
                    "The login form expired; please try again.",
                )
                .into(),
            ),
            st.config.secure_cookies,
        );
    }
    let account = st
        .store
        .account_by_username(&form.username)
        .await
        .ok()
        .filter(|a| !a.disabled);
    // A browser this account has logged in from before is throttled on its own count:
    // someone guessing elsewhere cannot lock the real user out (OWASP device cookies).
    let device = cookie(&headers, DEVICE_COOKIE).map(sha256_hex);
    let trusted_device = match (&device, &account) {
        (Some(d), Some(a)) => st.store.login_device_account(d).await? == Some(a.account_id),
        _ => false,
    };
    let keys = match (&device, trusted_device) {
        (Some(d), true) => vec![congdoan_store::device_key(d)],
        _ => congdoan_store::login_keys(&form.username, addr.as_deref()),
    };
    let rules = congdoan_store::ThrottleRules::default();
    // Too many failures for this account, this address or this device: wait, without
    // checking the password (a refused attempt costs no hashing). The attempt is
    // counted before the check, so attempts sent all at once cannot all get through.
    let counted = match st.store.claim_login_attempt(&keys, &rules).await? {
        congdoan_store::LoginClaim::Go(counted) => counted,
        congdoan_store::LoginClaim::Wait(wait) => {
            let secs = wait.whole_seconds().max(1);
            st.store
                .audit_login(
                    None,
                    &form.username,
                    "login_throttled",
                    &format!(
                        "Đăng nhập bị tạm hoãn {secs} giây sau nhiều lần sai (địa chỉ {})",
                        addr.as_deref().unwrap_or("?")
                    ),
                )
                .await?;
            let mut res = login_page(
                lang,
                &form.next,
                &form.username,
                Some(match lang {
                    Lang::Vi => {
                        format!("Đăng nhập sai nhiều lần. Vui lòng thử lại sau {secs} giây.")
                    }
                    Lang::En => format!("Too many failed logins. Try again in {secs} seconds."),
                }),
                st.config.secure_cookies,
            )?;
            *res.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            return Ok(res);
        }
    };
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    // An unknown username is checked against a dummy hash: the same time as a wrong password.
    let ok = crate::throttle::check_password(form.password.clone(), hash).await;
    let Some(account) = account.filter(|_| ok) else {
        st.store.record_login_failure(&counted, &rules).await?;
        st.store
            .audit_login(
                None,
                &form.username,
                "login_failed",
                &format!("Đăng nhập sai (địa chỉ {})", addr.as_deref().unwrap_or("?")),
            )
            .await?;
        return login_page(
            lang,
            &form.next,
            &form.username,
            Some(
                tr.s(
                    "Sai tên đăng nhập hoặc mật khẩu.",
                    "Wrong username or password.",
                )
                .into(),
            ),
            st.config.secure_cookies,
        );
    };
    st.store.record_login_success(&counted, &rules).await?;
    let new_device = match trusted_device {
        true => None,
        false => {
            let token = new_token();
            st.store
                .remember_login_device(&sha256_hex(&token), account.account_id)
                .await?;
            Some(token)
        }
    };
    st.store
        .audit_login(
            Some(account.account_id),
            &account.username,
            "login",
            &format!("Đăng nhập (địa chỉ {})", addr.as_deref().unwrap_or("?")),
        )
        .await?;
    let sid = new_token();
    let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(st.config.session_hours);
    st.store
        .create_session(&sha256_hex(&sid), account.account_id, &new_token(), expires)
        .await?;
    // A password chosen by someone else is changed before anything else.
    let target = if account.must_change_password {
        "/account/password".to_string()
    } else {
        safe_next(&form.next)
    };
    let mut res = Redirect::to(&target).into_response();
    let cookies = [
        set_cookie(
            SESSION_COOKIE,
            &sid,
            st.config.session_hours * 3600,
            st.config.secure_cookies,
        ),
        set_cookie(LOGIN_CSRF_COOKIE, "", 0, st.config.secure_cookies),
    ];
    let device_cookie = new_device.map(|t| {
        set_cookie(
            DEVICE_COOKIE,
            &t,
            DEVICE_COOKIE_SECS,
            st.config.secure_cookies,
        )
    });
    for c in cookies.into_iter().chain(device_cookie) {
        if let Ok(v) = c.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

#[derive(Deserialize)]
pub(super) struct Empty {}

pub(super) async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    CsrfForm(_user, _): CsrfForm<Empty>,
) -> PageResult {
    if let Some(sid) = cookie(&headers, SESSION_COOKIE) {
        st.store.delete_session(&sha256_hex(sid)).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", 0, st.config.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub(super) async fn set_lang(Path(code): Path<String>, headers: HeaderMap) -> PageResult {
    let lang = Lang::parse(&code).unwrap_or_default();
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&safe_next(&back)).into_response();
    if let Ok(v) = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )
    .parse()
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths() {
        assert_eq!(safe_next("/members?q=an"), "/members?q=an");
        assert_eq!(safe_next("/\\evil.example/"), "/todo");
        assert_eq!(safe_next("//evil.example/"), "/todo");
        assert_eq!(safe_next("https://evil.example/"), "/todo");
        assert_eq!(safe_next("/a\u{1}b"), "/todo");
        assert_eq!(safe_next("/a\nLocation: x"), "/todo");
        assert_eq!(safe_next("/login?next=/x"), "/todo");
    }
}
