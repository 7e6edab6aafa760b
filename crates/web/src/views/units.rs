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
    /// A small form of this page posted with errors or a picker search.
    form: pick::FormState,
    /// Set when the caller reads this unit only through a coordination link.
    coordinated: Option<congdoan_store::CoordinatedUnit>,
    /// The unit's reward register (awards it received as a collective).
    rewards: Vec<congdoan_store::RewardItem>,
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
    let as_of = as_of_param(q.as_of.as_deref())?;
    let tr = user.tr();
    // Result messages come from keys, never from the address's own text.
    let notice = match n.notice.as_deref() {
        Some("post_ended") => Some(match n.pos {
            Some(pos) => match st.store.position(&user.scope, pos).await {
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
    };
    unit_page_with(&st, &user, id, as_of, notice, Default::default()).await
}

/// The unit page, with one of its small forms shown again when `form` names one.
pub(super) async fn unit_page_with(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    as_of: time::Date,
    notice: Option<String>,
    mut form: pick::FormState,
) -> PageResult {
    let tr = user.tr();
    form.lang = user.lang;
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
    let has_errors = form.has_errors();
    let page = UnitPage {
        chrome: Chrome::new(user, &u.name),
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
        rewards: s.unit_rewards(&user.scope, u.unit_id).await?,
        history: s.unit_history(&user.scope, id).await?,
        ended: ended_note(&u, &lineage, tr),
        lineage,
        as_of,
        can_write: user.scope.can_write(&u.path) && u.ended_on.is_none(),
        holds_members: types
            .iter()
            .any(|t| t.type_code == u.type_code && t.holds_members),
        notice,
        form,
        u,
    };
    Ok(pick::unprocessable(render(page)?, has_errors))
}

/// Shows the unit page again with form `form`'s input, errors or picker matches.
async fn unit_form_again(
    st: &AppState,
    user: &CurrentUser,
    unit_id: i64,
    form: &str,
    pairs: pick::Pairs,
    errors: Vec<FieldError>,
) -> PageResult {
    let fs = pick::FormState::again(form, pairs, errors, st, user).await?;
    unit_page_with(st, user, unit_id, today(), None, fs).await
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
    /// The commune picker: what was searched, and the matches of a "Tìm" search.
    commune_q: String,
    communes: Option<Vec<(i64, String)>>,
    commune_name: String,
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
    unit_form_page_with(st, user, f, errors, edit, None).await
}

/// The unit form; `search` holds the commune search of a "Tìm" post.
async fn unit_form_page_with(
    st: &AppState,
    user: &CurrentUser,
    f: UnitForm,
    errors: Vec<FieldError>,
    edit: Option<&Unit>,
    search: Option<String>,
) -> PageResult {
    let tr = user.tr();
    let province = f.province_code.trim().parse::<i64>().ok();
    let commune_name = f
        .commune_code
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|c| {
            province
                .and_then(divisions::province)
                .and_then(|p| p.communes.iter().find(|(code, _)| *code == c))
        })
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let communes = search.as_deref().map(|q| pick::communes(province, q));
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
        commune_q: search.unwrap_or_default(),
        communes,
        commune_name,
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

/// A "Tìm" post of the commune picker: the search typed, if this is one.
fn commune_search(pairs: &pick::Pairs) -> Option<String> {
    pairs
        .iter()
        .any(|(k, v)| k == "pick" && v == "commune_code")
        .then(|| {
            pairs
                .iter()
                .find(|(k, _)| k == "commune_code__q")
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
}

pub(super) async fn create_unit(
    State(st): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<pick::Pairs>,
) -> PageResult {
    let f: UnitForm = pick::merged(&pairs)?;
    if let Some(q) = commune_search(&pairs) {
        return unit_form_page_with(&st, &user, f, vec![], None, Some(q)).await;
    }
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
    CsrfForm(user, pairs): CsrfForm<pick::Pairs>,
) -> PageResult {
    let mut f: UnitForm = pick::merged(&pairs)?;
    let u = st.store.unit(&user.scope, id).await?;
    f.type_code = u.type_code.clone();
    f.code = u.code.clone();
    if let Err(e) = refuse_ended(&u) {
        let errs = field_errors(e)?;
        return unit_form_page(&st, &user, f, errs, Some(&u)).await;
    }
    if let Some(q) = commune_search(&pairs) {
        return unit_form_page_with(&st, &user, f, vec![], Some(&u), Some(q)).await;
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

/// The small forms of the unit page show their errors at the form, on the page.
pub(super) async fn move_unit(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<pick::Pairs>,
) -> PageResult {
    refuse_ended(&st.store.unit(&user.scope, id).await?)?;
    let again = |pairs, errs| unit_form_again(&st, &user, id, "move", pairs, errs);
    if pairs.iter().any(|(k, _)| k == "pick") {
        return again(pairs, vec![]).await;
    }
    let f: MoveForm = pick::merged(&pairs)?;
    let mut errs = vec![];
    let parent = pick::unit_code(&st, "parent_code", &f.parent_code)
        .await
        .map_err(|e| errs.push(e))
        .ok();
    let on = parse_date_req(&f.on, "effective_date", &mut errs);
    if f.reason.trim().is_empty() {
        errs.push(FieldError::new(
            "reason",
            "WE0602",
            "không được để trống.",
            "is required.",
        ));
    }
    let (Some(on), Some(parent)) = (on, parent) else {
        return again(pairs, errs).await;
    };
    if !errs.is_empty() {
        return again(pairs, errs).await;
    }
    match st
        .store
        .move_unit(&user.scope, id, parent, on, today(), f.reason.trim())
        .await
    {
        Ok(_) => see_other(&format!("/units/{id}")),
        Err(e) => again(pairs, store_errors(e, "parent_code")?).await,
    }
}

/// A message without its "label: " prefix (relabelled for the form's own field).
fn strip(m: &str) -> &str {
    m.split_once(": ").map_or(m, |(_, rest)| rest)
}

/// A store refusal as errors on the form; one that names no field of the form is put
/// on `field` (the form's main choice).
pub(super) fn store_errors(
    e: congdoan_store::StoreError,
    field: &str,
) -> Result<Vec<FieldError>, AppError> {
    match AppError::from(e) {
        AppError::NotFound => Ok(vec![FieldError::new(
            field,
            "WE0404",
            "không tìm thấy, hoặc bạn không có quyền chọn đơn vị này.",
            "not found, or not yours to choose.",
        )]),
        AppError::Forbidden => Ok(vec![FieldError::new(
            field,
            "WE0403",
            "bạn không có quyền thực hiện thao tác này với đơn vị đã chọn.",
            "you may not do this with the chosen unit.",
        )]),
        other => field_errors(other),
    }
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
    CsrfForm(user, pairs): CsrfForm<pick::Pairs>,
) -> PageResult {
    refuse_ended(&st.store.unit(&user.scope, id).await?)?;
    let again = |pairs, errs| unit_form_again(&st, &user, id, "coord", pairs, errs);
    if pairs.iter().any(|(k, _)| k == "pick") {
        return again(pairs, vec![]).await;
    }
    let f: CoordForm = pick::merged(&pairs)?;
    let mut errs = vec![];
    // The coordinator is resolved by the store: a unit the officer also writes is
    // linked at once; any other code (a hidden unit's or an unknown one, alike) becomes
    // a proposal waiting for that unit's officers.
    if f.coordinator_code.trim().is_empty() {
        errs.push(FieldError::new(
            "coordinator_code",
            "WE0602",
            "không được để trống; gõ tên để tìm đơn vị.",
            "is required; type a name to find the unit.",
        ));
    }
    let from = parse_date_req(&f.valid_from, "valid_from", &mut errs);
    let (Some(from), true) = (from, errs.is_empty()) else {
        return again(pairs, errs).await;
    };
    match st
        .store
        .propose_coordination(&user.scope, id, &f.coordinator_code, from, Some(f.note))
        .await
    {
        Ok(congdoan_store::Coordination::Linked(_)) => see_other(&format!("/units/{id}")),
        Ok(congdoan_store::Coordination::Proposed(g)) => {
            see_other(&format!("/agreements/{g}?notice=proposed"))
        }
        Err(e) => {
            let mut errs = store_errors(e, "coordinator_code")?;
            for e in &mut errs {
                if matches!(e.field.as_str(), "party_a_id" | "coordinator_id") {
                    let (vi, en) = (
                        strip(&e.message).to_string(),
                        strip(&e.message_en).to_string(),
                    );
                    *e = FieldError::new("coordinator_code", &e.code, &vi, &en);
                }
            }
            again(pairs, errs).await
        }
    }
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
    CsrfForm(user, pairs): CsrfForm<pick::Pairs>,
) -> PageResult {
    refuse_ended(&st.store.unit(&user.scope, id).await?)?;
    let f: CommitteeForm = pick::merged(&pairs)?;
    let mut errs = vec![];
    let start = parse_date_req(&f.term_start, "term_start", &mut errs);
    let end = parse_date_opt(&f.term_end, "term_end", &mut errs);
    let term_no = match f.term_no.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errs.push(FieldError::new(
                    "term_no",
                    "WE0630",
                    &format!("khóa phải là số nguyên dương, không phải '{t}'."),
                    &format!("the term number must be a positive integer, not '{t}'."),
                ));
                None
            }
        },
    };
    let Some(start) = start.filter(|_| errs.is_empty()) else {
        return unit_form_again(&st, &user, id, "committee", pairs, errs).await;
    };
    match st
        .store
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
        .await
    {
        Ok(_) => see_other(&format!("/units/{id}")),
        Err(e) => {
            let errs = store_errors(e, "kind")?;
            unit_form_again(&st, &user, id, "committee", pairs, errs).await
        }
    }
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

/// Adds a post; the member is chosen by name (the picker offers members of the unit's
/// subtree as `#id`) or typed as a CCCD or card number.
pub(super) async fn add_position(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<pick::Pairs>,
) -> PageResult {
    let unit_id = st.store.committee_unit(id).await?;
    refuse_ended(&st.store.unit(&user.scope, unit_id).await?)?;
    let form = format!("position-{id}");
    if pairs.iter().any(|(k, v)| k == "pick" && v == "member") {
        let q = pairs
            .iter()
            .find(|(k, _)| k == "member__q")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut fs = pick::FormState::new(&form, pairs, vec![], user.lang);
        if !q.trim().is_empty() {
            fs.members = st
                .store
                .search_members(
                    &user.scope,
                    &MemberQuery {
                        q: Some(q),
                        unit_id: Some(unit_id),
                        per_page: 20,
                        ..Default::default()
                    },
                )
                .await?
                .rows;
        }
        fs.member_search = true;
        return unit_page_with(&st, &user, unit_id, today(), None, fs).await;
    }
    let f: PositionForm = pick::merged(&pairs)?;
    let mut errs = vec![];
    let start = parse_date_req(&f.start_date, "start_date", &mut errs);
    let typed = f.member.trim();
    let member = match typed.strip_prefix('#').map(str::parse::<i64>) {
        Some(Ok(mid)) => st.store.member(&user.scope, mid).await.map(|m| m.member_id),
        _ => st
            .store
            .member_by_cccd_or_card(&user.scope, typed)
            .await
            .map(|m| m.member_id),
    };
    let member = match member {
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
    let (Some(start), Some(member_id)) = (start, member) else {
        return unit_form_again(&st, &user, unit_id, &form, pairs, errs).await;
    };
    match st
        .store
        .add_position(
            &user.scope,
            id,
            PositionInput {
                member_id,
                position_code: f.position_code,
                start_date: start,
                end_date: None,
                full_time: f.full_time,
                elected: !f.appointed,
            },
        )
        .await
    {
        Ok(_) => see_other(&format!("/units/{unit_id}")),
        Err(e) => {
            let errs = store_errors(e, "member")?;
            unit_form_again(&st, &user, unit_id, &form, pairs, errs).await
        }
    }
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
    CsrfForm(user, pairs): CsrfForm<pick::Pairs>,
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
