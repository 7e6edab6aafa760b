//! Server-rendered pages. Each handler reads through the store with the caller's scope,
//! renders a full page (or an htmx partial), and posts only through `CsrfForm`.

mod agreements;
mod clusters;
mod exports;
pub(crate) mod imports;
pub(crate) mod plans;

use crate::assets::{CSS_URL, HTMX_URL};
use crate::auth::{
    CsrfForm, CurrentUser, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, new_token,
    set_cookie, sha256_hex, verify_password,
};
use crate::error::{FieldError, html_errors};
use crate::forms::{MemberForm, OWNERSHIPS, UnitForm, flag, parse_date_opt, parse_date_req};
use crate::{AppError, AppState, Tr, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use congdoan_domain::divisions;
use congdoan_domain::member::{MemberEventKind, MemberStatus, MembershipRules};
use congdoan_domain::{Cccd, Lang, PhoneVn};
use congdoan_store::{
    AuditEntry, AuditQuery, Committee, CoordinationLink, Dashboard, Member, MemberEvent,
    MemberEventInput, MemberListRow, MemberQuery, Position, PositionInput, PositionType, TreeNode,
    Unit, UnitType, UnitVersion,
};
use serde::Deserialize;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/healthz", get(healthz))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/units", get(tree).post(create_unit))
        .route("/units/new", get(new_unit))
        .route("/units/{id}", get(unit_page))
        .route("/units/{id}/children", get(tree_children))
        .route("/units/{id}/edit", get(edit_unit).post(update_unit))
        .route("/units/{id}/move", post(move_unit))
        .route("/units/{id}/coordination", post(add_coordination))
        .route("/units/{id}/committees", post(create_committee))
        .route("/committees/{id}/positions", post(add_position))
        .route("/positions/{id}/end", post(end_position))
        .route("/members", get(members).post(create_member))
        .route("/members/new", get(new_member))
        .route("/members/{id}", get(member_page))
        .route("/members/{id}/edit", get(edit_member).post(update_member))
        .route("/members/{id}/events", post(member_event))
        .route("/audit", get(audit))
        .merge(imports::routes())
        .merge(plans::routes())
        .merge(clusters::routes())
        .merge(agreements::routes())
        .merge(exports::routes())
        .layer(axum::middleware::from_fn(html_errors))
}

/// What every page's frame needs.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub csrf: String,
    pub logged_in: bool,
    pub user_display: String,
    pub css_url: &'static str,
    pub htmx_url: &'static str,
}

impl Chrome {
    fn new(user: &CurrentUser, title: &str) -> Chrome {
        Chrome {
            tr: user.tr(),
            title: title.to_string(),
            csrf: user.csrf().to_string(),
            logged_in: true,
            user_display: user.account.display_name.clone(),
            css_url: CSS_URL,
            htmx_url: HTMX_URL,
        }
    }
    fn anonymous(lang: Lang, title: &str) -> Chrome {
        Chrome {
            tr: Tr::new(lang),
            title: title.to_string(),
            csrf: String::new(),
            logged_in: false,
            user_display: String::new(),
            css_url: CSS_URL,
            htmx_url: HTMX_URL,
        }
    }
}

fn render<T: Template>(t: T) -> PageResult {
    match t.render() {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => {
            let id = new_token()[..8].to_string();
            tracing::error!(incident = %id, error = %e, "template");
            Err(AppError::Internal(id))
        }
    }
}

/// `?unit=ID` on pages that list things of one unit (imports, plans).
#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitParam {
    unit: Option<i64>,
}

/// The unit a page was opened for, if any (scope-checked).
async fn optional_unit(
    st: &AppState,
    user: &CurrentUser,
    id: Option<i64>,
) -> Result<Option<Unit>, AppError> {
    Ok(match id {
        Some(id) => Some(st.store.unit(&user.scope, id).await?),
        None => None,
    })
}

fn see_other(url: &str) -> PageResult {
    Ok(Redirect::to(url).into_response())
}

/// Parses an `as_of` query value (dd/mm/yyyy or ISO); empty means today.
fn as_of_param(raw: Option<&str>) -> Result<time::Date, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today()),
        Some(s) => {
            congdoan_domain::date::parse_vn_date(s, "effective_date").map_err(AppError::from)
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    message: String,
    fields: Vec<String>,
}

/// The HTML face of an error (used by the `html_errors` middleware).
pub fn error_page(err: AppError, lang: Lang) -> Response {
    let tr = Tr::new(lang);
    let body = err.body();
    let title = match &err {
        AppError::NotFound => tr.s("Không tìm thấy", "Not found"),
        AppError::Forbidden => tr.s("Không có quyền", "Forbidden"),
        AppError::Invalid(_) => tr.s("Dữ liệu chưa hợp lệ", "Invalid input"),
        _ => tr.s("Có lỗi xảy ra", "Something went wrong"),
    };
    let page = ErrorPage {
        chrome: Chrome::anonymous(lang, title),
        message: match lang {
            Lang::Vi => body.message.clone(),
            Lang::En => body.message_en.clone(),
        },
        fields: vec![],
    };
    let html = page.render().unwrap_or_else(|_| body.message.clone());
    (err.status(), Html(html)).into_response()
}

