//! Report pages: the board of a report request at a level (counters, whom to chase,
//! the live roll-up with drill-down), a unit's report to fill on a phone (prefilled from
//! the register, checked as typed, draft or submit), its review (return with a reason,
//! approve, reopen — confirmed first), xlsx exports and a field's time series.

use super::forms::{ascii_name, xlsx_response};
use super::pick::{self, Pairs};
use super::{Chrome, ConfirmForm, ConfirmInput, PageResult, field_errors, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use congdoan_domain::form::{Cell, Change, FieldKind, Form, Value, Values};
use congdoan_domain::request::{self as rq, Action, RequestKind, TargetState};
use congdoan_store::{Board, Chase, ChaseRow, Request, StepInput, Target};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/owed", get(super::owed::owed_page))
        .route("/reports/{id}", get(board_page))
        .route("/reports/{id}/rollup.xlsx", get(rollup_xlsx))
        .route("/reports/{id}/series", get(series_page))
        .route(
            "/reports/{id}/units/{unit}",
            get(fill_page).post(save_report),
        )
        .route("/reports/{id}/units/{unit}/check", post(check_field))
        .route("/reports/{id}/units/{unit}/export.xlsx", get(unit_xlsx))
        .route("/reports/{id}/units/{unit}/{step}", post(review))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BoardQuery {
    level: Option<i64>,
    /// A field whose value per unit below is shown (roll-up drill-down).
    field: Option<String>,
    notice: Option<String>,
}

/// One unit's value of the drilled-down field.
struct DrillRow {
    unit_id: i64,
    name: String,
    text: String,
    below: bool,
}

#[derive(Template)]
#[template(path = "report.html")]
struct BoardPage {
    chrome: Chrome,
    r: Request,
    board: Board,
    cells: Vec<Cell>,
    chase: Vec<(&'static str, Vec<ChaseRow>)>,
    notice: Option<&'static str>,
    field: Option<(String, String)>,
    drill: Vec<DrillRow>,
    /// A report from above that this level owes for the same form and period.
    own_report: Option<i64>,
    numeric: BTreeSet<String>,
}

async fn board_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    let tr = user.tr();
    let detail = st.store.request(&user.scope, id).await?;
    let r = detail.request;
    if r.kind() != RequestKind::Report {
        return Err(AppError::NotFound);
    }
    let form = st.store.report_request_form(&r).await?;
    let board = st.store.request_board(&user.scope, id, q.level).await?;
    let level = board.level.unit_id;
    let roll = st.store.report_rollup(&user.scope, id, Some(level)).await?;
    let mut chase = vec![];
    for (c, label) in [
        (Chase::Late, tr.s("Quá hạn chưa nộp", "Late")),
        (Chase::Missing, tr.s("Chưa nộp", "Not yet received")),
        (Chase::Returned, tr.s("Bị trả lại", "Returned")),
        (Chase::Submitted, tr.s("Chờ duyệt", "Waiting for review")),
    ] {
        let rows = st
            .store
            .request_chase(&user.scope, id, Some(level), c, today())
            .await?;
        chase.push((label, rows));
    }
    let notice = q.notice.as_deref().and_then(|n| match n {
        "sent" => Some(tr.s(
            "Đã gửi yêu cầu báo cáo tới các đơn vị.",
            "The report request was sent.",
        )),
        _ => None,
    });
    let field = q
        .field
        .as_deref()
        .and_then(|k| form.label(k).map(|l| (k.to_string(), l.to_string())));
    let mut drill = vec![];
    if let Some((k, _)) = &field {
        for row in board.rows.iter().take(200) {
            let cell = st
                .store
                .report_rollup(&user.scope, id, Some(row.unit_id))
                .await?
                .cells
                .into_iter()
                .find(|c| &c.key == k);
            drill.push(DrillRow {
                unit_id: row.unit_id,
                name: row.name.clone(),
                text: cell.map(|c| c.text).unwrap_or_default(),
                below: row.has_below,
            });
        }
    }
    let own_report = st
        .store
        .requests_owed(&user.scope, level, Some(RequestKind::Report), true, 50)
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|o| {
            o.request.request_id != id
                && o.request.form_id == r.form_id
                && o.request.period == r.period
        })
        .map(|o| o.request.request_id);
    let numeric = form
        .fields()
        .filter(|f| f.field.kind.is_numeric())
        .map(|f| f.key.to_string())
        .collect();
    render(BoardPage {
        chrome: Chrome::new(&user, &r.title),
        r,
        board,
        cells: roll.cells,
        chase,
        notice,
        field,
        drill,
        own_report,
        numeric,
    })
}

