//! The JSON API under `/api/v1`. Every route is declared with `utoipa-axum`, so the
//! OpenAPI document at `/api/openapi.json` is generated from the same list that routes.

mod agreements;
mod certificates;
mod clusters;
mod emulation;
mod errors;
mod imports;
mod models;
mod movements;
mod plans;
mod reports;
mod requests;
mod rewards;
mod tokens;

use crate::auth::CurrentUser;
use crate::error::{ErrorBody, FieldError};
use crate::forms::{MemberForm, UnitForm};
use crate::{AppError, AppState, today};
use axum::extract::{FromRequestParts, Path, State};
use axum::response::IntoResponse;
use axum::{Json, Router};
use congdoan_domain::member::{MemberStatus, MembershipRules};
use congdoan_domain::{Cccd, PhoneVn};
use congdoan_store::{
    AuditEntry, AuditQuery, Committee, CommitteeInput, Dashboard, Member, MemberEvent,
    MemberListRow, MemberQuery, PositionInput, TreeNode, Unit, UnitType, UnitVersion,
};
use errors::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<Json<T>, AppError>;

/// JSON body whose rejection is our error format. The caller is authorised before
/// the body is read: someone who may write nowhere gets 403, never a validation
/// answer that would tell them which codes exist (their own tokens aside).
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        if !parts.uri.path().starts_with("/api/v1/tokens") {
            let user =
                <CurrentUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(
                    &mut parts, state,
                )
                .await?;
            crate::auth::require_write_somewhere(&user, parts.uri.path())?;
        }
        let req = axum::extract::Request::from_parts(parts, body);
        let axum::Json(v) =
            <axum::Json<T> as axum::extract::FromRequest<AppState>>::from_request(req, state)
                .await?;
        Ok(ApiJson(v))
    }
}

/// Query string whose rejection is our error format.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        AppError::BadRequest(e.body_text())
    }
}
impl From<axum::extract::rejection::QueryRejection> for AppError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        AppError::BadRequest(e.body_text())
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "congdoan API", description = "API quản lý công đoàn: cây tổ chức, đoàn viên, cán bộ, nhật ký."),
    components(schemas(ErrorBody, FieldError)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
            c.responses.extend(errors::components());
        }
    }
}

