//! Pages for coordination regulations (quy chế phối hợp): the list of a unit's
//! agreements, recording one (by the managing side), and one agreement with its links.

use super::{Chrome, PageResult, UnitParam, optional_unit, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::forms::{parse_date_opt, parse_date_req};
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use congdoan_store::{AGREEMENT_SCOPE, Agreement, AgreementInput, CoordinationLink, Unit};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agreements", get(agreements_page).post(create_agreement))
        .route("/agreements/{id}", get(agreement_page))
}

#[derive(Template)]
#[template(path = "agreements.html")]
struct AgreementsPage {
    chrome: Chrome,
    unit: Option<Unit>,
    can_write: bool,
    agreements: Vec<Agreement>,
    scope_items: Vec<(&'static str, &'static str)>,
}

async fn agreements_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    let tr = user.tr();
    let unit = optional_unit(&st, &user, q.unit).await?;
    let agreements = match &unit {
        Some(u) => st.store.agreements(&user.scope, u.unit_id).await?,
        None => vec![],
    };
    render(AgreementsPage {
        chrome: Chrome::new(&user, tr.s("Quy chế phối hợp", "Coordination regulations")),
        can_write: unit.as_ref().is_some_and(|u| user.scope.can_write(&u.path)),
        unit,
        agreements,
        scope_items: AGREEMENT_SCOPE
            .iter()
            .map(|(c, vi, en)| (*c, tr.s(vi, en)))
            .collect(),
    })
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
    CsrfForm(user, f): CsrfForm<AgreementForm>,
) -> PageResult {
    let mut errs: Vec<FieldError> = vec![];
    let signed_on = parse_date_req(&f.signed_on, "signed_on", &mut errs);
    let valid_from = if f.valid_from.trim().is_empty() {
        signed_on
    } else {
        parse_date_req(&f.valid_from, "valid_from", &mut errs)
    };
    let valid_to = parse_date_opt(&f.valid_to, "valid_to", &mut errs);
    let not_found = |field| {
        FieldError::new(
            field,
            "WE0620",
            "không tìm thấy đơn vị có mã này.",
            "no unit has this code.",
        )
    };
    let party_a = st
        .store
        .unit_id_by_code(&f.party_a)
        .await
        .map_err(|_| not_found("party_a"));
    let mut unit_ids = vec![];
    for code in crate::forms::unit_codes(&f.units) {
        match st.store.unit_id_by_code(code).await {
            Ok(id) => unit_ids.push(id),
            Err(_) => errs.push(not_found("units")),
        }
    }
    let party_a = party_a.map_err(|e| errs.push(e)).ok();
    let (Some(signed_on), Some(valid_from), Some(party_a)) = (signed_on, valid_from, party_a)
    else {
        return Err(AppError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let scope_items = AGREEMENT_SCOPE
        .iter()
        .filter(|(c, _, _)| f.rest.contains_key(&format!("scope_{c}")))
        .map(|(c, _, _)| c.to_string())
        .collect();
    let g = st
        .store
        .create_agreement(
            &user.scope,
            AgreementInput {
                number: f.number,
                title: f.title,
                party_a_id: party_a,
                party_b_id: f.unit,
                signed_on,
                valid_from,
                valid_to,
                scope_items,
                unit_ids,
            },
        )
        .await?;
    see_other(&format!("/agreements/{}", g.agreement_id))
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    chrome: Chrome,
    g: Agreement,
    items: Vec<&'static str>,
    links: Vec<CoordinationLink>,
}

async fn agreement_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let tr = user.tr();
    let (g, links) = st.store.agreement(&user.scope, id).await?;
    let items = AGREEMENT_SCOPE
        .iter()
        .filter(|(c, _, _)| g.scope_codes().contains(c))
        .map(|(_, vi, en)| tr.s(vi, en))
        .collect();
    render(AgreementPage {
        chrome: Chrome::new(&user, &g.title),
        g,
        items,
        links,
    })
}
