//! Emulation pages (thi đua): a unit's criteria sets (import and export as xlsx, one
//! set's items and classes), sending a self-assessment to a cluster or to the CĐCS
//! under the unit (confirmed first), the unit's scoring sheet on a phone (one item per
//! row with its maximum, evidence files, running total and class), the upper level's
//! appraisal beside it with the difference per item and summed, publishing and
//! re-appraisal (reopening with a reason), and the ranking with the class counts and
//! the target.

use super::confirm::{ConfirmPage, Impact, confirmed, hidden};
use super::directives::FilesForm;
use super::forms::{ascii_name, home_unit, xlsx_response};
use super::imports::Upload;
use super::pick::{self, Pairs};
use super::{Chrome, ConfirmForm, ConfirmInput, PageResult, field_errors, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::forms::parse_date_req;
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::{get, post};
use congdoan_domain::emulation::{Checked, CriteriaError, Pts, Scores, Target as ClassTarget};
use congdoan_domain::request::{self as rq, Action, RequestKind, TargetSpec, TargetState};
use congdoan_store::{
    AssessmentSheet, Cluster, CriteriaSetRow, NewAssessment, Ranking, Sent, Unit,
};
use serde::Deserialize;
use std::collections::BTreeMap;

const BODY_LIMIT: usize = rq::MAX_FILES_PER_TARGET * rq::MAX_FILE_BYTES * 4 / 3 + 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/emulation", get(hub_page))
        .route("/emulation/sets/import", post(import_set))
        .route("/emulation/sets/{id}", get(set_page))
        .route("/emulation/sets/{id}/export.xlsx", get(set_xlsx))
        .route("/emulation/send", post(send_assessment))
        .route("/emulation/{id}/ranking", get(ranking_page))
        .route("/emulation/rankings", get(rankings_page))
        .route("/emulation/distribution", get(distribution_page))
        .route(
            "/emulation/{id}/units/{unit}",
            get(sheet_page)
                .post(save_sheet)
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/emulation/{id}/units/{unit}/reopen", post(reopen))
}

/// Points as written in Vietnamese ("7,5"), from tenths.
fn pts(t: i64) -> String {
    Pts(t).to_string()
}

#[derive(Template)]
#[template(path = "emulation.html")]
struct HubPage {
    chrome: Chrome,
    unit: Option<Unit>,
    sets: Vec<CriteriaSetRow>,
    clusters: Vec<Cluster>,
    sent: Vec<Sent>,
    owed: Vec<congdoan_store::Owed>,
    problems: Vec<String>,
    errors: Vec<FieldError>,
    send: SendForm,
    can_write: bool,
    notice: Option<&'static str>,
    /// A CĐCS: its send form targets its tổ and bộ phận.
    grassroots: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SendForm {
    unit: i64,
    set_id: i64,
    /// "c<cluster id>" or "cdcs" (every CĐCS under the unit).
    target: String,
    due_on: String,
    title: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HubQuery {
    unit: Option<i64>,
    notice: Option<String>,
}

async fn hub_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HubQuery>,
) -> PageResult {
    let tr = user.tr();
    let notice = q.notice.as_deref().and_then(|n| match n {
        "created" => Some(tr.s("Đã tạo bộ tiêu chí.", "The criteria set was created.")),
        _ => None,
    });
    hub_view(
        &st,
        &user,
        q.unit,
        vec![],
        vec![],
        SendForm::default(),
        notice,
    )
    .await
}

async fn hub_view(
    st: &AppState,
    user: &CurrentUser,
    unit: Option<i64>,
    problems: Vec<String>,
    errors: Vec<FieldError>,
    send: SendForm,
    notice: Option<&'static str>,
) -> PageResult {
    let unit = home_unit(st, user, unit).await?;
    let (sets, clusters, sent, owed, can_write) = match &unit {
        Some(u) => (
            st.store.criteria_sets(&user.scope, u.unit_id).await?,
            st.store
                .clusters(&user.scope, u.unit_id, None)
                .await
                .unwrap_or_default(),
            st.store.assessments_sent(&user.scope, u.unit_id).await?,
            st.store
                .requests_owed(
                    &user.scope,
                    u.unit_id,
                    Some(RequestKind::Assessment),
                    false,
                    50,
                )
                .await?,
            user.scope.can_write(&u.path),
        ),
        None => (vec![], vec![], vec![], vec![], false),
    };
    let invalid = !errors.is_empty() || !problems.is_empty();
    let grassroots = unit.as_ref().is_some_and(is_grassroots);
    let page = render(HubPage {
        grassroots,
        chrome: Chrome::new(user, user.tr().s("Thi đua", "Emulation")),
        unit,
        sets,
        clusters,
        sent,
        owed,
        problems,
        errors,
        send,
        can_write,
        notice,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

/// Upload → the set created, or every problem listed (422, nothing stored).
async fn import_set(State(st): State<AppState>, up: Upload) -> PageResult {
    let user = &up.user;
    let lang = user.lang;
    if up.bytes.is_empty() {
        let p = user
            .tr()
            .s(
                "Chưa chọn tệp bộ tiêu chí (.xlsx).",
                "No criteria set file (.xlsx) chosen.",
            )
            .to_string();
        return hub_view(
            &st,
            user,
            up.unit_id,
            vec![p],
            vec![],
            SendForm::default(),
            None,
        )
        .await;
    }
    let read = tokio::task::block_in_place(|| {
        congdoan_sheet::criteria::read_criteria_set(&up.bytes, &congdoan_sheet::Limits::default())
    });
    let checked = match read {
        Ok(c) => c,
        Err(issues) => {
            let problems = issues.iter().map(|i| i.message(lang).to_string()).collect();
            return hub_view(
                &st,
                user,
                up.unit_id,
                problems,
                vec![],
                SendForm::default(),
                None,
            )
            .await;
        }
    };
    let Some(unit) = up.unit_id else {
        return Err(AppError::NotFound);
    };
    match st
        .store
        .create_criteria_set(&user.scope, unit, checked.into_def())
        .await
    {
        Ok(s) => see_other(&format!("/emulation/sets/{}?notice=created", s.set_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            hub_view(
                &st,
                user,
                Some(unit),
                vec![],
                errs,
                SendForm::default(),
                None,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "criteria_set.html")]
struct SetPage {
    chrome: Chrome,
    s: CriteriaSetRow,
    c: Checked,
    notice: Option<&'static str>,
    /// The owner's writers get "Sửa" (a new version in the builder).
    can_edit: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn set_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let tr = user.tr();
    let (s, c) = st.store.criteria_set(&user.scope, id).await?;
    let notice = match q.notice.as_deref() {
        Some("created") => Some(tr.s("Đã tạo bộ tiêu chí.", "The criteria set was created.")),
        Some("version") => Some(tr.s(
            "Đã lưu phiên bản mới; các đợt chấm điểm đã gửi giữ phiên bản cũ.",
            "The new version is saved; assessments already sent keep theirs.",
        )),
        _ => None,
    };
    let can_edit = user.scope.can_write(&s.owner_path);
    render(SetPage {
        chrome: Chrome::new(&user, &s.title),
        s,
        c,
        notice,
        can_edit,
    })
}

async fn set_xlsx(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (s, c) = st.store.criteria_set(&user.scope, id).await?;
    let bytes =
        tokio::task::block_in_place(|| congdoan_sheet::criteria::write_criteria_set(c.def()));
    Ok(xlsx_response(
        &format!("bo-tieu-chi-{}.xlsx", ascii_name(&s.code)),
        bytes,
    ))
}

/// Sends a self-assessment: the form on the hub, a confirmation restating whom, then
/// the ranking page of the new request.
async fn send_assessment(
    State(st): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let tr = user.tr();
    let f: SendForm = super::confirm::typed(&pairs)?;
    let unit = st.store.unit(&user.scope, f.unit).await?;
    let mut errors = vec![];
    let due = parse_date_req(&f.due_on, "due_on", &mut errors);
    let set = match st.store.criteria_set(&user.scope, f.set_id).await {
        Ok(s) => Some(s),
        Err(_) => {
            errors.push(FieldError::new(
                "set_id",
                "WE2201",
                "chọn bộ tiêu chí.",
                "choose a criteria set.",
            ));
            None
        }
    };
    let targets = if let Some(c) = f.target.strip_prefix('c').and_then(|c| c.parse().ok()) {
        Some(TargetSpec::Cluster { cluster_id: c })
    } else if f.target == "cdcs" {
        Some(TargetSpec::Subtree {
            root: unit.unit_id,
            types: vec!["CDCS".into(), "NGHIEP_DOAN".into()],
        })
    } else if let Some(types) = group_target(&f.target).filter(|_| is_grassroots(&unit)) {
        // A CĐCS's BCH scores its own tổ and bộ phận (seed 002).
        Some(TargetSpec::Subtree {
            root: unit.unit_id,
            types,
        })
    } else {
        errors.push(FieldError::new(
            "target",
            "WE2202",
            "chọn cụm, khối thi đua, các CĐCS trực thuộc, hoặc (ở CĐCS) các tổ công đoàn, công đoàn bộ phận.",
            "choose a cluster, the CĐCS below, or (in a CĐCS) its union groups and departments.",
        ));
        None
    };
    // A set made for some unit types is not sent to others (a tổ set to CĐCS…).
    if let (Some((s, c)), Some(TargetSpec::Subtree { types, .. })) = (&set, &targets) {
        let meant = &c.def().unit_types;
        if !meant.is_empty() && !types.iter().any(|t| meant.contains(t)) {
            errors.push(FieldError::new(
                "set_id",
                "WE2203",
                &format!(
                    "bộ tiêu chí «{}» dành cho {}, không dùng cho đơn vị đã chọn.",
                    s.title,
                    type_names(meant)
                ),
                &format!(
                    "the set «{}» is meant for {}, not for the chosen units.",
                    s.title,
                    meant.join(", ")
                ),
            ));
        }
    }
    let (Some(due), Some((s, _)), Some(targets), true) = (due, set, targets, errors.is_empty())
    else {
        return hub_view(&st, &user, Some(unit.unit_id), vec![], errors, f, None).await;
    };
    if !confirmed(&pairs) {
        let n: i64 = match st
            .store
            .preview_targets(&user.scope, unit.unit_id, &targets)
            .await
        {
            Ok(by_type) => by_type.iter().map(|(_, n)| n).sum(),
            Err(e) => {
                let errs = field_errors(e.into())?;
                return hub_view(&st, &user, Some(unit.unit_id), vec![], errs, f, None).await;
            }
        };
        let whom = match &targets {
            TargetSpec::Cluster { cluster_id } => st
                .store
                .cluster(&user.scope, *cluster_id)
                .await
                .map(|c| c.cluster.name)
                .unwrap_or_default(),
            TargetSpec::Subtree { types, .. }
                if types.iter().any(|t| t == "TO_CD" || t == "CD_BO_PHAN") =>
            {
                format!(
                    "{} {} {}",
                    type_names(types),
                    tr.s("thuộc", "under"),
                    unit.name
                )
            }
            _ => format!("{} {}", tr.s("các CĐCS thuộc", "the CĐCS under"), unit.name),
        };
        return ConfirmPage {
            chrome: Chrome::new(
                &user,
                tr.s("Gửi yêu cầu tự chấm điểm", "Send a self-assessment"),
            ),
            lead: format!(
                "{} «{}» {} {}, {} {}.",
                tr.s(
                    "Gửi yêu cầu tự chấm điểm theo bộ tiêu chí",
                    "Send a self-assessment against"
                ),
                s.title,
                tr.s("tới", "to"),
                whom,
                tr.s("hạn nộp", "due"),
                congdoan_domain::format_vn_date(due)
            ),
            impacts: vec![
                Impact::count(
                    n,
                    tr.s("đơn vị phải tự chấm điểm", "units to score themselves"),
                ),
                Impact::line(format!(
                    "{} {}",
                    tr.s(
                        "Phiên bản bộ tiêu chí được giữ cố định:",
                        "The set's version is fixed:"
                    ),
                    s.current_version
                )),
            ],
            irreversible: vec![
                tr.s(
                    "Yêu cầu đã gửi không thu hồi được; các đơn vị thấy ngay trong việc cần làm.",
                    "A sent request cannot be withdrawn; units see it in their to-do list at once.",
                )
                .to_string(),
            ],
            action: "/emulation/send".into(),
            hidden: hidden(&pairs),
            button: tr.s("Gửi", "Send").into(),
            back: format!("/emulation?unit={}", unit.unit_id),
        }
        .render();
    }
    match st
        .store
        .send_assessment(
            &user.scope,
            NewAssessment {
                issuer_unit_id: unit.unit_id,
                set_id: s.set_id,
                title: Some(f.title.clone()),
                issued_on: today(),
                due_on: due,
                targets,
            },
        )
        .await
    {
        Ok(r) => see_other(&format!("/emulation/{}/ranking?notice=sent", r.request_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            hub_view(&st, &user, Some(unit.unit_id), vec![], errs, f, None).await
        }
    }
}

/// The tổ / bộ phận targets of the send form: `to` (both), `to_cd`, `cd_bo_phan`.
fn group_target(t: &str) -> Option<Vec<String>> {
    match t {
        "to" => Some(vec!["TO_CD".into(), "CD_BO_PHAN".into()]),
        "to_cd" => Some(vec!["TO_CD".into()]),
        "cd_bo_phan" => Some(vec!["CD_BO_PHAN".into()]),
        _ => None,
    }
}

fn is_grassroots(u: &Unit) -> bool {
    matches!(u.type_code.as_str(), "CDCS" | "NGHIEP_DOAN")
}

/// "tổ công đoàn, công đoàn bộ phận" for type codes.
fn type_names(types: &[String]) -> String {
    types
        .iter()
        .map(|t| match t.as_str() {
            "TO_CD" => "tổ công đoàn",
            "CD_BO_PHAN" => "công đoàn bộ phận",
            "CDCS" => "công đoàn cơ sở",
            "NGHIEP_DOAN" => "nghiệp đoàn cơ sở",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One item row of the scoring sheet.
struct ItemRow {
    group: Option<String>,
    code: String,
    text: String,
    max: String,
    evidence: bool,
    own: String,
    appraised: String,
    note: String,
    delta: String,
    own_error: Option<String>,
    appraised_error: Option<String>,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct SheetPage {
    chrome: Chrome,
    sh: AssessmentSheet,
    items: Vec<ItemRow>,
    /// (code, question, self yes, appraised yes)
    vetoes: Vec<(String, String, bool, bool)>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    editable: bool,
    appraisable: bool,
    can_reopen: bool,
    reopened: Option<String>,
    own_total: String,
    appraised_total: String,
    delta: String,
}

async fn sheet_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let tr = user.tr();
    let notice = q.notice.as_deref().and_then(|n| match n {
        "draft" => Some(tr.s("Đã lưu nháp.", "Draft saved.")),
        "submitted" => Some(tr.s(
            "Đã gửi bản tự chấm điểm.",
            "The self-assessment was submitted.",
        )),
        "appraised" => Some(tr.s("Đã lưu điểm thẩm định.", "The appraisal was saved.")),
        "published" => Some(tr.s("Đã công bố kết quả thẩm định.", "The result was published.")),
        "reopen" => Some(tr.s("Đã mở lại để thẩm định lại.", "Reopened for re-appraisal.")),
        _ => None,
    });
    sheet_view(&st, &user, id, unit, None, vec![], notice).await
}

/// What was typed: self points `p_<item>`, appraisal `a_<item>`, notes `n_<item>`,
/// vetoes `v_<code>` / `av_<code>`.
fn typed_of(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .filter(|(k, _)| {
            ["p_", "a_", "n_", "v_", "av_"]
                .iter()
                .any(|p| k.starts_with(p))
        })
        .map(|(k, v)| (k.clone(), v.chars().take(2_000).collect()))
        .collect()
}

async fn sheet_view(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    unit: i64,
    typed: Option<BTreeMap<String, String>>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> PageResult {
    let sh = st.store.assessment_sheet(&user.scope, id, unit).await?;
    let state = sh.state();
    let editable =
        sh.can_score && rq::next_state(RequestKind::Assessment, state, Action::SaveDraft).is_ok();
    let appraisable = sh.can_appraise && state == TargetState::Submitted;
    let can_reopen = sh.can_appraise && state == TargetState::Approved;
    let get = |k: &str| typed.as_ref().and_then(|t| t.get(k).cloned());
    let mut last_group = String::new();
    let mut items = vec![];
    for (d, (g, it)) in sh.diff.items.iter().zip(sh.criteria.items()) {
        let group = (g.code != last_group).then(|| {
            last_group = g.code.clone();
            format!("{}. {}", g.code, g.title)
        });
        let err = |f: String| {
            errors
                .iter()
                .find(|e| e.field == f)
                .map(|e| e.text(user.lang).to_string())
        };
        items.push(ItemRow {
            group,
            code: it.code.clone(),
            text: it.text.clone(),
            max: it.max.to_string(),
            evidence: it.evidence,
            own: get(&format!("p_{}", it.code))
                .unwrap_or_else(|| d.self_points.map(|p| p.to_string()).unwrap_or_default()),
            appraised: get(&format!("a_{}", it.code))
                .unwrap_or_else(|| d.appraised.map(|p| p.to_string()).unwrap_or_default()),
            note: get(&format!("n_{}", it.code))
                .unwrap_or_else(|| sh.notes.get(&it.code).cloned().unwrap_or_default()),
            delta: if d.appraised.is_some() && d.delta != Pts::ZERO {
                format!("{}{}", if d.delta.0 > 0 { "+" } else { "" }, d.delta)
            } else {
                String::new()
            },
            own_error: err(format!("p_{}", it.code)),
            appraised_error: err(format!("a_{}", it.code)),
        });
    }
    let vetoes = sh
        .criteria
        .def()
        .vetoes
        .iter()
        .map(|v| {
            let own = match &typed {
                Some(t) => t.contains_key(&format!("v_{}", v.code)),
                None => sh.own.vetoes.contains(&v.code),
            };
            let appr = match &typed {
                Some(t) => t.contains_key(&format!("av_{}", v.code)),
                None => sh
                    .appraised
                    .as_ref()
                    .is_some_and(|a| a.vetoes.contains(&v.code)),
            };
            (v.code.clone(), v.question.clone(), own, appr)
        })
        .collect();
    let reopened = if state == TargetState::Returned {
        st.store
            .request_events(&user.scope, id, unit)
            .await?
            .into_iter()
            .rev()
            .find(|e| e.action == "reopen" || e.action == "return")
            .and_then(|e| e.note)
    } else {
        None
    };
    let own_total = sh.own_outcome.total.to_string();
    let appraised_total = sh
        .appraised_outcome
        .as_ref()
        .map(|o| o.total.to_string())
        .unwrap_or_default();
    let delta = if sh.appraised.is_some() {
        format!(
            "{}{}",
            if sh.diff.delta.0 > 0 { "+" } else { "" },
            sh.diff.delta
        )
    } else {
        String::new()
    };
    let invalid = !errors.is_empty();
    let page = render(SheetPage {
        chrome: Chrome::new(
            user,
            &format!("{} — {}", sh.request.title, sh.target.unit_name),
        ),
        sh,
        items,
        vetoes,
        errors,
        notice,
        editable,
        appraisable,
        can_reopen,
        reopened,
        own_total,
        appraised_total,
        delta,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

/// Reads typed points with a prefix into scores; text that is not a number is an
/// error naming the item.
fn parse_scores(
    c: &Checked,
    typed: &BTreeMap<String, String>,
    prefix: &str,
    veto_prefix: &str,
    errors: &mut Vec<FieldError>,
) -> Scores {
    let mut s = Scores::default();
    for (_, it) in c.items() {
        let key = format!("{prefix}{}", it.code);
        let raw = typed.get(&key).map(|v| v.trim()).unwrap_or_default();
        if raw.is_empty() {
            continue;
        }
        match Pts::parse(raw) {
            Some(p) => {
                s.items.insert(it.code.clone(), p);
            }
            // Labelled by hand: the key (`p_1.1`) has no entry in the field labels.
            None => errors.push(FieldError {
                field: key,
                code: "VL1022".into(),
                message: format!(
                    "{}, tiêu chí {}: «{raw}» không phải là số điểm (ví dụ 5 hoặc 2,5) — {}.",
                    if prefix == "a_" {
                        "Điểm thẩm định"
                    } else {
                        "Điểm tự chấm"
                    },
                    it.code,
                    it.text
                ),
                message_en: format!(
                    "{}, item {}: “{raw}” is not a number of points (e.g. 5 or 2.5).",
                    if prefix == "a_" {
                        "Appraised points"
                    } else {
                        "Own points"
                    },
                    it.code
                ),
            }),
        }
    }
    for v in &c.def().vetoes {
        if typed.contains_key(&format!("{veto_prefix}{}", v.code)) {
            s.vetoes.insert(v.code.clone());
        }
    }
    s
}

fn issue_errors(issues: &[CriteriaError], prefix: &str) -> Vec<FieldError> {
    issues
        .iter()
        .map(|i| FieldError {
            field: format!("{prefix}{}", i.field),
            code: i.code.to_string(),
            message: i.vi.clone(),
            message_en: i.en.clone(),
        })
        .collect()
}

async fn save_sheet(
    State(st): State<AppState>,
    Path((id, unit)): Path<(i64, i64)>,
    form: FilesForm,
) -> PageResult {
    let FilesForm { user, pairs, files } = form;
    let action = pairs
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let typed = typed_of(&pairs);
    let (_, _, criteria) = st.store.assessment_set(id).await?;
    let mut errors = vec![];
    let appraisal = action == "appraise" || action == "publish";
    let scores = if appraisal {
        parse_scores(&criteria, &typed, "a_", "av_", &mut errors)
    } else {
        parse_scores(&criteria, &typed, "p_", "v_", &mut errors)
    };
    if !errors.is_empty() {
        return sheet_view(&st, &user, id, unit, Some(typed), errors, None).await;
    }
    if action == "publish" && !confirmed(&pairs) {
        return confirm_publish(&st, &user, id, unit, &scores, &pairs).await;
    }
    let result = if appraisal {
        let notes = typed
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("n_").map(|c| (c.to_string(), v.clone())))
            .collect();
        st.store
            .save_appraisal(
                &user.scope,
                id,
                unit,
                scores,
                notes,
                action == "publish",
                today(),
            )
            .await
    } else {
        st.store
            .save_self_assessment(
                &user.scope,
                id,
                unit,
                scores,
                files,
                action == "submit",
                today(),
            )
            .await
    };
    let prefix = if appraisal { "a_" } else { "p_" };
    match result {
        Ok(out) if out.target.is_some() => see_other(&format!(
            "/emulation/{id}/units/{unit}?notice={}",
            match action.as_str() {
                "submit" => "submitted",
                "appraise" => "appraised",
                "publish" => "published",
                _ => "draft",
            }
        )),
        Ok(out) => {
            let errs = issue_errors(&out.issues, prefix);
            sheet_view(&st, &user, id, unit, Some(typed), errs, None).await
        }
        Err(e) => {
            let errs = field_errors(e.into())?;
            sheet_view(&st, &user, id, unit, Some(typed), errs, None).await
        }
    }
}

/// Publishing locks the result and shows it to the unit's members and in the ranking:
/// the page restates the appraised total and class, and the difference from the unit's
/// own score, before it is done.
async fn confirm_publish(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    unit: i64,
    scores: &congdoan_domain::emulation::Scores,
    pairs: &[(String, String)],
) -> PageResult {
    let tr = user.tr();
    let sh = st.store.assessment_sheet(&user.scope, id, unit).await?;
    let out = match congdoan_domain::emulation::score(&sh.criteria, scores) {
        Ok(out) => out,
        Err(issues) => {
            let errs = issue_errors(&issues, "a_");
            return sheet_view(st, user, id, unit, Some(typed_of(pairs)), errs, None).await;
        }
    };
    let name = &sh.target.unit_name;
    // As on the sheet: the unit's own total minus the appraisal.
    let delta = sh.own_outcome.total.0 - out.total.0;
    let mut impacts = vec![
        Impact::line(format!(
            "{}: {} {} — {}",
            tr.s("Điểm thẩm định", "Appraised points"),
            pts(out.total.0),
            tr.s("điểm", "points"),
            out.class_name
        )),
        Impact::line(format!(
            "{}: {} ({}: {})",
            tr.s("Đơn vị tự chấm", "The unit's own score"),
            pts(sh.own_outcome.total.0),
            tr.s(
                "chênh lệch so với thẩm định",
                "difference from the appraisal"
            ),
            if delta > 0 {
                format!("+{}", pts(delta))
            } else {
                pts(delta)
            }
        )),
    ];
    for v in &out.vetoed_by {
        impacts.push(Impact::line(format!(
            "{}: {}",
            tr.s("Bị hạ loại vì", "Lowered to the last class by"),
            v.text_vi()
        )));
    }
    impacts.push(Impact::line(tr.s(
        "Kết quả được công bố cho đoàn viên của đơn vị và vào bảng xếp hạng.",
        "The result is shown to the unit's members and enters the ranking.",
    )));
    ConfirmPage {
        chrome: Chrome::new(
            user,
            tr.s("Xác nhận công bố kết quả", "Confirm publishing the result"),
        ),
        lead: format!(
            "{} {name}.",
            tr.s(
                "Công bố kết quả thẩm định thi đua của",
                "Publish the emulation appraisal of"
            )
        ),
        impacts,
        irreversible: vec![
            tr.s(
                "Sau khi công bố, kết quả bị khoá: chỉ thay đổi được bằng thẩm định lại, có ghi lý do.",
                "Once published the result is locked: it changes only through a recorded re-appraisal.",
            )
            .to_string(),
        ],
        action: format!("/emulation/{id}/units/{unit}"),
        hidden: hidden(pairs),
        button: tr.s("Công bố", "Publish").to_string(),
        back: format!("/emulation/{id}/units/{unit}"),
    }
    .render()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReopenForm {
    reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfirmedQuery {
    c: Option<String>,
}

/// Re-appraisal: a page restating that the published result is withdrawn until the
/// new appraisal, the reason required and recorded.
async fn reopen(
    State(st): State<AppState>,
    Path((id, unit)): Path<(i64, i64)>,
    Query(cq): Query<ConfirmedQuery>,
    CsrfForm(user, f): CsrfForm<ReopenForm>,
) -> PageResult {
    let tr = user.tr();
    let confirmed = cq.c.as_deref() == Some("1");
    let sh = st.store.assessment_sheet(&user.scope, id, unit).await?;
    let mut errors = vec![];
    if confirmed {
        match st
            .store
            .reopen_assessment(&user.scope, id, unit, f.reason.clone(), today())
            .await
        {
            Ok(_) => return see_other(&format!("/emulation/{id}/units/{unit}?notice=reopen")),
            // The mechanism calls the reason its `note`; on this page it is `reason`.
            Err(congdoan_store::StoreError::Rule {
                code,
                field: "note",
                message_vi,
                message_en,
            }) => errors = vec![FieldError::new("reason", code, &message_vi, &message_en)],
            Err(e) => errors = field_errors(e.into())?,
        }
    }
    let total = sh
        .appraised_outcome
        .as_ref()
        .map(|o| format!("{} {} ({})", o.total, tr.s("điểm", "points"), o.class_name))
        .unwrap_or_default();
    ConfirmForm {
        chrome: Chrome::new(&user, tr.s("Thẩm định lại", "Re-appraise")),
        errors,
        intro: format!(
            "{} {}: {}. {}",
            tr.s("Mở lại kết quả đã công bố của", "Reopen the published result of"),
            sh.target.unit_name,
            total,
            tr.s(
                "Kết quả rời bảng xếp hạng cho đến khi thẩm định lại và công bố; lý do được ghi nhật ký.",
                "The result leaves the ranking until it is appraised and published again; the reason is logged."
            )
        ),
        items: vec![],
        action: format!("/emulation/{id}/units/{unit}/reopen?c=1"),
        button: tr.s("Mở lại", "Reopen").into(),
        cancel: format!("/emulation/{id}/units/{unit}"),
        inputs: vec![ConfirmInput::new("reason", tr, "", &f.reason, &[])],
    }
    .respond()
}

#[derive(Template)]
#[template(path = "ranking.html")]
struct RankingPage {
    chrome: Chrome,
    r: congdoan_store::Request,
    rk: Ranking,
    notice: Option<&'static str>,
    within: Option<Unit>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RankingQuery {
    within: Option<i64>,
    /// Target class code and share in percent.
    class: Option<String>,
    share: Option<u32>,
    notice: Option<String>,
}

impl RankingPage {
    fn p(&self, tenths: &i64) -> String {
        pts(*tenths)
    }
    fn pct(&self, permille: &u32) -> String {
        format!("{}%", permille / 10)
    }
    fn state(&self, code: &str) -> &'static str {
        TargetState::parse(code).map(|s| s.name_vi()).unwrap_or("")
    }
}

async fn ranking_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<RankingQuery>,
) -> PageResult {
    let tr = user.tr();
    let r = st.store.request(&user.scope, id).await?.request;
    let target = q.class.map(|class| ClassTarget {
        class,
        share_permille: q.share.unwrap_or(80).min(100) * 10,
    });
    let rk = st
        .store
        .assessment_ranking(&user.scope, id, q.within, target)
        .await?;
    let within = match q.within {
        Some(u) => Some(st.store.unit(&user.scope, u).await?),
        None => None,
    };
    let notice = (q.notice.as_deref() == Some("sent")).then(|| {
        tr.s(
            "Đã gửi yêu cầu tự chấm điểm tới các đơn vị.",
            "The self-assessment request was sent.",
        )
    });
    render(RankingPage {
        chrome: Chrome::new(&user, &r.title),
        r,
        rk,
        notice,
        within,
    })
}

/// A figure that links to the list it counts, with its share of the row for the bar.
struct Cell {
    n: String,
    href: String,
    pct: u64,
    /// Class index (bar colour).
    k: usize,
}

fn fmt(n: u64) -> String {
    congdoan_domain::money::format_int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Figures of one row: each count a link built by `href(class code)`, its share of `total`.
fn cells(classes: &[(String, String)], counts: &[u64], href: impl Fn(&str) -> String) -> Vec<Cell> {
    let total: u64 = counts.iter().sum();
    classes
        .iter()
        .zip(counts)
        .enumerate()
        .map(|(k, ((code, _), n))| Cell {
            n: fmt(*n),
            href: href(code),
            pct: (n * 100).checked_div(total).unwrap_or(0),
            k: k.min(5),
        })
        .collect()
}

/// A class or level code as a query value: codes are ASCII words, anything else dropped.
fn code_param(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

/// Query of the subtree ranking and the distribution.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct WideParams {
    unit: Option<i64>,
    year: Option<i32>,
    set: Option<i64>,
    level: Option<String>,
    cluster: Option<i64>,
    /// Only this class.
    cls: Option<String>,
    /// Target class and share in percent.
    tclass: Option<String>,
    share: Option<u32>,
    page: Option<usize>,
}

impl WideParams {
    /// The page's address with some parameters replaced (None drops one).
    fn link(&self, path: &str, unit: i64, cluster: Option<i64>, cls: Option<&str>) -> String {
        let mut q = vec![format!("unit={unit}")];
        if let Some(y) = self.year {
            q.push(format!("year={y}"));
        }
        if let Some(s) = self.set {
            q.push(format!("set={s}"));
        }
        if let Some(l) = self.level.as_deref().filter(|l| !l.is_empty()) {
            q.push(format!("level={}", code_param(l)));
        }
        if let Some(c) = cluster {
            q.push(format!("cluster={c}"));
        }
        if let Some(c) = cls {
            q.push(format!("cls={}", code_param(c)));
        }
        format!("{path}?{}", q.join("&"))
    }
}

/// Filter inputs shared by both pages.
struct WideFilter {
    unit: Unit,
    years: Vec<i64>,
    year: i32,
    sets: Vec<CriteriaSetRow>,
    set: Option<i64>,
    level: String,
}

impl WideFilter {
    fn is_set(&self, id: &i64) -> bool {
        self.set == Some(*id)
    }
}

async fn wide_filter(
    st: &AppState,
    user: &CurrentUser,
    p: &mut WideParams,
) -> Result<WideFilter, AppError> {
    let Some(unit) = home_unit(st, user, p.unit).await? else {
        return Err(AppError::NotFound);
    };
    let years = st.store.assessment_years(&user.scope, unit.unit_id).await?;
    let (year, level) = ranking_defaults(&unit, &years, p.year, p.level.clone());
    p.year = Some(year);
    p.unit = Some(unit.unit_id);
    let sets = st.store.criteria_sets(&user.scope, unit.unit_id).await?;
    p.level = Some(level.clone());
    Ok(WideFilter {
        unit,
        years,
        year,
        sets,
        set: p.set,
        level,
    })
}

/// A ranking's year and level when not asked (page and API): the subtree's latest year
/// with results, else this year; the tổ and bộ phận under a CĐCS, else the CĐCS.
pub(crate) fn ranking_defaults(
    unit: &Unit,
    years: &[i64],
    year: Option<i32>,
    level: Option<String>,
) -> (i32, String) {
    let year = year
        .or_else(|| years.first().map(|y| *y as i32))
        .unwrap_or_else(|| today().year());
    let level = level.unwrap_or_else(|| {
        if congdoan_store::CDCS_TYPES.contains(&unit.type_code.as_str()) {
            "to".into()
        } else {
            "cdcs".into()
        }
    });
    (year, level)
}

/// One ranked row as shown.
struct ShownRow {
    rank: u32,
    href: String,
    name: String,
    total: String,
    class_name: String,
    prev: String,
    total_trend: congdoan_store::Trend,
    class_trend: congdoan_store::Trend,
}

struct ClusterShown {
    name: String,
    href: String,
    now: Vec<Cell>,
    total_now: String,
    prev: Vec<String>,
    total_prev: String,
}

#[derive(Template)]
#[template(path = "emulation_rankings.html")]
struct WidePage {
    chrome: Chrome,
    f: WideFilter,
    w: congdoan_store::WideRanking,
    clusters: Vec<(i64, String)>,
    cluster: Option<i64>,
    cls: Option<String>,
    cls_name: Option<String>,
    overall: Vec<Cell>,
    prev_overall: Vec<String>,
    by_cluster: Vec<ClusterShown>,
    rows: Vec<ShownRow>,
    count: String,
    pages: Vec<(usize, String)>,
    page: usize,
    all_href: String,
    dist_href: String,
    share_pct: u32,
    target_pct: u32,
}

impl WidePage {
    fn is_cluster(&self, id: &i64) -> bool {
        self.cluster == Some(*id)
    }
}

/// Province-wide (any subtree) ranking of published results: filters, target, class
/// chart this year vs last, per cluster, and the ranked list with last year's arrows.
async fn rankings_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(mut p): Query<WideParams>,
) -> PageResult {
    let tr = user.tr();
    let f = wide_filter(&st, &user, &mut p).await?;
    let w = st
        .store
        .wide_ranking(
            &user.scope,
            &congdoan_store::WideQuery {
                root: f.unit.unit_id,
                year: f.year,
                set_id: p.set,
                level: Some(f.level.clone()),
                cluster_id: p.cluster,
                class: p.cls.clone().filter(|c| !c.is_empty()),
                target_class: p.tclass.clone().filter(|c| !c.is_empty()),
                target_permille: p.share.map(|s| s.min(100) * 10),
            },
        )
        .await?;
    let root = f.unit.unit_id;
    let path = "/emulation/rankings";
    let overall = cells(&w.classes, &w.counts, |c| {
        p.link(path, root, p.cluster, Some(c))
    });
    let prev_overall = w.prev_counts.iter().map(|n| fmt(*n)).collect();
    let by_cluster = w
        .clusters
        .iter()
        .map(|c| ClusterShown {
            name: c.name.clone(),
            href: p.link(path, root, Some(c.cluster_id), None),
            now: cells(&w.classes, &c.now, |k| {
                p.link(path, root, Some(c.cluster_id), Some(k))
            }),
            total_now: fmt(c.total_now),
            prev: c.prev.iter().map(|n| fmt(*n)).collect(),
            total_prev: fmt(c.total_prev),
        })
        .collect();
    let page = p.page.unwrap_or(1).max(1);
    let per = congdoan_store::WIDE_PAGE;
    let n_pages = w.rows.len().div_ceil(per).max(1);
    let page = page.min(n_pages);
    let rows = w
        .rows
        .iter()
        .skip((page - 1) * per)
        .take(per)
        .map(|r| ShownRow {
            rank: r.rank,
            href: format!("/emulation/{}/units/{}", r.request_id, r.unit_id),
            name: r.name.clone(),
            total: pts(r.total),
            class_name: r.class_name.clone(),
            prev: match (&r.prev_total, &r.prev_class_name) {
                (Some(t), Some(c)) => format!("{} · {c}", pts(*t)),
                _ => tr.s("chưa có", "none").to_string(),
            },
            total_trend: r.total_trend,
            class_trend: r.class_trend,
        })
        .collect();
    let base = p.link(path, root, p.cluster, p.cls.as_deref());
    let pages = if n_pages > 1 {
        (1..=n_pages)
            .map(|i| (i, format!("{base}&page={i}")))
            .collect()
    } else {
        vec![]
    };
    let clusters = st
        .store
        .clusters(&user.scope, root, Some(i64::from(f.year)))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.cluster_id, c.name))
        .collect();
    let cls_name = p.cls.as_ref().and_then(|c| {
        w.classes
            .iter()
            .find(|(k, _)| k == c)
            .map(|(_, n)| n.clone())
    });
    let title = format!(
        "{} — {}",
        tr.s("Xếp hạng thi đua", "Emulation ranking"),
        f.unit.name
    );
    render(WidePage {
        chrome: Chrome::new(&user, &title),
        count: fmt(w.rows.len() as u64),
        all_href: p.link(path, root, p.cluster, None),
        dist_href: p.link("/emulation/distribution", root, None, None),
        share_pct: w.share_permille / 10,
        target_pct: w.target_permille / 10,
        f,
        overall,
        prev_overall,
        by_cluster,
        rows,
        pages,
        page,
        clusters,
        cluster: p.cluster,
        cls: p.cls.clone(),
        cls_name,
        w,
    })
}

struct DistShown {
    name: String,
    href: String,
    cells: Vec<Cell>,
    total: String,
}

#[derive(Template)]
#[template(path = "emulation_distribution.html")]
struct DistPage {
    chrome: Chrome,
    f: WideFilter,
    classes: Vec<(String, String)>,
    rows: Vec<DistShown>,
    totals: Vec<Cell>,
    total: String,
    total_href: String,
    ranking_href: String,
    capped: bool,
}

/// Class counts per child unit (per province from the national root), each figure a
/// link to the ranking of that unit filtered to that class.
async fn distribution_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(mut p): Query<WideParams>,
) -> PageResult {
    let tr = user.tr();
    let f = wide_filter(&st, &user, &mut p).await?;
    let d = st
        .store
        .class_distribution(
            &user.scope,
            f.unit.unit_id,
            f.year,
            p.set,
            Some(f.level.as_str()),
        )
        .await?;
    let path = "/emulation/rankings";
    let rows = d
        .rows
        .iter()
        .filter(|r| r.total > 0)
        .map(|r| DistShown {
            name: r.name.clone(),
            href: p.link(path, r.unit_id, None, None),
            cells: cells(&d.classes, &r.counts, |c| {
                p.link(path, r.unit_id, None, Some(c))
            }),
            total: fmt(r.total),
        })
        .collect();
    let root = f.unit.unit_id;
    let title = format!(
        "{} — {}",
        tr.s("Phân bố xếp loại", "Class distribution"),
        f.unit.name
    );
    render(DistPage {
        chrome: Chrome::new(&user, &title),
        totals: cells(&d.classes, &d.totals, |c| p.link(path, root, None, Some(c))),
        total: fmt(d.total),
        total_href: p.link(path, root, None, None),
        ranking_href: p.link(path, root, None, None),
        classes: d.classes,
        rows,
        capped: d.capped,
        f,
    })
}