/// The API routes and their OpenAPI document, built from one list.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(tokens::list_accounts, tokens::create_account))
        .routes(routes!(tokens::reset_password))
        .routes(routes!(tokens::disable_account))
        .routes(routes!(tokens::enable_account))
        .routes(routes!(unit_types))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, update_unit))
        .routes(routes!(subtree))
        .routes(routes!(unit_history))
        .routes(routes!(move_unit))
        .routes(routes!(officials, create_committee))
        .routes(routes!(add_position))
        .routes(routes!(list_members, create_member))
        .routes(routes!(get_member, update_member))
        .routes(routes!(member_history, member_event))
        .routes(routes!(audit_log))
        .routes(routes!(reports::list_forms, reports::create_form))
        .routes(routes!(reports::get_form))
        .routes(routes!(reports::new_version))
        .routes(routes!(reports::send_report))
        .routes(routes!(reports::get_submission, reports::put_submission))
        .routes(routes!(reports::review_step))
        .routes(routes!(reports::rollup))
        .routes(routes!(dashboard))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(imports::upload_import))
                .layer(axum::extract::DefaultBodyLimit::max(
                    congdoan_store::MAX_IMPORT_BYTES + 64 * 1024,
                )),
        )
        .routes(routes!(imports::get_import))
        .routes(routes!(imports::import_rejects))
        .routes(routes!(imports::confirm_import))
        .routes(routes!(imports::undo_import))
        .routes(routes!(plans::list_plans, plans::create_plan))
        .routes(routes!(plans::get_plan, plans::save_plan))
        .routes(routes!(plans::reform_plan))
        .routes(routes!(plans::preview_plan))
        .routes(routes!(plans::apply_plan))
        .routes(routes!(plans::revert_plan))
        .routes(routes!(plans::cancel_plan))
        .routes(routes!(plans::unit_lineage))
        .routes(routes!(clusters::list_clusters, clusters::create_cluster))
        .routes(routes!(clusters::get_cluster))
        .routes(routes!(clusters::add_cluster_units))
        .routes(routes!(clusters::add_cluster_supervisor))
        .routes(routes!(clusters::supervised_units))
        .routes(routes!(
            agreements::list_agreements,
            agreements::create_agreement
        ))
        .routes(routes!(agreements::get_agreement))
        .routes(routes!(agreements::accept_agreement))
        .routes(routes!(agreements::decline_agreement))
        .routes(routes!(agreements::end_agreement))
        .routes(routes!(requests::list_requests))
        .routes(routes!(requests::get_request))
        .routes(routes!(requests::request_board))
        .routes(routes!(requests::get_target))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(requests::issue_directive))
                .routes(routes!(requests::take_step))
                .layer(axum::extract::DefaultBodyLimit::max(requests::BODY_LIMIT)),
        )
        .routes(routes!(requests::forward))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(models::list_models, models::create_model))
                .routes(routes!(models::get_model, models::update_model))
                .layer(axum::extract::DefaultBodyLimit::max(requests::BODY_LIMIT)),
        )
        .routes(routes!(models::replicate_model))
        .routes(routes!(
            movements::list_movements,
            movements::create_movement
        ))
        .routes(routes!(movements::get_movement))
        .routes(routes!(movements::register_unit))
        .routes(routes!(movements::register_member))
        .routes(routes!(movements::request_progress))
        .routes(routes!(rewards::list_kinds))
        .routes(routes!(
            rewards::list_evaluations,
            rewards::create_evaluation
        ))
        .routes(routes!(rewards::get_evaluation))
        .routes(routes!(rewards::nominate))
        .routes(routes!(rewards::decide))
        .routes(routes!(rewards::create_decision))
        .routes(routes!(rewards::get_decision))
        .routes(routes!(rewards::member_rewards))
        .routes(routes!(rewards::unit_rewards))
        .routes(routes!(emulation::list_sets))
        .routes(routes!(emulation::import_set))
        .routes(routes!(emulation::get_set))
        .routes(routes!(emulation::export_set))
        .routes(routes!(emulation::send_assessment))
        .routes(routes!(emulation::get_sheet))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(emulation::save_self))
                .layer(axum::extract::DefaultBodyLimit::max(requests::BODY_LIMIT)),
        )
        .routes(routes!(emulation::save_appraisal))
        .routes(routes!(emulation::reopen))
        .routes(routes!(emulation::ranking))
        .routes(routes!(emulation::wide_ranking))
        .routes(routes!(emulation::distribution))
        .routes(routes!(
            certificates::list_certificates,
            certificates::issue_certificates
        ))
        .routes(routes!(
            certificates::uncertified,
            certificates::certify_decision
        ))
        .routes(routes!(certificates::get_certificate))
        .routes(routes!(certificates::certificate_pdf))
        .routes(routes!(certificates::batch_pdf))
        .routes(routes!(certificates::revoke_certificate))
        .routes(routes!(certificates::verify))
        .split_for_parts()
}

pub fn routes() -> Router<AppState> {
    let (router, doc) = api();
    let json = doc.to_pretty_json().unwrap_or_default();
    router
        .route(
            "/api/openapi.json",
            axum::routing::get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    json,
                )
                    .into_response()
            }),
        )
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { AppError::NotFound }),
        )
        .layer(axum::middleware::map_response(json_errors))
}

/// Every error answer of the API is our JSON body, also those axum makes itself (a
/// path parameter that is not a number, a method the route does not have), so a
/// client reads one format.
async fn json_errors(res: axum::response::Response) -> axum::response::Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || res.extensions().get::<AppError>().is_some()
    {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let err = match status {
        axum::http::StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        axum::http::StatusCode::FORBIDDEN => AppError::Forbidden,
        axum::http::StatusCode::NOT_FOUND => AppError::NotFound,
        axum::http::StatusCode::CONFLICT => AppError::Conflict,
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::TooLarge(congdoan_store::MAX_IMPORT_BYTES / (1024 * 1024))
        }
        s if s.is_server_error() => AppError::Internal(format!("{}", s.as_u16())),
        _ => AppError::BadRequest(text.trim().to_string()),
    };
    let mut out = err.into_response();
    // Keep the status axum chose (405, 415…) and its headers (Allow).
    *out.status_mut() = status;
    for (k, v) in parts.headers.iter() {
        if k != axum::http::header::CONTENT_TYPE && k != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().insert(k, v.clone());
        }
    }
    out
}

#[derive(Serialize, ToSchema)]
struct Me {
    username: String,
    display_name: String,
    is_admin: bool,
    /// Path prefixes the caller may read and write.
    read_paths: Vec<String>,
    write_paths: Vec<String>,
}

