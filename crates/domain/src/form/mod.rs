//! Report forms as data: a [`FormDef`] (sections of typed fields, formulas,
//! rules, an aggregation per field) is stored as JSON, checked once into a
//! [`Form`], which parses what a unit typed, computes formulas, checks rules,
//! and says what one submission contributes to the live roll-up of the units
//! above it.
//!
//! The roll-up is additive by construction: a unit's submission contributes a
//! [`Tally`] per field, the roll-up of any set of units is the sum of their
//! tallies, and a resubmission adds [`Form::contribution_delta`]. So the store
//! keeps one row per (upper unit, field) and never recounts.
//!
//! Codes VL08xx: VL0801–VL0829 are faults of a definition ([`DefIssue`]),
//! VL0850–VL0869 faults of what a unit typed ([`FieldIssue`]).

pub mod formula;
mod input;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::{format_vn_date, parse_vn_date};
use crate::error::Lang;
use crate::money::format_int;
use crate::text::{fold, nfc};
use formula::{EvalError, Expr, Ratio};
pub use input::{NumError, format_scaled, format_scaled_short, parse_number, parse_yes_no};

/// Period codes a form may have.
pub const PERIODS: [&str; 6] = ["month", "quarter", "half", "nine_months", "year", "adhoc"];
/// Longest field key.
pub const MAX_KEY_LEN: usize = 40;
/// Most values (fields and their parts) a form may hold; the 40-field monthly
/// report is far below, a hostile definition is stopped.
pub const MAX_FIELDS: usize = 1_000;
/// Most rows a repeating table may have in one submission.
pub const MAX_TABLE_ROWS: usize = 500;
/// Most decimal places of a decimal field.
pub const MAX_PLACES: u8 = 4;
/// Longest text a text field may be set to accept.
pub const MAX_TEXT_LEN: u32 = 10_000;

fn default_text_len() -> u32 {
    1_000
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A report form as its author wrote it. Stored as JSON: keep it stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDef {
    /// "BCN-THANG".
    pub code: String,
    pub title: String,
    /// One of [`PERIODS`].
    pub period: String,
    /// Days after the period's end by which the report is due.
    #[serde(default)]
    pub due_days: u16,
    /// Unit type codes that fill it in ("CDCS").
    #[serde(default)]
    pub filled_by: Vec<String>,
    #[serde(default)]
    pub sections: Vec<Section>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub fields: Vec<Field>,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// ASCII snake_case, unique in the form, at most [`MAX_KEY_LEN`] characters.
    pub key: String,
    /// Vietnamese label shown to the user.
    pub label: String,
    pub kind: FieldKind,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Categories (code, label) the value is entered by, under `key.code`;
    /// the field's own value is their sum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disaggregation: Option<Vec<(String, String)>>,
    /// Computed, read-only: arithmetic over other numeric fields (`+ - * /`,
    /// parentheses, `sum(…)`, `min(…)`, `max(…)`), rounded to this field's
    /// decimals. A blank field counts as 0 unless every field read is blank (then
    /// so is the result); a division by zero leaves it blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    #[serde(default, skip_serializing_if = "Aggregation::is_default")]
    pub aggregation: Aggregation,
    /// A figure the register knows; the store computes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Field {
    /// A plain optional field summed in roll-ups; the builder methods below add the rest.
    pub fn new(key: &str, label: &str, kind: FieldKind) -> Field {
        Field {
            key: key.to_owned(),
            label: label.to_owned(),
            kind,
            required: false,
            disaggregation: None,
            formula: None,
            aggregation: Aggregation::Sum,
            prefill: None,
            hint: None,
        }
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn formula(mut self, f: &str) -> Field {
        self.formula = Some(f.to_owned());
        self
    }

    pub fn aggregation(mut self, a: Aggregation) -> Field {
        self.aggregation = a;
        self
    }

    pub fn prefill(mut self, p: Prefill) -> Field {
        self.prefill = Some(p);
        self
    }

    pub fn hint(mut self, h: &str) -> Field {
        self.hint = Some(h.to_owned());
        self
    }

    /// Disaggregation by the given (code, label) categories.
    pub fn by(mut self, parts: &[(&str, &str)]) -> Field {
        self.disaggregation = Some(
            parts
                .iter()
                .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                .collect(),
        );
        self
    }
}

/// The (code, label) pairs of a disaggregation by sex.
pub const BY_SEX: [(&str, &str); 2] = [("nam", "Nam"), ("nu", "Nữ")];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// An integer ≥ 0.
    Whole,
    /// A decimal number with at most `places` (≤ 4) decimals.
    Decimal {
        places: u8,
    },
    /// Vietnamese đồng, an integer ≥ 0.
    Money,
    /// 0–100 with two decimals.
    Percent,
    Text {
        #[serde(default = "default_text_len")]
        max_len: u32,
    },
    YesNo,
    /// One of the (code, label) options.
    Choice {
        options: Vec<(String, String)>,
    },
    Date,
    /// Repeating rows of the given columns; a roll-up counts the rows only.
    Table {
        columns: Vec<Field>,
    },
}

impl FieldKind {
    /// Decimal places of a numeric kind (values are stored scaled by 10^places).
    pub fn places(&self) -> Option<u32> {
        match self {
            FieldKind::Whole | FieldKind::Money => Some(0),
            FieldKind::Decimal { places } => Some(u32::from(*places)),
            FieldKind::Percent => Some(2),
            _ => None,
        }
    }

    pub fn is_numeric(&self) -> bool {
        self.places().is_some()
    }

    /// A short Vietnamese name of the kind, for messages.
    pub fn name_vi(&self) -> &'static str {
        match self {
            FieldKind::Whole => "số nguyên",
            FieldKind::Decimal { .. } => "số thập phân",
            FieldKind::Money => "số tiền",
            FieldKind::Percent => "tỷ lệ phần trăm",
            FieldKind::Text { .. } => "văn bản",
            FieldKind::YesNo => "có/không",
            FieldKind::Choice { .. } => "lựa chọn",
            FieldKind::Date => "ngày",
            FieldKind::Table { .. } => "bảng nhiều dòng",
        }
    }
}

/// How a field's values from many units combine.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Aggregation {
    #[default]
    Sum,
    Average,
    /// A stock (members at the end of the period): the last value of the
    /// period for one unit; across units it sums.
    Last,
    /// How many units' value meets `op value` (`value` typed as in the form:
    /// "0", "có", a choice code).
    CountIf {
        op: CmpOp,
        value: String,
    },
    None,
}

impl Aggregation {
    fn is_default(&self) -> bool {
        *self == Aggregation::Sum
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpOp {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "!=")]
    Ne,
}

impl CmpOp {
    /// "<", "<=", "=", "==", ">=", ">", "!=", "<>", "≤", "≥", "≠".
    pub fn parse(s: &str) -> Option<CmpOp> {
        Some(match s.trim() {
            "<" => CmpOp::Lt,
            "<=" | "≤" => CmpOp::Le,
            "=" | "==" => CmpOp::Eq,
            ">=" | "≥" => CmpOp::Ge,
            ">" => CmpOp::Gt,
            "!=" | "<>" | "≠" => CmpOp::Ne,
            _ => return None,
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "=",
            CmpOp::Ge => ">=",
            CmpOp::Gt => ">",
            CmpOp::Ne => "!=",
        }
    }

    fn words(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (CmpOp::Lt, Lang::Vi) => "phải nhỏ hơn",
            (CmpOp::Le, Lang::Vi) => "không được lớn hơn",
            (CmpOp::Eq, Lang::Vi) => "phải bằng",
            (CmpOp::Ge, Lang::Vi) => "không được nhỏ hơn",
            (CmpOp::Gt, Lang::Vi) => "phải lớn hơn",
            (CmpOp::Ne, Lang::Vi) => "phải khác",
            (CmpOp::Lt, Lang::En) => "must be less than",
            (CmpOp::Le, Lang::En) => "must not be greater than",
            (CmpOp::Eq, Lang::En) => "must equal",
            (CmpOp::Ge, Lang::En) => "must not be less than",
            (CmpOp::Gt, Lang::En) => "must be greater than",
            (CmpOp::Ne, Lang::En) => "must differ from",
        }
    }