/// A roll-up or a submission as xlsx: one row per field (section, field, value).
fn cells_xlsx(
    tr: crate::Tr,
    title: &[&str],
    rows: Vec<(String, String, String)>,
) -> Result<Vec<u8>, AppError> {
    let tmp = std::env::temp_dir().join(format!(
        "congdoan-report-{}-{}.xlsx",
        std::process::id(),
        crate::auth::new_token()
    ));
    let lang = tr.lang;
    let mut w = congdoan_sheet::XlsxExport::create(
        &tmp,
        tr.s("Báo cáo", "Report"),
        &[
            tr.s("Phần", "Section"),
            tr.s("Chỉ tiêu", "Field"),
            tr.s("Số liệu", "Value"),
        ],
    )
    .map_err(|e| AppError::BadRequest(e.message(lang)))?
    .with_title(title);
    for (s, l, v) in rows {
        use congdoan_sheet::Cell as C;
        // Plain numbers stay numbers in the sheet; other values as shown.
        let plain = v.replace('.', "");
        let value = match plain.parse::<i64>() {
            Ok(n) if !v.is_empty() && !v.contains(',') => C::Number(n as f64),
            _ => C::Text(v),
        };
        w.write_row(&[C::Text(s), C::Text(l), value])
            .map_err(|e| AppError::BadRequest(e.message(lang)))?;
    }
    w.finish()
        .map_err(|e| AppError::BadRequest(e.message(lang)))?;
    let bytes = std::fs::read(&tmp).map_err(|e| AppError::Internal(e.to_string()))?;
    let _ = std::fs::remove_file(&tmp);
    Ok(bytes)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LevelQuery {
    level: Option<i64>,
    field: Option<String>,
}

async fn rollup_xlsx(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<LevelQuery>,
) -> PageResult {
    let tr = user.tr();
    let r = st.store.request(&user.scope, id).await?.request;
    let level = q.level.unwrap_or(r.issuer_unit_id);
    let unit = st.store.unit(&user.scope, level).await?;
    let roll = st.store.report_rollup(&user.scope, id, Some(level)).await?;
    let sub = format!(
        "{} — {} {}/{} ({})",
        unit.name,
        tr.s("đã nhận", "received"),
        roll.rates.received,
        roll.rates.expected,
        roll.rates.completeness()
    );
    let rows = roll
        .cells
        .into_iter()
        .map(|c| (c.section, c.label, c.text))
        .collect();
    let bytes = tokio::task::block_in_place(|| cells_xlsx(tr, &[&r.title, &sub], rows))?;
    Ok(xlsx_response(
        &format!("tong-hop-{id}-{}.xlsx", ascii_name(&unit.code)),
        bytes,
    ))
}

/// One field of the fill page (template partial `report_field.html`).
pub(super) struct FillField {
    pub(super) key: String,
    pub(super) label: String,
    /// The section's title when this field opens one.
    pub(super) section: Option<String>,
    pub(super) value: String,
    pub(super) hint: Option<String>,
    pub(super) required: bool,
    pub(super) computed: bool,
    pub(super) numeric: bool,
    pub(super) long_text: bool,
    pub(super) yes_no: bool,
    pub(super) choices: Vec<(String, String)>,
    pub(super) prefilled: bool,
    pub(super) error: Option<String>,
}

#[derive(Template)]
#[template(path = "report_fill.html")]
struct FillPage {
    chrome: Chrome,
    r: Request,
    t: Target,
    state_name: &'static str,
    fields: Vec<FillField>,
    errors: Vec<FieldError>,
    editable: bool,
    /// The reason of the last return, shown on top.
    returned: Option<String>,
    changes: Vec<Change>,
    can_return: bool,
    can_approve: bool,
    can_reopen: bool,
    notice: Option<&'static str>,
    /// Prefilled from the roll-up of this request (the level's own report).
    from: Option<i64>,
    /// The htmx endpoint checking one field as it is typed (`report_field.html`).
    check_url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FillQuery {
    notice: Option<String>,
    /// A request whose roll-up at this unit pre-fills the form.
    from: Option<i64>,
}

async fn fill_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
    Query(q): Query<FillQuery>,
) -> PageResult {
    let tr = user.tr();
    let notice = q.notice.as_deref().and_then(|n| match n {
        "draft" => Some(tr.s("Đã lưu nháp.", "Draft saved.")),
        "submitted" => Some(tr.s("Đã gửi báo cáo.", "The report was submitted.")),
        "return" => Some(tr.s("Đã trả lại báo cáo để sửa.", "The report was returned.")),
        "approve" => Some(tr.s("Đã duyệt báo cáo.", "The report was approved.")),
        "reopen" => Some(tr.s("Đã mở lại báo cáo.", "The report was reopened.")),
        _ => None,
    });
    fill_view(&st, &user, id, unit, None, vec![], notice, q.from).await
}

/// What was typed, from a form's posted pairs (the form's keys only).
fn raw_of_pairs(form: &Form, pairs: &Pairs) -> BTreeMap<String, String> {
    pairs
        .iter()
        .filter(|(k, _)| form.label(k).is_some())
        .cloned()
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn fill_view(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    unit: i64,
    typed: Option<BTreeMap<String, String>>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    from: Option<i64>,
) -> PageResult {
    let r = st.store.request(&user.scope, id).await?.request;
    let t = st.store.request_target(&user.scope, id, unit).await?;
    let form = st.store.report_request_form(&r).await?;
    let state = t.state();
    let editable = user.scope.can_write(&t.unit_path)
        && rq::next_state(RequestKind::Report, state, Action::SaveDraft).is_ok();
    let prefill = if t.response_values.is_none() && editable {
        st.store
            .report_prefill(&user.scope, id, unit)
            .await
            .unwrap_or_default()
    } else {
        BTreeMap::new()
    };
    let mut raw = match typed {
        Some(raw) => raw,
        None if t.response_values.is_some() => {
            let (values, mut raw) =
                congdoan_store::stored_values(&form, t.response_values.as_deref());
            // Computed fields show their stored result (the raw text holds inputs only).
            for f in form.fields().filter(|f| f.computed) {
                if let Some(v) = values.get(f.key) {
                    raw.insert(f.key.to_string(), form.display(f.key, v));
                }
            }
            raw
        }
        None => prefill.clone(),
    };
    // The level's own report restates the roll-up of the report it sent below.
    if let Some(src) = from
        && t.response_values.is_none()
        && let Ok(roll) = st.store.report_rollup(&user.scope, src, Some(unit)).await
    {
        let values: Values = roll
            .cells
            .into_iter()
            .filter_map(|c| c.value.map(|v| (c.key, v)))
            .collect();
        for (k, v) in form.raw_of(&values) {
            raw.insert(k, v);
        }
    }
    let events = st.store.request_events(&user.scope, id, unit).await?;
    let returned = (state == TargetState::Returned)
        .then(|| {
            events
                .iter()
                .rev()
                .find(|e| e.action == "return" || e.action == "reopen")
                .and_then(|e| e.note.clone())
        })
        .flatten();
    let reviewer = t.via_unit_id.unwrap_or(r.issuer_unit_id);
    let reviews = match st.store.unit(&user.scope, reviewer).await {
        Ok(u) => user.scope.can_write(&u.path),
        Err(_) => false,
    };
    let can = |a| reviews && rq::next_state(RequestKind::Report, state, a).is_ok();
    let changes = if reviews {
        st.store
            .report_changes(&user.scope, id, unit)
            .await
            .unwrap_or_default()
    } else {
        vec![]
    };
    let fields = fill_fields(&form, &raw, &prefill, &errors, user.lang);
    let invalid = !errors.is_empty();
    let page = render(FillPage {
        chrome: Chrome::new(user, &format!("{} — {}", r.title, t.unit_name)),
        state_name: state.name_vi(),
        can_return: can(Action::Return),
        can_approve: can(Action::Approve),
        can_reopen: can(Action::Reopen),
        r,
        t,
        fields,
        errors,
        editable,
        returned,
        changes,
        notice,
        from,
        check_url: format!("/reports/{id}/units/{unit}/check"),
    })?;
    Ok(pick::unprocessable(page, invalid))
}

/// The fields of a form as a filler sees them (the fill page, and the form builder's
/// preview): `raw` is what shows in each input, `prefill` marks register figures.
pub(super) fn fill_fields(
    form: &Form,
    raw: &BTreeMap<String, String>,
    prefill: &BTreeMap<String, String>,
    errors: &[FieldError],
    lang: congdoan_domain::Lang,
) -> Vec<FillField> {
    let mut last_section = String::new();
    form.fields()
        .map(|f| {
            let section = (f.section != last_section).then(|| {
                last_section = f.section.to_string();
                f.section.to_string()
            });
            let error = errors
                .iter()
                .find(|e| e.field == f.key)
                .map(|e| e.text(lang).to_string());
            FillField {
                key: f.key.to_string(),
                label: f.label.to_string(),
                section,
                value: raw.get(f.key).cloned().unwrap_or_default(),
                hint: f.field.hint.clone(),
                required: f.field.required,
                computed: f.computed,
                numeric: f.field.kind.is_numeric(),
                long_text: matches!(f.field.kind, FieldKind::Text { max_len } if max_len > 200),
                yes_no: matches!(f.field.kind, FieldKind::YesNo),
                choices: match &f.field.kind {
                    FieldKind::Choice { options } => options.clone(),
                    _ => vec![],
                },
                prefilled: prefill.contains_key(f.key),
                error,
            }
        })
        .collect()
}

/// Store issues as the page's field errors, labelled with the form's own labels.
fn issue_errors(form: &Form, issues: &[congdoan_domain::form::FieldIssue]) -> Vec<FieldError> {
    issues
        .iter()
        .map(|i| {
            let label = form.label(&i.field).unwrap_or(&i.field);
            // Messages that already open with the field's label keep it once.
            let with = |m: &str| {
                if m.starts_with(label) {
                    m.to_string()
                } else {
                    format!("{label}: {m}")
                }
            };
            FieldError {
                field: i.field.clone(),
                code: i.code.to_string(),
                message: with(&i.vi),
                message_en: with(&i.en),
            }
        })
        .collect()
}

async fn save_report(
    State(st): State<AppState>,
    Path((id, unit)): Path<(i64, i64)>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let r = st.store.request(&user.scope, id).await?.request;
    let form = st.store.report_request_form(&r).await?;
    let submit = pairs.iter().any(|(k, v)| k == "action" && v == "submit");
    let raw = raw_of_pairs(&form, &pairs);
    match st
        .store
        .save_report(&user.scope, id, unit, raw.clone(), submit, today())
        .await
    {
        Ok(out) if out.target.is_some() => see_other(&format!(
            "/reports/{id}/units/{unit}?notice={}",
            if submit { "submitted" } else { "draft" }
        )),
        Ok(out) => {
            let errs = issue_errors(&form, &out.issues);
            fill_view(&st, &user, id, unit, Some(raw), errs, None, None).await
        }
        Err(e) => {
            let errs = field_errors(e.into())?;
            fill_view(&st, &user, id, unit, Some(raw), errs, None, None).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckQuery {
    field: String,
}

/// htmx: one field's message as it is typed (empty when it is fine).
async fn check_field(
    State(st): State<AppState>,
    Path((id, _unit)): Path<(i64, i64)>,
    Query(q): Query<CheckQuery>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let r = st.store.request(&user.scope, id).await?.request;
    let form = st.store.report_request_form(&r).await?;
    let raw = raw_of_pairs(&form, &pairs);
    let issues = st
        .store
        .check_report_field(&user.scope, id, &q.field, &raw)
        .await?;
    let key = askama::filters::escape(&q.field, askama::filters::Html)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let msg = issues
        .iter()
        .map(|i| i.message(user.lang).to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let msg = askama::filters::escape(&msg, askama::filters::Html)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let class = if msg.is_empty() { "" } else { " field-error" };
    Ok(Html(format!(
        "<div id=\"err-{key}\" class=\"check{class}\" aria-live=\"polite\">{msg}</div>"
    ))
    .into_response())
}

async fn unit_xlsx(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
) -> PageResult {
    let tr = user.tr();
    let r = st.store.request(&user.scope, id).await?.request;
    let t = st.store.request_target(&user.scope, id, unit).await?;
    let form = st.store.report_request_form(&r).await?;
    let (values, _) = congdoan_store::stored_values(&form, t.response_values.as_deref());
    let rows = form
        .fields()
        .map(|f| {
            let text = values
                .get(f.key)
                .map(|v: &Value| form.display(f.key, v))
                .unwrap_or_default();
            (f.section.to_string(), f.label.to_string(), text)
        })
        .collect();
    let sub = format!("{} — {}", t.unit_name, t.state().name_vi());
    let bytes = tokio::task::block_in_place(|| cells_xlsx(tr, &[&r.title, &sub], rows))?;
    Ok(xlsx_response(
        &format!("bao-cao-{id}-{}.xlsx", ascii_name(&t.unit_code)),
        bytes,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReviewForm {
    reason: String,
}

/// `?c=1`: posted from the confirmation page.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfirmedQuery {
    c: Option<String>,
}

/// Return (reason required), approve, reopen (reason required): a page restating the
/// impact first, then the step, then the unit's report with the result.
async fn review(
    State(st): State<AppState>,
    Path((id, unit, step)): Path<(i64, i64, String)>,
    Query(cq): Query<ConfirmedQuery>,
    CsrfForm(user, f): CsrfForm<ReviewForm>,
) -> PageResult {
    let confirmed = cq.c.as_deref() == Some("1");
    let tr = user.tr();
    let action = match step.as_str() {
        "return" => Action::Return,
        "approve" => Action::Approve,
        "reopen" => Action::Reopen,
        _ => return Err(AppError::NotFound),
    };
    let r = st.store.request(&user.scope, id).await?.request;
    let t = st.store.request_target(&user.scope, id, unit).await?;
    let needs_reason = action != Action::Approve;
    let mut errors = vec![];
    if confirmed && needs_reason && f.reason.trim().is_empty() {
        errors.push(FieldError::new(
            "reason",
            "WE2002",
            "cần ghi lý do để đơn vị biết cần sửa gì.",
            "give a reason so the unit knows what to fix.",
        ));
    }
    if confirmed && errors.is_empty() {
        let input = StepInput {
            note: needs_reason.then(|| f.reason.trim().to_string()),
            ..StepInput::default()
        };
        match st
            .store
            .request_step(&user.scope, id, unit, action, input, today())
            .await
        {
            Ok(_) => {
                return see_other(&format!("/reports/{id}/units/{unit}?notice={step}"));
            }
            Err(e) => errors = field_errors(e.into())?,
        }
    }
    let (title, intro, button) = match action {
        Action::Return => (
            tr.s("Trả lại báo cáo", "Return the report"),
            format!(
                "{} «{}» {} {}. {}",
                tr.s("Trả lại báo cáo", "Return the report"),
                r.title,
                tr.s("cho", "to"),
                t.unit_name,
                tr.s(
                    "Đơn vị sẽ thấy lý do và phải gửi lại; số liệu đã gửi vẫn được tính vào tổng hợp cho đến khi đơn vị gửi bản sửa.",
                    "The unit sees the reason and must resubmit; the figures it sent stay in the roll-up until it sends the correction."
                )
            ),
            tr.s("Trả lại", "Return"),
        ),
        Action::Approve => (
            tr.s("Duyệt báo cáo", "Approve the report"),
            format!(
                "{} «{}» {} {}. {}",
                tr.s("Duyệt báo cáo", "Approve the report"),
                r.title,
                tr.s("của", "of"),
                t.unit_name,
                tr.s(
                    "Báo cáo đã duyệt bị khoá: đơn vị không sửa được nữa, trừ khi cấp trên mở lại.",
                    "An approved report is locked: the unit can no longer change it unless it is reopened."
                )
            ),
            tr.s("Duyệt", "Approve"),
        ),
        _ => (
            tr.s("Mở lại báo cáo", "Reopen the report"),
            format!(
                "{} «{}» {} {}. {}",
                tr.s("Mở lại báo cáo đã duyệt", "Reopen the approved report"),
                r.title,
                tr.s("của", "of"),
                t.unit_name,
                tr.s(
                    "Đơn vị sẽ sửa và gửi lại; việc mở lại được ghi nhật ký.",
                    "The unit will correct and resubmit; the reopening is logged."
                )
            ),
            tr.s("Mở lại", "Reopen"),
        ),
    };
    let mut inputs = vec![];
    if needs_reason {
        inputs.push(ConfirmInput::new("reason", tr, "", &f.reason, &errors));
    }
    ConfirmForm {
        chrome: Chrome::new(&user, title),
        errors,
        intro,
        items: vec![],
        action: format!("/reports/{id}/units/{unit}/{step}?c=1"),
        button: button.to_string(),
        cancel: format!("/reports/{id}/units/{unit}"),
        inputs,
    }
    .respond()
}

#[derive(Template)]
#[template(path = "report_series.html")]
struct SeriesPage {
    chrome: Chrome,
    r: Request,
    unit_name: String,
    label: String,
    points: Vec<(String, Option<i64>)>,
    svg: String,
}

/// A field's value at a level over the periods of this form's reports from the same issuer.
async fn series_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<LevelQuery>,
) -> PageResult {
    let r = st.store.request(&user.scope, id).await?.request;
    let form = st.store.report_request_form(&r).await?;
    let key = q.field.unwrap_or_default();
    let Some(label) = form.label(&key).map(str::to_string) else {
        return Err(AppError::NotFound);
    };
    let level = q.level.unwrap_or(r.issuer_unit_id);
    let unit = st.store.unit(&user.scope, level).await?;
    let Some(form_id) = r.form_id else {
        return Err(AppError::NotFound);
    };
    let series = st
        .store
        .report_series(&user.scope, form_id, r.issuer_unit_id, level, &key)
        .await?;
    let points: Vec<(String, Option<i64>)> = series
        .into_iter()
        .map(|(code, label, v)| (if code.is_empty() { label } else { code }, v))
        .collect();
    let svg = line_chart(&label, &points);
    render(SeriesPage {
        chrome: Chrome::new(&user, &label),
        r,
        unit_name: unit.name,
        label,
        points,
        svg,
    })
}

/// A small line chart as inline SVG (scales to the screen width; no script).
fn line_chart(title: &str, points: &[(String, Option<i64>)]) -> String {
    let esc = |s: &str| {
        askama::filters::escape(s, askama::filters::Html)
            .map(|s| s.to_string())
            .unwrap_or_default()
    };
    let (w, h, left, bottom, top) = (340.0_f64, 200.0_f64, 44.0_f64, 30.0_f64, 12.0_f64);
    let max = points.iter().filter_map(|p| p.1).max().unwrap_or(0).max(1) as f64;
    let n = points.len().max(1);
    let step = if n > 1 {
        (w - left - 8.0) / (n - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| left + step * i as f64;
    let y = |v: i64| top + (h - top - bottom) * (1.0 - v as f64 / max);
    let mut path = String::new();
    let mut dots = String::new();
    for (i, (_, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let cmd = if path.is_empty() { 'M' } else { 'L' };
            path.push_str(&format!("{cmd}{:.1},{:.1} ", x(i), y(*v)));
            dots.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}</title></circle>",
                x(i),
                y(*v),
                congdoan_domain::format_int(*v)
            ));
        }
    }
    let mut labels = String::new();
    let every = n.div_ceil(6).max(1);
    for (i, (p, _)) in points.iter().enumerate() {
        if i % every == 0 || i + 1 == n {
            labels.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
                x(i),
                h - 10.0,
                esc(p)
            ));
        }
    }
    format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{}\" class=\"chart\">\
         <line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#888\"/>\
         <line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"10\">{}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"10\">0</text>\
         <path d=\"{path}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>{dots}{labels}</svg>",
        esc(title),
        h - bottom,
        h - bottom,
        w - 4.0,
        h - bottom,
        left - 4.0,
        top + 8.0,
        congdoan_domain::format_int(max as i64),
        left - 4.0,
        h - bottom,
    )
}