/// The caller and their scope.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), AuthErrors), security(("bearer" = [])))]
async fn me(user: CurrentUser) -> ApiResult<Me> {
    Ok(Json(Me {
        username: user.account.username.clone(),
        display_name: user.account.display_name.clone(),
        is_admin: user.scope.is_admin(),
        read_paths: user.scope.read_paths().to_vec(),
        write_paths: user.scope.write_paths().to_vec(),
    }))
}

/// Unit types with the dates they exist.
#[utoipa::path(get, path = "/api/v1/unit-types", responses((status = 200, body = Vec<UnitType>), AuthErrors), security(("bearer" = [])))]
async fn unit_types(State(st): State<AppState>, _user: CurrentUser) -> ApiResult<Vec<UnitType>> {
    Ok(Json(st.store.unit_types().await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
struct TreeParams {
    /// List the sub-units of this unit; without it, the top of the caller's tree.
    parent_id: Option<i64>,
    /// The date to show the tree as of (dd/mm/yyyy or yyyy-mm-dd); today by default.
    as_of: Option<String>,
}

fn as_of(raw: Option<&str>) -> Result<time::Date, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today()),
        Some(s) => Ok(congdoan_domain::date::parse_vn_date(s, "effective_date")?),
    }
}

/// Units of the tree as of a date: the top of the caller's tree, or one unit's sub-units.
#[utoipa::path(get, path = "/api/v1/units", params(TreeParams), responses((status = 200, body = Vec<TreeNode>), QueryErrors), security(("bearer" = [])))]
async fn list_units(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<TreeParams>,
) -> ApiResult<Vec<TreeNode>> {
    let d = as_of(q.as_of.as_deref())?;
    Ok(Json(match q.parent_id {
        Some(p) => st.store.tree_children(&user.scope, p, d).await?,
        None => st.store.tree_roots(&user.scope, d).await?,
    }))
}

fn invalid(errs: Vec<FieldError>) -> AppError {
    AppError::Invalid(errs)
}

