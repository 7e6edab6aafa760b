//! Defining a report form in the browser: `/forms/new` (a unit's new form) and
//! `/forms/{id}/edit` (a new version of one), without JavaScript. One HTML form carries
//! the header inputs, the draft definition as hidden JSON and a small form for the next
//! field; every post applies one step (add a field, move it up or down, remove it or a
//! rule, preview, create) and re-checks the draft with `FormDef::check`, so a fault shows
//! inline at the step that caused it, naming the offending key. Nothing is stored until
//! "Tạo biểu mẫu" is confirmed; a new version leaves past submissions on their version.

use super::forms::home_unit;
use super::pick::{self, Pairs};
use super::reports::{FillField, fill_fields};
use super::{Chrome, PageResult, UnitParam, field_errors, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use congdoan_domain::Lang;
use congdoan_domain::form::{
    Aggregation, CmpOp, DefIssue, Field, FieldKind, FormDef, Prefill, Rule, Section, formula,
    parse_number,
};
use congdoan_domain::request::PeriodType;
use congdoan_store::{ReportForm, Unit};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forms/new", get(new_page).post(new_step))
        .route("/forms/{id}/edit", get(edit_page).post(edit_step))
}

/// Kinds offered, as (input value, Vietnamese, English).
const KINDS: [(&str, &str, &str); 9] = [
    ("whole", "Số nguyên (≥ 0)", "Whole number (≥ 0)"),
    ("decimal", "Số thập phân", "Decimal"),
    ("money", "Số tiền (đồng)", "Money (VND)"),
    ("percent", "Tỷ lệ phần trăm", "Percentage"),
    ("text", "Văn bản ngắn", "Short text"),
    ("long_text", "Văn bản dài", "Long text"),
    ("yes_no", "Có/không", "Yes/no"),
    ("choice", "Một lựa chọn", "One of a list"),
    ("date", "Ngày", "Date"),
];

const AGGREGATIONS: [(&str, &str, &str); 5] = [
    ("sum", "Cộng các đơn vị", "Sum"),
    ("average", "Trung bình", "Average"),
    ("last", "Giá trị cuối kỳ", "Last value in the period"),
    (
        "count_if",
        "Đếm đơn vị thỏa điều kiện",
        "Count units meeting a condition",
    ),
    ("none", "Không tổng hợp", "Not aggregated"),
];

const PERIOD_TYPES: [PeriodType; 6] = [
    PeriodType::Month,
    PeriodType::Quarter,
    PeriodType::Half,
    PeriodType::NineMonths,
    PeriodType::Year,
    PeriodType::Adhoc,
];

const OPS: [&str; 6] = ["<", "<=", "=", ">=", ">", "!="];

/// Longest text of a short text field; a longer one is filled in a text area.
const SHORT_TEXT: u32 = 200;
const LONG_TEXT: u32 = 2_000;

/// The Vietnamese (and English) label of one input of the builder.
fn label_of(name: &str) -> (&'static str, &'static str) {
    match name {
        "title" => ("Tên biểu mẫu", "Form title"),
        "code" => ("Mã biểu mẫu", "Form code"),
        "period" => ("Kỳ báo cáo", "Period"),
        "due_days" => ("Số ngày hạn nộp sau kỳ", "Days due after the period"),
        "filled_by" => ("Đơn vị lập báo cáo", "Filled by"),
        "f_section" => ("Phần", "Section"),
        "f_kind" => ("Kiểu dữ liệu", "Type"),
        "f_places" => ("Số chữ số thập phân", "Decimal places"),
        "f_key" => ("Mã trường", "Field key"),
        "f_label" => ("Nhãn", "Label"),
        "f_hint" => ("Gợi ý", "Hint"),
        "f_min" => ("Giá trị nhỏ nhất", "Minimum"),
        "f_max" => ("Giá trị lớn nhất", "Maximum"),
        "f_choices" => ("Các lựa chọn", "Choices"),
        "f_agg" => ("Cách tổng hợp", "Aggregation"),
        "f_agg_op" => ("Điều kiện đếm", "Count condition"),
        "f_agg_value" => ("Giá trị so sánh", "Value compared"),
        "f_disagg" => ("Phân tổ", "Disaggregation"),
        "f_parts" => ("Các nhóm phân tổ", "Categories"),
        "f_formula" => ("Công thức", "Formula"),
        "f_prefill" => ("Lấy từ sổ đoàn viên", "From the register"),
        "f_rule_op" => ("Quy tắc kiểm tra", "Validation rule"),
        "f_rule_right" => ("Vế phải của quy tắc", "Right side of the rule"),
        "f_rule_message" => ("Thông báo khi sai", "Message when broken"),
        "draft" => ("Bản nháp", "Draft"),
        _ => ("Các trường", "Fields"),
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

fn issue_error(name: &str, i: &DefIssue) -> FieldError {
    fe(name, i.code, &i.vi, &i.en)
}

/// The header input a definition fault without a field belongs to.
fn header_input(code: &str) -> Option<&'static str> {
    Some(match code {
        "VL0801" => "code",
        "VL0802" => "title",
        "VL0803" => "period",
        "VL0818" => "filled_by",
        _ => return None,
    })
}

/// The input of the field form a fault of the new field belongs to.
fn field_input(code: &str) -> &'static str {
    match code {
        "VL0807" => "f_label",
        "VL0808" => "f_choices",
        "VL0809" => "f_places",
        "VL0819" => "f_kind",
        "VL0810" | "VL0811" | "VL0812" | "VL0813" => "f_formula",
        "VL0814" => "f_agg",
        "VL0815" => "f_parts",
        "VL0821" => "f_prefill",
        _ => "f_key",
    }
}

