//! Emulation clusters and supervisors over the API (the same store calls as the pages).

use super::errors::*;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::auth::CurrentUser;
use axum::Json;
use axum::extract::{Path, State};
use congdoan_store::{Cluster, ClusterDetail, ClusterUnit, Supervisor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterQuery {
    /// The upper-level union that owns the clusters.
    unit_id: i64,
    year: Option<i64>,
}

/// Clusters and blocks of an upper-level union.
#[utoipa::path(get, path = "/api/v1/clusters", params(ClusterQuery), responses((status = 200, body = Vec<Cluster>), QueryErrors), security(("bearer" = [])))]
pub async fn list_clusters(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ClusterQuery>,
) -> ApiResult<Vec<Cluster>> {
    Ok(Json(
        st.store.clusters(&user.scope, q.unit_id, q.year).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCluster {
    owner_unit_id: i64,
    year: i64,
    /// `cum` (by area) or `khoi` (by sector).
    kind: String,
    name: String,
}

/// Starts a cluster or block for a year.
#[utoipa::path(post, path = "/api/v1/clusters", request_body = NewCluster,
    responses((status = 200, body = Cluster), WriteErrors), security(("bearer" = [])))]
pub async fn create_cluster(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewCluster>,
) -> ApiResult<Cluster> {
    Ok(Json(
        st.store
            .create_cluster(&user.scope, b.owner_unit_id, b.year, &b.kind, &b.name)
            .await?,
    ))
}

/// One cluster with its CĐCS (members, officials) and supervisors.
#[utoipa::path(get, path = "/api/v1/clusters/{id}", params(("id" = i64, Path)), responses((status = 200, body = ClusterDetail), ReadErrors), security(("bearer" = [])))]
pub async fn get_cluster(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<ClusterDetail> {
    Ok(Json(st.store.cluster(&user.scope, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ClusterUnits {
    unit_ids: Vec<i64>,
}

/// Adds CĐCS (from any line the caller can read) to a cluster.
#[utoipa::path(post, path = "/api/v1/clusters/{id}/units", params(("id" = i64, Path)), request_body = ClusterUnits,
    responses((status = 200, body = ClusterDetail), WriteErrors), security(("bearer" = [])))]
pub async fn add_cluster_units(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ClusterUnits>,
) -> ApiResult<ClusterDetail> {
    Ok(Json(
        st.store
            .add_cluster_units(&user.scope, id, &b.unit_ids)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ClusterSupervisor {
    /// An open post in the owner's standing committee (BTV).
    assignment_id: i64,
}

/// Assigns a standing-committee member to supervise the cluster.
#[utoipa::path(post, path = "/api/v1/clusters/{id}/supervisors", params(("id" = i64, Path)), request_body = ClusterSupervisor,
    responses((status = 200, body = ClusterDetail), WriteErrors), security(("bearer" = [])))]
pub async fn add_cluster_supervisor(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ClusterSupervisor>,
) -> ApiResult<ClusterDetail> {
    Ok(Json(
        st.store
            .add_cluster_supervisor(&user.scope, id, b.assignment_id)
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Supervised {
    supervisor: Supervisor,
    units: Vec<ClusterUnit>,
}

/// The CĐCS a standing-committee member supervises, with key figures.
#[utoipa::path(get, path = "/api/v1/supervisors/{id}/units", params(("id" = i64, Path)), responses((status = 200, body = Supervised), ReadErrors), security(("bearer" = [])))]
pub async fn supervised_units(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Supervised> {
    let (supervisor, units) = st.store.supervised_units(&user.scope, id).await?;
    Ok(Json(Supervised { supervisor, units }))
}
