//! Report form definitions in xlsx, the XLSForm idea: a union's statistician
//! writes the form in Excel or LibreOffice, one row per field, and uploads it.
//!
//! Sheets (names and column headers in English or Vietnamese, with or without
//! diacritics):
//!
//! - `survey` (`fields`, `truong`): `type`, `name`, `label`, `required`,
//!   `constraint` (relative to `.`, e.g. `. <= members_end`; several joined by
//!   `and`), `constraint_message`, `calculation`, `aggregation`,
//!   `disaggregation` (a list of `choices`), `prefill`, `hint`, `required_if`
//!   (a field that, when filled, makes this one required). Types: `whole`,
//!   `decimal [places]`, `money`, `percent`, `text [max length]`, `yes_no`,
//!   `select_one <list>`, `date`, `begin_group`/`end_group` (sections),
//!   `begin_repeat`/`end_repeat` (a table of rows).
//! - `choices` (`lua_chon`): `list_name`, `name`, `label`.
//! - `settings` (`cai_dat`): `form_id`, `form_title`, `period`, `due_days`,
//!   `filled_by`, as a header row and a value row (or one key/value per row).
//! - `rules` (`quy_tac`), optional: `type` (`compare`, `required_pair`),
//!   `left`, `op`, `right`, `message`.
//!
//! Every problem is reported at once, naming the sheet, row and column.
//! [`write_form_definition`] writes the same layout, so a form exported,
//! edited and imported again comes back unchanged.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use congdoan_domain::form::{
    Aggregation, CmpOp, DefIssue, Field, FieldKind, FormDef, Prefill, Rule, Section,
};
use congdoan_domain::{Lang, fold};
use rust_xlsxwriter::{Format, Workbook as XlsxWorkbook};

use crate::cell::Cell;
use crate::error::{SheetError, column_letter};
use crate::limits::Limits;
use crate::read::Workbook;

/// Rows a definition sheet may have: a form of a thousand fields fits; a
/// sheet of a million rows is not a form.
pub const MAX_DEFINITION_ROWS: usize = 5_000;

/// A problem with an uploaded form definition, located in the workbook.
/// `vi`/`en` are full sentences that start with the location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSheetIssue {
    pub sheet: Option<String>,
    /// 1-based, as the spreadsheet shows it.
    pub row: Option<usize>,
    /// "C (calculation)": the letter and the header as written in the file.
    pub column: Option<String>,
    /// The field key concerned, when one is.
    pub field: Option<String>,
    /// VL08xx from the form rules, SH0xx for the file itself, FD0xx for the layout.
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

