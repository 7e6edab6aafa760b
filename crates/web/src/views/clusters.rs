//! Pages for emulation clusters and blocks (cụm, khối thi đua) and the supervisor's
//! page listing the CĐCS a standing-committee member follows.

use super::{Chrome, PageResult, UnitParam, optional_unit, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use congdoan_store::{Cluster, ClusterDetail, ClusterUnit, Supervisor, Unit, UnitFlags};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clusters", get(clusters_page).post(create_cluster))
        .route("/clusters/{id}", get(cluster_page))
        .route("/clusters/{id}/units", post(add_units))
        .route("/clusters/{id}/lead", post(set_lead))
        .route("/clusters/{id}/supervisors", post(add_supervisor))
        .route("/supervisors/{id}", get(supervisor_page))
}

#[derive(Template)]
#[template(path = "clusters.html")]
struct ClustersPage {
    chrome: Chrome,
    unit: Option<Unit>,
    can_write: bool,
    clusters: Vec<Cluster>,
    supervisors: Vec<Supervisor>,
    year: i32,
}

async fn clusters_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    let tr = user.tr();
    let unit = optional_unit(&st, &user, q.unit).await?;
    let (clusters, supervisors) = match &unit {
        Some(u) => (
            st.store.clusters(&user.scope, u.unit_id, None).await?,
            st.store.btv_posts(&user.scope, u.unit_id).await?,
        ),
        None => (vec![], vec![]),
    };
    render(ClustersPage {
        chrome: Chrome::new(&user, tr.s("Cụm, khối thi đua", "Emulation clusters")),
        can_write: unit.as_ref().is_some_and(|u| user.scope.can_write(&u.path)),
        unit,
        clusters,
        supervisors,
        year: today().year(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewCluster {
    unit: i64,
    year: String,
    kind: String,
    name: String,
}

async fn create_cluster(
    State(st): State<AppState>,
    CsrfForm(user, f): CsrfForm<NewCluster>,
) -> PageResult {
    let year = f.year.trim().parse().map_err(|_| {
        AppError::invalid(
            "year",
            "WE0901",
            "phải là một năm, ví dụ 2026.",
            "must be a year, e.g. 2026.",
        )
    })?;
    let c = st
        .store
        .create_cluster(&user.scope, f.unit, year, &f.kind, &f.name)
        .await?;
    see_other(&format!("/clusters/{}", c.cluster_id))
}

#[derive(Template)]
#[template(path = "cluster.html")]
struct ClusterPage {
    chrome: Chrome,
    d: ClusterDetail,
    /// The member CĐCS with their flags, worst first.
    rows: Vec<(ClusterUnit, UnitFlags)>,
    can_write: bool,
    posts: Vec<Supervisor>,
}

async fn cluster_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let d = st.store.cluster(&user.scope, id).await?;
    let can_write = user.scope.can_write(&d.cluster.path);
    let posts = st
        .store
        .btv_posts(&user.scope, d.cluster.owner_unit_id)
        .await?;
    let rows = with_flags(&st, d.units.clone()).await?;
    render(ClusterPage {
        chrome: Chrome::new(&user, &d.cluster.name),
        rows,
        d,
        can_write,
        posts,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitsForm {
    /// Unit codes separated by spaces, commas or new lines.
    units: String,
}

async fn add_units(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<UnitsForm>,
) -> PageResult {
    let mut ids = vec![];
    for code in crate::forms::unit_codes(&f.units) {
        ids.push(st.store.unit_id_by_code(code).await.map_err(|_| {
            AppError::invalid(
                "units",
                "WE0620",
                "không tìm thấy đơn vị có mã này.",
                "no unit has this code.",
            )
        })?);
    }
    st.store.add_cluster_units(&user.scope, id, &ids).await?;
    see_other(&format!("/clusters/{id}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IdForm {
    id: i64,
}

async fn set_lead(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<IdForm>,
) -> PageResult {
    st.store.set_cluster_lead(&user.scope, id, f.id).await?;
    see_other(&format!("/clusters/{id}"))
}

async fn add_supervisor(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<IdForm>,
) -> PageResult {
    st.store
        .add_cluster_supervisor(&user.scope, id, f.id)
        .await?;
    see_other(&format!("/clusters/{id}"))
}

#[derive(Template)]
#[template(path = "supervisor.html")]
struct SupervisorPage {
    chrome: Chrome,
    sup: Supervisor,
    /// The supervised CĐCS with their flags, worst first.
    units: Vec<(ClusterUnit, UnitFlags)>,
    total_members: i64,
}

async fn supervisor_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (sup, units) = st.store.supervised_units(&user.scope, id).await?;
    let total_members = units.iter().map(|u| u.members).sum();
    let units = with_flags(&st, units).await?;
    render(SupervisorPage {
        chrome: Chrome::new(&user, &sup.full_name),
        total_members,
        sup,
        units,
    })
}

/// The to-do flags of each CĐCS (no chair, term ending, applications, falling
/// members), worst first; ties keep the given order.
async fn with_flags(
    st: &AppState,
    units: Vec<ClusterUnit>,
) -> Result<Vec<(ClusterUnit, UnitFlags)>, AppError> {
    let ids: Vec<i64> = units.iter().map(|u| u.unit_id).collect();
    let flags = st.store.unit_flags(&ids, today()).await?;
    let mut rows: Vec<(ClusterUnit, UnitFlags)> = units
        .into_iter()
        .map(|u| {
            let f = flags.get(&u.unit_id).cloned().unwrap_or_default();
            (u, f)
        })
        .collect();
    let day = today();
    rows.sort_by_key(|(_, f)| std::cmp::Reverse(f.weight(day)));
    Ok(rows)
}
