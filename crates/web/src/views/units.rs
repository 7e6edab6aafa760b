//! A unit's page, its create/edit/move forms, coordination links, committees and posts.

use super::*;

#[derive(Template)]
#[template(path = "unit.html")]
pub(super) struct UnitPage {
    chrome: Chrome,
    u: Unit,
    type_name: String,
    ownership: Option<String>,
    place: String,
    ancestors: Vec<Unit>,
    /// Levels between a CĐCS and its provincial federation (or sector/corporation union).
    intermediaries: Option<i64>,
    children: Vec<TreeNode>,
    member_total: i64,
    members: Vec<MemberListRow>,
    more_members: bool,
    committees: Vec<Committee>,
    position_types: Vec<PositionType>,
    links: Vec<CoordinationLink>,
    history: Vec<UnitVersion>,
    lineage: Vec<congdoan_store::Lineage>,
    as_of: time::Date,
    /// The caller may write here and the unit is still in operation.
    can_write: bool,
    holds_members: bool,
    notice: Option<String>,
    /// For an ended unit: how it ended and its successors (from the lineage).
    ended: Option<EndedNote>,
}

/// How an ended unit ended: "merged into", "split into" (with links) or dissolved.
pub(super) struct EndedNote {
    text: String,
    on: time::Date,
    successors: Vec<(i64, String)>,
    reason: Option<String>,
}

fn ended_note(u: &Unit, lineage: &[congdoan_store::Lineage], tr: Tr) -> Option<EndedNote> {
    let on = u.ended_on?;
    let next: Vec<&congdoan_store::Lineage> = lineage
        .iter()
        .filter(|l| l.from_unit_id == u.unit_id)
        .collect();
    let text = match next.first().map(|l| l.kind.as_str()) {
        Some("merge") => tr.s("Đã sáp nhập vào", "Merged into"),
        Some("split") => tr.s("Đã chia tách thành", "Split into"),
        Some(_) => tr.s("Đã chuyển giao cho", "Succeeded by"),
        None if u
            .end_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("giải thể")) =>
        {
            tr.s("Đã giải thể", "Dissolved")
        }
        None => tr.s("Đã kết thúc hoạt động", "Ended"),
    };
    Some(EndedNote {
        text: text.to_string(),
        on,
        successors: next
            .iter()
            .map(|l| (l.to_unit_id, l.to_name.clone()))
            .collect(),
        reason: u.end_reason.clone(),
    })
}

/// `?notice=<key>` (and `pos=<id>` naming the ended post) on the unit page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct UnitNotice {
    notice: Option<String>,
    pos: Option<i64>,
}

/// An ended unit takes no more writes: a clear refusal naming the date.
pub(super) fn refuse_ended(u: &Unit) -> Result<(), AppError> {
    match u.ended_on {
        Some(d) => Err(ended_error(u, d)),
        None => Ok(()),
    }
}

fn ended_error(u: &Unit, d: time::Date) -> AppError {
    let date = congdoan_domain::date::format_vn_date(d);
    AppError::invalid(
        "unit",
        "WE0650",
        &format!(
            "«{}» đã kết thúc hoạt động từ ngày {date}; không sửa, không thêm gì vào đơn vị này được nữa.",
            u.name
        ),
        &format!(
            "«{}» ended on {date}; it can no longer be edited or receive anything.",
            u.name
        ),
    )
}

