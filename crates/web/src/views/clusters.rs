//! Pages for emulation clusters and blocks (cụm, khối thi đua) and the supervisor's
//! page listing the CĐCS a standing-committee member follows.

use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{
    Chrome, ConfirmForm, ConfirmInput, PageResult, UnitParam, field_errors, optional_unit, render,
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
use congdoan_store::{Cluster, ClusterDetail, ClusterUnit, Supervisor, Unit, UnitFlags};
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
    cluster_render(st, user, id, FormState::default(), errors, new_name, notice).await
}

/// The cluster page with one of its picker forms shown again.
async fn cluster_page_with(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    form: FormState,
) -> PageResult {
    cluster_render(st, user, id, form, vec![], None, None).await
}

async fn cluster_render(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    mut form: FormState,
    errors: Vec<FieldError>,
    new_name: Option<String>,
    notice: Option<String>,
) -> PageResult {
    form.lang = user.lang;
    let d = st.store.cluster(&user.scope, id).await?;
    let can_write = user.scope.can_write(&d.cluster.path) && d.cluster.closed_on.is_none();
    let posts = st
        .store
        .btv_posts(&user.scope, d.cluster.owner_unit_id)
        .await?;
    let rows = with_flags(st, d.units.clone()).await?;
    let invalid = form.has_errors() || !errors.is_empty();
    let page = render(ClusterPage {
        chrome: Chrome::new(user, &d.cluster.name),
        rows,
        new_name: new_name.unwrap_or_else(|| d.cluster.name.clone()),
        d,
        can_write,
        posts,
        form,
        errors,
        notice,
    })?;
    Ok(pick::unprocessable(page, invalid))
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
    let fs = pick::FormState::again(form, pairs, errors, st, user).await?;
    cluster_page_with(st, user, id, fs).await
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
    ConfirmForm {
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
    ConfirmForm {
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