/// Creates a unit under a parent the caller may write.
#[utoipa::path(post, path = "/api/v1/units", request_body = UnitForm, responses((status = 200, body = Unit), WriteErrors), security(("bearer" = [])))]
async fn create_unit(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(f): ApiJson<UnitForm>,
) -> ApiResult<Unit> {
    let input = f.parse().map_err(invalid)?;
    Ok(Json(
        st.store.create_unit(&user.scope, input, today()).await?,
    ))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", params(("id" = i64, Path)), responses((status = 200, body = Unit), ReadErrors), security(("bearer" = [])))]
async fn get_unit(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Unit> {
    Ok(Json(st.store.unit(&user.scope, id).await?))
}

/// Edits a unit's details; `version` must be the version read.
#[utoipa::path(put, path = "/api/v1/units/{id}", params(("id" = i64, Path)), request_body = UnitForm, responses((status = 200, body = Unit), VersionedWriteErrors), security(("bearer" = [])))]
async fn update_unit(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<UnitForm>,
) -> ApiResult<Unit> {
    let version = f.version.trim().parse::<i64>().map_err(|_| {
        AppError::invalid(
            "version",
            "WE0650",
            "cần số phiên bản đã đọc.",
            "send the version you read.",
        )
    })?;
    let input = f.parse().map_err(invalid)?;
    Ok(Json(
        st.store
            .update_unit(&user.scope, id, version, input)
            .await?,
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
struct AsOfParams {
    /// dd/mm/yyyy or yyyy-mm-dd; today by default.
    as_of: Option<String>,
}

/// A unit's whole subtree as it stood on a date.
#[utoipa::path(get, path = "/api/v1/units/{id}/subtree", params(("id" = i64, Path), AsOfParams), responses((status = 200, body = Vec<UnitVersion>), QueryErrors), security(("bearer" = [])))]
async fn subtree(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<AsOfParams>,
) -> ApiResult<Vec<UnitVersion>> {
    Ok(Json(
        st.store
            .subtree_as_of(&user.scope, id, as_of(q.as_of.as_deref())?)
            .await?,
    ))
}

/// Every interval of a unit's placement in the managing tree.
#[utoipa::path(get, path = "/api/v1/units/{id}/history", params(("id" = i64, Path)), responses((status = 200, body = Vec<UnitVersion>), ReadErrors), security(("bearer" = [])))]
async fn unit_history(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<UnitVersion>> {
    Ok(Json(st.store.unit_history(&user.scope, id).await?))
}

#[derive(Deserialize, ToSchema)]
struct MoveRequest {
    parent_id: i64,
    /// Effective date, dd/mm/yyyy or yyyy-mm-dd.
    on: String,
    reason: String,
}

/// Moves a unit and its subtree under a new managing parent from a date.
#[utoipa::path(post, path = "/api/v1/units/{id}/move", params(("id" = i64, Path)), request_body = MoveRequest, responses((status = 200, body = Unit), WriteErrors), security(("bearer" = [])))]
async fn move_unit(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<MoveRequest>,
) -> ApiResult<Unit> {
    let on = congdoan_domain::date::parse_vn_date(&r.on, "effective_date")?;
    if r.reason.trim().is_empty() {
        return Err(AppError::invalid(
            "reason",
            "WE0602",
            "không được để trống.",
            "is required.",
        ));
    }
    Ok(Json(
        st.store
            .move_unit(&user.scope, id, r.parent_id, on, today(), r.reason.trim())
            .await?,
    ))
}

/// A unit's committees (BCH, BTV, UBKT, tổ) with their officers.
#[utoipa::path(get, path = "/api/v1/units/{id}/committees", params(("id" = i64, Path)), responses((status = 200, body = Vec<Committee>), ReadErrors), security(("bearer" = [])))]
async fn officials(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<Committee>> {
    Ok(Json(st.store.committees(&user.scope, id).await?))
}

#[derive(Serialize, ToSchema)]
struct Created {
    id: i64,
}

/// Creates a committee for a term.
#[utoipa::path(post, path = "/api/v1/units/{id}/committees", params(("id" = i64, Path)), request_body = CommitteeInput, responses((status = 200, body = Created), WriteErrors), security(("bearer" = [])))]
async fn create_committee(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<CommitteeInput>,
) -> ApiResult<Created> {
    Ok(Json(Created {
        id: st.store.create_committee(&user.scope, id, c).await?,
    }))
}

/// Records an officer's post in a committee.
#[utoipa::path(post, path = "/api/v1/committees/{id}/positions", params(("id" = i64, Path)), request_body = PositionInput, responses((status = 200, body = Created), WriteErrors), security(("bearer" = [])))]
async fn add_position(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<PositionInput>,
) -> ApiResult<Created> {
    Ok(Json(Created {
        id: st.store.add_position(&user.scope, id, p).await?,
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
struct MemberParams {
    /// Name without accents, or a CCCD, phone or card number.
    q: Option<String>,
    /// Only this unit's subtree.
    unit_id: Option<i64>,
    /// applicant, member, suspended, transferred, exited, expelled.
    status: Option<String>,
    /// From 0.
    page: Option<i64>,
    /// 1–200, default 50.
    per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
struct MemberPage {
    items: Vec<MemberListRow>,
    page: i64,
    has_more: bool,
    /// The name matched more people than are sorted for one search: narrow it.
    capped: bool,
}

/// Members in the caller's scope, sorted by given name the Vietnamese way.
#[utoipa::path(get, path = "/api/v1/members", params(MemberParams), responses((status = 200, body = MemberPage), QueryErrors), security(("bearer" = [])))]
async fn list_members(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<MemberParams>,
) -> ApiResult<MemberPage> {
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(MemberStatus::parse(s).map_err(|_| {
            AppError::invalid(
                "status",
                "WE0604",
                "trạng thái không hợp lệ.",
                "unknown status.",
            )
        })?),
        None => None,
    };
    let page = q.page.unwrap_or(0);
    let found = st
        .store
        .search_members(
            &user.scope,
            &MemberQuery {
                q: q.q,
                unit_id: q.unit_id,
                status,
                page,
                per_page: q.per_page.unwrap_or(50),
                ..Default::default()
            },
        )
        .await?;
    Ok(Json(MemberPage {
        items: found.rows,
        page,
        has_more: found.more,
        capped: found.capped,
    }))
}

/// Adds a member; every invalid field is reported.
#[utoipa::path(post, path = "/api/v1/members", request_body = MemberForm, responses((status = 200, body = Member), WriteErrors), security(("bearer" = [])))]
async fn create_member(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(f): ApiJson<MemberForm>,
) -> ApiResult<Member> {
    let input = f.parse().map_err(invalid)?;
    let m = st.store.create_member(&user.scope, input, today()).await?;
    Ok(Json(mask(m)))
}

fn mask(mut m: Member) -> Member {
    m.cccd = m.cccd.map(|c| {
        Cccd::parse(&c)
            .map(|c| c.masked())
            .unwrap_or_else(|_| "***".into())
    });
    m.phone = m.phone.map(|c| {
        PhoneVn::parse(&c)
            .map(|c| c.masked())
            .unwrap_or_else(|_| "***".into())
    });
    m.si_salary = None;
    m
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
struct RevealParams {
    /// Return CCCD, phone and salary in full (officers only; the view is audited).
    reveal: bool,
}

/// One member; personal data masked unless `reveal=true`.
#[utoipa::path(get, path = "/api/v1/members/{id}", params(("id" = i64, Path), RevealParams), responses((status = 200, body = Member), RevealErrors), security(("bearer" = [])))]
async fn get_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<RevealParams>,
) -> ApiResult<Member> {
    let m = st.store.member(&user.scope, id).await?;
    if q.reveal {
        st.store.log_personal_data_view(&user.scope, &m).await?;
        return Ok(Json(m));
    }
    Ok(Json(mask(m)))
}

/// Edits a member's record; `version` must be the version read.
#[utoipa::path(put, path = "/api/v1/members/{id}", params(("id" = i64, Path)), request_body = MemberForm, responses((status = 200, body = Member), VersionedWriteErrors), security(("bearer" = [])))]
async fn update_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(mut f): ApiJson<MemberForm>,
) -> ApiResult<Member> {
    let current = st.store.member(&user.scope, id).await?;
    f.unit_id = current.unit_id.to_string();
    f.status = String::new();
    let version = f.version.trim().parse::<i64>().map_err(|_| {
        AppError::invalid(
            "version",
            "WE0650",
            "cần số phiên bản đã đọc.",
            "send the version you read.",
        )
    })?;
    let input = f.parse().map_err(invalid)?;
    Ok(Json(mask(
        st.store
            .update_member(&user.scope, id, version, input)
            .await?,
    )))
}

/// A member's status history, attributed to the units where it happened.
#[utoipa::path(get, path = "/api/v1/members/{id}/events", params(("id" = i64, Path)), responses((status = 200, body = Vec<MemberEvent>), ReadErrors), security(("bearer" = [])))]
async fn member_history(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<MemberEvent>> {
    Ok(Json(st.store.member_history(&user.scope, id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
struct EventRequest {
    /// admit, suspend, resume, transfer_out, exit, expel, readmit.
    kind: String,
    /// Effective date, dd/mm/yyyy or yyyy-mm-dd.
    on: String,
    reason: String,
    /// For a transfer inside congdoan: the receiving unit's code.
    to_unit_code: String,
}

/// Changes a member's status through the membership rules, or transfers them.
#[utoipa::path(post, path = "/api/v1/members/{id}/events", params(("id" = i64, Path)), request_body = EventRequest, responses((status = 200, body = Member), WriteErrors), security(("bearer" = [])))]
async fn member_event(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<EventRequest>,
) -> ApiResult<Member> {
    let form = crate::views::EventFormData {
        kind: r.kind,
        on: r.on,
        reason: r.reason,
        to_unit_code: r.to_unit_code,
    };
    let ev = crate::views::parse_event(&st, &form)
        .await
        .map_err(invalid)?;
    Ok(Json(mask(
        st.store
            .member_event(&user.scope, id, ev, &MembershipRules::hd38(), today())
            .await?,
    )))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
struct AuditParams {
    /// unit, member, position, committee, account…
    entity: Option<String>,
    entity_id: Option<i64>,
    /// Rows older than this id (paging).
    before_id: Option<i64>,
    /// 1–500, default 100.
    limit: Option<i64>,
}

/// The audit log of the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditParams), responses((status = 200, body = Vec<AuditEntry>), QueryErrors), security(("bearer" = [])))]
async fn audit_log(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> ApiResult<Vec<AuditEntry>> {
    Ok(Json(
        st.store
            .audit_log(
                &user.scope,
                &AuditQuery {
                    entity: q.entity,
                    entity_id: q.entity_id,
                    before_id: q.before_id,
                    limit: q.limit.unwrap_or(100),
                    ..Default::default()
                },
            )
            .await?,
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
struct DashboardParams {
    /// One unit's subtree; the caller's whole scope by default.
    unit_id: Option<i64>,
}

/// Figures for a subtree, from maintained counts: units by type; members by status, sex,
/// age band, sector and employer type; unionisation rate; recent changes.
#[utoipa::path(get, path = "/api/v1/dashboard", params(DashboardParams), responses((status = 200, body = Dashboard), QueryErrors), security(("bearer" = [])))]
async fn dashboard(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<DashboardParams>,
) -> ApiResult<Dashboard> {
    Ok(Json(
        st.store.dashboard(&user.scope, q.unit_id, today()).await?,
    ))
}
