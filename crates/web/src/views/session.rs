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

pub(super) fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/login") {
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
    let hash = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_default();
    let password = form.password.clone();
    let ok =
        tokio::task::spawn_blocking(move || !hash.is_empty() && verify_password(&password, &hash))
            .await
            .unwrap_or(false);
    let Some(account) = account.filter(|_| ok) else {
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
    let sid = new_token();
    let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(st.config.session_hours);
    st.store
        .create_session(&sha256_hex(&sid), account.account_id, &new_token(), expires)
        .await?;
    let mut res = Redirect::to(&safe_next(&form.next)).into_response();
    let cookies = [
        set_cookie(
            SESSION_COOKIE,
            &sid,
            st.config.session_hours * 3600,
            st.config.secure_cookies,
        ),
        set_cookie(LOGIN_CSRF_COOKIE, "", 0, st.config.secure_cookies),
    ];
    for c in cookies {
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
