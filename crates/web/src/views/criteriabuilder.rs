//! Defining an emulation criteria set in the browser: `/emulation/sets/new` (a unit's
//! new set) and `/emulation/sets/{id}/edit` (a new version), without JavaScript, the
//! way the report-form builder works. One HTML form carries the header inputs, the
//! draft `CriteriaSet` as hidden JSON and small forms for the next group, item, veto
//! and class band; each post is one step, and an added row is kept only if the
//! domain's `check` finds no new fault in it (faults shown beside the inputs, naming
//! the row). "Tạo bộ tiêu chí" restates the set before `create_criteria_set` /
//! `new_criteria_version`; a new version leaves assessments already sent on theirs.

use super::forms::home_unit;
use super::pick::{self, Pairs};
use super::{Chrome, PageResult, UnitParam, field_errors, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use congdoan_domain::Lang;
use congdoan_domain::emulation::{
    self as em, Band, CriteriaError, CriteriaSet, Group, Item, OWNERSHIPS, Pts, UNIT_TYPES, Veto,
};
use congdoan_store::{CriteriaSetRow, Unit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/emulation/sets/new", get(new_page).post(new_step))
        .route("/emulation/sets/{id}/edit", get(edit_page).post(edit_step))
}

/// The Vietnamese (and English) label of one input of the builder.
fn label_of(name: &str) -> (&'static str, &'static str) {
    match name {
        "code" => ("Mã bộ tiêu chí", "Set code"),
        "title" => ("Tên bộ tiêu chí", "Set title"),
        "year" => ("Năm áp dụng", "Year"),
        "scale" => ("Thang điểm", "Scale"),
        "unit_types" => ("Loại đơn vị chấm điểm", "Unit types scored"),
        "ownership" => ("Loại hình CĐCS", "Kind of CĐCS"),
        "g_code" => ("Mã nhóm", "Group code"),
        "g_title" => ("Tên nhóm", "Group title"),
        "i_group" => ("Thuộc nhóm", "Group"),
        "i_code" => ("Mã tiêu chí", "Item code"),
        "i_text" => ("Nội dung tiêu chí", "Item text"),
        "i_max" => ("Điểm tối đa", "Maximum points"),
        "v_code" => ("Mã điều kiện loại trừ", "Veto code"),
        "v_question" => ("Câu hỏi loại trừ", "Veto question"),
        "b_code" => ("Mã loại", "Class code"),
        "b_name" => ("Tên loại", "Class name"),
        "b_min" => ("Từ điểm", "From"),
        "b_below" => ("Đến dưới điểm", "Below"),
        "draft" => ("Bản nháp", "Draft"),
        "bands" => ("Bảng xếp loại", "Class bands"),
        _ => ("Các tiêu chí", "Items"),
    }
}

/// An error on one input, its message opening with the input's Vietnamese label once.
fn fe(name: &str, code: &str, vi: &str, en: &str) -> FieldError {
    let (lv, le) = label_of(name);
    let with = |label: &str, m: &str| {
        if m.starts_with(label) {
            m.to_string()
        } else {
            format!("{label}: {m}")
        }
    };
    FieldError {
        field: name.to_string(),
        code: code.to_string(),
        message: with(lv, vi),
        message_en: with(le, en),
    }
}

fn issue(name: &str, e: &CriteriaError) -> FieldError {
    fe(name, e.code, &e.vi, &e.en)
}

/// The input of an add form a fault of the added row belongs to.
fn input_of(field: &str, prefix: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or("");
    let name = match (prefix, last) {
        ("g", "code") => "g_code",
        ("g", _) => "g_title",
        ("i", "code") => "i_code",
        ("i", "text") => "i_text",
        ("i", _) => "i_max",
        ("v", _) => "v_question",
        ("b", "min") => "b_min",
        ("b", "below") => "b_below",
        ("b", _) => "b_code",
        _ => "groups",
    };
    name.to_string()
}

fn blank_set(_unit: &Unit) -> CriteriaSet {
    CriteriaSet {
        code: String::new(),
        title: String::new(),
        year: congdoan_domain::date::today_vn().year(),
        unit_types: vec!["CDCS".into()],
        ownership: vec![],
        scale: Pts::from_points(100),
        groups: vec![],
        vetoes: vec![],
        bands: vec![],
    }
}

fn msg(e: &CriteriaError, lang: Lang) -> String {
    match lang {
        Lang::Vi => e.vi.clone(),
        Lang::En => e.en.clone(),
    }
}

fn faults(set: &CriteriaSet) -> Vec<CriteriaError> {
    em::check(set.clone()).err().unwrap_or_default()
}

/// The builder's inputs as posted, kept on every re-render.
#[derive(Default, Clone)]
struct Values(Pairs);

impl Values {
    fn of_set(s: &CriteriaSet) -> Values {
        let mut v = vec![
            ("code".to_string(), s.code.clone()),
            ("title".to_string(), s.title.clone()),
            ("year".to_string(), s.year.to_string()),
            ("scale".to_string(), s.scale.to_string()),
        ];
        for t in &s.unit_types {
            v.push(("unit_types".into(), t.clone()));
        }
        for o in &s.ownership {
            v.push(("ownership".into(), o.clone()));
        }
        Values(v)
    }
    fn get(&self, k: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }
    fn set(&mut self, k: &str, v: String) {
        self.0.retain(|(n, _)| n != k);
        self.0.push((k.to_string(), v));
    }
    fn clear(&mut self, prefix: &str) {
        self.0.retain(|(n, _)| !n.starts_with(prefix));
    }
}

/// One row of the draft as listed, with the faults that name it.
struct Row {
    /// The step value of its remove button ("remove_item:0.1").
    remove: String,
    code: String,
    text: String,
    notes: String,
    errors: Vec<String>,
}

struct GroupCard {
    code: String,
    title: String,
    total: String,
    remove: String,
    errors: Vec<String>,
    items: Vec<Row>,
}

/// What "Tạo bộ tiêu chí" restates before anything is stored.
struct Confirm {
    lead: String,
    impacts: Vec<(String, String)>,
    note: String,
    hidden: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "criteria_builder.html")]