impl FormSheetIssue {
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

impl std::fmt::Display for FormSheetIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.vi, self.code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Col {
    Type,
    Name,
    Label,
    Required,
    Constraint,
    ConstraintMessage,
    Calculation,
    Aggregation,
    Disaggregation,
    Prefill,
    Hint,
    RequiredIf,
    ListName,
    Left,
    Op,
    Right,
    Message,
    FormId,
    FormTitle,
    Period,
    DueDays,
    FilledBy,
}

/// Header aliases, folded (lower case, no diacritics, `_` as space).
fn col_of(header: &str) -> Option<Col> {
    // XLSForm writes "label::Vietnamese (vi)".
    let h = header.split("::").next().unwrap_or(header);
    let h = fold(&h.replace('_', " "));
    Some(match h.as_str() {
        "type" | "loai" | "kieu" | "loai truong" | "kieu du lieu" => Col::Type,
        "name" | "ma" | "ma truong" | "key" => Col::Name,
        "label" | "nhan" | "ten" | "ten hien thi" | "ten truong" | "noi dung" | "chi tieu" => {
            Col::Label
        }
        "required" | "bat buoc" => Col::Required,
        "constraint" | "rang buoc" | "dieu kien" | "kiem tra" => Col::Constraint,
        "constraint message" | "thong bao" | "thong bao loi" | "loi" => Col::ConstraintMessage,
        "calculation" | "calculate" | "formula" | "cong thuc" => Col::Calculation,
        "aggregation" | "tong hop" | "cach tong hop" => Col::Aggregation,
        "disaggregation" | "phan to" => Col::Disaggregation,
        "prefill" | "lay san" | "so lieu co san" | "tu dong" => Col::Prefill,
        "hint" | "goi y" | "huong dan" | "ghi chu" => Col::Hint,
        "required if" | "bat buoc neu" | "bat buoc khi" => Col::RequiredIf,
        "list name" | "list" | "danh sach" | "ten danh sach" => Col::ListName,
        "left" | "ve trai" => Col::Left,
        "op" | "operator" | "phep so sanh" | "so sanh" => Col::Op,
        "right" | "ve phai" => Col::Right,
        "message" => Col::Message,
        "form id" | "ma bieu mau" | "ma bao cao" | "code" => Col::FormId,
        "form title" | "title" | "ten bieu mau" | "ten bao cao" | "tieu de" => Col::FormTitle,
        "period" | "ky" | "ky bao cao" => Col::Period,
        "due days" | "han nop" | "han nop ngay" | "so ngay" | "han" => Col::DueDays,
        "filled by" | "don vi lap" | "don vi bao cao" | "loai don vi" => Col::FilledBy,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Survey,
    Choices,
    Settings,
    Rules,
}

fn sheet_kind(name: &str) -> Option<Kind> {
    Some(match fold(&name.replace('_', " ")).as_str() {
        "survey" | "fields" | "truong" | "cac truong" | "bieu mau" | "chi tieu" => Kind::Survey,
        "choices" | "lua chon" | "danh sach" => Kind::Choices,
        "settings" | "cai dat" | "thiet lap" | "thong tin" => Kind::Settings,
        "rules" | "quy tac" | "kiem tra" => Kind::Rules,
        _ => return None,
    })
}

/// One sheet read into memory (bounded by [`MAX_DEFINITION_ROWS`]).
struct Sheet {
    name: String,
    rows: Vec<Vec<Cell>>,
    /// Index of the header row, and each column found there.
    header: usize,
    cols: BTreeMap<Col, (usize, String)>,
}

impl Sheet {
    fn get(&self, row: &[Cell], c: Col) -> String {
        self.cols
            .get(&c)
            .and_then(|(i, _)| row.get(*i))
            .map(Cell::as_text)
            .unwrap_or_default()
    }

    fn col_name(&self, c: Col) -> Option<String> {
        self.cols
            .get(&c)
            .map(|(i, h)| format!("{} ({h})", column_letter(*i)))
    }
}

struct Issues {
    list: Vec<FormSheetIssue>,
}

impl Issues {
    /// Records a finding at a place; the place's parts are each optional.
    #[allow(clippy::too_many_arguments)]
    fn at(
        &mut self,
        sheet: Option<&Sheet>,
        row: Option<usize>,
        col: Option<Col>,
        field: Option<&str>,
        code: &'static str,
        vi: String,
        en: String,
    ) {
        let column = match (sheet, col) {
            (Some(s), Some(c)) => s.col_name(c),
            _ => None,
        };
        let sheet_name = sheet.map(|s| s.name.clone());
        let mut loc_vi = Vec::new();
        let mut loc_en = Vec::new();
        if let Some(n) = &sheet_name {
            loc_vi.push(format!("Trang “{n}”"));
            loc_en.push(format!("Sheet “{n}”"));
        }
        if let Some(r) = row {
            loc_vi.push(format!("dòng {r}"));
            loc_en.push(format!("row {r}"));
        }
        if let Some(c) = &column {
            loc_vi.push(format!("cột {c}"));
            loc_en.push(format!("column {c}"));
        }
        let (vi, en) = if loc_vi.is_empty() {
            (vi, en)
        } else {
            (
                format!("{}: {vi}", loc_vi.join(", ")),
                format!("{}: {en}", loc_en.join(", ")),
            )
        };
        self.list.push(FormSheetIssue {
            sheet: sheet_name,
            row,
            column,
            field: field.map(str::to_owned),
            code,
            vi,
            en,
        });
    }
}

/// Removes the temporary copy of an upload when reading is over.
pub(crate) struct TempFile(pub(crate) PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub(crate) fn temp_path() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "congdoan-formdef-{}-{nanos}-{}.xlsx",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

pub(crate) fn file_issue(e: &SheetError) -> FormSheetIssue {
    FormSheetIssue {
        sheet: None,
        row: None,
        column: None,
        field: None,
        code: e.code(),
        vi: e.message(Lang::Vi),
        en: e.message(Lang::En),
    }
}

/// Reads a form definition from xlsx bytes and checks it
/// ([`FormDef::check`]); every problem comes back at once, located.
pub fn read_form_definition(bytes: &[u8], limits: &Limits) -> Result<FormDef, Vec<FormSheetIssue>> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(vec![FormSheetIssue {
            sheet: None,
            row: None,
            column: None,
            field: None,
            code: "FD001",
            vi: "Tệp định nghĩa biểu mẫu phải là bảng tính .xlsx (Excel hoặc LibreOffice, lưu dưới dạng .xlsx).".into(),
            en: "A form definition must be an .xlsx workbook (save it as .xlsx from Excel or LibreOffice).".into(),
        }]);
    }
    // The reader streams from a file, with its bounds; a definition is small.
    let tmp = TempFile(temp_path());
    std::fs::write(&tmp.0, bytes).map_err(|e| vec![file_issue(&SheetError::Io(e))])?;
    let mut wb = Workbook::open_with(&tmp.0, *limits).map_err(|e| vec![file_issue(&e)])?;
    let mut sheets: BTreeMap<Kind, Sheet> = BTreeMap::new();
    let mut issues = Issues { list: Vec::new() };
    for (i, name) in wb.sheet_names().into_iter().enumerate() {
        let Some(kind) = sheet_kind(&name) else {
            continue;
        };
        if sheets.iter().any(|(k, _)| *k == kind) {
            continue;
        }
        let mut rows = Vec::new();
        for row in wb.rows(i).map_err(|e| vec![file_issue(&e)])? {
            let row = row.map_err(|e| vec![file_issue(&e)])?;
            if rows.len() >= MAX_DEFINITION_ROWS {
                return Err(vec![FormSheetIssue {
                    sheet: Some(name.clone()),
                    row: Some(MAX_DEFINITION_ROWS + 1),
                    column: None,
                    field: None,
                    code: "FD002",
                    vi: format!(
                        "Trang “{name}” có hơn {MAX_DEFINITION_ROWS} dòng; một biểu mẫu không dài như vậy."
                    ),
                    en: format!(
                        "Sheet “{name}” has more than {MAX_DEFINITION_ROWS} rows; no form is that long."
                    ),
                }]);
            }
            rows.push(row);
        }
        let header = rows.iter().position(|r| r.iter().any(|c| !c.is_empty()));
        let mut cols = BTreeMap::new();
        if let Some(h) = header {
            for (ci, cell) in rows[h].iter().enumerate() {
                let text = cell.as_text();
                if let Some(c) = col_of(&text) {
                    cols.entry(c).or_insert((ci, text));
                }
            }
        }
        sheets.insert(
            kind,
            Sheet {
                name,
                header: header.unwrap_or(0),
                rows,
                cols,
            },
        );
    }
    drop(wb);
    drop(tmp);

    let Some(survey) = sheets.get(&Kind::Survey) else {
        return Err(vec![FormSheetIssue {
            sheet: None,
            row: None,
            column: None,
            field: None,
            code: "FD003",
            vi: "Không thấy trang “survey” (hoặc “truong”) liệt kê các trường của biểu mẫu.".into(),
            en: "There is no “survey” (or “fields”) sheet listing the form's fields.".into(),
        }]);
    };
    for (c, what) in [
        (Col::Type, "type"),
        (Col::Name, "name"),
        (Col::Label, "label"),
    ] {
        if !survey.cols.contains_key(&c) {
            issues.at(
                Some(survey),
                Some(survey.header + 1),
                None,
                None,
                "FD004",
                format!("thiếu cột “{what}” ở dòng tiêu đề."),
                format!("the header lacks the “{what}” column."),
            );
        }
    }
    if !issues.list.is_empty() {
        return Err(issues.list);
    }

    let lists = read_choices(sheets.get(&Kind::Choices), &mut issues);
    let mut def = read_settings(sheets.get(&Kind::Settings), &mut issues);
    let mut locs = Locations::default();
    read_survey(survey, &lists, &mut def, &mut locs, &mut issues);
    if let Some(rules) = sheets.get(&Kind::Rules) {
        read_rules(rules, &mut def, &mut locs, &mut issues);
    }
    if !issues.list.is_empty() {
        return Err(issues.list);
    }
    match def.clone().check() {
        Ok(_) => Ok(def),
        Err(found) => {
            for d in found {
                locate(d, &sheets, &locs, &mut issues);
            }
            Err(issues.list)
        }
    }
}

/// Where each field and rule came from, to locate the form rules' findings.
#[derive(Default)]
struct Locations {
    /// key → survey row (1-based).
    fields: BTreeMap<String, usize>,
    /// rule index → (sheet kind, row, column).
    rules: Vec<(Kind, usize, Col)>,
}

fn locate(d: DefIssue, sheets: &BTreeMap<Kind, Sheet>, locs: &Locations, out: &mut Issues) {
    let survey = sheets.get(&Kind::Survey);
    let settings = sheets.get(&Kind::Settings);
    let settings_col = match d.code {
        "VL0801" => Some(Col::FormId),
        "VL0802" => Some(Col::FormTitle),
        "VL0803" => Some(Col::Period),
        "VL0818" => Some(Col::FilledBy),
        _ => None,
    };
    if let Some(c) = settings_col {
        let row = settings.map(|s| s.header + 2);
        out.at(settings, row, Some(c), None, d.code, d.vi, d.en);
        return;
    }
    if let Some(r) = d.rule
        && let Some(&(kind, row, col)) = locs.rules.get(r)
    {
        out.at(
            sheets.get(&kind),
            Some(row),
            Some(col),
            d.field.as_deref(),
            d.code,
            d.vi,
            d.en,
        );
        return;
    }
    let col = match d.code {
        "VL0805" | "VL0806" => Col::Name,
        "VL0807" => Col::Label,
        "VL0810" | "VL0811" | "VL0812" | "VL0813" => Col::Calculation,
        "VL0814" => Col::Aggregation,
        "VL0815" => Col::Disaggregation,
        "VL0821" => Col::Prefill,
        _ => Col::Type,
    };
    let row = d.field.as_ref().and_then(|k| locs.fields.get(k)).copied();
    out.at(
        survey,
        row,
        row.map(|_| col),
        d.field.as_deref(),
        d.code,
        d.vi,
        d.en,
    );
}

fn read_choices(
    sheet: Option<&Sheet>,
    issues: &mut Issues,
) -> BTreeMap<String, Vec<(String, String)>> {
    let mut lists: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let Some(s) = sheet else {
        return lists;
    };
    for c in [Col::ListName, Col::Name, Col::Label] {
        if !s.cols.contains_key(&c) {
            issues.at(
                Some(s),
                Some(s.header + 1),
                None,
                None,
                "FD004",
                "dòng tiêu đề cần các cột “list_name”, “name” và “label”.".into(),
                "the header needs the columns “list_name”, “name” and “label”.".into(),
            );
            return lists;
        }
    }
    for (i, row) in s.rows.iter().enumerate().skip(s.header + 1) {
        let (list, name, label) = (
            s.get(row, Col::ListName),
            s.get(row, Col::Name),
            s.get(row, Col::Label),
        );
        if list.is_empty() && name.is_empty() && label.is_empty() {
            continue;
        }
        for (c, v) in [
            (Col::ListName, &list),
            (Col::Name, &name),
            (Col::Label, &label),
        ] {
            if v.is_empty() {
                issues.at(
                    Some(s),
                    Some(i + 1),
                    Some(c),
                    None,
                    "FD005",
                    "ô này không được để trống.".into(),
                    "this cell must not be empty.".into(),
                );
            }
        }
        lists.entry(list).or_default().push((name, label));
    }
    lists
}

fn period_code(s: &str) -> String {
    let f = fold(&s.replace('_', " "));
    match f.as_str() {
        "thang" | "hang thang" => "month",
        "quy" | "hang quy" => "quarter",
        "6 thang" | "sau thang" | "nua nam" => "half",
        "9 thang" | "chin thang" => "nine_months",
        "nam" | "hang nam" => "year",
        "dot xuat" | "chuyen de" | "khong dinh ky" => "adhoc",
        "nine months" => "nine_months",
        _ => return s.trim().to_owned(),
    }
    .to_owned()
}

fn read_settings(sheet: Option<&Sheet>, issues: &mut Issues) -> FormDef {
    let mut def = FormDef {
        code: String::new(),
        title: String::new(),
        period: String::new(),
        due_days: 0,
        filled_by: Vec::new(),
        sections: Vec::new(),
        rules: Vec::new(),
    };
    let Some(s) = sheet else {
        issues.at(
            None,
            None,
            None,
            None,
            "FD006",
            "Không thấy trang “settings” (hoặc “cai_dat”) ghi mã, tên, kỳ báo cáo, hạn nộp và đơn vị lập.".into(),
            "There is no “settings” sheet with the form's code, title, period, due days and unit types.".into(),
        );
        return def;
    };
    // Header row + value row, or one "key | value" pair per row.
    let mut pairs: Vec<(Col, String, usize, Option<usize>)> = Vec::new();
    if s.cols.len() >= 2 {
        let row = s.header + 1;
        let empty = Vec::new();
        let values = s.rows.get(row).unwrap_or(&empty);
        for (&c, (ci, _)) in &s.cols {
            let v = values.get(*ci).map(Cell::as_text).unwrap_or_default();
            pairs.push((c, v, row + 1, Some(*ci)));
        }
    } else {
        for (i, row) in s.rows.iter().enumerate() {
            if let Some(c) = row.first().and_then(|k| col_of(&k.as_text())) {
                let v = row.get(1).map(Cell::as_text).unwrap_or_default();
                pairs.push((c, v, i + 1, Some(1)));
            }
        }
    }
    for (c, v, row, ci) in pairs {
        let at_col = |issues: &mut Issues, vi: String, en: String| {
            let column = ci.map(column_letter);
            issues.list.push(FormSheetIssue {
                sheet: Some(s.name.clone()),
                row: Some(row),
                column: column.clone(),
                field: None,
                code: "FD007",
                vi: format!(
                    "Trang “{}”, dòng {row}, cột {}: {vi}",
                    s.name,
                    column.unwrap_or_default()
                ),
                en: format!("Sheet “{}”, row {row}: {en}", s.name),
            });
        };
        match c {
            Col::FormId => def.code = v,
            Col::FormTitle => def.title = v,
            Col::Period => def.period = period_code(&v),
            Col::DueDays => {
                if v.is_empty() {
                    continue;
                }
                match v.parse::<u16>() {
                    Ok(n) => def.due_days = n,
                    Err(_) => at_col(
                        issues,
                        format!("hạn nộp “{v}” phải là số ngày (0–365)."),
                        format!("the due days “{v}” must be a number of days."),
                    ),
                }
            }
            Col::FilledBy => {
                def.filled_by = v
                    .split([',', ';'])
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect();
            }
            _ => {}
        }
    }
    if def.due_days > 365 {
        issues.at(
            Some(s),
            None,
            Some(Col::DueDays),
            None,
            "FD007",
            format!("hạn nộp {} ngày quá dài (tối đa 365).", def.due_days),
            format!("{} due days is too long (at most 365).", def.due_days),
        );
    }
    def
}

/// "yes", "có", "x", "1", "true" → true; blank or "no" → false.
pub(crate) fn truthy(s: &str) -> Option<bool> {
    if s.trim().is_empty() {
        return Some(false);
    }
    match fold(s).as_str() {
        "yes" | "y" | "true" | "1" | "x" | "co" | "bat buoc" => Some(true),
        "no" | "n" | "false" | "0" | "khong" => Some(false),
        _ => None,
    }
}

enum TypeCell {
    Kind(FieldKind),
    BeginGroup,
    EndGroup,
    BeginRepeat,
    EndRepeat,
}

fn parse_type(
    s: &str,
    lists: &BTreeMap<String, Vec<(String, String)>>,
) -> Result<TypeCell, (String, String)> {
    let mut parts = s.split_whitespace();
    let head = parts.next().unwrap_or("");
    let arg = parts.next();
    let rest = parts.next();
    let name = fold(&head.replace('_', " "));
    let num_arg = |default: u32| -> Result<u32, (String, String)> {
        match arg {
            None => Ok(default),
            Some(a) => a.parse().map_err(|_| {
                (
                    format!("“{a}” sau kiểu “{head}” phải là một số."),
                    format!("“{a}” after the type “{head}” must be a number."),
                )
            }),
        }
    };
    if rest.is_some() {
        return Err((
            format!("kiểu “{s}” có thừa phần sau."),
            format!("the type “{s}” has extra words."),
        ));
    }
    Ok(match name.as_str() {
        "whole" | "integer" | "so nguyen" => TypeCell::Kind(FieldKind::Whole),
        "decimal" | "so thap phan" | "thap phan" => TypeCell::Kind(FieldKind::Decimal {
            places: u8::try_from(num_arg(2)?).unwrap_or(u8::MAX),
        }),
        "money" | "tien" | "so tien" => TypeCell::Kind(FieldKind::Money),
        "percent" | "phan tram" | "ty le" => TypeCell::Kind(FieldKind::Percent),
        "text" | "van ban" | "chu" => TypeCell::Kind(FieldKind::Text {
            max_len: num_arg(1_000)?,
        }),
        "yes no" | "co khong" | "boolean" => TypeCell::Kind(FieldKind::YesNo),
        "date" | "ngay" => TypeCell::Kind(FieldKind::Date),
        "select one" | "choice" | "lua chon" | "chon mot" => {
            let Some(list) = arg else {
                return Err((
                    format!(
                        "kiểu “{head}” cần tên danh sách lựa chọn, ví dụ “select_one loai_hinh”."
                    ),
                    format!("the type “{head}” needs a choice list name, e.g. “select_one kind”."),
                ));
            };
            let Some(options) = lists.get(list) else {
                return Err((
                    format!("không có danh sách “{list}” trong trang “choices”."),
                    format!("there is no list “{list}” in the “choices” sheet."),
                ));
            };
            TypeCell::Kind(FieldKind::Choice {
                options: options.clone(),
            })
        }
        "begin group" | "bat dau nhom" | "bat dau muc" => TypeCell::BeginGroup,
        "end group" | "ket thuc nhom" | "ket thuc muc" => TypeCell::EndGroup,
        "begin repeat" | "bat dau bang" => TypeCell::BeginRepeat,
        "end repeat" | "ket thuc bang" => TypeCell::EndRepeat,
        _ => {
            return Err((
                format!(
                    "kiểu “{s}” không hợp lệ; dùng whole (số nguyên), decimal, money (tiền), percent (phần trăm), text, yes_no (có/không), select_one <danh sách>, date (ngày), begin_group/end_group, begin_repeat/end_repeat."
                ),
                format!(
                    "the type “{s}” is invalid; use whole, decimal, money, percent, text, yes_no, select_one <list>, date, begin_group/end_group, begin_repeat/end_repeat."
                ),
            ));
        }
    })
}

fn parse_aggregation(s: &str) -> Option<Aggregation> {
    let t = s.trim();
    match fold(&t.replace('_', " ")).as_str() {
        "" | "sum" | "tong" | "cong" => return Some(Aggregation::Sum),
        "average" | "avg" | "trung binh" => return Some(Aggregation::Average),
        "last" | "cuoi ky" | "gia tri cuoi ky" => return Some(Aggregation::Last),
        "none" | "khong" | "khong tong hop" => return Some(Aggregation::None),
        _ => {}
    }
    // "count_if > 0", "countif = có", "đếm = có", "đếm đơn vị = có".
    let words: Vec<&str> = t.split_whitespace().collect();
    let folded: Vec<String> = words.iter().map(|w| fold(&w.replace('_', " "))).collect();
    let f: Vec<&str> = folded.iter().map(String::as_str).collect();
    let skip = if f.starts_with(&["dem", "don", "vi"]) {
        3
    } else if f.starts_with(&["count", "if"]) {
        2
    } else if matches!(f.first(), Some(&("count if" | "countif" | "dem"))) {
        1
    } else {
        return None;
    };
    let op = CmpOp::parse(words.get(skip)?)?;
    let value = words.get(skip + 1..)?.join(" ");
    if value.is_empty() {
        return None;
    }
    Some(Aggregation::CountIf { op, value })
}

fn aggregation_text(a: &Aggregation) -> String {
    match a {
        Aggregation::Sum => String::new(),
        Aggregation::Average => "average".into(),
        Aggregation::Last => "last".into(),
        Aggregation::None => "none".into(),
        Aggregation::CountIf { op, value } => format!("count_if {} {value}", op.symbol()),
    }
}

fn parse_prefill(s: &str) -> Option<Prefill> {
    let f = fold(&s.replace('_', " ")).replace(' ', "_");
    if let Some(p) = Prefill::from_code(&f) {
        return Some(p);
    }
    Prefill::ALL
        .into_iter()
        .find(|p| fold(p.label_vi()).replace(' ', "_") == f)
}

/// Replaces a standalone `.` (XLSForm's "this field") by `key`; dots inside
/// numbers and part keys (`members.nu`) stay.
fn replace_dot(expr: &str, key: &str) -> String {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
        };
        if c == '.' && !word(i.checked_sub(1)) && !word(Some(i + 1)) {
            out.push_str(key);
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits "a <= b" at its comparison operator (outside parentheses).
fn split_comparison(s: &str) -> Option<(String, CmpOp, String)> {
    let chars: Vec<char> = s.chars().collect();
    let mut depth = 0i32;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '(' => depth += 1,
            ')' => depth -= 1,
            '<' | '>' | '=' | '!' | '≤' | '≥' | '≠' if depth == 0 => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let (op, len) = match CmpOp::parse(&two) {
                    Some(op) if two.chars().count() == 2 => (op, 2),
                    _ => (CmpOp::parse(&chars[i].to_string())?, 1),
                };
                let left: String = chars[..i].iter().collect();
                let right: String = chars[i + len..].iter().collect();
                if left.trim().is_empty() || right.trim().is_empty() {
                    return None;
                }
                return Some((left.trim().to_owned(), op, right.trim().to_owned()));
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// "a and b", "a và b", "a && b".
fn split_and(s: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    for w in s.split_whitespace() {
        if matches!(fold(w).as_str(), "and" | "va") || w == "&&" {
            parts.push(String::new());
        } else {
            let last = parts.last_mut().expect("non-empty");
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(w);
        }
    }
    parts
}

fn read_survey(
    s: &Sheet,
    lists: &BTreeMap<String, Vec<(String, String)>>,
    def: &mut FormDef,
    locs: &mut Locations,
    issues: &mut Issues,
) {
    // The section being filled; `None` until a field or group needs one.
    let mut section: Option<Section> = None;
    let mut table: Option<(Field, usize)> = None;
    let mut in_group = false;
    for (i, row) in s.rows.iter().enumerate().skip(s.header + 1) {
        let r = i + 1;
        let ty = s.get(row, Col::Type);
        let name = s.get(row, Col::Name);
        let label = s.get(row, Col::Label);
        if ty.is_empty() && name.is_empty() && label.is_empty() {
            continue;
        }
        let bad = |issues: &mut Issues, col: Col, vi: String, en: String| {
            issues.at(
                Some(s),
                Some(r),
                Some(col),
                non_empty(&name),
                "FD010",
                vi,
                en,
            );
        };
        if ty.is_empty() {
            bad(
                issues,
                Col::Type,
                "chưa ghi kiểu của trường.".into(),
                "the field's type is missing.".into(),
            );
            continue;
        }
        let cell = match parse_type(&ty, lists) {
            Ok(c) => c,
            Err((vi, en)) => {
                bad(issues, Col::Type, vi, en);
                continue;
            }
        };
        match cell {
            TypeCell::BeginGroup => {
                if table.is_some() {
                    bad(
                        issues,
                        Col::Type,
                        "không mở nhóm bên trong một bảng (begin_repeat).".into(),
                        "a group cannot start inside a repeat.".into(),
                    );
                    continue;
                }
                if let Some(sec) = section.take()
                    && (!sec.fields.is_empty() || !sec.title.is_empty())
                {
                    def.sections.push(sec);
                }
                section = Some(Section {
                    title: label,
                    fields: Vec::new(),
                });
                in_group = true;
            }
            TypeCell::EndGroup => {
                if !in_group {
                    bad(
                        issues,
                        Col::Type,
                        "end_group không có begin_group tương ứng.".into(),
                        "end_group without begin_group.".into(),
                    );
                    continue;
                }
                if let Some(sec) = section.take() {
                    def.sections.push(sec);
                }
                in_group = false;
            }
            TypeCell::BeginRepeat => {
                if table.is_some() {
                    bad(
                        issues,
                        Col::Type,
                        "không hỗ trợ bảng lồng trong bảng.".into(),
                        "nested repeats are not supported.".into(),
                    );
                    continue;
                }
                let mut f = Field::new(&name, &label, FieldKind::Table { columns: vec![] });
                f.required = read_required(s, row, r, &name, issues);
                f.aggregation = read_aggregation(s, row, r, &name, issues);
                f.hint = non_empty(&s.get(row, Col::Hint)).map(str::to_owned);
                locs.fields.entry(name.clone()).or_insert(r);
                table = Some((f, r));
            }
            TypeCell::EndRepeat => match table.take() {
                Some((f, _)) => section
                    .get_or_insert_with(|| Section {
                        title: String::new(),
                        fields: Vec::new(),
                    })
                    .fields
                    .push(f),
                None => bad(
                    issues,
                    Col::Type,
                    "end_repeat không có begin_repeat tương ứng.".into(),
                    "end_repeat without begin_repeat.".into(),
                ),
            },
            TypeCell::Kind(kind) => {
                let mut f = Field::new(&name, &label, kind);
                f.required = read_required(s, row, r, &name, issues);
                f.aggregation = read_aggregation(s, row, r, &name, issues);
                f.formula = non_empty(&s.get(row, Col::Calculation)).map(str::to_owned);
                f.hint = non_empty(&s.get(row, Col::Hint)).map(str::to_owned);
                let prefill = s.get(row, Col::Prefill);
                if !prefill.is_empty() {
                    match parse_prefill(&prefill) {
                        Some(p) => f.prefill = Some(p),
                        None => {
                            let known: Vec<&str> = Prefill::ALL.iter().map(|p| p.code()).collect();
                            bad(
                                issues,
                                Col::Prefill,
                                format!(
                                    "“{prefill}” không phải số liệu lấy sẵn được; dùng: {}.",
                                    known.join(", ")
                                ),
                                format!(
                                    "“{prefill}” is not a known prefill; use: {}.",
                                    known.join(", ")
                                ),
                            );
                        }
                    }
                }
                let dis = s.get(row, Col::Disaggregation);
                if !dis.is_empty() {
                    match lists.get(&dis) {
                        Some(parts) => f.disaggregation = Some(parts.clone()),
                        None => bad(
                            issues,
                            Col::Disaggregation,
                            format!("không có danh sách “{dis}” trong trang “choices”."),
                            format!("there is no list “{dis}” in the “choices” sheet."),
                        ),
                    }
                }
                let constraint = s.get(row, Col::Constraint);
                if !constraint.is_empty() {
                    let message = s.get(row, Col::ConstraintMessage);
                    for part in split_and(&constraint) {
                        match split_comparison(&replace_dot(&part, &name)) {
                            Some((left, op, right)) => {
                                locs.rules.push((Kind::Survey, r, Col::Constraint));
                                def.rules.push(Rule::Compare {
                                    left,
                                    op,
                                    right,
                                    message: message.clone(),
                                });
                            }
                            None => bad(
                                issues,
                                Col::Constraint,
                                format!(
                                    "ràng buộc “{part}” cần dạng “. <= truong_khac” (một phép so sánh <, <=, =, >=, >, !=)."
                                ),
                                format!(
                                    "the constraint “{part}” must look like “. <= other_field” (one of <, <=, =, >=, >, !=)."
                                ),
                            ),
                        }
                    }
                }
                let req_if = s.get(row, Col::RequiredIf);
                if !req_if.is_empty() {
                    locs.rules.push((Kind::Survey, r, Col::RequiredIf));
                    def.rules.push(Rule::RequiredPair {
                        when: req_if,
                        then: name.clone(),
                        message: String::new(),
                    });
                }
                match &mut table {
                    Some((t, _)) => {
                        if let FieldKind::Table { columns } = &mut t.kind {
                            columns.push(f);
                        }
                    }
                    None => {
                        locs.fields.entry(name.clone()).or_insert(r);
                        section
                            .get_or_insert_with(|| Section {
                                title: String::new(),
                                fields: Vec::new(),
                            })
                            .fields
                            .push(f);
                    }
                }
            }
        }
    }
    if let Some((_, r)) = table {
        issues.at(
            Some(s),
            Some(r),
            Some(Col::Type),
            None,
            "FD010",
            "begin_repeat chưa có end_repeat.".into(),
            "begin_repeat is never closed by end_repeat.".into(),
        );
    }
    if let Some(sec) = section
        && (!sec.fields.is_empty() || in_group)
    {
        def.sections.push(sec);
    }
}

fn non_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn read_required(s: &Sheet, row: &[Cell], r: usize, name: &str, issues: &mut Issues) -> bool {
    let v = s.get(row, Col::Required);
    match truthy(&v) {
        Some(b) => b,
        None => {
            issues.at(
                Some(s),
                Some(r),
                Some(Col::Required),
                non_empty(name),
                "FD010",
                format!("“{v}” phải là “yes”/“có” hoặc để trống."),
                format!("“{v}” must be “yes” or blank."),
            );
            false
        }
    }
}

fn read_aggregation(
    s: &Sheet,
    row: &[Cell],
    r: usize,
    name: &str,
    issues: &mut Issues,
) -> Aggregation {
    let v = s.get(row, Col::Aggregation);
    match parse_aggregation(&v) {
        Some(a) => a,
        None => {
            issues.at(
                Some(s),
                Some(r),
                Some(Col::Aggregation),
                non_empty(name),
                "FD010",
                format!("cách tổng hợp “{v}” không hợp lệ; dùng sum (tổng), average (trung bình), last (cuối kỳ), count_if > 0 (đếm đơn vị), none (không tổng hợp)."),
                format!("the aggregation “{v}” is invalid; use sum, average, last, count_if > 0, none."),
            );
            Aggregation::Sum
        }
    }
}

fn read_rules(s: &Sheet, def: &mut FormDef, locs: &mut Locations, issues: &mut Issues) {
    for (i, row) in s.rows.iter().enumerate().skip(s.header + 1) {
        let r = i + 1;
        let (ty, left, op, right, message) = (
            s.get(row, Col::Type),
            s.get(row, Col::Left),
            s.get(row, Col::Op),
            s.get(row, Col::Right),
            s.get(row, Col::Message),
        );
        if [&ty, &left, &op, &right].iter().all(|x| x.is_empty()) {
            continue;
        }
        let kind = fold(&ty.replace('_', " "));
        let bad = |issues: &mut Issues, col: Col, vi: String, en: String| {
            issues.at(Some(s), Some(r), Some(col), None, "FD011", vi, en);
        };
        match kind.as_str() {
            "required pair" | "bat buoc cap" | "bat buoc theo" => {
                if left.is_empty() || right.is_empty() {
                    bad(
                        issues,
                        Col::Left,
                        "quy tắc bắt buộc theo cặp cần trường ở cả hai cột left và right.".into(),
                        "a required-pair rule needs a field in both left and right.".into(),
                    );
                    continue;
                }
                locs.rules.push((Kind::Rules, r, Col::Left));
                def.rules.push(Rule::RequiredPair {
                    when: left,
                    then: right,
                    message,
                });
            }
            "" | "compare" | "so sanh" => {
                let Some(op) = CmpOp::parse(&op) else {
                    bad(
                        issues,
                        Col::Op,
                        format!("phép so sánh “{op}” không hợp lệ; dùng <, <=, =, >=, >, !=."),
                        format!("the operator “{op}” is invalid; use <, <=, =, >=, >, !=."),
                    );
                    continue;
                };
                locs.rules.push((Kind::Rules, r, Col::Left));
                def.rules.push(Rule::Compare {
                    left,
                    op,
                    right,
                    message,
                });
            }
            _ => bad(
                issues,
                Col::Type,
                format!(
                    "loại quy tắc “{ty}” không hợp lệ; dùng compare (so sánh) hoặc required_pair (bắt buộc theo cặp)."
                ),
                format!("the rule type “{ty}” is invalid; use compare or required_pair."),
            ),
        }
    }
}

/// Names (and records) the choice list of a field's options.
type ListFor<'a> = dyn FnMut(&str, &str, &[(String, String)]) -> String + 'a;

const SURVEY_HEADERS: [&str; 12] = [
    "type",
    "name",
    "label",
    "required",
    "calculation",
    "aggregation",
    "disaggregation",
    "prefill",
    "hint",
    "constraint",
    "constraint_message",
    "required_if",
];

/// Writes a definition in the layout [`read_form_definition`] reads, so it
/// can be edited in Excel or LibreOffice and imported back unchanged.
pub fn write_form_definition(def: &FormDef) -> Vec<u8> {
    build(def).unwrap_or_default()
}

fn build(def: &FormDef) -> Result<Vec<u8>, SheetError> {
    let mut book = XlsxWorkbook::new();
    let bold = Format::new().set_bold();

    // Choice lists: one per distinct option list, named after its first user.
    let mut lists: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut list_for = |key: &str, suffix: &str, opts: &[(String, String)]| -> String {
        if let Some((n, _)) = lists.iter().find(|(_, o)| o.as_slice() == opts) {
            return n.clone();
        }
        let name = format!("{key}{suffix}");
        lists.push((name.clone(), opts.to_vec()));
        name
    };

    let mut rows: Vec<[String; 12]> = Vec::new();
    fn field_row(f: &Field, list_for: &mut ListFor<'_>) -> [String; 12] {
        let ty = match &f.kind {
            FieldKind::Whole => "whole".to_owned(),
            FieldKind::Decimal { places } => format!("decimal {places}"),
            FieldKind::Money => "money".into(),
            FieldKind::Percent => "percent".into(),
            FieldKind::Text { max_len } => format!("text {max_len}"),
            FieldKind::YesNo => "yes_no".into(),
            FieldKind::Choice { options } => {
                format!("select_one {}", list_for(&f.key, "", options))
            }
            FieldKind::Date => "date".into(),
            FieldKind::Table { .. } => "begin_repeat".into(),
        };
        let dis = f
            .disaggregation
            .as_ref()
            .map(|d| list_for(&f.key, "_phan_to", d))
            .unwrap_or_default();
        [
            ty,
            f.key.clone(),
            f.label.clone(),
            if f.required {
                "yes".into()
            } else {
                String::new()
            },
            f.formula.clone().unwrap_or_default(),
            aggregation_text(&f.aggregation),
            dis,
            f.prefill.map(|p| p.code().to_owned()).unwrap_or_default(),
            f.hint.clone().unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
        ]
    }
    let blank = || -> [String; 12] { Default::default() };
    for (i, sec) in def.sections.iter().enumerate() {
        let mut open = blank();
        open[0] = "begin_group".into();
        open[1] = format!("muc_{}", i + 1);
        open[2] = sec.title.clone();
        rows.push(open);
        for f in &sec.fields {
            rows.push(field_row(f, &mut list_for));
            if let FieldKind::Table { columns } = &f.kind {
                for c in columns {
                    rows.push(field_row(c, &mut list_for));
                }
                let mut close = blank();
                close[0] = "end_repeat".into();
                rows.push(close);
            }
        }
        let mut close = blank();
        close[0] = "end_group".into();
        rows.push(close);
    }

    let ws = book.add_worksheet();
    ws.set_name("survey")?;
    write_table(ws, &SURVEY_HEADERS, rows.iter().map(|r| r.to_vec()), &bold)?;

    let ws = book.add_worksheet();
    ws.set_name("choices")?;
    let choice_rows = lists.iter().flat_map(|(n, opts)| {
        opts.iter()
            .map(move |(c, l)| vec![n.clone(), c.clone(), l.clone()])
    });
    write_table(ws, &["list_name", "name", "label"], choice_rows, &bold)?;

    let ws = book.add_worksheet();
    ws.set_name("settings")?;
    write_table(
        ws,
        &["form_id", "form_title", "period", "due_days", "filled_by"],
        std::iter::once(vec![
            def.code.clone(),
            def.title.clone(),
            def.period.clone(),
            def.due_days.to_string(),
            def.filled_by.join(", "),
        ]),
        &bold,
    )?;

    let ws = book.add_worksheet();
    ws.set_name("rules")?;
    let rule_rows = def.rules.iter().map(|r| match r {
        Rule::Compare {
            left,
            op,
            right,
            message,
        } => vec![
            "compare".to_owned(),
            left.clone(),
            op.symbol().to_owned(),
            right.clone(),
            message.clone(),
        ],
        Rule::RequiredPair {
            when,
            then,
            message,
        } => vec![
            "required_pair".to_owned(),
            when.clone(),
            String::new(),
            then.clone(),
            message.clone(),
        ],
    });
    write_table(
        ws,
        &["type", "left", "op", "right", "message"],
        rule_rows,
        &bold,
    )?;

    let ws = book.add_worksheet();
    ws.set_name("huong_dan")?;
    for (i, line) in GUIDE.iter().enumerate() {
        ws.write_string(i as u32, 0, *line)?;
    }
    ws.set_column_width(0, 110)?;

    Ok(book.save_to_buffer()?)
}

/// A short guide sheet in Vietnamese, for whoever edits the exported file.
const GUIDE: [&str; 10] = [
    "HƯỚNG DẪN SỬA BIỂU MẪU",
    "Trang survey: mỗi dòng một trường. type: whole (số nguyên), decimal 2 (số thập phân, 2 chữ số lẻ), money (tiền), percent (phần trăm), text 500 (văn bản, tối đa 500 ký tự), yes_no (có/không), select_one <danh sách>, date (ngày).",
    "begin_group / end_group bao quanh một mục (label là tên mục); begin_repeat / end_repeat bao quanh các cột của một bảng nhiều dòng.",
    "name: mã trường, chữ thường không dấu, số và dấu gạch dưới (ví dụ doan_vien_nu); không trùng nhau.",
    "calculation: công thức tính từ các trường số khác, ví dụ joined - left hoặc women / members * 100; dùng được sum(a, b).",
    "aggregation: sum (cộng, mặc định), average (trung bình), last (số cuối kỳ), count_if > 0 (đếm số đơn vị thỏa điều kiện), none (không tổng hợp).",
    "disaggregation: tên một danh sách trong trang choices (ví dụ gioi_tinh với nam/nu): nhập theo từng nhóm, tổng là tổng các nhóm.",
    "prefill: members_at_end, members_joined, members_left, women, party_members, officials, departments, teams — số liệu lấy sẵn từ sổ đoàn viên.",
    "constraint: điều kiện với dấu chấm là trường này, ví dụ . <= members; constraint_message là thông báo khi sai. required_if: mã trường mà khi đã nhập thì trường này bắt buộc.",
    "Trang rules: các quy tắc kiểm tra (compare: left op right; required_pair: nhập left thì phải nhập right). Trang settings: mã, tên, kỳ (month, quarter, half, nine_months, year, adhoc), hạn nộp (số ngày sau kỳ), loại đơn vị lập (CDCS).",
];

pub(crate) fn write_table(
    ws: &mut rust_xlsxwriter::Worksheet,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    bold: &Format,
) -> Result<(), SheetError> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count() + 2).collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, bold)?;
    }
    for (r, row) in rows.enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let v: String = v.chars().take(32_767).collect();
            ws.write_string(r as u32 + 1, c as u16, &v)?;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(v.chars().count().min(60));
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use congdoan_domain::form::PERIODS;

