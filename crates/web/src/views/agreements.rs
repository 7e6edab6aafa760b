//! Pages for coordination regulations (quy chế phối hợp): the list of a unit's
//! agreements, recording one (by the managing side), and one agreement with its links.

use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{Chrome, PageResult, UnitParam, optional_unit, render, see_other};
use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::forms::{parse_date_opt, parse_date_req};
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
    form: FormState,
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
        let fs = FormState::new("new-agreement", pairs, errs, user.lang);
        let (st, user) = (&st, &user);
        async move {
            let fs = match fs.clone().pick_search(st, user).await? {
                Some(found) => found,
                None => fs,
            };
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