    pub fn holds<T: Ord>(self, a: T, b: T) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Eq => a == b,
            CmpOp::Ge => a >= b,
            CmpOp::Gt => a > b,
            CmpOp::Ne => a != b,
        }
    }
}

/// Figures the register knows for a unit and period; the store computes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    MembersAtEnd,
    MembersJoined,
    MembersLeft,
    Women,
    PartyMembers,
    Officials,
    Departments,
    Teams,
}

impl Prefill {
    pub const ALL: [Prefill; 8] = [
        Prefill::MembersAtEnd,
        Prefill::MembersJoined,
        Prefill::MembersLeft,
        Prefill::Women,
        Prefill::PartyMembers,
        Prefill::Officials,
        Prefill::Departments,
        Prefill::Teams,
    ];

    /// The serde name ("members_at_end").
    pub fn code(self) -> &'static str {
        match self {
            Prefill::MembersAtEnd => "members_at_end",
            Prefill::MembersJoined => "members_joined",
            Prefill::MembersLeft => "members_left",
            Prefill::Women => "women",
            Prefill::PartyMembers => "party_members",
            Prefill::Officials => "officials",
            Prefill::Departments => "departments",
            Prefill::Teams => "teams",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Prefill::MembersAtEnd => "Đoàn viên cuối kỳ",
            Prefill::MembersJoined => "Đoàn viên kết nạp trong kỳ",
            Prefill::MembersLeft => "Đoàn viên giảm trong kỳ",
            Prefill::Women => "Đoàn viên nữ",
            Prefill::PartyMembers => "Đảng viên",
            Prefill::Officials => "Cán bộ công đoàn",
            Prefill::Departments => "Công đoàn bộ phận",
            Prefill::Teams => "Tổ công đoàn",
        }
    }

    pub fn from_code(s: &str) -> Option<Prefill> {
        Prefill::ALL.into_iter().find(|p| p.code() == s)
    }
}

/// A validation rule over the fields of one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Rule {
    /// `left op right`, each side an expression over numeric fields. Skipped
    /// while a field it reads is blank (the required check covers that).
    Compare {
        left: String,
        op: CmpOp,
        right: String,
        #[serde(default)]
        message: String,
    },
    /// If `when` is filled, `then` is required.
    RequiredPair {
        when: String,
        then: String,
        #[serde(default)]
        message: String,
    },
}

impl Rule {
    pub fn compare(left: &str, op: CmpOp, right: &str, message: &str) -> Rule {
        Rule::Compare {
            left: left.to_owned(),
            op,
            right: right.to_owned(),
            message: message.to_owned(),
        }
    }

    pub fn required_pair(when: &str, then: &str, message: &str) -> Rule {
        Rule::RequiredPair {
            when: when.to_owned(),
            then: then.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// A fault of a form definition. `field` is the key it concerns, when one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefIssue {
    pub field: Option<String>,
    /// Index in [`FormDef::rules`] of the rule concerned, when one is.
    pub rule: Option<usize>,
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

impl DefIssue {
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for DefIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.vi, self.code)
    }
}

/// A fault of what was typed into one field (`field` is its input key, so a
/// page shows it inline). Messages start with the field's label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

impl FieldIssue {
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// One value of a submission. Numbers are scaled by the field's decimal
/// places (Decimal{2} "12,5" → 1250; Percent has 2; Money and Whole 0).
///
/// JSON is compact: a number, a boolean, a string, "YYYY-MM-DD" for a date, an
/// array of objects for table rows. A text that looks exactly like an ISO date
/// reads back as a date; [`Form::display`] shows it unchanged either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Num(i64),
    Text(String),
    Bool(bool),
    Date(Date),
    Rows(Vec<BTreeMap<String, Value>>),
}

/// A submission's values by key (`key`, `key.part`).
pub type Values = BTreeMap<String, Value>;

fn iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[..4].parse().ok()?;
    let m: u8 = s[5..7].parse().ok()?;
    let d: u8 = s[8..].parse().ok()?;
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Num(n) => s.serialize_i64(*n),
            Value::Text(t) => s.serialize_str(t),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Date(d) => s.serialize_str(&iso(*d)),
            Value::Rows(r) => r.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(i64),
            Bool(bool),
            Text(String),
            Rows(Vec<BTreeMap<String, Value>>),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Num(n) => Value::Num(n),
            Raw::Bool(b) => Value::Bool(b),
            Raw::Text(t) => match iso_date(&t) {
                Some(date) => Value::Date(date),
                None => Value::Text(t),
            },
            Raw::Rows(r) => Value::Rows(r),
        })
    }
}

/// A unit's contribution to a roll-up of one field, or the roll-up itself:
/// tallies of units add up.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Tally {
    /// Sum of values (scaled).
    pub total: i64,
    /// Values counted (units that filled the field; rows for a table).
    pub n: i64,
    /// Units meeting a count-if condition.
    pub hits: i64,
}

impl std::ops::Add for Tally {
    type Output = Tally;
    fn add(self, o: Tally) -> Tally {
        Tally {
            total: self.total.saturating_add(o.total),
            n: self.n + o.n,
            hits: self.hits + o.hits,
        }
    }
}

impl std::ops::Sub for Tally {
    type Output = Tally;
    fn sub(self, o: Tally) -> Tally {
        self + -o
    }
}

impl std::ops::Neg for Tally {
    type Output = Tally;
    fn neg(self) -> Tally {
        Tally {
            total: -self.total,
            n: -self.n,
            hits: -self.hits,
        }
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        *self = *self + o;
    }
}

impl Tally {
    pub fn is_zero(&self) -> bool {
        *self == Tally::default()
    }
}

/// What parsing a submission gave: the values (computed ones included) and
/// every problem at once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checked {
    pub values: Values,
    pub issues: Vec<FieldIssue>,
}

/// One line of a roll-up as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub key: String,
    pub label: String,
    pub section: String,
    pub value: Option<Value>,
    pub text: String,
}

/// One value that differs between two submissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub key: String,
    pub label: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Typed in (or pre-filled).
    Input,
    /// A formula.
    Computed,
    /// The sum of its disaggregated parts.
    Total,
}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    label: String,
    section: usize,
    /// Index of the field in its section.
    index: usize,
    /// Index of the disaggregation part, for `key.part`.
    part: Option<usize>,
    role: Role,
}

#[derive(Debug, Clone)]
enum CheckedRule {
    Compare {
        left: Expr,
        op: CmpOp,
        right: Expr,
        message: String,
        /// Where the message shows: the first field the left side reads.
        anchor: String,
        /// Every input the rule depends on, through formulas.
        deps: BTreeSet<String>,
    },
    RequiredPair {
        when: String,
        then: String,
        message: String,
    },
}

/// A checked form: every key resolved, formulas in evaluation order.
#[derive(Debug, Clone)]
pub struct Form {
    def: FormDef,
    entries: Vec<Entry>,
    by_key: HashMap<String, usize>,
    /// (entry, formula), each after the formulas it reads.
    formulas: Vec<(usize, Expr)>,
    rules: Vec<CheckedRule>,
}

