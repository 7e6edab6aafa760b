//! Emulation scoring over the API: criteria sets (list, read, import and export as
//! xlsx), sending a self-assessment, a unit's sheet (own points, appraisal, the
//! difference), saving the unit's scores and the upper level's appraisal, reopening and
//! the ranking. Every write is the store call the pages make (`views/emulation.rs`), so
//! scope, locks and maxima hold here too; points travel as decimal numbers (7.5).

use super::errors::*;
use super::requests::{FileBody, date, decode};
use super::{ApiJson, ApiQuery, ApiResult};
use crate::auth::CurrentUser;
use crate::error::FieldError;
use crate::views::imports::Upload;
use crate::{AppError, AppState, today};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use congdoan_domain::emulation::{CriteriaError, CriteriaSet, Pts, Scores, Target as ClassTarget};
use congdoan_domain::request::TargetSpec;
use congdoan_store::{
    CriteriaSetRow, NewAssessment, Ranking, Request, RequestFile, ScoreSave, Target,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct UnitQuery {
    /// The unit whose sets are listed: its own and those of the levels above it.
    unit_id: i64,
}

/// Criteria sets a unit may use: its own and those of the units above it.
#[utoipa::path(get, path = "/api/v1/emulation/sets", params(UnitQuery), responses((status = 200, body = Vec<CriteriaSetRow>), QueryErrors), security(("bearer" = [])))]
pub async fn list_sets(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<Vec<CriteriaSetRow>> {
    Ok(Json(st.store.criteria_sets(&user.scope, q.unit_id).await?))
}

/// A set with its current version's definition.
#[derive(Serialize, ToSchema)]
pub struct SetView {
    set: CriteriaSetRow,
    /// `{code, title, year, unit_types, ownership, scale, groups: [{code, title, order,
    /// items: [{code, text, max, evidence, veto_if_zero}]}], vetoes: [{code, question}],
    /// bands: [{code, name_vi, min, below, condition}]}`; points as decimal numbers.
    #[schema(value_type = Object)]
    definition: CriteriaSet,
}

/// One criteria set: groups, items with their maxima, vetoes and class bands.
#[utoipa::path(get, path = "/api/v1/emulation/sets/{id}", params(("id" = i64, Path)), responses((status = 200, body = SetView), ReadErrors), security(("bearer" = [])))]
pub async fn get_set(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<SetView> {
    let (set, c) = st.store.criteria_set(&user.scope, id).await?;
    Ok(Json(SetView {
        set,
        definition: c.into_def(),
    }))
}

/// The multipart form of a criteria set upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SetUpload {
    /// The owner unit (the caller must write it).
    unit: i64,
    /// The criteria set as xlsx (the layout `export.xlsx` gives).
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Creates a criteria set from its xlsx; 422 lists every problem of the file (sheet,
/// row, column), nothing stored.
#[utoipa::path(post, path = "/api/v1/emulation/sets", request_body(content = SetUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = SetView), UploadErrors), security(("bearer" = [])))]
pub async fn import_set(State(st): State<AppState>, up: Upload) -> ApiResult<SetView> {
    let Some(unit) = up.unit_id else {
        return Err(AppError::invalid(
            "unit",
            "WE2203",
            "chọn đơn vị sở hữu bộ tiêu chí.",
            "choose the unit that owns the set.",
        ));
    };
    // Outside the scope answers not-found before the file is read, as the store would.
    st.store.unit(&up.user.scope, unit).await?;
    if up.bytes.is_empty() {
        return Err(AppError::invalid(
            "file",
            "WE2204",
            "chưa chọn tệp bộ tiêu chí (.xlsx).",
            "no criteria set file (.xlsx) chosen.",
        ));
    }
    let read = tokio::task::block_in_place(|| {
        congdoan_sheet::criteria::read_criteria_set(&up.bytes, &congdoan_sheet::Limits::default())
    });
    let checked = read.map_err(|issues| {
        AppError::Invalid(
            issues
                .into_iter()
                .map(|i| FieldError {
                    field: i.field.unwrap_or_else(|| "file".into()),
                    code: i.code.to_string(),
                    message: i.vi,
                    message_en: i.en,
                })
                .collect(),
        )
    })?;
    let s = st
        .store
        .create_criteria_set(&up.user.scope, unit, checked.into_def())
        .await?;
    let (set, c) = st.store.criteria_set(&up.user.scope, s.set_id).await?;
    Ok(Json(SetView {
        set,
        definition: c.into_def(),
    }))
}

/// The xlsx of a set, as a file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct XlsxFile(#[allow(dead_code)] Vec<u8>);

/// The set as xlsx (the layout the import reads).
#[utoipa::path(get, path = "/api/v1/emulation/sets/{id}/export.xlsx", params(("id" = i64, Path)),
    responses((status = 200, body = XlsxFile, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ReadErrors),
    security(("bearer" = [])))]
pub async fn export_set(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (s, c) = st.store.criteria_set(&user.scope, id).await?;
    let bytes =
        tokio::task::block_in_place(|| congdoan_sheet::criteria::write_criteria_set(c.def()));
    Ok(crate::views::forms::xlsx_response(
        &format!(
            "bo-tieu-chi-{}.xlsx",
            crate::views::forms::ascii_name(&s.code)
        ),
        bytes,
    ))
}

/// Whom a self-assessment goes to.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AssessTargets {
    /// Every CĐCS of a cluster or block.
    Cluster { cluster_id: i64 },
    /// Every CĐCS (and nghiệp đoàn) under a unit; the issuer when `unit_id` is absent.
    Cdcs { unit_id: Option<i64> },
}

#[derive(Deserialize, ToSchema)]
pub struct SendBody {
    /// The issuing unit (the caller must write it).
    issuer_unit_id: i64,
    set_id: i64,
    /// "Chấm điểm CĐCS năm 2025"; the set's title when absent.
    title: Option<String>,
    /// dd/mm/yyyy or yyyy-mm-dd.
    due_on: String,
    /// `{"kind": "cluster", "cluster_id": 5}` or `{"kind": "cdcs"}`.
    targets: AssessTargets,
    /// Only say whom it would go to (the page's confirmation), send nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Whom a self-assessment goes (or would go) to, and the request sent.
#[derive(Serialize, ToSchema)]
pub struct SendOutcome {
    /// Units that score themselves, per unit type name: `[["Công đoàn cơ sở", 12]]`.
    by_type: Vec<(String, i64)>,
    /// The request sent (absent on a dry run).
    request: Option<Request>,
}

/// Sends a self-assessment against a set (its current version is kept) to a cluster
/// or to the CĐCS under a unit; `dry_run` restates whom without sending.
#[utoipa::path(post, path = "/api/v1/emulation/assessments", request_body = SendBody,
    responses((status = 200, body = SendOutcome), WriteErrors), security(("bearer" = [])))]
pub async fn send_assessment(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<SendBody>,
) -> ApiResult<SendOutcome> {
    let targets = match b.targets {
        AssessTargets::Cluster { cluster_id } => TargetSpec::Cluster { cluster_id },
        AssessTargets::Cdcs { unit_id } => TargetSpec::Subtree {
            root: unit_id.unwrap_or(b.issuer_unit_id),
            types: vec!["CDCS".into(), "NGHIEP_DOAN".into()],
        },
    };
    let due_on = date(&b.due_on, "due_on")?;
    st.store.criteria_set(&user.scope, b.set_id).await?;
    let by_type = st
        .store
        .preview_targets(&user.scope, b.issuer_unit_id, &targets)
        .await?;
    if b.dry_run {
        return Ok(Json(SendOutcome {
            by_type,
            request: None,
        }));
    }
    let input = NewAssessment {
        issuer_unit_id: b.issuer_unit_id,
        set_id: b.set_id,
        title: b.title,
        issued_on: today(),
        due_on,
        targets,
    };
    let request = st.store.send_assessment(&user.scope, input).await?;
    Ok(Json(SendOutcome {
        by_type,
        request: Some(request),
    }))
}

/// One item of a sheet; points are decimal numbers.
#[derive(Serialize, ToSchema)]
pub struct ItemView {
    group_code: String,
    group_title: String,
    code: String,
    text: String,
    #[schema(value_type = f64)]
    max: Pts,
    /// Evidence expected.
    evidence: bool,
    #[schema(value_type = Option<f64>)]
    self_points: Option<Pts>,
    #[schema(value_type = Option<f64>)]
    appraised: Option<Pts>,
    /// Self minus appraised: how far the unit scored itself above the appraisal (0 until appraised).
    #[schema(value_type = f64)]
    delta: Pts,
    /// The appraiser's note.
    note: Option<String>,
}

/// A veto question and the answers.
#[derive(Serialize, ToSchema)]
pub struct VetoView {
    code: String,
    question: String,
    /// The unit answered "yes".
    self_yes: bool,
    /// The appraisal answered "yes" (false until appraised).
    appraised_yes: bool,
}

/// A total and its class.
#[derive(Serialize, ToSchema)]
pub struct OutcomeView {
    #[schema(value_type = f64)]
    total: Pts,
    class: String,
    class_name: String,
    /// Why the unit falls to the lowest class (vetoes, items at zero).
    #[schema(value_type = Vec<Object>)]
    vetoed_by: Vec<congdoan_domain::emulation::VetoBy>,
}

impl From<congdoan_domain::emulation::Outcome> for OutcomeView {
    fn from(o: congdoan_domain::emulation::Outcome) -> Self {
        OutcomeView {
            total: o.total,
            class: o.class,
            class_name: o.class_name,
            vetoed_by: o.vetoed_by,
        }
    }
}

/// A unit's sheet: its points, the appraisal beside them, the difference.
#[derive(Serialize, ToSchema)]
pub struct SheetView {
    request: Request,
    target: Target,
    set: CriteriaSetRow,
    /// The set's version the request scores against.
    set_version: i64,
    items: Vec<ItemView>,
    vetoes: Vec<VetoView>,
    own: OutcomeView,
    /// Absent until the upper level saved an appraisal.
    appraised: Option<OutcomeView>,
    /// Self total minus appraised total (0 until appraised), as the page shows it.
    #[schema(value_type = f64)]
    delta: Pts,
    /// Approved by the upper level: locked until reopened.
    published: bool,
    /// The caller may save the unit's own scores / the appraisal.
    can_score: bool,
    can_appraise: bool,
    /// Evidence files (download: `/requests/files/{file_id}`).
    files: Vec<RequestFile>,
}

/// The sheet of one target unit of a self-assessment.
#[utoipa::path(get, path = "/api/v1/emulation/{id}/units/{unit_id}", params(("id" = i64, Path), ("unit_id" = i64, Path)),
    responses((status = 200, body = SheetView), ReadErrors), security(("bearer" = [])))]
