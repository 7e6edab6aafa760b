//! Pages for coordination regulations (quy chế phối hợp): the list of a unit's
//! agreements and proposals (sent and received), recording or proposing one (by the
//! managing side), one agreement with its links, and the partner's acceptance or
//! refusal; either side may end it. A partner the proposer may not read is named only
//! by the code typed.

use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{
    Chrome, ConfirmForm, ConfirmInput, PageResult, UnitParam, field_errors, optional_unit, render,
    see_other,
};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::forms::{parse_date_opt, parse_date_req};
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use congdoan_domain::date::format_vn_date;
use congdoan_store::{
    AGREEMENT_SCOPE, Agreement, AgreementEdit, AgreementInput, CoordinationLink, Unit,
};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agreements", get(agreements_page).post(create_agreement))
        .route("/agreements/{id}", get(agreement_page))
        .route("/agreements/{id}/edit", post(edit_agreement))
        .route("/agreements/{id}/renew", post(renew_agreement))
        .route("/agreements/{id}/end", get(end_form).post(end_agreement))
        .route(
            "/agreements/{id}/accept",
            get(accept_form).post(accept_agreement),
        )
        .route(
            "/agreements/{id}/decline",
            get(decline_form).post(decline_agreement),
        )
        .route(
            "/agreements/{id}/units/{unit}/remove",
            get(remove_form).post(remove_unit),
        )
}

#[derive(Template)]
#[template(path = "agreements.html")]
struct AgreementsPage {
    chrome: Chrome,
    unit: Option<Unit>,
    can_write: bool,
    /// An administrator records agreements for both sides at once (said on the page).
    is_admin: bool,
    agreements: Vec<Agreement>,
    scope_items: Vec<(&'static str, &'static str)>,
    form: FormState,
    today: time::Date,
}

async fn agreements_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    agreements_page_with(&st, &user, q.unit, FormState::default()).await
}

