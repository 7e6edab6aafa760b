//! Report forms and reports over the API, so a province's own software can define
//! forms, send reports, push submissions and pull roll-ups (the same store calls as
//! the pages).

use super::errors::*;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::auth::CurrentUser;
use crate::error::FieldError;
use crate::{AppError, AppState, today};
use axum::Json;
use axum::extract::{Path, State};
use congdoan_domain::form::FormDef;
use congdoan_domain::request::{Action, Rates};
use congdoan_store::{NewReport, ReportForm, Request, StepInput, Target};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct UnitQuery {
    /// The unit whose forms (its own and those of the levels above) are listed.
    unit_id: i64,
}

/// Forms a unit may send: its own and those of the units above it.
#[utoipa::path(get, path = "/api/v1/forms", params(UnitQuery), responses((status = 200, body = Vec<ReportForm>), QueryErrors), security(("bearer" = [])))]
pub async fn list_forms(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<Vec<ReportForm>> {
    Ok(Json(st.store.report_forms(&user.scope, q.unit_id).await?))
}

/// A form definition (`FormDef`: code, title, period, due_days, filled_by, sections
/// with fields, rules), as the xlsx definition carries it.
#[derive(Deserialize, ToSchema)]
pub struct NewForm {
    /// The owner unit.
    unit_id: i64,
    #[schema(value_type = Object)]
    definition: FormDef,
}

/// Records a new form (version 1); 422 with every problem of the definition.
#[utoipa::path(post, path = "/api/v1/forms", request_body = NewForm,
    responses((status = 200, body = ReportForm), WriteErrors), security(("bearer" = [])))]
pub async fn create_form(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewForm>,
) -> ApiResult<ReportForm> {
    check_def(&b.definition)?;
    Ok(Json(
        st.store
            .create_form(&user.scope, b.unit_id, b.definition)
            .await?,
    ))
}

/// Every problem of a definition as a 422.
fn check_def(def: &FormDef) -> Result<(), AppError> {
    match def.clone().check() {
        Ok(_) => Ok(()),
        Err(issues) => Err(AppError::Invalid(
            issues
                .into_iter()
                .map(|i| FieldError {
                    field: i.field.unwrap_or_else(|| "definition".into()),
                    code: i.code.to_string(),
                    message: i.vi,
                    message_en: i.en,
                })
                .collect(),
        )),
    }
}

#[derive(Serialize, ToSchema)]
pub struct FormView {
    form: ReportForm,
    #[schema(value_type = Object)]
    definition: FormDef,
}