pub async fn get_sheet(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
) -> ApiResult<SheetView> {
    Ok(Json(sheet(&st, &user, id, unit).await?))
}

async fn sheet(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    unit: i64,
) -> Result<SheetView, AppError> {
    let sh = st.store.assessment_sheet(&user.scope, id, unit).await?;
    let published = sh.published();
    let items = sh
        .diff
        .items
        .iter()
        .zip(sh.criteria.items())
        .map(|(d, (g, it))| ItemView {
            group_code: g.code.clone(),
            group_title: g.title.clone(),
            code: it.code.clone(),
            text: it.text.clone(),
            max: it.max,
            evidence: it.evidence,
            self_points: d.self_points,
            appraised: d.appraised,
            delta: d.delta,
            note: sh.notes.get(&it.code).cloned(),
        })
        .collect();
    let vetoes = sh
        .criteria
        .def()
        .vetoes
        .iter()
        .map(|v| VetoView {
            code: v.code.clone(),
            question: v.question.clone(),
            self_yes: sh.own.vetoes.contains(&v.code),
            appraised_yes: sh
                .appraised
                .as_ref()
                .is_some_and(|a| a.vetoes.contains(&v.code)),
        })
        .collect();
    Ok(SheetView {
        delta: if sh.appraised.is_some() {
            sh.diff.delta
        } else {
            Pts::ZERO
        },
        items,
        vetoes,
        own: sh.own_outcome.into(),
        appraised: sh.appraised_outcome.map(Into::into),
        published,
        can_score: sh.can_score,
        can_appraise: sh.can_appraise,
        set_version: sh.set_version,
        request: sh.request,
        target: sh.target,
        set: sh.set,
        files: sh.files,
    })
}

