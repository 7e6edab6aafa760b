//! Restructuring plans over the API: create, edit the operations, preview, apply,
//! cancel. The same store calls as the pages.

use super::errors::*;
use super::{ApiJson, ApiResult};
use crate::AppState;
use crate::api::imports::VersionBody;
use crate::auth::CurrentUser;
use axum::Json;
use axum::extract::{Path, State};
use congdoan_domain::reform::UnderCriteria;
use congdoan_domain::restructure::Op;
use congdoan_store::{Lineage, Plan};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

/// A plan with its operations.
#[derive(Serialize, ToSchema)]
pub struct PlanView {
    #[serde(flatten)]
    pub plan: Plan,
    /// The operations in order, each `{"kind": "create"|"rename"|"retype"|"move"|"merge"|"dissolve"|"end"|"split", …}`;
    /// a unit is its id, or the `key` of a unit created earlier in the plan. A split is
    /// `{"kind": "split", "unit": id, "parts": [{"into": unit, "children": [ids]}, …], "reason": "…"}`
    /// (the first part takes the sub-units not listed and the members placed directly).
    #[schema(value_type = Vec<Object>)]
    pub operations: Vec<Op>,
}

fn view(plan: Plan) -> PlanView {
    PlanView {
        operations: plan.op_list(),
        plan,
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewPlan {
    /// The unit whose subtree the plan may change (the caller must be able to edit it).
    owner_unit_id: i64,
    name: String,
    effective_date: Date,
}

#[derive(Deserialize, ToSchema)]
pub struct PlanEdit {
    /// The version the caller read (a stale one gets 409).
    version: i64,
    name: String,
    effective_date: Date,
    #[schema(value_type = Vec<Object>)]
    operations: Vec<Op>,
}

/// Plans the caller can see, newest first.
#[utoipa::path(get, path = "/api/v1/plans", responses((status = 200, body = Vec<Plan>), AuthErrors), security(("bearer" = [])))]
pub async fn list_plans(State(st): State<AppState>, user: CurrentUser) -> ApiResult<Vec<Plan>> {
    Ok(Json(st.store.plans(&user.scope).await?))
}

/// Starts an empty restructuring plan (phương án sắp xếp) over a unit.
#[utoipa::path(post, path = "/api/v1/plans", request_body = NewPlan,
    responses((status = 200, body = PlanView), WriteErrors), security(("bearer" = [])))]
pub async fn create_plan(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewPlan>,
) -> ApiResult<PlanView> {
    let plan = st
        .store
        .create_plan(&user.scope, b.owner_unit_id, &b.name, b.effective_date)
        .await?;
    Ok(Json(view(plan)))
}

/// What to generate: the federation that remains and those merged into it.
#[derive(Deserialize, ToSchema)]
pub struct ReformRequest {
    /// The provincial federation (LĐLĐ tỉnh) that remains.
    federation_id: i64,
    /// Provincial federations merged into it (the caller must be able to edit a unit
    /// above all of them, in practice the TLĐ).
    #[serde(default)]
    merged_ids: Vec<i64>,
    effective_date: Date,
    /// `neighbours` (default): communes under the criteria share a commune union with
    /// their neighbours; `federation`: their CĐCS go directly under the federation.
    #[serde(default)]
    #[schema(value_type = String)]
    under_criteria: UnderCriteria,
    name: String,
}

/// Generates the 2025 reform for a province as a draft plan to review and edit: the
/// notes explain each group (see `note`).
#[utoipa::path(post, path = "/api/v1/plans/reform-2025", request_body = ReformRequest,
    responses((status = 200, body = PlanView), WriteErrors), security(("bearer" = [])))]
pub async fn reform_plan(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<ReformRequest>,
) -> ApiResult<PlanView> {
    let plan = st
        .store
        .reform_plan(
            &user.scope,
            b.federation_id,
            &b.merged_ids,
            b.effective_date,
            b.under_criteria,
            &b.name,
        )
        .await?;
    Ok(Json(view(plan)))
}

/// One plan with its operations.
#[utoipa::path(get, path = "/api/v1/plans/{id}", params(("id" = i64, Path)), responses((status = 200, body = PlanView), ReadErrors), security(("bearer" = [])))]
pub async fn get_plan(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<PlanView> {
    Ok(Json(view(st.store.plan(&user.scope, id).await?)))
}

/// Replaces a draft plan's name, date and operations (409 when someone saved meanwhile).
#[utoipa::path(put, path = "/api/v1/plans/{id}", params(("id" = i64, Path)), request_body = PlanEdit,
    responses((status = 200, body = PlanView), VersionedWriteErrors), security(("bearer" = [])))]
pub async fn save_plan(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PlanEdit>,
) -> ApiResult<PlanView> {
    let plan = st
        .store
        .save_plan(
            &user.scope,
            id,
            b.version,
            &b.name,
            b.effective_date,
            &b.operations,
        )
        .await?;
    Ok(Json(view(plan)))
}

/// What the plan would do: units created, moved, renamed and ended; members
/// transferred or leaving; posts and links affected; findings; intermediaries before
/// and after; the tree before and after. Or the operation that cannot apply, and why.
#[utoipa::path(get, path = "/api/v1/plans/{id}/preview", params(("id" = i64, Path)),
    responses((status = 200, body = Object), ReadErrors), security(("bearer" = [])))]
pub async fn preview_plan(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<congdoan_store::Preview> {
    Ok(Json(st.store.preview_plan(&user.scope, id).await?))
}

/// Applies the plan all or nothing; a plan dated later is scheduled for its day.
#[utoipa::path(post, path = "/api/v1/plans/{id}/apply", params(("id" = i64, Path)), request_body = VersionBody,
    responses((status = 200, body = PlanView), VersionedWriteErrors),
    security(("bearer" = [])))]
pub async fn apply_plan(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<PlanView> {
    let plan = st
        .store
        .apply_plan(&user.scope, id, b.version, crate::today())
        .await?;
    Ok(Json(view(plan)))
}

/// When the inverse of an applied plan takes effect.
#[derive(Deserialize, ToSchema)]
pub struct RevertBody {
    effective_date: Date,
}

/// Generates the inverse of an applied plan as a new draft (reopen what it ended, move
/// units and members back, re-admit members it made leave, dissolve what it created);
/// applying that draft marks the original "reverted".
#[utoipa::path(post, path = "/api/v1/plans/{id}/revert", params(("id" = i64, Path)), request_body = RevertBody,
    responses((status = 200, body = PlanView), WriteErrors), security(("bearer" = [])))]
pub async fn revert_plan(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RevertBody>,
) -> ApiResult<PlanView> {
    Ok(Json(view(
        st.store
            .revert_plan(&user.scope, id, b.effective_date)
            .await?,
    )))
}

/// Cancels a draft or scheduled plan.
#[utoipa::path(post, path = "/api/v1/plans/{id}/cancel", params(("id" = i64, Path)), request_body = VersionBody,
    responses((status = 200, body = PlanView), VersionedWriteErrors), security(("bearer" = [])))]
pub async fn cancel_plan(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<PlanView> {
    Ok(Json(view(
        st.store.cancel_plan(&user.scope, id, b.version).await?,
    )))
}

/// A unit's predecessors and successors (mergers), with the plans that made them.
#[utoipa::path(get, path = "/api/v1/units/{id}/lineage", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Lineage>), ReadErrors), security(("bearer" = [])))]
pub async fn unit_lineage(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<Lineage>> {
    Ok(Json(st.store.lineage(&user.scope, id).await?))
}