fn blank_def() -> FormDef {
    FormDef {
        code: String::new(),
        title: String::new(),
        period: "month".into(),
        due_days: 5,
        filled_by: vec!["CDCS".into()],
        sections: vec![],
        rules: vec![],
    }
}

/// The builder's inputs as posted (or as a definition gives them), kept on every re-render.
#[derive(Default, Clone)]
struct Values(Pairs);

impl Values {
    fn of_def(def: &FormDef) -> Values {
        let mut v = vec![
            ("title".to_string(), def.title.clone()),
            ("code".to_string(), def.code.clone()),
            ("period".to_string(), def.period.clone()),
            ("due_days".to_string(), def.due_days.to_string()),
        ];
        for t in &def.filled_by {
            v.push(("filled_by".into(), t.clone()));
        }
        let section = def
            .sections
            .last()
            .map(|s| s.title.clone())
            .unwrap_or_default();
        v.push(("f_section".into(), section));
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
}

/// One field of the draft as listed, with its step buttons.
struct FieldCard {
    index: usize,
    key: String,
    label: String,
    section: String,
    kind: &'static str,
    required: bool,
    notes: Vec<String>,
    first: bool,
    last: bool,
}

/// One rule of the draft as listed.
struct RuleLine {
    index: usize,
    text: String,
}

/// What "Tạo biểu mẫu" restates before anything is stored.
struct Confirm {
    lead: String,
    impacts: Vec<(String, String)>,
    note: String,
    hidden: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "form_builder.html")]
struct BuilderPage {
    chrome: Chrome,
    action: String,
    back: String,
    unit: Unit,
    /// A new version of this form (its current version is replaced by the next one).
    form: Option<ReportForm>,
    values: Values,
    periods: Vec<(&'static str, &'static str)>,
    types: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    aggregations: Vec<(&'static str, &'static str)>,
    ops: Vec<&'static str>,
    prefills: Vec<(&'static str, &'static str)>,
    sections: Vec<String>,
    fields: Vec<FieldCard>,
    rules: Vec<RuleLine>,
    /// The summary (role=alert): the step asked for failed.
    errors: Vec<FieldError>,
    /// Messages beside their inputs.
    inline: Vec<FieldError>,
    /// What still keeps the draft from being created (not an error of this step).
    pending: Vec<String>,
    preview: Vec<FillField>,
    preview_open: bool,
    confirm: Option<Confirm>,
    /// For the filler's field partial (`report_field.html`).
    editable: bool,
    check_url: String,
}

impl BuilderPage {
    fn v(&self, k: &str) -> &str {
        self.values.get(k)
    }
    fn checked(&self, k: &str, v: &str) -> bool {
        self.values.0.iter().any(|(n, x)| n == k && x == v)
    }
    /// The optional part of the field form opens when something in it was typed or is wrong.
    fn more_open(&self) -> bool {
        FIELD_INPUTS[5..].iter().any(|k| {
            let v = self.v(k).trim();
            self.err(k).is_some() || !(v.is_empty() || (*k == "f_agg" && v == "sum"))
        }) || self.err("f_places").is_some()
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
    form: Option<ReportForm>,
}

async fn new_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    let Some(unit) = home_unit(&st, &user, q.unit).await? else {
        return see_other("/forms");
    };
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let def = blank_def();
    let values = Values::of_def(&def);
    let step = Step::new(def, values);
    show(&st, &user, Target { unit, form: None }, step).await
}