/// Points per item code and the veto questions answered "yes".
#[derive(Deserialize, ToSchema)]
pub struct ScoresBody {
    /// `{"1.1": 25, "2.2": 7.5}`: at most one decimal place, not above the item's maximum.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, f64>)]
    points: BTreeMap<String, Pts>,
    /// Codes of the veto questions answered "yes".
    #[serde(default)]
    vetoes: BTreeSet<String>,
}

impl ScoresBody {
    fn scores(self) -> Scores {
        Scores {
            items: self.points,
            vetoes: self.vetoes,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SelfBody {
    #[serde(flatten)]
    scores: ScoresBody,
    /// Submit to the upper level (every item scored); a draft otherwise.
    #[serde(default)]
    submit: bool,
    /// Evidence files, added to those the unit has.
    #[serde(default)]
    files: Vec<FileBody>,
}

/// The problems of scores as a 422, each naming its item (`points.1.1`).
fn rejected(issues: Vec<CriteriaError>) -> AppError {
    AppError::Invalid(
        issues
            .into_iter()
            .map(|i| FieldError {
                field: format!("points.{}", i.field),
                code: i.code.to_string(),
                message: i.vi,
                message_en: i.en,
            })
            .collect(),
    )
}

async fn saved(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    unit: i64,
    s: ScoreSave,
) -> ApiResult<SheetView> {
    if s.target.is_none() {
        return Err(rejected(s.issues));
    }
    Ok(Json(sheet(st, user, id, unit).await?))
}

/// The unit saves its own scores (a draft) or submits them; over an item's maximum,
/// an unknown item or veto, or (on submit) an item without points: 422 naming each
/// item, nothing written.
#[utoipa::path(post, path = "/api/v1/emulation/{id}/units/{unit_id}/self", params(("id" = i64, Path), ("unit_id" = i64, Path)), request_body = SelfBody,
    responses((status = 200, body = SheetView), WriteErrors), security(("bearer" = [])))]
pub async fn save_self(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<SelfBody>,
) -> ApiResult<SheetView> {
    let files = decode(b.files)?;
    let s = st
        .store
        .save_self_assessment(
            &user.scope,
            id,
            unit,
            b.scores.scores(),
            files,
            b.submit,
            today(),
        )
        .await?;
    saved(&st, &user, id, unit, s).await
}

#[derive(Deserialize, ToSchema)]
pub struct AppraisalBody {
    #[serde(flatten)]
    scores: ScoresBody,
    /// A note per item code (why the points differ).
    #[serde(default)]
    notes: BTreeMap<String, String>,
    /// Publish: every item appraised, the result approved and locked.
    #[serde(default)]
    publish: bool,
}

/// The upper level's appraisal of a submitted self-assessment, item by item; with
/// `publish` the result is published (locked until reopened).
#[utoipa::path(post, path = "/api/v1/emulation/{id}/units/{unit_id}/appraisal", params(("id" = i64, Path), ("unit_id" = i64, Path)), request_body = AppraisalBody,
    responses((status = 200, body = SheetView), WriteErrors), security(("bearer" = [])))]