struct BuilderPage {
    chrome: Chrome,
    action: String,
    back: String,
    unit: Unit,
    set: Option<CriteriaSetRow>,
    values: Values,
    unit_types: Vec<(&'static str, &'static str)>,
    ownerships: Vec<(&'static str, &'static str)>,
    groups: Vec<GroupCard>,
    group_codes: Vec<(String, String)>,
    vetoes: Vec<Row>,
    bands: Vec<Row>,
    band_errors: Vec<String>,
    sum: String,
    scale: String,
    errors: Vec<FieldError>,
    inline: Vec<FieldError>,
    pending: Vec<String>,
    preview_open: bool,
    confirm: Option<Confirm>,
}

impl BuilderPage {
    fn v(&self, k: &str) -> &str {
        self.values.get(k)
    }
    fn checked(&self, k: &str, v: &str) -> bool {
        self.values.0.iter().any(|(n, x)| n == k && x == v)
    }
    fn err(&self, k: &str) -> Option<String> {
        self.inline
            .iter()
            .find(|e| e.field == k)
            .map(|e| e.text(self.chrome.tr.lang).to_string())
    }
}

/// Where the draft goes when created.
struct Target {
    unit: Unit,
    set: Option<CriteriaSetRow>,
}

async fn new_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    let Some(unit) = home_unit(&st, &user, q.unit).await? else {
        return see_other("/emulation");
    };
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let set = blank_set(&unit);
    let values = Values::of_set(&set);
    show(&user, Target { unit, set: None }, Step::new(set, values))
}

async fn edit_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (target, def) = edit_target(&st, &user, id).await?;
    let mut values = Values::of_set(&def);
    let version = target.set.as_ref().map_or(1, |s| s.current_version);
    values.set("version", version.to_string());
    show(&user, target, Step::new(def, values))
}