async fn edit_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let target = edit_target(&st, &user, id).await?;
    let def = st.store.report_form(&user.scope, id).await?.1.def().clone();
    let mut values = Values::of_def(&def);
    values.set(
        "version",
        target
            .form
            .as_ref()
            .map(|f| f.current_version)
            .unwrap_or(1)
            .to_string(),
    );
    let step = Step::new(def, values);
    show(&st, &user, target, step).await
}

async fn edit_target(st: &AppState, user: &CurrentUser, id: i64) -> Result<Target, AppError> {
    let (f, _) = st.store.report_form(&user.scope, id).await?;
    if !user.scope.can_write(&f.owner_path) {
        return Err(AppError::Forbidden);
    }
    let unit = st.store.unit(&user.scope, f.owner_unit_id).await?;
    Ok(Target {
        unit,
        form: Some(f),
    })
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
    apply(&st, &user, Target { unit, form: None }, values).await
}

async fn edit_step(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let target = edit_target(&st, &user, id).await?;
    apply(&st, &user, target, Values(pairs)).await
}

/// The outcome of one step, rendered by [`show`].
struct Step {
    def: FormDef,
    values: Values,
    errors: Vec<FieldError>,
    inline: Vec<FieldError>,
    /// Header faults show even for inputs left blank (preview, create).
    strict: bool,
    preview_open: bool,
    confirm: bool,
}

impl Step {
    fn new(def: FormDef, values: Values) -> Step {
        Step {
            def,
            values,
            errors: vec![],
            inline: vec![],
            strict: false,
            preview_open: false,
            confirm: false,
        }
    }
}

/// The fields in order with their section's title.
fn flatten(def: &mut FormDef) -> Vec<(String, Field)> {
    std::mem::take(&mut def.sections)
        .into_iter()
        .flat_map(|s| {
            let t = s.title;
            s.fields.into_iter().map(move |f| (t.clone(), f))
        })
        .collect()
}

/// Consecutive fields of one title make a section.
fn regroup(flat: Vec<(String, Field)>) -> Vec<Section> {
    let mut out: Vec<Section> = vec![];
    for (t, f) in flat {
        match out.last_mut() {
            Some(s) if s.title == t => s.fields.push(f),
            _ => out.push(Section {
                title: t,
                fields: vec![f],
            }),
        }
    }
    out
}

/// Whether a rule reads the field `key` (or one of its parts).
fn rule_reads(rule: &Rule, key: &str) -> bool {
    let hits = |k: &str| k == key || k.strip_prefix(key).is_some_and(|r| r.starts_with('.'));
    match rule {
        Rule::Compare { left, right, .. } => [left, right]
            .into_iter()
            .any(|src| formula::parse(src).is_ok_and(|e| e.refs().iter().any(|r| hits(r)))),
        Rule::RequiredPair { when, then, .. } => hits(when) || hits(then),
    }
}

fn rule_text(rule: &Rule) -> String {
    match rule {
        Rule::Compare {
            left,
            op,
            right,
            message,
        } => format!("{left} {} {right} — «{message}»", op.symbol()),
        Rule::RequiredPair {
            when,
            then,
            message,
        } => format!("nếu có {when} thì phải có {then} — «{message}»"),
    }
}

/// A lower-case ASCII code from a label ("Nữ" → "nu").
fn slug(label: &str) -> String {
    let folded = congdoan_domain::text::fold(label);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("c_{out}")
    } else {
        out
    }
}

/// "mã | nhãn" per line, or a label alone (its code made from it).
fn code_label_lines(raw: &str) -> Vec<(String, String)> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once('|') {
            Some((c, lab)) => (c.trim().to_string(), lab.trim().to_string()),
            None => (slug(l), l.to_string()),
        })
        .collect()
}

