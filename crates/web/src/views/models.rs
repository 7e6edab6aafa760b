//! The library of good models ("Mô hình hay", issue 15 item 8): the list with search as
//! you type (accents optional), kind and tag filters; a model's page (figures, evidence
//! files, replications with their counters and results); the create/edit form; the
//! "Nhân rộng" form (the directive form's target choosers), confirmed first; and the
//! recipient's page, where a unit marks the model adopted and reports its results.
//! The rules live in `congdoan_store::models`; replication is a request of kind
//! `replication` (`congdoan_store::requests`).

use super::confirm::{self, ConfirmPage, Impact};
use super::directives::preview_or_refuse;
use super::directives::{
    FilesForm, by_type_text, check_files, disposition, own_units, target_spec,
};
use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{Chrome, PageResult, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::forms::{parse_date_opt, parse_date_req};
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use congdoan_domain::date::format_vn_date;
use congdoan_domain::request::{Action, MAX_FILE_BYTES, MAX_FILES_PER_TARGET};
use congdoan_store::{
    Cluster, Figure, GoodModel, MODEL_KINDS, ModelFile, ModelInput, ModelQuery, ReplicateInput,
    Replication, ReplicationOwed, RequestEvent, StepInput, Target, Unit, check_model,
    model_kind_name, split_tags,
};
use serde::Deserialize;

/// Every evidence file at the limit, plus the text fields.
const BODY_LIMIT: usize = MAX_FILES_PER_TARGET * MAX_FILE_BYTES * 4 / 3 + 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/models",
            get(library)
                .post(create)
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/models/new", get(new_model))
        .route("/models/owed", get(owed_page))
        .route(
            "/models/{id}",
            get(model_page)
                .post(update)
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/models/{id}/edit", get(edit_model))
        .route(
            "/models/{id}/replicate",
            get(replicate_form).post(replicate),
        )
        .route("/models/files/{id}", get(download))
        .route("/models/replications/{id}", get(recipient_page))
        .route("/models/replications/{id}/adopt", post(adopt))
        .route(
            "/models/replications/{id}/report",
            post(report).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
}

/// (code, name) of the kinds in the page's language.
fn kinds(user: &CurrentUser) -> Vec<(&'static str, &'static str)> {
    let tr = user.tr();
    MODEL_KINDS
        .iter()
        .map(|(c, vi, en)| (*c, tr.s(vi, en)))
        .collect()
}

/// A model row with its kind named.
struct Row {
    m: GoodModel,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "models_partial.html")]
struct ListPartial {
    chrome: Chrome,
    rows: Vec<Row>,
    prev_url: Option<String>,
    next_url: Option<String>,
    searched: bool,
}

#[derive(Template)]
#[template(path = "models.html")]
struct LibraryPage {
    chrome: Chrome,
    q: ModelQuery,
    unit: Option<Unit>,
    kinds: Vec<(&'static str, &'static str)>,
    tags: Vec<(String, String, i64)>,
    /// Where "Ghi mô hình mới" records (the caller's only writable unit, or the chosen one).
    new_unit: Option<i64>,
    list: String,
}

fn list_url(q: &ModelQuery, page: i64) -> String {
    let mut parts: Vec<(&str, String)> = vec![];
    for (k, v) in [("q", &q.q), ("kind", &q.kind), ("tag", &q.tag)] {
        if !v.trim().is_empty() {
            parts.push((k, v.clone()));
        }
    }
    if let Some(u) = q.unit {
        parts.push(("unit", u.to_string()));
    }
    if page > 0 {
        parts.push(("page", page.to_string()));
    }
    format!(
        "/models?{}",
        serde_urlencoded::to_string(&parts).unwrap_or_default()
    )
}

async fn library(
    State(st): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<ModelQuery>,
) -> PageResult {
    let tr = user.tr();
    let (models, more) = st.store.models(&user.scope, &q).await?;
    let rows = models
        .into_iter()
        .map(|m| {
            let (vi, en) = model_kind_name(&m.kind);
            Row {
                kind: tr.s(vi, en),
                m,
            }
        })
        .collect();
    let list = ListPartial {
        chrome: Chrome::new(&user, ""),
        rows,
        prev_url: (q.page > 0).then(|| list_url(&q, q.page - 1)),
        next_url: more.then(|| list_url(&q, q.page + 1)),
        searched: !q.q.trim().is_empty() || !q.kind.is_empty() || !q.tag.is_empty(),
    };
    if headers.contains_key("hx-request") && !headers.contains_key("hx-boosted") {
        let mut res = render(list)?;
        res.headers_mut().insert(
            header::VARY,
            axum::http::HeaderValue::from_static("HX-Request"),
        );
        return Ok(res);
    }
    let list = list
        .render()
        .map_err(|_| AppError::Internal("models".into()))?;
    let unit = match q.unit {
        Some(id) => Some(st.store.unit(&user.scope, id).await?),
        None => None,
    };
    let new_unit = match &unit {
        Some(u) if user.scope.can_write(&u.path) => Some(u.unit_id),
        _ => super::movements::only_writable(&user),
    };
    let tags = st.store.model_tags(&user.scope, 20).await?;
    render(LibraryPage {
        chrome: Chrome::new(&user, tr.s("Mô hình hay", "Good models")),
        q,
        unit,
        kinds: kinds(&user),
        tags,
        new_unit,
        list,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PageQuery {
    notice: Option<String>,
    unit: Option<i64>,
}

#[derive(Template)]
#[template(path = "model.html")]
struct ModelPage {
    chrome: Chrome,
    m: GoodModel,
    kind: &'static str,
    figures: Vec<Figure>,
    tags: Vec<String>,
    files: Vec<ModelFile>,
    replications: Vec<Replication>,
    can_edit: bool,
    can_replicate: bool,
    notice: Option<&'static str>,
}

async fn model_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let tr = user.tr();
    let m = st.store.model(&user.scope, id).await?;
    let files = st.store.model_files(&user.scope, id).await?;
    let replications = st.store.model_replications(&user.scope, id).await?;
    let (vi, en) = model_kind_name(&m.kind);
    let notice = match q.notice.as_deref() {
        Some("created") => Some(tr.s("Đã ghi mô hình vào thư viện.", "The model was recorded.")),
        Some("updated") => Some(tr.s("Đã lưu thay đổi.", "Changes saved.")),
        Some("replicated") => Some(tr.s(
            "Đã gửi đề nghị nhân rộng; các đơn vị nhận sẽ thấy trong «Việc cần làm».",
            "The replication request was sent; recipients see it in their to-do list.",
        )),
        _ => None,
    };
    render(ModelPage {
        chrome: Chrome::new(&user, &m.title),
        kind: tr.s(vi, en),
        figures: m.figure_list(),
        tags: m.tag_list(),
        can_edit: user.scope.can_write(&m.owner_path),
        // Any unit the caller writes may send it down its own subtree.
        can_replicate: user.scope.is_admin() || !user.scope.write_paths().is_empty(),
        files,
        replications,
        m,
        notice,
    })
}

#[derive(Template)]
#[template(path = "model_form.html")]
struct FormPage {
    chrome: Chrome,
    /// None: a new model.
    model: Option<GoodModel>,
    form: FormState,
    kinds: Vec<(&'static str, &'static str)>,
    defaults: Vec<(&'static str, String)>,
}

impl FormPage {
    fn v(&self, name: &str) -> String {
        let d = self
            .defaults
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.form.val_or("model", name, &d)
    }
    fn action(&self) -> String {
        match &self.model {
            Some(m) => format!("/models/{}", m.model_id),
            None => "/models".into(),
        }
    }
}

/// "Đoàn viên mới: 120" lines.
fn figures_text(figures: &[Figure]) -> String {
    figures
        .iter()
        .map(|f| format!("{}: {}", f.label, congdoan_domain::format_int(f.value)))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn form_page(
    st: &AppState,
    user: &CurrentUser,
    model: Option<GoodModel>,
    owner_code: String,
    mut form: FormState,
) -> PageResult {
    let tr = user.tr();
    form.lang = user.lang;
    let defaults = match &model {
        Some(m) => vec![
            ("owner", owner_code),
            ("model_kind", m.kind.clone()),
            ("model_title", m.title.clone()),
            ("model_summary", m.summary.clone()),
            ("model_results", m.results.clone().unwrap_or_default()),
            ("model_figures", figures_text(&m.figure_list())),
            ("model_tags", m.tags.clone()),
            (
                "started_on",
                m.started_on.map(format_vn_date).unwrap_or_default(),
            ),
            ("version", m.version.to_string()),
        ],
        None => vec![("owner", owner_code), ("model_kind", "mo_hinh".into())],
    };
    let _ = st;
    let invalid = form.has_errors();
    let title = match &model {
        Some(_) => tr.s("Sửa mô hình", "Edit the model"),
        None => tr.s("Ghi mô hình hay", "Record a good model"),
    };
    let page = render(FormPage {
        chrome: Chrome::new(user, title),
        model,
        form,
        kinds: kinds(user),
        defaults,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

async fn new_model(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let code = match q.unit {
        Some(u) => {
            let u = st.store.unit(&user.scope, u).await?;
            if !user.scope.can_write(&u.path) {
                return Err(AppError::Forbidden);
            }
            u.code
        }
        None => String::new(),
    };
    form_page(&st, &user, None, code, FormState::default()).await
}

async fn edit_model(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let m = st.store.model(&user.scope, id).await?;
    if !user.scope.can_write(&m.owner_path) {
        return Err(AppError::Forbidden);
    }
    let owner = st.store.unit(&user.scope, m.owner_unit_id).await?;
    form_page(&st, &user, Some(m), owner.code, FormState::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ModelForm {
    owner: String,
    model_kind: String,
    model_title: String,
    model_summary: String,
    model_results: String,
    model_figures: String,
    model_tags: String,
    started_on: String,
    version: i64,
}

/// "Đoàn viên mới: 1.200" per line (":" or "="); the number may carry dots or spaces.
fn parse_figures(text: &str, errs: &mut Vec<FieldError>) -> Vec<Figure> {
    let mut out = vec![];
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let split = line.rfind([':', '=']);
        let parsed = split.and_then(|i| {
            let digits: String = line[i + 1..]
                .chars()
                .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
                .collect();
            Some((line[..i].trim().to_string(), digits.parse::<i64>().ok()?))
        });
        match parsed {
            Some((label, value)) => out.push(Figure { label, value }),
            None => errs.push(FieldError::new(
                "model_figures",
                "WE2501",
                &format!(
                    "dòng «{line}» cần có dạng «Tên số liệu: số», ví dụ «Đoàn viên mới: 120»."
                ),
                &format!("line \"{line}\" must read \"Label: number\", e.g. \"New members: 120\"."),
            )),
        }
    }
    out
}

/// The form's input, with every problem named by its field.
async fn parse_model(
    st: &AppState,
    f: &ModelForm,
    errs: &mut Vec<FieldError>,
) -> Option<ModelInput> {
    let owner = match f.owner.trim() {
        "" => {
            errs.push(FieldError::new(
                "owner",
                "WE2502",
                "chọn đơn vị đã thực hiện mô hình.",
                "choose the unit where the model was done.",
            ));
            None
        }
        code => match pick::unit_code(st, "owner", code).await {
            Ok(id) => Some(id),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    let figures = parse_figures(&f.model_figures, errs);
    let started_on = parse_date_opt(&f.started_on, "started_on", errs);
    let input = ModelInput {
        owner_unit_id: owner.unwrap_or(0),
        kind: f.model_kind.trim().to_string(),
        title: f.model_title.clone(),
        summary: f.model_summary.clone(),
        results: Some(f.model_results.clone()),
        figures,
        tags: split_tags(&f.model_tags),
        started_on,
    };
    for (code, field, vi, en) in check_model(&input) {
        if !errs.iter().any(|e| e.field == field) {
            errs.push(FieldError::new(field, code, &vi, &en));
        }
    }
    owner.map(|_| input)
}

async fn create(State(st): State<AppState>, form: FilesForm) -> PageResult {
    save(st, form, None).await
}

async fn update(State(st): State<AppState>, Path(id): Path<i64>, form: FilesForm) -> PageResult {
    save(st, form, Some(id)).await
}

/// Creates or edits: every problem shown at once next to its field (422), files asked again.
async fn save(st: AppState, form: FilesForm, id: Option<i64>) -> PageResult {
    let FilesForm { user, pairs, files } = form;
    let f: ModelForm = pick::merged(&pairs)?;
    let existing = match id {
        Some(id) => {
            let m = st.store.model(&user.scope, id).await?;
            if !user.scope.can_write(&m.owner_path) {
                return Err(AppError::Forbidden);
            }
            Some(m)
        }
        None => None,
    };
    let again = |errs: Vec<FieldError>| {
        let (st, user, pairs, existing) = (&st, &user, pairs.clone(), existing.clone());
        async move {
            let fs = FormState::again("model", pairs, errs, st, user).await?;
            form_page(st, user, existing, String::new(), fs).await
        }
    };
    if pairs.iter().any(|(k, _)| k == "pick") {
        return again(vec![]).await;
    }
    let mut errs = vec![];
    let input = parse_model(&st, &f, &mut errs).await;
    check_files(&files, &mut errs);
    let ask_files_again = |errs: &mut Vec<FieldError>| {
        if !files.is_empty() && !errs.iter().any(|e| e.field == "file") {
            errs.push(FieldError::new(
                "file",
                "WE1409",
                "vì lý do an toàn, hãy chọn lại các tệp đính kèm.",
                "for safety, choose the attached files again.",
            ));
        }
    };
    let (Some(input), true) = (input, errs.is_empty()) else {
        ask_files_again(&mut errs);
        return again(errs).await;
    };
    let saved = match id {
        Some(id) => {
            st.store
                .update_model(&user.scope, id, f.version, &input, files.clone())
                .await
        }
        None => {
            st.store
                .create_model(&user.scope, &input, files.clone())
                .await
        }
    };
    match saved {
        Ok(m) => see_other(&format!(
            "/models/{}?notice={}",
            m.model_id,
            if id.is_some() { "updated" } else { "created" }
        )),
        Err(e) => {
            let mut errs = store_errors(e, "owner")?;
            ask_files_again(&mut errs);
            again(errs).await
        }
    }
}

async fn download(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (f, bytes) = st.store.model_file(&user.scope, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, f.mime.clone()),
            (header::CONTENT_DISPOSITION, disposition(&f.file_name)),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "model_replicate.html")]
struct ReplicatePage {
    chrome: Chrome,
    m: GoodModel,
    unit: Unit,
    form: FormState,
    types: Vec<(String, String, i64)>,
    clusters: Vec<Cluster>,
    defaults: Vec<(&'static str, String)>,
}

impl ReplicatePage {
    fn v(&self, name: &str) -> String {
        let d = self
            .defaults
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.form.val_or("replicate", name, &d)
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        self.v(name).split_whitespace().any(|x| x == value)
    }
}

/// The issuing unit of a replication: the one asked for, or the caller's only writable one.
async fn issuer_unit(st: &AppState, user: &CurrentUser, id: Option<i64>) -> Result<Unit, AppError> {
    let id = match id {
        Some(id) => id,
        None => super::movements::only_writable(user).ok_or(AppError::NotFound)?,
    };
    let u = st.store.unit(&user.scope, id).await?;
    if !user.scope.can_write(&u.path) || u.ended_on.is_some() {
        return Err(AppError::Forbidden);
    }
    Ok(u)
}

async fn replicate_page(
    st: &AppState,
    user: &CurrentUser,
    m: GoodModel,
    unit: Unit,
    mut form: FormState,
) -> PageResult {
    let tr = user.tr();
    form.lang = user.lang;
    let types = st.store.unit_types_below(&user.scope, unit.unit_id).await?;
    let clusters = st
        .store
        .clusters(&user.scope, unit.unit_id, None)
        .await
        .unwrap_or_default();
    let defaults = vec![
        ("due_on", format_vn_date(today() + time::Duration::days(90))),
        ("target_kind", "types".to_string()),
    ];
    let invalid = form.has_errors();
    let page = render(ReplicatePage {
        chrome: Chrome::new(user, tr.s("Nhân rộng mô hình", "Replicate the model")),
        m,
        unit,
        form,
        types,
        clusters,
        defaults,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

async fn replicate_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let m = st.store.model(&user.scope, id).await?;
    let unit = issuer_unit(&st, &user, q.unit).await?;
    replicate_page(&st, &user, m, unit, FormState::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReplicateForm {
    unit: i64,
    due_on: String,
    instructions: String,
    target_kind: String,
    types: String,
    cluster_id: String,
    units: String,
}

async fn replicate(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let tr = user.tr();
    let f: ReplicateForm = pick::merged(&pairs)?;
    let m = st.store.model(&user.scope, id).await?;
    let unit = issuer_unit(&st, &user, Some(f.unit)).await?;
    let again = |errs: Vec<FieldError>| {
        let (st, user, pairs, m, unit) = (&st, &user, pairs.clone(), m.clone(), unit.clone());
        async move {
            let fs = FormState::again("replicate", pairs, errs, st, user).await?;
            replicate_page(st, user, m, unit, fs).await
        }
    };
    if pairs.iter().any(|(k, _)| k == "pick") {
        return again(vec![]).await;
    }
    let mut errs = vec![];
    let due_on = parse_date_req(&f.due_on, "due_on", &mut errs);
    if due_on.is_some_and(|d| d < today()) {
        errs.push(FieldError::new(
            "due_on",
            "ST2514",
            "hạn báo cáo kết quả phải từ hôm nay trở đi.",
            "the results due date cannot be in the past.",
        ));
    }
    let spec = target_spec(
        &st,
        unit.unit_id,
        f.target_kind.trim(),
        &f.types,
        &f.cluster_id,
        "",
        &f.units,
        &mut errs,
    )
    .await;
    let by_type = preview_or_refuse(&st, &user, unit.unit_id, spec.as_ref(), &mut errs).await?;
    let (Some(due_on), Some(spec), true) = (due_on, spec, errs.is_empty()) else {
        return again(errs).await;
    };
    if !confirm::confirmed(&pairs) {
        let total: i64 = by_type.iter().map(|(_, n)| n).sum();
        let mut hidden = confirm::hidden(&pairs);
        hidden.retain(|(k, _)| k != "pick" && !k.ends_with("__q"));
        return ConfirmPage {
            chrome: Chrome::new(&user, tr.s("Xác nhận nhân rộng", "Confirm replication")),
            lead: format!(
                "{} «{}» {} {} {} ({}).",
                tr.s("Đề nghị nhân rộng", "Ask to replicate"),
                m.title,
                tr.s("tới", "to"),
                congdoan_domain::format_int(total),
                tr.s("đơn vị", "units"),
                by_type_text(&by_type)
            ),
            impacts: vec![
                Impact::count(total, tr.s("đơn vị nhận", "recipient units")),
                Impact::line(format!(
                    "{}: {}",
                    tr.s("Hạn báo cáo kết quả", "Results due"),
                    format_vn_date(due_on)
                )),
                Impact::line(tr.s(
                    "Mỗi đơn vị nhận thấy đề nghị trong «Việc cần làm», xác nhận đã áp dụng rồi báo cáo kết quả.",
                    "Each recipient sees it in its to-do list, marks it adopted, then reports results.",
                )),
            ],
            irreversible: vec![
                tr.s(
                    "Đề nghị đã gửi không thu hồi được.",
                    "A sent request cannot be withdrawn.",
                )
                .to_string(),
            ],
            action: format!("/models/{id}/replicate"),
            hidden,
            button: tr.s("Gửi đề nghị nhân rộng", "Send").into(),
            back: format!("/models/{id}/replicate?unit={}", unit.unit_id),
        }
        .render();
    }
    let input = ReplicateInput {
        issuer_unit_id: unit.unit_id,
        targets: spec,
        due_on,
        instructions: Some(f.instructions.clone()),
    };
    match st.store.replicate_model(&user.scope, id, input).await {
        Ok(_) => see_other(&format!("/models/{id}?notice=replicated")),
        Err(e) => again(store_errors(e, "targets")?).await,
    }
}

/// An owed replication with its state named.
struct OwedRow {
    o: ReplicationOwed,
    state: &'static str,
    late: bool,
}

#[derive(Template)]
#[template(path = "models_owed.html")]
struct OwedPage {
    chrome: Chrome,
    rows: Vec<OwedRow>,
}

async fn owed_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let tr = user.tr();
    let units = match q.unit {
        Some(u) => {
            st.store.unit(&user.scope, u).await?;
            vec![u]
        }
        None => own_units(&user),
    };
    let day = today();
    let rows = st
        .store
        .replications_owed(&user.scope, &units, 100)
        .await?
        .into_iter()
        .map(|o| {
            let s = o.owed.target.state();
            let late = o.owed.target.responded_at.is_none() && o.owed.target.due_on < day;
            OwedRow {
                state: state_name(&tr, s.code()),
                late,
                o,
            }
        })
        .collect();
    render(OwedPage {
        chrome: Chrome::new(
            &user,
            tr.s("Mô hình được đề nghị nhân rộng", "Models to replicate"),
        ),
        rows,
    })
}

/// The replication flow's words for a target state.
fn state_name(tr: &crate::Tr, code: &str) -> &'static str {
    match code {
        "pending" => tr.s("Chưa áp dụng", "Not adopted yet"),
        "acknowledged" => tr.s("Đã áp dụng", "Adopted"),
        "implemented" => tr.s("Đã báo cáo kết quả", "Results reported"),
        _ => tr.s("Khác", "Other"),
    }
}

#[derive(Template)]
#[template(path = "model_recipient.html")]
struct RecipientPage {
    chrome: Chrome,
    request_id: i64,
    issuer_name: String,
    instructions: Option<String>,
    m: Option<GoodModel>,
    t: Target,
    state: &'static str,
    can_act: bool,
    events: Vec<RequestEvent>,
    evidence: Vec<congdoan_store::RequestFile>,
    errors: Vec<FieldError>,
    note: String,
    notice: Option<&'static str>,
}

async fn recipient_view(
    st: &AppState,
    user: &CurrentUser,
    request_id: i64,
    unit: Option<i64>,
    notice: Option<&str>,
    errors: Vec<FieldError>,
    note: String,
) -> PageResult {
    let tr = user.tr();
    let d = st.store.request(&user.scope, request_id).await?;
    if d.request.kind != "replication" {
        return Err(AppError::NotFound);
    }
    let unit = match unit {
        Some(u) => u,
        None => match own_units(user).as_slice() {
            [one] => *one,
            _ => return Err(AppError::NotFound),
        },
    };
    let t = st
        .store
        .request_target(&user.scope, request_id, unit)
        .await?;
    let model = match st.store.model_of_request(request_id).await? {
        Some(mid) => Some(st.store.model(&user.scope, mid).await?),
        None => None,
    };
    let events = st
        .store
        .request_events(&user.scope, request_id, unit)
        .await?;
    let evidence = st
        .store
        .response_files(&user.scope, request_id, unit)
        .await?;
    let notice = match notice {
        Some("adopted") => Some(tr.s(
            "Đã ghi nhận: đơn vị đã áp dụng mô hình.",
            "Recorded: adopted.",
        )),
        Some("reported") => Some(tr.s("Đã gửi báo cáo kết quả.", "Results sent.")),
        _ => None,
    };
    let invalid = !errors.is_empty();
    let page = render(RecipientPage {
        chrome: Chrome::new(user, tr.s("Nhân rộng mô hình", "Replicating a model")),
        request_id,
        issuer_name: d.request.issuer_name.clone(),
        instructions: d.request.body.clone(),
        m: model,
        state: state_name(&tr, &t.state),
        can_act: user.scope.can_write(&t.unit_path) && t.ended_on.is_none(),
        t,
        events,
        evidence,
        errors,
        note,
        notice,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

async fn recipient_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    recipient_view(
        &st,
        &user,
        id,
        q.unit,
        q.notice.as_deref(),
        vec![],
        String::new(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    unit: i64,
    note: String,
}

async fn adopt(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<StepForm>,
) -> PageResult {
    let step = st
        .store
        .request_step(
            &user.scope,
            id,
            f.unit,
            Action::Acknowledge,
            StepInput {
                note: Some(f.note.clone()),
                ..StepInput::default()
            },
            today(),
        )
        .await;
    match step {
        Ok(_) => see_other(&format!(
            "/models/replications/{id}?unit={}&notice=adopted",
            f.unit
        )),
        Err(e) => {
            let errors = super::field_errors(e.into())?;
            recipient_view(&st, &user, id, Some(f.unit), None, errors, f.note).await
        }
    }
}

async fn report(State(st): State<AppState>, Path(id): Path<i64>, form: FilesForm) -> PageResult {
    let FilesForm { user, pairs, files } = form;
    let f: StepForm = confirm::typed(&pairs)?;
    let mut errs = vec![];
    check_files(&files, &mut errs);
    let result = if errs.is_empty() {
        st.store
            .request_step(
                &user.scope,
                id,
                f.unit,
                Action::Implement,
                StepInput {
                    note: Some(f.note.clone()),
                    files: files.clone(),
                    ..StepInput::default()
                },
                today(),
            )
            .await
            .map(|_| ())
            .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(()) => see_other(&format!(
            "/models/replications/{id}?unit={}&notice=reported",
            f.unit
        )),
        Err(e) => {
            let mut errors: Vec<FieldError> = super::field_errors(e)?
                .into_iter()
                .map(|mut e| {
                    // The step names its text "note"; here it is the results.
                    if e.field == "note" {
                        e.field = "model_results".into();
                        e.message = e.message.replacen("Ghi chú, kết quả:", "Kết quả:", 1);
                        e.message_en = e.message_en.replacen("Note:", "Results:", 1);
                    }
                    e
                })
                .collect();
            if !files.is_empty() && !errors.iter().any(|e| e.field == "file") {
                errors.push(FieldError::new(
                    "file",
                    "WE1409",
                    "vì lý do an toàn, hãy chọn lại các tệp đính kèm.",
                    "for safety, choose the attached files again.",
                ));
            }
            recipient_view(&st, &user, id, Some(f.unit), None, errors, f.note).await
        }
    }
}
