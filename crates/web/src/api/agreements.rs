//! Coordination regulations over the API (the same store calls as the pages).

use super::errors::*;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::auth::CurrentUser;
use crate::{AppState, today};
use axum::Json;
use axum::extract::{Path, State};
use congdoan_store::{Agreement, AgreementInput, CoordinationLink};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct PartyQuery {
    /// A unit that is a party to the agreements.
    unit_id: i64,
}

/// Agreements where a unit is a party.
#[utoipa::path(get, path = "/api/v1/agreements", params(PartyQuery), responses((status = 200, body = Vec<Agreement>), QueryErrors), security(("bearer" = [])))]
pub async fn list_agreements(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<PartyQuery>,
) -> ApiResult<Vec<Agreement>> {
    Ok(Json(st.store.agreements(&user.scope, q.unit_id).await?))
}

/// Records a coordination regulation (by the managing side). When the caller also writes
/// the coordinating side (an administrator: both sides at once) it is in force with its
/// coordinating links; otherwise it is a proposal (`consent` = `proposed`) that grants
/// nothing until an officer of the partner accepts it. Name the partner by `party_a_id`
/// (a unit you read or a top-level union; any other id answers 404 as an unknown one)
/// or by `party_a_code` (any unit; one you may not read is then named only by that code,
/// and an unknown code is answered exactly as a hidden one).
/// Scope items: info, congress, survey, tet, boarding, month, conference, emulation, training.
#[utoipa::path(post, path = "/api/v1/agreements", request_body = AgreementInput,
    responses((status = 200, body = Agreement), WriteErrors), security(("bearer" = [])))]
pub async fn create_agreement(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<AgreementInput>,
) -> ApiResult<Agreement> {
    Ok(Json(st.store.create_agreement(&user.scope, b).await?))
}

#[derive(Serialize, ToSchema)]
pub struct AgreementView {
    agreement: Agreement,
    links: Vec<CoordinationLink>,
}

/// One agreement with the coordinating links it created (either party may read it).
#[utoipa::path(get, path = "/api/v1/agreements/{id}", params(("id" = i64, Path)), responses((status = 200, body = AgreementView), ReadErrors), security(("bearer" = [])))]
pub async fn get_agreement(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<AgreementView> {
    let (agreement, links) = st.store.agreement(&user.scope, id).await?;
    Ok(Json(AgreementView { agreement, links }))
}

/// The partner's officer accepts a proposal: its coordinating links are created from
/// today (or the agreed start, if later), so the partner reads the covered units.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/accept", params(("id" = i64, Path)),
    responses((status = 200, body = Agreement), ActionErrors),
    security(("bearer" = [])))]
pub async fn accept_agreement(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Agreement> {
    Ok(Json(
        st.store.accept_agreement(&user.scope, id, today()).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineInput {
    /// Why (at least 3 characters); the proposer sees it.
    reason: String,
}

/// The partner's officer declines a proposal, with a reason; nothing is shared.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/decline", params(("id" = i64, Path)), request_body = DeclineInput,
    responses((status = 200, body = Agreement), WriteErrors),
    security(("bearer" = [])))]
pub async fn decline_agreement(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DeclineInput>,
) -> ApiResult<Agreement> {
    Ok(Json(
        st.store
            .decline_agreement(&user.scope, id, today(), &b.reason)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndInput {
    /// The last day is the day before (default: today, so access ends at once).
    #[serde(default)]
    ended_on: Option<time::Date>,
    /// Why (at least 3 characters).
    reason: String,
}

/// Either side ends an agreement in force (its links end that day: the partner stops
/// reading the covered units), or withdraws (the proposer) or declines (the partner) a
/// proposal.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/end", params(("id" = i64, Path)), request_body = EndInput,
    responses((status = 200, body = Agreement), WriteErrors),
    security(("bearer" = [])))]
pub async fn end_agreement(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<EndInput>,
) -> ApiResult<Agreement> {
    Ok(Json(
        st.store
            .end_agreement(&user.scope, id, b.ended_on.unwrap_or_else(today), &b.reason)
            .await?,
    ))
}