async fn edit_target(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Target, CriteriaSet), AppError> {
    let (s, c) = st.store.criteria_set(&user.scope, id).await?;
    if !user.scope.can_write(&s.owner_path) {
        return Err(AppError::Forbidden);
    }
    let unit = st.store.unit(&user.scope, s.owner_unit_id).await?;
    Ok((Target { unit, set: Some(s) }, c.into_def()))
}

async fn new_step(
    State(st): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let values = Values(pairs);
    let Ok(unit_id) = values.get("unit").trim().parse::<i64>() else {
        return Err(AppError::NotFound);
    };
    let unit = st.store.unit(&user.scope, unit_id).await?;
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    apply(&st, &user, Target { unit, set: None }, values).await
}

async fn edit_step(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let (target, _) = edit_target(&st, &user, id).await?;
    apply(&st, &user, target, Values(pairs)).await
}

struct Step {
    set: CriteriaSet,
    values: Values,
    errors: Vec<FieldError>,
    inline: Vec<FieldError>,
    /// Faults of the whole set placed beside their rows (preview, create).
    strict: bool,
    preview_open: bool,
    confirm: bool,
}

impl Step {
    fn new(set: CriteriaSet, values: Values) -> Step {
        Step {
            set,
            values,
            errors: vec![],
            inline: vec![],
            strict: false,
            preview_open: false,
            confirm: false,
        }
    }
    fn refuse(&mut self, errs: Vec<FieldError>) {
        self.inline.extend(errs.iter().cloned());
        self.errors.extend(errs);
    }
}

/// Points typed in an input ("7,5"), or an error naming the input and the value.
fn points(values: &Values, name: &str, required: bool) -> Result<Option<Pts>, FieldError> {
    let raw = values.get(name).trim();
    if raw.is_empty() && !required {
        return Ok(None);
    }
    Pts::parse(raw).map(Some).ok_or_else(|| {
        fe(
            name,
            "WE2120",
            &format!("“{raw}” không phải số điểm hợp lệ (ví dụ 10 hoặc 7,5)."),
            &format!("“{raw}” is not a valid number of points (e.g. 10 or 7.5)."),
        )
    })
}

fn required(values: &Values, name: &str, errs: &mut Vec<FieldError>) -> String {
    let v = values.get(name).trim().to_string();
    if v.is_empty() {
        errs.push(fe(name, "WE2121", "không được để trống.", "is required."));
    }
    v
}

