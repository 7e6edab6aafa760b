//! Directives (chỉ đạo, văn bản; issue 14): what a unit received and issued, issuing a
//! numbered document to a target set (confirmed first), and one document's page: the
//! recipient's steps (acknowledge, forward down, report implementation) and the
//! issuer's board (per level and unit, per type, propagation time, whom to chase).
//! The mechanism is `congdoan_store::requests`; these pages only read and post to it.

use super::confirm::{self, ConfirmPage, Impact};
use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{Chrome, PageResult, render, see_other};
use crate::auth::{CsrfForm, CurrentUser, constant_eq};
use crate::error::FieldError;
use crate::forms::parse_date_req;
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use base64::Engine as _;
use congdoan_domain::date::format_vn_date;
use congdoan_domain::request::{
    self as rq, Action, DOC_TYPES, MAX_FILE_BYTES, MAX_FILES_PER_TARGET, RequestKind, TargetSpec,
};
use congdoan_store::{
    Agreement, Board, Chase, ChaseRow, Cluster, Forward, NewDirective, NewFile, Owed,
    RequestDetail, RequestEvent, RequestFile, Sent, StepInput, Target, TargetList, Unit, UnitHit,
};
use serde::Deserialize;

/// The largest body of a form carrying files: every file at the limit, base64-encoded
/// again on the confirmation page, plus the text fields.
const BODY_LIMIT: usize = MAX_FILES_PER_TARGET * MAX_FILE_BYTES * 4 / 3 + 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/directives",
            get(directives_page)
                .post(create_directive)
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/directives/new", get(new_directive))
        .route("/directives/{id}", get(directive_page))
        .route("/directives/{id}/units", get(target_list_page))
        .route("/directives/{id}/acknowledge", post(acknowledge))
        .route(
            "/directives/{id}/implement",
            post(implement).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/directives/{id}/forward", get(forward_form).post(forward))
        .route("/requests/files/{id}", get(download))
}

/// A form's fields and files, accepted only with the session's CSRF token (the
/// multipart twin of `CsrfForm<Pairs>`); a plain urlencoded body (the confirmation
/// page, which carries the files base64-encoded) is read too.
pub struct FilesForm {
    pub user: CurrentUser,
    pub pairs: Pairs,
    pub files: Vec<NewFile>,
}

impl FromRequest<AppState> for FilesForm {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = <CurrentUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, state,
        )
        .await?;
        // Refused before the body is read to those who may write nowhere.
        crate::auth::require_write_somewhere(&user, parts.uri.path())?;
        let multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/"));
        let req = Request::from_parts(parts, body);
        let too_large = |status: axum::http::StatusCode, text: String| {
            if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge(BODY_LIMIT / 1024 / 1024)
            } else {
                AppError::BadRequest(text)
            }
        };
        let mut pairs: Pairs = vec![];
        let mut files = vec![];
        if multipart {
            let mut mp = Multipart::from_request(req, state)
                .await
                .map_err(|e| too_large(e.status(), e.body_text()))?;
            while let Some(field) = mp
                .next_field()
                .await
                .map_err(|e| too_large(e.status(), e.body_text()))?
            {
                let name = field.name().unwrap_or("").to_string();
                if name == "files" {
                    let file_name = field.file_name().unwrap_or("").to_string();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|e| too_large(e.status(), e.body_text()))?;
                    if !bytes.is_empty() {
                        files.push(NewFile {
                            name: file_name,
                            bytes: bytes.to_vec(),
                        });
                    }
                } else {
                    let v = field.text().await.unwrap_or_default();
                    pairs.push((name, v));
                }
            }
        } else {
            let axum::Form(p) = axum::Form::<Pairs>::from_request(req, state)
                .await
                .map_err(|e| too_large(e.status(), e.body_text()))?;
            pairs = p;
        }
        // Files carried by a confirmation page: file_name/file_b64 pairs in order.
        let names: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k == "file_name")
            .map(|(_, v)| v.clone())
            .collect();
        let datas: Vec<&String> = pairs
            .iter()
            .filter(|(k, _)| k == "file_b64")
            .map(|(_, v)| v)
            .collect();
        for (name, data) in names.into_iter().zip(datas) {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data.as_bytes())
                .map_err(|_| AppError::BadRequest("file_b64".into()))?;
            files.push(NewFile { name, bytes });
        }
        pairs.retain(|(k, _)| k != "file_name" && k != "file_b64");
        let csrf = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.clone());
        let token_ok = match (&user.csrf, &csrf) {
            (Some(expected), Some(got)) => constant_eq(expected, got),
            (None, _) => true,
            _ => false,
        };
        if !token_ok {
            return Err(AppError::Forbidden);
        }
        Ok(FilesForm { user, pairs, files })
    }
}

