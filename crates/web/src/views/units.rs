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
    can_write: bool,
    holds_members: bool,
    notice: Option<String>,
    /// Set when the caller reads this unit only through a coordination link.
    coordinated: Option<congdoan_store::CoordinatedUnit>,
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
) -> PageResult {
    let tr = user.tr();
    let as_of = as_of_param(q.as_of.as_deref())?;
    let s = &st.store;
    let u = s.unit(&user.scope, id).await?;
    let types = s.unit_types().await?;
    let children = s.tree_children(&user.scope, id, as_of).await?;
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
        coordinated: s.coordination_basis(&user.scope, &u.path, today()).await?,
        history: s.unit_history(&user.scope, id).await?,
        lineage: s.lineage(&user.scope, id).await?,
        as_of,
        can_write: user.scope.can_write(&u.path),
        holds_members: types
            .iter()
            .any(|t| t.type_code == u.type_code && t.holds_members),
        notice: q.notice.clone(),
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
    st.store.unit(&user.scope, id).await?;
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
    st.store.unit(&user.scope, id).await?;
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
    let c = st.store.committee_unit(id).await?;
    see_other(&format!("/units/{c}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct EndForm {
    end_date: String,
    reason: String,
}

pub(super) async fn end_position(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<EndForm>,
) -> PageResult {
    let mut errs = vec![];
    let end = parse_date_req(&f.end_date, "end_date", &mut errs);
    let Some(end) = end.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let unit_id = st.store.position_unit(id).await?;
    st.store
        .end_position(&user.scope, id, end, &f.reason)
        .await?;
    see_other(&format!("/units/{unit_id}"))
}