/// Applies the posted step to the draft: `new` is the draft with the row added, `prefix`
/// names the row's faults ("groups.1.items.2") and `input` the add form ("i").
fn keep_if_clean(
    step: &mut Step,
    set: &mut CriteriaSet,
    new: CriteriaSet,
    row: &str,
    input: &str,
) -> bool {
    let before: Vec<(String, &'static str)> =
        faults(set).into_iter().map(|e| (e.field, e.code)).collect();
    let lowest_gap = format!("bands.{}.min", new.bands.len().saturating_sub(1));
    let fresh: Vec<FieldError> = faults(&new)
        .into_iter()
        .filter(|e| e.field == row || e.field.starts_with(&format!("{row}.")))
        .filter(|e| !before.contains(&(e.field.clone(), e.code)))
        // The lowest class reaches 0 only once the last band is added.
        .filter(|e| !(input == "b" && e.code == "VL1008" && e.field == lowest_gap))
        .map(|e| issue(&input_of(&e.field, input), &e))
        .collect();
    if fresh.is_empty() {
        *set = new;
        step.values.clear(&format!("{input}_"));
        true
    } else {
        step.refuse(fresh);
        false
    }
}

fn sum_of(set: &CriteriaSet) -> Pts {
    Pts(set
        .groups
        .iter()
        .flat_map(|g| g.items.iter())
        .map(|i| i.max.0)
        .sum())
}

/// Applies the posted step to the draft and shows the result (or creates the set).
async fn apply(st: &AppState, user: &CurrentUser, target: Target, values: Values) -> PageResult {
    let confirmed = values.get("confirmed") == "1";
    let mut step = Step::new(blank_set(&target.unit), values);
    let values = step.values.clone();
    let mut set = match serde_json::from_str::<CriteriaSet>(values.get("draft")) {
        Ok(d) => d,
        Err(_) => {
            step.errors.push(fe(
                "draft",
                "WE2110",
                "không đọc được bản nháp; các nhóm và tiêu chí đã thêm bị mất, hãy thêm lại.",
                "the draft could not be read; add the groups and items again.",
            ));
            blank_set(&target.unit)
        }
    };
    // The header from its inputs (a new version keeps the code).
    set.title = values.get("title").trim().to_string();
    set.code = match &target.set {
        Some(s) => s.code.clone(),
        None => values.get("code").trim().to_string(),
    };
    set.unit_types = values.all("unit_types");
    set.ownership = values.all("ownership");
    let year = values.get("year").trim();
    match year.parse::<i32>() {
        Ok(y) => set.year = y,
        Err(_) => step.inline.push(fe(
            "year",
            "WE2122",
            &format!("“{year}” không phải năm hợp lệ (ví dụ 2026)."),
            &format!("“{year}” is not a valid year (e.g. 2026)."),
        )),
    }
    match points(&values, "scale", true) {
        Ok(Some(p)) => set.scale = p,
        Ok(None) => {}
        Err(e) => step.inline.push(e),
    }
    let op = values.get("op").to_string();
    let (verb, arg) = op.split_once(':').unwrap_or((op.as_str(), ""));
    let idx = |s: &str| s.parse::<usize>().ok();
    match verb {
        "add_group" => {
            let mut errs = vec![];
            let code = required(&values, "g_code", &mut errs);
            let title = required(&values, "g_title", &mut errs);
            if errs.is_empty() {
                let mut new = set.clone();
                new.groups.push(Group {
                    code,
                    title,
                    order: set.groups.len() as u32 + 1,
                    items: vec![],
                });
                let row = format!("groups.{}.code", set.groups.len());
                keep_if_clean(&mut step, &mut set, new, &row, "g");
            } else {
                step.refuse(errs);
            }
        }
        "add_item" => {
            let mut errs = vec![];
            let gcode = values.get("i_group").trim().to_string();
            let gi = set.groups.iter().position(|g| g.code == gcode);
            if gi.is_none() {
                errs.push(fe(
                    "i_group",
                    "WE2123",
                    "chọn nhóm của tiêu chí (thêm nhóm trước).",
                    "choose the item's group (add a group first).",
                ));
            }
            let code = required(&values, "i_code", &mut errs);
            let text = required(&values, "i_text", &mut errs);
            let max = match points(&values, "i_max", true) {
                Ok(p) => p.unwrap_or_default(),
                Err(e) => {
                    errs.push(e);
                    Pts::ZERO
                }
            };
            if errs.is_empty() && Pts(sum_of(&set).0 + max.0) > set.scale {
                errs.push(fe(
                    "i_max",
                    "VL1005",
                    &format!(
                        "tiêu chí '{code}' {max} điểm làm tổng điểm tối đa thành {}, vượt thang điểm {} (còn lại {} điểm).",
                        Pts(sum_of(&set).0 + max.0),
                        set.scale,
                        Pts(set.scale.0 - sum_of(&set).0)
                    ),
                    &format!(
                        "item '{code}' ({max}) takes the total to {}, over the scale {}.",
                        Pts(sum_of(&set).0 + max.0),
                        set.scale
                    ),
                ));
            }
            match (gi, errs.is_empty()) {
                (Some(gi), true) => {
                    let mut new = set.clone();
                    let ii = new.groups[gi].items.len();
                    new.groups[gi].items.push(Item {
                        code,
                        text,
                        max,
                        evidence: values.get("i_evidence") == "1",
                        veto_if_zero: values.get("i_veto") == "1",
                    });
                    let row = format!("groups.{gi}.items.{ii}");
                    if keep_if_clean(&mut step, &mut set, new, &row, "i") {
                        step.values.set("i_group", gcode);
                    }
                }
                _ => step.refuse(errs),
            }
        }
        "add_veto" => {
            let mut errs = vec![];
            let code = required(&values, "v_code", &mut errs);
            let question = required(&values, "v_question", &mut errs);
            if errs.is_empty() {
                let mut new = set.clone();
                new.vetoes.push(Veto { code, question });
                let row = format!("vetoes.{}", set.vetoes.len());
                keep_if_clean(&mut step, &mut set, new, &row, "v");
            } else {
                step.refuse(errs);
            }
        }
        "add_band" => {
            let mut errs = vec![];
            let code = required(&values, "b_code", &mut errs);
            let name = required(&values, "b_name", &mut errs);
            let min = match points(&values, "b_min", true) {
                Ok(p) => p.unwrap_or_default(),
                Err(e) => {
                    errs.push(e);
                    Pts::ZERO
                }
            };
            let below = match points(&values, "b_below", false) {
                Ok(p) => p,
                Err(e) => {
                    errs.push(e);
                    None
                }
            };
            if errs.is_empty() {
                let cond = values.get("b_condition").trim().to_string();
                let mut new = set.clone();
                new.bands.push(Band {
                    code,
                    name_vi: name,
                    min,
                    below,
                    condition: (!cond.is_empty()).then_some(cond),
                });
                let row = format!("bands.{}", set.bands.len());
                keep_if_clean(&mut step, &mut set, new, &row, "b");
            } else {
                step.refuse(errs);
            }
        }
        "scheme" => {
            set.bands = match arg {
                "vung_manh" => em::bands_vung_manh(),
                _ => em::bands_366(),
            };
        }
        "remove_group" => {
            if let Some(i) = idx(arg).filter(|i| *i < set.groups.len()) {
                set.groups.remove(i);
            }
        }
        "remove_item" => {
            if let Some((g, i)) = arg.split_once('.')
                && let (Some(g), Some(i)) = (idx(g), idx(i))
                && g < set.groups.len()
                && i < set.groups[g].items.len()
            {
                set.groups[g].items.remove(i);
            }
        }
        "remove_veto" => {
            if let Some(i) = idx(arg).filter(|i| *i < set.vetoes.len()) {
                set.vetoes.remove(i);
            }
        }
        "remove_band" => {
            if let Some(i) = idx(arg).filter(|i| *i < set.bands.len()) {
                set.bands.remove(i);
            }
        }
        "preview" => {
            step.preview_open = true;
            step.strict = true;
        }
        "create" => step.strict = true,
        _ => {}
    }
    step.values
        .0
        .retain(|(n, _)| n != "op" && n != "csrf" && n != "confirmed");
    step.values.set(
        "draft",
        serde_json::to_string(&set).map_err(|e| AppError::BadRequest(e.to_string()))?,
    );
    if verb == "create" && step.errors.is_empty() && step.inline.is_empty() {
        let issues = faults(&set);
        if issues.is_empty() {
            if confirmed {
                let done = match &target.set {
                    None => {
                        st.store
                            .create_criteria_set(&user.scope, target.unit.unit_id, set.clone())
                            .await
                    }
                    Some(s) => {
                        let expected = step
                            .values
                            .get("version")
                            .trim()
                            .parse()
                            .unwrap_or(s.current_version);
                        st.store
                            .new_criteria_version(&user.scope, s.set_id, expected, set.clone())
                            .await
                    }
                };
                match done {
                    Ok(s) => {
                        let notice = if target.set.is_some() {
                            "version"
                        } else {
                            "created"
                        };
                        return see_other(&format!("/emulation/sets/{}?notice={notice}", s.set_id));
                    }
                    Err(e) => {
                        let errs = field_errors(e.into())?;
                        step.refuse(errs);
                    }
                }
            } else {
                step.confirm = true;
            }
        } else {
            let errs: Vec<FieldError> = issues
                .iter()
                .map(|i| issue(header_of(&i.field).unwrap_or("groups"), i))
                .collect();
            step.errors.extend(errs);
        }
    }
    step.set = set;
    show(user, target, step)
}

/// The header input a fault of the set as a whole belongs to.
fn header_of(field: &str) -> Option<&'static str> {
    Some(match field {
        "code" => "code",
        "title" => "title",
        "year" => "year",
        "scale" => "scale",
        "unit_types" => "unit_types",
        "ownership" => "ownership",
        f if f.starts_with("bands") => "bands",
        _ => return None,
    })
}