/// A form with its current definition.
#[utoipa::path(get, path = "/api/v1/forms/{id}", params(("id" = i64, Path)), responses((status = 200, body = FormView), ReadErrors), security(("bearer" = [])))]
pub async fn get_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<FormView> {
    let (form, f) = st.store.report_form(&user.scope, id).await?;
    Ok(Json(FormView {
        form,
        definition: f.def().clone(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewVersion {
    /// The version the change starts from (409 when someone saved another since).
    version: i64,
    #[schema(value_type = Object)]
    definition: FormDef,
}

/// A new version of a form; reports already sent keep theirs.
#[utoipa::path(post, path = "/api/v1/forms/{id}/versions", params(("id" = i64, Path)), request_body = NewVersion,
    responses((status = 200, body = ReportForm), VersionedWriteErrors), security(("bearer" = [])))]
pub async fn new_version(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NewVersion>,
) -> ApiResult<ReportForm> {
    check_def(&b.definition)?;
    Ok(Json(
        st.store
            .new_form_version(&user.scope, id, b.version, b.definition)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SendReport {
    /// The issuing unit.
    unit_id: i64,
    form_id: i64,
    /// "2026-11", "2026-Q2", "2026-H1", "2026-9M", "2026"; none for a thematic form.
    period: Option<String>,
    /// YYYY-MM-DD; the form's due days after the period when absent.
    due_on: Option<String>,
}

/// Sends a report for one period to the form's filler types under the issuer.
#[utoipa::path(post, path = "/api/v1/reports", request_body = SendReport,
    responses((status = 200, body = Request), WriteErrors), security(("bearer" = [])))]
pub async fn send_report(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<SendReport>,
) -> ApiResult<Request> {
    let due_on = match b.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(congdoan_domain::date::parse_vn_date(s, "due_on")?),
    };
    Ok(Json(
        st.store
            .send_report(
                &user.scope,
                NewReport {
                    issuer_unit_id: b.unit_id,
                    form_id: b.form_id,
                    period: b.period,
                    due_on,
                    title: None,
                    targets: None,
                    issued_on: today(),
                },
            )
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Submission {
    target: Target,
    /// The values as typed (a draft) or as stored, formatted Vietnamese-style.
    values: BTreeMap<String, String>,
}

/// A unit's report: where it stands and its values.
#[utoipa::path(get, path = "/api/v1/reports/{id}/units/{unit}", params(("id" = i64, Path), ("unit" = i64, Path)),
    responses((status = 200, body = Submission), ReadErrors), security(("bearer" = [])))]
pub async fn get_submission(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
) -> ApiResult<Submission> {
    let r = st.store.request(&user.scope, id).await?.request;
    let target = st.store.request_target(&user.scope, id, unit).await?;
    let form = st.store.report_request_form(&r).await?;
    let values = congdoan_store::stored_values(&form, target.response_values.as_deref()).1;
    Ok(Json(Submission { target, values }))
}

#[derive(Deserialize, ToSchema)]
pub struct PutSubmission {
    /// Field key → value as typed ("1.234", "có", "05/12/2026").
    values: BTreeMap<String, String>,
    /// Submit (every field valid, else 422 with every issue); false keeps a draft.
    #[serde(default)]
    submit: bool,
}

/// Saves a draft or submits a unit's report; 422 lists every field issue, nothing written.
#[utoipa::path(put, path = "/api/v1/reports/{id}/units/{unit}", params(("id" = i64, Path), ("unit" = i64, Path)), request_body = PutSubmission,
    responses((status = 200, body = Target), VersionedWriteErrors), security(("bearer" = [])))]
pub async fn put_submission(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<PutSubmission>,
) -> ApiResult<Target> {
    let out = st
        .store
        .save_report(&user.scope, id, unit, b.values, b.submit, today())
        .await?;
    match out.target {
        Some(t) => Ok(Json(t)),
        None => Err(AppError::Invalid(
            out.issues
                .into_iter()
                .map(|i| FieldError {
                    field: i.field,
                    code: i.code.to_string(),
                    message: i.vi,
                    message_en: i.en,
                })
                .collect(),
        )),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewStep {
    /// return, approve or reopen.
    action: String,
    /// Required to return or reopen.
    #[serde(default)]
    reason: Option<String>,
}

/// The reviewer's step on a unit's report.
#[utoipa::path(post, path = "/api/v1/reports/{id}/units/{unit}/steps", params(("id" = i64, Path), ("unit" = i64, Path)), request_body = ReviewStep,
    responses((status = 200, body = Target), WriteErrors), security(("bearer" = [])))]
pub async fn review_step(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<ReviewStep>,
) -> ApiResult<Target> {
    let action = match b.action.as_str() {
        "return" => Action::Return,
        "approve" => Action::Approve,
        "reopen" => Action::Reopen,
        _ => {
            return Err(AppError::invalid(
                "action",
                "WE2003",
                "chỉ nhận return, approve hoặc reopen.",
                "must be return, approve or reopen.",
            ));
        }
    };
    let reason = b
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if action != Action::Approve && reason.is_none() {
        return Err(AppError::invalid(
            "reason",
            "WE2002",
            "cần ghi lý do để đơn vị biết cần sửa gì.",
            "give a reason so the unit knows what to fix.",
        ));
    }
    let input = StepInput {
        note: reason,
        ..StepInput::default()
    };
    Ok(Json(
        st.store
            .request_step(&user.scope, id, unit, action, input, today())
            .await?,
    ))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct LevelQuery {
    /// The level (a unit in the issuer's subtree); the issuer when absent.
    level: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RollupCell {
    key: String,
    label: String,
    section: String,
    /// As shown ("1.234", "1.500.000 ₫", "3 đơn vị").
    text: String,
    /// The number, when the aggregate is one (scaled as the field's decimals).
    number: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RollupView {
    cells: Vec<RollupCell>,
    rates: Rates,
    /// "87,5%".
    completeness: String,
    timeliness: String,
}

/// The live roll-up of a report at a level: each field's aggregate and the counters.
#[utoipa::path(get, path = "/api/v1/reports/{id}/rollup", params(("id" = i64, Path), LevelQuery),
    responses((status = 200, body = RollupView), QueryErrors), security(("bearer" = [])))]
pub async fn rollup(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<LevelQuery>,
) -> ApiResult<RollupView> {
    let roll = st.store.report_rollup(&user.scope, id, q.level).await?;
    Ok(Json(RollupView {
        completeness: roll.rates.completeness(),
        timeliness: roll.rates.timeliness(),
        rates: roll.rates,
        cells: roll
            .cells
            .into_iter()
            .map(|c| RollupCell {
                number: match c.value {
                    Some(congdoan_domain::form::Value::Num(n)) => Some(n),
                    _ => None,
                },
                key: c.key,
                label: c.label,
                section: c.section,
                text: c.text,
            })
            .collect(),
    }))
}
