//! Pages for member imports: upload, progress, preview with problems, column
//! override, confirm, undo, and the rejected rows as an xlsx file.

use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{Chrome, PageResult, UnitParam, optional_unit, render, see_other};
use crate::auth::{CsrfForm, CurrentUser, constant_eq};
use crate::error::FieldError;
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use congdoan_sheet::Field;
use congdoan_store::{ImportJob, ImportState, MAX_IMPORT_BYTES, PreviewRow, Unit};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/imports",
            get(imports)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)),
        )
        .route("/imports/{id}", get(job_page))
        .route("/imports/{id}/status", get(job_status))
        .route("/imports/{id}/confirm", post(confirm))
        .route("/imports/{id}/cancel", post(cancel))
        .route("/imports/{id}/undo", post(undo))
        .route("/imports/{id}/layout", post(set_layout))
        .route("/imports/{id}/rejected.xlsx", get(rejected_xlsx))
}

/// An uploaded file with the form's other fields, accepted only with the session's
/// CSRF token (the multipart twin of [`CsrfForm`]).
pub struct Upload {
    pub user: CurrentUser,
    pub unit_id: Option<i64>,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl FromRequest<AppState> for Upload {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = <CurrentUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, state,
        )
        .await?;
        crate::auth::require_write_somewhere(&user, parts.uri.path())?;
        let req = Request::from_parts(parts, body);
        // A body over the limit is 413 with its own message, not a generic 400.
        let too_large = |status: axum::http::StatusCode, text: String| {
            if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge(MAX_IMPORT_BYTES / 1024 / 1024)
            } else {
                AppError::BadRequest(text)
            }
        };
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|e| too_large(e.status(), e.body_text()))?;
        let (mut csrf, mut unit_id, mut file_name, mut bytes) = (None, None, String::new(), None);
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|e| too_large(e.status(), e.body_text()))?
        {
            match field.name().unwrap_or("") {
                "csrf" => csrf = field.text().await.ok(),
                "unit" => unit_id = field.text().await.ok().and_then(|t| t.trim().parse().ok()),
                "file" => {
                    file_name = field.file_name().unwrap_or("").to_string();
                    // Into a Vec without a second copy of the file.
                    bytes = Some(Vec::from(
                        field
                            .bytes()
                            .await
                            .map_err(|e| too_large(e.status(), e.body_text()))?,
                    ));
                }
                _ => {}
            }
        }
        let token_ok = match (&user.csrf, &csrf) {
            (Some(expected), Some(got)) => constant_eq(expected, got),
            // API clients authenticate with a bearer token and carry no session.
            (None, _) => true,
            _ => false,
        };
        if !token_ok {
            return Err(AppError::Forbidden);
        }
        let bytes = bytes.unwrap_or_default();
        Ok(Upload {
            user,
            unit_id,
            file_name,
            bytes,
        })
    }
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    chrome: Chrome,
    unit: Option<Unit>,
    can_upload: bool,
    jobs: Vec<ImportJob>,
    errors: Vec<FieldError>,
}

async fn imports(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    imports_page_with(&st, &user, q.unit, vec![]).await
}

async fn imports_page_with(
    st: &AppState,
    user: &CurrentUser,
    unit: Option<i64>,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    let unit_row = optional_unit(st, user, unit).await?;
    let jobs = st.store.import_jobs(&user.scope, unit, 50).await?;
    let has_errors = !errors.is_empty();
    let page = render(ImportsPage {
        chrome: Chrome::new(user, tr.s("Nhập đoàn viên từ tệp", "Import members")),
        can_upload: unit_row
            .as_ref()
            .is_some_and(|u| user.scope.can_write(&u.path)),
        unit: unit_row,
        jobs,
        errors,
    })?;
    Ok(pick::unprocessable(page, has_errors))
}

impl Upload {
    /// Stores the file as a new job and wakes the worker (pages and API alike).
    pub async fn start(self, st: &AppState) -> Result<ImportJob, AppError> {
        if self.bytes.is_empty() {
            return Err(AppError::invalid(
                "file",
                "IM0101",
                "Chọn tệp Excel (.xlsx) hoặc CSV để nhập.",
                "Choose an Excel (.xlsx) or CSV file to import.",
            ));
        }
        let unit_id = self.unit_id.ok_or_else(|| {
            AppError::invalid(
                "unit",
                "IM0105",
                "Chọn đơn vị nhận đoàn viên.",
                "Choose the unit that receives the members.",
            )
        })?;
        let job = st
            .store
            .create_import(&self.user.scope, unit_id, &self.file_name, self.bytes)
            .await?;
        st.imports.notify_one();
        Ok(job)
    }
}

async fn upload(State(st): State<AppState>, up: Upload) -> PageResult {
    let (user, unit) = (up.user.clone(), up.unit_id);
    match up.start(&st).await {
        Ok(job) => see_other(&format!("/imports/{}", job.job_id)),
        Err(AppError::Invalid(errs)) => imports_page_with(&st, &user, unit, errs).await,
        Err(other) => Err(other),
    }
}

