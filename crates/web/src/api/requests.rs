//! Requests (directives now; reports use the same routes) over the API: the same store
//! calls as the pages. Files travel base64-encoded in JSON, bounded by the route's
//! body limit and the per-file limit.

use super::errors::*;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::auth::CurrentUser;
use crate::error::FieldError;
use crate::{AppError, AppState, today};
use axum::Json;
use axum::extract::{Path, State};
use base64::Engine as _;
use congdoan_domain::request::{
    Action, MAX_FILE_BYTES, MAX_FILES_PER_TARGET, RequestKind, TargetSpec,
};
use congdoan_store::{
    Board, Forward, NewDirective, NewFile, Owed, Request, RequestDetail, RequestEvent, RequestFile,
    Sent, StepInput, Target,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Body limit of the routes that carry files.
pub const BODY_LIMIT: usize = MAX_FILES_PER_TARGET * MAX_FILE_BYTES * 4 / 3 + 1024 * 1024;

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct ListQuery {
    /// The unit whose requests are listed.
    unit_id: i64,
    /// `directive` or `report`; all kinds when absent.
    kind: Option<String>,
    /// `owed` (what the unit must answer, the default) or `sent` (what it issued).
    #[serde(rename = "box")]
    #[param(rename = "box")]
    r#box: Option<String>,
}

/// What a unit owes, or what it sent (the other list is empty).
#[derive(Serialize, ToSchema)]
pub struct RequestList {
    owed: Vec<Owed>,
    sent: Vec<Sent>,
}

fn kind_of(k: Option<&str>) -> Result<Option<RequestKind>, AppError> {
    match k.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => RequestKind::parse(k).map(Some).ok_or_else(|| {
            AppError::invalid(
                "kind",
                "WE1410",
                &format!("'{k}' không phải directive hay report."),
                &format!("'{k}' is neither directive nor report."),
            )
        }),
    }
}

/// Requests a unit owes (newest deadline first) or sent (newest first, with totals).
#[utoipa::path(get, path = "/api/v1/requests", params(ListQuery), responses((status = 200, body = RequestList), QueryErrors), security(("bearer" = [])))]
pub async fn list_requests(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<RequestList> {
    let kind = kind_of(q.kind.as_deref())?;
    Ok(Json(match q.r#box.as_deref().unwrap_or("owed") {
        "sent" => RequestList {
            owed: vec![],
            sent: st
                .store
                .requests_sent(&user.scope, q.unit_id, kind, 200)
                .await?,
        },
        "owed" => RequestList {
            owed: st
                .store
                .requests_owed(&user.scope, q.unit_id, kind, false, 200)
                .await?,
            sent: vec![],
        },
        other => {
            return Err(AppError::invalid(
                "box",
                "WE1411",
                &format!("'{other}' không phải owed hay sent."),
                &format!("'{other}' is neither owed nor sent."),
            ));
        }
    }))
}

/// One request with its totals and the issuer's files.
#[utoipa::path(get, path = "/api/v1/requests/{id}", params(("id" = i64, Path)), responses((status = 200, body = RequestDetail), ReadErrors), security(("bearer" = [])))]
pub async fn get_request(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<RequestDetail> {
    Ok(Json(st.store.request(&user.scope, id).await?))
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct LevelQuery {
    /// The level to show (a unit); the issuer when absent.
    level: Option<i64>,
}

/// The board at one level: counters, one row per unit below, per type, propagation.
#[utoipa::path(get, path = "/api/v1/requests/{id}/board", params(("id" = i64, Path), LevelQuery), responses((status = 200, body = Board), QueryErrors), security(("bearer" = [])))]
pub async fn request_board(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<LevelQuery>,
) -> ApiResult<Board> {
    Ok(Json(
        st.store.request_board(&user.scope, id, q.level).await?,
    ))
}

/// One unit's obligation with its history and files.
#[derive(Serialize, ToSchema)]
pub struct TargetView {
    target: Target,
    events: Vec<RequestEvent>,
    files: Vec<RequestFile>,
}

/// One target unit: where it stands, its history, its files.
#[utoipa::path(get, path = "/api/v1/requests/{id}/targets/{unit_id}", params(("id" = i64, Path), ("unit_id" = i64, Path)), responses((status = 200, body = TargetView), ReadErrors), security(("bearer" = [])))]
pub async fn get_target(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit_id)): Path<(i64, i64)>,
) -> ApiResult<TargetView> {
    Ok(Json(TargetView {
        target: st.store.request_target(&user.scope, id, unit_id).await?,
        events: st.store.request_events(&user.scope, id, unit_id).await?,
        files: st.store.response_files(&user.scope, id, unit_id).await?,
    }))
}

/// A file, base64-encoded.
#[derive(Deserialize, ToSchema)]
pub struct FileBody {
    name: String,
    /// The bytes in standard base64.
    base64: String,
}