/// Renders the builder for a step's outcome.
fn show(user: &CurrentUser, target: Target, mut step: Step) -> PageResult {
    let tr = user.tr();
    let lang = user.lang;
    let set = &step.set;
    let posted = !step.values.get("draft").is_empty();
    let all = faults(set);
    // Faults naming a row go beside it (when creating, or once the row exists);
    // header faults beside the header input once typed; the rest listed as pending.
    let named = |prefix: &str| -> Vec<String> {
        all.iter()
            .filter(|e| e.field == prefix || e.field.starts_with(&format!("{prefix}.")))
            .map(|e| msg(e, lang))
            .collect()
    };
    let mut pending = vec![];
    for e in &all {
        match header_of(&e.field) {
            Some(h) if h != "bands" => {
                let typed = !step.values.get(h).trim().is_empty();
                if (step.strict || (posted && typed)) && !step.inline.iter().any(|x| x.field == h) {
                    step.inline.push(issue(h, e));
                }
            }
            _ => {
                if !step.strict {
                    pending.push(msg(e, lang));
                }
            }
        }
    }
    let strict = step.strict;
    let groups = set
        .groups
        .iter()
        .enumerate()
        .map(|(gi, g)| GroupCard {
            code: g.code.clone(),
            title: g.title.clone(),
            total: Pts(g.items.iter().map(|i| i.max.0).sum()).to_string(),
            remove: format!("remove_group:{gi}"),
            errors: if strict {
                all.iter()
                    .filter(|e| {
                        e.field == format!("groups.{gi}.code")
                            || e.field == format!("groups.{gi}.items")
                    })
                    .map(|e| msg(e, lang))
                    .collect()
            } else {
                vec![]
            },
            items: g
                .items
                .iter()
                .enumerate()
                .map(|(ii, i)| {
                    let mut notes = vec![];
                    if i.evidence {
                        notes.push(tr.s("cần minh chứng", "evidence required"));
                    }
                    if i.veto_if_zero {
                        notes.push(tr.s(
                            "0 điểm thì xếp loại thấp nhất",
                            "zero forces the lowest class",
                        ));
                    }
                    Row {
                        remove: format!("remove_item:{gi}.{ii}"),
                        code: i.code.clone(),
                        text: i.text.clone(),
                        notes: format!("{} {}{}", i.max, tr.s("điểm", "points"), {
                            if notes.is_empty() {
                                String::new()
                            } else {
                                format!(" · {}", notes.join(" · "))
                            }
                        }),
                        errors: named(&format!("groups.{gi}.items.{ii}")),
                    }
                })
                .collect(),
        })
        .collect();
    let vetoes = set
        .vetoes
        .iter()
        .enumerate()
        .map(|(vi, v)| Row {
            remove: format!("remove_veto:{vi}"),
            code: v.code.clone(),
            text: v.question.clone(),
            notes: String::new(),
            errors: named(&format!("vetoes.{vi}")),
        })
        .collect();
    let bands = set
        .bands
        .iter()
        .enumerate()
        .map(|(bi, b)| Row {
            remove: format!("remove_band:{bi}"),
            code: b.code.clone(),
            text: b.name_vi.clone(),
            notes: format!(
                "{} {}{}{}",
                tr.s("từ", "from"),
                b.min,
                b.below
                    .map(|x| format!(" {} {x}", tr.s("đến dưới", "to below")))
                    .unwrap_or_default(),
                b.condition
                    .as_ref()
                    .map(|c| format!(" — {c}"))
                    .unwrap_or_default()
            ),
            // The lowest class reaches 0 only once the table is complete: while adding,
            // band faults stay in the pending list, beside their rows when creating.
            errors: if strict {
                named(&format!("bands.{bi}"))
            } else {
                vec![]
            },
        })
        .collect();
    let band_errors = all
        .iter()
        .filter(|e| e.field == "bands")
        .map(|e| msg(e, lang))
        .collect();
    let n_items: usize = set.groups.iter().map(|g| g.items.len()).sum();
    let confirm = step.confirm.then(|| {
        let int = |n: usize| congdoan_domain::format_int(n as i64);
        let lead = match &target.set {
            None => format!(
                "Tạo bộ tiêu chí «{}» (mã {}, năm {}) của {}: {} nhóm, {} tiêu chí, thang {} điểm, {} loại xếp hạng.",
                set.title,
                set.code,
                set.year,
                target.unit.name,
                int(set.groups.len()),
                int(n_items),
                set.scale,
                int(set.bands.len())
            ),
            Some(s) => format!(
                "Lưu phiên bản {} của bộ tiêu chí «{}» (mã {}): {} nhóm, {} tiêu chí, thang {} điểm, {} loại xếp hạng.",
                s.current_version + 1,
                set.title,
                set.code,
                int(set.groups.len()),
                int(n_items),
                set.scale,
                int(set.bands.len())
            ),
        };
        Confirm {
            lead,
            impacts: vec![
                (int(set.groups.len()), tr.s("nhóm tiêu chí", "groups").to_string()),
                (int(n_items), tr.s("tiêu chí", "items").to_string()),
                (int(set.vetoes.len()), tr.s("điều kiện loại trừ", "vetoes").to_string()),
                (
                    String::new(),
                    format!(
                        "{} {}",
                        tr.s("Xếp loại:", "Classes:"),
                        set.bands
                            .iter()
                            .map(|b| b.name_vi.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            ],
            note: match &target.set {
                None => tr
                    .s(
                        "Bộ tiêu chí đã tạo không xoá được; muốn sửa thì lưu phiên bản mới.",
                        "A created set cannot be deleted; to change it, save a new version.",
                    )
                    .to_string(),
                Some(_) => tr
                    .s(
                        "Các đợt chấm điểm đã gửi giữ nguyên phiên bản cũ, điểm đã chấm không thay đổi; chỉ các đợt gửi sau dùng phiên bản mới.",
                        "Assessments already sent keep the old version and their points; only later ones use the new version.",
                    )
                    .to_string(),
            },
            hidden: step.values.0.clone(),
        }
    });
    let (title, action, back) = match &target.set {
        None => (
            tr.s("Tạo bộ tiêu chí thi đua", "New criteria set")
                .to_string(),
            "/emulation/sets/new".to_string(),
            format!("/emulation?unit={}", target.unit.unit_id),
        ),
        Some(s) => (
            format!(
                "{} {}: {}",
                tr.s("Phiên bản mới", "New version"),
                s.current_version + 1,
                s.title
            ),
            format!("/emulation/sets/{}/edit", s.set_id),
            format!("/emulation/sets/{}", s.set_id),
        ),
    };
    let mut values = step.values;
    values.set("unit", target.unit.unit_id.to_string());
    values.set(
        "draft",
        serde_json::to_string(&step.set).map_err(|e| AppError::BadRequest(e.to_string()))?,
    );
    let group_codes = step
        .set
        .groups
        .iter()
        .map(|g| (g.code.clone(), g.title.clone()))
        .collect();
    let invalid = !step.errors.is_empty();
    let page = render(BuilderPage {
        chrome: Chrome::new(user, &title),
        action,
        back,
        unit: target.unit,
        set: target.set,
        values,
        unit_types: UNIT_TYPES.to_vec(),
        ownerships: OWNERSHIPS.to_vec(),
        groups,
        group_codes,
        vetoes,
        bands,
        band_errors,
        sum: sum_of(&step.set).to_string(),
        scale: step.set.scale.to_string(),
        errors: step.errors,
        inline: step.inline,
        pending,
        preview_open: step.preview_open,
        confirm,
    })?;
    Ok(pick::unprocessable(page, invalid))
}