/// The unit a page is for: the one asked for, or the caller's only granted unit.
pub(super) async fn home_unit(
    st: &AppState,
    user: &CurrentUser,
    id: Option<i64>,
) -> Result<Option<Unit>, AppError> {
    if let Some(id) = id {
        return Ok(Some(st.store.unit(&user.scope, id).await?));
    }
    if user.scope.is_admin() {
        return Ok(None);
    }
    let roots = own_units(user);
    Ok(match roots.as_slice() {
        [one] => Some(st.store.unit(&user.scope, *one).await?),
        _ => None,
    })
}

/// The roots of the caller's grants.
pub(super) fn own_units(user: &CurrentUser) -> Vec<i64> {
    user.scope.read_roots()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    unit: Option<i64>,
    q: String,
}

/// An owed document with its deadline as text.
struct OwedRow {
    o: Owed,
    due_text: String,
    late: bool,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "directives.html")]
struct DirectivesPage {
    chrome: Chrome,
    unit: Option<Unit>,
    can_issue: bool,
    owed: Vec<OwedRow>,
    sent: Vec<Sent>,
    q: String,
    hits: Vec<UnitHit>,
}

async fn directives_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let tr = user.tr();
    let unit = home_unit(&st, &user, q.unit).await?;
    let (mut owed, mut sent, mut hits) = (vec![], vec![], vec![]);
    let day = today();
    if let Some(u) = &unit {
        for o in st
            .store
            .requests_owed(
                &user.scope,
                u.unit_id,
                Some(RequestKind::Directive),
                false,
                200,
            )
            .await?
        {
            let due = o.target.due(RequestKind::Directive, day);
            let state = o.target.state();
            owed.push(OwedRow {
                due_text: due.text_vi(),
                late: matches!(due, rq::Due::Late(_)),
                state: tr.s(state.name_vi(), state.name_en()),
                o,
            });
        }
        sent = st
            .store
            .requests_sent(&user.scope, u.unit_id, Some(RequestKind::Directive), 200)
            .await?;
    } else if !q.q.trim().is_empty() {
        hits = st
            .store
            .search_units(&user.scope, &q.q, &[], false, false, 20)
            .await?;
    }
    let title = match &unit {
        Some(u) => format!("{} — {}", tr.s("Chỉ đạo, văn bản", "Directives"), u.name),
        None => tr.s("Chỉ đạo, văn bản", "Directives").to_string(),
    };
    render(DirectivesPage {
        chrome: Chrome::new(&user, &title),
        can_issue: unit
            .as_ref()
            .is_some_and(|u| u.ended_on.is_none() && user.scope.can_write(&u.path)),
        unit,
        owed,
        sent,
        q: q.q,
        hits,
    })
}