pub async fn save_appraisal(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<AppraisalBody>,
) -> ApiResult<SheetView> {
    let s = st
        .store
        .save_appraisal(
            &user.scope,
            id,
            unit,
            b.scores.scores(),
            b.notes,
            b.publish,
            today(),
        )
        .await?;
    saved(&st, &user, id, unit, s).await
}

#[derive(Deserialize, ToSchema)]
pub struct ReopenBody {
    /// Why the published result is appraised again (recorded, audited).
    reason: String,
}

/// Re-appraisal: reopens a published result; it leaves the ranking until published again.
#[utoipa::path(post, path = "/api/v1/emulation/{id}/units/{unit_id}/reopen", params(("id" = i64, Path), ("unit_id" = i64, Path)), request_body = ReopenBody,
    responses((status = 200, body = SheetView), WriteErrors), security(("bearer" = [])))]
pub async fn reopen(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<ReopenBody>,
) -> ApiResult<SheetView> {
    st.store
        .reopen_assessment(&user.scope, id, unit, b.reason, today())
        .await?;
    Ok(Json(sheet(&st, &user, id, unit).await?))
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct RankingQuery {
    /// Only the units in this unit's subtree.
    within: Option<i64>,
    /// The class of the target (a band code of the set, e.g. `tot`); the set's
    /// "good" class by default.
    class: Option<String>,
    /// The target's share in percent (0–100, default 80).
    share: Option<u32>,
}

/// Published results in rank order (ties: group-1 points, women's share, name), the
/// units not yet published, the count per class and whether the target is met.
#[utoipa::path(get, path = "/api/v1/emulation/{id}/ranking", params(("id" = i64, Path), RankingQuery),
    responses((status = 200, body = Ranking), QueryErrors), security(("bearer" = [])))]
