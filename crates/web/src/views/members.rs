//! Member lists, the member form and page, and status changes.

use super::*;

#[derive(Template)]
#[template(path = "members.html")]
pub(super) struct MembersPage {
    chrome: Chrome,
    unit: Option<Unit>,
    can_add: bool,
    q: String,
    status: String,
    statuses: Vec<(&'static str, String)>,
    /// The filters other than name and status, as hidden fields and a line of text.
    facets: Vec<(&'static str, String)>,
    facets_text: String,
    l: MembersPartial,
    /// Where "Nhập từ tệp Excel" and the exports go (the chosen unit, or the one granted).
    target_unit: Option<i64>,
    export_query: String,
}

#[derive(Template)]
#[template(path = "members_partial.html")]
pub(super) struct MembersPartial {
    chrome: Chrome,
    rows: Vec<MemberListRow>,
    page: i64,
    more: bool,
    capped: bool,
    too_large: bool,
    total: congdoan_store::MemberTotal,
    prev_url: String,
    next_url: String,
}

/// The key that stands for "not recorded" in the sector and ownership filters.
pub(super) const NOT_RECORDED: &str = "-";

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MembersQuery {
    q: String,
    status: String,
    unit: Option<i64>,
    /// M or F.
    sex: String,
    /// A dashboard age band ("<=30", "31-35", …).
    age: String,
    /// Sector of the CĐCS, or [`NOT_RECORDED`].
    sector: String,
    /// Employer ownership of the CĐCS, or [`NOT_RECORDED`].
    ownership: String,
    /// "1": Party members only.
    party: String,
    page: i64,
}

impl MembersQuery {
    /// The filters besides name, status and unit, as (name, value) pairs.
    fn facets(&self) -> Vec<(&'static str, String)> {
        [
            ("sex", &self.sex),
            ("age", &self.age),
            ("sector", &self.sector),
            ("ownership", &self.ownership),
            ("party", &self.party),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect()
    }

    fn store_query(&self) -> MemberQuery {
        let field = |v: &str| match v.trim() {
            "" => None,
            NOT_RECORDED => Some(String::new()),
            v => Some(v.to_string()),
        };
        MemberQuery {
            q: Some(self.q.clone()),
            unit_id: self.unit,
            status: MemberStatus::parse(self.status.trim()).ok(),
            sex: Some(self.sex.trim().to_uppercase()).filter(|s| s == "M" || s == "F"),
            birth_years: congdoan_store::birth_years_of_band(self.age.trim(), today().year()),
            sector: field(&self.sector),
            ownership: field(&self.ownership),
            party: self.party.trim() == "1",
            page: self.page,
            per_page: 50,
        }
    }

    /// The filters as a query string (for the exports and the pager).
    fn query_string(&self, page: Option<i64>) -> String {
        let mut parts = vec![("q", self.q.clone()), ("status", self.status.clone())];
        parts.extend(self.facets());
        if let Some(p) = page {
            parts.push(("page", p.to_string()));
        }
        if let Some(u) = self.unit {
            parts.push(("unit", u.to_string()));
        }
        serde_urlencoded::to_string(parts).unwrap_or_default()
    }
}

pub(super) fn members_url(q: &MembersQuery, page: i64) -> String {
    format!("/members?{}", q.query_string(Some(page)))
}

pub(super) async fn members(
    State(st): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<MembersQuery>,
) -> PageResult {
    let tr = user.tr();
    let mq = q.store_query();
    let found = st.store.search_members(&user.scope, &mq).await?;
    let total = st.store.count_members(&user.scope, &mq).await?;
    let (prev_url, next_url) = (members_url(&q, q.page - 1), members_url(&q, q.page + 1));
    let list = MembersPartial {
        chrome: Chrome::new(&user, ""),
        rows: found.rows,
        page: q.page,
        more: found.more,
        capped: found.capped,
        too_large: found.too_large,
        total,
        prev_url,
        next_url,
    };
    if headers.contains_key("hx-request") && !headers.contains_key("hx-boosted") {
        let mut res = render(list)?;
        res.headers_mut().insert(
            header::VARY,
            axum::http::HeaderValue::from_static("HX-Request"),
        );
        return Ok(res);
    }
    let unit = match q.unit {
        Some(id) => Some(st.store.unit(&user.scope, id).await?),
        None => None,
    };
    // Adding needs a unit that holds members and that the caller may write.
    let can_add = match &unit {
        Some(u) if user.scope.can_write(&u.path) => st
            .store
            .unit_types()
            .await?
            .iter()
            .any(|t| t.type_code == u.type_code && t.holds_members),
        _ => false,
    };
    let target_unit = q.unit.or_else(|| match user.scope.read_paths() {
        [one] if !user.scope.is_admin() => congdoan_domain::OrgPath::parse(one)
            .ok()?
            .ids()
            .last()
            .copied(),
        _ => None,
    });
    let export = MembersQuery {
        unit: target_unit,
        page: 0,
        ..q
    };
    let facets = export.facets();
    let facets_text = facets
        .iter()
        .map(|(k, v)| match *k {
            "sex" => format!("{}: {}", tr.field("sex"), tr.sex(v)),
            "age" => format!("{}: {v}", tr.s("Độ tuổi", "Age")),
            "sector" => format!(
                "{}: {}",
                tr.s("Ngành, lĩnh vực của CĐCS", "Sector of the union"),
                if v == NOT_RECORDED {
                    tr.s("Chưa ghi", "Not recorded")
                } else {
                    v.as_str()
                }
            ),
            "ownership" => format!(
                "{}: {}",
                tr.s("Loại hình đơn vị sử dụng lao động", "Employer type"),
                crate::forms::OWNERSHIPS
                    .iter()
                    .find(|(c, _, _)| *c == v.as_str())
                    .map(|(_, vi, en)| tr.s(vi, en))
                    .unwrap_or(if v == NOT_RECORDED {
                        tr.s("Chưa ghi", "Not recorded")
                    } else {
                        v.as_str()
                    })
            ),
            _ => tr.s("Đảng viên", "Party members").to_string(),
        })
        .collect::<Vec<_>>()
        .join(" · ");
    render(MembersPage {
        chrome: Chrome::new(&user, tr.s("Đoàn viên", "Members")),
        can_add,
        unit,
        statuses: MemberStatus::all()
            .iter()
            .map(|s| (s.code(), s.label(user.lang).to_string()))
            .collect(),
        q: export.q.clone(),
        status: export.status.clone(),
        facets,
        facets_text,
        l: list,
        target_unit,
        export_query: export.query_string(None),
    })
}

/// One input of the member form.
pub struct FormField {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub inputmode: &'static str,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "member_form.html")]
pub(super) struct MemberFormPage {
    chrome: Chrome,
    /// The unit and its sub-units that hold members, for a new member's placement.
    placements: Vec<(i64, String)>,
    unit: Unit,
    f: MemberForm,
    fields: Vec<FormField>,
    errors: Vec<FieldError>,
    action: String,
}

pub(super) fn member_fields(
    f: &MemberForm,
    errors: &[FieldError],
    tr: Tr,
    creating: bool,
) -> Vec<FormField> {
    let err = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.text(tr.lang).to_string())
    };
    let mut v = vec![
        (
            "full_name",
            tr.field("full_name"),
            "",
            f.full_name.clone(),
            "",
        ),
        (
            "birth_date",
            tr.field("birth_date"),
            "dd/mm/yyyy",
            f.birth_date.clone(),
            "numeric",
        ),
        ("sex", tr.field("sex"), "", f.sex.clone(), ""),
        (
            "cccd",
            tr.field("cccd"),
            tr.s("12 chữ số", "12 digits"),
            f.cccd.clone(),
            "numeric",
        ),
        ("phone", tr.field("phone"), "", f.phone.clone(), "tel"),
        (
            "ethnicity",
            tr.field("ethnicity"),
            "",
            f.ethnicity.clone(),
            "",
        ),
        (
            "nationality",
            tr.field("nationality"),
            "",
            f.nationality.clone(),
            "",
        ),
        (
            "job_title",
            tr.s("Nghề nghiệp, chức danh", "Job"),
            "",
            f.job_title.clone(),
            "",
        ),
        (
            "employer_name",
            tr.s("Nơi làm việc", "Employer"),
            "",
            f.employer_name.clone(),
            "",
        ),
        (
            "si_salary",
            tr.s("Lương đóng BHXH (đồng)", "SI salary (VND)"),
            "",
            f.si_salary.clone(),
            "numeric",
        ),
        ("card_no", tr.field("card_no"), "", f.card_no.clone(), ""),
        (
            "join_date",
            tr.field("join_date"),
            "dd/mm/yyyy",
            f.join_date.clone(),
            "numeric",
        ),
        (
            "party_member",
            tr.s("Đảng viên", "Party member"),
            "",
            if f.party_member {
                "on".into()
            } else {
                String::new()
            },
            "",
        ),
    ];
    if creating {
        v.push((
            "status",
            tr.field("status"),
            "",
            if f.status.is_empty() {
                "member".into()
            } else {
                f.status.clone()
            },
            "",
        ));
    }
    v.into_iter()
        .map(|(name, label, hint, value, inputmode)| FormField {
            name,
            label: label.to_string(),
            hint: hint.to_string(),
            value,
            inputmode,
            error: err(name),
        })
        .collect()
}

pub(super) async fn member_form_page(
    st: &AppState,
    user: &CurrentUser,
    f: MemberForm,
    errors: Vec<FieldError>,
    edit: Option<i64>,
) -> PageResult {
    let tr = user.tr();
    let unit = st
        .store
        .unit(
            &user.scope,
            f.unit_id.parse().map_err(|_| AppError::NotFound)?,
        )
        .await?;
    // A new member may go straight into a tổ or bộ phận of the unit.
    let mut placements = vec![];
    if edit.is_none() {
        let types = st.store.unit_types().await?;
        for v in st
            .store
            .subtree_as_of(&user.scope, unit.unit_id, today())
            .await?
        {
            if types
                .iter()
                .any(|t| t.type_code == v.type_code && t.holds_members)
            {
                let depth = v
                    .path
                    .matches('/')
                    .count()
                    .saturating_sub(unit.path.matches('/').count());
                placements.push((v.unit_id, format!("{}{}", "— ".repeat(depth), v.name)));
            }
        }
    }
    let mut res = render(MemberFormPage {
        placements,
        chrome: Chrome::new(
            user,
            match edit {
                Some(_) => tr.s("Sửa hồ sơ đoàn viên", "Edit member"),
                None => tr.s("Thêm đoàn viên", "New member"),
            },
        ),
        fields: member_fields(&f, &errors, tr, edit.is_none()),
        action: edit
            .map(|id| format!("/members/{id}/edit"))
            .unwrap_or_else(|| "/members".into()),
        unit,
        f,
        errors: errors.clone(),
    })?;
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub(super) async fn new_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> PageResult {
    let unit = st
        .store
        .unit(&user.scope, q.unit.ok_or(AppError::NotFound)?)
        .await?;
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let f = MemberForm {
        unit_id: unit.unit_id.to_string(),
        nationality: "Việt Nam".into(),
        ethnicity: "Kinh".into(),
        ..Default::default()
    };
    member_form_page(&st, &user, f, vec![], None).await
}

pub(super) async fn create_member(
    State(st): State<AppState>,
    CsrfForm(user, f): CsrfForm<MemberForm>,
) -> PageResult {
    let input = match f.parse() {
        Ok(i) => i,
        Err(errs) => return member_form_page(&st, &user, f, errs, None).await,
    };
    match st.store.create_member(&user.scope, input, today()).await {
        Ok(m) => see_other(&format!("/members/{}", m.member_id)),
        Err(e) => {
            let errs = field_errors(e.into())?;
            member_form_page(&st, &user, f, errs, None).await
        }
    }
}

pub(super) async fn edit_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let m = st.store.member(&user.scope, id).await?;
    if !user.scope.can_write(&m.path) {
        return Err(AppError::Forbidden);
    }
    st.store.log_personal_data_view(&user.scope, &m).await?;
    member_form_page(&st, &user, member_to_form(&m), vec![], Some(id)).await
}

pub(super) fn member_to_form(m: &Member) -> MemberForm {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    MemberForm {
        unit_id: m.unit_id.to_string(),
        full_name: m.full_name.clone(),
        birth_date: congdoan_domain::date::format_vn_date(m.birth_date),
        sex: m.sex.clone(),
        cccd: o(&m.cccd),
        phone: o(&m.phone),
        ethnicity: o(&m.ethnicity),
        nationality: o(&m.nationality),
        job_title: o(&m.job_title),
        employer_name: o(&m.employer_name),
        si_salary: m.si_salary.map(|v| v.to_string()).unwrap_or_default(),
        card_no: o(&m.card_no),
        join_date: m
            .join_date
            .map(congdoan_domain::date::format_vn_date)
            .unwrap_or_default(),
        party_member: m.party_member,
        status: m.status.clone(),
        version: m.version.to_string(),
    }
}

pub(super) async fn update_member(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, mut f): CsrfForm<MemberForm>,
) -> PageResult {
    let m = st.store.member(&user.scope, id).await?;
    f.unit_id = m.unit_id.to_string();
    f.status = String::new();
    let input = match f.parse() {
        Ok(i) => i,
        Err(errs) => return member_form_page(&st, &user, f, errs, Some(id)).await,
    };
    match st
        .store
        .update_member(&user.scope, id, f.version.parse().unwrap_or(-1), input)
        .await
    {
        Ok(_) => see_other(&format!("/members/{id}")),
        Err(e) => {
            let errs = field_errors(e.into())?;
            member_form_page(&st, &user, f, errs, Some(id)).await
        }
    }
}

#[derive(Template)]
#[template(path = "member.html")]
pub(super) struct MemberPage {
    chrome: Chrome,
    m: Member,
    unit: Unit,
    cccd: String,
    phone: String,
    salary: Option<String>,
    revealed: bool,
    can_write: bool,
    history: Vec<MemberEvent>,
    positions: Vec<Position>,
    /// Only the actions valid from the member's current status.
    event_kinds: Vec<(&'static str, String)>,
    errors: Vec<FieldError>,
    notice: Option<String>,
    /// The status form shown again (input, errors, unit picker matches).
    form: pick::FormState,
    /// The member's reward register.
    rewards: Vec<congdoan_store::RewardItem>,
}

/// Actions that change a member's standing for good and so are confirmed first.
fn consequential(kind: MemberEventKind) -> bool {
    matches!(
        kind,
        MemberEventKind::Expel | MemberEventKind::Exit | MemberEventKind::TransferOut
    )
}

/// `?notice=event` on the member page: the last recorded change, from the history.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MemberNotice {
    notice: Option<String>,
}

/// The member page, with the status form as typed and an optional result message.
pub(super) async fn member_page_full(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    reveal: bool,
    mut form: pick::FormState,
    notice: Option<&str>,
) -> PageResult {
    form.lang = user.lang;
    let errors = form.errors.clone();
    let s = &st.store;
    let m = s.member(&user.scope, id).await?;
    let can_write = user.scope.can_write(&m.path);
    let revealed = reveal && can_write;
    if revealed {
        s.log_personal_data_view(&user.scope, &m).await?;
    }
    let cccd = match (&m.cccd, revealed) {
        (Some(c), true) => c.clone(),
        (Some(c), false) => Cccd::parse(c).map(|c| c.masked()).unwrap_or_default(),
        (None, _) => String::new(),
    };
    let phone = match (&m.phone, revealed) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => PhoneVn::parse(p).map(|p| p.masked()).unwrap_or_default(),
        (None, _) => String::new(),
    };
    let salary = m.si_salary.map(|v| {
        if revealed {
            user.tr().vnd(v)
        } else {
            "***".into()
        }
    });
    let has_errors = !errors.is_empty();
    let history = s.member_history(&user.scope, id).await?;
    let mut res = render(MemberPage {
        chrome: Chrome::new(user, &m.full_name),
        unit: s.unit(&user.scope, m.unit_id).await?,
        cccd,
        phone,
        salary,
        revealed,
        can_write,
        notice: match (notice, history.last()) {
            (Some("event"), Some(e)) => Some(format!(
                "{}: {} {} {} ({}).",
                user.tr().s("Đã ghi nhận", "Recorded"),
                user.tr().event(e.kind.as_str()),
                user.tr().s("từ ngày", "on"),
                user.tr().date(e.on_date),
                user.tr().status(e.to_status.as_str())
            )),
            _ => None,
        },
        history,
        positions: s.positions_of_member(&user.scope, id).await?,
        rewards: s.member_rewards(&user.scope, id).await?,
        event_kinds: MemberStatus::parse(&m.status)
            .map(MemberEventKind::allowed_from)
            .unwrap_or(&[])
            .iter()
            .map(|k| (k.code(), k.label(user.lang).to_string()))
            .collect(),
        errors,
        form,
        m,
    })?;
    if has_errors {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub(super) async fn member_page(
    State(st): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
    Query(n): Query<MemberNotice>,
) -> PageResult {
    if q.reveal.is_some() {
        refuse_cross_site(&headers)?;
    }
    member_page_full(
        &st,
        &user,
        id,
        q.reveal.is_some(),
        Default::default(),
        n.notice.as_deref(),
    )
    .await
}

/// The status-change form (also the API's event request).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct EventFormData {
    pub kind: String,
    pub on: String,
    pub reason: String,
    pub to_unit_code: String,
}

/// Records a status change. Expulsion, leaving and transfers are confirmed first on a
/// page restating the effect; errors come back inline with the input kept.
pub(super) async fn member_event(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<pick::Pairs>,
) -> PageResult {
    let again = |pairs, errs| async {
        let fs = pick::FormState::again("event", pairs, errs, &st, &user).await?;
        member_page_full(&st, &user, id, false, fs, None).await
    };
    if pairs.iter().any(|(k, _)| k == "pick") {
        return again(pairs, vec![]).await;
    }
    let f: EventFormData = pick::merged(&pairs)?;
    let ev = match parse_event(&st, &f).await {
        Ok(ev) => ev,
        Err(errs) => return again(pairs, errs).await,
    };
    if consequential(ev.kind) && !super::confirm::confirmed(&pairs) {
        let m = st.store.member(&user.scope, id).await?;
        if !user.scope.can_write(&m.path) {
            return Err(AppError::Forbidden);
        }
        let tr = user.tr();
        let current = MemberStatus::parse(&m.status)?;
        if !MemberEventKind::allowed_from(current).contains(&ev.kind) {
            // The store names the refusal inline.
            return match st
                .store
                .member_event(&user.scope, id, ev, &MembershipRules::hd38(), today())
                .await
            {
                Ok(_) => see_other(&format!("/members/{id}?notice=event")),
                Err(e) => again(pairs, units::store_errors(e, "to_unit_code")?).await,
            };
        }
        let unit = st.store.unit(&user.scope, m.unit_id).await?;
        let mut impacts = vec![];
        let to_status = match ev.kind {
            MemberEventKind::Expel => Some(MemberStatus::Expelled),
            MemberEventKind::Exit => Some(MemberStatus::Exited),
            _ => None,
        };
        match (to_status, ev.to_unit_id) {
            (Some(s), _) => impacts.push(super::confirm::Impact::line(format!(
                "{}: {} → {}",
                tr.s("Trạng thái", "Status"),
                current.label(user.lang),
                s.label(user.lang)
            ))),
            (None, Some(to)) => {
                let name = st
                    .store
                    .unit(&user.scope, to)
                    .await
                    .map(|u| u.name)
                    .unwrap_or_else(|_| f.to_unit_code.trim().to_string());
                impacts.push(super::confirm::Impact::line(format!(
                    "{}: {} → {}",
                    tr.s("Sinh hoạt", "Membership"),
                    unit.name,
                    name
                )));
            }
            (None, None) => impacts.push(super::confirm::Impact::line(format!(
                "{}: {} → {}",
                tr.s("Trạng thái", "Status"),
                current.label(user.lang),
                MemberStatus::Transferred.label(user.lang)
            ))),
        }
        if let Some(r) = ev.reason.as_deref() {
            impacts.push(super::confirm::Impact::line(format!(
                "{}: {r}",
                tr.s("Lý do", "Reason")
            )));
        }
        let held = st
            .store
            .positions_of_member(&user.scope, id)
            .await?
            .into_iter()
            .filter(|p| p.end_date.is_none())
            .count() as i64;
        if held > 0 {
            impacts.push(super::confirm::Impact::count(
                held,
                tr.s(
                    "chức vụ công đoàn đang giữ (kết thúc riêng trên trang đơn vị)",
                    "union posts held (end them on the unit's page)",
                ),
            ));
        }
        let label = ev.kind.label(user.lang);
        return super::confirm::ConfirmPage {
            chrome: Chrome::new(
                &user,
                &format!("{}: {label}", tr.s("Xác nhận", "Confirm")),
            ),
            lead: format!(
                "{label} {} {} ({}) {} {}.",
                tr.s("đoàn viên", "member"),
                m.full_name,
                unit.name,
                tr.s("từ ngày", "from"),
                tr.date(ev.on)
            ),
            impacts,
            irreversible: vec![tr
                .s(
                    "Thay đổi được ghi vào quá trình sinh hoạt của đoàn viên và vào nhật ký; không xoá được, muốn khôi phục phải kết nạp lại hoặc chuyển về theo thủ tục.",
                    "The change is written into the member's history and the audit log; it cannot be erased, only followed by a readmission or a transfer back.",
                )
                .to_string()],
            action: format!("/members/{id}/events"),
            hidden: super::confirm::hidden(&pairs),
            button: format!("{}: {label}", tr.s("Xác nhận", "Confirm")),
            back: format!("/members/{id}"),
        }
        .render();
    }
    match st
        .store
        .member_event(&user.scope, id, ev, &MembershipRules::hd38(), today())
        .await
    {
        Ok(_) => see_other(&format!("/members/{id}?notice=event")),
        Err(e) => {
            let errs = units::store_errors(e, "to_unit_code")?;
            again(pairs, errs).await
        }
    }
}

/// Parses a status-change form (shared with the API).
pub(crate) async fn parse_event(
    st: &AppState,
    f: &EventFormData,
) -> Result<MemberEventInput, Vec<FieldError>> {
    let mut errs = vec![];
    let kind = MemberEventKind::parse(f.kind.trim()).ok();
    if kind.is_none() {
        errs.push(FieldError::new(
            "status",
            "WE0640",
            "thao tác không hợp lệ.",
            "unknown action.",
        ));
    }
    let on = parse_date_req(&f.on, "effective_date", &mut errs);
    let to_unit_id = match f.to_unit_code.trim() {
        "" => None,
        code => match st.store.unit_id_by_code(code).await {
            Ok(id) => Some(id),
            Err(_) => {
                errs.push(pick::not_found("to_unit_code", code));
                None
            }
        },
    };
    match (kind, on) {
        (Some(kind), Some(on)) if errs.is_empty() => Ok(MemberEventInput {
            kind,
            on,
            reason: Some(f.reason.clone()).filter(|r| !r.trim().is_empty()),
            to_unit_id,
            discipline_end: None,
        }),
        _ => Err(errs),
    }
}
