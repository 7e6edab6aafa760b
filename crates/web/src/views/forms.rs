//! Pages for report forms (mẫu báo cáo): a unit's forms and those of the levels above
//! it, a form defined by uploading its xlsx definition (every problem located, nothing
//! stored; a preview before creating), one form with its fields, a new version by
//! upload, the definition as xlsx, and sending a report for a period (confirmed first).

use super::confirm::{ConfirmPage, Impact, confirmed, hidden};
use super::imports::Upload;
use super::pick::{self, Pairs};
use super::{Chrome, PageResult, UnitParam, field_errors, optional_unit, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use congdoan_domain::date::format_vn_date;
use congdoan_domain::form::{Form, FormDef};
use congdoan_domain::request::{Period, PeriodType};
use congdoan_store::{NewReport, ReportForm, Unit};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forms", get(forms_page))
        .route("/forms/import", post(import_form))
        .route("/forms/create", post(create_form))
        .route("/forms/{id}", get(form_page))
        .route("/forms/{id}/version", post(new_version))
        .route("/forms/{id}/definition.xlsx", get(definition_xlsx))
        .route("/forms/{id}/send", post(send_report))
}

/// The unit a page is for: the one asked for, else the caller's only granted unit.
pub(super) async fn home_unit(
    st: &AppState,
    user: &CurrentUser,
    id: Option<i64>,
) -> Result<Option<Unit>, AppError> {
    if id.is_some() {
        return optional_unit(st, user, id).await;
    }
    let roots = user.scope.read_roots();
    match roots.as_slice() {
        [one] => Ok(Some(st.store.unit(&user.scope, *one).await?)),
        _ => Ok(None),
    }
}

/// One field of a form as listed (preview and form page).
pub(super) struct FieldLine {
    section: String,
    key: String,
    label: String,
    kind: &'static str,
    required: bool,
    computed: bool,
    prefill: Option<&'static str>,
}

fn field_lines(form: &Form) -> Vec<FieldLine> {
    form.fields()
        .map(|f| FieldLine {
            section: f.section.to_string(),
            key: f.key.to_string(),
            label: f.label.to_string(),
            kind: f.field.kind.name_vi(),
            required: f.field.required,
            computed: f.computed,
            prefill: f.field.prefill.map(|p| p.label_vi()),
        })
        .collect()
}

/// A problem of an uploaded definition, located.
struct SheetProblem {
    place: String,
    text: String,
}

#[derive(Template)]
#[template(path = "forms.html")]
struct FormsPage {
    chrome: Chrome,
    unit: Option<Unit>,
    can_write: bool,
    forms: Vec<ReportForm>,
    problems: Vec<SheetProblem>,
    errors: Vec<FieldError>,
    /// A checked definition waiting for "Tạo mẫu".
    preview: Option<Preview>,
}

struct Preview {
    title: String,
    code: String,
    period: &'static str,
    due_days: u16,
    filled_by: String,
    fields: Vec<FieldLine>,
    json: String,
}

fn preview(form: &Form) -> Preview {
    let d = form.def();
    Preview {
        title: d.title.clone(),
        code: d.code.clone(),
        period: PeriodType::parse(&d.period)
            .unwrap_or(PeriodType::Adhoc)
            .name_vi(),
        due_days: d.due_days,
        filled_by: d.filled_by.join(", "),
        fields: field_lines(form),
        json: serde_json::to_string(d).unwrap_or_default(),
    }
}

async fn forms_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    forms_view(&st, &user, q.unit, vec![], vec![], None).await
}

