//! Rewards over the API: the catalogue, evaluations (create, nominate, decide),
//! decisions (create, get) and a member's or unit's reward register — the same store
//! calls as the pages, so quotas, the combination rule and cash rules hold here too.

use super::errors::*;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::auth::CurrentUser;
use axum::Json;
use axum::extract::{Path, State};
use congdoan_store::{
    DecisionDetail, DecisionInput, DecisionPlan, Evaluation, EvaluationDetail, NewDecision,
    NewEvaluation, NewNominee, RewardItem, RewardKind,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The catalogue of rewards and titles the caller may use.
#[utoipa::path(get, path = "/api/v1/rewards/kinds", responses((status = 200, body = Vec<RewardKind>), AuthErrors), security(("bearer" = [])))]
pub async fn list_kinds(
    State(st): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Vec<RewardKind>> {
    Ok(Json(st.store.reward_kinds(&user.scope).await?))
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct EvaluationQuery {
    /// Only this unit's subtree.
    unit_id: Option<i64>,
}

/// Evaluations of the units the caller reads, latest period first.
#[utoipa::path(get, path = "/api/v1/rewards/evaluations", params(EvaluationQuery), responses((status = 200, body = Vec<Evaluation>), QueryErrors), security(("bearer" = [])))]
pub async fn list_evaluations(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<EvaluationQuery>,
) -> ApiResult<Vec<Evaluation>> {
    Ok(Json(st.store.evaluations(&user.scope, q.unit_id).await?))
}

/// Starts an evaluation of a unit's people for a period, with a quota.
#[utoipa::path(post, path = "/api/v1/rewards/evaluations", request_body = NewEvaluation,
    responses((status = 200, body = Evaluation), WriteErrors), security(("bearer" = [])))]
pub async fn create_evaluation(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewEvaluation>,
) -> ApiResult<Evaluation> {
    Ok(Json(st.store.create_evaluation(&user.scope, b).await?))
}

/// One evaluation with its nominees.
#[utoipa::path(get, path = "/api/v1/rewards/evaluations/{id}", params(("id" = i64, Path)), responses((status = 200, body = EvaluationDetail), ReadErrors), security(("bearer" = [])))]
pub async fn get_evaluation(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<EvaluationDetail> {
    Ok(Json(st.store.evaluation(&user.scope, id).await?))
}

/// Nominates a member of the evaluation's unit; the award's eligibility rules are
/// checked on the facts given (422 names each failure).
#[utoipa::path(post, path = "/api/v1/rewards/evaluations/{id}/nominees", params(("id" = i64, Path)), request_body = NewNominee,
    responses((status = 200, body = EvaluationDetail), WriteErrors), security(("bearer" = [])))]
pub async fn nominate(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NewNominee>,
) -> ApiResult<EvaluationDetail> {
    Ok(Json(st.store.nominate(&user.scope, id, b).await?))
}

/// The number, date and signer of a decision; `dry_run` checks and totals without writing.
#[derive(Deserialize, ToSchema)]
pub struct DecideBody {
    #[serde(flatten)]
    decision: DecisionInput,
    #[serde(default)]
    dry_run: bool,
}

/// What a decision wrote (or would write).
#[derive(Serialize, ToSchema)]
pub struct DecisionOutcome {
    plan: DecisionPlan,
    /// The decision written (absent on a dry run).
    decision: Option<DecisionDetail>,
}

async fn outcome(
    st: &AppState,
    user: &CurrentUser,
    (plan, id): (DecisionPlan, Option<i64>),
) -> ApiResult<DecisionOutcome> {
    let decision = match id {
        Some(id) => Some(st.store.reward_decision(&user.scope, id).await?),
        None => None,
    };
    Ok(Json(DecisionOutcome { plan, decision }))
}

/// Decides an evaluation: a numbered reward decision of its unit, within the quota
/// (over it: 422 VL1104), cash computed on the decision date.
#[utoipa::path(post, path = "/api/v1/rewards/evaluations/{id}/decide", params(("id" = i64, Path)), request_body = DecideBody,
    responses((status = 200, body = DecisionOutcome), WriteErrors), security(("bearer" = [])))]
pub async fn decide(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DecideBody>,
) -> ApiResult<DecisionOutcome> {
    let r = st
        .store
        .decide_evaluation(&user.scope, id, b.decision, b.dry_run)
        .await?;
    outcome(&st, &user, r).await
}

/// A decision made without an evaluation; the combination rule (HD 1217) refuses a
/// comprehensive and a thematic award from one level for one period (422 VL1103).
#[utoipa::path(post, path = "/api/v1/rewards/decisions", request_body = NewDecision,
    responses((status = 200, body = DecisionOutcome), WriteErrors), security(("bearer" = [])))]
pub async fn create_decision(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewDecision>,
) -> ApiResult<DecisionOutcome> {
    let r = st
        .store
        .create_reward_decision(&user.scope, b, false)
        .await?;
    outcome(&st, &user, r).await
}

/// One decision with its lines.
#[utoipa::path(get, path = "/api/v1/rewards/decisions/{id}", params(("id" = i64, Path)), responses((status = 200, body = DecisionDetail), ReadErrors), security(("bearer" = [])))]
pub async fn get_decision(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<DecisionDetail> {
    Ok(Json(st.store.reward_decision(&user.scope, id).await?))
}

/// A member's reward register.
#[utoipa::path(get, path = "/api/v1/members/{id}/rewards", params(("id" = i64, Path)), responses((status = 200, body = Vec<RewardItem>), ReadErrors), security(("bearer" = [])))]
pub async fn member_rewards(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<RewardItem>> {
    Ok(Json(st.store.member_rewards(&user.scope, id).await?))
}

/// A unit's reward register (awards it received as a collective).
#[utoipa::path(get, path = "/api/v1/units/{id}/rewards", params(("id" = i64, Path)), responses((status = 200, body = Vec<RewardItem>), ReadErrors), security(("bearer" = [])))]
pub async fn unit_rewards(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<RewardItem>> {
    Ok(Json(st.store.unit_rewards(&user.scope, id).await?))
}