pub(super) fn type_name(types: &[UnitType], code: &str, tr: Tr) -> String {
    types
        .iter()
        .find(|t| t.type_code == code)
        .map(|t| tr.s(&t.name_vi, &t.name_en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub(super) async fn unit_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
    Query(n): Query<UnitNotice>,
) -> PageResult {
    let tr = user.tr();
    let as_of = as_of_param(q.as_of.as_deref())?;
    let s = &st.store;
    let u = s.unit(&user.scope, id).await?;
    let types = s.unit_types().await?;
    let children = s.tree_children(&user.scope, id, as_of).await?;
    let lineage = s.lineage(&user.scope, id).await?;
    let member_total = s.subtree_member_count(&user.scope, id).await?;
    let members = s
        .search_members(
            &user.scope,
            &MemberQuery {
                unit_id: Some(id),
                per_page: 20,
                ..Default::default()
            },
        )
        .await?;
    let page = UnitPage {
        chrome: Chrome::new(&user, &u.name),
        type_name: type_name(&types, &u.type_code, tr),
        ownership: u
            .employer_ownership
            .as_deref()
            .and_then(|o| OWNERSHIPS.iter().find(|x| x.0 == o))
            .map(|o| tr.s(o.1, o.2).to_string()),
        place: [
            u.address.clone().unwrap_or_default(),
            divisions::place_name(u.province_code, u.commune_code),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", "),
        ancestors: s.ancestors(&user.scope, &u).await?,
        intermediaries: s.intermediary_levels(&user.scope, id).await?,
        children,
        member_total,
        more_members: members.more,
        members: members.rows,
        committees: s.committees(&user.scope, id).await?,
        position_types: s.position_types().await?,
        links: s.coordination(&user.scope, id, today()).await?,
        history: s.unit_history(&user.scope, id).await?,
        ended: ended_note(&u, &lineage, tr),
        lineage,
        as_of,
        can_write: user.scope.can_write(&u.path) && u.ended_on.is_none(),
        holds_members: types
            .iter()
            .any(|t| t.type_code == u.type_code && t.holds_members),
        notice: match n.notice.as_deref() {
            Some("post_ended") => Some(match n.pos {
                Some(pos) => match s.position(&user.scope, pos).await {
                    Ok(p) if p.unit_id == id => format!(
                        "{} {} {} {}{}.",
                        tr.s("Đã kết thúc chức vụ", "Ended the post of"),
                        tr.s(&p.position_name_vi, &p.position_name_en),
                        tr.s("của", "held by"),
                        p.full_name,
                        p.end_date
                            .map(|d| format!(" {} {}", tr.s("từ ngày", "on"), tr.date(d)))
                            .unwrap_or_default()
                    ),
                    _ => tr.s("Đã kết thúc chức vụ.", "The post was ended.").into(),
                },
                None => tr.s("Đã kết thúc chức vụ.", "The post was ended.").into(),
            }),
            _ => None,
        },
        u,
    };
    render(page)
}

// ---------- unit create / edit / move / coordination ----------

#[derive(Template)]
#[template(path = "unit_form.html")]
pub(super) struct UnitFormPage {
    chrome: Chrome,
    f: UnitForm,
    errors: Vec<FieldError>,
    creating: bool,
    action: String,
    parent_name: String,
    version: i64,
    types: Vec<UnitType>,
    provinces: Vec<(i64, &'static str)>,
    ownerships: &'static [(&'static str, &'static str, &'static str)],
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ParentQuery {
    parent: Option<i64>,
}

pub(super) async fn unit_form_page(
    st: &AppState,
    user: &CurrentUser,
    f: UnitForm,
    errors: Vec<FieldError>,
    edit: Option<&Unit>,
) -> PageResult {
    let tr = user.tr();
    let parent_name = match f.parent_id.parse::<i64>() {
        Ok(pid) => st
            .store
            .unit(&user.scope, pid)
            .await
            .map(|p| p.name)
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let mut res = render(UnitFormPage {
        chrome: Chrome::new(
            user,
            match edit {
                Some(_) => tr.s("Sửa thông tin đơn vị", "Edit unit"),
                None => tr.s("Thêm đơn vị", "New unit"),
            },
        ),
        creating: edit.is_none(),
        action: edit
            .map(|u| format!("/units/{}/edit", u.unit_id))
            .unwrap_or_else(|| "/units".into()),
        version: edit.map(|u| u.version).unwrap_or(0),
        parent_name,
        types: st
            .store
            .unit_types()
            .await?
            .into_iter()
            .filter(|t| t.exists_on(today()))
            .collect(),
        provinces: divisions::provinces(),
        ownerships: OWNERSHIPS,
        f,
        errors: errors.clone(),
    })?;
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub(super) async fn new_unit(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ParentQuery>,
) -> PageResult {
    let parent = st
        .store
        .unit(&user.scope, q.parent.ok_or(AppError::NotFound)?)
        .await?;
    if !user.scope.can_write(&parent.path) {
        return Err(AppError::Forbidden);
    }
    refuse_ended(&parent)?;
    let f = UnitForm {
        parent_id: parent.unit_id.to_string(),
        type_code: "CDCS".into(),
        province_code: parent
            .province_code
            .map(|p| p.to_string())
            .unwrap_or_default(),
        founded_on: congdoan_domain::date::format_vn_date(today()),
        ..Default::default()
    };
    unit_form_page(&st, &user, f, vec![], None).await
}

/// Store rule failures become field errors on the form; anything else propagates.
pub(super) fn field_errors(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Invalid(f) => Ok(f),
        AppError::Conflict => Ok(vec![FieldError::new(
            "version",
            "WE0409",
            "bản ghi vừa được người khác sửa; hãy tải lại trang.",
            "someone else changed this record; reload the page.",
        )]),
        other => Err(other),
    }
}

pub(super) async fn create_unit(
    State(st): State<AppState>,
    CsrfForm(user, f): CsrfForm<UnitForm>,
) -> PageResult {
    let input = match f.parse() {
        Ok(i) => i,
        Err(errs) => return unit_form_page(&st, &user, f, errs, None).await,
    };
    match st.store.create_unit(&user.scope, input, today()).await {
        Ok(u) => see_other(&format!("/units/{}", u.unit_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            unit_form_page(&st, &user, f, errs, None).await
        }
    }
}

pub(super) async fn edit_unit(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let u = st.store.unit(&user.scope, id).await?;
    if !user.scope.can_write(&u.path) {
        return Err(AppError::Forbidden);
    }
    refuse_ended(&u)?;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let f = UnitForm {
        code: u.code.clone(),
        name: u.name.clone(),
        type_code: u.type_code.clone(),
        sector: o(&u.sector),
        province_code: u.province_code.map(|v| v.to_string()).unwrap_or_default(),
        commune_code: u.commune_code.map(|v| v.to_string()).unwrap_or_default(),
        address: o(&u.address),
        employer_name: o(&u.employer_name),
        employer_tax_id: o(&u.employer_tax_id),
        employer_ownership: o(&u.employer_ownership),
        employer_head_count: u
            .employer_head_count
            .map(|v| v.to_string())
            .unwrap_or_default(),
        founding_decision: o(&u.founding_decision),
        ..Default::default()
    };
    unit_form_page(&st, &user, f, vec![], Some(&u)).await
}

pub(super) async fn update_unit(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, mut f): CsrfForm<UnitForm>,
) -> PageResult {
    let u = st.store.unit(&user.scope, id).await?;
    f.type_code = u.type_code.clone();
    f.code = u.code.clone();
    if let Err(e) = refuse_ended(&u) {
        let errs = field_errors(e)?;
        return unit_form_page(&st, &user, f, errs, Some(&u)).await;
    }
    let input = match f.parse() {
        Ok(i) => i,
        Err(errs) => return unit_form_page(&st, &user, f, errs, Some(&u)).await,
    };
    let version = f.version.parse::<i64>().unwrap_or(-1);
    match st.store.update_unit(&user.scope, id, version, input).await {
        Ok(u) => see_other(&format!("/units/{}", u.unit_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            unit_form_page(&st, &user, f, errs, Some(&u)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MoveForm {
    parent_code: String,
    on: String,
    reason: String,
}

/// Errors from the small forms on the unit page are shown as an error page naming the field.
pub(super) async fn move_unit(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<MoveForm>,
) -> PageResult {
    refuse_ended(&st.store.unit(&user.scope, id).await?)?;
    let mut errs = vec![];
    let on = parse_date_req(&f.on, "effective_date", &mut errs);
    if f.reason.trim().is_empty() {
        errs.push(FieldError::new(
            "reason",
            "WE0602",
            "không được để trống.",
            "is required.",
        ));
    }
    let Some(on) = on.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let parent = st
        .store
        .unit_by_code(&user.scope, &f.parent_code)
        .await
        .map_err(|_| {
            AppError::invalid(
                "parent_id",
                "WE0620",
                "không tìm thấy đơn vị có mã này.",
                "no unit has this code.",
            )
        })?;
    st.store
        .move_unit(
            &user.scope,
            id,
            parent.unit_id,
            on,
            today(),
            f.reason.trim(),
        )
        .await?;
    see_other(&format!("/units/{id}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CoordForm {
    coordinator_code: String,
    valid_from: String,
    note: String,
}

pub(super) async fn add_coordination(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<CoordForm>,
) -> PageResult {
    refuse_ended(&st.store.unit(&user.scope, id).await?)?;
    let mut errs = vec![];
    let from = parse_date_req(&f.valid_from, "valid_from", &mut errs);
    let Some(from) = from.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let coord_id = st
        .store
        .unit_id_by_code(&f.coordinator_code)
        .await
        .map_err(|_| {
            AppError::invalid(
                "coordinator_id",
                "WE0620",
                "không tìm thấy đơn vị có mã này.",
                "no unit has this code.",
            )
        })?;
    st.store
        .add_coordination(&user.scope, id, coord_id, from, Some(f.note))
        .await?;
    see_other(&format!("/units/{id}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CommitteeForm {
    kind: String,
    term_no: String,
    term_label: String,
    term_start: String,
    term_end: String,
}

pub(super) async fn create_committee(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<CommitteeForm>,
) -> PageResult {
    refuse_ended(&st.store.unit(&user.scope, id).await?)?;
    let mut errs = vec![];
    let start = parse_date_req(&f.term_start, "start_date", &mut errs);
    let end = parse_date_opt(&f.term_end, "end_date", &mut errs);
    let term_no = match f.term_no.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errs.push(FieldError::new(
                    "term",
                    "WE0630",
                    "khóa phải là số nguyên dương.",
                    "the term number must be a positive integer.",
                ));
                None
            }
        },
    };
    let Some(start) = start.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    st.store
        .create_committee(
            &user.scope,
            id,
            congdoan_store::CommitteeInput {
                kind: f.kind,
                term_no,
                term_label: Some(f.term_label).filter(|s| !s.trim().is_empty()),
                term_start: start,
                term_end: end,
            },
        )
        .await?;
    see_other(&format!("/units/{id}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PositionForm {
    member: String,
    position_code: String,
    start_date: String,
    #[serde(deserialize_with = "flag")]
    full_time: bool,
    #[serde(deserialize_with = "flag")]
    appointed: bool,
}

pub(super) async fn add_position(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<PositionForm>,
) -> PageResult {
    let c = st.store.committee_unit(id).await?;
    refuse_ended(&st.store.unit(&user.scope, c).await?)?;
    let mut errs = vec![];
    let start = parse_date_req(&f.start_date, "start_date", &mut errs);
    let Some(start) = start.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let m = st
        .store
        .member_by_cccd_or_card(&user.scope, &f.member)
        .await
        .map_err(|_| {
            AppError::invalid(
                "member_id",
                "WE0631",
                "không tìm thấy đoàn viên có số CCCD hoặc số thẻ này.",
                "no member has this CCCD or card number.",
            )
        })?;
    st.store
        .add_position(
            &user.scope,
            id,
            PositionInput {
                member_id: m.member_id,
                position_code: f.position_code,
                start_date: start,
                end_date: None,
                full_time: f.full_time,
                elected: !f.appointed,
            },
        )
        .await?;
    see_other(&format!("/units/{c}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct EndForm {
    end_date: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "end_position.html")]
pub(super) struct EndPositionPage {
    chrome: Chrome,
    p: Position,
    unit: Unit,
    committee: String,
    f: EndForm,
    errors: Vec<FieldError>,
}

impl EndPositionPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.text(self.chrome.tr.lang).to_string())
    }
}

/// The page that ends one post: who and which post, the date and the reason.
async fn end_position_page(
    st: &AppState,
    user: &CurrentUser,
    p: Position,
    f: EndForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    let unit = st.store.unit(&user.scope, p.unit_id).await?;
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let committee = st
        .store
        .committees(&user.scope, unit.unit_id)
        .await?
        .into_iter()
        .find(|c| c.committee_id == p.committee_id)
        .map(|c| match c.term_label {
            Some(l) => format!("{} — {} {l}", c.kind, tr.s("nhiệm kỳ", "term")),
            None => c.kind,
        })
        .unwrap_or_default();
    let has_errors = !errors.is_empty();
    let mut res = render(EndPositionPage {
        chrome: Chrome::new(user, tr.s("Kết thúc chức vụ", "End a post")),
        p,
        unit,
        committee,
        f,
        errors,
    })?;
    if has_errors {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub(super) async fn end_position_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let p = st.store.position(&user.scope, id).await?;
    let f = EndForm {
        end_date: congdoan_domain::date::format_vn_date(today()),
        reason: String::new(),
    };
    end_position_page(&st, &user, p, f, vec![]).await
}

/// Ends a post: the form's errors come back inline; a valid form is confirmed on a page
/// restating who, which post and from when; then the unit's page says it is done.
pub(super) async fn end_position(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let tr = user.tr();
    let f: EndForm = confirm::typed(&pairs)?;
    let p = st.store.position(&user.scope, id).await?;
    let mut errs = vec![];
    let end = parse_date_req(&f.end_date, "end_date", &mut errs);
    if f.reason.trim().is_empty() {
        errs.push(FieldError::new(
            "reason",
            "WE0602",
            "không được để trống.",
            "is required.",
        ));
    }
    if let Some(e) = end
        && e <= p.start_date
    {
        errs.push(FieldError::new(
            "end_date",
            "WE0651",
            &format!(
                "phải sau ngày bắt đầu giữ chức vụ ({}).",
                congdoan_domain::date::format_vn_date(p.start_date)
            ),
            &format!(
                "must follow the start of the post ({}).",
                congdoan_domain::date::format_vn_date(p.start_date)
            ),
        ));
    }
    if p.end_date.is_some() {
        errs.push(FieldError::new(
            "end_date",
            "WE0652",
            "chức vụ này đã kết thúc.",
            "this post has already ended.",
        ));
    }
    let Some(end) = end.filter(|_| errs.is_empty()) else {
        return end_position_page(&st, &user, p, f, errs).await;
    };
    if !confirm::confirmed(&pairs) {
        let unit = st.store.unit(&user.scope, p.unit_id).await?;
        if !user.scope.can_write(&unit.path) {
            return Err(AppError::Forbidden);
        }
        return confirm::ConfirmPage {
            chrome: Chrome::new(
                &user,
                tr.s("Xác nhận kết thúc chức vụ", "Confirm ending the post"),
            ),
            lead: format!(
                "{} {} {} {} {} {} {} {}.",
                tr.s("Kết thúc chức vụ", "End the post of"),
                tr.s(&p.position_name_vi, &p.position_name_en),
                tr.s("của", "held by"),
                p.full_name,
                tr.s("tại", "in"),
                unit.name,
                tr.s("từ ngày", "on"),
                tr.date(end)
            ),
            impacts: vec![
                confirm::Impact::line(format!(
                    "{}: {}",
                    tr.s("Giữ chức vụ từ", "Held since"),
                    tr.date(p.start_date)
                )),
                confirm::Impact::line(format!(
                    "{}: {}",
                    tr.s("Lý do", "Reason"),
                    f.reason.trim()
                )),
            ],
            irreversible: vec![tr
                .s(
                    "Chức vụ đã kết thúc không mở lại được; muốn giữ lại phải bầu hoặc chỉ định lại.",
                    "An ended post cannot be reopened; the person must be elected or appointed again.",
                )
                .to_string()],
            action: format!("/positions/{id}/end"),
            hidden: confirm::hidden(&pairs),
            button: tr
                .s("Xác nhận kết thúc chức vụ", "Confirm: end the post")
                .to_string(),
            back: format!("/positions/{id}/end"),
        }
        .render();
    }
    match st
        .store
        .end_position(&user.scope, id, end, f.reason.trim())
        .await
    {
        Ok(()) => see_other(&format!("/units/{}?notice=post_ended&pos={id}", p.unit_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            end_position_page(&st, &user, p, f, errs).await
        }
    }
}
