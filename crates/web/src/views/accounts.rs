//! Accounts in the browser: my account and password, my API tokens, and the accounts
//! an administrator (everything) or an officer (their writable subtree) manages.

use super::*;
use crate::auth::{check_password_strength, hash_password, temporary_password};
use axum::extract::Request;
use axum::middleware::Next;
use congdoan_store::{AccountSummary, ApiToken, NewAccount, Role};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(my_account))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/account/tokens", get(tokens_page).post(create_token))
        .route(
            "/account/tokens/{id}/revoke",
            get(confirm_revoke).post(revoke_token),
        )
        .route("/accounts", get(accounts_page).post(create_account))
        .route("/accounts/new", get(new_account))
        .route("/accounts/{id}", get(account_page))
        .route(
            "/accounts/{id}/reset",
            get(confirm_reset).post(reset_password),
        )
        .route(
            "/accounts/{id}/disable",
            get(confirm_disable).post(disable_account),
        )
        .route("/accounts/{id}/enable", post(enable_account))
}

/// Sends a person whose password was chosen by someone else to the password page until
/// they change it (pages only; API tokens are unaffected).
pub async fn force_password_change(
    State(st): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let free = path == "/account/password"
        || path == "/logout"
        || path == "/login"
        || path == "/healthz"
        || path.starts_with("/lang/");
    if free || cookie(req.headers(), SESSION_COOKIE).is_none() {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    if let Ok(u) = <CurrentUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &st,
    )
    .await
        && u.csrf.is_some()
        && u.account.must_change_password
    {
        return Redirect::to("/account/password").into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

fn field_error(errors: &[FieldError], name: &str, tr: Tr) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == name)
        .map(|e| e.text(tr.lang).to_string())
}

fn role_label(role: &str, tr: Tr) -> String {
    match role {
        "officer" => tr.s("Cán bộ (xem và sửa)", "Officer (read and write)"),
        "viewer" => tr.s("Chỉ xem", "Viewer (read only)"),
        "admin" => tr.s("Quản trị hệ thống", "System administrator"),
        other => other,
    }
    .to_string()
}

/// Checks a password against the stored hash in the bounded Argon2 pool.
async fn password_matches(password: &str, hash: &str) -> bool {
    let h = Some(hash.to_string()).filter(|h| !h.is_empty());
    crate::throttle::check_password(password.to_string(), h).await
}

async fn hash(password: &str) -> Result<String, AppError> {
    let p = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&p))
        .await
        .map_err(|_| AppError::Internal("hash".into()))
}

// ---------- my account and password ----------

/// A role on a unit, ready to show.
pub(super) struct GrantRow {
    unit_id: i64,
    unit_name: String,
    role: String,
}