    #[test]
    fn dots_and_comparisons() {
        assert_eq!(replace_dot(". <= members", "women"), "women <= members");
        assert_eq!(replace_dot(".<=m.nu + 1.5", "x"), "x<=m.nu + 1.5");
        assert_eq!(
            split_comparison("a + (b) >= c"),
            Some(("a + (b)".into(), CmpOp::Ge, "c".into()))
        );
        assert_eq!(
            split_comparison("a<>b"),
            Some(("a".into(), CmpOp::Ne, "b".into()))
        );
        assert_eq!(split_comparison("a b"), None);
        assert_eq!(split_comparison("<= b"), None);
        assert_eq!(split_and(". >= 0 and . <= 100"), vec![". >= 0", ". <= 100"]);
        assert_eq!(split_and(". > 0 và . < 9"), vec![". > 0", ". < 9"]);
    }

    #[test]
    fn aggregation_and_period_aliases() {
        assert_eq!(parse_aggregation(""), Some(Aggregation::Sum));
        assert_eq!(parse_aggregation("Trung bình"), Some(Aggregation::Average));
        assert_eq!(parse_aggregation("cuối kỳ"), Some(Aggregation::Last));
        assert_eq!(
            parse_aggregation("count_if > 0"),
            Some(Aggregation::CountIf {
                op: CmpOp::Gt,
                value: "0".into()
            })
        );
        assert_eq!(
            parse_aggregation("đếm đơn vị = có"),
            Some(Aggregation::CountIf {
                op: CmpOp::Eq,
                value: "có".into()
            })
        );
        assert_eq!(parse_aggregation("median"), None);
        for a in [
            Aggregation::Sum,
            Aggregation::Average,
            Aggregation::Last,
            Aggregation::None,
            Aggregation::CountIf {
                op: CmpOp::Ne,
                value: "fdi".into(),
            },
        ] {
            assert_eq!(parse_aggregation(&aggregation_text(&a)), Some(a));
        }
        assert_eq!(period_code("6 tháng"), "half");
        assert_eq!(period_code("Quý"), "quarter");
        assert_eq!(period_code("đột xuất"), "adhoc");
        assert!(PERIODS.contains(&period_code("Tháng").as_str()));
        assert_eq!(parse_prefill("members_at_end"), Some(Prefill::MembersAtEnd));
        assert_eq!(parse_prefill("Đoàn viên nữ"), Some(Prefill::Women));
    }
}