pub async fn ranking(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<RankingQuery>,
) -> ApiResult<Ranking> {
    let target = q.class.map(|class| ClassTarget {
        class,
        share_permille: q.share.unwrap_or(80).min(100) * 10,
    });
    Ok(Json(
        st.store
            .assessment_ranking(&user.scope, id, q.within, target)
            .await?,
    ))
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct WideQuery {
    /// The subtree ranked: a province, an upper-level union, or a CĐCS (its tổ and bộ phận).
    unit_id: i64,
    /// The year of the results; the latest year with results in the subtree by default.
    year: Option<i32>,
    /// One criteria set only (its unit types then choose the level).
    set_id: Option<i64>,
    /// `to` for the tổ and bộ phận inside a CĐCS, `cdcs` for the CĐCS (the default
    /// except under a CĐCS).
    level: Option<String>,
    /// Only the units of this emulation cluster or block.
    cluster_id: Option<i64>,
    /// Only the rows of this class (a band code, e.g. `xuat_sac`).
    class: Option<String>,
    /// The target's lowest class (default `tot`, "hoàn thành tốt").
    target_class: Option<String>,
    /// The target's share in percent (0–100, default 80).
    share: Option<u32>,
}

impl WideQuery {
    /// The year and level asked for, else the pages' defaults.
    async fn year_and_level(
        &self,
        st: &AppState,
        user: &CurrentUser,
    ) -> Result<(i32, String), AppError> {
        let unit = st.store.unit(&user.scope, self.unit_id).await?;
        let years = st.store.assessment_years(&user.scope, unit.unit_id).await?;
        Ok(crate::views::emulation::ranking_defaults(
            &unit,
            &years,
            self.year,
            self.level.clone(),
        ))
    }
}

/// A subtree's published results ranked across it (a province's CĐCS, or a CĐCS's tổ
/// and bộ phận), with last year's total and class beside each and the trend, the class
/// counts this year and last (overall and per emulation cluster), and the target (by
/// default ≥ 80 % "hoàn thành tốt" or better) with whether it is met.
#[utoipa::path(get, path = "/api/v1/emulation/rankings", params(WideQuery),
    responses((status = 200, body = congdoan_store::WideRanking), QueryErrors), security(("bearer" = [])))]
pub async fn wide_ranking(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<WideQuery>,
) -> ApiResult<congdoan_store::WideRanking> {
    let (year, level) = q.year_and_level(&st, &user).await?;
    Ok(Json(
        st.store
            .wide_ranking(
                &user.scope,
                &congdoan_store::WideQuery {
                    root: q.unit_id,
                    year,
                    set_id: q.set_id,
                    level: Some(level),
                    cluster_id: q.cluster_id,
                    class: q.class.filter(|c| !c.is_empty()),
                    target_class: q.target_class.filter(|c| !c.is_empty()),
                    target_permille: q.share.map(|s| s.min(100) * 10),
                },
            )
            .await?,
    ))
}

/// The class distribution of a year's published results per child unit of a unit —
/// from the national root, one row per province.
#[utoipa::path(get, path = "/api/v1/emulation/distribution", params(WideQuery),
    responses((status = 200, body = congdoan_store::Distribution), QueryErrors), security(("bearer" = [])))]
pub async fn distribution(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<WideQuery>,
) -> ApiResult<congdoan_store::Distribution> {
    let (year, level) = q.year_and_level(&st, &user).await?;
    Ok(Json(
        st.store
            .class_distribution(&user.scope, q.unit_id, year, q.set_id, Some(&level))
            .await?,
    ))
}