async fn agreements_page_with(
    st: &AppState,
    user: &CurrentUser,
    unit: Option<i64>,
    mut form: FormState,
) -> PageResult {
    form.lang = user.lang;
    let tr = user.tr();
    let unit = optional_unit(st, user, unit).await?;
    let agreements = match &unit {
        Some(u) => st.store.agreements(&user.scope, u.unit_id).await?,
        None => vec![],
    };
    let errors = form.has_errors();
    let page = render(AgreementsPage {
        chrome: Chrome::new(user, tr.s("Quy chế phối hợp", "Coordination regulations")),
        can_write: unit.as_ref().is_some_and(|u| user.scope.can_write(&u.path)),
        is_admin: user.scope.is_admin(),
        unit,
        agreements,
        today: today(),
        scope_items: AGREEMENT_SCOPE
            .iter()
            .map(|(c, vi, en)| (*c, tr.s(vi, en)))
            .collect(),
        form,
    })?;
    Ok(pick::unprocessable(page, errors))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AgreementForm {
    /// The managing side (the unit whose page the form is on).
    unit: i64,
    number: String,
    title: String,
    party_a: String,
    signed_on: String,
    valid_from: String,
    valid_to: String,
    units: String,
    /// `scope_<code>` checkboxes.
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

async fn create_agreement(
    State(st): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let f: AgreementForm = pick::merged(&pairs)?;
    let again = |pairs: Pairs, errs: Vec<FieldError>| {
        let (st, user) = (&st, &user);
        async move {
            let fs = FormState::again("new-agreement", pairs, errs, st, user).await?;
            agreements_page_with(st, user, Some(f.unit), fs).await
        }
    };
    if pairs.iter().any(|(k, _)| k == "pick") {
        return again(pairs, vec![]).await;
    }
    let mut errs: Vec<FieldError> = vec![];
    for (field, v) in [("number", &f.number), ("title", &f.title)] {
        if v.trim().is_empty() {
            errs.push(FieldError::new(
                field,
                "WE0602",
                "không được để trống.",
                "is required.",
            ));
        }
    }
    // The partner is resolved by the store, which never tells a hidden unit from an
    // unknown code (both become a proposal named by the code typed).
    let party_a = if f.party_a.trim().is_empty() {
        errs.push(FieldError::new(
            "party_a",
            "WE0602",
            "không được để trống; gõ tên để tìm đơn vị.",
            "is required; type a name to find the unit.",
        ));
        None
    } else if user.scope.is_admin() && st.store.unit_id_by_code(&f.party_a).await.is_err() {
        // An administrator reads every unit: an unknown code hides nothing.
        errs.push(pick::not_found("party_a", &f.party_a));
        None
    } else {
        Some(f.party_a.trim().to_string())
    };
    let signed_on = parse_date_req(&f.signed_on, "signed_on", &mut errs);
    let valid_from = if f.valid_from.trim().is_empty() {
        signed_on
    } else {
        parse_date_req(&f.valid_from, "valid_from", &mut errs)
    };
    let valid_to = parse_date_opt(&f.valid_to, "valid_to", &mut errs);
    let mut unit_ids = vec![];
    for code in crate::forms::unit_codes(&f.units) {
        match pick::unit_code(&st, "units", code).await {
            Ok(id) => unit_ids.push(id),
            Err(e) => errs.push(e),
        }
    }
    let (Some(signed_on), Some(valid_from), Some(party_a)) = (signed_on, valid_from, party_a)
    else {
        return again(pairs, errs).await;
    };
    if !errs.is_empty() {
        return again(pairs, errs).await;
    }
    let scope_items = AGREEMENT_SCOPE
        .iter()
        .filter(|(c, _, _)| f.rest.contains_key(&format!("scope_{c}")))
        .map(|(c, _, _)| c.to_string())
        .collect();
    match st
        .store
        .create_agreement(
            &user.scope,
            AgreementInput {
                number: f.number.clone(),
                title: f.title.clone(),
                party_a_id: 0,
                party_a_code: Some(party_a),
                party_b_id: f.unit,
                signed_on,
                valid_from,
                valid_to,
                scope_items,
                unit_ids,
            },
        )
        .await
    {
        Ok(g) if g.is_proposal() => {
            see_other(&format!("/agreements/{}?notice=proposed", g.agreement_id))
        }
        Ok(g) => see_other(&format!("/agreements/{}", g.agreement_id)),
        Err(e) => {
            let mut errs = store_errors(e, "units")?;
            // The store names the input's fields; the form's are the typed codes.
            for e in &mut errs {
                if e.field == "party_a_id" {
                    *e = FieldError::new(
                        "party_a",
                        &e.code,
                        strip(&e.message),
                        strip(&e.message_en),
                    );
                } else if e.field == "unit_ids" || e.field == "party_b_id" {
                    *e = FieldError::new("units", &e.code, strip(&e.message), strip(&e.message_en));
                }
            }
            again(pairs, errs).await
        }
    }
}

/// A message without its "label: " prefix (relabelled for the form's own field).
fn strip(m: &str) -> &str {
    m.split_once(": ").map_or(m, |(_, rest)| rest)
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    chrome: Chrome,
    g: Agreement,
    items: Vec<&'static str>,
    links: Vec<CoordinationLink>,
    /// "Còn hiệu lực", "Hết hiệu lực", "Đã chấm dứt"… and its code (for the badge).
    status: &'static str,
    status_code: &'static str,
    /// The parties' pages, when the caller may read them (else the name alone).
    link_a: bool,
    link_b: bool,
    can_write: bool,
    /// The caller answers for the partner (accept or decline a proposal).
    may_answer: bool,
    /// The caller may end the agreement or withdraw the proposal (either side).
    may_end: bool,
    /// The units a proposal would share, by name.
    proposed: Vec<String>,
    errors: Vec<FieldError>,
    /// The edit form's values (kept on error) and which scope items are ticked.
    f: EditForm,
    scope_items: Vec<(&'static str, &'static str, bool)>,
    renew_to: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct EditForm {
    number: String,
    title: String,
    signed_on: String,
    valid_from: String,
    valid_to: String,
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeParam {
    notice: Option<String>,
}

async fn agreement_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let tr = user.tr();
    let notice = q.notice.as_deref().map(|n| match n {
        "updated" => tr.s("Đã lưu thay đổi của quy chế.", "The agreement was saved."),
        "renewed" => tr.s("Đã gia hạn quy chế.", "The agreement was renewed."),
        "ended" => tr.s("Đã chấm dứt quy chế; bên phối hợp thôi xem các đơn vị từ ngày chấm dứt.", "The agreement was ended; the coordinating side no longer reads the units from the end date."),
        "removed" => tr.s("Đã đưa đơn vị ra khỏi phạm vi quy chế.", "The unit was taken out of the agreement."),
        "proposed" => tr.s("Đã gửi đề nghị phối hợp. Chưa chia sẻ thông tin nào: quy chế có hiệu lực khi cán bộ của bên phối hợp chấp thuận.", "The proposal was sent. Nothing is shared until an officer of the coordinating side accepts it."),
        "accepted" => tr.s("Đã chấp thuận; quy chế có hiệu lực, bên phối hợp xem được các đơn vị trong phạm vi.", "Accepted; the agreement is in force and the coordinating side reads the covered units."),
        "declined" => tr.s("Đã từ chối đề nghị phối hợp; không chia sẻ thông tin nào.", "The proposal was declined; nothing is shared."),
        "withdrawn" => tr.s("Đã rút đề nghị phối hợp.", "The proposal was withdrawn."),
        _ => "",
    }.to_string()).filter(|n| !n.is_empty());
    agreement_view(&st, &user, id, vec![], None, String::new(), notice).await
}

/// The agreement page, with the edit form's values and errors when a post failed.
async fn agreement_view(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    errors: Vec<FieldError>,
    f: Option<EditForm>,
    renew_to: String,
    notice: Option<String>,
) -> PageResult {
    let tr = user.tr();
    let (g, links) = st.store.agreement(&user.scope, id).await?;
    let proposed = st
        .store
        .agreement_proposed_units(&user.scope, id)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let items = AGREEMENT_SCOPE
        .iter()
        .filter(|(c, _, _)| g.scope_codes().contains(c))
        .map(|(_, vi, en)| tr.s(vi, en))
        .collect();
    let status = g.status(today());
    let (vi, en) = status.label();
    let f = f.unwrap_or_else(|| EditForm {
        number: g.number.clone(),
        title: g.title.clone(),
        signed_on: format_vn_date(g.signed_on),
        valid_from: format_vn_date(g.valid_from),
        valid_to: g.valid_to.map(format_vn_date).unwrap_or_default(),
        rest: g
            .scope_codes()
            .iter()
            .map(|c| (format!("scope_{c}"), "1".to_string()))
            .collect(),
    });
    let scope_items = AGREEMENT_SCOPE
        .iter()
        .map(|(c, vi, en)| (*c, tr.s(vi, en), f.rest.contains_key(&format!("scope_{c}"))))
        .collect();
    let invalid = !errors.is_empty();
    let res = render(AgreementPage {
        chrome: Chrome::new(user, &g.title),
        status: tr.s(vi, en),
        status_code: status.code(),
        link_a: !g.masked && user.scope.can_read(&g.path_a),
        link_b: user.scope.can_read(&g.path_b),
        can_write: user.scope.can_write(&g.path_b),
        may_answer: g.may_answer(&user.scope),
        may_end: g.may_end(&user.scope) && !g.may_answer(&user.scope),
        proposed,
        g,
        items,
        links,
        errors,
        f,
        scope_items,
        renew_to,
        notice,
    })?;
    Ok(pick::unprocessable(res, invalid))
}

async fn edit_agreement(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<EditForm>,
) -> PageResult {
    let mut errs: Vec<FieldError> = vec![];
    let signed_on = parse_date_req(&f.signed_on, "signed_on", &mut errs);
    let valid_from = parse_date_req(&f.valid_from, "valid_from", &mut errs);
    let valid_to = parse_date_opt(&f.valid_to, "valid_to", &mut errs);
    let (Some(signed_on), Some(valid_from), true) = (signed_on, valid_from, errs.is_empty()) else {
        return agreement_view(&st, &user, id, errs, Some(f), String::new(), None).await;
    };
    let scope_items = AGREEMENT_SCOPE
        .iter()
        .filter(|(c, _, _)| f.rest.contains_key(&format!("scope_{c}")))
        .map(|(c, _, _)| c.to_string())
        .collect();
    let input = AgreementEdit {
        number: f.number.clone(),
        title: f.title.clone(),
        signed_on,
        valid_from,
        valid_to,
        scope_items,
    };
    match st.store.update_agreement(&user.scope, id, input).await {
        Ok(_) => see_other(&format!("/agreements/{id}?notice=updated")),
        Err(e) => {
            let errs = field_errors(e.into())?;
            agreement_view(&st, &user, id, errs, Some(f), String::new(), None).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RenewForm {
    valid_to: String,
}

async fn renew_agreement(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<RenewForm>,
) -> PageResult {
    let mut errs: Vec<FieldError> = vec![];
    let valid_to = parse_date_opt(&f.valid_to, "valid_to", &mut errs);
    if !errs.is_empty() {
        return agreement_view(&st, &user, id, errs, None, f.valid_to, None).await;
    }
    match st
        .store
        .renew_agreement(&user.scope, id, valid_to, today())
        .await
    {
        Ok(_) => see_other(&format!("/agreements/{id}?notice=renewed")),
        Err(e) => {
            let errs = field_errors(e.into())?;
            agreement_view(&st, &user, id, errs, None, f.valid_to, None).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EndForm {
    ended_on: String,
    end_reason: String,
}

/// The confirmation before ending (either side) or withdrawing a proposal: restates
/// how many units stop sharing information, and with whom.
async fn end_page(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    f: EndForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    let (g, _) = st.store.agreement(&user.scope, id).await?;
    if !g.may_end(&user.scope) {
        return Err(AppError::Forbidden);
    }
    let units = st
        .store
        .agreement_open_units(&user.scope, id, today())
        .await?;
    let n = congdoan_domain::format_int(units.len() as i64);
    let (title, intro, button) = if g.is_proposal() {
        (
            tr.s("Rút đề nghị phối hợp", "Withdraw the proposal"),
            format!(
                "{} {} {} {}: {}",
                tr.s("Đề nghị số", "Proposal no."),
                g.number,
                tr.s("gửi", "to"),
                g.party_a_name,
                tr.s(
                    "sẽ thôi chờ chấp thuận. Chưa đơn vị nào chia sẻ thông tin, nên không ai mất quyền xem.",
                    "will no longer wait for acceptance. Nothing is shared yet, so no one loses access."
                ),
            ),
            tr.s("Rút đề nghị", "Withdraw"),
        )
    } else {
        (
            tr.s(
                "Chấm dứt quy chế phối hợp",
                "End the coordination regulation",
            ),
            format!(
                "{} {} {} {} {} {}: {n} {} {} {}.",
                tr.s("Quy chế số", "Regulation no."),
                g.number,
                tr.s("giữa", "between"),
                g.party_a_name,
                tr.s("và", "and"),
                g.party_b_name,
                tr.s(
                    "đơn vị sẽ thôi chia sẻ thông tin với",
                    "units will stop sharing information with"
                ),
                g.party_a_name,
                tr.s(
                    "từ ngày chấm dứt (hôm nay: ngay lập tức)",
                    "from the end date (today: at once)"
                ),
            ),
            tr.s("Chấm dứt quy chế", "End the regulation"),
        )
    };
    let mut inputs = vec![];
    if !g.is_proposal() {
        inputs.push(ConfirmInput::new(
            "ended_on",
            tr,
            "dd/mm/yyyy",
            &f.ended_on,
            &errors,
        ));
    }
    inputs.push(ConfirmInput::new(
        "end_reason",
        tr,
        "",
        &f.end_reason,
        &errors,
    ));
    ConfirmForm {
        chrome: Chrome::new(user, title),
        intro,
        items: units.into_iter().map(|(_, n)| n).collect(),
        action: format!("/agreements/{id}/end"),
        button: button.to_string(),
        cancel: format!("/agreements/{id}"),
        inputs,
        errors,
    }
    .respond()
}

async fn end_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let f = EndForm {
        ended_on: format_vn_date(today()),
        end_reason: String::new(),
    };
    end_page(&st, &user, id, f, vec![]).await
}

async fn end_agreement(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<EndForm>,
) -> PageResult {
    let mut errs: Vec<FieldError> = vec![];
    // A proposal ends today (it has no dates to choose).
    let on = if f.ended_on.trim().is_empty()
        && st.store.agreement(&user.scope, id).await?.0.is_proposal()
    {
        Some(today())
    } else {
        parse_date_req(&f.ended_on, "ended_on", &mut errs)
    };
    let Some(on) = on else {
        return end_page(&st, &user, id, f, errs).await;
    };
    match st
        .store
        .end_agreement(&user.scope, id, on, &f.end_reason)
        .await
    {
        Ok(g) if g.consent == "withdrawn" => {
            see_other(&format!("/agreements/{id}?notice=withdrawn"))
        }
        Ok(g) if g.consent == "declined" => see_other(&format!("/agreements/{id}?notice=declined")),
        Ok(_) => see_other(&format!("/agreements/{id}?notice=ended")),
        Err(e) => {
            let errs = field_errors(e.into())?;
            end_page(&st, &user, id, f, errs).await
        }
    }
}

async fn remove_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, unit)): Path<(i64, i64)>,
) -> PageResult {
    let tr = user.tr();
    let (g, _) = st.store.agreement(&user.scope, id).await?;
    user.scope
        .can_write(&g.path_b)
        .then_some(())
        .ok_or(AppError::Forbidden)?;
    let units = st
        .store
        .agreement_open_units(&user.scope, id, today())
        .await?;
    let Some((_, name)) = units.into_iter().find(|(u, _)| *u == unit) else {
        return Err(AppError::NotFound);
    };
    ConfirmForm {
        chrome: Chrome::new(
            &user,
            tr.s(
                "Đưa đơn vị ra khỏi quy chế",
                "Take a unit out of the agreement",
            ),
        ),
        intro: format!(
            "{name} {} {} {} {}.",
            tr.s("sẽ ra khỏi phạm vi quy chế số", "leaves regulation no."),
            g.number,
            tr.s("từ hôm nay; từ đó", "today; from then on"),
            format_args!(
                "{} {}",
                g.party_a_name,
                tr.s("thôi xem đơn vị này", "no longer reads it")
            ),
        ),
        items: vec![],
        action: format!("/agreements/{id}/units/{unit}/remove"),
        button: tr.s("Đưa ra khỏi quy chế", "Take it out").to_string(),
        cancel: format!("/agreements/{id}"),
        inputs: vec![],
        errors: vec![],
    }
    .respond()
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn remove_unit(
    State(st): State<AppState>,
    Path((id, unit)): Path<(i64, i64)>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> PageResult {
    st.store
        .remove_agreement_unit(&user.scope, id, unit, today())
        .await?;
    see_other(&format!("/agreements/{id}?notice=removed"))
}

/// The partner's confirmation before accepting: the units it will read, from when.
async fn accept_page(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    let (g, _) = st.store.agreement(&user.scope, id).await?;
    if !g.may_answer(&user.scope) {
        return Err(AppError::Forbidden);
    }
    let units = st.store.agreement_proposed_units(&user.scope, id).await?;
    ConfirmForm {
        chrome: Chrome::new(
            user,
            tr.s("Chấp thuận đề nghị phối hợp", "Accept the proposal"),
        ),
        intro: format!(
            "{} {} {} {}: {} {} {} {} {}.",
            tr.s("Đề nghị số", "Proposal no."),
            g.number,
            tr.s("của", "from"),
            g.party_b_name,
            congdoan_domain::format_int(units.len() as i64),
            tr.s(
                "đơn vị sau sẽ chia sẻ thông tin với",
                "units below will share information with"
            ),
            g.party_a_name,
            tr.s("từ", "from"),
            format_vn_date(g.valid_from.max(today())),
        ),
        items: units.into_iter().map(|(_, n)| n).collect(),
        action: format!("/agreements/{id}/accept"),
        button: tr.s("Chấp thuận", "Accept").to_string(),
        cancel: format!("/agreements/{id}"),
        inputs: vec![],
        errors,
    }
    .respond()
}

async fn accept_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    accept_page(&st, &user, id, vec![]).await
}

async fn accept_agreement(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> PageResult {
    match st.store.accept_agreement(&user.scope, id, today()).await {
        Ok(_) => see_other(&format!("/agreements/{id}?notice=accepted")),
        Err(e) => {
            let errs = field_errors(e.into())?;
            accept_page(&st, &user, id, errs).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeclineForm {
    decline_reason: String,
}

/// The partner's confirmation before declining, with the reason.
async fn decline_page(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    f: DeclineForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    let (g, _) = st.store.agreement(&user.scope, id).await?;
    if !g.may_answer(&user.scope) {
        return Err(AppError::Forbidden);
    }
    ConfirmForm {
        chrome: Chrome::new(user, tr.s("Từ chối đề nghị phối hợp", "Decline the proposal")),
        intro: format!(
            "{} {} {} {}: {}",
            tr.s("Đề nghị số", "Proposal no."),
            g.number,
            tr.s("của", "from"),
            g.party_b_name,
            tr.s(
                "sẽ bị từ chối; không đơn vị nào chia sẻ thông tin. Bên đề nghị thấy lý do bạn ghi.",
                "will be declined; nothing is shared. The proposer sees your reason."
            ),
        ),
        items: vec![],
        action: format!("/agreements/{id}/decline"),
        button: tr.s("Từ chối", "Decline").to_string(),
        cancel: format!("/agreements/{id}"),
        inputs: vec![ConfirmInput::new(
            "decline_reason",
            tr,
            "",
            &f.decline_reason,
            &errors,
        )],
        errors,
    }
    .respond()
}

async fn decline_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    decline_page(&st, &user, id, DeclineForm::default(), vec![]).await
}

async fn decline_agreement(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<DeclineForm>,
) -> PageResult {
    match st
        .store
        .decline_agreement(&user.scope, id, today(), &f.decline_reason)
        .await
    {
        Ok(_) => see_other(&format!("/agreements/{id}?notice=declined")),
        Err(e) => {
            let mut errs = field_errors(e.into())?;
            for e in &mut errs {
                if e.field == "end_reason" {
                    *e = FieldError::new(
                        "decline_reason",
                        &e.code,
                        "ghi lý do từ chối (ít nhất 3 ký tự).",
                        "enter the reason for declining (at least 3 characters).",
                    );
                }
            }
            decline_page(&st, &user, id, f, errs).await
        }
    }
}
