//! Pages for emulation clusters and blocks (cụm, khối thi đua) and the supervisor's
//! page listing the CĐCS a standing-committee member follows.

use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{Chrome, PageResult, UnitParam, optional_unit, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::{AppState, today};
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
    form: FormState,
}

async fn clusters_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    clusters_page_with(&st, &user, q.unit, FormState::default()).await
}

async fn clusters_page_with(
    st: &AppState,
    user: &CurrentUser,
    unit: Option<i64>,
    mut form: FormState,
) -> PageResult {
    form.lang = user.lang;
    let tr = user.tr();
    let unit = optional_unit(st, user, unit).await?;
    let (clusters, supervisors) = match &unit {
        Some(u) => (
            st.store.clusters(&user.scope, u.unit_id, None).await?,
            st.store.btv_posts(&user.scope, u.unit_id).await?,
        ),
        None => (vec![], vec![]),
    };
    let errors = form.has_errors();
    let page = render(ClustersPage {
        chrome: Chrome::new(user, tr.s("Cụm, khối thi đua", "Emulation clusters")),
        can_write: unit.as_ref().is_some_and(|u| user.scope.can_write(&u.path)),
        unit,
        clusters,
        supervisors,
        year: today().year(),
        form,
    })?;
    Ok(pick::unprocessable(page, errors))
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
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: NewCluster = pick::merged(&pairs)?;
    let again = |errs| {
        clusters_page_with(
            &st,
            &user,
            Some(f.unit),
            FormState::new("new-cluster", pairs.clone(), errs, user.lang),
        )
    };
    let year = match f.year.trim().parse::<i64>() {
        Ok(y) if (1900..=2200).contains(&y) => y,
        _ => {
            let y = f.year.trim();
            return again(vec![FieldError::new(
                "year",
                "WE0901",
                &format!("phải là một năm, ví dụ 2026, không phải '{y}'."),
                &format!("must be a year, e.g. 2026, not '{y}'."),
            )])
            .await;
        }
    };
    match st
        .store
        .create_cluster(&user.scope, f.unit, year, &f.kind, &f.name)
        .await
    {
        Ok(c) => see_other(&format!("/clusters/{}", c.cluster_id)),
        Err(e) => again(store_errors(e, "name")?).await,
    }
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
    form: FormState,
}

async fn cluster_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    cluster_page_with(&st, &user, id, FormState::default()).await
}

async fn cluster_page_with(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    mut form: FormState,
) -> PageResult {
    form.lang = user.lang;
    let d = st.store.cluster(&user.scope, id).await?;
    let can_write = user.scope.can_write(&d.cluster.path);
    let posts = st
        .store
        .btv_posts(&user.scope, d.cluster.owner_unit_id)
        .await?;
    let rows = with_flags(st, d.units.clone()).await?;
    let errors = form.has_errors();
    let page = render(ClusterPage {
        chrome: Chrome::new(user, &d.cluster.name),
        rows,
        d,
        can_write,
        posts,
        form,
    })?;
    Ok(pick::unprocessable(page, errors))
}

/// Shows the cluster page again with form `form`'s input, errors or picker matches.
async fn cluster_again(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    form: &str,
    pairs: Pairs,
    errors: Vec<FieldError>,
) -> PageResult {
    let fs = FormState::new(form, pairs, errors, user.lang);
    let fs = match fs.clone().pick_search(st, user).await? {
        Some(found) => found,
        None => fs,
    };
    cluster_page_with(st, user, id, fs).await
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
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    st.store.cluster(&user.scope, id).await?;
    if pairs.iter().any(|(k, _)| k == "pick") {
        return cluster_again(&st, &user, id, "add-units", pairs, vec![]).await;
    }
    let f: UnitsForm = pick::merged(&pairs)?;
    let (mut ids, mut errs) = (vec![], vec![]);
    for code in crate::forms::unit_codes(&f.units) {
        match pick::unit_code(&st, "units", code).await {
            Ok(u) => ids.push(u),
            Err(e) => errs.push(e),
        }
    }
    if ids.is_empty() && errs.is_empty() {
        errs.push(FieldError::new(
            "units",
            "WE0602",
            "chưa chọn đơn vị nào; gõ tên để tìm.",
            "no unit chosen; type a name to search.",
        ));
    }
    if !errs.is_empty() {
        return cluster_again(&st, &user, id, "add-units", pairs, errs).await;
    }
    match st.store.add_cluster_units(&user.scope, id, &ids).await {
        Ok(_) => see_other(&format!("/clusters/{id}")),
        Err(e) => {
            cluster_again(
                &st,
                &user,
                id,
                "add-units",
                pairs,
                store_errors(e, "units")?,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IdForm {
    id: String,
}

/// The id chosen in a select, or an error naming the field.
fn chosen(f: &IdForm, field: &str) -> Result<i64, FieldError> {
    f.id.trim().parse().map_err(|_| {
        FieldError::new(
            field,
            "WE0602",
            "chưa chọn; hãy chọn trong danh sách.",
            "nothing chosen; pick one from the list.",
        )
    })
}

async fn set_lead(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    st.store.cluster(&user.scope, id).await?;
    let f: IdForm = pick::merged(&pairs)?;
    let result = match chosen(&f, "lead") {
        Ok(unit) => match st.store.set_cluster_lead(&user.scope, id, unit).await {
            Ok(_) => return see_other(&format!("/clusters/{id}")),
            Err(e) => store_errors(e, "lead")?,
        },
        Err(e) => vec![e],
    };
    cluster_again(&st, &user, id, "lead", pairs, result).await
}

async fn add_supervisor(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    st.store.cluster(&user.scope, id).await?;
    let f: IdForm = pick::merged(&pairs)?;
    let result = match chosen(&f, "supervisor") {
        Ok(post) => match st.store.add_cluster_supervisor(&user.scope, id, post).await {
            Ok(_) => return see_other(&format!("/clusters/{id}")),
            Err(e) => store_errors(e, "supervisor")?,
        },
        Err(e) => vec![e],
    };
    cluster_again(&st, &user, id, "supervisor", pairs, result).await
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
) -> Result<Vec<(ClusterUnit, UnitFlags)>, crate::AppError> {
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