pub(super) fn decode(files: Vec<FileBody>) -> Result<Vec<NewFile>, AppError> {
    files
        .into_iter()
        .map(|f| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.base64.as_bytes())
                .map_err(|_| {
                    AppError::invalid(
                        "file",
                        "WE1412",
                        &format!("tệp '{}' không phải base64 hợp lệ.", f.name),
                        &format!("file '{}' is not valid base64.", f.name),
                    )
                })?;
            Ok(NewFile {
                name: f.name,
                bytes,
            })
        })
        .collect()
}

pub(super) fn date(s: &str, field: &'static str) -> Result<time::Date, AppError> {
    let mut errs: Vec<FieldError> = vec![];
    match crate::forms::parse_date_req(s, field, &mut errs) {
        Some(d) => Ok(d),
        None => Err(AppError::Invalid(errs)),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewDirectiveBody {
    issuer_unit_id: i64,
    /// KH, CT, NQ, HD, CV, TB or QĐ.
    doc_type: String,
    /// The number; the next free one when absent.
    seq: Option<i64>,
    /// The issuer's abbreviation in the number ("LĐLĐ"); from its unit type when absent.
    issuer_abbrev: Option<String>,
    /// dd/mm/yyyy or yyyy-mm-dd.
    issued_on: String,
    /// The summary (trích yếu).
    title: String,
    body: Option<String>,
    /// Implementation report due on (dd/mm/yyyy or yyyy-mm-dd).
    due_on: String,
    /// `{"kind": "subtree", "root": 1, "types": ["CDCS"]}`, `{"kind": "cluster", "cluster_id": 1}`,
    /// `{"kind": "agreement", "agreement_id": 1}` or `{"kind": "units", "units": [1, 2]}`.
    #[schema(value_type = Object)]
    targets: TargetSpec,
    #[serde(default)]
    files: Vec<FileBody>,
}

/// Issues a directive (numbered per issuer, type and year) to a target set.
#[utoipa::path(post, path = "/api/v1/directives", request_body = NewDirectiveBody,
    responses((status = 200, body = Request), WriteErrors), security(("bearer" = [])))]
pub async fn issue_directive(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewDirectiveBody>,
) -> ApiResult<Request> {
    let input = NewDirective {
        issuer_unit_id: b.issuer_unit_id,
        doc_type: b.doc_type,
        seq: b.seq,
        issuer_abbrev: b.issuer_abbrev,
        issued_on: date(&b.issued_on, "issued_on")?,
        title: b.title,
        body: b.body,
        due_on: date(&b.due_on, "due_on")?,
        targets: b.targets,
        files: decode(b.files)?,
    };
    Ok(Json(st.store.issue_directive(&user.scope, input).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct StepBody {
    /// acknowledge, implement (directives); draft, submit, return, approve, reopen (reports).
    #[schema(value_type = String)]
    action: Action,
    note: Option<String>,
    #[serde(default)]
    files: Vec<FileBody>,
}

/// Takes a step on a unit's obligation.
#[utoipa::path(post, path = "/api/v1/requests/{id}/targets/{unit_id}/steps", params(("id" = i64, Path), ("unit_id" = i64, Path)), request_body = StepBody,
    responses((status = 200, body = Target), WriteErrors), security(("bearer" = [])))]
pub async fn take_step(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<StepBody>,
) -> ApiResult<Target> {
    if b.action == Action::Forward {
        return Err(AppError::invalid(
            "action",
            "WE1413",
            "chuyển tiếp dùng đường dẫn /forward.",
            "forwarding uses the /forward route.",
        ));
    }
    let input = StepInput {
        note: b.note,
        files: decode(b.files)?,
        ..StepInput::default()
    };
    Ok(Json(
        st.store
            .request_step(&user.scope, id, unit_id, b.action, input, today())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ForwardBody {
    /// A target set within the forwarding unit's subtree (as for a new directive).
    #[schema(value_type = Object)]
    targets: TargetSpec,
    instructions: Option<String>,
    /// dd/mm/yyyy or yyyy-mm-dd.
    due_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct Forwarded {
    /// Units newly added below.
    added: usize,
}

/// Forwards a directive down the unit's own subtree (one propagation tree).
#[utoipa::path(post, path = "/api/v1/requests/{id}/targets/{unit_id}/forward", params(("id" = i64, Path), ("unit_id" = i64, Path)), request_body = ForwardBody,
    responses((status = 200, body = Forwarded), WriteErrors), security(("bearer" = [])))]
pub async fn forward(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<ForwardBody>,
) -> ApiResult<Forwarded> {
    let fw = Forward {
        targets: b.targets,
        instructions: b.instructions,
        due_on: date(&b.due_on, "due_on")?,
    };
    Ok(Json(Forwarded {
        added: st
            .store
            .forward_request(&user.scope, id, unit_id, fw, today())
            .await?,
    }))
}
