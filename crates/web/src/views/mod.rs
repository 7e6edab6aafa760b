//! Server-rendered pages. Each handler reads through the store with the caller's scope,
//! renders a full page (or an htmx partial), and posts only through `CsrfForm`.

mod accounts;
mod agreements;
mod audit;
pub(crate) mod certificates;
mod clusters;
mod confirm;
mod criteriabuilder;
mod dashboard;
mod directives;
pub(crate) mod emulation;
mod exports;
mod formbuilder;
pub(crate) mod forms;
pub(crate) mod imports;
pub(crate) mod members;
mod models;
mod movements;
mod owed;
mod pick;
pub(crate) mod plans;
mod reports;
mod request_pdf;
mod rewards;
mod session;
mod todo;
mod tree;
mod units;

pub use accounts::force_password_change;
pub(crate) use accounts::{create_with_temporary, issue_token, parse_new_account};
use dashboard::UnitQuery;
pub(crate) use members::{EventFormData, parse_event};
use tree::AsOfQuery;
use units::field_errors;

use crate::assets::{CSS_URL, HTMX_URL};
use crate::auth::{
    CsrfForm, CurrentUser, DEVICE_COOKIE, DEVICE_COOKIE_SECS, LANG_COOKIE, LOGIN_CSRF_COOKIE,
    SESSION_COOKIE, cookie, new_token, set_cookie, sha256_hex,
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
        .route("/", get(home))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/todo", get(todo::todo))
        .route("/todo/units", get(todo::flagged_units))
        .route("/healthz", get(healthz))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang/{code}", get(session::set_lang))
        .route("/units", get(tree::tree).post(units::create_unit))
        .route("/units/new", get(units::new_unit))
        .route("/units/{id}", get(units::unit_page))
        .route("/units/{id}/children", get(tree::tree_children))
        .route(
            "/units/{id}/edit",
            get(units::edit_unit).post(units::update_unit),
        )
        .route("/units/{id}/move", post(units::move_unit))
        .route("/units/{id}/coordination", post(units::add_coordination))
        .route("/units/{id}/committees", post(units::create_committee))
        .route("/committees/{id}/positions", post(units::add_position))
        .route(
            "/positions/{id}/end",
            get(units::end_position_form).post(units::end_position),
        )
        .route(
            "/members",
            get(members::members).post(members::create_member),
        )
        .route("/members/new", get(members::new_member))
        .route("/members/{id}", get(members::member_page))
        .route(
            "/members/{id}/edit",
            get(members::edit_member).post(members::update_member),
        )
        .route("/members/{id}/events", post(members::member_event))
        .route("/audit", get(audit::audit))
        .route("/pick/units", get(pick::pick_units))
        .route("/pick/communes", get(pick::pick_communes))
        .merge(imports::routes())
        .merge(plans::routes())
        .merge(clusters::routes())
        .merge(agreements::routes())
        .merge(exports::routes())
        .merge(accounts::routes())
        .merge(directives::routes())
        .merge(models::routes())
        .merge(movements::routes())
        .merge(forms::routes())
        .merge(formbuilder::routes())
        .merge(reports::routes())
        .merge(emulation::routes())
        .merge(criteriabuilder::routes())
        .merge(request_pdf::routes())
        .merge(rewards::routes())
        .merge(certificates::routes())
        .fallback(unknown_page)
        .layer(axum::middleware::from_fn(html_errors))
}

/// What every page's frame needs.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub csrf: String,
    pub logged_in: bool,
    pub user_display: String,
    /// A demo account (published password): a banner on every page says so.
    pub demo: bool,
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
            demo: user.account.is_demo,
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
            demo: false,
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

/// GET routes that write an audit row (revealing personal data, exports) refuse a
/// request another site started: a link or image elsewhere cannot make a logged-in
/// officer's browser reveal or export anything in their name.
fn refuse_cross_site(headers: &HeaderMap) -> Result<(), AppError> {
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("cross-site") => Err(AppError::Forbidden),
        _ => Ok(()),
    }
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
    /// The address asked for, when no page has it.
    path: Option<String>,
}