#[derive(Template)]
#[template(path = "account.html")]
pub(super) struct AccountPage {
    chrome: Chrome,
    username: String,
    display_name: String,
    is_admin: bool,
    grants: Vec<GrantRow>,
    can_manage: bool,
    /// The page is only the password form (at the forced change).
    only_password: bool,
    forced: bool,
    notice: Option<String>,
    errors: Vec<FieldError>,
    err_current: Option<String>,
    err_new: Option<String>,
    err_new2: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NoticeQuery {
    notice: String,
}

async fn account_page_for(
    st: &AppState,
    user: &CurrentUser,
    only_password: bool,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    let grants = st
        .store
        .grants(user.account.account_id)
        .await?
        .into_iter()
        .map(|(u, r)| GrantRow {
            unit_id: u.unit_id,
            unit_name: u.name,
            role: role_label(r.code(), tr),
        })
        .collect();
    let res = render(AccountPage {
        chrome: Chrome::new(
            user,
            if only_password {
                tr.s("Đổi mật khẩu", "Change password")
            } else {
                tr.s("Tài khoản của tôi", "My account")
            },
        ),
        username: user.account.username.clone(),
        display_name: user.account.display_name.clone(),
        is_admin: user.account.is_admin,
        grants,
        can_manage: user.scope.is_admin() || !user.scope.write_paths().is_empty(),
        only_password,
        forced: user.account.must_change_password,
        notice,
        err_current: field_error(&errors, "current_password", tr),
        err_new: field_error(&errors, "new_password", tr),
        err_new2: field_error(&errors, "new_password2", tr),
        errors: errors.clone(),
    })?;
    Ok(pick::unprocessable(res, !errors.is_empty()))
}

async fn my_account(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let tr = user.tr();
    let notice = match q.notice.as_str() {
        "password" => Some(tr.s(
            "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã được đăng xuất.",
            "Password changed. Your other sessions were logged out.",
        )),
        _ => None,
    }
    .map(str::to_string);
    account_page_for(&st, &user, false, notice, vec![]).await
}

async fn password_page(State(st): State<AppState>, user: CurrentUser) -> PageResult {
    account_page_for(&st, &user, true, None, vec![]).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password2: String,
    /// Set by the form on `/account/password`, so errors re-render the same page.
    only: String,
}

async fn change_password(
    State(st): State<AppState>,
    headers: HeaderMap,
    CsrfForm(user, f): CsrfForm<PasswordForm>,
) -> PageResult {
    let mut errors = vec![];
    if !password_matches(&f.current_password, &user.account.password_hash).await {
        errors.push(FieldError::new(
            "current_password",
            "WE0705",
            "không đúng.",
            "is wrong.",
        ));
    }
    if let Err(e) = check_password_strength(
        &f.new_password,
        &user.account.username,
        &user.account.display_name,
        "new_password",
    ) {
        errors.push(e);
    } else if f.new_password == f.current_password {
        errors.push(FieldError::new(
            "new_password",
            "WE0707",
            "phải khác mật khẩu hiện tại.",
            "must differ from the current password.",
        ));
    }
    if f.new_password2 != f.new_password {
        errors.push(FieldError::new(
            "new_password2",
            "WE0706",
            "không khớp với mật khẩu mới.",
            "does not match the new password.",
        ));
    }
    if !errors.is_empty() {
        return account_page_for(&st, &user, !f.only.is_empty(), None, errors).await;
    }
    let h = hash(&f.new_password).await?;
    let keep = cookie(&headers, SESSION_COOKIE).map(sha256_hex);
    st.store
        .change_own_password(&user.scope, &h, keep.as_deref())
        .await?;
    see_other("/account?notice=password")
}

// ---------- my API tokens ----------

pub(super) struct TokenRow {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    expires: String,
    status: &'static str,
    status_label: String,
}

fn token_row(t: &ApiToken, tr: Tr) -> TokenRow {
    TokenRow {
        id: t.token_id,
        name: t.name.clone(),
        created: tr.datetime(t.created_at),
        last_used: t
            .last_used_at
            .map(|d| tr.datetime(d))
            .unwrap_or_else(|| tr.s("Chưa dùng", "Never").to_string()),
        expires: tr.datetime(t.expires_at),
        status: t.status(),
        status_label: match t.status() {
            "revoked" => tr.s("Đã thu hồi", "Revoked"),
            "expired" => tr.s("Hết hạn", "Expired"),
            _ => tr.s("Đang dùng được", "Active"),
        }
        .to_string(),
    }
}

#[derive(Template)]
#[template(path = "tokens.html")]
pub(super) struct TokensPage {
    chrome: Chrome,
    rows: Vec<TokenRow>,
    notice: Option<String>,
    /// A token just issued, shown this once.
    new_token: Option<String>,
    default_days: i64,
    max_days: i64,
    f: TokenForm,
    errors: Vec<FieldError>,
    err_name: Option<String>,
    err_days: Option<String>,
    err_password: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct TokenForm {
    name: String,
    expires_days: String,
    password: String,
}

async fn tokens_page_for(
    st: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    new_token: Option<String>,
    f: TokenForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    let rows = st
        .store
        .api_tokens(&user.scope, user.account.account_id)
        .await?
        .iter()
        .map(|t| token_row(t, tr))
        .collect();
    let res = render(TokensPage {
        chrome: Chrome::new(user, tr.s("Khoá API của tôi", "My API tokens")),
        rows,
        notice,
        new_token,
        default_days: st.config.token_default_days,
        max_days: st.config.token_max_days,
        err_name: field_error(&errors, "token_name", tr),
        err_days: field_error(&errors, "expires_days", tr),
        err_password: field_error(&errors, "password", tr),
        f: TokenForm {
            password: String::new(),
            ..f
        },
        errors: errors.clone(),
    })?;
    // Every page is sent with no-store (the router's layer), the secret shown once too.
    Ok(pick::unprocessable(res, !errors.is_empty()))
}

async fn tokens_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let tr = user.tr();
    let notice = match q.notice.as_str() {
        "revoked" => Some(tr.s(
            "Đã thu hồi khoá API. Chương trình nào dùng khoá này sẽ không truy cập được nữa.",
            "Token revoked. Programs using it can no longer connect.",
        )),
        _ => None,
    }
    .map(str::to_string);
    tokens_page_for(&st, &user, notice, None, TokenForm::default(), vec![]).await
}

/// Checks a token request (name, validity, the caller's password again) and issues the
/// token; the secret is returned once. Shared by the page and the API.
pub(crate) async fn issue_token(
    st: &AppState,
    user: &CurrentUser,
    name: &str,
    expires_days: Option<&str>,
    password: &str,
) -> Result<(String, ApiToken), AppError> {
    let mut errors = vec![];
    let name = name.trim();
    if name.is_empty() || name.chars().count() > congdoan_store::MAX_TOKEN_NAME {
        errors.push(FieldError::new(
            "token_name",
            "WE0708",
            "cần 1–100 ký tự.",
            "needs 1–100 characters.",
        ));
    }
    let max = st.config.token_max_days;
    let days = match expires_days.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(st.config.token_default_days),
        Some(s) => s.parse::<i64>().ok().filter(|d| (1..=max).contains(d)),
    };
    if days.is_none() {
        errors.push(FieldError::new(
            "expires_days",
            "WE0709",
            &format!(
                "«{}» không hợp lệ: cần một số ngày từ 1 đến {max}.",
                expires_days.unwrap_or("")
            ),
            &format!(
                "“{}” is not valid: a number of days from 1 to {max}.",
                expires_days.unwrap_or("")
            ),
        ));
    }
    if !password_matches(password, &user.account.password_hash).await {
        errors.push(FieldError::new(
            "password",
            "WE0705",
            "không đúng (cần nhập lại mật khẩu để tạo khoá).",
            "is wrong (enter your password again to create a token).",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let token = new_token();
    let expires = time::OffsetDateTime::now_utc() + time::Duration::days(days.unwrap_or_default());
    let id = st
        .store
        .issue_api_token(
            &user.scope,
            user.account.account_id,
            name,
            &sha256_hex(&token),
            expires,
        )
        .await?;
    let t = st
        .store
        .api_token(&user.scope, user.account.account_id, id)
        .await?;
    Ok((token, t))
}

async fn create_token(
    State(st): State<AppState>,
    CsrfForm(user, f): CsrfForm<TokenForm>,
) -> PageResult {
    let tr = user.tr();
    match issue_token(&st, &user, &f.name, Some(&f.expires_days), &f.password).await {
        Ok((token, t)) => {
            let notice = format!(
                "{} «{}» {} {}.",
                tr.s("Đã tạo khoá", "Created token"),
                t.name,
                tr.s("— dùng được đến", "— valid until"),
                tr.datetime(t.expires_at)
            );
            tokens_page_for(
                &st,
                &user,
                Some(notice),
                Some(token),
                TokenForm::default(),
                vec![],
            )
            .await
        }
        Err(e) => {
            let errs = field_errors(e)?;
            tokens_page_for(&st, &user, None, None, f, errs).await
        }
    }
}

#[derive(Template)]
#[template(path = "account_confirm.html")]
pub(super) struct ConfirmPage {
    chrome: Chrome,
    /// What will happen, restated.
    impact: Vec<String>,
    action: String,
    button: String,
    back: String,
}

async fn confirm_revoke(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let tr = user.tr();
    let t = st
        .store
        .api_token(&user.scope, user.account.account_id, id)
        .await?;
    render(ConfirmPage {
        chrome: Chrome::new(&user, tr.s("Thu hồi khoá API?", "Revoke the token?")),
        impact: vec![
            format!(
                "{} «{}» ({} {}).",
                tr.s("Khoá", "Token"),
                t.name,
                tr.s("tạo lúc", "created"),
                tr.datetime(t.created_at)
            ),
            tr.s(
                "Mọi chương trình, bảng tính hay máy chủ đang dùng khoá này sẽ bị từ chối ngay, và không thể khôi phục khoá. Muốn dùng tiếp phải tạo khoá mới.",
                "Every program, sheet or server using this token is refused at once, and it cannot be restored. Create a new token to continue.",
            )
            .to_string(),
        ],
        action: format!("/account/tokens/{id}/revoke"),
        button: tr.s("Thu hồi khoá", "Revoke token").into(),
        back: "/account/tokens".into(),
    })
}

async fn revoke_token(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<session::Empty>,
) -> PageResult {
    st.store
        .revoke_api_token(&user.scope, user.account.account_id, id)
        .await?;
    see_other("/account/tokens?notice=revoked")
}

// ---------- accounts managed by an administrator or an officer ----------

pub(super) struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    roles: String,
    status: &'static str,
    status_label: String,
}

fn account_row(a: &AccountSummary, tr: Tr) -> AccountRow {
    let roles = if a.is_admin {
        role_label("admin", tr)
    } else {
        a.grants
            .iter()
            .map(|g| format!("{} — {}", g.unit_name, role_label(&g.role, tr)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let (status, label) = if a.disabled {
        ("disabled", tr.s("Đã khoá", "Disabled"))
    } else if a.must_change_password {
        ("pending", tr.s("Chờ đổi mật khẩu", "Must change password"))
    } else {
        ("active", tr.s("Đang hoạt động", "Active"))
    };
    AccountRow {
        id: a.account_id,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        roles,
        status,
        status_label: label.to_string(),
    }
}

const ACCOUNTS_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "accounts.html")]
pub(super) struct AccountsPage {
    chrome: Chrome,
    q: String,
    rows: Vec<AccountRow>,
    next_url: Option<String>,
    first_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AccountsQuery {
    q: String,
    after: String,
}

/// Officers and administrators manage accounts; others get "forbidden".
fn require_manager(user: &CurrentUser) -> Result<(), AppError> {
    if user.scope.is_admin() || !user.scope.write_paths().is_empty() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn accounts_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AccountsQuery>,
) -> PageResult {
    require_manager(&user)?;
    let tr = user.tr();
    let after = Some(q.after.trim()).filter(|s| !s.is_empty());
    let mut found = st
        .store
        .list_accounts(&user.scope, &q.q, after, ACCOUNTS_PAGE + 1)
        .await?;
    let more = found.len() as i64 > ACCOUNTS_PAGE;
    found.truncate(ACCOUNTS_PAGE as usize);
    let url = |after: &str| {
        format!(
            "/accounts?{}",
            serde_urlencoded::to_string([("q", q.q.as_str()), ("after", after)])
                .unwrap_or_default()
        )
    };
    render(AccountsPage {
        chrome: Chrome::new(&user, tr.s("Quản lý tài khoản", "Accounts")),
        next_url: if more {
            found.last().map(|a| url(&a.username))
        } else {
            None
        },
        first_url: after.map(|_| url("")),
        rows: found.iter().map(|a| account_row(a, tr)).collect(),
        q: q.q,
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct AccountForm {
    username: String,
    display_name: String,
    unit_code: String,
    role: String,
}

pub(super) struct InputField {
    name: &'static str,
    label: String,
    hint: String,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "account_form.html")]
pub(super) struct AccountFormPage {
    chrome: Chrome,
    fields: Vec<InputField>,
    roles: Vec<(&'static str, String)>,
    role: String,
    err_role: Option<String>,
    /// The units the caller holds an officer grant on (a starting point for the code).
    my_units: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

async fn account_form_page(
    st: &AppState,
    user: &CurrentUser,
    f: AccountForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    let mut roles = vec![
        ("officer", role_label("officer", tr)),
        ("viewer", role_label("viewer", tr)),
    ];
    if user.scope.is_admin() {
        roles.push(("admin", role_label("admin", tr)));
    }
    let my_units = st
        .store
        .grants(user.account.account_id)
        .await?
        .into_iter()
        .filter(|(_, r)| *r == Role::Officer)
        .map(|(u, _)| (u.code, u.name))
        .collect();
    let fields = vec![
        InputField {
            name: "username",
            label: tr.field("username").into(),
            hint: tr
                .s(
                    "3–40 ký tự: chữ không dấu, số, dấu chấm, gạch",
                    "3–40 characters: letters, digits, dot, hyphen",
                )
                .into(),
            value: f.username.clone(),
            error: field_error(&errors, "username", tr),
        },
        InputField {
            name: "display_name",
            label: tr.field("display_name").into(),
            hint: String::new(),
            value: f.display_name.clone(),
            error: field_error(&errors, "display_name", tr),
        },
        InputField {
            name: "unit_code",
            label: tr.field("unit_code").into(),
            hint: tr
                .s(
                    "đơn vị trong phạm vi bạn quản lý; bỏ trống nếu là quản trị hệ thống",
                    "a unit you manage; empty for a system administrator",
                )
                .into(),
            value: f.unit_code.clone(),
            error: field_error(&errors, "unit_code", tr),
        },
    ];
    let res = render(AccountFormPage {
        chrome: Chrome::new(user, tr.s("Tạo tài khoản", "New account")),
        fields,
        roles,
        role: if f.role.is_empty() {
            "viewer".into()
        } else {
            f.role.clone()
        },
        err_role: field_error(&errors, "role", tr),
        my_units,
        errors: errors.clone(),
    })?;
    Ok(pick::unprocessable(res, !errors.is_empty()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewAccountQuery {
    unit: Option<i64>,
}

async fn new_account(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewAccountQuery>,
) -> PageResult {
    require_manager(&user)?;
    let unit_code = match optional_unit(&st, &user, q.unit).await? {
        Some(u) => u.code,
        None => st
            .store
            .grants(user.account.account_id)
            .await?
            .into_iter()
            .find(|(_, r)| *r == Role::Officer)
            .map(|(u, _)| u.code)
            .unwrap_or_default(),
    };
    let f = AccountForm {
        unit_code,
        ..Default::default()
    };
    account_form_page(&st, &user, f, vec![]).await
}

/// What a create request asks for, checked: the role, and the unit (by code or id) in
/// the caller's writable subtree. Shared by the page and the API.
pub(crate) async fn parse_new_account(
    st: &AppState,
    user: &CurrentUser,
    username: &str,
    display_name: &str,
    unit: Option<congdoan_store::Unit>,
    unit_code: &str,
    role: &str,
) -> Result<NewAccount, AppError> {
    let mut errors = vec![];
    let admin = role == "admin";
    let role = match role {
        "admin" if user.scope.is_admin() => None,
        "officer" | "viewer" => Role::parse(role),
        other => {
            errors.push(FieldError::new(
                "role",
                "WE0711",
                &format!("«{other}» không hợp lệ: chọn cán bộ hoặc chỉ xem."),
                &format!("“{other}” is not valid: choose officer or viewer."),
            ));
            None
        }
    };
    let unit = match unit {
        Some(u) => Some(u),
        None if unit_code.trim().is_empty() => None,
        None => match st.store.unit_by_code(&user.scope, unit_code).await {
            Ok(u) if user.scope.can_write(&u.path) => Some(u),
            Ok(_) | Err(congdoan_store::StoreError::NotFound) => {
                errors.push(FieldError::new(
                    "unit_code",
                    "WE0710",
                    &format!(
                        "không có đơn vị mã «{}» trong phạm vi bạn quản lý.",
                        unit_code.trim()
                    ),
                    &format!("no unit “{}” among the units you manage.", unit_code.trim()),
                ));
                None
            }
            Err(e) => return Err(e.into()),
        },
    };
    if !admin && unit.is_none() && !errors.iter().any(|e| e.field == "unit_code") {
        errors.push(FieldError::new(
            "unit_code",
            "WE0712",
            "cần mã đơn vị mà tài khoản sẽ làm việc.",
            "enter the code of the unit the account works on.",
        ));
    }
    if let Err(e) = require_username(username) {
        errors.push(e);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NewAccount {
        username: username.trim().to_lowercase(),
        display_name: display_name.trim().to_string(),
        password_hash: String::new(),
        admin,
        grants: match (unit, role) {
            (Some(u), Some(r)) if !admin => vec![(u.unit_id, r)],
            _ => vec![],
        },
    })
}

/// A username is required before anything else is checked by the store.
fn require_username(username: &str) -> Result<(), FieldError> {
    if username.trim().is_empty() {
        Err(FieldError::new(
            "username",
            "WE0713",
            "không được để trống.",
            "is required.",
        ))
    } else {
        Ok(())
    }
}

/// Creates the account with a fresh temporary password; returns it with the account.
pub(crate) async fn create_with_temporary(
    st: &AppState,
    user: &CurrentUser,
    mut a: NewAccount,
) -> Result<(String, AccountSummary), AppError> {
    let temp = temporary_password();
    a.password_hash = hash(&temp).await?;
    let id = st.store.create_managed_account(&user.scope, a).await?;
    Ok((temp, st.store.managed_account(&user.scope, id).await?))
}

async fn create_account(
    State(st): State<AppState>,
    CsrfForm(user, f): CsrfForm<AccountForm>,
) -> PageResult {
    require_manager(&user)?;
    let tr = user.tr();
    let made = match parse_new_account(
        &st,
        &user,
        &f.username,
        &f.display_name,
        None,
        &f.unit_code,
        &f.role,
    )
    .await
    {
        Ok(a) => create_with_temporary(&st, &user, a).await,
        Err(e) => Err(e),
    };
    match made {
        Ok((temp, a)) => {
            let notice = format!(
                "{} {}.",
                tr.s("Đã tạo tài khoản", "Account created:"),
                a.username
            );
            account_detail(&user, a, Some(notice), Some(temp))
        }
        Err(AppError::NotFound) => {
            let errs = vec![FieldError::new(
                "unit_code",
                "WE0710",
                &format!(
                    "không có đơn vị mã «{}» trong phạm vi bạn quản lý.",
                    f.unit_code.trim()
                ),
                &format!(
                    "no unit “{}” among the units you manage.",
                    f.unit_code.trim()
                ),
            )];
            account_form_page(&st, &user, f, errs).await
        }
        Err(AppError::Forbidden) => {
            let errs = vec![FieldError::new(
                "role",
                "WE0711",
                "bạn không được tạo tài khoản quản trị hệ thống.",
                "you may not create system administrators.",
            )];
            account_form_page(&st, &user, f, errs).await
        }
        Err(e) => {
            let errs = field_errors(e)?;
            account_form_page(&st, &user, f, errs).await
        }
    }
}

#[derive(Template)]
#[template(path = "account_detail.html")]
pub(super) struct AccountDetailPage {
    chrome: Chrome,
    a: AccountSummary,
    row: AccountRow,
    grants: Vec<GrantRow>,
    notice: Option<String>,
    /// A temporary password, shown this once.
    secret: Option<String>,
    is_self: bool,
}

fn account_detail(
    user: &CurrentUser,
    a: AccountSummary,
    notice: Option<String>,
    secret: Option<String>,
) -> PageResult {
    let tr = user.tr();
    let res = render(AccountDetailPage {
        chrome: Chrome::new(
            user,
            &format!("{} {}", tr.s("Tài khoản", "Account"), a.username),
        ),
        row: account_row(&a, tr),
        grants: a
            .grants
            .iter()
            .map(|g| GrantRow {
                unit_id: g.unit_id,
                unit_name: g.unit_name.clone(),
                role: role_label(&g.role, tr),
            })
            .collect(),
        is_self: user.account.account_id == a.account_id,
        notice,
        secret,
        a,
    })?;
    Ok(res)
}

async fn account_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    require_manager(&user)?;
    let tr = user.tr();
    let a = st.store.managed_account(&user.scope, id).await?;
    let notice = match q.notice.as_str() {
        "disabled" => Some(tr.s(
            "Đã khoá tài khoản: mọi phiên đăng nhập và khoá API của tài khoản này đã ngừng hoạt động.",
            "Account disabled: its sessions and API tokens stopped working.",
        )),
        "enabled" => Some(tr.s(
            "Đã mở khoá tài khoản: người dùng đăng nhập lại được.",
            "Account enabled: the person can log in again.",
        )),
        _ => None,
    }
    .map(str::to_string);
    account_detail(&user, a, notice, None)
}

async fn confirm_reset(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    require_manager(&user)?;
    let tr = user.tr();
    let a = st.store.managed_account(&user.scope, id).await?;
    render(ConfirmPage {
        chrome: Chrome::new(
            &user,
            &format!(
                "{} {}?",
                tr.s("Đặt lại mật khẩu của", "Reset the password of"),
                a.username
            ),
        ),
        impact: vec![
            format!(
                "{} {} ({}) {}",
                tr.s("Mật khẩu hiện tại của", "The current password of"),
                a.display_name,
                a.username,
                tr.s(
                    "sẽ hết hiệu lực và mọi phiên đăng nhập của người này bị đăng xuất.",
                    "stops working and all their sessions are logged out."
                )
            ),
            tr.s(
                "Một mật khẩu tạm sẽ hiện một lần duy nhất để bạn trao cho người dùng; họ phải đổi mật khẩu ở lần đăng nhập tới. Khoá API của họ vẫn dùng được.",
                "A temporary password is shown once for you to hand over; they must change it at the next login. Their API tokens keep working.",
            )
            .to_string(),
        ],
        action: format!("/accounts/{id}/reset"),
        button: tr.s("Đặt lại mật khẩu", "Reset password").into(),
        back: format!("/accounts/{id}"),
    })
}

async fn reset_password(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<session::Empty>,
) -> PageResult {
    require_manager(&user)?;
    let tr = user.tr();
    let temp = temporary_password();
    let h = hash(&temp).await?;
    let a = st.store.reset_password(&user.scope, id, &h).await?;
    let notice = format!(
        "{} {}.",
        tr.s("Đã đặt lại mật khẩu cho", "Password reset for"),
        a.username
    );
    account_detail(&user, a, Some(notice), Some(temp))
}

async fn confirm_disable(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    require_manager(&user)?;
    let tr = user.tr();
    let a = st.store.managed_account(&user.scope, id).await?;
    render(ConfirmPage {
        chrome: Chrome::new(
            &user,
            &format!("{} {}?", tr.s("Khoá tài khoản", "Disable account"), a.username),
        ),
        impact: vec![
            format!(
                "{} ({}) {}",
                a.display_name,
                a.username,
                tr.s(
                    "sẽ không đăng nhập được nữa; các phiên đang mở bị đăng xuất ngay.",
                    "can no longer log in; open sessions end at once."
                )
            ),
            tr.s(
                "Mọi khoá API của tài khoản ngừng hoạt động ngay. Dữ liệu do người này nhập vẫn giữ nguyên; có thể mở khoá lại sau.",
                "All of the account's API tokens stop working at once. Records they entered stay; you can enable the account again later.",
            )
            .to_string(),
        ],
        action: format!("/accounts/{id}/disable"),
        button: tr.s("Khoá tài khoản", "Disable account").into(),
        back: format!("/accounts/{id}"),
    })
}

async fn disable_account(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<session::Empty>,
) -> PageResult {
    require_manager(&user)?;
    st.store.set_account_disabled(&user.scope, id, true).await?;
    see_other(&format!("/accounts/{id}?notice=disabled"))
}

async fn enable_account(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<session::Empty>,
) -> PageResult {
    require_manager(&user)?;
    st.store
        .set_account_disabled(&user.scope, id, false)
        .await?;
    see_other(&format!("/accounts/{id}?notice=enabled"))
}