/// One column of the file with the field it feeds.
struct ColumnChoice {
    index: usize,
    header: String,
    field: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct JobPage {
    chrome: Chrome,
    job: ImportJob,
    state: ImportState,
    can_write: bool,
    preview: Vec<PreviewRow>,
    rejects: Vec<RejectLine>,
    more_rejects: bool,
    columns: Vec<ColumnChoice>,
    header_row: usize,
    fields: Vec<(&'static str, &'static str)>,
    /// A form of this page posted with errors (confirm, cancel, undo, layout).
    form: FormState,
}

#[derive(Template)]
#[template(path = "import_status.html")]
struct StatusPartial {
    chrome: Chrome,
    job: ImportJob,
    state: ImportState,
}

/// One reason a row was rejected, as the page lists it.
struct RejectLine {
    row_no: i64,
    column: String,
    value: String,
    message: String,
}

/// Rejected rows shown on the page; the xlsx file has them all.
const REJECTS_SHOWN: i64 = 100;

async fn job_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    job_page_with(&st, &user, id, FormState::default()).await
}

async fn job_page_with(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    mut form: FormState,
) -> PageResult {
    form.lang = user.lang;
    let job = st.store.import_job(&user.scope, id).await?;
    let rejects = st
        .store
        .import_rejects(&user.scope, id, 0, REJECTS_SHOWN)
        .await?;
    let layout = job.stored_layout();
    let columns = layout
        .as_ref()
        .map(|l| {
            l.headers
                .iter()
                .enumerate()
                .map(|(i, h)| ColumnChoice {
                    index: i,
                    header: h.clone(),
                    field: l.field_of(i).unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let lang = user.lang;
    let more_rejects = job.rejected_rows > rejects.len() as i64;
    let rejects = rejects
        .iter()
        .flat_map(|r| {
            r.problems.iter().map(|p| RejectLine {
                row_no: r.row_no,
                column: p
                    .field
                    .as_deref()
                    .and_then(Field::parse)
                    .map(|f| f.label(lang).to_string())
                    .unwrap_or_default(),
                value: p.value.clone(),
                message: p.message(lang).to_string(),
            })
        })
        .collect();
    let has_errors = form.has_errors();
    let page = render(JobPage {
        more_rejects,
        form,
        chrome: Chrome::new(user, &job.file_name),
        state: job.state(),
        can_write: user.scope.can_write(&job.path),
        preview: job.preview_rows(),
        rejects,
        columns,
        header_row: layout.map(|l| l.header_row).unwrap_or(0),
        fields: Field::ALL
            .iter()
            .map(|f| (f.code(), f.label(lang)))
            .collect(),
        job,
    })?;
    Ok(pick::unprocessable(page, has_errors))
}

/// The progress block, polled by htmx while a worker runs the job.
async fn job_status(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> PageResult {
    let job = st.store.import_job(&user.scope, id).await?;
    // Finished while the page was open: reload it whole (preview, problems, buttons).
    if !job.state().is_running() && headers.contains_key("hx-request") {
        let mut res = axum::http::StatusCode::NO_CONTENT.into_response();
        res.headers_mut()
            .insert("HX-Refresh", axum::http::HeaderValue::from_static("true"));
        return Ok(res);
    }
    render(StatusPartial {
        chrome: Chrome::new(&user, ""),
        state: job.state(),
        job,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionForm {
    version: i64,
}

/// Shows the job page again with the refusal of form `form` at that form.
async fn job_again(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    form: &str,
    pairs: Pairs,
    e: congdoan_store::StoreError,
) -> PageResult {
    let errs = store_errors(e, "version")?;
    job_page_with(st, user, id, FormState::new(form, pairs, errs, user.lang)).await
}

async fn confirm(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: VersionForm = pick::merged(&pairs)?;
    match st.store.confirm_import(&user.scope, id, f.version).await {
        Ok(_) => {
            st.imports.notify_one();
            see_other(&format!("/imports/{id}"))
        }
        Err(e) => job_again(&st, &user, id, "job", pairs, e).await,
    }
}

async fn cancel(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: VersionForm = pick::merged(&pairs)?;
    match st.store.cancel_import(&user.scope, id, f.version).await {
        Ok(_) => see_other(&format!("/imports/{id}")),
        Err(e) => job_again(&st, &user, id, "job", pairs, e).await,
    }
}

async fn undo(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: VersionForm = pick::merged(&pairs)?;
    if !super::confirm::confirmed(&pairs) {
        // Undo removes every member the import added: restate how many, then confirm.
        let job = st.store.import_job(&user.scope, id).await?;
        let tr = user.tr();
        return super::confirm::ConfirmPage {
            chrome: Chrome::new(&user, tr.s("Xác nhận hoàn tác lần nhập", "Confirm undoing the import")),
            lead: format!(
                "{} «{}» {} {}.",
                tr.s("Hoàn tác lần nhập tệp", "Undo the import of"),
                job.file_name,
                tr.s("vào", "into"),
                job.unit_name
            ),
            impacts: vec![super::confirm::Impact::count(
                job.imported,
                tr.s(
                    "đoàn viên do lần nhập này thêm sẽ bị xoá",
                    "members this import added are removed",
                ),
            )],
            irreversible: vec![tr
                .s(
                    "Hồ sơ bị xoá không khôi phục được; muốn có lại phải nhập lại tệp.",
                    "The removed records cannot be restored; import the file again to get them back.",
                )
                .to_string()],
            action: format!("/imports/{id}/undo"),
            hidden: super::confirm::hidden(&pairs),
            button: tr.s("Xác nhận hoàn tác", "Confirm: undo").to_string(),
            back: format!("/imports/{id}"),
        }
        .render();
    }
    match st.store.undo_import(&user.scope, id, f.version).await {
        Ok(_) => see_other(&format!("/imports/{id}")),
        Err(e) => job_again(&st, &user, id, "job", pairs, e).await,
    }
}

/// `col_<i>=<field code>` for each column, plus the header row (1-based, as Excel shows).
async fn set_layout(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: std::collections::HashMap<String, String> = pairs.iter().cloned().collect();
    let version = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let raw = f.get("header_row").map(|v| v.trim()).unwrap_or("");
    let Some(header_row) = raw.parse::<usize>().ok().filter(|r| *r >= 1) else {
        let errs = vec![FieldError::new(
            "header_row",
            "IM0106",
            &format!("phải là một số từ 1 trở lên, không phải '{raw}'."),
            &format!("must be a number from 1, not '{raw}'."),
        )];
        return job_page_with(
            &st,
            &user,
            id,
            FormState::new("layout", pairs, errs, user.lang),
        )
        .await;
    };
    let mut columns: Vec<(usize, Field)> = f
        .iter()
        .filter_map(|(k, v)| {
            let col = k.strip_prefix("col_")?.parse().ok()?;
            Some((col, Field::parse(v)?))
        })
        .collect();
    columns.sort_by_key(|(c, _)| *c);
    match st
        .store
        .set_import_layout(&user.scope, id, version, header_row - 1, columns)
        .await
    {
        Ok(_) => {
            st.imports.notify_one();
            see_other(&format!("/imports/{id}"))
        }
        Err(e) => job_again(&st, &user, id, "layout", pairs, e).await,
    }
}

/// All rejected rows with their reasons, as the user's own columns plus "Lý do".
async fn rejected_xlsx(
    State(st): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, AppError> {
    // An export with personal data, audited: not at another site's request.
    super::refuse_cross_site(&headers)?;
    let job = st.store.import_job(&user.scope, id).await?;
    let headers = job.stored_layout().map(|l| l.headers).unwrap_or_default();
    let lang = user.lang;
    let tmp = std::env::temp_dir().join(format!(
        "congdoan-rejects-{}-{id}-{}.xlsx",
        std::process::id(),
        crate::auth::new_token()
    ));
    let mut titles: Vec<String> = vec![user.tr().s("Dòng", "Row").to_string()];
    titles.extend(headers.iter().cloned());
    titles.push(
        user.tr()
            .s("Lý do không nhập", "Why not imported")
            .to_string(),
    );
    let mut writer = congdoan_sheet::XlsxExport::create(
        &tmp,
        user.tr().s("Dòng lỗi", "Rejected rows"),
        &titles.iter().map(String::as_str).collect::<Vec<_>>(),
    )
    .map_err(|e| AppError::BadRequest(e.message(lang)))?;
    let mut after = 0;
    loop {
        let page = st
            .store
            .import_rejects(&user.scope, id, after, 5_000)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.row_no;
        for r in &page {
            let mut cells = vec![congdoan_sheet::Cell::Number(r.row_no as f64)];
            let mut own: Vec<congdoan_sheet::Cell> = r
                .cells
                .iter()
                .map(|c| congdoan_sheet::Cell::Text(c.clone()))
                .collect();
            own.resize(headers.len().max(own.len()), congdoan_sheet::Cell::Empty);
            cells.extend(own);
            cells.push(congdoan_sheet::Cell::Text(
                r.problems
                    .iter()
                    .map(|p| p.message(lang).to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
            writer
                .write_row(&cells)
                .map_err(|e| AppError::BadRequest(e.message(lang)))?;
        }
    }
    writer
        .finish()
        .map_err(|e| AppError::BadRequest(e.message(lang)))?;
    let bytes = tokio::fs::read(&tmp)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let _ = tokio::fs::remove_file(&tmp).await;
    let name = format!("dong-loi-{id}.xlsx");
    Ok((
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
        .into_response())
}
