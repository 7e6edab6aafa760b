//! Choosing a unit (or a commune, or a member) by name instead of typing its code, and
//! the state of a form shown again on its page (the input kept, the errors next to the
//! fields).
//!
//! The picker is a search box with a "Tìm" submit: without JavaScript the form is posted
//! with `pick=<field>`, and its handler shows the page again with the matches as radio
//! buttons (checkboxes for a list of units) named `<field>__pick`; with htmx the same
//! matches appear as the user types (`GET /pick/units`). A code typed in the field
//! itself is still accepted; a ticked match wins over it ([`merged`]).

use super::*;
use congdoan_store::UnitHit;
use std::collections::HashMap;

/// The form fields a submitted body carries, as typed.
pub type Pairs = Vec<(String, String)>;

/// Reads the typed form from the submitted fields, after folding the picker's extra
/// fields into their field: a ticked match replaces a single code, or is added to a
/// list of codes (`<field>__multi`). Repeated keys are joined by spaces.
pub fn merged<T: serde::de::DeserializeOwned>(pairs: &Pairs) -> Result<T, AppError> {
    let mut map: Vec<(String, String)> = vec![];
    let multi = |f: &str| pairs.iter().any(|(k, _)| k == &format!("{f}__multi"));
    for (k, v) in pairs {
        if k.ends_with("__q")
            || k.ends_with("__multi")
            || k.ends_with("__types")
            || k.ends_with("__write")
            || k.ends_with("__all")
            || k == "pick"
        {
            continue;
        }
        let (key, picked) = match k.strip_suffix("__pick") {
            Some(f) => (f.to_string(), true),
            None => (k.clone(), false),
        };
        match map.iter_mut().find(|(mk, _)| *mk == key) {
            Some((_, mv)) if picked && !multi(&key) => *mv = v.clone(),
            Some((_, mv)) if !v.trim().is_empty() => {
                if !mv.trim().is_empty() {
                    mv.push(' ');
                }
                mv.push_str(v);
            }
            Some(_) => {}
            None => map.push((key, v.clone())),
        }
    }
    let body =
        serde_urlencoded::to_string(&map).map_err(|e| AppError::BadRequest(e.to_string()))?;
    serde_urlencoded::from_str(&body).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// One form on a page shown again: which form, what was typed, what went wrong, and the
/// matches of a picker search.
#[derive(Default, Clone)]
pub struct FormState {
    /// The form's id on its page ("move", "position-12"…); empty when no form was posted.
    pub form: String,
    pub values: Pairs,
    pub errors: Vec<FieldError>,
    pub picks: HashMap<String, Vec<UnitHit>>,
    /// Members found by a member picker's search.
    pub members: Vec<MemberListRow>,
    pub member_search: bool,
    pub lang: Lang,
}

impl FormState {
    pub fn new(form: &str, values: Pairs, errors: Vec<FieldError>, lang: Lang) -> FormState {
        FormState {
            form: form.to_string(),
            values,
            errors,
            picks: HashMap::new(),
            members: vec![],
            member_search: false,
            lang,
        }
    }
    /// This page was posted from form `form`.
    pub fn is(&self, form: &str) -> bool {
        !self.form.is_empty() && self.form == form
    }
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
    /// The value typed in `name` of form `form` (empty for another form).
    pub fn val(&self, form: &str, name: &str) -> String {
        if !self.is(form) {
            return String::new();
        }
        let mut parts = self
            .values
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str());
        let first = parts.next().unwrap_or("").to_string();
        parts.fold(first, |a, b| format!("{a} {b}"))
    }
    /// `val`, or `default` when the form was not posted.
    pub fn val_or(&self, form: &str, name: &str, default: &str) -> String {
        if self.is(form) {
            self.val(form, name)
        } else {
            default.to_string()
        }
    }
    /// The errors of form `form`, for its summary.
    pub fn errs(&self, form: &str) -> Vec<&FieldError> {
        if self.is(form) {
            self.errors.iter().collect()
        } else {
            vec![]
        }
    }
    /// The message for field `name` of form `form`, shown under the field.
    pub fn err(&self, form: &str, name: &str) -> Option<String> {
        self.errs(form)
            .into_iter()
            .find(|e| e.field == name)
            .map(|e| e.text(self.lang).to_string())
    }
    /// A picker for unit field `name` of form `form`.
    #[allow(clippy::too_many_arguments)]
    pub fn picker(
        &self,
        form: &str,
        name: &str,
        label: &str,
        types: &str,
        write: bool,
        multi: bool,
        default: &str,
    ) -> Picker {
        Picker {
            id: format!("{form}-{name}"),
            name: name.to_string(),
            label: label.to_string(),
            types: types.to_string(),
            write,
            multi,
            all: false,
            value: self.val_or(form, name, default),
            q: self.val(form, &format!("{name}__q")),
            hits: if self.is(form) {
                self.picks.get(name).cloned()
            } else {
                None
            },
            error: self.err(form, name),
        }
    }
    /// A picker for the partner of an agreement or a coordination link: units the user
    /// may read, and the top-level unions of the whole country (public knowledge); any
    /// other unit only by its exact code.
    pub fn federation_picker(&self, form: &str, name: &str, label: &str) -> Picker {
        let mut p = self.picker(form, name, label, "", false, false, "");
        p.all = true;
        p
    }

    /// Form `form` shown again: its input and errors, and the picker's matches when it
    /// was posted with a "Tìm" button.
    pub async fn again(
        form: &str,
        pairs: Pairs,
        errors: Vec<FieldError>,
        st: &AppState,
        user: &CurrentUser,
    ) -> Result<FormState, AppError> {
        let fs = FormState::new(form, pairs, errors, user.lang);
        Ok(match fs.clone().pick_search(st, user).await? {
            Some(found) => found,
            None => fs,
        })
    }

    /// If the form was posted with a picker's "Tìm" button, the matches for that field.
    pub async fn pick_search(
        mut self,
        st: &AppState,
        user: &CurrentUser,
    ) -> Result<Option<FormState>, AppError> {
        let Some(field) = self
            .values
            .iter()
            .find(|(k, _)| k == "pick")
            .map(|(_, v)| v.clone())
        else {
            return Ok(None);
        };
        let get = |k: String| {
            self.values
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let q = get(format!("{field}__q"));
        let types = get(format!("{field}__types"));
        let write = get(format!("{field}__write")) == "1";
        let all = get(format!("{field}__all")) == "1";
        let hits = search(st, user, &q, &types, write, all).await?;
        self.picks.insert(field, hits);
        Ok(Some(self))
    }
}

/// What the picker template needs.
pub struct Picker {
    pub id: String,
    pub name: String,
    pub label: String,
    pub types: String,
    pub write: bool,
    pub multi: bool,
    pub all: bool,
    /// The code(s) in the field.
    pub value: String,
    /// The search typed.
    pub q: String,
    /// Matches of a "Tìm" search (None: no search was made).
    pub hits: Option<Vec<UnitHit>>,
    pub error: Option<String>,
}

/// Searches units the user may choose; `all` adds the top-level unions of the whole
/// country (agreement partners).
async fn search(
    st: &AppState,
    user: &CurrentUser,
    q: &str,
    types: &str,
    write: bool,
    all: bool,
) -> Result<Vec<UnitHit>, AppError> {
    let types: Vec<String> = types
        .split(',')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    Ok(st
        .store
        .search_units(&user.scope, q, &types, write && !all, all, 20)
        .await?)
}

#[derive(Template)]
#[template(path = "unit_picker_results.html")]
struct PickResults {
    chrome: Chrome,
    field: String,
    multi: bool,
    hits: Vec<UnitHit>,
    searched: bool,
}

/// `GET /pick/units?field=parent&parent__q=…&parent__types=CDCS&parent__write=1`: the
/// matches as radio buttons (htmx swaps them under the search box).
pub(super) async fn pick_units(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let field = q.get("field").cloned().unwrap_or_default();
    let get = |k: &str| {
        q.get(&format!("{field}__{k}"))
            .or_else(|| q.get(k))
            .cloned()
            .unwrap_or_default()
    };
    let text = get("q");
    let hits = search(
        &st,
        &user,
        &text,
        &get("types"),
        get("write") == "1",
        get("all") == "1",
    )
    .await?;
    render(PickResults {
        chrome: Chrome::new(&user, ""),
        multi: q.contains_key(&format!("{field}__multi")) || q.contains_key("multi"),
        field,
        searched: !text.trim().is_empty(),
        hits,
    })
}

/// `GET /pick/communes?province=…&q=…`: communes of a province whose folded name
/// contains every typed word, as options for the unit form's commune field.
pub(super) async fn pick_communes(
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let province = q
        .get("province_code")
        .or_else(|| q.get("province"))
        .and_then(|p| p.parse::<i64>().ok());
    let text = q
        .get("commune_code__q")
        .or_else(|| q.get("q"))
        .cloned()
        .unwrap_or_default();
    render(CommuneResults {
        chrome: Chrome::new(&user, ""),
        hits: communes(province, &text),
        searched: !text.trim().is_empty(),
    })
}

/// Communes of `province` matching `q` (folded, every word a word start), at most 20.
pub fn communes(province: Option<i64>, q: &str) -> Vec<(i64, String)> {
    let tokens = congdoan_domain::text::fold_query_tokens(q);
    let Some(p) = province.and_then(divisions::province) else {
        return vec![];
    };
    if tokens.is_empty() {
        return vec![];
    }
    p.communes
        .iter()
        .filter(|(code, name)| {
            let key = format!(" {}", congdoan_domain::text::fold(name));
            tokens.iter().all(|t| key.contains(&format!(" {t}"))) || code.to_string() == q.trim()
        })
        .take(20)
        .map(|(c, n)| (*c, n.clone()))
        .collect()
}

#[derive(Template)]
#[template(path = "commune_picker_results.html")]
struct CommuneResults {
    chrome: Chrome,
    hits: Vec<(i64, String)>,
    searched: bool,
}

/// Resolves a typed code to a unit id, naming the code when none has it.
pub async fn unit_code(st: &AppState, field: &str, code: &str) -> Result<i64, FieldError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(FieldError::new(
            field,
            "WE0602",
            "không được để trống; gõ tên để tìm đơn vị.",
            "is required; type a name to find the unit.",
        ));
    }
    st.store
        .unit_id_by_code(code)
        .await
        .map_err(|_| not_found(field, code))
}

/// "không tìm thấy đơn vị có mã 'AG-CDCS-999'".
pub fn not_found(field: &str, code: &str) -> FieldError {
    let code = code.trim().to_uppercase();
    FieldError::new(
        field,
        "WE0620",
        &format!("không tìm thấy đơn vị có mã '{code}'."),
        &format!("no unit has the code '{code}'."),
    )
}

/// Sets 422 on a page shown again with errors.
pub fn unprocessable(mut res: Response, errors: bool) -> Response {
    if errors {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}
