//! Coordination regulations over the API (the same store calls as the pages).

use super::errors::*;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::auth::CurrentUser;
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

/// Records a coordination regulation (by the managing side) and its coordinating links.
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