/// A scaled number as a formula literal ("12.5").
fn literal(n: i64, places: u32) -> String {
    if places == 0 {
        return n.to_string();
    }
    let p = 10i64.pow(places);
    let s = format!(
        "{}{}.{:0width$}",
        if n < 0 { "-" } else { "" },
        (n / p).abs(),
        (n % p).abs(),
        width = places as usize
    );
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A field from the field form: its section's title, the field, and the rules it
/// brings, each with the input it came from.
type NewField = (String, Field, Vec<(Rule, &'static str)>);

/// The field typed into the field form, with the rules it brings (each with the input
/// it came from), or the inputs' faults.
fn field_of_input(v: &Values) -> Result<NewField, Vec<FieldError>> {
    let mut errs = vec![];
    let key = v.get("f_key").trim().to_string();
    let label = v.get("f_label").trim().to_string();
    let places = match v.get("f_places").trim() {
        "" => 1,
        p => match p.parse::<u8>() {
            Ok(n) => n,
            Err(_) => {
                errs.push(fe(
                    "f_places",
                    "WE2101",
                    &format!("“{p}” không phải là số chữ số thập phân (1 đến 4)."),
                    &format!("“{p}” is not a number of decimal places (1 to 4)."),
                ));
                1
            }
        },
    };
    let kind = match v.get("f_kind") {
        "whole" => FieldKind::Whole,
        "decimal" => FieldKind::Decimal { places },
        "money" => FieldKind::Money,
        "percent" => FieldKind::Percent,
        "text" => FieldKind::Text {
            max_len: SHORT_TEXT,
        },
        "long_text" => FieldKind::Text { max_len: LONG_TEXT },
        "yes_no" => FieldKind::YesNo,
        "choice" => FieldKind::Choice {
            options: code_label_lines(v.get("f_choices")),
        },
        "date" => FieldKind::Date,
        other => {
            errs.push(fe(
                "f_kind",
                "WE2102",
                &format!("chọn một kiểu trong danh sách (không phải “{other}”)."),
                &format!("choose a type from the list (not “{other}”)."),
            ));
            FieldKind::Whole
        }
    };
    let mut field = Field::new(&key, &label, kind.clone());
    field.required = v.get("f_required") == "1";
    let hint = v.get("f_hint").trim();
    if !hint.is_empty() {
        field.hint = Some(hint.to_string());
    }
    let formula_src = v.get("f_formula").trim();
    if !formula_src.is_empty() {
        field.formula = Some(formula_src.to_string());
    }
    field.disaggregation = match v.get("f_disagg") {
        "sex" => Some(
            congdoan_domain::form::BY_SEX
                .iter()
                .map(|(c, l)| ((*c).to_string(), (*l).to_string()))
                .collect(),
        ),
        "custom" => Some(code_label_lines(v.get("f_parts"))),
        _ => None,
    };
    match v.get("f_prefill") {
        "" => {}
        p => match Prefill::from_code(p) {
            Some(p) => field.prefill = Some(p),
            None => errs.push(fe(
                "f_prefill",
                "WE2103",
                &format!("không có số liệu “{p}” trong sổ."),
                &format!("the register has no figure “{p}”."),
            )),
        },
    }
    let op_of = |name: &str, errs: &mut Vec<FieldError>| -> Option<CmpOp> {
        let raw = v.get(name).trim();
        let op = CmpOp::parse(raw);
        if op.is_none() {
            errs.push(fe(
                name,
                "WE2104",
                &format!("chọn một phép so sánh (không phải “{raw}”)."),
                &format!("choose a comparison (not “{raw}”)."),
            ));
        }
        op
    };
    field.aggregation = match v.get("f_agg") {
        "" | "sum" => Aggregation::Sum,
        "average" => Aggregation::Average,
        "last" => Aggregation::Last,
        "none" => Aggregation::None,
        "count_if" => Aggregation::CountIf {
            op: op_of("f_agg_op", &mut errs).unwrap_or(CmpOp::Eq),
            value: v.get("f_agg_value").trim().to_string(),
        },
        other => {
            errs.push(fe(
                "f_agg",
                "WE2105",
                &format!("chọn một cách tổng hợp trong danh sách (không phải “{other}”)."),
                &format!("choose an aggregation from the list (not “{other}”)."),
            ));
            Aggregation::Sum
        }
    };
    let shown = if label.is_empty() { &key } else { &label };
    let mut rules = vec![];
    for (name, op, words, words_en) in [
        (
            "f_min",
            CmpOp::Ge,
            "không được nhỏ hơn",
            "must not be less than",
        ),
        (
            "f_max",
            CmpOp::Le,
            "không được lớn hơn",
            "must not be greater than",
        ),
    ] {
        let raw = v.get(name).trim();
        if raw.is_empty() {
            continue;
        }
        let Some(p) = kind.places() else {
            errs.push(fe(
                name,
                "WE2106",
                &format!(
                    "chỉ trường số mới có giới hạn (trường này là {}).",
                    kind.name_vi()
                ),
                "only a numeric field has limits.",
            ));
            continue;
        };
        match parse_number(raw, p) {
            Ok(n) => rules.push((
                Rule::compare(&key, op, &literal(n, p), &format!("{shown} {words} {raw}.")),
                name,
            )),
            Err(_) => errs.push(fe(
                name,
                "WE2107",
                &format!("“{raw}” không phải là số."),
                &format!("“{raw}” is not a number ({words_en})."),
            )),
        }
    }
    let right = v.get("f_rule_right").trim();
    let message = v.get("f_rule_message").trim();
    let op_raw = v.get("f_rule_op").trim();
    if !op_raw.is_empty() || !right.is_empty() {
        let op = op_of("f_rule_op", &mut errs);
        if right.is_empty() {
            errs.push(fe(
                "f_rule_right",
                "WE2108",
                "hãy nhập giá trị hoặc biểu thức để so sánh (ví dụ tong_so).",
                "enter a value or expression to compare with (e.g. tong_so).",
            ));
        }
        if message.is_empty() {
            errs.push(fe(
                "f_rule_message",
                "WE2109",
                "hãy nhập thông báo tiếng Việt hiện ra khi số liệu sai quy tắc.",
                "enter the Vietnamese message shown when the rule is broken.",
            ));
        }
        if let Some(op) = op
            && !right.is_empty()
            && !message.is_empty()
        {
            rules.push((Rule::compare(&key, op, right, message), "f_rule_right"));
        }
    }
    if errs.is_empty() {
        Ok((v.get("f_section").trim().to_string(), field, rules))
    } else {
        Err(errs)
    }
}

fn check_issues(def: &FormDef) -> Vec<DefIssue> {
    def.clone().check().err().unwrap_or_default()
}

const FIELD_INPUTS: [&str; 19] = [
    "f_kind",
    "f_places",
    "f_key",
    "f_label",
    "f_required",
    "f_hint",
    "f_min",
    "f_max",
    "f_choices",
    "f_agg",
    "f_agg_op",
    "f_agg_value",
    "f_disagg",
    "f_parts",
    "f_formula",
    "f_prefill",
    "f_rule_op",
    "f_rule_right",
    "f_rule_message",
];

/// Applies the posted step to the draft and shows the result (or creates the form).
async fn apply(
    st: &AppState,
    user: &CurrentUser,
    target: Target,
    mut values: Values,
) -> PageResult {
    let mut step = Step::new(blank_def(), Values::default());
    let confirmed = values.get("confirmed") == "1";
    let mut def = match serde_json::from_str::<FormDef>(values.get("draft")) {
        Ok(d) => d,
        Err(_) => {
            step.errors.push(fe(
                "draft",
                "WE2110",
                "không đọc được bản nháp; các trường đã thêm bị mất, hãy thêm lại.",
                "the draft could not be read; add the fields again.",
            ));
            FormDef {
                filled_by: vec![],
                ..blank_def()
            }
        }
    };
    // The header from its inputs (a new version keeps the code).
    def.title = values.get("title").trim().to_string();
    def.code = match &target.form {
        Some(f) => f.code.clone(),
        None => values.get("code").trim().to_string(),
    };
    def.period = values.get("period").trim().to_string();
    def.filled_by = values.all("filled_by");
    match values.get("due_days").trim().parse::<u16>() {
        Ok(d) if d <= 366 => def.due_days = d,
        _ => step.inline.push(fe(
            "due_days",
            "WE2111",
            &format!(
                "“{}” không phải số ngày hợp lệ (0 đến 366).",
                values.get("due_days").trim()
            ),
            &format!(
                "“{}” is not a valid number of days (0 to 366).",
                values.get("due_days").trim()
            ),
        )),
    }
    let op = values.get("op").to_string();
    let (verb, index) = match op.split_once(':') {
        Some((v, i)) => (v, i.parse::<usize>().ok()),
        None => (op.as_str(), None),
    };
    let mut flat = flatten(&mut def);
    match (verb, index) {
        ("add", _) => match field_of_input(&values) {
            Err(errs) => {
                step.inline.extend(errs.iter().cloned());
                step.errors.extend(errs);
            }
            Ok((section, field, rules)) => {
                let mut with = def.clone();
                let before = {
                    let mut d = def.clone();
                    d.sections = regroup(flat.clone());
                    check_issues(&d)
                };
                let first_rule = def.rules.len();
                let mut f2 = flat.clone();
                let at = f2
                    .iter()
                    .rposition(|(t, _)| *t == section)
                    .map_or(f2.len(), |i| i + 1);
                f2.insert(at, (section, field));
                with.sections = regroup(f2.clone());
                let inputs: Vec<&str> = rules.iter().map(|r| r.1).collect();
                with.rules.extend(rules.into_iter().map(|r| r.0));
                let fresh: Vec<FieldError> = check_issues(&with)
                    .into_iter()
                    .filter(|i| {
                        !before.contains(i) && header_input(i.code).is_none() && i.code != "VL0804"
                    })
                    .map(|i| {
                        let name = match i.rule {
                            Some(r) if r >= first_rule => {
                                inputs.get(r - first_rule).copied().unwrap_or("f_key")
                            }
                            _ => field_input(i.code),
                        };
                        issue_error(name, &i)
                    })
                    .collect();
                if fresh.is_empty() {
                    flat = f2;
                    def.rules = with.rules;
                    for k in FIELD_INPUTS {
                        if k != "f_kind" {
                            values.0.retain(|(n, _)| n != k);
                        }
                    }
                } else {
                    step.inline.extend(fresh.iter().cloned());
                    step.errors.extend(fresh);
                }
            }
        },
        ("up", Some(i)) if i > 0 && i < flat.len() => {
            if flat[i - 1].0 == flat[i].0 {
                flat.swap(i - 1, i);
            } else {
                // The first of its section joins the end of the section above.
                flat[i].0 = flat[i - 1].0.clone();
            }
        }
        ("down", Some(i)) if i + 1 < flat.len() => {
            if flat[i + 1].0 == flat[i].0 {
                flat.swap(i, i + 1);
            } else {
                flat[i].0 = flat[i + 1].0.clone();
            }
        }
        ("remove", Some(i)) if i < flat.len() => {
            let (_, f) = flat.remove(i);
            def.rules.retain(|r| !rule_reads(r, &f.key));
        }
        ("rule_remove", Some(i)) if i < def.rules.len() => {
            def.rules.remove(i);
        }
        ("preview", _) => {
            step.preview_open = true;
            step.strict = true;
        }
        ("create", _) => step.strict = true,
        _ => {}
    }
    def.sections = regroup(flat);
    values
        .0
        .retain(|(n, _)| n != "op" && n != "csrf" && n != "confirmed");
    values.set(
        "draft",
        serde_json::to_string(&def).map_err(|e| AppError::BadRequest(e.to_string()))?,
    );
    if verb == "create" && step.errors.is_empty() && step.inline.is_empty() {
        let issues = check_issues(&def);
        if issues.is_empty() {
            if confirmed {
                let done = match &target.form {
                    None => {
                        st.store
                            .create_form(&user.scope, target.unit.unit_id, def.clone())
                            .await
                    }
                    Some(f) => {
                        let expected = values
                            .get("version")
                            .trim()
                            .parse()
                            .unwrap_or(f.current_version);
                        st.store
                            .new_form_version(&user.scope, f.form_id, expected, def.clone())
                            .await
                    }
                };
                match done {
                    Ok(f) => {
                        let notice = if target.form.is_some() {
                            "version"
                        } else {
                            "created"
                        };
                        return see_other(&format!(
                            "/forms/{}?unit={}&notice={notice}",
                            f.form_id, target.unit.unit_id
                        ));
                    }
                    Err(e) => {
                        let errs = field_errors(e.into())?;
                        step.inline.extend(errs.iter().cloned());
                        step.errors.extend(errs);
                    }
                }
            } else {
                step.confirm = true;
            }
        } else {
            let errs: Vec<FieldError> = issues
                .iter()
                .map(|i| match (header_input(i.code), &i.field) {
                    (Some(h), None) => issue_error(h, i),
                    _ => issue_error("fields", i),
                })
                .collect();
            step.errors.extend(errs);
        }
    }
    step.def = def;
    step.values = values;
    show(st, user, target, step).await
}

/// Renders the builder for a step's outcome.
async fn show(st: &AppState, user: &CurrentUser, target: Target, mut step: Step) -> PageResult {
    let tr = user.tr();
    let lang = user.lang;
    let def = &step.def;
    let posted = !step.values.get("draft").is_empty();
    // Faults of the draft as a whole: beside the header inputs (once typed into, or
    // when creating), the others listed as what is still missing.
    let mut pending = vec![];
    for i in check_issues(def) {
        match (header_input(i.code), &i.field) {
            (Some(h), None) => {
                let typed = !step.values.get(h).trim().is_empty();
                if (step.strict || (posted && typed) || (posted && h == "filled_by"))
                    && !step.inline.iter().any(|e| e.field == h)
                {
                    step.inline.push(issue_error(h, &i));
                }
            }
            _ => pending.push(i.message(lang).to_string()),
        }
    }
    // The preview: the fields as a filler sees them, whatever the header still lacks.
    let mut probe = def.clone();
    probe.code = "PREVIEW".into();
    probe.title = "preview".into();
    probe.period = "month".into();
    probe.filled_by = vec!["CDCS".into()];
    let preview = match probe.check() {
        Ok(form) => {
            let prefill: BTreeMap<String, String> = form
                .prefills()
                .into_iter()
                .map(|(k, _)| (k, String::new()))
                .collect();
            fill_fields(&form, &BTreeMap::new(), &prefill, &[], lang)
        }
        Err(_) => vec![],
    };
    let unit_types = st.store.unit_types().await?;
    let type_name = |code: &str| {
        unit_types
            .iter()
            .find(|t| t.type_code == code)
            .map(|t| match lang {
                Lang::Vi => t.name_vi.clone(),
                Lang::En => t.name_en.clone(),
            })
            .unwrap_or_else(|| code.to_string())
    };
    let flat: Vec<(&str, &Field)> = def
        .sections
        .iter()
        .flat_map(|s| s.fields.iter().map(move |f| (s.title.as_str(), f)))
        .collect();
    let n = flat.len();
    let fields = flat
        .iter()
        .enumerate()
        .map(|(i, (section, f))| {
            let mut notes = vec![];
            if let Some(src) = &f.formula {
                notes.push(format!("{} = {src}", tr.s("công thức", "formula")));
            }
            if let Some(parts) = &f.disaggregation {
                let names: Vec<&str> = parts.iter().map(|(_, l)| l.as_str()).collect();
                notes.push(format!("{}: {}", tr.s("phân tổ", "by"), names.join(", ")));
            }
            if let FieldKind::Choice { options } = &f.kind {
                let names: Vec<&str> = options.iter().map(|(_, l)| l.as_str()).collect();
                notes.push(names.join(" / "));
            }
            if let Some(p) = f.prefill {
                notes.push(format!(
                    "{}: {}",
                    tr.s("từ sổ", "from the register"),
                    p.label_vi()
                ));
            }
            let agg = match &f.aggregation {
                Aggregation::Sum => None,
                Aggregation::Average => Some(AGGREGATIONS[1]),
                Aggregation::Last => Some(AGGREGATIONS[2]),
                Aggregation::CountIf { .. } => Some(AGGREGATIONS[3]),
                Aggregation::None => Some(AGGREGATIONS[4]),
            };
            if let Some((_, vi, en)) = agg {
                let mut t = tr.s(vi, en).to_string();
                if let Aggregation::CountIf { op, value } = &f.aggregation {
                    t = format!("{t} ({} {value})", op.symbol());
                }
                notes.push(t);
            }
            FieldCard {
                index: i,
                key: f.key.clone(),
                label: f.label.clone(),
                section: section.to_string(),
                kind: match &f.kind {
                    FieldKind::Text { max_len } if *max_len <= SHORT_TEXT => "văn bản ngắn",
                    k => k.name_vi(),
                },
                required: f.required,
                notes,
                first: i == 0,
                last: i + 1 == n,
            }
        })
        .collect();
    let rules = def
        .rules
        .iter()
        .enumerate()
        .map(|(index, r)| RuleLine {
            index,
            text: rule_text(r),
        })
        .collect();
    let mut sections: Vec<String> = def
        .sections
        .iter()
        .map(|s| s.title.clone())
        .filter(|t| !t.is_empty())
        .collect();
    sections.dedup();
    let confirm = step.confirm.then(|| {
        let period = PeriodType::parse(&def.period).unwrap_or(PeriodType::Adhoc);
        let types: Vec<String> = def.filled_by.iter().map(|t| type_name(t)).collect();
        let n_fields = congdoan_domain::format_int(n as i64);
        let lead = match &target.form {
            None => format!(
                "Tạo biểu mẫu «{}» (mã {}) của {}: {n_fields} trường, kỳ {}, hạn nộp {} ngày sau kỳ, do {} lập.",
                def.title,
                def.code,
                target.unit.name,
                period.name_vi().to_lowercase(),
                def.due_days,
                types.join(", ")
            ),
            Some(f) => format!(
                "Lưu phiên bản {} của biểu mẫu «{}» (mã {}): {n_fields} trường, kỳ {}, hạn nộp {} ngày sau kỳ, do {} lập.",
                f.current_version + 1,
                def.title,
                def.code,
                period.name_vi().to_lowercase(),
                def.due_days,
                types.join(", ")
            ),
        };
        let hidden = step.values.0.clone();
        Confirm {
            lead,
            impacts: vec![
                (n_fields.clone(), tr.s("trường", "fields").to_string()),
                (
                    congdoan_domain::format_int(def.rules.len() as i64),
                    tr.s("quy tắc kiểm tra", "validation rules").to_string(),
                ),
                (
                    String::new(),
                    format!("{} {}", tr.s("Kỳ báo cáo:", "Period:"), period.name_vi()),
                ),
                (
                    String::new(),
                    format!("{} {}", tr.s("Đơn vị lập:", "Filled by:"), types.join(", ")),
                ),
            ],
            note: match &target.form {
                None => tr
                    .s(
                        "Biểu mẫu đã tạo không xoá được; muốn sửa thì lưu phiên bản mới.",
                        "A created form cannot be deleted; to change it, save a new version.",
                    )
                    .to_string(),
                Some(_) => tr
                    .s(
                        "Các báo cáo đã gửi giữ nguyên phiên bản cũ; chỉ các kỳ gửi sau dùng phiên bản mới.",
                        "Reports already sent keep their version; only periods sent later use the new one.",
                    )
                    .to_string(),
            },
            hidden,
        }
    });
    let (title, action, back) = match &target.form {
        None => (
            tr.s("Tạo biểu mẫu báo cáo", "New report form").to_string(),
            "/forms/new".to_string(),
            format!("/forms?unit={}", target.unit.unit_id),
        ),
        Some(f) => (
            format!(
                "{} {}: {}",
                tr.s("Phiên bản mới", "New version"),
                f.current_version + 1,
                f.title
            ),
            format!("/forms/{}/edit", f.form_id),
            format!("/forms/{}", f.form_id),
        ),
    };
    let mut values = step.values;
    values.set("unit", target.unit.unit_id.to_string());
    values.set(
        "draft",
        serde_json::to_string(&step.def).map_err(|e| AppError::BadRequest(e.to_string()))?,
    );
    if values.get("f_kind").is_empty() {
        values.set("f_kind", "whole".into());
    }
    let invalid = !step.errors.is_empty();
    let page = render(BuilderPage {
        chrome: Chrome::new(user, &title),
        action,
        back,
        unit: target.unit,
        form: target.form,
        values,
        periods: PERIOD_TYPES
            .iter()
            .map(|p| (p.code(), p.name_vi()))
            .collect(),
        types: unit_types
            .iter()
            .filter(|t| t.exists_on(today()))
            .map(|t| {
                (
                    t.type_code.clone(),
                    match lang {
                        Lang::Vi => t.name_vi.clone(),
                        Lang::En => t.name_en.clone(),
                    },
                )
            })
            .collect(),
        kinds: KINDS.iter().map(|&(c, vi, en)| (c, tr.s(vi, en))).collect(),
        aggregations: AGGREGATIONS
            .iter()
            .map(|&(c, vi, en)| (c, tr.s(vi, en)))
            .collect(),
        ops: OPS.to_vec(),
        prefills: Prefill::ALL
            .iter()
            .map(|p| (p.code(), p.label_vi()))
            .collect(),
        sections,
        fields,
        rules,
        errors: step.errors,
        inline: step.inline,
        pending,
        preview,
        preview_open: step.preview_open,
        confirm,
        editable: true,
        check_url: String::new(),
    })?;
    Ok(pick::unprocessable(page, invalid))
}
