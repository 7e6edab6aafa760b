//! Pages for emulation clusters and blocks (cụm, khối thi đua) and the supervisor's
//! page listing the CĐCS a standing-committee member follows.

use super::{
    Chrome, ConfirmInput, ConfirmPage, PageResult, UnitParam, field_errors, optional_unit, render,
    see_other,
};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::forms::parse_date_req;
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use congdoan_domain::date::format_vn_date;
use congdoan_store::{Cluster, ClusterDetail, ClusterUnit, Supervisor, Unit};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clusters", get(clusters_page).post(create_cluster))
        .route("/clusters/{id}", get(cluster_page))
        .route("/clusters/{id}/units", post(add_units))
        .route("/clusters/{id}/lead", post(set_lead))
        .route("/clusters/{id}/supervisors", post(add_supervisor))
        .route("/clusters/{id}/rename", post(rename_cluster))
        .route("/clusters/{id}/close", get(close_form).post(close_cluster))
        .route(
            "/clusters/{id}/units/{unit}/remove",
            get(remove_unit_form).post(remove_unit),
        )
        .route(
            "/clusters/{id}/supervisors/{a}/remove",
            get(remove_supervisor_form).post(remove_supervisor),
        )
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
    can_write: bool,
    posts: Vec<Supervisor>,
    errors: Vec<FieldError>,
    /// The rename form's value (kept on error).
    new_name: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeParam {
    notice: Option<String>,
}

async fn cluster_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let tr = user.tr();
    let notice = q.notice.as_deref().and_then(|n| match n {
        "renamed" => Some(tr.s("Đã đổi tên.", "Renamed.")),
        "closed" => Some(tr.s(
            "Đã đóng cụm, khối; không thay đổi được nữa.",
            "Closed; it can no longer change.",
        )),
        "unit_removed" => Some(tr.s(
            "Đã đưa CĐCS ra khỏi cụm, khối.",
            "The grassroots union was taken out.",
        )),
        "supervisor_removed" => Some(tr.s(
            "Đã thôi phân công người phụ trách.",
            "The supervisor was taken off.",
        )),
        _ => None,
    });
    cluster_view(&st, &user, id, vec![], None, notice.map(str::to_string)).await
}