#[derive(Template)]
#[template(path = "directive_new.html")]
struct NewPage {
    chrome: Chrome,
    unit: Unit,
    form: FormState,
    doc_types: Vec<(&'static str, &'static str)>,
    /// (type code, name, how many) below the unit.
    types: Vec<(String, String, i64)>,
    clusters: Vec<Cluster>,
    agreements: Vec<Agreement>,
    /// The next free number per document type, for the hint.
    next_seq: i64,
    defaults: Vec<(&'static str, String)>,
}

impl NewPage {
    fn default_of(&self, name: &str) -> String {
        self.defaults
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    /// The value shown in a field: the posted one, or the default.
    fn v(&self, name: &str) -> String {
        self.form.val_or("directive", name, &self.default_of(name))
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        let v = self.v(name);
        v.split_whitespace().any(|x| x == value)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    unit: Option<i64>,
}

async fn new_directive(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let unit = home_unit(&st, &user, q.unit)
        .await?
        .ok_or(AppError::NotFound)?;
    new_page(&st, &user, unit, FormState::default()).await
}

async fn new_page(
    st: &AppState,
    user: &CurrentUser,
    unit: Unit,
    mut form: FormState,
) -> PageResult {
    let tr = user.tr();
    if !user.scope.can_write(&unit.path) || unit.ended_on.is_some() {
        return Err(AppError::Forbidden);
    }
    form.lang = user.lang;
    let day = today();
    let doc_type = {
        let v = form.val("directive", "doc_type");
        rq::parse_doc_type(&v).unwrap_or("KH")
    };
    let next_seq = st
        .store
        .next_doc_seq(unit.unit_id, doc_type, i64::from(day.year()))
        .await?;
    let types = st.store.unit_types_below(&user.scope, unit.unit_id).await?;
    let clusters = st
        .store
        .clusters(&user.scope, unit.unit_id, None)
        .await
        .unwrap_or_default();
    let agreements = st
        .store
        .agreements(&user.scope, unit.unit_id)
        .await
        .unwrap_or_default();
    let defaults = vec![
        ("doc_type", doc_type.to_string()),
        ("seq", next_seq.to_string()),
        (
            "issuer_abbrev",
            rq::issuer_abbrev(&unit.type_code).to_string(),
        ),
        ("issued_on", format_vn_date(day)),
        ("due_on", format_vn_date(day + time::Duration::days(30))),
        ("target_kind", "types".to_string()),
    ];
    let invalid = form.has_errors();
    let page = render(NewPage {
        chrome: Chrome::new(user, tr.s("Ban hành văn bản", "Issue a document")),
        doc_types: DOC_TYPES
            .iter()
            .map(|(c, vi, en)| (*c, tr.s(vi, en)))
            .collect(),
        unit,
        form,
        types,
        clusters,
        agreements,
        next_seq,
        defaults,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewForm {
    unit: i64,
    doc_type: String,
    seq: String,
    issuer_abbrev: String,
    issued_on: String,
    summary: String,
    body: String,
    due_on: String,
    target_kind: String,
    types: String,
    cluster_id: String,
    agreement_id: String,
    units: String,
}

/// A store error on the summary names the field as this form does.
fn relabel(mut errs: Vec<FieldError>) -> Vec<FieldError> {
    for e in &mut errs {
        if e.field == "title" {
            e.field = "summary".into();
            e.message = e.message.replacen("Tên quy chế", "Trích yếu", 1);
            e.message_en = e.message_en.replacen("Title", "Summary", 1);
        }
    }
    errs
}

/// The target set a form describes, or the errors naming what is missing.
#[allow(clippy::too_many_arguments)]
pub(super) async fn target_spec(
    st: &AppState,
    root: i64,
    kind: &str,
    types: &str,
    cluster: &str,
    agreement: &str,
    units: &str,
    errs: &mut Vec<FieldError>,
) -> Option<TargetSpec> {
    match kind {
        "types" => {
            let types: Vec<String> = types.split_whitespace().map(str::to_string).collect();
            if types.is_empty() {
                errs.push(FieldError::new(
                    "types",
                    "WE1401",
                    "chọn ít nhất một loại đơn vị nhận.",
                    "choose at least one type of recipient unit.",
                ));
                return None;
            }
            Some(TargetSpec::Subtree { root, types })
        }
        "cluster" => match cluster.trim().parse::<i64>() {
            Ok(cluster_id) => Some(TargetSpec::Cluster { cluster_id }),
            Err(_) => {
                errs.push(FieldError::new(
                    "cluster_id",
                    "WE1402",
                    "chọn một cụm, khối thi đua.",
                    "choose a cluster or block.",
                ));
                None
            }
        },
        "agreement" => match agreement.trim().parse::<i64>() {
            Ok(agreement_id) => Some(TargetSpec::Agreement { agreement_id }),
            Err(_) => {
                errs.push(FieldError::new(
                    "agreement_id",
                    "WE1403",
                    "chọn một quy chế phối hợp.",
                    "choose a coordination agreement.",
                ));
                None
            }
        },
        "units" => {
            let mut ids = vec![];
            for code in units
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|c| !c.is_empty())
            {
                match pick::unit_code(st, "units", code).await {
                    Ok(id) => ids.push(id),
                    Err(e) => errs.push(e),
                }
            }
            if ids.is_empty() && !errs.iter().any(|e| e.field == "units") {
                errs.push(FieldError::new(
                    "units",
                    "WE1404",
                    "chọn ít nhất một đơn vị nhận.",
                    "choose at least one recipient unit.",
                ));
            }
            (!ids.is_empty()).then_some(TargetSpec::Units { units: ids })
        }
        _ => {
            errs.push(FieldError::new(
                "target_kind",
                "WE1405",
                "chọn gửi theo loại đơn vị, cụm, khối, quy chế phối hợp hoặc từng đơn vị.",
                "choose recipients by unit type, cluster, agreement or unit by unit.",
            ));
            None
        }
    }
}

/// Checks each file by its content, naming the file that is refused.
pub(super) fn check_files(files: &[NewFile], errs: &mut Vec<FieldError>) {
    if files.len() > MAX_FILES_PER_TARGET {
        errs.push(FieldError::new(
            "file",
            "WE1406",
            &format!("đính kèm tối đa {MAX_FILES_PER_TARGET} tệp."),
            &format!("attach at most {MAX_FILES_PER_TARGET} files."),
        ));
    }
    for f in files {
        if let Err(e) = rq::sniff_document(&f.name, &f.bytes) {
            errs.push(FieldError {
                field: "file".into(),
                code: e.code.into(),
                message: e.vi,
                message_en: e.en,
            });
        }
    }
}

/// The files again as hidden fields of a confirmation page.
fn files_hidden(files: &[NewFile]) -> Vec<(String, String)> {
    files
        .iter()
        .flat_map(|f| {
            [
                ("file_name".to_string(), f.name.clone()),
                (
                    "file_b64".to_string(),
                    base64::engine::general_purpose::STANDARD.encode(&f.bytes),
                ),
            ]
        })
        .collect()
}

/// "1.200 CĐCS, 34 công đoàn xã".
pub(super) fn by_type_text(by_type: &[(String, i64)]) -> String {
    by_type
        .iter()
        .map(|(name, n)| format!("{} {name}", congdoan_domain::format_int(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn create_directive(State(st): State<AppState>, form: FilesForm) -> PageResult {
    let FilesForm { user, pairs, files } = form;
    let tr = user.tr();
    let f: NewForm = pick::merged(&pairs)?;
    let unit = st.store.unit(&user.scope, f.unit).await?;
    let again = |errs: Vec<FieldError>| {
        let (st, user, unit, pairs) = (&st, &user, unit.clone(), pairs.clone());
        async move {
            let fs = FormState::again("directive", pairs, errs, st, user).await?;
            new_page(st, user, unit, fs).await
        }
    };
    if pairs.iter().any(|(k, _)| k == "pick") {
        return again(vec![]).await;
    }
    let mut errs = vec![];
    let doc_type = match rq::parse_doc_type(&f.doc_type) {
        Ok(t) => Some(t),
        Err(e) => {
            errs.push(FieldError::new("doc_type", e.code, &e.vi, &e.en));
            None
        }
    };
    let seq = match f.seq.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errs.push(FieldError::new(
                    "seq",
                    "WE1407",
                    &format!("phải là số nguyên dương, không phải '{s}'."),
                    &format!("must be a positive whole number, not '{s}'."),
                ));
                None
            }
        },
    };
    let issued_on = parse_date_req(&f.issued_on, "issued_on", &mut errs);
    let due_on = parse_date_req(&f.due_on, "due_on", &mut errs);
    let spec = target_spec(
        &st,
        unit.unit_id,
        f.target_kind.trim(),
        &f.types,
        &f.cluster_id,
        &f.agreement_id,
        &f.units,
        &mut errs,
    )
    .await;
    check_files(&files, &mut errs);
    let by_type = preview_or_refuse(&st, &user, unit.unit_id, spec.as_ref(), &mut errs).await?;
    if !files.is_empty() && !errs.is_empty() {
        errs.push(FieldError::new(
            "file",
            "WE1409",
            "vì lý do an toàn, hãy chọn lại các tệp đính kèm.",
            "for safety, choose the attached files again.",
        ));
    }
    let (Some(doc_type), Some(issued_on), Some(due_on), Some(spec), true) =
        (doc_type, issued_on, due_on, spec, errs.is_empty())
    else {
        return again(relabel(errs)).await;
    };
    let abbrev = match f.issuer_abbrev.trim() {
        "" => rq::issuer_abbrev(&unit.type_code).to_string(),
        a => a.to_string(),
    };
    let seq_shown = match seq {
        Some(s) => s,
        None => {
            st.store
                .next_doc_seq(unit.unit_id, doc_type, i64::from(issued_on.year()))
                .await?
        }
    };
    let number = rq::format_doc_number(seq_shown, doc_type, &abbrev);
    if !confirm::confirmed(&pairs) {
        let total: i64 = by_type.iter().map(|(_, n)| n).sum();
        let type_name = rq::doc_type_name(doc_type).unwrap_or(doc_type);
        let mut hidden = confirm::hidden(&pairs);
        hidden.retain(|(k, _)| k != "pick" && !k.ends_with("__q"));
        hidden.extend(files_hidden(&files));
        let mut impacts = vec![Impact::count(
            total,
            &format!(
                "{} ({})",
                tr.s("đơn vị nhận", "recipient units"),
                by_type_text(&by_type)
            ),
        )];
        impacts.push(Impact::line(format!(
            "{}: {}",
            tr.s("Hạn báo cáo thực hiện", "Implementation report due"),
            format_vn_date(due_on)
        )));
        if !files.is_empty() {
            impacts.push(Impact::count(
                files.len() as i64,
                tr.s("tệp đính kèm", "attached files"),
            ));
        }
        return ConfirmPage {
            chrome: Chrome::new(&user, tr.s("Xác nhận ban hành", "Confirm issuing")),
            lead: format!(
                "{} {type_name} {} {number} «{}» {} {} {} ({}).",
                tr.s("Gửi", "Send"),
                tr.s("số", "no."),
                f.summary.trim(),
                tr.s("tới", "to"),
                congdoan_domain::format_int(total),
                tr.s("đơn vị", "units"),
                by_type_text(&by_type)
            ),
            impacts,
            irreversible: vec![
                tr.s(
                    "Văn bản đã gửi không sửa, không thu hồi được; số văn bản được dùng cho văn bản này.",
                    "A sent document cannot be edited or withdrawn; its number is used up.",
                )
                .to_string(),
            ],
            action: "/directives".into(),
            hidden,
            button: tr.s("Ban hành và gửi", "Issue and send").into(),
            back: format!("/directives/new?unit={}", unit.unit_id),
        }
        .render();
    }
    let input = NewDirective {
        issuer_unit_id: unit.unit_id,
        doc_type: doc_type.to_string(),
        seq,
        issuer_abbrev: Some(abbrev),
        issued_on,
        title: f.summary.clone(),
        body: Some(f.body.clone()),
        due_on,
        targets: spec,
        files,
    };
    match st.store.issue_directive(&user.scope, input).await {
        Ok(r) => see_other(&format!("/directives/{}?notice=sent", r.request_id)),
        Err(e) => {
            let mut errs = relabel(store_errors(e, "targets")?);
            errs.push(FieldError::new(
                "file",
                "WE1409",
                "vì lý do an toàn, hãy chọn lại các tệp đính kèm.",
                "for safety, choose the attached files again.",
            ));
            again(errs).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DirectiveQuery {
    unit: Option<i64>,
    level: Option<i64>,
    notice: Option<String>,
}

/// A figure of the board with the list it counts.
struct Fig {
    n: i64,
    link: String,
}

struct BoardView {
    b: Board,
    expected: Fig,
    acknowledged: Fig,
    forwarded: Fig,
    implemented: Fig,
    late: Fig,
    rows: Vec<(congdoan_store::BoardRow, Vec<Fig>)>,
    median: String,
    p90: String,
    /// (table id, title, rows): the late units, the units not acknowledged.
    chases: Vec<(&'static str, String, Vec<ChaseRow>)>,
    /// The level above, to go back up (None at the issuer).
    up: Option<i64>,
}

#[derive(Template)]
#[template(path = "directive.html")]
struct DirectivePage {
    chrome: Chrome,
    d: RequestDetail,
    doc_type_name: String,
    notice: Option<String>,
    /// The caller's unit's obligation, its history and evidence.
    mine: Option<Target>,
    mine_state: String,
    mine_due: String,
    can_act: bool,
    can_forward: bool,
    events: Vec<RequestEvent>,
    evidence: Vec<RequestFile>,
    board: Option<BoardView>,
    /// A refused step's errors.
    errors: Vec<FieldError>,
}

fn list_link(id: i64, level: i64, list: TargetList) -> String {
    format!("/directives/{id}/units?level={level}&list={}", list.code())
}

async fn directive_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DirectiveQuery>,
) -> PageResult {
    directive_view(&st, &user, id, q, vec![]).await
}

/// The document's page; with the errors of a step that was refused (422).
async fn directive_view(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    q: DirectiveQuery,
    errors: Vec<FieldError>,
) -> PageResult {
    let (st, user) = (st, user);
    let tr = user.tr();
    let d = st.store.request(&user.scope, id).await?;
    if d.request.kind() != RequestKind::Directive {
        return Err(AppError::NotFound);
    }
    let day = today();
    // The unit whose obligation is shown: asked for, or one of the caller's own.
    let mut mine = None;
    let candidates: Vec<i64> = match q.unit {
        Some(u) => vec![u],
        None => own_units(user),
    };
    for u in candidates {
        if let Ok(t) = st.store.request_target(&user.scope, id, u).await {
            mine = Some(t);
            break;
        }
    }
    let (mut events, mut evidence, mut can_act, mut can_forward) = (vec![], vec![], false, false);
    let (mut mine_state, mut mine_due) = (String::new(), String::new());
    if let Some(t) = &mine {
        events = st.store.request_events(&user.scope, id, t.unit_id).await?;
        evidence = st.store.response_files(&user.scope, id, t.unit_id).await?;
        can_act = t.ended_on.is_none() && user.scope.can_write(&t.unit_path);
        can_forward = can_act
            && !st
                .store
                .unit_types_below(&user.scope, t.unit_id)
                .await?
                .is_empty();
        let s = t.state();
        mine_state = tr.s(s.name_vi(), s.name_en()).to_string();
        mine_due = t.due(RequestKind::Directive, day).text_vi();
    }
    // The board: the issuer's (or a level below), or the forwarding unit's own subtree.
    let level = match (q.level, &mine) {
        (Some(l), _) => Some(l),
        (None, _) if d.issuer_view => Some(d.request.issuer_unit_id),
        (None, Some(t)) if t.forwarded_at.is_some() => Some(t.unit_id),
        // An upper level that is not itself a target sees its own subtree's part.
        (None, None) => match own_units(user).as_slice() {
            [one] => Some(*one),
            _ => None,
        },
        _ => None,
    };
    let board = match level {
        Some(l) => Some(board_view(st, user, id, l, &d).await?),
        None => None,
    };
    let notice = q.notice.as_deref().and_then(|n| match n {
        "sent" => Some(tr.s(
            "Đã ban hành và gửi văn bản tới các đơn vị nhận.",
            "The document was issued and sent.",
        )),
        "acknowledged" => Some(tr.s("Đã xác nhận đã nhận văn bản.", "Receipt acknowledged.")),
        "implemented" => Some(tr.s(
            "Đã gửi báo cáo thực hiện.",
            "The implementation report was sent.",
        )),
        "forwarded" => Some(tr.s(
            "Đã chuyển tiếp văn bản xuống các đơn vị trực thuộc.",
            "The document was forwarded down.",
        )),
        _ => None,
    });
    let doc_type_name = d
        .request
        .doc_type
        .as_deref()
        .and_then(rq::doc_type_name)
        .unwrap_or("")
        .to_string();
    let title = match &d.request.doc_number {
        Some(n) => format!("{doc_type_name} {} {n}", tr.s("số", "no.")),
        None => d.request.title.clone(),
    };
    let invalid = !errors.is_empty();
    let page = render(DirectivePage {
        chrome: Chrome::new(user, &title),
        d,
        doc_type_name,
        notice: notice.map(str::to_string),
        mine,
        mine_state,
        mine_due,
        can_act,
        can_forward,
        events,
        evidence,
        board,
        errors,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

async fn board_view(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    level: i64,
    d: &RequestDetail,
) -> Result<BoardView, AppError> {
    let day = today();
    let b = st.store.request_board(&user.scope, id, Some(level)).await?;
    let late_rows = st
        .store
        .request_chase(&user.scope, id, Some(level), Chase::Late, day)
        .await?;
    let unack_rows = st
        .store
        .request_chase(&user.scope, id, Some(level), Chase::Unacknowledged, day)
        .await?;
    let (_, late) = st
        .store
        .request_target_list(&user.scope, id, Some(level), TargetList::Late, day)
        .await?;
    let fig = |n: i64, l: TargetList| Fig {
        n,
        link: list_link(id, level, l),
    };
    let mut rows = vec![];
    for r in &b.rows {
        let figs = vec![
            Fig {
                n: r.rates.expected,
                link: list_link(id, r.unit_id, TargetList::Expected),
            },
            Fig {
                n: r.rates.acknowledged,
                link: list_link(id, r.unit_id, TargetList::Acknowledged),
            },
            Fig {
                n: r.rates.forwarded,
                link: list_link(id, r.unit_id, TargetList::Forwarded),
            },
            Fig {
                n: r.rates.received,
                link: list_link(id, r.unit_id, TargetList::Implemented),
            },
        ];
        rows.push((r.clone(), figs));
    }
    let up = if level == d.request.issuer_unit_id {
        None
    } else {
        b.level
            .parent_id
            .filter(|p| user.scope.can_read_id_hint(*p))
    };
    Ok(BoardView {
        expected: fig(b.rates.expected, TargetList::Expected),
        acknowledged: fig(b.rates.acknowledged, TargetList::Acknowledged),
        forwarded: fig(b.rates.forwarded, TargetList::Forwarded),
        implemented: fig(b.rates.received, TargetList::Implemented),
        late: fig(late, TargetList::Late),
        rows,
        median: b
            .propagation
            .median_secs
            .map(rq::duration_vi)
            .unwrap_or_else(|| "—".into()),
        p90: b
            .propagation
            .p90_secs
            .map(rq::duration_vi)
            .unwrap_or_else(|| "—".into()),
        chases: vec![
            (
                "chase-late",
                user.tr().s("Đơn vị chậm báo cáo", "Late units").to_string(),
                late_rows,
            ),
            (
                "chase-unack",
                user.tr()
                    .s("Đơn vị chưa xác nhận", "Units not acknowledged")
                    .to_string(),
                unack_rows,
            ),
        ],
        up,
        b,
    })
}

trait ScopeHint {
    fn can_read_id_hint(&self, id: i64) -> bool;
}

impl ScopeHint for congdoan_store::Scope {
    /// Whether a unit id lies on one of the readable paths (the board's "up" link).
    fn can_read_id_hint(&self, id: i64) -> bool {
        self.is_admin()
            || self
                .read_paths()
                .iter()
                .any(|p| p.contains(&format!("/{id}/")))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    level: Option<i64>,
    list: String,
}

#[derive(Template)]
#[template(path = "directive_units.html")]
struct UnitsPage {
    chrome: Chrome,
    d: RequestDetail,
    level: Unit,
    list: &'static str,
    rows: Vec<(Target, String, String)>,
    total: i64,
}

async fn target_list_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ListParams>,
) -> PageResult {
    let tr = user.tr();
    let list = TargetList::parse(q.list.trim()).unwrap_or(TargetList::Expected);
    let d = st.store.request(&user.scope, id).await?;
    let level_id = q.level.unwrap_or(d.request.issuer_unit_id);
    let level = st.store.unit(&user.scope, level_id).await?;
    let day = today();
    let (targets, total) = st
        .store
        .request_target_list(&user.scope, id, Some(level_id), list, day)
        .await?;
    let rows = targets
        .into_iter()
        .map(|t| {
            let s = t.state();
            let state = tr.s(s.name_vi(), s.name_en()).to_string();
            let due = t.due(RequestKind::Directive, day).text_vi();
            (t, state, due)
        })
        .collect();
    let what = match list {
        TargetList::Expected => tr.s("Đơn vị nhận", "Recipient units"),
        TargetList::Acknowledged => tr.s("Đơn vị đã xác nhận", "Units that acknowledged"),
        TargetList::Unacknowledged => tr.s("Đơn vị chưa xác nhận", "Units not acknowledged"),
        TargetList::Forwarded => tr.s("Đơn vị đã chuyển tiếp", "Units that forwarded"),
        TargetList::Implemented => tr.s("Đơn vị đã báo cáo thực hiện", "Units that reported"),
        TargetList::Late => tr.s("Đơn vị chậm báo cáo", "Units late reporting"),
    };
    render(UnitsPage {
        chrome: Chrome::new(&user, &format!("{what} — {}", level.name)),
        d,
        level,
        list: list.code(),
        rows,
        total,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    unit: i64,
    note: String,
}

async fn acknowledge(
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
                note: Some(f.note),
                ..StepInput::default()
            },
            today(),
        )
        .await;
    if let Err(e) = step {
        let errors = super::field_errors(e.into())?;
        let q = DirectiveQuery {
            unit: Some(f.unit),
            ..DirectiveQuery::default()
        };
        return directive_view(&st, &user, id, q, errors).await;
    }
    see_other(&format!(
        "/directives/{id}?unit={}&notice=acknowledged",
        f.unit
    ))
}

#[derive(Template)]
#[template(path = "directive_report.html")]
struct ReportPage {
    chrome: Chrome,
    d: RequestDetail,
    unit: i64,
    note: String,
    errors: Vec<FieldError>,
}

async fn implement(State(st): State<AppState>, Path(id): Path<i64>, form: FilesForm) -> PageResult {
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
                    files,
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
            "/directives/{id}?unit={}&notice=implemented",
            f.unit
        )),
        Err(e) => {
            let mut errors = super::field_errors(e)?;
            if !errors.iter().any(|e| e.field == "file") {
                errors.push(FieldError::new(
                    "file",
                    "WE1409",
                    "vì lý do an toàn, hãy chọn lại các tệp đính kèm.",
                    "for safety, choose the attached files again.",
                ));
            }
            let tr = user.tr();
            let d = st.store.request(&user.scope, id).await?;
            let page = render(ReportPage {
                chrome: Chrome::new(&user, tr.s("Báo cáo thực hiện", "Implementation report")),
                d,
                unit: f.unit,
                note: f.note,
                errors,
            })?;
            Ok(pick::unprocessable(page, true))
        }
    }
}

#[derive(Template)]
#[template(path = "directive_forward.html")]
struct ForwardPage {
    chrome: Chrome,
    d: RequestDetail,
    target: Target,
    types: Vec<(String, String, i64)>,
    form: FormState,
    defaults: Vec<(&'static str, String)>,
}

impl ForwardPage {
    fn v(&self, name: &str) -> String {
        let default = self
            .defaults
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.form.val_or("forward", name, &default)
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        self.v(name).split_whitespace().any(|x| x == value)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitOnly {
    unit: i64,
}

async fn forward_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<UnitOnly>,
) -> PageResult {
    forward_page(&st, &user, id, q.unit, FormState::default()).await
}

async fn forward_page(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    unit: i64,
    mut form: FormState,
) -> PageResult {
    let tr = user.tr();
    form.lang = user.lang;
    let d = st.store.request(&user.scope, id).await?;
    let target = st.store.request_target(&user.scope, id, unit).await?;
    if !user.scope.can_write(&target.unit_path) {
        return Err(AppError::Forbidden);
    }
    let types = st.store.unit_types_below(&user.scope, unit).await?;
    let invalid = form.has_errors();
    let page = render(ForwardPage {
        chrome: Chrome::new(
            user,
            tr.s("Chuyển tiếp văn bản xuống", "Forward the document down"),
        ),
        defaults: vec![
            ("due_on", format_vn_date(target.due_on)),
            ("target_kind", "types".into()),
        ],
        d,
        target,
        types,
        form,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ForwardForm {
    unit: i64,
    target_kind: String,
    types: String,
    units: String,
    instructions: String,
    due_on: String,
}

async fn forward(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let tr = user.tr();
    let f: ForwardForm = pick::merged(&pairs)?;
    let again = |errs: Vec<FieldError>| {
        let (st, user, pairs) = (&st, &user, pairs.clone());
        async move {
            let fs = FormState::again("forward", pairs, errs, st, user).await?;
            forward_page(st, user, id, f.unit, fs).await
        }
    };
    if pairs.iter().any(|(k, _)| k == "pick") {
        return again(vec![]).await;
    }
    let mut errs = vec![];
    let due_on = parse_date_req(&f.due_on, "due_on", &mut errs);
    let spec = target_spec(
        &st,
        f.unit,
        f.target_kind.trim(),
        &f.types,
        "",
        "",
        &f.units,
        &mut errs,
    )
    .await;
    let by_type = match &spec {
        Some(spec) if errs.is_empty() => {
            match st.store.preview_targets(&user.scope, f.unit, spec).await {
                Ok(b) => b,
                Err(e) => {
                    errs.extend(store_errors(e, "targets")?);
                    vec![]
                }
            }
        }
        _ => vec![],
    };
    let (Some(due_on), Some(spec), true) = (due_on, spec, errs.is_empty()) else {
        return again(errs).await;
    };
    if !confirm::confirmed(&pairs) {
        let d = st.store.request(&user.scope, id).await?;
        let total: i64 = by_type.iter().map(|(_, n)| n).sum();
        let mut hidden = confirm::hidden(&pairs);
        hidden.retain(|(k, _)| k != "pick" && !k.ends_with("__q"));
        return ConfirmPage {
            chrome: Chrome::new(&user, tr.s("Xác nhận chuyển tiếp", "Confirm forwarding")),
            lead: format!(
                "{} {} {} {} {} ({}).",
                tr.s("Chuyển tiếp văn bản", "Forward document"),
                d.request
                    .doc_number
                    .clone()
                    .unwrap_or(d.request.title.clone()),
                tr.s("tới", "to"),
                congdoan_domain::format_int(total),
                tr.s("đơn vị", "units"),
                by_type_text(&by_type)
            ),
            impacts: vec![
                Impact::count(total, tr.s("đơn vị nhận", "recipient units")),
                Impact::line(format!(
                    "{}: {}",
                    tr.s("Hạn báo cáo thực hiện", "Implementation report due"),
                    format_vn_date(due_on)
                )),
            ],
            irreversible: vec![
                tr.s(
                    "Văn bản đã chuyển tiếp không thu hồi được.",
                    "A forwarded document cannot be withdrawn.",
                )
                .to_string(),
            ],
            action: format!("/directives/{id}/forward"),
            hidden,
            button: tr.s("Chuyển tiếp", "Forward").into(),
            back: format!("/directives/{id}/forward?unit={}", f.unit),
        }
        .render();
    }
    let fw = Forward {
        targets: spec,
        instructions: Some(f.instructions.trim().to_string()).filter(|s| !s.is_empty()),
        due_on,
    };
    match st
        .store
        .forward_request(&user.scope, id, f.unit, fw, today())
        .await
    {
        Ok(_) => see_other(&format!(
            "/directives/{id}?unit={}&notice=forwarded",
            f.unit
        )),
        Err(e) => again(store_errors(e, "targets")?).await,
    }
}

/// A stored file, as an attachment with its own type and a safe name; never cached.
async fn download(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (f, bytes) = st.store.request_file(&user.scope, id).await?;
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

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987).
pub(crate) fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                return c;
            }
            // "ế" → "e", "Đ" → "d"; anything else → "_".
            congdoan_domain::text::fold(&c.to_string())
                .chars()
                .next()
                .filter(|f| f.is_ascii_alphanumeric())
                .unwrap_or('_')
        })
        .collect();
    let ascii = if ascii.trim_matches('_').is_empty() {
        "tep".to_string()
    } else {
        ascii
    };
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The recipients by unit type that a target set resolves to, for the confirmation
/// page; an empty set or a refused one becomes an error on "targets".
pub(super) async fn preview_or_refuse(
    st: &AppState,
    user: &CurrentUser,
    issuer_unit_id: i64,
    spec: Option<&TargetSpec>,
    errs: &mut Vec<FieldError>,
) -> Result<Vec<(String, i64)>, AppError> {
    let Some(spec) = spec else {
        return Ok(vec![]);
    };
    Ok(
        match st
            .store
            .preview_targets(&user.scope, issuer_unit_id, spec)
            .await
        {
            Ok(b) if b.is_empty() => {
                errs.push(FieldError::new(
                    "targets",
                    "WE1408",
                    "không có đơn vị nào đang hoạt động trong nơi nhận đã chọn.",
                    "no open unit matches the chosen recipients.",
                ));
                vec![]
            }
            Ok(b) => b,
            Err(e) => {
                errs.extend(store_errors(e, "targets")?);
                vec![]
            }
        },
    )
}