async fn forms_view(
    st: &AppState,
    user: &CurrentUser,
    unit: Option<i64>,
    problems: Vec<SheetProblem>,
    errors: Vec<FieldError>,
    preview: Option<Preview>,
) -> PageResult {
    let tr = user.tr();
    let unit = home_unit(st, user, unit).await?;
    let forms = match &unit {
        Some(u) => st.store.report_forms(&user.scope, u.unit_id).await?,
        None => vec![],
    };
    let invalid = !problems.is_empty() || !errors.is_empty();
    let page = render(FormsPage {
        chrome: Chrome::new(user, tr.s("Mẫu báo cáo", "Report forms")),
        can_write: unit.as_ref().is_some_and(|u| user.scope.can_write(&u.path)),
        unit,
        forms,
        problems,
        errors,
        preview,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

/// Reads an uploaded definition: the checked form, or every problem located.
fn read_definition(bytes: &[u8], lang: congdoan_domain::Lang) -> Result<Form, Vec<SheetProblem>> {
    let issues =
        match congdoan_sheet::form::read_form_definition(bytes, &congdoan_sheet::Limits::default())
        {
            Ok(def) => match def.check() {
                Ok(form) => return Ok(form),
                Err(issues) => issues
                    .into_iter()
                    .map(|i| SheetProblem {
                        place: i.field.clone().unwrap_or_default(),
                        text: i.message(lang).to_string(),
                    })
                    .collect(),
            },
            Err(issues) => issues
                .into_iter()
                .map(|i| SheetProblem {
                    place: [
                        i.sheet.clone().map(|s| format!("sheet {s}")),
                        i.row.map(|r| format!("dòng {r}")),
                        i.column.clone().map(|c| format!("cột {c}")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                    text: i.message(lang).to_string(),
                })
                .collect(),
        };
    Err(issues)
}

fn no_file() -> SheetProblem {
    SheetProblem {
        place: String::new(),
        text: "Chưa chọn tệp định nghĩa mẫu (.xlsx).".into(),
    }
}

/// Upload → every problem listed (422, nothing stored), or the preview.
async fn import_form(State(st): State<AppState>, up: Upload) -> PageResult {
    let user = &up.user;
    if up.bytes.is_empty() {
        return forms_view(&st, user, up.unit_id, vec![no_file()], vec![], None).await;
    }
    match read_definition(&up.bytes, user.lang) {
        Ok(form) => forms_view(&st, user, up.unit_id, vec![], vec![], Some(preview(&form))).await,
        Err(problems) => forms_view(&st, user, up.unit_id, problems, vec![], None).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    unit: i64,
    definition: String,
}

/// Creates the previewed form.
async fn create_form(
    State(st): State<AppState>,
    CsrfForm(user, f): CsrfForm<CreateForm>,
) -> PageResult {
    let Ok(def) = serde_json::from_str::<FormDef>(&f.definition) else {
        let e = FieldError::new(
            "definition",
            "WE2001",
            "không đọc được; hãy tải tệp lên lại.",
            "unreadable; upload the file again.",
        );
        return forms_view(&st, &user, Some(f.unit), vec![], vec![e], None).await;
    };
    let again = def.clone().check().ok().map(|f| preview(&f));
    match st.store.create_form(&user.scope, f.unit, def).await {
        Ok(form) => see_other(&format!("/forms/{}?notice=created", form.form_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            forms_view(&st, &user, Some(f.unit), vec![], errs, again).await
        }
    }
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    chrome: Chrome,
    f: ReportForm,
    period_name: &'static str,
    due_days: u16,
    filled_by: String,
    fields: Vec<FieldLine>,
    /// Units the caller may send from (the form's owner or a unit below it that is theirs).
    sender: Option<Unit>,
    can_edit: bool,
    /// (code, label) of the periods offered; empty for a thematic form.
    periods: Vec<(String, String)>,
    send: SendForm,
    errors: Vec<FieldError>,
    problems: Vec<SheetProblem>,
    notice: Option<&'static str>,
    sent: Vec<congdoan_store::Sent>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SendForm {
    unit: Option<i64>,
    period: String,
    due_on: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FormQuery {
    unit: Option<i64>,
    notice: Option<String>,
}

async fn form_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FormQuery>,
) -> PageResult {
    let tr = user.tr();
    let notice = q.notice.as_deref().and_then(|n| match n {
        "created" => Some(tr.s("Đã tạo mẫu báo cáo.", "The form was created.")),
        "version" => Some(tr.s(
            "Đã lưu phiên bản mới; các báo cáo đã gửi giữ phiên bản cũ.",
            "A new version was saved; reports already sent keep theirs.",
        )),
        _ => None,
    });
    let send = SendForm {
        unit: q.unit,
        ..SendForm::default()
    };
    form_view(&st, &user, id, send, vec![], vec![], notice).await
}

/// The form's due day after the period; when that has already passed (a period sent
/// late), the units get the form's number of days from today instead of a deadline
/// they could never meet. The confirmation restates the date.
fn default_due(p: Period, due_days: u16) -> time::Date {
    let due = p.due(due_days);
    if due <= today() {
        today() + time::Duration::days(i64::from(due_days.max(1)))
    } else {
        due
    }
}

async fn form_view(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    mut send: SendForm,
    errors: Vec<FieldError>,
    problems: Vec<SheetProblem>,
    notice: Option<&'static str>,
) -> PageResult {
    let (f, form) = st.store.report_form(&user.scope, id).await?;
    let def = form.def();
    let kind = PeriodType::parse(&def.period).unwrap_or(PeriodType::Adhoc);
    // The sender: the unit asked for, else the caller's own unit when it is at or below
    // the owner, else the owner when the caller may write it.
    let sender = match home_unit(st, user, send.unit).await? {
        Some(u) if u.path.starts_with(&f.owner_path) && user.scope.can_write(&u.path) => Some(u),
        _ if user.scope.can_write(&f.owner_path) => {
            Some(st.store.unit(&user.scope, f.owner_unit_id).await?)
        }
        _ => None,
    };
    let mut periods = vec![];
    if let Some(mut p) = Period::containing(kind, today()) {
        // The period just ended first (the usual one to ask for), then the current one.
        let cur = p;
        p = p.prev();
        periods.push((p.code(), p.label_vi()));
        periods.push((cur.code(), cur.label_vi()));
        for _ in 0..10 {
            p = p.prev();
            periods.push((p.code(), p.label_vi()));
        }
    }
    if send.period.is_empty()
        && let Some((c, _)) = periods.first()
    {
        send.period = c.clone();
    }
    if send.due_on.is_empty()
        && let Ok(p) = Period::parse(kind, &send.period)
    {
        send.due_on = format_vn_date(default_due(p, def.due_days));
    }
    let sent = match &sender {
        Some(u) => st
            .store
            .requests_sent(
                &user.scope,
                u.unit_id,
                Some(congdoan_domain::request::RequestKind::Report),
                200,
            )
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.request.form_id == Some(id))
            .take(24)
            .collect(),
        None => vec![],
    };
    let invalid = !errors.is_empty() || !problems.is_empty();
    let types = st.store.unit_types().await?;
    let page = render(FormPage {
        filled_by: def
            .filled_by
            .iter()
            .map(|t| super::units::type_name(&types, t, user.tr()))
            .collect::<Vec<_>>()
            .join(", "),
        chrome: Chrome::new(user, &f.title),
        period_name: kind.name_vi(),
        due_days: def.due_days,
        fields: field_lines(&form),
        can_edit: user.scope.can_write(&f.owner_path),
        f,
        sender,
        periods,
        send,
        errors,
        problems,
        notice,
        sent,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

/// A new version from an uploaded definition (problems listed, nothing stored).
async fn new_version(State(st): State<AppState>, Path(id): Path<i64>, up: Upload) -> PageResult {
    let user = &up.user;
    if up.bytes.is_empty() {
        return form_view(
            &st,
            user,
            id,
            SendForm::default(),
            vec![],
            vec![no_file()],
            None,
        )
        .await;
    }
    let form = match read_definition(&up.bytes, user.lang) {
        Ok(f) => f,
        Err(p) => return form_view(&st, user, id, SendForm::default(), vec![], p, None).await,
    };
    let (f, _) = st.store.report_form(&user.scope, id).await?;
    match st
        .store
        .new_form_version(&user.scope, id, f.current_version, form.def().clone())
        .await
    {
        Ok(_) => see_other(&format!("/forms/{id}?notice=version")),
        Err(e) => {
            let errs = field_errors(e.into())?;
            form_view(&st, user, id, SendForm::default(), errs, vec![], None).await
        }
    }
}

async fn definition_xlsx(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (f, form) = st.store.report_form(&user.scope, id).await?;
    let bytes = congdoan_sheet::form::write_form_definition(form.def());
    Ok(xlsx_response(
        &format!("mau-{}.xlsx", ascii_name(&f.code)),
        bytes,
    ))
}

/// A file name safe in a header.
pub(crate) fn ascii_name(s: &str) -> String {
    congdoan_domain::text::fold(s)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

pub(crate) fn xlsx_response(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Sending: without `confirmed=1`, a page restating whom and by when; then the
/// report's board.
async fn send_report(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let tr = user.tr();
    let f: SendForm = super::confirm::typed(&pairs)?;
    let (rf, form) = st.store.report_form(&user.scope, id).await?;
    let def = form.def();
    let kind = PeriodType::parse(&def.period).unwrap_or(PeriodType::Adhoc);
    let mut errs = vec![];
    let period = if kind == PeriodType::Adhoc {
        None
    } else {
        match Period::parse(kind, &f.period) {
            Ok(p) => Some(p),
            Err(e) => {
                errs.push(FieldError::new("period", e.code, &e.vi, &e.en));
                None
            }
        }
    };
    let due_on = if f.due_on.trim().is_empty() {
        period.map(|p| default_due(p, def.due_days))
    } else {
        crate::forms::parse_date_req(&f.due_on, "due_on", &mut errs)
    };
    let Some(unit) = f.unit else {
        return Err(AppError::NotFound);
    };
    if !errs.is_empty() {
        return form_view(&st, &user, id, f, errs, vec![], None).await;
    }
    if !confirmed(&pairs) {
        let u = st.store.unit(&user.scope, unit).await?;
        let n = st
            .store
            .report_target_estimate(&user.scope, unit, &def.filled_by)
            .await?;
        let due = due_on.map(format_vn_date).unwrap_or_default();
        let period_label = period
            .map(|p| format!(" kỳ {}", p.label_vi()))
            .unwrap_or_default();
        let types = def
            .filled_by
            .iter()
            .map(|t| if t == "CDCS" { "CĐCS" } else { t.as_str() })
            .collect::<Vec<_>>()
            .join(", ");
        return ConfirmPage {
            chrome: Chrome::new(&user, tr.s("Gửi yêu cầu báo cáo", "Send a report request")),
            lead: format!(
                "Gửi yêu cầu «{}»{period_label} tới {} {types}, hạn {due}.",
                rf.title,
                congdoan_domain::format_int(n)
            ),
            impacts: vec![
                Impact::count(n, tr.s("đơn vị phải lập báo cáo", "units must report")),
                Impact::line(format!("{} {}", tr.s("Đơn vị gửi:", "Sent by:"), u.name)),
            ],
            irreversible: vec![
                tr.s(
                    "Yêu cầu đã gửi không thu hồi được; mỗi kỳ chỉ gửi một lần.",
                    "A sent request cannot be withdrawn; each period is sent once.",
                )
                .to_string(),
            ],
            action: format!("/forms/{id}/send"),
            hidden: hidden(&pairs),
            button: tr.s("Gửi yêu cầu", "Send").to_string(),
            back: format!("/forms/{id}"),
        }
        .render();
    }
    match st
        .store
        .send_report(
            &user.scope,
            NewReport {
                issuer_unit_id: unit,
                form_id: id,
                period: period.map(|p| p.code()),
                due_on,
                title: None,
                targets: None,
                issued_on: today(),
            },
        )
        .await
    {
        Ok(r) => see_other(&format!("/reports/{}?notice=sent", r.request_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            form_view(&st, &user, id, f, errs, vec![], None).await
        }
    }
}