/// One value of a form in order, as [`Form::fields`] lists them.
#[derive(Debug, Clone, Copy)]
pub struct FormField<'a> {
    /// The input key: `key`, or `key.part` for a disaggregated part.
    pub key: &'a str,
    /// The label, "Đoàn viên (Nữ)" for a part.
    pub label: &'a str,
    pub section: &'a str,
    /// The field definition (of the whole field, for a part).
    pub field: &'a Field,
    /// The (code, label) of a disaggregated part.
    pub part: Option<&'a (String, String)>,
    /// Read-only: a formula, or the sum of the parts.
    pub computed: bool,
}

fn issue(field: Option<&str>, code: &'static str, vi: String, en: String) -> DefIssue {
    DefIssue {
        field: field.map(str::to_owned),
        rule: None,
        code,
        vi,
        en,
    }
}

/// ASCII snake_case: a lower-case letter first, then letters, digits, `_`.
pub fn is_valid_key(k: &str) -> bool {
    let b = k.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_KEY_LEN
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

fn is_valid_code(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= 40
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

impl FormDef {
    /// Checks everything at once and returns the usable form, or every problem.
    pub fn check(self) -> Result<Form, Vec<DefIssue>> {
        let mut out = Vec::new();
        if !is_valid_code(&self.code) {
            out.push(issue(
                None,
                "VL0801",
                format!(
                    "Mã biểu mẫu “{}” không hợp lệ: chỉ gồm chữ cái không dấu, chữ số, “-”, “_”, tối đa 40 ký tự.",
                    self.code
                ),
                format!(
                    "The form code “{}” is invalid: ASCII letters, digits, “-”, “_”, at most 40 characters.",
                    self.code
                ),
            ));
        }
        if self.title.trim().is_empty() {
            out.push(issue(
                None,
                "VL0802",
                "Tên biểu mẫu không được để trống.".into(),
                "The form title is required.".into(),
            ));
        }
        if !PERIODS.contains(&self.period.as_str()) {
            out.push(issue(
                None,
                "VL0803",
                format!(
                    "Kỳ báo cáo “{}” không hợp lệ; chọn một trong: month (tháng), quarter (quý), half (6 tháng), nine_months (9 tháng), year (năm), adhoc (đột xuất).",
                    self.period
                ),
                format!(
                    "The period “{}” is invalid; use month, quarter, half, nine_months, year or adhoc.",
                    self.period
                ),
            ));
        }
        if self.filled_by.is_empty() {
            out.push(issue(
                None,
                "VL0818",
                "Chưa chọn loại đơn vị nào phải lập báo cáo (ví dụ CDCS).".into(),
                "No unit type is set to fill the form (e.g. CDCS).".into(),
            ));
        }
        for t in &self.filled_by {
            if !is_valid_code(t) {
                out.push(issue(
                    None,
                    "VL0818",
                    format!("Loại đơn vị “{t}” không hợp lệ."),
                    format!("The unit type “{t}” is invalid."),
                ));
            }
        }

        // Entries, in order; keys and kinds.
        let mut entries: Vec<Entry> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut parsed: Vec<(usize, Expr)> = Vec::new();
        for (si, section) in self.sections.iter().enumerate() {
            for (fi, f) in section.fields.iter().enumerate() {
                check_field_def(f, false, &mut out);
                if by_key.contains_key(&f.key) {
                    out.push(issue(
                        Some(&f.key),
                        "VL0806",
                        format!(
                            "Mã trường “{}” bị trùng (trường “{}”); mỗi trường cần một mã riêng.",
                            f.key, f.label
                        ),
                        format!("The field key “{}” is used twice.", f.key),
                    ));
                    continue;
                }
                let role = if f.formula.is_some() {
                    Role::Computed
                } else if f.disaggregation.is_some() {
                    Role::Total
                } else {
                    Role::Input
                };
                by_key.insert(f.key.clone(), entries.len());
                if let Some(src) = &f.formula
                    && f.kind.is_numeric()
                {
                    match formula::parse(src) {
                        Ok(e) => parsed.push((entries.len(), e)),
                        Err(e) => out.push(issue(
                            Some(&f.key),
                            "VL0810",
                            format!("Công thức của trường “{}”: {}.", f.label, e.vi),
                            format!("Formula of the field “{}”: {}.", f.label, e.en),
                        )),
                    }
                }
                entries.push(Entry {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    section: si,
                    index: fi,
                    part: None,
                    role,
                });
                if f.formula.is_none()
                    && let Some(parts) = &f.disaggregation
                {
                    for (pi, (code, label)) in parts.iter().enumerate() {
                        let key = format!("{}.{code}", f.key);
                        if by_key.contains_key(&key) {
                            continue; // reported as a duplicate part code
                        }
                        by_key.insert(key.clone(), entries.len());
                        entries.push(Entry {
                            key,
                            label: format!("{} ({label})", f.label),
                            section: si,
                            index: fi,
                            part: Some(pi),
                            role: Role::Input,
                        });
                    }
                }
            }
        }
        if entries.is_empty() {
            out.push(issue(
                None,
                "VL0804",
                "Biểu mẫu chưa có trường nào.".into(),
                "The form has no fields.".into(),
            ));
        }
        if entries.len() > MAX_FIELDS {
            out.push(issue(
                None,
                "VL0820",
                format!(
                    "Biểu mẫu có {} giá trị, nhiều hơn giới hạn {}.",
                    format_int(entries.len() as i64),
                    format_int(MAX_FIELDS as i64)
                ),
                format!(
                    "The form has {} values, more than the limit of {MAX_FIELDS}.",
                    entries.len()
                ),
            ));
        }

        let partial = Form {
            def: self,
            entries,
            by_key,
            formulas: Vec::new(),
            rules: Vec::new(),
        };

        // Formula references.
        let mut edges: HashMap<usize, Vec<usize>> = HashMap::new();
        for (ei, expr) in &parsed {
            let e = &partial.entries[*ei];
            let mut targets = Vec::new();
            for r in expr.refs() {
                let what = format!("công thức của trường “{}”", e.label);
                let what_en = format!("the formula of the field “{}”", e.label);
                if let Some(t) = partial.numeric_ref(&r, &what, &what_en, Some(&e.key), &mut out) {
                    targets.push(t);
                }
            }
            edges.insert(*ei, targets);
        }
        let order = partial.formula_order(&parsed, &edges, &mut out);

        // Rules.
        let mut rules = Vec::new();
        for (ri, rule) in partial.def.rules.iter().enumerate() {
            let n = ri + 1;
            let before = out.len();
            'rule: {
                match rule {
                    Rule::Compare {
                        left,
                        op,
                        right,
                        message,
                    } => {
                        let mut sides = Vec::new();
                        for src in [left, right] {
                            match formula::parse(src) {
                                Ok(e) => sides.push(e),
                                Err(e) => out.push(issue(
                                    None,
                                    "VL0810",
                                    format!("Quy tắc số {n} (“{src}”): {}.", e.vi),
                                    format!("Rule {n} (“{src}”): {}.", e.en),
                                )),
                            }
                        }
                        let Ok([l, r]) = <[Expr; 2]>::try_from(sides) else {
                            break 'rule;
                        };
                        let mut ok = true;
                        let mut deps = BTreeSet::new();
                        for k in l.refs().into_iter().chain(r.refs()) {
                            let what = format!("quy tắc số {n}");
                            let what_en = format!("rule {n}");
                            match partial.numeric_ref(&k, &what, &what_en, None, &mut out) {
                                Some(i) => partial.inputs_of(i, &parsed, &mut deps),
                                None => ok = false,
                            }
                        }
                        if !ok {
                            break 'rule;
                        }
                        let anchor = l
                            .refs()
                            .into_iter()
                            .chain(r.refs())
                            .next()
                            .unwrap_or_default();
                        if anchor.is_empty() {
                            out.push(issue(
                                None,
                                "VL0811",
                                format!("Quy tắc số {n} không nhắc đến trường nào."),
                                format!("Rule {n} reads no field."),
                            ));
                            break 'rule;
                        }
                        rules.push(CheckedRule::Compare {
                            left: l,
                            op: *op,
                            right: r,
                            message: message.trim().to_owned(),
                            anchor,
                            deps,
                        });
                    }
                    Rule::RequiredPair {
                        when,
                        then,
                        message,
                    } => {
                        let mut ok = true;
                        for k in [when, then] {
                            if !partial.by_key.contains_key(k.as_str()) {
                                ok = false;
                                out.push(issue(
                                Some(k),
                                "VL0811",
                                format!(
                                    "Quy tắc số {n} nhắc đến trường “{k}” không có trong biểu mẫu."
                                ),
                                format!(
                                    "Rule {n} names the field “{k}”, which is not in the form."
                                ),
                            ));
                            }
                        }
                        if ok {
                            rules.push(CheckedRule::RequiredPair {
                                when: when.clone(),
                                then: then.clone(),
                                message: message.trim().to_owned(),
                            });
                        }
                    }
                }
            }
            for i in &mut out[before..] {
                i.rule = Some(ri);
            }
        }

        if !out.is_empty() {
            return Err(out);
        }
        let formulas = order
            .into_iter()
            .filter_map(|ei| parsed.iter().find(|(i, _)| *i == ei).cloned())
            .collect();
        Ok(Form {
            formulas,
            rules,
            ..partial
        })
    }
}

/// Checks one field's own definition (not its references).
fn check_field_def(f: &Field, in_table: bool, out: &mut Vec<DefIssue>) {
    let key = Some(f.key.as_str());
    let label = if f.label.trim().is_empty() {
        f.key.as_str()
    } else {
        f.label.as_str()
    };
    if !is_valid_key(&f.key) {
        out.push(issue(
            key,
            "VL0805",
            format!(
                "Mã trường “{}” không hợp lệ: bắt đầu bằng chữ thường không dấu, chỉ gồm chữ thường không dấu, chữ số và “_”, tối đa {MAX_KEY_LEN} ký tự (ví dụ doan_vien_nu).",
                f.key
            ),
            format!(
                "The field key “{}” is invalid: lower-case ASCII letters, digits and “_”, starting with a letter, at most {MAX_KEY_LEN} characters.",
                f.key
            ),
        ));
    }
    if f.label.trim().is_empty() {
        out.push(issue(
            key,
            "VL0807",
            format!("Trường “{}” chưa có nhãn (tên hiển thị).", f.key),
            format!("The field “{}” has no label.", f.key),
        ));
    }
    match &f.kind {
        FieldKind::Decimal { places } if *places > MAX_PLACES => out.push(issue(
            key,
            "VL0809",
            format!(
                "Trường “{label}”: số chữ số thập phân tối đa là {MAX_PLACES}, không phải {places}."
            ),
            format!("Field “{label}”: at most {MAX_PLACES} decimal places, not {places}."),
        )),
        FieldKind::Text { max_len } if *max_len == 0 || *max_len > MAX_TEXT_LEN => out.push(issue(
            key,
            "VL0819",
            format!(
                "Trường “{label}”: độ dài tối đa phải từ 1 đến {}.",
                format_int(i64::from(MAX_TEXT_LEN))
            ),
            format!("Field “{label}”: the maximum length must be 1 to {MAX_TEXT_LEN}."),
        )),
        FieldKind::Choice { options } => {
            if options.is_empty() {
                out.push(issue(
                    key,
                    "VL0808",
                    format!("Trường lựa chọn “{label}” chưa có phương án nào."),
                    format!("The choice field “{label}” has no options."),
                ));
            }
            let mut seen = BTreeSet::new();
            for (code, l) in options {
                if code.trim().is_empty() || l.trim().is_empty() || !seen.insert(code) {
                    out.push(issue(
                        key,
                        "VL0808",
                        format!("Trường lựa chọn “{label}”: phương án “{code}” thiếu mã, thiếu nhãn hoặc bị trùng."),
                        format!("Choice field “{label}”: the option “{code}” lacks a code or label, or is repeated."),
                    ));
                }
            }
        }
        FieldKind::Table { columns } => {
            if in_table {
                out.push(issue(
                    key,
                    "VL0816",
                    format!("Bảng “{label}” nằm trong một bảng khác; không hỗ trợ bảng lồng nhau."),
                    format!("The table “{label}” is inside another table; nested tables are not supported."),
                ));
            }
            if columns.is_empty() {
                out.push(issue(
                    key,
                    "VL0816",
                    format!("Bảng “{label}” chưa có cột nào."),
                    format!("The table “{label}” has no columns."),
                ));
            }
            let mut seen = BTreeSet::new();
            for c in columns {
                check_field_def(c, true, out);
                if !seen.insert(c.key.as_str()) {
                    out.push(issue(
                        Some(&c.key),
                        "VL0806",
                        format!("Cột “{}” của bảng “{label}” bị trùng mã.", c.key),
                        format!(
                            "The column key “{}” of the table “{label}” is used twice.",
                            c.key
                        ),
                    ));
                }
            }
        }
        _ => {}
    }
    if in_table && (f.formula.is_some() || f.disaggregation.is_some() || f.prefill.is_some()) {
        out.push(issue(
            key,
            "VL0816",
            format!("Cột “{label}” của bảng không được có công thức, phân tổ hay số liệu lấy sẵn."),
            format!(
                "The table column “{label}” cannot have a formula, a disaggregation or a prefill."
            ),
        ));
    }
    if f.formula.is_some() && !f.kind.is_numeric() {
        out.push(issue(
            key,
            "VL0812",
            format!(
                "Trường “{label}” là {}; chỉ trường số mới có công thức.",
                f.kind.name_vi()
            ),
            format!("The field “{label}” is not numeric; only numeric fields may have a formula."),
        ));
    }
    if let Some(parts) = &f.disaggregation {
        let mut bad = |vi: String, en: String| out.push(issue(key, "VL0815", vi, en));
        if !f.kind.is_numeric() {
            bad(
                format!(
                    "Trường “{label}” là {}; chỉ trường số mới phân tổ được.",
                    f.kind.name_vi()
                ),
                format!(
                    "The field “{label}” is not numeric; only numeric fields can be disaggregated."
                ),
            );
        }
        if f.formula.is_some() {
            bad(
                format!("Trường “{label}” vừa có công thức vừa phân tổ; chỉ chọn một."),
                format!("The field “{label}” has both a formula and a disaggregation; choose one."),
            );
        }
        if parts.len() < 2 {
            bad(
                format!("Phân tổ của trường “{label}” cần ít nhất hai nhóm."),
                format!("The disaggregation of “{label}” needs at least two categories."),
            );
        }
        let mut seen = BTreeSet::new();
        for (code, l) in parts {
            if !is_valid_key(code) || l.trim().is_empty() || !seen.insert(code) {
                bad(
                    format!(
                        "Phân tổ của trường “{label}”: nhóm “{code}” có mã không hợp lệ, thiếu nhãn hoặc bị trùng."
                    ),
                    format!(
                        "Disaggregation of “{label}”: the category “{code}” has an invalid code, no label, or is repeated."
                    ),
                );
            }
        }
    }
    if f.prefill.is_some() && (!f.kind.is_numeric() || f.formula.is_some()) {
        out.push(issue(
            key,
            "VL0821",
            format!("Trường “{label}”: chỉ trường số không có công thức mới lấy sẵn số liệu được."),
            format!("Field “{label}”: only a numeric field without a formula can be pre-filled."),
        ));
    }
    let agg_bad = match (&f.aggregation, &f.kind) {
        (Aggregation::Average | Aggregation::Last, k) => !k.is_numeric() && *k != FieldKind::YesNo,
        (Aggregation::CountIf { op, value }, k) => match k {
            _ if k.places().is_some() => parse_number(value, k.places().unwrap_or(0)).is_err(),
            FieldKind::YesNo => {
                parse_yes_no(value).is_none() || !matches!(op, CmpOp::Eq | CmpOp::Ne)
            }
            FieldKind::Choice { options } => {
                !options.iter().any(|(c, _)| c == value) || !matches!(op, CmpOp::Eq | CmpOp::Ne)
            }
            _ => true,
        },
        _ => false,
    };
    if agg_bad {
        out.push(issue(
            key,
            "VL0814",
            format!(
                "Trường “{label}” ({}): cách tổng hợp không phù hợp (trung bình và giá trị cuối kỳ chỉ dùng cho trường số; đếm đơn vị cần một giá trị so sánh hợp lệ).",
                f.kind.name_vi()
            ),
            format!(
                "Field “{label}”: the aggregation does not fit its type (average and last value need a number; count-if needs a valid value to compare)."
            ),
        ));
    }
}

fn scale_ratio(v: i64, places: u32) -> Ratio {
    Ratio::scaled(v, places)
}

impl Form {
    pub fn def(&self) -> &FormDef {
        &self.def
    }

    fn field_of(&self, e: &Entry) -> &Field {
        &self.def.sections[e.section].fields[e.index]
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.by_key.get(key).map(|&i| &self.entries[i])
    }

    fn places_of(&self, e: &Entry) -> Option<u32> {
        self.field_of(e).kind.places()
    }

    /// Resolves a key read by a formula or rule to a numeric entry, or says why not.
    fn numeric_ref(
        &self,
        k: &str,
        what: &str,
        what_en: &str,
        field: Option<&str>,
        out: &mut Vec<DefIssue>,
    ) -> Option<usize> {
        let Some(&i) = self.by_key.get(k) else {
            out.push(issue(
                field.or(Some(k)),
                "VL0811",
                format!(
                    "{}: trường “{k}” không có trong biểu mẫu.",
                    capitalize(what)
                ),
                format!(
                    "{}: the field “{k}” is not in the form.",
                    capitalize(what_en)
                ),
            ));
            return None;
        };
        let e = &self.entries[i];
        let kind = &self.field_of(e).kind;
        if !kind.is_numeric() {
            out.push(issue(
                field.or(Some(k)),
                "VL0812",
                format!(
                    "{}: trường “{}” ({k}) là {}, không phải số.",
                    capitalize(what),
                    e.label,
                    kind.name_vi()
                ),
                format!("{}: the field “{k}” is not numeric.", capitalize(what_en)),
            ));
            return None;
        }
        Some(i)
    }

    /// Topological order of the formulas; a cycle is reported naming its fields.
    fn formula_order(
        &self,
        parsed: &[(usize, Expr)],
        edges: &HashMap<usize, Vec<usize>>,
        out: &mut Vec<DefIssue>,
    ) -> Vec<usize> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let mut mark: HashMap<usize, Mark> = parsed.iter().map(|(i, _)| (*i, Mark::New)).collect();
        let mut order = Vec::new();
        let mut reported: BTreeSet<Vec<usize>> = BTreeSet::new();
        // Iterative DFS: (node, next edge index); the stack is the current path.
        for &(start, _) in parsed {
            if mark[&start] != Mark::New {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            mark.insert(start, Mark::Open);
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let targets = edges.get(&node).map(Vec::as_slice).unwrap_or(&[]);
                if *next < targets.len() {
                    let t = targets[*next];
                    *next += 1;
                    match mark.get(&t).copied() {
                        None | Some(Mark::Done) => {}
                        Some(Mark::New) => {
                            mark.insert(t, Mark::Open);
                            stack.push((t, 0));
                        }
                        Some(Mark::Open) => {
                            let from = stack.iter().position(|(n, _)| *n == t).unwrap_or(0);
                            let cycle: Vec<usize> = stack[from..].iter().map(|(n, _)| *n).collect();
                            let mut canon = cycle.clone();
                            canon.sort_unstable();
                            if reported.insert(canon) {
                                self.report_cycle(&cycle, out);
                            }
                        }
                    }
                } else {
                    mark.insert(node, Mark::Done);
                    order.push(node);
                    stack.pop();
                }
            }
        }
        order
    }

    fn report_cycle(&self, cycle: &[usize], out: &mut Vec<DefIssue>) {
        let names: Vec<String> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&i| format!("“{}” ({})", self.entries[i].label, self.entries[i].key))
            .collect();
        let keys: Vec<&str> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&i| self.entries[i].key.as_str())
            .collect();
        out.push(issue(
            Some(&self.entries[cycle[0]].key),
            "VL0813",
            format!(
                "Công thức vòng tròn: {} — các trường này tính lẫn nhau nên không tính được.",
                names.join(" → ")
            ),
            format!(
                "Formula cycle: {} — these fields compute each other.",
                keys.join(" → ")
            ),
        ));
    }

    /// The typed-in keys entry `i` depends on (itself if typed in).
    fn inputs_of(&self, i: usize, parsed: &[(usize, Expr)], out: &mut BTreeSet<String>) {
        let mut todo = vec![i];
        let mut seen = BTreeSet::new();
        while let Some(i) = todo.pop() {
            if !seen.insert(i) {
                continue;
            }
            let e = &self.entries[i];
            out.insert(e.key.clone());
            match e.role {
                Role::Input => {}
                Role::Total => {
                    let prefix = format!("{}.", e.key);
                    todo.extend(
                        self.entries
                            .iter()
                            .enumerate()
                            .filter(|(_, x)| x.key.starts_with(&prefix))
                            .map(|(j, _)| j),
                    );
                }
                Role::Computed => {
                    if let Some((_, expr)) = parsed.iter().find(|(j, _)| *j == i) {
                        todo.extend(expr.refs().iter().filter_map(|k| self.by_key.get(k)));
                    }
                }
            }
        }
    }

    /// Every value of the form in order: sections flattened; a disaggregated
    /// field, then its parts.
    pub fn fields(&self) -> impl Iterator<Item = FormField<'_>> {
        self.entries.iter().map(|e| {
            let field = self.field_of(e);
            FormField {
                key: &e.key,
                label: &e.label,
                section: &self.def.sections[e.section].title,
                field,
                part: e
                    .part
                    .and_then(|p| field.disaggregation.as_ref().and_then(|d| d.get(p))),
                computed: e.role != Role::Input,
            }
        })
    }

    /// The label of a key (`key` or `key.part`).
    pub fn label(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|e| e.label.as_str())
    }

    /// The keys to pre-fill and the figure each takes.
    pub fn prefills(&self) -> Vec<(String, Prefill)> {
        self.entries
            .iter()
            .filter(|e| e.part.is_none())
            .filter_map(|e| self.field_of(e).prefill.map(|p| (e.key.clone(), p)))
            .collect()
    }

    /// Parses what a unit typed (Vietnamese formats; blank = missing),
    /// computes the formulas, checks required fields and rules.
    ///
    /// Keys are the input keys of [`Form::fields`] (`key`, `key.part`); a table's
    /// cells are `key.<row>.<column>`, any row numbers, blank rows dropped and the
    /// rest renumbered from 0. Computed keys in `raw` are ignored: they are read-only.
    pub fn parse_input(&self, raw: &BTreeMap<String, String>) -> Checked {
        let (values, issues) = self.evaluate(raw);
        Checked {
            values,
            issues: issues.into_iter().map(|(_, i)| i).collect(),
        }
    }

    /// As-you-type validation of one field: its own problems and those of the
    /// rules that read it (directly or through formulas), shown at `key`.
    pub fn check_field(
        &self,
        key: &str,
        raw: &str,
        others: &BTreeMap<String, String>,
    ) -> Vec<FieldIssue> {
        let mut all = others.clone();
        all.insert(key.to_owned(), raw.to_owned());
        let prefix = format!("{key}.");
        let (_, issues) = self.evaluate(&all);
        issues
            .into_iter()
            .filter_map(|(rule, mut i)| {
                let mine = match rule {
                    Some(r) => match &self.rules[r] {
                        CheckedRule::Compare { deps, .. } => deps.contains(key),
                        CheckedRule::RequiredPair { when, then, .. } => when == key || then == key,
                    },
                    None => i.field == key || i.field.starts_with(&prefix),
                };
                if mine && rule.is_some() {
                    i.field = key.to_owned();
                }
                mine.then_some(i)
            })
            .collect()
    }

    /// Values and issues, each issue with the index of the rule that raised it.
    fn evaluate(
        &self,
        raw: &BTreeMap<String, String>,
    ) -> (Values, Vec<(Option<usize>, FieldIssue)>) {
        let mut values = Values::new();
        let mut issues: Vec<(Option<usize>, FieldIssue)> = Vec::new();
        for e in &self.entries {
            if e.role != Role::Input {
                continue;
            }
            let f = self.field_of(e);
            if let FieldKind::Table { columns } = &f.kind {
                let rows = self.parse_table(e, f, columns, raw, &mut issues);
                if let Some(rows) = rows {
                    values.insert(e.key.clone(), Value::Rows(rows));
                }
                continue;
            }
            let text = raw.get(&e.key).map(|s| s.trim()).unwrap_or("");
            match parse_value(&e.key, &e.label, &f.kind, f.required, text) {
                Ok(Some(v)) => {
                    values.insert(e.key.clone(), v);
                }
                Ok(None) => {}
                Err(i) => issues.push((None, i)),
            }
        }
        // Sums of parts.
        for e in self.entries.iter().filter(|e| e.role == Role::Total) {
            let prefix = format!("{}.", e.key);
            let mut sum: Option<i64> = None;
            for (_, v) in values
                .range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
            {
                if let Value::Num(n) = v {
                    sum = Some(sum.unwrap_or(0).saturating_add(*n));
                }
            }
            if let Some(s) = sum {
                values.insert(e.key.clone(), Value::Num(s));
            }
        }
        // Formulas, in order.
        for (ei, expr) in &self.formulas {
            let e = &self.entries[*ei];
            let places = self.places_of(e).unwrap_or(0);
            let r = expr.eval(&|k| self.number(&values, k));
            let refs = !expr.refs().is_empty();
            if refs && r.present == 0 {
                continue;
            }
            match r.value.map(|v| v.to_scaled(places)) {
                Ok(Some(v)) => {
                    values.insert(e.key.clone(), Value::Num(v));
                }
                Err(EvalError::DivByZero) => {}
                Ok(None) | Err(EvalError::Overflow) => issues.push((
                    None,
                    FieldIssue {
                        field: e.key.clone(),
                        code: "VL0864",
                        vi: format!(
                            "{}: kết quả công thức quá lớn, hãy kiểm tra các số đã nhập.",
                            e.label
                        ),
                        en: format!(
                            "{}: the formula's result is too large; check the figures entered.",
                            e.label
                        ),
                    },
                )),
            }
        }
        // Rules.
        for (ri, rule) in self.rules.iter().enumerate() {
            match rule {
                CheckedRule::Compare {
                    left,
                    op,
                    right,
                    message,
                    anchor,
                    ..
                } => {
                    let get = |k: &str| self.number(&values, k);
                    let (l, r) = (left.eval(&get), right.eval(&get));
                    if l.missing + r.missing > 0 {
                        continue;
                    }
                    let (Ok(lv), Ok(rv)) = (l.value, r.value) else {
                        continue;
                    };
                    if op.holds(lv, rv) {
                        continue;
                    }
                    let lt = self.side_text(left, lv, &values);
                    let rt = self.side_text(right, rv, &values);
                    let ld = left.render(&|k| self.label(k).unwrap_or(k).to_owned());
                    let rd = right.render(&|k| self.label(k).unwrap_or(k).to_owned());
                    let vi = if message.is_empty() {
                        format!("{ld} ({lt}) {} {rd} ({rt}).", op.words(Lang::Vi))
                    } else {
                        format!(
                            "{} ({ld}: {lt}; {rd}: {rt}).",
                            message.trim_end_matches('.')
                        )
                    };
                    let en = format!("{ld} ({lt}) {} {rd} ({rt}).", op.words(Lang::En));
                    issues.push((
                        Some(ri),
                        FieldIssue {
                            field: anchor.clone(),
                            code: "VL0861",
                            vi,
                            en,
                        },
                    ));
                }
                CheckedRule::RequiredPair {
                    when,
                    then,
                    message,
                } => {
                    // A zero ("no stoppages") or "no" asks nothing further.
                    let filled = match values.get(when) {
                        None | Some(Value::Num(0)) | Some(Value::Bool(false)) => false,
                        Some(Value::Text(t)) => !t.trim().is_empty(),
                        Some(_) => true,
                    };
                    if filled && !values.contains_key(then) {
                        let wl = self.label(when).unwrap_or(when);
                        let tl = self.label(then).unwrap_or(then);
                        let vi = if message.is_empty() {
                            format!("{tl}: không được để trống khi đã nhập “{wl}”.")
                        } else {
                            message.clone()
                        };
                        issues.push((
                            Some(ri),
                            FieldIssue {
                                field: then.clone(),
                                code: "VL0862",
                                vi,
                                en: format!("{tl}: required when “{wl}” is filled."),
                            },
                        ));
                    }
                }
            }
        }
        (values, issues)
    }

    /// A rule side's value as shown: formatted as its field when it is one.
    fn side_text(&self, e: &Expr, v: Ratio, values: &Values) -> String {
        if let Expr::Ref(k) = e
            && let Some(val) = values.get(k)
        {
            return self.display(k, val);
        }
        v.to_scaled(2)
            .map(|s| format_scaled_short(s, 2))
            .unwrap_or_default()
    }

    fn number(&self, values: &Values, k: &str) -> Option<Ratio> {
        let e = self.entry(k)?;
        match values.get(k)? {
            Value::Num(n) => Some(scale_ratio(*n, self.places_of(e)?)),
            _ => None,
        }
    }

    fn parse_table(
        &self,
        e: &Entry,
        f: &Field,
        columns: &[Field],
        raw: &BTreeMap<String, String>,
        issues: &mut Vec<(Option<usize>, FieldIssue)>,
    ) -> Option<Vec<BTreeMap<String, Value>>> {
        let prefix = format!("{}.", e.key);
        let mut by_row: BTreeMap<usize, BTreeMap<&str, &str>> = BTreeMap::new();
        for (k, v) in raw
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
        {
            let rest = &k[prefix.len()..];
            let Some((row, col)) = rest.split_once('.') else {
                continue;
            };
            let Ok(row) = row.parse::<usize>() else {
                continue;
            };
            if v.trim().is_empty() {
                continue;
            }
            by_row.entry(row).or_default().insert(col, v.trim());
            if by_row.len() > MAX_TABLE_ROWS {
                issues.push((
                    None,
                    FieldIssue {
                        field: e.key.clone(),
                        code: "VL0863",
                        vi: format!("{}: nhiều hơn {MAX_TABLE_ROWS} dòng.", e.label),
                        en: format!("{}: more than {MAX_TABLE_ROWS} rows.", e.label),
                    },
                ));
                return None;
            }
        }
        let mut rows = Vec::new();
        for (n, (raw_row, cells)) in by_row.iter().enumerate() {
            let mut row = BTreeMap::new();
            for c in columns {
                let key = format!("{}{raw_row}.{}", prefix, c.key);
                let label = format!("{} — dòng {} — {}", e.label, n + 1, c.label);
                let text = cells.get(c.key.as_str()).copied().unwrap_or("");
                match parse_value(&key, &label, &c.kind, c.required, text) {
                    Ok(Some(v)) => {
                        row.insert(c.key.clone(), v);
                    }
                    Ok(None) => {}
                    Err(i) => issues.push((None, i)),
                }
            }
            rows.push(row);
        }
        if rows.is_empty() {
            if f.required {
                issues.push((None, required_issue(&e.key, &e.label)));
            }
            return None;
        }
        Some(rows)
    }

    /// One unit's contribution to the roll-up of each field (see [`Tally`]).
    pub fn contributions(&self, values: &Values) -> Vec<(String, Tally)> {
        let mut out = Vec::new();
        for e in &self.entries {
            let f = self.field_of(e);
            let Some(v) = values.get(&e.key) else {
                continue;
            };
            let t = contribution(f, v);
            if !t.is_zero() {
                out.push((e.key.clone(), t));
            }
        }
        out
    }

    /// What the roll-up must add when a unit's submission goes from `old` to
    /// `new` (either may be absent); zero deltas are left out.
    pub fn contribution_delta(
        &self,
        old: Option<&Values>,
        new: Option<&Values>,
    ) -> Vec<(String, Tally)> {
        let mut acc: BTreeMap<String, Tally> = BTreeMap::new();
        if let Some(old) = old {
            for (k, t) in self.contributions(old) {
                *acc.entry(k).or_default() += -t;
            }
        }
        if let Some(new) = new {
            for (k, t) in self.contributions(new) {
                *acc.entry(k).or_default() += t;
            }
        }
        let order: HashMap<&str, usize> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.as_str(), i))
            .collect();
        let mut out: Vec<(String, Tally)> = acc.into_iter().filter(|(_, t)| !t.is_zero()).collect();
        out.sort_by_key(|(k, _)| order.get(k.as_str()).copied().unwrap_or(usize::MAX));
        out
    }

    /// The roll-up as shown: one cell per aggregated value. `units` is how many
    /// units are expected; count-if cells read "12/40 đơn vị" with it (or
    /// "12 đơn vị" when it is 0).
    pub fn rollup_cells(&self, tallies: &BTreeMap<String, Tally>, units: i64) -> Vec<Cell> {
        let mut out = Vec::new();
        for e in &self.entries {
            let f = self.field_of(e);
            if !aggregates(f) {
                continue;
            }
            let t = tallies.get(&e.key).copied().unwrap_or_default();
            let count_text = |k: i64| {
                if units > 0 {
                    format!("{}/{} đơn vị", format_int(k), format_int(units))
                } else {
                    format!("{} đơn vị", format_int(k))
                }
            };
            let (value, text) = match (&f.aggregation, &f.kind) {
                (_, FieldKind::Table { .. }) => {
                    (Some(Value::Num(t.n)), format!("{} dòng", format_int(t.n)))
                }
                (Aggregation::CountIf { .. }, _) => (Some(Value::Num(t.hits)), count_text(t.hits)),
                (_, FieldKind::YesNo) if f.aggregation == Aggregation::Average => {
                    if t.n > 0 {
                        let share = average(t.total.saturating_mul(10_000), t.n);
                        let v = Value::Num(share);
                        (Some(v), format!("{}%", format_scaled_short(share, 2)))
                    } else {
                        (None, "—".into())
                    }
                }
                (_, FieldKind::YesNo) => (Some(Value::Num(t.total)), count_text(t.total)),
                (Aggregation::Average, _) => {
                    if t.n > 0 {
                        let avg = average(t.total, t.n);
                        let v = Value::Num(avg);
                        let s = self.display(&e.key, &v);
                        (Some(v), s)
                    } else {
                        (None, "—".into())
                    }
                }
                _ => {
                    if t.n > 0 {
                        let v = Value::Num(t.total);
                        let s = self.display(&e.key, &v);
                        (Some(v), s)
                    } else {
                        (None, "—".into())
                    }
                }
            };
            out.push(Cell {
                key: e.key.clone(),
                label: e.label.clone(),
                section: self.def.sections[e.section].title.clone(),
                value,
                text,
            });
        }
        out
    }

    /// A value as a Vietnamese reader expects it ("1.234", "1.000.000 ₫",
    /// "12,50", "50%", "Có", "05/07/2025", a choice's label, "3 dòng").
    pub fn display(&self, key: &str, value: &Value) -> String {
        let kind = self.entry(key).map(|e| &self.field_of(e).kind);
        display_value(kind, value)
    }

    /// The text to put back into the inputs of the fill-in page for saved
    /// values (tables as `key.row.column`), which [`Form::parse_input`] reads back.
    pub fn raw_of(&self, values: &Values) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for e in self.entries.iter().filter(|e| e.role == Role::Input) {
            let f = self.field_of(e);
            match (values.get(&e.key), &f.kind) {
                (Some(Value::Rows(rows)), FieldKind::Table { columns }) => {
                    for (i, row) in rows.iter().enumerate() {
                        for c in columns {
                            if let Some(v) = row.get(&c.key) {
                                out.insert(
                                    format!("{}.{i}.{}", e.key, c.key),
                                    display_value(Some(&c.kind), v),
                                );
                            }
                        }
                    }
                }
                (Some(v), kind) => {
                    let text = match (kind, v) {
                        (FieldKind::Choice { .. }, Value::Text(code)) => code.clone(),
                        _ => display_value(Some(kind), v),
                    };
                    out.insert(e.key.clone(), text);
                }
                (None, _) => {}
            }
        }
        out
    }

    /// What changed between two submissions, in form order.
    pub fn diff(&self, old: &Values, new: &Values) -> Vec<Change> {
        let show = |e: &Entry, v: Option<&Value>| match v {
            Some(v) => self.display(&e.key, v),
            None => "(trống)".to_owned(),
        };
        let mut out = Vec::new();
        for e in &self.entries {
            let (a, b) = (old.get(&e.key), new.get(&e.key));
            let (sa, sb) = (show(e, a), show(e, b));
            let changed = match (a, b) {
                (Some(Value::Rows(x)), Some(Value::Rows(y))) => x != y,
                _ => sa != sb,
            };
            if !changed {
                continue;
            }
            let (sa, sb) = if sa == sb {
                (sa, format!("{sb} (đã sửa nội dung)"))
            } else {
                (sa, sb)
            };
            out.push(Change {
                key: e.key.clone(),
                label: e.label.clone(),
                old: sa,
                new: sb,
            });
        }
        out
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Rounds total / n half away from zero.
fn average(total: i64, n: i64) -> i64 {
    let (t, n) = (i128::from(total), i128::from(n));
    let q = t / n;
    let r = t % n;
    let q = if r.abs() * 2 >= n { q + t.signum() } else { q };
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// Whether a field shows in roll-ups at all.
fn aggregates(f: &Field) -> bool {
    match (&f.aggregation, &f.kind) {
        (Aggregation::None, _) => false,
        (Aggregation::CountIf { .. }, _) => true,
        (_, k) => k.is_numeric() || matches!(k, FieldKind::YesNo | FieldKind::Table { .. }),
    }
}

/// One value's tally under its field's aggregation.
fn contribution(f: &Field, v: &Value) -> Tally {
    if !aggregates(f) {
        return Tally::default();
    }
    match (&f.aggregation, &f.kind, v) {
        (_, FieldKind::Table { .. }, Value::Rows(rows)) => Tally {
            total: 0,
            n: rows.len() as i64,
            hits: 0,
        },
        (Aggregation::CountIf { op, value }, kind, v) => Tally {
            total: 0,
            n: 1,
            hits: i64::from(count_if_holds(kind, *op, value, v)),
        },
        (_, _, Value::Num(x)) => Tally {
            total: *x,
            n: 1,
            hits: 0,
        },
        (_, FieldKind::YesNo, Value::Bool(b)) => Tally {
            total: i64::from(*b),
            n: 1,
            hits: 0,
        },
        _ => Tally::default(),
    }
}

fn count_if_holds(kind: &FieldKind, op: CmpOp, value: &str, v: &Value) -> bool {
    match (kind, v) {
        (k, Value::Num(x)) if k.is_numeric() => parse_number(value, k.places().unwrap_or(0))
            .map(|t| op.holds(*x, t))
            .unwrap_or(false),
        (FieldKind::YesNo, Value::Bool(b)) => parse_yes_no(value).is_some_and(|t| op.holds(*b, t)),
        (FieldKind::Choice { .. }, Value::Text(code)) => op.holds(code.as_str(), value),
        _ => false,
    }
}

fn display_value(kind: Option<&FieldKind>, value: &Value) -> String {
    match (kind, value) {
        (Some(FieldKind::Money), Value::Num(n)) => format!("{} ₫", format_int(*n)),
        (Some(FieldKind::Percent), Value::Num(n)) => format!("{}%", format_scaled_short(*n, 2)),
        (Some(k), Value::Num(n)) => format_scaled(*n, k.places().unwrap_or(0)),
        (None, Value::Num(n)) => format_int(*n),
        (Some(FieldKind::Choice { options }), Value::Text(code)) => options
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| code.clone()),
        (_, Value::Text(t)) => t.clone(),
        (_, Value::Bool(true)) => "Có".into(),
        (_, Value::Bool(false)) => "Không".into(),
        (Some(FieldKind::Text { .. }), Value::Date(d)) => iso(*d),
        (_, Value::Date(d)) => format_vn_date(*d),
        (_, Value::Rows(r)) => format!("{} dòng", format_int(r.len() as i64)),
    }
}

fn required_issue(key: &str, label: &str) -> FieldIssue {
    FieldIssue {
        field: key.to_owned(),
        code: "VL0850",
        vi: format!("{label}: không được để trống."),
        en: format!("{label}: is required."),
    }
}

/// Parses one typed value; `Ok(None)` for a blank optional field.
fn parse_value(
    key: &str,
    label: &str,
    kind: &FieldKind,
    required: bool,
    text: &str,
) -> Result<Option<Value>, FieldIssue> {
    if text.is_empty() {
        return if required {
            Err(required_issue(key, label))
        } else {
            Ok(None)
        };
    }
    let bad = |code: &'static str, vi: String, en: String| FieldIssue {
        field: key.to_owned(),
        code,
        vi: format!("{label}: {vi}"),
        en: format!("{label}: {en}"),
    };
    let shown: String = text.chars().take(40).collect();
    match kind {
        FieldKind::Whole | FieldKind::Money | FieldKind::Decimal { .. } | FieldKind::Percent => {
            let places = kind.places().unwrap_or(0);
            let v = parse_number(text, places).map_err(|e| match e {
                NumError::NotNumber => bad(
                    "VL0851",
                    format!("“{shown}” không phải là số (ví dụ 1.234 hoặc 12,5)."),
                    format!("“{shown}” is not a number (e.g. 1.234 or 12,5)."),
                ),
                NumError::TooManyPlaces if places == 0 => bad(
                    "VL0852",
                    format!("phải là số nguyên, không nhập phần thập phân (đã nhập “{shown}”)."),
                    format!("must be a whole number (got “{shown}”)."),
                ),
                NumError::TooManyPlaces => bad(
                    "VL0853",
                    format!("chỉ được có tối đa {places} chữ số sau dấu phẩy (đã nhập “{shown}”)."),
                    format!("at most {places} decimals (got “{shown}”)."),
                ),
                NumError::TooLarge => bad(
                    "VL0856",
                    format!("số “{shown}” quá lớn."),
                    format!("“{shown}” is too large."),
                ),
            })?;
            if v < 0 && !matches!(kind, FieldKind::Decimal { .. }) {
                return Err(bad(
                    "VL0854",
                    format!("không được là số âm (đã nhập “{shown}”)."),
                    format!("must not be negative (got “{shown}”)."),
                ));
            }
            if *kind == FieldKind::Percent && v > 10_000 {
                return Err(bad(
                    "VL0855",
                    format!("tỷ lệ phải từ 0 đến 100% (đã nhập “{shown}”)."),
                    format!("must be between 0 and 100% (got “{shown}”)."),
                ));
            }
            Ok(Some(Value::Num(v)))
        }
        FieldKind::Text { max_len } => {
            let t = nfc(text);
            let n = t.chars().count();
            if n > *max_len as usize {
                return Err(bad(
                    "VL0857",
                    format!(
                        "dài {} ký tự, tối đa {} ký tự.",
                        format_int(n as i64),
                        format_int(i64::from(*max_len))
                    ),
                    format!("{n} characters long, at most {max_len}."),
                ));
            }
            Ok(Some(Value::Text(t)))
        }
        FieldKind::YesNo => parse_yes_no(text)
            .map(|b| Some(Value::Bool(b)))
            .ok_or_else(|| {
                bad(
                    "VL0858",
                    format!("hãy chọn Có hoặc Không (đã nhập “{shown}”)."),
                    format!("choose yes or no (got “{shown}”)."),
                )
            }),
        FieldKind::Choice { options } => {
            let folded = fold(text);
            options
                .iter()
                .find(|(c, l)| c == text || fold(l) == folded)
                .map(|(c, _)| Some(Value::Text(c.clone())))
                .ok_or_else(|| {
                    let list: Vec<&str> = options.iter().map(|(_, l)| l.as_str()).collect();
                    bad(
                        "VL0859",
                        format!(
                            "“{shown}” không phải một lựa chọn; chọn một trong: {}.",
                            list.join(", ")
                        ),
                        format!(
                            "“{shown}” is not an option; choose one of: {}.",
                            list.join(", ")
                        ),
                    )
                })
        }
        FieldKind::Date => parse_vn_date(text, "date")
            .map(|d| Some(Value::Date(d)))
            .map_err(|e| {
                bad(
                    "VL0860",
                    format!("“{shown}”: {}", e.code.message(Lang::Vi)),
                    format!("“{shown}”: {}", e.code.message(Lang::En)),
                )
            }),
        FieldKind::Table { .. } => Ok(None),
    }
}

#[cfg(test)]
mod tests;