async fn healthz(State(st): State<AppState>) -> Response {
    axum::Json(serde_json::json!({"status": "ok", "engine": st.store.engine().name()}))
        .into_response()
}

// ---------- login, logout, language ----------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: String,
}

fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/login") {
        next.to_string()
    } else {
        "/".into()
    }
}

fn login_page(
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

async fn login_form(
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
struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: String,
}

#[tracing::instrument(skip_all, fields(username = %form.username))]
async fn login(
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
struct Empty {}

async fn logout(
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

async fn set_lang(Path(code): Path<String>, headers: HeaderMap) -> PageResult {
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

// ---------- dashboard ----------

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    unit: Option<Unit>,
    d: Dashboard,
    members_total: i64,
    units_total: i64,
    /// Unionisation rate as shown ("72,4 %"), empty when no head count is recorded.
    rate: String,
    charts: Vec<Bars>,
}

/// A labelled horizontal bar chart; works without JavaScript and prints.
struct Bars {
    id: &'static str,
    title: String,
    rows: Vec<BarRow>,
}

struct BarRow {
    label: String,
    n: i64,
    /// Bar length relative to the largest row, 0–100.
    pct: i64,
}

impl Bars {
    fn new(id: &'static str, title: &str, rows: Vec<(String, i64)>) -> Bars {
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
        Bars {
            id,
            title: title.to_string(),
            rows: rows
                .into_iter()
                .map(|(label, n)| BarRow {
                    label,
                    n,
                    pct: n * 100 / max,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitQuery {
    unit: Option<i64>,
}

async fn dashboard(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> PageResult {
    let tr = user.tr();
    let d = st.store.dashboard(&user.scope, q.unit, today()).await?;
    let unit = match q.unit {
        Some(id) => Some(st.store.unit(&user.scope, id).await?),
        None => None,
    };
    let types = st.store.unit_types().await?;
    let type_name = |code: &str| {
        types
            .iter()
            .find(|t| t.type_code == code)
            .map(|t| tr.s(&t.name_vi, &t.name_en).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let unknown = tr.s("Chưa ghi", "Not recorded");
    let ownership = |code: &str| {
        crate::forms::OWNERSHIPS
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, vi, en)| tr.s(vi, en).to_string())
            .unwrap_or_else(|| {
                if code.is_empty() {
                    unknown.to_string()
                } else {
                    code.to_string()
                }
            })
    };
    let age = |band: &str| match band {
        "<=30" => tr.s("Từ 30 tuổi trở xuống", "30 or younger").to_string(),
        ">55" => tr.s("Trên 55 tuổi", "Over 55").to_string(),
        other => format!("{other} {}", tr.s("tuổi", "years")),
    };
    let top = |v: &[congdoan_store::Count], label: &dyn Fn(&str) -> String| {
        let mut rows: Vec<(String, i64)> =
            v.iter().take(12).map(|c| (label(&c.key), c.n)).collect();
        let rest: i64 = v.iter().skip(12).map(|c| c.n).sum();
        if rest > 0 {
            rows.push((tr.s("Khác", "Other").to_string(), rest));
        }
        rows
    };
    let charts = vec![
        Bars::new(
            "by-status",
            tr.s("Đoàn viên theo trạng thái", "Members by status"),
            d.members_by_status
                .iter()
                .map(|c| (tr.status(&c.key), c.n))
                .collect(),
        ),
        Bars::new(
            "by-sex",
            tr.s("Đoàn viên theo giới tính", "Members by sex"),
            d.members_by_sex
                .iter()
                .map(|c| (tr.sex(&c.key), c.n))
                .collect(),
        ),
        Bars::new(
            "by-age",
            tr.s("Đoàn viên theo độ tuổi", "Members by age"),
            d.members_by_age
                .iter()
                .map(|c| (age(&c.key), c.n))
                .collect(),
        ),
        Bars::new(
            "by-sector",
            tr.s("Đoàn viên theo ngành, lĩnh vực", "Members by sector"),
            top(&d.members_by_sector, &|k| {
                if k.is_empty() {
                    unknown.to_string()
                } else {
                    k.to_string()
                }
            }),
        ),
        Bars::new(
            "by-ownership",
            tr.s(
                "Đoàn viên theo loại hình đơn vị sử dụng lao động",
                "Members by employer type",
            ),
            top(&d.members_by_ownership, &ownership),
        ),
        Bars::new(
            "by-type",
            tr.s("Đơn vị theo loại", "Units by type"),
            d.units_by_type
                .iter()
                .map(|c| (type_name(&c.key), c.n))
                .collect(),
        ),
    ];
    let title = match &unit {
        Some(u) => format!("{} — {}", tr.s("Tổng quan", "Dashboard"), u.name),
        None => tr.s("Tổng quan", "Dashboard").to_string(),
    };
    render(DashboardPage {
        chrome: Chrome::new(&user, &title),
        members_total: d.members_by_status.iter().map(|c| c.n).sum(),
        units_total: d.units_by_type.iter().map(|c| c.n).sum(),
        rate: d
            .unionisation_pct
            .map(|p| format!("{} %", congdoan_domain::money::format_decimal(p, 1)))
            .unwrap_or_default(),
        charts,
        unit,
        d,
    })
}

// ---------- tree ----------

#[derive(Template)]
#[template(path = "tree.html")]
struct TreePage {
    chrome: Chrome,
    nodes: Vec<TreeNode>,
    /// With a single root, its sub-units are shown opened.
    first_children: Vec<TreeNode>,
    as_of_text: String,
    as_of_iso: String,
    error: Option<String>,
    /// For a future date: the scheduled plans taking effect by then, each with the
    /// upper tree as it will stand.
    scheduled: Vec<(congdoan_store::Plan, Vec<plans::TreeLine>)>,
}

#[derive(Template)]
#[template(path = "tree_children_partial.html")]
struct TreeChildren {
    chrome: Chrome,
    nodes: Vec<TreeNode>,
    as_of_iso: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AsOfQuery {
    as_of: Option<String>,
    page: Option<i64>,
    reveal: Option<String>,
    notice: Option<String>,
}

async fn tree(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AsOfQuery>,
) -> PageResult {
    let tr = user.tr();
    let (as_of, error) = match as_of_param(q.as_of.as_deref()) {
        Ok(d) => (d, None),
        Err(e) => (
            today(),
            Some(
                e.body()
                    .fields
                    .first()
                    .map(|f| f.text(user.lang).to_string())
                    .unwrap_or_default(),
            ),
        ),
    };
    let nodes = st.store.tree_roots(&user.scope, as_of).await?;
    let first_children = match nodes.as_slice() {
        [root] => {
            st.store
                .tree_children(&user.scope, root.unit_id, as_of)
                .await?
        }
        _ => vec![],
    };
    let scheduled = if as_of > today() {
        plans::scheduled_trees(&st, &user, as_of).await?
    } else {
        vec![]
    };
    render(TreePage {
        first_children,
        scheduled,
        chrome: Chrome::new(&user, tr.s("Cây tổ chức công đoàn", "Union tree")),
        nodes,
        as_of_text: congdoan_domain::date::format_vn_date(as_of),
        as_of_iso: as_of.to_string(),
        error,
    })
}

async fn tree_children(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> PageResult {
    let as_of = as_of_param(q.as_of.as_deref())?;
    let nodes = st.store.tree_children(&user.scope, id, as_of).await?;
    render(TreeChildren {
        chrome: Chrome::new(&user, ""),
        nodes,
        as_of_iso: as_of.to_string(),
    })
}

// ---------- unit page ----------

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    chrome: Chrome,
    u: Unit,
    type_name: String,
    ownership: Option<String>,
    place: String,
    ancestors: Vec<Unit>,
    /// Levels between a CĐCS and its provincial federation (or sector/corporation union).
    intermediaries: Option<i64>,
    children: Vec<TreeNode>,
    member_total: i64,
    members: Vec<MemberListRow>,
    more_members: bool,
    committees: Vec<Committee>,
    position_types: Vec<PositionType>,
    links: Vec<CoordinationLink>,
    history: Vec<UnitVersion>,
    lineage: Vec<congdoan_store::Lineage>,
    as_of: time::Date,
    can_write: bool,
    holds_members: bool,
    notice: Option<String>,
}

fn type_name(types: &[UnitType], code: &str, tr: Tr) -> String {
    types
        .iter()
        .find(|t| t.type_code == code)
        .map(|t| tr.s(&t.name_vi, &t.name_en).to_string())
        .unwrap_or_else(|| code.to_string())
}

async fn unit_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> PageResult {
    let tr = user.tr();
    let as_of = as_of_param(q.as_of.as_deref())?;
    let s = &st.store;
    let u = s.unit(&user.scope, id).await?;
    let types = s.unit_types().await?;
    let children = s.tree_children(&user.scope, id, as_of).await?;
    let member_total = s.subtree_member_count(&user.scope, id).await?;
    let members = s
        .search_members(
            &user.scope,
            &MemberQuery {
                unit_id: Some(id),
                per_page: 20,
                ..Default::default()
            },
        )
        .await?;
    let page = UnitPage {
        chrome: Chrome::new(&user, &u.name),
        type_name: type_name(&types, &u.type_code, tr),
        ownership: u
            .employer_ownership
            .as_deref()
            .and_then(|o| OWNERSHIPS.iter().find(|x| x.0 == o))
            .map(|o| tr.s(o.1, o.2).to_string()),
        place: [
            u.address.clone().unwrap_or_default(),
            divisions::place_name(u.province_code, u.commune_code),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", "),
        ancestors: s.ancestors(&user.scope, &u).await?,
        intermediaries: s.intermediary_levels(&user.scope, id).await?,
        children,
        member_total,
        more_members: members.more,
        members: members.rows,
        committees: s.committees(&user.scope, id).await?,
        position_types: s.position_types().await?,
        links: s.coordination(&user.scope, id, today()).await?,
        history: s.unit_history(&user.scope, id).await?,
        lineage: s.lineage(&user.scope, id).await?,
        as_of,
        can_write: user.scope.can_write(&u.path),
        holds_members: types
            .iter()
            .any(|t| t.type_code == u.type_code && t.holds_members),
        notice: q.notice.clone(),
        u,
    };
    render(page)
}

// ---------- unit create / edit / move / coordination ----------

#[derive(Template)]
#[template(path = "unit_form.html")]
struct UnitFormPage {
    chrome: Chrome,
    f: UnitForm,
    errors: Vec<FieldError>,
    creating: bool,
    action: String,
    parent_name: String,
    version: i64,
    types: Vec<UnitType>,
    provinces: Vec<(i64, &'static str)>,
    ownerships: &'static [(&'static str, &'static str, &'static str)],
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ParentQuery {
    parent: Option<i64>,
}

async fn unit_form_page(
    st: &AppState,
    user: &CurrentUser,
    f: UnitForm,
    errors: Vec<FieldError>,
    edit: Option<&Unit>,
) -> PageResult {
    let tr = user.tr();
    let parent_name = match f.parent_id.parse::<i64>() {
        Ok(pid) => st
            .store
            .unit(&user.scope, pid)
            .await
            .map(|p| p.name)
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let mut res = render(UnitFormPage {
        chrome: Chrome::new(
            user,
            match edit {
                Some(_) => tr.s("Sửa thông tin đơn vị", "Edit unit"),
                None => tr.s("Thêm đơn vị", "New unit"),
            },
        ),
        creating: edit.is_none(),
        action: edit
            .map(|u| format!("/units/{}/edit", u.unit_id))
            .unwrap_or_else(|| "/units".into()),
        version: edit.map(|u| u.version).unwrap_or(0),
        parent_name,
        types: st
            .store
            .unit_types()
            .await?
            .into_iter()
            .filter(|t| t.exists_on(today()))
            .collect(),
        provinces: divisions::provinces(),
        ownerships: OWNERSHIPS,
        f,
        errors: errors.clone(),
    })?;
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn new_unit(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ParentQuery>,
) -> PageResult {
    let parent = st
        .store
        .unit(&user.scope, q.parent.ok_or(AppError::NotFound)?)
        .await?;
    if !user.scope.can_write(&parent.path) {
        return Err(AppError::Forbidden);
    }
    let f = UnitForm {
        parent_id: parent.unit_id.to_string(),
        type_code: "CDCS".into(),
        province_code: parent
            .province_code
            .map(|p| p.to_string())
            .unwrap_or_default(),
        founded_on: congdoan_domain::date::format_vn_date(today()),
        ..Default::default()
    };
    unit_form_page(&st, &user, f, vec![], None).await
}

/// Store rule failures become field errors on the form; anything else propagates.
fn field_errors(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Invalid(f) => Ok(f),
        AppError::Conflict => Ok(vec![FieldError::new(
            "version",
            "WE0409",
            "bản ghi vừa được người khác sửa; hãy tải lại trang.",
            "someone else changed this record; reload the page.",
        )]),
        other => Err(other),
    }
}

async fn create_unit(
    State(st): State<AppState>,
    CsrfForm(user, f): CsrfForm<UnitForm>,
) -> PageResult {
    let input = match f.parse() {
        Ok(i) => i,
        Err(errs) => return unit_form_page(&st, &user, f, errs, None).await,
    };
    match st.store.create_unit(&user.scope, input, today()).await {
        Ok(u) => see_other(&format!("/units/{}", u.unit_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            unit_form_page(&st, &user, f, errs, None).await
        }
    }
}

async fn edit_unit(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let u = st.store.unit(&user.scope, id).await?;
    if !user.scope.can_write(&u.path) {
        return Err(AppError::Forbidden);
    }
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let f = UnitForm {
        code: u.code.clone(),
        name: u.name.clone(),
        type_code: u.type_code.clone(),
        sector: o(&u.sector),
        province_code: u.province_code.map(|v| v.to_string()).unwrap_or_default(),
        commune_code: u.commune_code.map(|v| v.to_string()).unwrap_or_default(),
        address: o(&u.address),
        employer_name: o(&u.employer_name),
        employer_tax_id: o(&u.employer_tax_id),
        employer_ownership: o(&u.employer_ownership),
        employer_head_count: u
            .employer_head_count
            .map(|v| v.to_string())
            .unwrap_or_default(),
        founding_decision: o(&u.founding_decision),
        ..Default::default()
    };
    unit_form_page(&st, &user, f, vec![], Some(&u)).await
}

async fn update_unit(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, mut f): CsrfForm<UnitForm>,
) -> PageResult {
    let u = st.store.unit(&user.scope, id).await?;
    f.type_code = u.type_code.clone();
    f.code = u.code.clone();
    let input = match f.parse() {
        Ok(i) => i,
        Err(errs) => return unit_form_page(&st, &user, f, errs, Some(&u)).await,
    };
    let version = f.version.parse::<i64>().unwrap_or(-1);
    match st.store.update_unit(&user.scope, id, version, input).await {
        Ok(u) => see_other(&format!("/units/{}", u.unit_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            unit_form_page(&st, &user, f, errs, Some(&u)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    parent_code: String,
    on: String,
    reason: String,
}

/// Errors from the small forms on the unit page are shown as an error page naming the field.
async fn move_unit(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<MoveForm>,
) -> PageResult {
    st.store.unit(&user.scope, id).await?;
    let mut errs = vec![];
    let on = parse_date_req(&f.on, "effective_date", &mut errs);
    if f.reason.trim().is_empty() {
        errs.push(FieldError::new(
            "reason",
            "WE0602",
            "không được để trống.",
            "is required.",
        ));
    }
    let Some(on) = on.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let parent = st
        .store
        .unit_by_code(&user.scope, &f.parent_code)
        .await
        .map_err(|_| {
            AppError::invalid(
                "parent_id",
                "WE0620",
                "không tìm thấy đơn vị có mã này.",
                "no unit has this code.",
            )
        })?;
    st.store
        .move_unit(
            &user.scope,
            id,
            parent.unit_id,
            on,
            today(),
            f.reason.trim(),
        )
        .await?;
    see_other(&format!("/units/{id}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CoordForm {
    coordinator_code: String,
    valid_from: String,
    note: String,
}

async fn add_coordination(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<CoordForm>,
) -> PageResult {
    st.store.unit(&user.scope, id).await?;
    let mut errs = vec![];
    let from = parse_date_req(&f.valid_from, "valid_from", &mut errs);
    let Some(from) = from.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let coord_id = st
        .store
        .unit_id_by_code(&f.coordinator_code)
        .await
        .map_err(|_| {
            AppError::invalid(
                "coordinator_id",
                "WE0620",
                "không tìm thấy đơn vị có mã này.",
                "no unit has this code.",
            )
        })?;
    st.store
        .add_coordination(&user.scope, id, coord_id, from, Some(f.note))
        .await?;
    see_other(&format!("/units/{id}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CommitteeForm {
    kind: String,
    term_no: String,
    term_label: String,
    term_start: String,
    term_end: String,
}

async fn create_committee(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<CommitteeForm>,
) -> PageResult {
    let mut errs = vec![];
    let start = parse_date_req(&f.term_start, "start_date", &mut errs);
    let end = parse_date_opt(&f.term_end, "end_date", &mut errs);
    let term_no = match f.term_no.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errs.push(FieldError::new(
                    "term",
                    "WE0630",
                    "khóa phải là số nguyên dương.",
                    "the term number must be a positive integer.",
                ));
                None
            }
        },
    };
    let Some(start) = start.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    st.store
        .create_committee(
            &user.scope,
            id,
            congdoan_store::CommitteeInput {
                kind: f.kind,
                term_no,
                term_label: Some(f.term_label).filter(|s| !s.trim().is_empty()),
                term_start: start,
                term_end: end,
            },
        )
        .await?;
    see_other(&format!("/units/{id}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PositionForm {
    member: String,
    position_code: String,
    start_date: String,
    #[serde(deserialize_with = "flag")]
    full_time: bool,
    #[serde(deserialize_with = "flag")]
    appointed: bool,
}

async fn add_position(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<PositionForm>,
) -> PageResult {
    let mut errs = vec![];
    let start = parse_date_req(&f.start_date, "start_date", &mut errs);
    let Some(start) = start.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let m = st
        .store
        .member_by_cccd_or_card(&user.scope, &f.member)
        .await
        .map_err(|_| {
            AppError::invalid(
                "member_id",
                "WE0631",
                "không tìm thấy đoàn viên có số CCCD hoặc số thẻ này.",
                "no member has this CCCD or card number.",
            )
        })?;
    st.store
        .add_position(
            &user.scope,
            id,
            PositionInput {
                member_id: m.member_id,
                position_code: f.position_code,
                start_date: start,
                end_date: None,
                full_time: f.full_time,
                elected: !f.appointed,
            },
        )
        .await?;
    let c = st.store.committee_unit(id).await?;
    see_other(&format!("/units/{c}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EndForm {
    end_date: String,
    reason: String,
}

async fn end_position(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<EndForm>,
) -> PageResult {
    let mut errs = vec![];
    let end = parse_date_req(&f.end_date, "end_date", &mut errs);
    let Some(end) = end.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let unit_id = st.store.position_unit(id).await?;
    st.store
        .end_position(&user.scope, id, end, &f.reason)
        .await?;
    see_other(&format!("/units/{unit_id}"))
}

// ---------- members ----------

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    chrome: Chrome,
    unit: Option<Unit>,
    can_add: bool,
    q: String,
    status: String,
    statuses: Vec<(&'static str, String)>,
    rows: Vec<MemberListRow>,
    page: i64,
    more: bool,
    capped: bool,
    prev_url: String,
    next_url: String,
}

#[derive(Template)]
#[template(path = "members_partial.html")]
struct MembersPartial {
    chrome: Chrome,
    rows: Vec<MemberListRow>,
    page: i64,
    more: bool,
    capped: bool,
    prev_url: String,
    next_url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MembersQuery {
    q: String,
    status: String,
    unit: Option<i64>,
    page: i64,
}

fn members_url(q: &MembersQuery, page: i64) -> String {
    let mut parts = vec![
        ("q", q.q.clone()),
        ("status", q.status.clone()),
        ("page", page.to_string()),
    ];
    if let Some(u) = q.unit {
        parts.push(("unit", u.to_string()));
    }
    format!(
        "/members?{}",
        serde_urlencoded::to_string(parts).unwrap_or_default()
    )
}

async fn members(
    State(st): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<MembersQuery>,
) -> PageResult {
    let tr = user.tr();
    let status = MemberStatus::parse(q.status.trim()).ok();
    let found = st
        .store
        .search_members(
            &user.scope,
            &MemberQuery {
                q: Some(q.q.clone()),
                unit_id: q.unit,
                status,
                page: q.page,
                per_page: 50,
            },
        )
        .await?;
    let (prev_url, next_url) = (members_url(&q, q.page - 1), members_url(&q, q.page + 1));
    if headers.contains_key("hx-request") && !headers.contains_key("hx-boosted") {
        let mut res = render(MembersPartial {
            chrome: Chrome::new(&user, ""),
            rows: found.rows,
            page: q.page,
            more: found.more,
            capped: found.capped,
            prev_url,
            next_url,
        })?;
        res.headers_mut().insert(
            header::VARY,
            axum::http::HeaderValue::from_static("HX-Request"),
        );
        return Ok(res);
    }
    let unit = match q.unit {
        Some(id) => Some(st.store.unit(&user.scope, id).await?),
        None => None,
    };
    render(MembersPage {
        chrome: Chrome::new(&user, tr.s("Đoàn viên", "Members")),
        can_add: unit.as_ref().is_some_and(|u| user.scope.can_write(&u.path)),
        unit,
        statuses: MemberStatus::all()
            .iter()
            .map(|s| (s.code(), s.label(user.lang).to_string()))
            .collect(),
        q: q.q.clone(),
        status: q.status.clone(),
        rows: found.rows,
        page: q.page,
        more: found.more,
        capped: found.capped,
        prev_url,
        next_url,
    })
}

/// One input of the member form.
pub struct FormField {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub inputmode: &'static str,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "member_form.html")]
struct MemberFormPage {
    chrome: Chrome,
    /// The unit and its sub-units that hold members, for a new member's placement.
    placements: Vec<(i64, String)>,
    unit: Unit,
    f: MemberForm,
    fields: Vec<FormField>,
    errors: Vec<FieldError>,
    action: String,
}

fn member_fields(f: &MemberForm, errors: &[FieldError], tr: Tr, creating: bool) -> Vec<FormField> {
    let err = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.text(tr.lang).to_string())
    };
    let mut v = vec![
        (
            "full_name",
            tr.field("full_name"),
            "",
            f.full_name.clone(),
            "",
        ),
        (
            "birth_date",
            tr.field("birth_date"),
            "dd/mm/yyyy",
            f.birth_date.clone(),
            "numeric",
        ),
        ("sex", tr.field("sex"), "", f.sex.clone(), ""),
        (
            "cccd",
            tr.field("cccd"),
            tr.s("12 chữ số", "12 digits"),
            f.cccd.clone(),
            "numeric",
        ),
        ("phone", tr.field("phone"), "", f.phone.clone(), "tel"),
        (
            "ethnicity",
            tr.field("ethnicity"),
            "",
            f.ethnicity.clone(),
            "",
        ),
        (
            "nationality",
            tr.field("nationality"),
            "",
            f.nationality.clone(),
            "",
        ),
        (
            "job_title",
            tr.s("Nghề nghiệp, chức danh", "Job"),
            "",
            f.job_title.clone(),
            "",
        ),
        (
            "employer_name",
            tr.s("Nơi làm việc", "Employer"),
            "",
            f.employer_name.clone(),
            "",
        ),
        (
            "si_salary",
            tr.s("Lương đóng BHXH (đồng)", "SI salary (VND)"),
            "",
            f.si_salary.clone(),
            "numeric",
        ),
        ("card_no", tr.field("card_no"), "", f.card_no.clone(), ""),
        (
            "join_date",
            tr.field("join_date"),
            "dd/mm/yyyy",
            f.join_date.clone(),
            "numeric",
        ),
        (
            "party_member",
            tr.s("Đảng viên", "Party member"),
            "",
            if f.party_member {
                "on".into()
            } else {
                String::new()
            },
            "",
        ),
    ];
    if creating {
        v.push((
            "status",
            tr.field("status"),
            "",
            if f.status.is_empty() {
                "member".into()
            } else {
                f.status.clone()
            },
            "",
        ));
    }
    v.into_iter()
        .map(|(name, label, hint, value, inputmode)| FormField {
            name,
            label: label.to_string(),
            hint: hint.to_string(),
            value,
            inputmode,
            error: err(name),
        })
        .collect()
}

async fn member_form_page(
    st: &AppState,
    user: &CurrentUser,
    f: MemberForm,
    errors: Vec<FieldError>,
    edit: Option<i64>,
) -> PageResult {
    let tr = user.tr();
    let unit = st
        .store
        .unit(
            &user.scope,
            f.unit_id.parse().map_err(|_| AppError::NotFound)?,
        )
        .await?;
    // A new member may go straight into a tổ or bộ phận of the unit.
    let mut placements = vec![];
    if edit.is_none() {
        let types = st.store.unit_types().await?;
        for v in st
            .store
            .subtree_as_of(&user.scope, unit.unit_id, today())
            .await?
        {
            if types
                .iter()
                .any(|t| t.type_code == v.type_code && t.holds_members)
            {
                let depth = v
                    .path
                    .matches('/')
                    .count()
                    .saturating_sub(unit.path.matches('/').count());
                placements.push((v.unit_id, format!("{}{}", "— ".repeat(depth), v.name)));
            }
        }
    }
    let mut res = render(MemberFormPage {
        placements,
        chrome: Chrome::new(
            user,
            match edit {
                Some(_) => tr.s("Sửa hồ sơ đoàn viên", "Edit member"),
                None => tr.s("Thêm đoàn viên", "New member"),
            },
        ),
        fields: member_fields(&f, &errors, tr, edit.is_none()),
        action: edit
            .map(|id| format!("/members/{id}/edit"))
            .unwrap_or_else(|| "/members".into()),
        unit,
        f,
        errors: errors.clone(),
    })?;
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn new_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> PageResult {
    let unit = st
        .store
        .unit(&user.scope, q.unit.ok_or(AppError::NotFound)?)
        .await?;
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let f = MemberForm {
        unit_id: unit.unit_id.to_string(),
        nationality: "Việt Nam".into(),
        ethnicity: "Kinh".into(),
        ..Default::default()
    };
    member_form_page(&st, &user, f, vec![], None).await
}

async fn create_member(
    State(st): State<AppState>,
    CsrfForm(user, f): CsrfForm<MemberForm>,
) -> PageResult {
    let input = match f.parse() {
        Ok(i) => i,
        Err(errs) => return member_form_page(&st, &user, f, errs, None).await,
    };
    match st.store.create_member(&user.scope, input, today()).await {
        Ok(m) => see_other(&format!("/members/{}", m.member_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            member_form_page(&st, &user, f, errs, None).await
        }
    }
}

async fn edit_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let m = st.store.member(&user.scope, id).await?;
    if !user.scope.can_write(&m.path) {
        return Err(AppError::Forbidden);
    }
    st.store.log_personal_data_view(&user.scope, &m).await?;
    member_form_page(&st, &user, member_to_form(&m), vec![], Some(id)).await
}

fn member_to_form(m: &Member) -> MemberForm {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    MemberForm {
        unit_id: m.unit_id.to_string(),
        full_name: m.full_name.clone(),
        birth_date: congdoan_domain::date::format_vn_date(m.birth_date),
        sex: m.sex.clone(),
        cccd: o(&m.cccd),
        phone: o(&m.phone),
        ethnicity: o(&m.ethnicity),
        nationality: o(&m.nationality),
        job_title: o(&m.job_title),
        employer_name: o(&m.employer_name),
        si_salary: m.si_salary.map(|v| v.to_string()).unwrap_or_default(),
        card_no: o(&m.card_no),
        join_date: m
            .join_date
            .map(congdoan_domain::date::format_vn_date)
            .unwrap_or_default(),
        party_member: m.party_member,
        status: m.status.clone(),
        version: m.version.to_string(),
    }
}

async fn update_member(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, mut f): CsrfForm<MemberForm>,
) -> PageResult {
    let m = st.store.member(&user.scope, id).await?;
    f.unit_id = m.unit_id.to_string();
    f.status = String::new();
    let input = match f.parse() {
        Ok(i) => i,
        Err(errs) => return member_form_page(&st, &user, f, errs, Some(id)).await,
    };
    match st
        .store
        .update_member(&user.scope, id, f.version.parse().unwrap_or(-1), input)
        .await
    {
        Ok(_) => see_other(&format!("/members/{id}")),
        Err(e) => {
            let errs = field_errors(e.into())?;
            member_form_page(&st, &user, f, errs, Some(id)).await
        }
    }
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    chrome: Chrome,
    m: Member,
    unit: Unit,
    cccd: String,
    phone: String,
    salary: Option<String>,
    revealed: bool,
    can_write: bool,
    history: Vec<MemberEvent>,
    positions: Vec<Position>,
    event_kinds: Vec<(&'static str, String)>,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

async fn member_page_with(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    reveal: bool,
    errors: Vec<FieldError>,
) -> PageResult {
    let s = &st.store;
    let m = s.member(&user.scope, id).await?;
    let can_write = user.scope.can_write(&m.path);
    let revealed = reveal && can_write;
    if revealed {
        s.log_personal_data_view(&user.scope, &m).await?;
    }
    let cccd = match (&m.cccd, revealed) {
        (Some(c), true) => c.clone(),
        (Some(c), false) => Cccd::parse(c).map(|c| c.masked()).unwrap_or_default(),
        (None, _) => String::new(),
    };
    let phone = match (&m.phone, revealed) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => PhoneVn::parse(p).map(|p| p.masked()).unwrap_or_default(),
        (None, _) => String::new(),
    };
    let salary = m.si_salary.map(|v| {
        if revealed {
            user.tr().vnd(v)
        } else {
            "***".into()
        }
    });
    let has_errors = !errors.is_empty();
    let mut res = render(MemberPage {
        chrome: Chrome::new(user, &m.full_name),
        unit: s.unit(&user.scope, m.unit_id).await?,
        cccd,
        phone,
        salary,
        revealed,
        can_write,
        history: s.member_history(&user.scope, id).await?,
        positions: s.positions_of_member(&user.scope, id).await?,
        event_kinds: MemberEventKind::all()
            .iter()
            .map(|k| (k.code(), k.label(user.lang).to_string()))
            .collect(),
        errors,
        notice: None,
        m,
    })?;
    if has_errors {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn member_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> PageResult {
    member_page_with(&st, &user, id, q.reveal.is_some(), vec![]).await
}

/// The status-change form (also the API's event request).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct EventFormData {
    pub kind: String,
    pub on: String,
    pub reason: String,
    pub to_unit_code: String,
}

async fn member_event(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<EventFormData>,
) -> PageResult {
    match parse_event(&st, &f).await {
        Ok(ev) => match st
            .store
            .member_event(&user.scope, id, ev, &MembershipRules::hd38(), today())
            .await
        {
            Ok(_) => see_other(&format!("/members/{id}")),
            Err(e) => {
                let errs = field_errors(e.into())?;
                member_page_with(&st, &user, id, false, errs).await
            }
        },
        Err(errs) => member_page_with(&st, &user, id, false, errs).await,
    }
}

/// Parses a status-change form (shared with the API).
pub(crate) async fn parse_event(
    st: &AppState,
    f: &EventFormData,
) -> Result<MemberEventInput, Vec<FieldError>> {
    let mut errs = vec![];
    let kind = MemberEventKind::parse(f.kind.trim()).ok();
    if kind.is_none() {
        errs.push(FieldError::new(
            "status",
            "WE0640",
            "thao tác không hợp lệ.",
            "unknown action.",
        ));
    }
    let on = parse_date_req(&f.on, "effective_date", &mut errs);
    let to_unit_id = match f.to_unit_code.trim() {
        "" => None,
        code => match st.store.unit_id_by_code(code).await {
            Ok(id) => Some(id),
            Err(_) => {
                errs.push(FieldError::new(
                    "unit",
                    "WE0620",
                    "không tìm thấy đơn vị có mã này.",
                    "no unit has this code.",
                ));
                None
            }
        },
    };
    match (kind, on) {
        (Some(kind), Some(on)) if errs.is_empty() => Ok(MemberEventInput {
            kind,
            on,
            reason: Some(f.reason.clone()).filter(|r| !r.trim().is_empty()),
            to_unit_id,
            discipline_end: None,
        }),
        _ => Err(errs),
    }
}

// ---------- audit ----------

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditEntry>,
    next_before: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AuditParams {
    before: Option<i64>,
}

async fn audit(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditParams>,
) -> PageResult {
    let rows = st
        .store
        .audit_log(
            &user.scope,
            &AuditQuery {
                before_id: q.before,
                limit: 100,
                ..Default::default()
            },
        )
        .await?;
    let next_before = (rows.len() == 100)
        .then(|| rows.last().map(|r| r.audit_id))
        .flatten();
    render(AuditPage {
        chrome: Chrome::new(&user, user.tr().s("Nhật ký thay đổi", "Audit log")),
        rows,
        next_before,
    })
}
