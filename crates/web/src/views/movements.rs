//! Emulation movements ("Phong trào thi đua", issue 15 item 1): the list (launched by
//! units the caller reads, or sent to its own units), the launch form (dates, level,
//! registration due date, progress cadence, optional launching directive, the
//! directive form's target choosers) confirmed on a page restating how many units will
//! be asked, the movement's page (registration rate from the request's roll-up, the
//! board by unit, registrations of units and individuals, progress requests), a unit's
//! registration form (targets as a fixed number of blank rows, no JavaScript needed)
//! and an individual's registration with the member picker. Rules live in
//! `congdoan_store::movements` and `congdoan_domain::movement`.

use super::confirm::{self, ConfirmPage, Impact};
use super::directives::{by_type_text, own_units, preview_or_refuse, target_spec};
use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{Chrome, PageResult, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::forms::parse_date_req;
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use congdoan_domain::date::format_vn_date;
use congdoan_domain::movement::{self as mv, Cadence, Goal, LEVELS, MovementDraft};
use congdoan_domain::request::{Period, Rates, RequestKind};
use congdoan_store::{
    BoardRow, Cluster, MemberQuery, MemberRegistration, Movement, MovementDetail, MovementInput,
    Request, Target, Unit, UnitRegistration, goals_of,
};
use serde::Deserialize;

/// Blank target rows on a registration form.
pub const GOAL_ROWS: usize = 6;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/movements", get(list).post(create))
        .route("/movements/new", get(new_movement))
        .route("/movements/{id}", get(movement_page))
        .route("/movements/{id}/members", post(register_member))
        .route("/movements/{id}/progress", post(request_progress))
        .route("/movements/r/{rid}", get(by_request))
        .route(
            "/movements/r/{rid}/units/{unit}",
            get(register_page).post(register_unit),
        )
        .route("/movements/r/{rid}/units/{unit}/review", post(review))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PageQuery {
    notice: Option<String>,
    unit: Option<i64>,
}

/// A listed movement with its registration counters and the caller's own target.
struct Row {
    m: Movement,
    rates: Rates,
    level: &'static str,
    /// The caller's unit that owes the registration, and its state.
    owed: Option<(i64, &'static str)>,
}

#[derive(Template)]
#[template(path = "movements.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    new_unit: Option<i64>,
    notice: Option<&'static str>,
}

/// The caller's only writable unit, if there is exactly one.
pub(super) fn only_writable(user: &CurrentUser) -> Option<i64> {
    match user.scope.write_roots().as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

fn state_name(tr: &crate::Tr, code: &str) -> &'static str {
    match code {
        "pending" => tr.s("Chưa đăng ký", "Not registered"),
        "draft" => tr.s("Đang soạn", "Draft"),
        "submitted" => tr.s(
            "Đã đăng ký, chờ chấp nhận",
            "Registered, awaiting acceptance",
        ),
        "returned" => tr.s("Bị trả lại", "Returned"),
        "approved" => tr.s("Đã chấp nhận", "Accepted"),
        _ => tr.s("Khác", "Other"),
    }
}

async fn list(
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
    let movements = st.store.movements(&user.scope, &units).await?;
    let mut rows = Vec::with_capacity(movements.len());
    for m in movements {
        let rates = st.store.movement_rates(&m).await?;
        let mut owed = None;
        for &u in units.iter().take(20) {
            if let Ok(t) = st.store.request_target(&user.scope, m.request_id, u).await {
                owed = Some((u, state_name(&tr, &t.state)));
                break;
            }
        }
        let (vi, en) = m.level_name();
        rows.push(Row {
            level: tr.s(vi, en),
            m,
            rates,
            owed,
        });
    }
    let notice = match q.notice.as_deref() {
        Some("registered") => Some(tr.s("Đã gửi bản đăng ký thi đua.", "Registration sent.")),
        _ => None,
    };
    render(ListPage {
        chrome: Chrome::new(&user, tr.s("Phong trào thi đua", "Emulation movements")),
        rows,
        new_unit: q
            .unit
            .filter(|_| !user.scope.write_paths().is_empty())
            .or_else(|| only_writable(&user)),
        notice,
    })
}

#[derive(Template)]
#[template(path = "movement_new.html")]
struct NewPage {
    chrome: Chrome,
    unit: Unit,
    form: FormState,
    types: Vec<(String, String, i64)>,
    clusters: Vec<Cluster>,
    directives: Vec<Request>,
    levels: Vec<(&'static str, &'static str)>,
    cadences: Vec<(&'static str, &'static str)>,
    defaults: Vec<(&'static str, String)>,
}

impl NewPage {
    fn v(&self, name: &str) -> String {
        let d = self
            .defaults
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.form.val_or("movement", name, &d)
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        self.v(name).split_whitespace().any(|x| x == value)
    }
    fn err(&self, name: &str) -> Option<String> {
        self.form.err("movement", name)
    }
}

/// The launching unit: the one asked for, or the caller's only writable one.
async fn issuer_unit(st: &AppState, user: &CurrentUser, id: Option<i64>) -> Result<Unit, AppError> {
    let id = id
        .or_else(|| only_writable(user))
        .ok_or(AppError::NotFound)?;
    let u = st.store.unit(&user.scope, id).await?;
    if !user.scope.can_write(&u.path) || u.ended_on.is_some() {
        return Err(AppError::Forbidden);
    }
    Ok(u)
}

async fn new_page(
    st: &AppState,
    user: &CurrentUser,
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
    let directives = st
        .store
        .requests_sent(&user.scope, unit.unit_id, Some(RequestKind::Directive), 30)
        .await?
        .into_iter()
        .map(|s| s.request)
        .collect();
    let year = today().year();
    let d = |m: u8, day: u8| {
        time::Date::from_calendar_date(
            year,
            time::Month::try_from(m).unwrap_or(time::Month::January),
            day,
        )
        .map(format_vn_date)
        .unwrap_or_default()
    };
    let defaults = vec![
        ("starts_on", format_vn_date(today())),
        ("ends_on", d(12, 31)),
        (
            "registration_due",
            format_vn_date(today() + time::Duration::days(30)),
        ),
        ("level", "thuong_xuyen".to_string()),
        ("cadence", "quarter".to_string()),
        ("target_kind", "types".to_string()),
    ];
    let invalid = form.has_errors();
    let page = render(NewPage {
        chrome: Chrome::new(
            user,
            tr.s(
                "Phát động phong trào thi đua",
                "Launch an emulation movement",
            ),
        ),
        unit,
        form,
        types,
        clusters,
        directives,
        levels: LEVELS
            .iter()
            .map(|(c, vi, en)| (*c, tr.s(vi, en)))
            .collect(),
        cadences: Cadence::ALL
            .iter()
            .map(|c| (c.code(), tr.s(c.name_vi(), c.name_en())))
            .collect(),
        defaults,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

async fn new_movement(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let unit = issuer_unit(&st, &user, q.unit).await?;
    new_page(&st, &user, unit, FormState::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewForm {
    unit: i64,
    movement_code: String,
    movement_name: String,
    level: String,
    starts_on: String,
    ends_on: String,
    registration_due: String,
    cadence: String,
    directive: String,
    description: String,
    target_kind: String,
    types: String,
    cluster_id: String,
    units: String,
}

/// Domain problems as field errors (the domain's message follows the field's label).
fn field_errs(problems: Vec<congdoan_domain::request::RequestError>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|e| FieldError::new(e.field, e.code, &e.vi, &e.en))
        .collect()
}

async fn create(State(st): State<AppState>, CsrfForm(user, pairs): CsrfForm<Pairs>) -> PageResult {
    let tr = user.tr();
    let f: NewForm = pick::merged(&pairs)?;
    let unit = issuer_unit(&st, &user, Some(f.unit)).await?;
    let again = |errs: Vec<FieldError>| {
        let (st, user, pairs, unit) = (&st, &user, pairs.clone(), unit.clone());
        async move {
            let fs = FormState::again("movement", pairs, errs, st, user).await?;
            new_page(st, user, unit, fs).await
        }
    };
    if pairs.iter().any(|(k, _)| k == "pick") {
        return again(vec![]).await;
    }
    let mut errs = vec![];
    let starts_on = parse_date_req(&f.starts_on, "movement_starts_on", &mut errs);
    let ends_on = parse_date_req(&f.ends_on, "movement_ends_on", &mut errs);
    let due = parse_date_req(&f.registration_due, "registration_due", &mut errs);
    let cadence = Cadence::parse(&f.cadence);
    errs.extend(field_errs(mv::check_movement(&MovementDraft {
        code: f.movement_code.trim().to_string(),
        name: f.movement_name.trim().to_string(),
        level: f.level.trim().to_string(),
        starts_on,
        ends_on,
        registration_due: due,
        cadence: cadence.unwrap_or_default(),
    })));
    if cadence.is_none() {
        errs.push(FieldError::new(
            "cadence",
            "ST2702",
            "chọn không báo cáo, hằng quý hoặc 6 tháng.",
            "choose none, quarterly or every 6 months.",
        ));
    }
    if due.is_some_and(|d| d < today()) {
        errs.push(FieldError::new(
            "registration_due",
            "ST2703",
            "hạn đăng ký phải từ hôm nay trở đi.",
            "the registration due date cannot be in the past.",
        ));
    }
    let directive = match f.directive.trim() {
        "" => None,
        d => match d.parse::<i64>() {
            Ok(id) => match st.store.movement_directive(&user.scope, id).await {
                Ok(r) => Some(r),
                Err(e) => {
                    errs.extend(store_errors(e, "directive")?);
                    None
                }
            },
            Err(_) => {
                errs.push(FieldError::new(
                    "directive",
                    "ST2704",
                    "không tìm thấy văn bản chỉ đạo này.",
                    "no such directive.",
                ));
                None
            }
        },
    };
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
    let (Some(starts_on), Some(ends_on), Some(due), Some(spec), true) =
        (starts_on, ends_on, due, spec, errs.is_empty())
    else {
        return again(errs).await;
    };
    if !confirm::confirmed(&pairs) {
        let total: i64 = by_type.iter().map(|(_, n)| n).sum();
        let mut hidden = confirm::hidden(&pairs);
        hidden.retain(|(k, _)| k != "pick" && !k.ends_with("__q"));
        let mut impacts = vec![
            Impact::count(
                total,
                tr.s(
                    "đơn vị được đề nghị đăng ký thi đua",
                    "units asked to register",
                ),
            ),
            Impact::line(format!(
                "{}: {} – {}",
                tr.s("Thời gian", "Runs"),
                format_vn_date(starts_on),
                format_vn_date(ends_on)
            )),
            Impact::line(format!(
                "{}: {}",
                tr.s("Hạn đăng ký", "Registration due"),
                format_vn_date(due)
            )),
            Impact::line(tr.s(
                "Mỗi đơn vị thấy đề nghị đăng ký trong «Việc cần làm» và gửi chỉ tiêu của mình.",
                "Each unit sees it in its to-do list and sends its targets.",
            )),
        ];
        if let Some(d) = &directive {
            impacts.push(Impact::line(format!(
                "{}: {}",
                tr.s("Văn bản phát động", "Launching document"),
                d.doc_number.clone().unwrap_or_else(|| d.title.clone())
            )));
        }
        return ConfirmPage {
            chrome: Chrome::new(&user, tr.s("Xác nhận phát động", "Confirm the launch")),
            lead: format!(
                "{} «{}» {} {} {} ({}).",
                tr.s("Phát động phong trào", "Launch the movement"),
                f.movement_name.trim(),
                tr.s("tới", "to"),
                congdoan_domain::format_int(total),
                tr.s("đơn vị", "units"),
                by_type_text(&by_type)
            ),
            impacts,
            irreversible: vec![
                tr.s(
                    "Đề nghị đăng ký đã gửi không thu hồi được.",
                    "A sent registration request cannot be withdrawn.",
                )
                .to_string(),
            ],
            action: "/movements".into(),
            hidden,
            button: tr.s("Phát động", "Launch").into(),
            back: format!("/movements/new?unit={}", unit.unit_id),
        }
        .render();
    }
    let input = MovementInput {
        issuer_unit_id: unit.unit_id,
        code: f.movement_code,
        name: f.movement_name,
        level: f.level,
        starts_on,
        ends_on,
        registration_due: due,
        cadence: f.cadence,
        directive_id: directive.map(|d| d.request_id),
        description: Some(f.description),
        targets: spec,
        issued_on: None,
    };
    match st.store.create_movement(&user.scope, input).await {
        Ok(m) => see_other(&format!("/movements/{}?notice=launched", m.movement_id)),
        Err(e) => again(store_errors(e, "targets")?).await,
    }
}

#[derive(Template)]
#[template(path = "movement.html")]
struct MovementPage {
    chrome: Chrome,
    d: MovementDetail,
    level: &'static str,
    cadence: &'static str,
    board: Vec<BoardRow>,
    units: Vec<(UnitRegistration, &'static str)>,
    members: Vec<MemberRegistration>,
    /// The caller's own targets: (unit id, unit name, state name).
    mine: Vec<(i64, String, &'static str)>,
    /// Units whose members the caller may register (the caller writes them and they
    /// were asked): (unit id, name).
    member_units: Vec<(i64, String)>,
    /// Progress periods not yet requested: (code, label).
    periods: Vec<(String, String)>,
    form: FormState,
    notice: Option<&'static str>,
}

async fn movement_view(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    mut form: FormState,
    notice: Option<&'static str>,
) -> PageResult {
    let tr = user.tr();
    form.lang = user.lang;
    let d = st.store.movement_detail(&user.scope, id).await?;
    let board = if d.issuer_view {
        st.store
            .request_board(&user.scope, d.movement.request_id, None)
            .await?
            .rows
    } else {
        vec![]
    };
    let units = st
        .store
        .unit_registrations(&user.scope, id)
        .await?
        .into_iter()
        .map(|u| {
            let s = state_name(&tr, &u.state);
            (u, s)
        })
        .collect();
    let members = st.store.member_registrations(&user.scope, id, None).await?;
    let mut mine = vec![];
    let mut member_units = vec![];
    for u in own_units(user).into_iter().take(20) {
        if let Ok(t) = st
            .store
            .request_target(&user.scope, d.movement.request_id, u)
            .await
        {
            if user.scope.can_write(&t.unit_path) {
                member_units.push((u, t.unit_name.clone()));
            }
            mine.push((u, t.unit_name.clone(), state_name(&tr, &t.state)));
        }
    }
    // The organiser records individuals of any unit asked (searching its whole subtree).
    if d.organiser && member_units.is_empty() {
        member_units.push((d.movement.issuer_unit_id, d.movement.issuer_name.clone()));
    }
    let asked: Vec<String> = d.progress.iter().map(|p| p.1.clone()).collect();
    let periods = mv::progress_periods(
        d.movement.cadence(),
        d.movement.starts_on,
        d.movement.ends_on,
    )
    .into_iter()
    .filter(|p| !asked.contains(&p.code()))
    .map(|p: Period| (p.code(), p.label_vi()))
    .collect();
    let (vi, en) = d.movement.level_name();
    let c = d.movement.cadence();
    let invalid = form.has_errors();
    let page = render(MovementPage {
        chrome: Chrome::new(user, &d.movement.name),
        level: tr.s(vi, en),
        cadence: tr.s(c.name_vi(), c.name_en()),
        board,
        units,
        members,
        mine,
        member_units,
        periods,
        form,
        notice,
        d,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

async fn movement_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let tr = user.tr();
    let notice = match q.notice.as_deref() {
        Some("launched") => Some(tr.s(
            "Đã phát động; các đơn vị nhận sẽ thấy đề nghị đăng ký trong «Việc cần làm».",
            "Launched; the units see the registration request in their to-do list.",
        )),
        Some("registered") => Some(tr.s("Đã gửi bản đăng ký thi đua.", "Registration sent.")),
        Some("reviewed") => Some(tr.s("Đã ghi ý kiến về bản đăng ký.", "The review was recorded.")),
        Some("member") => Some(tr.s(
            "Đã ghi đăng ký thi đua của đoàn viên.",
            "The member's registration was recorded.",
        )),
        Some("progress") => Some(tr.s(
            "Đã gửi yêu cầu báo cáo tiến độ tới các đơn vị đã đăng ký.",
            "Progress reports were requested from the registered units.",
        )),
        _ => None,
    };
    movement_view(&st, &user, id, FormState::default(), notice).await
}

/// Goal rows typed on a form: `goal_text_N` and `goal_n_N`.
fn goal_rows(pairs: &Pairs) -> Vec<(String, String)> {
    let get = |k: String| {
        pairs
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    (0..mv::MAX_GOALS)
        .map(|i| (get(format!("goal_text_{i}")), get(format!("goal_n_{i}"))))
        .collect()
}

fn parse_goals(pairs: &Pairs, errs: &mut Vec<FieldError>) -> Vec<Goal> {
    match mv::parse_goals(&goal_rows(pairs)) {
        Ok(g) => g,
        Err(e) => {
            errs.extend(field_errs(vec![e]));
            vec![]
        }
    }
}

async fn register_member(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let unit: Option<i64> = get("unit").trim().parse().ok();
    if pairs.iter().any(|(k, v)| k == "pick" && v == "member") {
        let q = get("member__q");
        let mut fs = FormState::new("member", pairs.clone(), vec![], user.lang);
        if !q.trim().is_empty() {
            fs.members = st
                .store
                .search_members(
                    &user.scope,
                    &MemberQuery {
                        q: Some(q),
                        unit_id: unit,
                        per_page: 20,
                        ..Default::default()
                    },
                )
                .await?
                .rows;
        }
        fs.member_search = true;
        return movement_view(&st, &user, id, fs, None).await;
    }
    let mut errs = vec![];
    let typed = pairs
        .iter()
        .rev()
        .find(|(k, v)| (k == "member__pick" || k == "member") && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let member = match typed.strip_prefix('#').map(str::parse::<i64>) {
        Some(Ok(mid)) => st.store.member(&user.scope, mid).await.map(|m| m.member_id),
        _ => st
            .store
            .member_by_cccd_or_card(&user.scope, &typed)
            .await
            .map(|m| m.member_id),
    };
    let member_id = match member {
        Ok(m) => Some(m),
        Err(_) => {
            errs.push(if typed.is_empty() {
                FieldError::new(
                    "member",
                    "WE0602",
                    "không được để trống; gõ họ tên để tìm đoàn viên.",
                    "is required; type a name to find the member.",
                )
            } else {
                FieldError::new(
                    "member",
                    "WE0631",
                    &format!("không tìm thấy đoàn viên có số CCCD hoặc số thẻ '{typed}'."),
                    &format!("no member has the CCCD or card number '{typed}'."),
                )
            });
            None
        }
    };
    let goals = parse_goals(&pairs, &mut errs);
    let (Some(member_id), true) = (member_id, errs.is_empty()) else {
        let fs = FormState::new("member", pairs, errs, user.lang);
        return movement_view(&st, &user, id, fs, None).await;
    };
    match st
        .store
        .register_member(&user.scope, id, member_id, goals)
        .await
    {
        Ok(_) => see_other(&format!("/movements/{id}?notice=member")),
        Err(e) => {
            let errs = store_errors(e, "member")?;
            let fs = FormState::new("member", pairs, errs, user.lang);
            movement_view(&st, &user, id, fs, None).await
        }
    }
}

async fn request_progress(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let period = pairs
        .iter()
        .find(|(k, _)| k == "period")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let errs = if period.trim().is_empty() {
        vec![FieldError::new(
            "period",
            "WE0602",
            "không được để trống.",
            "is required.",
        )]
    } else {
        match st.store.request_progress(&user.scope, id, &period).await {
            Ok(_) => return see_other(&format!("/movements/{id}?notice=progress")),
            Err(e) => store_errors(e, "period")?,
        }
    };
    let fs = FormState::new("progress", pairs, errs, user.lang);
    movement_view(&st, &user, id, fs, None).await
}

/// The to-do page's link to a registration request leads to its movement.
async fn by_request(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(rid): Path<i64>,
) -> PageResult {
    let m = st.store.movement_of_request(&user.scope, rid).await?;
    see_other(&format!("/movements/{}", m.movement_id))
}

#[derive(Template)]
#[template(path = "movement_register.html")]
struct RegisterPage {
    chrome: Chrome,
    m: Movement,
    t: Target,
    can_write: bool,
    /// The organiser may accept or return a submitted registration.
    can_review: bool,
    state: &'static str,
    /// The rows shown: what was typed, else what was registered, then blanks.
    rows: Vec<(String, String)>,
    form: FormState,
}

impl RegisterPage {
    fn has_goals(&self) -> bool {
        self.rows.iter().any(|r| !r.0.is_empty())
    }
}

async fn register_view(
    st: &AppState,
    user: &CurrentUser,
    rid: i64,
    unit: i64,
    mut form: FormState,
) -> PageResult {
    let tr = user.tr();
    form.lang = user.lang;
    let m = st.store.movement_of_request(&user.scope, rid).await?;
    let t = st.store.request_target(&user.scope, rid, unit).await?;
    let mut rows: Vec<(String, String)> = if form.is("register") {
        goal_rows(&form.values)
            .into_iter()
            .filter(|(a, b)| !a.trim().is_empty() || !b.trim().is_empty())
            .collect()
    } else {
        goals_of(t.response_values.as_deref())
            .into_iter()
            .map(|g| (g.text, g.goal.map(|n| n.to_string()).unwrap_or_default()))
            .collect()
    };
    while rows.len() < GOAL_ROWS.max(rows.len() + 2).min(mv::MAX_GOALS) {
        rows.push((String::new(), String::new()));
    }
    let invalid = form.has_errors();
    let page = render(RegisterPage {
        chrome: Chrome::new(user, tr.s("Đăng ký thi đua", "Register")),
        can_write: user.scope.can_write(&t.unit_path)
            && t.ended_on.is_none()
            && matches!(t.state.as_str(), "pending" | "draft" | "returned"),
        can_review: t.state == "submitted"
            && t.ended_on.is_none()
            && user.scope.can_write(&m.issuer_path),
        state: state_name(&tr, &t.state),
        rows,
        form,
        m,
        t,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

async fn register_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((rid, unit)): Path<(i64, i64)>,
) -> PageResult {
    register_view(&st, &user, rid, unit, FormState::default()).await
}

async fn register_unit(
    State(st): State<AppState>,
    Path((rid, unit)): Path<(i64, i64)>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let m = st.store.movement_of_request(&user.scope, rid).await?;
    let mut errs = vec![];
    let goals = parse_goals(&pairs, &mut errs);
    if errs.is_empty() {
        match st
            .store
            .register_unit(&user.scope, m.movement_id, unit, goals, None)
            .await
        {
            Ok(_) => return see_other(&format!("/movements/{}?notice=registered", m.movement_id)),
            Err(e) => errs = store_errors(e, "goals")?,
        }
    }
    let fs = FormState::new("register", pairs, errs, user.lang);
    register_view(&st, &user, rid, unit, fs).await
}

/// The organiser accepts a registration, or returns it with a reason.
async fn review(
    State(st): State<AppState>,
    Path((rid, unit)): Path<(i64, i64)>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let m = st.store.movement_of_request(&user.scope, rid).await?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let action = match get("action").as_str() {
        "approve" => congdoan_domain::request::Action::Approve,
        _ => congdoan_domain::request::Action::Return,
    };
    let input = congdoan_store::StepInput {
        note: Some(get("note")),
        ..Default::default()
    };
    match st
        .store
        .request_step(&user.scope, rid, unit, action, input, today())
        .await
    {
        Ok(_) => see_other(&format!("/movements/{}?notice=reviewed", m.movement_id)),
        Err(e) => {
            let errs = store_errors(e, "note")?;
            let fs = FormState::new("review", pairs, errs, user.lang);
            register_view(&st, &user, rid, unit, fs).await
        }
    }
}
