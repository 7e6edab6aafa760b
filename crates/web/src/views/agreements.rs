//! Pages for coordination regulations (quy chế phối hợp): the list of a unit's
//! agreements, recording one (by the managing side), and one agreement with its links.

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
    let party_a = pick::unit_code(&st, "party_a", &f.party_a)
        .await
        .map_err(|e| errs.push(e))
        .ok();
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
                party_a_id: party_a,
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
        link_a: user.scope.can_read(&g.path_a),
        link_b: user.scope.can_read(&g.path_b),
        can_write: user.scope.can_write(&g.path_b),
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

/// The confirmation before ending: names every unit that loses coordinated access.
async fn end_page(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    f: EndForm,
    errors: Vec<FieldError>,
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
    ConfirmForm {
        chrome: Chrome::new(
            user,
            tr.s(
                "Chấm dứt quy chế phối hợp",
                "End the coordination regulation",
            ),
        ),
        intro: format!(
            "{} {} {} {} {} {}: {} {} {} {}.",
            tr.s("Quy chế số", "Regulation no."),
            g.number,
            tr.s("giữa", "between"),
            g.party_a_name,
            tr.s("và", "and"),
            g.party_b_name,
            g.party_a_name,
            tr.s("sẽ thôi xem", "will no longer read"),
            units.len(),
            tr.s(
                "đơn vị sau từ ngày chấm dứt",
                "units below from the end date"
            ),
        ),
        items: units.into_iter().map(|(_, n)| n).collect(),
        action: format!("/agreements/{id}/end"),
        button: tr.s("Chấm dứt quy chế", "End the regulation").to_string(),
        cancel: format!("/agreements/{id}"),
        inputs: vec![
            ConfirmInput::new("ended_on", tr, "dd/mm/yyyy", &f.ended_on, &errors),
            ConfirmInput::new("end_reason", tr, "", &f.end_reason, &errors),
        ],
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
    let Some(on) = parse_date_req(&f.ended_on, "ended_on", &mut errs) else {
        return end_page(&st, &user, id, f, errs).await;
    };
    match st
        .store
        .end_agreement(&user.scope, id, on, &f.end_reason)
        .await
    {
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