/// Any address no route has: a Vietnamese 404 page (with the navigation when logged
/// in); under /api/ the JSON error.
async fn unknown_page(State(st): State<AppState>, req: axum::extract::Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return AppError::NotFound.into_response();
    }
    let lang = crate::auth::lang_of(req.headers());
    let path = req.uri().path().to_string();
    let (mut parts, _) = req.into_parts();
    let user = <CurrentUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &st,
    )
    .await
    .ok();
    error_page(AppError::NotFound, lang, user.as_ref(), Some(path))
}

/// The HTML face of an error (used by the `html_errors` middleware): the site's frame,
/// with the navigation when the caller is known.
pub fn error_page(
    err: AppError,
    lang: Lang,
    user: Option<&CurrentUser>,
    path: Option<String>,
) -> Response {
    let tr = Tr::new(lang);
    let body = err.body();
    let title = match &err {
        AppError::NotFound if path.is_some() => tr.s("Không tìm thấy trang", "Page not found"),
        AppError::NotFound => tr.s("Không tìm thấy", "Not found"),
        AppError::Forbidden => tr.s("Không có quyền", "Forbidden"),
        AppError::Invalid(_) => tr.s("Dữ liệu chưa hợp lệ", "Invalid input"),
        _ => tr.s("Có lỗi xảy ra", "Something went wrong"),
    };
    let chrome = match user {
        Some(u) => Chrome::new(u, title),
        None => Chrome::anonymous(lang, title),
    };
    let message = match (&path, lang) {
        (Some(_), Lang::Vi) => "Không có trang nào ở địa chỉ này. Hãy chọn một mục trong trình đơn hoặc quay về trang tổng quan.".to_string(),
        (Some(_), Lang::En) => "There is no page at this address. Pick an item from the menu or go back to the dashboard.".to_string(),
        (None, Lang::Vi) => body.message.clone(),
        (None, Lang::En) => body.message_en.clone(),
    };
    let page = ErrorPage {
        chrome,
        message,
        fields: vec![],
        path,
    };
    let html = page.render().unwrap_or_else(|_| body.message.clone());
    (err.status(), Html(html)).into_response()
}

/// The landing page is the to-do page ("Việc cần làm").
async fn home() -> Redirect {
    Redirect::to("/todo")
}

async fn healthz(State(st): State<AppState>) -> Response {
    axum::Json(serde_json::json!({"status": "ok", "engine": st.store.engine().name()}))
        .into_response()
}

/// A confirmation page that restates the impact of a consequential action before it
/// is posted (agreements ended, cluster changes); re-rendered with 422 on bad input.
#[derive(Template)]
#[template(path = "confirm_form.html")]
struct ConfirmForm {
    chrome: Chrome,
    errors: Vec<FieldError>,
    intro: String,
    items: Vec<String>,
    action: String,
    button: String,
    cancel: String,
    inputs: Vec<ConfirmInput>,
}

/// One input of a confirmation page, with its value kept and its error.
struct ConfirmInput {
    name: &'static str,
    label: String,
    hint: &'static str,
    value: String,
    error: Option<String>,
}

impl ConfirmForm {
    fn respond(self) -> PageResult {
        let invalid = !self.errors.is_empty();
        Ok(pick::unprocessable(render(self)?, invalid))
    }
}

impl ConfirmInput {
    fn new(
        name: &'static str,
        tr: Tr,
        hint: &'static str,
        value: &str,
        errors: &[FieldError],
    ) -> ConfirmInput {
        ConfirmInput {
            name,
            label: tr.field(name).to_string(),
            hint,
            value: value.to_string(),
            error: errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.text(tr.lang).to_string()),
        }
    }
}
