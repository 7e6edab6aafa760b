//! Emulation movements over the API: the same store calls as the pages
//! (`views/movements.rs`). Creating a movement launches it (the registration request
//! goes to the target units in the same transaction); a unit registers its targets;
//! a member registers within a unit asked; the organiser asks for a period's progress.

use super::errors::*;
use super::requests::date;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::auth::CurrentUser;
use axum::Json;
use axum::extract::{Path, State};
use congdoan_domain::movement::{Goal, parse_goals};
use congdoan_domain::request::TargetSpec;
use congdoan_store::{
    GoalOut, MemberRegistration, Movement, MovementDetail, MovementInput, UnitRegistration,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct ListQuery {
    /// Also the movements sent to this unit (by default: to the caller's own units).
    unit_id: Option<i64>,
}

/// Movements the caller sees.
#[derive(Serialize, ToSchema)]
pub struct MovementList {
    movements: Vec<Movement>,
}

/// Movements launched by units the caller reads or sent to its units, newest first
/// (at most 50).
#[utoipa::path(get, path = "/api/v1/movements", params(ListQuery), responses((status = 200, body = MovementList), QueryErrors), security(("bearer" = [])))]
pub async fn list_movements(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<MovementList> {
    let units = match q.unit_id {
        Some(u) => {
            st.store.unit(&user.scope, u).await?;
            vec![u]
        }
        None => user.scope.read_roots(),
    };
    Ok(Json(MovementList {
        movements: st.store.movements(&user.scope, &units).await?,
    }))
}

/// A movement with its registrations.
#[derive(Serialize, ToSchema)]
pub struct MovementView {
    #[serde(flatten)]
    detail: MovementDetail,
    units: Vec<UnitRegistration>,
    members: Vec<MemberRegistration>,
}

/// One movement: counters (units asked, registered, on time), the registrations of
/// units and members the caller reads, and the progress requests.
#[utoipa::path(get, path = "/api/v1/movements/{id}", params(("id" = i64, Path)), responses((status = 200, body = MovementView), ReadErrors), security(("bearer" = [])))]
pub async fn get_movement(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<MovementView> {
    Ok(Json(MovementView {
        detail: st.store.movement_detail(&user.scope, id).await?,
        units: st.store.unit_registrations(&user.scope, id).await?,
        members: st.store.member_registrations(&user.scope, id, None).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct MovementBody {
    /// The launching unit (the caller must write it).
    issuer_unit_id: i64,
    code: String,
    name: String,
    /// `thuong_xuyen` or `theo_dot`.
    level: String,
    /// dd/mm/yyyy or yyyy-mm-dd.
    starts_on: String,
    ends_on: String,
    registration_due: String,
    /// `none`, `quarter` or `half`.
    cadence: Option<String>,
    /// The launching directive's request id.
    directive_id: Option<i64>,
    description: Option<String>,
    /// `{"kind": "subtree", "root": 1, "types": ["CDCS"]}`, `{"kind": "cluster", "cluster_id": 1}`
    /// or `{"kind": "units", "units": [1, 2]}`.
    #[schema(value_type = Object)]
    targets: TargetSpec,
}

/// Creates a movement and launches it to the target units.
#[utoipa::path(post, path = "/api/v1/movements", request_body = MovementBody,
    responses((status = 200, body = Movement), WriteErrors), security(("bearer" = [])))]
pub async fn create_movement(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<MovementBody>,
) -> ApiResult<Movement> {
    let input = MovementInput {
        issuer_unit_id: b.issuer_unit_id,
        code: b.code,
        name: b.name,
        level: b.level,
        starts_on: date(&b.starts_on, "movement_starts_on")?,
        ends_on: date(&b.ends_on, "movement_ends_on")?,
        registration_due: date(&b.registration_due, "registration_due")?,
        cadence: b.cadence.unwrap_or_else(|| "none".into()),
        directive_id: b.directive_id,
        description: b.description,
        targets: b.targets,
        issued_on: None,
    };
    Ok(Json(st.store.create_movement(&user.scope, input).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct GoalsBody {
    /// At most 12: each a text (3–500 characters) and an optional whole number.
    goals: Vec<GoalOut>,
}

fn goals(b: Vec<GoalOut>) -> Result<Vec<Goal>, crate::AppError> {
    let rows: Vec<(String, String)> = b
        .into_iter()
        .map(|g| (g.text, g.goal.map(|n| n.to_string()).unwrap_or_default()))
        .collect();
    parse_goals(&rows).map_err(|e| crate::AppError::invalid(e.field, e.code, &e.vi, &e.en))
}

/// A unit's registration, as stored.
#[derive(Serialize, ToSchema)]
pub struct Registered {
    unit_id: i64,
    /// `submitted` until the organiser accepts (`approved`) or returns it.
    state: String,
    goals: Vec<GoalOut>,
}

/// A unit registers its targets (submitting its target on the registration request;
/// a returned registration is sent again).
#[utoipa::path(post, path = "/api/v1/movements/{id}/units/{unit_id}/registration", params(("id" = i64, Path), ("unit_id" = i64, Path)),
    request_body = GoalsBody, responses((status = 200, body = Registered), VersionedWriteErrors), security(("bearer" = [])))]
pub async fn register_unit(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<GoalsBody>,
) -> ApiResult<Registered> {
    let goals = goals(b.goals)?;
    let t = st
        .store
        .register_unit(&user.scope, id, unit_id, goals, None)
        .await?;
    Ok(Json(Registered {
        unit_id: t.unit_id,
        goals: congdoan_store::goals_of(t.response_values.as_deref()),
        state: t.state,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct MemberBody {
    member_id: i64,
    goals: Vec<GoalOut>,
}

/// A member registers within a unit the movement was sent to (again: replaces).
#[utoipa::path(post, path = "/api/v1/movements/{id}/members", params(("id" = i64, Path)),
    request_body = MemberBody, responses((status = 200, body = MemberRegistration), WriteErrors), security(("bearer" = [])))]
pub async fn register_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MemberBody>,
) -> ApiResult<MemberRegistration> {
    let goals = goals(b.goals)?;
    Ok(Json(
        st.store
            .register_member(&user.scope, id, b.member_id, goals)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ProgressBody {
    /// "2025-Q2" (quarterly) or "2025-H1" (every 6 months).
    period: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressAsked {
    /// The report request sent (fill: `/reports/{id}/units/{unit}`).
    request_id: i64,
}

/// The organiser asks the registered units for one period's progress.
#[utoipa::path(post, path = "/api/v1/movements/{id}/progress", params(("id" = i64, Path)),
    request_body = ProgressBody, responses((status = 200, body = ProgressAsked), WriteErrors), security(("bearer" = [])))]
pub async fn request_progress(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ProgressBody>,
) -> ApiResult<ProgressAsked> {
    let r = st
        .store
        .request_progress(&user.scope, id, &b.period)
        .await?;
    Ok(Json(ProgressAsked {
        request_id: r.request_id,
    }))
}