/// The cluster page, with the rename form's value and errors when a post failed.
async fn cluster_view(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    errors: Vec<FieldError>,
    new_name: Option<String>,
    notice: Option<String>,
) -> PageResult {
    let d = st.store.cluster(&user.scope, id).await?;
    let can_write = user.scope.can_write(&d.cluster.path) && d.cluster.closed_on.is_none();
    let posts = st
        .store
        .btv_posts(&user.scope, d.cluster.owner_unit_id)
        .await?;
    let invalid = !errors.is_empty();
    let mut res = render(ClusterPage {
        chrome: Chrome::new(user, &d.cluster.name),
        new_name: new_name.unwrap_or_else(|| d.cluster.name.clone()),
        d,
        can_write,
        posts,
        errors,
        notice,
    })?;
    if invalid {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RenameForm {
    name: String,
}

async fn rename_cluster(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<RenameForm>,
) -> PageResult {
    match st.store.rename_cluster(&user.scope, id, &f.name).await {
        Ok(_) => see_other(&format!("/clusters/{id}?notice=renamed")),
        Err(e) => {
            let errs = field_errors(e.into())?;
            cluster_view(&st, &user, id, errs, Some(f.name), None).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseForm {
    closed_on: String,
}

/// Confirms closing: restates how many CĐCS and supervisors the cluster holds.
async fn close_page(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    f: CloseForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    let d = st.store.cluster(&user.scope, id).await?;
    if !user.scope.can_write(&d.cluster.path) {
        return Err(AppError::Forbidden);
    }
    ConfirmPage {
        chrome: Chrome::new(user, tr.s("Đóng cụm, khối thi đua", "Close the cluster")),
        intro: format!(
            "«{}» ({} {}) {} {} CĐCS {} {} {}.",
            d.cluster.name,
            tr.s("năm", "year"),
            d.cluster.year,
            tr.s("đang có", "holds"),
            d.units.len(),
            tr.s("và", "and"),
            d.supervisors.len(),
            tr.s("người phụ trách; sau khi đóng, cụm, khối được giữ để tra cứu nhưng không thay đổi được nữa", "supervisors; once closed it is kept for reference but can no longer change"),
        ),
        items: vec![],
        action: format!("/clusters/{id}/close"),
        button: tr.s("Đóng cụm, khối", "Close it").to_string(),
        cancel: format!("/clusters/{id}"),
        inputs: vec![ConfirmInput::new("closed_on", tr, "dd/mm/yyyy", &f.closed_on, &errors)],
        errors,
    }
    .respond()
}

async fn close_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let f = CloseForm {
        closed_on: format_vn_date(today()),
    };
    close_page(&st, &user, id, f, vec![]).await
}

async fn close_cluster(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<CloseForm>,
) -> PageResult {
    let mut errs = vec![];
    let Some(on) = parse_date_req(&f.closed_on, "closed_on", &mut errs) else {
        return close_page(&st, &user, id, f, errs).await;
    };
    match st.store.close_cluster(&user.scope, id, on).await {
        Ok(_) => see_other(&format!("/clusters/{id}?notice=closed")),
        Err(e) => {
            let errs = field_errors(e.into())?;
            close_page(&st, &user, id, f, errs).await
        }
    }
}

/// A confirmation without inputs for one removal from a cluster.
fn removal_page(
    user: &CurrentUser,
    title: &str,
    intro: String,
    action: String,
    id: i64,
) -> PageResult {
    let tr = user.tr();
    ConfirmPage {
        chrome: Chrome::new(user, title),
        intro,
        items: vec![],
        action,
        button: tr.s("Xác nhận", "Confirm").to_string(),
        cancel: format!("/clusters/{id}"),
        inputs: vec![],
        errors: vec![],
    }
    .respond()
}

async fn remove_unit_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
) -> PageResult {
    let tr = user.tr();
    let d = st.store.cluster(&user.scope, id).await?;
    let u = d
        .units
        .iter()
        .find(|u| u.unit_id == unit)
        .ok_or(AppError::NotFound)?;
    let lead = d.cluster.lead_unit_id == Some(unit);
    removal_page(
        &user,
        tr.s("Đưa CĐCS ra khỏi cụm, khối", "Take a grassroots union out"),
        format!(
            "{} {} «{}».{}",
            u.name,
            tr.s("sẽ ra khỏi", "leaves"),
            d.cluster.name,
            if lead {
                tr.s(
                    " Đơn vị này đang là đơn vị trưởng: cụm, khối sẽ chưa có đơn vị trưởng.",
                    " It is the lead unit: the cluster will have none.",
                )
            } else {
                ""
            }
        ),
        format!("/clusters/{id}/units/{unit}/remove"),
        id,
    )
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn remove_unit(
    State(st): State<AppState>,
    Path((id, unit)): Path<(i64, i64)>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> PageResult {
    st.store.remove_cluster_unit(&user.scope, id, unit).await?;
    see_other(&format!("/clusters/{id}?notice=unit_removed"))
}

async fn remove_supervisor_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, a)): Path<(i64, i64)>,
) -> PageResult {
    let tr = user.tr();
    let d = st.store.cluster(&user.scope, id).await?;
    let s = d
        .supervisors
        .iter()
        .find(|s| s.assignment_id == a)
        .ok_or(AppError::NotFound)?;
    removal_page(
        &user,
        tr.s("Thôi phân công người phụ trách", "Take a supervisor off"),
        format!(
            "{} ({}) {} «{}».",
            s.full_name,
            s.position_name_vi,
            tr.s("sẽ thôi phụ trách", "stops supervising"),
            d.cluster.name
        ),
        format!("/clusters/{id}/supervisors/{a}/remove"),
        id,
    )
}

async fn remove_supervisor(
    State(st): State<AppState>,
    Path((id, a)): Path<(i64, i64)>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> PageResult {
    st.store
        .remove_cluster_supervisor(&user.scope, id, a)
        .await?;
    see_other(&format!("/clusters/{id}?notice=supervisor_removed"))
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
    units: Vec<ClusterUnit>,
    total_members: i64,
}

async fn supervisor_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (sup, units) = st.store.supervised_units(&user.scope, id).await?;
    render(SupervisorPage {
        chrome: Chrome::new(&user, &sup.full_name),
        total_members: units.iter().map(|u| u.members).sum(),
        sup,
        units,
    })
}
