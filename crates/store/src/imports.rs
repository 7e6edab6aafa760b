//! Member imports from the spreadsheets unions hold, as background jobs.
//!
//! A job goes `analysing → ready → queued → importing → done` (and `undone`). Both
//! phases stream the stored file through `congdoan-sheet` on a blocking thread while
//! this side checks units and duplicates against the database. The import commits
//! chunks of rows together with the job's `resume_row`, so a restarted worker
//! continues after the last committed row and never writes a row twice; every member
//! carries its job id, so undo removes exactly what the job added.

use crate::audit::audit;
use crate::stats::{MemberFacts, StatDelta, apply_stats};
use crate::{Actor, Engine, Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::date::format_vn_date;
use congdoan_domain::text::{fold, name_sort_key};
use congdoan_domain::{Cccd, Lang, OrgPath, PhoneVn};
use congdoan_sheet::{
    Cell, Field, Layout, Legacy, MemberRow, RowProblem, Workbook, detect_layout, is_footer_row,
    layout_with, parse_member_row, row_has_member_data,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use time::{Date, OffsetDateTime};
use tokio::sync::mpsc;

/// Largest file accepted (a province's list of a million rows is ~60 MB as xlsx).
pub const MAX_IMPORT_BYTES: usize = 200 * 1024 * 1024;
/// Rows committed together during an import (and the progress step).
const CHUNK_ROWS: usize = 5_000;
/// Rows parsed per message from the reading thread.
const PARSE_BATCH: usize = 1_000;
/// Rows searched for the header.
const HEADER_SCAN_ROWS: usize = 30;
/// Data rows sampled to detect TCVN3/VNI text.
const LEGACY_SAMPLE_ROWS: usize = 200;
/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 20;
/// A worker owns a running job this long after its last commit.
const LEASE: time::Duration = time::Duration::seconds(60);
/// Stored upload bytes a unit may hold in jobs whose file is still kept.
pub const UNIT_UPLOAD_QUOTA: i64 = 1024 * 1024 * 1024;
/// Days a previewed but unconfirmed import keeps its file before it expires.
pub const UNCONFIRMED_DAYS: i64 = 7;
/// Claims of one phase of a job before it is given up as a poison job.
pub const MAX_IMPORT_ATTEMPTS: i64 = 3;
/// Rows per multi-row member INSERT (22 columns, under SQLite's 32,766 parameters).
const INSERT_ROWS: usize = 1_400;

/// Inserts rejected rows `(row_no, cells, problems)` inside transaction `$tx`.
macro_rules! insert_rejects {
    ($tx:ident, $job:expr, $rows:expr) => {
        for part in $rows.chunks(500) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO import_reject (job_id, row_no, cells, problems) ",
            );
            qb.push_values(part, |mut b, (row, cells, problems)| {
                b.push_bind($job)
                    .push_bind(*row as i64)
                    .push_bind(serde_json::to_string(cells).unwrap_or_default())
                    .push_bind(serde_json::to_string(problems).unwrap_or_default());
            });
            qb.push(" ON CONFLICT (job_id, row_no) DO NOTHING");
            qb.build().execute(&mut *$tx).await?;
        }
    };
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportState {
    Analysing,
    Ready,
    Queued,
    Importing,
    Done,
    Failed,
    Cancelled,
    Undone,
}

impl ImportState {
    pub fn code(self) -> &'static str {
        match self {
            ImportState::Analysing => "analysing",
            ImportState::Ready => "ready",
            ImportState::Queued => "queued",
            ImportState::Importing => "importing",
            ImportState::Done => "done",
            ImportState::Failed => "failed",
            ImportState::Cancelled => "cancelled",
            ImportState::Undone => "undone",
        }
    }

    pub fn parse(s: &str) -> Option<ImportState> {
        [
            ImportState::Analysing,
            ImportState::Ready,
            ImportState::Queued,
            ImportState::Importing,
            ImportState::Done,
            ImportState::Failed,
            ImportState::Cancelled,
            ImportState::Undone,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            ImportState::Analysing => ("Đang đọc tệp", "Reading the file"),
            ImportState::Ready => ("Chờ xác nhận", "Waiting for confirmation"),
            ImportState::Queued => ("Đã xếp hàng", "Queued"),
            ImportState::Importing => ("Đang nhập", "Importing"),
            ImportState::Done => ("Đã nhập xong", "Imported"),
            ImportState::Failed => ("Không đọc được", "Failed"),
            ImportState::Cancelled => ("Đã huỷ", "Cancelled"),
            ImportState::Undone => ("Đã hoàn tác", "Undone"),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A worker still has something to do.
    pub fn is_running(self) -> bool {
        matches!(
            self,
            ImportState::Analysing | ImportState::Queued | ImportState::Importing
        )
    }
}

/// The column choice of a job, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredLayout {
    /// Sheet index in the workbook.
    pub sheet: usize,
    /// 0-based sheet row of the header.
    pub header_row: usize,
    pub headers: Vec<String>,
    /// (column index, field code).
    pub columns: Vec<(usize, String)>,
}

impl StoredLayout {
    fn from_layout(sheet: usize, l: &Layout) -> StoredLayout {
        StoredLayout {
            sheet,
            header_row: l.header_row,
            headers: l.headers.clone(),
            columns: l
                .columns
                .iter()
                .map(|(c, f)| (*c, f.code().to_string()))
                .collect(),
        }
    }

    fn to_layout(&self) -> std::result::Result<Layout, String> {
        let columns = self
            .columns
            .iter()
            .map(|(c, f)| Field::parse(f).map(|f| (*c, f)).ok_or_else(|| f.clone()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        layout_with(self.header_row, self.headers.clone(), columns).map_err(|e| e.message(Lang::Vi))
    }

    /// The field of column `col`, if mapped.
    pub fn field_of(&self, col: usize) -> Option<&str> {
        self.columns
            .iter()
            .find(|(c, _)| *c == col)
            .map(|(_, f)| f.as_str())
    }
}

/// A row of the preview: what will be stored (CCCD and phone masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PreviewRow {
    pub row: usize,
    pub full_name: String,
    pub birth_date: String,
    /// M or F.
    pub sex: String,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub unit_name: String,
    pub join_date: Option<String>,
    pub card_no: Option<String>,
    pub notes: Vec<String>,
}

/// One reason a row is not imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportProblem {
    /// Field code (see `congdoan_sheet::Field`), if the problem is one column's.
    pub field: Option<String>,
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
    pub value: String,
}

impl ImportProblem {
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.message_vi,
            Lang::En => &self.message_en,
        }
    }

    fn new(field: Option<Field>, code: &str, vi: String, en: String, value: &str) -> Self {
        ImportProblem {
            field: field.map(|f| f.code().to_string()),
            code: code.into(),
            message_vi: vi,
            message_en: en,
            value: value.into(),
        }
    }

    fn from_sheet(p: &RowProblem) -> Self {
        ImportProblem {
            field: p.field.map(|f| f.code().to_string()),
            code: p.code.to_string(),
            message_vi: p.message_vi.clone(),
            message_en: p.message_en.clone(),
            value: p.value.clone(),
        }
    }
}

/// A rejected row: its cells as read and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReject {
    pub row_no: i64,
    pub cells: Vec<String>,
    pub problems: Vec<ImportProblem>,
}

/// An import job as its pages show it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ImportJob {
    pub job_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(skip)]
    pub path: String,
    pub file_name: String,
    pub file_size: i64,
    pub state: String,
    #[serde(skip)]
    pub layout: Option<String>,
    pub layout_manual: bool,
    pub legacy: Option<String>,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub rejected_rows: i64,
    pub progress: i64,
    pub imported: i64,
    #[serde(skip)]
    pub preview: Option<String>,
    pub error: Option<String>,
    pub version: i64,
    pub created_by_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

impl ImportJob {
    pub fn state(&self) -> ImportState {
        ImportState::parse(&self.state).unwrap_or(ImportState::Failed)
    }

    pub fn stored_layout(&self) -> Option<StoredLayout> {
        self.layout
            .as_deref()
            .and_then(|l| serde_json::from_str(l).ok())
    }

    pub fn preview_rows(&self) -> Vec<PreviewRow> {
        self.preview
            .as_deref()
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or_default()
    }

    /// Percentage of the import done (the progress bar); `None` while the file is
    /// still being read, when the number of rows is not known yet.
    pub fn percent(&self) -> Option<i64> {
        match self.state() {
            ImportState::Analysing => None,
            ImportState::Done | ImportState::Undone => Some(100),
            _ if self.valid_rows <= 0 => Some(0),
            _ => Some((self.imported * 100 / self.valid_rows).clamp(0, 100)),
        }
    }
}

const JOB_SELECT: &str = "SELECT j.job_id, j.unit_id, u.name AS unit_name, j.path, j.file_name, j.file_size, j.state, \
     j.layout, j.layout_manual, j.legacy, j.total_rows, j.valid_rows, j.rejected_rows, j.progress, j.imported, \
     j.preview, j.error, j.version, a.display_name AS created_by_name, j.created_at, j.finished_at \
     FROM import_job j JOIN unit u ON u.unit_id = j.unit_id LEFT JOIN account a ON a.account_id = j.created_by ";

/// A unit rows may name, with what placing a member there needs.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Target {
    unit_id: i64,
    code: String,
    name: String,
    path: String,
    holds_members: bool,
    is_grassroots: bool,
    ended: bool,
    sector: Option<String>,
    employer_ownership: Option<String>,
}

/// The units of a job's subtree (and the target's ancestors), by code and by name.
struct Targets {
    units: Vec<Target>,
    by_id: HashMap<i64, usize>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
    target: usize,
}

/// "Tổ công đoàn số 1", "Tổ 1", "to 1" → "1": the words that tell units apart.
fn unit_key(name: &str) -> String {
    let f = fold(name);
    let mut s = f.as_str();
    for prefix in [
        "cong doan co so ",
        "cong doan bo phan ",
        "to cong doan ",
        "cdcs ",
        "cdbp ",
        "to ",
        "bo phan ",
        "phong ",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
            break;
        }
    }
    let s = s.strip_prefix("so ").unwrap_or(s);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Targets {
    /// The unit a row goes to, or why it cannot.
    fn resolve(&self, m: &MemberRow) -> std::result::Result<usize, ImportProblem> {
        let found = if let Some(code) = m.unit_code.as_deref().filter(|c| !c.is_empty()) {
            *self.by_code.get(&code.to_uppercase()).ok_or_else(|| {
                ImportProblem::new(
                    Some(Field::UnitCode),
                    "IM0201",
                    format!(
                        "Không có đơn vị mã {code} trong {}.",
                        self.units[self.target].name
                    ),
                    format!(
                        "No unit with code {code} in {}.",
                        self.units[self.target].name
                    ),
                    code,
                )
            })?
        } else if let Some(name) = m.unit.as_deref().filter(|c| !c.is_empty()) {
            let key = unit_key(name);
            // The target itself may be named on every row.
            if unit_key(&self.units[self.target].name) == key {
                self.target
            } else {
                match self.by_name.get(&key).map(Vec::as_slice) {
                    Some([one]) => *one,
                    Some(many) if !many.is_empty() => {
                        let holding: Vec<usize> = many
                            .iter()
                            .copied()
                            .filter(|i| self.units[*i].holds_members && !self.units[*i].ended)
                            .collect();
                        match holding.as_slice() {
                            [one] => *one,
                            _ => {
                                return Err(ImportProblem::new(
                                    Some(Field::Unit),
                                    "IM0202",
                                    format!(
                                        "Có {} đơn vị tên «{name}» trong {}; hãy thêm cột Mã đơn vị.",
                                        many.len(),
                                        self.units[self.target].name
                                    ),
                                    format!(
                                        "{} units are named “{name}” in {}; add a unit code column.",
                                        many.len(),
                                        self.units[self.target].name
                                    ),
                                    name,
                                ));
                            }
                        }
                    }
                    _ => {
                        return Err(ImportProblem::new(
                            Some(Field::Unit),
                            "IM0203",
                            format!(
                                "Không tìm thấy đơn vị «{name}» trong {}.",
                                self.units[self.target].name
                            ),
                            format!(
                                "No unit named “{name}” in {}.",
                                self.units[self.target].name
                            ),
                            name,
                        ));
                    }
                }
            }
        } else {
            self.target
        };
        let u = &self.units[found];
        if !u.holds_members || u.ended {
            return Err(ImportProblem::new(
                if found == self.target {
                    None
                } else {
                    Some(Field::Unit)
                },
                "IM0204",
                format!(
                    "{} không trực tiếp có đoàn viên (chọn công đoàn cơ sở, bộ phận hoặc tổ đang hoạt động, hoặc thêm cột Đơn vị).",
                    u.name
                ),
                format!(
                    "{} holds no members directly (choose an active grassroots union, department or group, or add a unit column).",
                    u.name
                ),
                &u.name,
            ));
        }
        Ok(found)
    }

    /// The grassroots union holding memberships placed in unit `i`.
    fn cdcs_of(&self, i: usize) -> Option<usize> {
        let ids = OrgPath::parse(&self.units[i].path).ok()?.ids();
        ids.iter()
            .rev()
            .filter_map(|id| self.by_id.get(id))
            .copied()
            .find(|j| self.units[*j].is_grassroots)
    }
}

/// Import fields whose values are personal data (masked for readers who may not edit).
const PERSONAL_FIELDS: [&str; 2] = ["cccd", "phone"];

/// "001234567890" → "001******890", whatever was typed (a rejected value may not parse):
/// the first and last three characters stay, so the user can still find the row.
pub(crate) fn mask_personal(v: &str) -> String {
    let chars: Vec<char> = v.trim().chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars[..3]
        .iter()
        .chain(std::iter::repeat_n(&'*', n - 6))
        .chain(&chars[n - 3..])
        .collect()
}

/// What the reading thread sends.
enum Parsed {
    Layout(StoredLayout, Option<Legacy>),
    Rows(Vec<ParsedRow>),
    Failed(String),
}

struct ParsedRow {
    row_no: usize,
    cells: Vec<String>,
    result: std::result::Result<MemberRow, Vec<RowProblem>>,
}

/// Reads the file on a blocking thread and streams parsed rows from sheet row
/// `from_row` (1-based) on; the layout is the stored one or detected.
fn read_file(
    file: PathBuf,
    layout: Option<StoredLayout>,
    from_row: usize,
    tx: mpsc::Sender<Parsed>,
) {
    let fail = |tx: &mpsc::Sender<Parsed>, m: String| {
        let _ = tx.blocking_send(Parsed::Failed(m));
    };
    let mut wb = match Workbook::open(&file) {
        Ok(wb) => wb,
        Err(e) => return fail(&tx, e.message(Lang::Vi)),
    };
    // The first sheet with a recognisable header (or the stored one).
    let sheets: Vec<usize> = match &layout {
        Some(l) => vec![l.sheet],
        None => (0..wb.sheet_names().len()).collect(),
    };
    let mut chosen = None;
    for sheet in sheets {
        let head = match wb.rows(sheet) {
            Ok(rows) => rows
                .take(HEADER_SCAN_ROWS + LEGACY_SAMPLE_ROWS)
                .collect::<std::result::Result<_, _>>(),
            Err(e) => Err(e),
        };
        // A file over a limit says so, rather than "no header found".
        let head: Vec<Vec<Cell>> = match head {
            Ok(h) => h,
            Err(e @ congdoan_sheet::SheetError::TooLarge { .. }) => {
                return fail(&tx, e.message(Lang::Vi));
            }
            Err(_) => vec![],
        };
        let found = match &layout {
            Some(l) => match l.to_layout() {
                Ok(x) => Some(x),
                Err(m) => return fail(&tx, m),
            },
            None => detect_layout(&head[..head.len().min(HEADER_SCAN_ROWS)]),
        };
        if let Some(l) = found {
            let texts: Vec<String> = head
                .iter()
                .skip(l.header_row + 1)
                .flat_map(|r| r.iter().map(Cell::as_text))
                .collect();
            let legacy = Legacy::detect(texts.iter().map(String::as_str));
            chosen = Some((sheet, l, legacy));
            break;
        }
    }
    let Some((sheet, layout, legacy)) = chosen else {
        let expected: Vec<&str> = [Field::FullName, Field::BirthDate, Field::Sex, Field::Cccd]
            .iter()
            .map(|f| f.label(Lang::Vi))
            .collect();
        return fail(
            &tx,
            format!(
                "Không tìm thấy dòng tiêu đề trong {HEADER_SCAN_ROWS} dòng đầu của tệp (cần ít nhất cột {} và một cột khác như {}).",
                expected[0],
                expected[1..].join(", ")
            ),
        );
    };
    if tx
        .blocking_send(Parsed::Layout(
            StoredLayout::from_layout(sheet, &layout),
            legacy,
        ))
        .is_err()
    {
        return;
    }
    let rows = match wb.rows(sheet) {
        Ok(r) => r,
        Err(e) => return fail(&tx, e.message(Lang::Vi)),
    };
    let mut batch = Vec::with_capacity(PARSE_BATCH);
    // Below a total line or a signature block ("NGƯỜI LẬP BIỂU", "TM. BAN CHẤP
    // HÀNH"), rows without a date or an ID are signers' names and titles, not members.
    let mut in_footer = false;
    for (i, row) in rows.enumerate() {
        let row_no = i + 1;
        if i <= layout.header_row {
            continue;
        }
        let cells = match row {
            Ok(c) => c,
            Err(e) => return fail(&tx, format!("Dòng {row_no}: {}", e.message(Lang::Vi))),
        };
        if is_footer_row(&cells, legacy) {
            in_footer = true;
            continue;
        }
        if in_footer {
            if !row_has_member_data(&cells) {
                continue;
            }
            in_footer = false;
        }
        if row_no < from_row {
            continue;
        }
        match parse_member_row(row_no, &cells, &layout, legacy) {
            Ok(None) => continue,
            Ok(Some(m)) => batch.push(ParsedRow {
                row_no,
                cells: vec![],
                result: Ok(m),
            }),
            Err(p) => batch.push(ParsedRow {
                row_no,
                cells: cells.iter().map(Cell::as_text).collect(),
                result: Err(p),
            }),
        }
        if batch.len() == PARSE_BATCH
            && tx
                .blocking_send(Parsed::Rows(std::mem::take(&mut batch)))
                .is_err()
        {
            return;
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(Parsed::Rows(batch));
    }
}

fn legacy_code(l: Option<Legacy>) -> Option<&'static str> {
    l.map(|l| match l {
        Legacy::Tcvn3 => "tcvn3",
        Legacy::Vni => "vni",
    })
}

/// The cells of a valid row, for a rejected-rows file when it is refused late.
fn row_cells(m: &MemberRow) -> Vec<String> {
    vec![
        m.name.as_str().to_string(),
        format_vn_date(m.birth_date),
        m.sex.code().to_string(),
        m.cccd
            .as_ref()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        m.phone
            .as_ref()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        m.unit.clone().or(m.unit_code.clone()).unwrap_or_default(),
    ]
}

/// Rules a row must meet beyond its own cells.
fn row_rules(m: &MemberRow, today: Date) -> Vec<ImportProblem> {
    let mut out = vec![];
    let d = |d: Date| format_vn_date(d);
    if m.birth_date >= today {
        out.push(ImportProblem::new(
            Some(Field::BirthDate),
            "IM0301",
            "Ngày sinh phải trước hôm nay.".into(),
            "The birth date must be before today.".into(),
            &d(m.birth_date),
        ));
    } else if congdoan_domain::date::age_on(m.birth_date, today) < 15 {
        out.push(ImportProblem::new(
            Some(Field::BirthDate),
            "IM0302",
            "Người lao động phải từ đủ 15 tuổi.".into(),
            "Workers are at least 15 years old.".into(),
            &d(m.birth_date),
        ));
    }
    if let Some(j) = m.join_date {
        if j > today {
            out.push(ImportProblem::new(
                Some(Field::JoinDate),
                "IM0303",
                "Ngày vào công đoàn không được ở tương lai.".into(),
                "The joining date cannot be in the future.".into(),
                &d(j),
            ));
        } else if j <= m.birth_date {
            out.push(ImportProblem::new(
                Some(Field::JoinDate),
                "IM0304",
                "Ngày vào công đoàn phải sau ngày sinh.".into(),
                "The joining date must follow the birth date.".into(),
                &d(j),
            ));
        }
    }
    out
}

fn dup_problem(field: Field, value: &str, first_row: Option<usize>) -> ImportProblem {
    let (what_vi, what_en) = match field {
        Field::Cccd => ("Số CCCD", "CCCD"),
        _ => ("Số thẻ đoàn viên", "Card number"),
    };
    match first_row {
        Some(r) => ImportProblem::new(
            Some(field),
            "IM0401",
            format!("{what_vi} trùng với dòng {r} của tệp."),
            format!("{what_en} repeats row {r} of the file."),
            value,
        ),
        None => ImportProblem::new(
            Some(field),
            "IM0402",
            format!("{what_vi} đã có trong hệ thống (một đoàn viên đã được lưu)."),
            format!("{what_en} is already stored for another member."),
            value,
        ),
    }
}

/// Values of `keys` already stored in `member.column` (column is a fixed identifier).
async fn stored_values(store: &Store, column: &str, keys: &[String]) -> Result<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(900) {
        if chunk.is_empty() {
            continue;
        }
        let rows: Vec<String> = read!(store, p => {
            let mut qb = sqlx::QueryBuilder::new(format!("SELECT {column} FROM member WHERE {column} IN ("));
            let mut sep = qb.separated(", ");
            for k in chunk {
                sep.push_bind(k.clone());
            }
            qb.push(")");
            qb.build_query_scalar::<String>().fetch_all(p).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// A valid row ready to write.
struct Ready {
    row_no: usize,
    unit: usize,
    cdcs: usize,
    m: MemberRow,
}

/// Rows checked in one pass: valid ones, and rejections with their cells.
#[derive(Default)]
struct Checked {
    ready: Vec<Ready>,
    rejects: Vec<(usize, Vec<String>, Vec<ImportProblem>)>,
}

/// File-level memory of a pass: the first row of each CCCD and card number.
#[derive(Default)]
struct Seen {
    cccd: HashMap<String, usize>,
    card: HashMap<String, usize>,
}

impl Store {
    /// Stores an uploaded file as a new job for `unit_id` (which the caller may write);
    /// a worker analyses it next.
    #[tracing::instrument(skip(self, scope, bytes), fields(size = bytes.len()))]
    pub async fn create_import(
        &self,
        scope: &Scope,
        unit_id: i64,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<ImportJob> {
        let unit = self.unit(scope, unit_id).await?;
        scope.check_write(&unit.path)?;
        if bytes.is_empty() {
            return Err(StoreError::rule(
                "IM0101",
                "file",
                "Tệp rỗng.",
                "The file is empty.",
            ));
        }
        if bytes.len() > MAX_IMPORT_BYTES {
            return Err(StoreError::rule(
                "IM0102",
                "file",
                &format!(
                    "Tệp lớn hơn {} MB; hãy chia nhỏ.",
                    MAX_IMPORT_BYTES / 1024 / 1024
                ),
                &format!(
                    "The file is larger than {} MB; split it.",
                    MAX_IMPORT_BYTES / 1024 / 1024
                ),
            ));
        }
        let name: String = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(file_name)
            .chars()
            .take(200)
            .collect();
        // Files still kept for this unit (jobs not finished) count against its quota.
        let held: i64 = read!(self, p => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(j.file_size), 0) AS BIGINT) FROM import_job j JOIN import_file f ON f.job_id = j.job_id \
             WHERE j.unit_id = $1")
            .bind(unit.unit_id).fetch_one(p).await)?;
        if held + bytes.len() as i64 > UNIT_UPLOAD_QUOTA {
            return Err(StoreError::rule(
                "IM0103",
                "file",
                &format!(
                    "Đơn vị đang giữ {} MB tệp chờ nhập (giới hạn {} MB); hãy nhập hoặc huỷ các lần nhập đang chờ trước.",
                    held / 1024 / 1024,
                    UNIT_UPLOAD_QUOTA / 1024 / 1024
                ),
                &format!(
                    "The unit already holds {} MB of files waiting to be imported (limit {} MB); import or cancel those first.",
                    held / 1024 / 1024,
                    UNIT_UPLOAD_QUOTA / 1024 / 1024
                ),
            ));
        }
        let ts = now();
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO import_job (unit_id, path, file_name, file_size, state, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'analysing', $5, $6, $6) RETURNING job_id")
                .bind(unit.unit_id).bind(&unit.path).bind(&name).bind(bytes.len() as i64)
                .bind(scope.actor().account_id).bind(ts).fetch_one(&mut *tx).await?;
            sqlx::query("INSERT INTO import_file (job_id, bytes) VALUES ($1, $2)")
                .bind(id).bind(&bytes).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "upload", "import", Some(id), &unit.path,
                format!("Tải lên tệp {name} để nhập đoàn viên vào {}", unit.name), None, None);
            tx.commit().await?;
            id
        });
        self.import_job(scope, id).await
    }

    /// Drops the uploaded files nobody needs any more (jobs done, undone or cancelled,
    /// and failed ones after `UNCONFIRMED_DAYS`), and expires imports left unconfirmed for `UNCONFIRMED_DAYS`: their
    /// file goes too. Returns the files removed. Run by the server's worker.
    pub async fn expire_import_files(&self) -> Result<u64> {
        let ts = now();
        let cutoff = ts - time::Duration::days(UNCONFIRMED_DAYS);
        write!(self, p => sqlx::query("UPDATE import_job SET state = 'cancelled', version = version + 1, updated_at = $1, finished_at = $1, \
            error = $2 WHERE state = 'ready' AND updated_at < $3")
            .bind(ts)
            .bind(format!("Hết hạn: tệp đã xem trước nhưng không được xác nhận trong {UNCONFIRMED_DAYS} ngày nên đã bị xoá; hãy tải lên lại nếu cần."))
            .bind(cutoff).execute(p).await?.rows_affected());
        // A failed job keeps its file a while: the user may fix the column mapping.
        let n = write!(self, p => sqlx::query("DELETE FROM import_file WHERE job_id IN \
            (SELECT job_id FROM import_job WHERE state IN ('done', 'undone', 'cancelled') \
             OR (state = 'failed' AND updated_at < $1))")
            .bind(cutoff).execute(p).await?.rows_affected());
        Ok(n)
    }

    /// One job, if its unit is in the caller's read scope.
    pub async fn import_job(&self, scope: &Scope, job_id: i64) -> Result<ImportJob> {
        let j = self.import_job_unscoped(job_id).await?;
        scope.check_read(&j.path)?;
        Ok(j)
    }

    async fn import_job_unscoped(&self, job_id: i64) -> Result<ImportJob> {
        let sql = format!("{JOB_SELECT} WHERE j.job_id = $1");
        Ok(
            read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(job_id).fetch_one(p).await)?,
        )
    }

    /// The latest jobs in the caller's scope (or under one unit), newest first.
    pub async fn import_jobs(
        &self,
        scope: &Scope,
        unit_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ImportJob>> {
        let under = match unit_id {
            Some(id) => Some(self.unit(scope, id).await?.path),
            None => None,
        };
        Ok(read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(JOB_SELECT);
            qb.push(" WHERE ");
            scope.push_read_filter(&mut qb, "j.path");
            if let Some(path) = &under {
                crate::scope::push_ranges(&mut qb, " AND ", "j.path", std::slice::from_ref(path));
            }
            qb.push(" ORDER BY j.job_id DESC LIMIT ").push_bind(limit.clamp(1, 500));
            qb.build_query_as::<ImportJob>().fetch_all(p).await
        })?)
    }

    /// Rejected rows of a job in row order, a page at a time.
    pub async fn import_rejects(
        &self,
        scope: &Scope,
        job_id: i64,
        after_row: i64,
        limit: i64,
    ) -> Result<Vec<ImportReject>> {
        let job = self.import_job(scope, job_id).await?;
        let rows: Vec<(i64, String, String)> = read!(self, p => sqlx::query_as(
            "SELECT row_no, cells, problems FROM import_reject WHERE job_id = $1 AND row_no > $2 ORDER BY row_no LIMIT $3")
            .bind(job_id).bind(after_row).bind(limit).fetch_all(p).await)?;
        let mut out: Vec<ImportReject> = rows
            .into_iter()
            .map(|(row_no, c, pr)| ImportReject {
                row_no,
                cells: serde_json::from_str(&c).unwrap_or_default(),
                problems: serde_json::from_str(&pr).unwrap_or_default(),
            })
            .collect();
        // Rejected rows hold CCCD and phone numbers as typed: in full only for those who
        // may edit the subtree (and then the view is audited), masked for everyone else.
        if scope.can_write(&job.path) {
            if !out.is_empty() {
                write!(self, p => {
                    audit!(p, scope, "view_personal_data", "import_job", Some(job_id), &job.path,
                        format!("Xem các dòng bị loại (kể cả số CCCD, điện thoại) của tệp {}", job.file_name), None, None);
                });
            }
        } else {
            let personal: Vec<usize> = job
                .stored_layout()
                .map(|l| {
                    l.columns
                        .iter()
                        .filter(|(_, f)| PERSONAL_FIELDS.contains(&f.as_str()))
                        .map(|(c, _)| *c)
                        .collect()
                })
                .unwrap_or_default();
            for r in &mut out {
                for c in &personal {
                    if let Some(cell) = r.cells.get_mut(*c) {
                        *cell = mask_personal(cell);
                    }
                }
                for pr in &mut r.problems {
                    if pr
                        .field
                        .as_deref()
                        .is_some_and(|f| PERSONAL_FIELDS.contains(&f))
                    {
                        pr.value = mask_personal(&pr.value);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Moves a job from `from` states to `to` if the caller may write its unit and
    /// nobody changed it since `version` was read.
    async fn import_transition(
        &self,
        scope: &Scope,
        job_id: i64,
        version: Option<i64>,
        from: &[ImportState],
        to: ImportState,
        extra: &str,
    ) -> Result<ImportJob> {
        let j = self.import_job(scope, job_id).await?;
        scope.check_write(&j.path)?;
        if version.is_some_and(|v| v != j.version) {
            return Err(StoreError::Conflict);
        }
        if !from.contains(&j.state()) {
            return Err(StoreError::rule(
                "IM0501",
                "state",
                &format!(
                    "Không thể làm việc này khi tệp ở trạng thái «{}».",
                    j.state().label(Lang::Vi)
                ),
                &format!(
                    "Not possible while the job is “{}”.",
                    j.state().label(Lang::En)
                ),
            ));
        }
        let sql = format!(
            "UPDATE import_job SET state = $1, attempts = 0, version = version + 1, updated_at = $2{extra} \
             WHERE job_id = $3 AND version = $4"
        );
        let n = write!(self, p => sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(to.code()).bind(now())
            .bind(job_id).bind(j.version).execute(p).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        self.import_job(scope, job_id).await
    }

    /// The user's own column choice; the file is analysed again with it.
    pub async fn set_import_layout(
        &self,
        scope: &Scope,
        job_id: i64,
        version: i64,
        header_row: usize,
        columns: Vec<(usize, Field)>,
    ) -> Result<ImportJob> {
        let j = self.import_job(scope, job_id).await?;
        let headers = j.stored_layout().map(|l| l.headers).unwrap_or_default();
        let sheet = j.stored_layout().map(|l| l.sheet).unwrap_or(0);
        let layout = layout_with(header_row, headers, columns).map_err(|e| StoreError::Rule {
            code: "IM0103",
            field: "columns",
            message_vi: e.message(Lang::Vi),
            message_en: e.message(Lang::En),
        })?;
        let stored = serde_json::to_string(&StoredLayout::from_layout(sheet, &layout))
            .map_err(|e| StoreError::Config(e.to_string()))?;
        let j = self
            .import_transition(
                scope,
                job_id,
                Some(version),
                &[ImportState::Ready, ImportState::Failed],
                ImportState::Analysing,
                ", layout_manual = TRUE, error = NULL, progress = 0",
            )
            .await?;
        write!(self, p => sqlx::query("UPDATE import_job SET layout = $1 WHERE job_id = $2")
            .bind(stored).bind(job_id).execute(p).await?.rows_affected());
        Ok(j)
    }

    /// The user accepts the preview: the valid rows are imported in the background.
    pub async fn confirm_import(
        &self,
        scope: &Scope,
        job_id: i64,
        version: i64,
    ) -> Result<ImportJob> {
        let j = self.import_job(scope, job_id).await?;
        if j.state() == ImportState::Ready && j.valid_rows == 0 {
            return Err(StoreError::rule(
                "IM0502",
                "state",
                "Tệp không có dòng hợp lệ nào để nhập.",
                "The file has no valid row to import.",
            ));
        }
        let j = self
            .import_transition(
                scope,
                job_id,
                Some(version),
                &[ImportState::Ready],
                ImportState::Queued,
                "",
            )
            .await?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            audit!(&mut *tx, scope, "confirm", "import", Some(job_id), &j.path,
                format!("Xác nhận nhập {} đoàn viên từ tệp {}", j.valid_rows, j.file_name), None, None);
            tx.commit().await?;
        });
        Ok(j)
    }

    /// Drops a job that was not imported; its stored file is deleted.
    pub async fn cancel_import(
        &self,
        scope: &Scope,
        job_id: i64,
        version: i64,
    ) -> Result<ImportJob> {
        let j = self
            .import_transition(
                scope,
                job_id,
                Some(version),
                &[ImportState::Ready, ImportState::Failed],
                ImportState::Cancelled,
                "",
            )
            .await?;
        write!(self, p => sqlx::query("DELETE FROM import_file WHERE job_id = $1").bind(job_id).execute(p).await?.rows_affected());
        Ok(j)
    }

    /// Runs one waiting phase of one job, if any: analysis of a new file or the import
    /// of a confirmed one (also one a crashed worker left, once its lease ran out).
    /// `force` takes over a job whose lease has not run out (the CLI resuming by hand).
    pub async fn work_imports(
        &self,
        only: Option<i64>,
        force: bool,
        today: Date,
        progress: &mut (dyn FnMut(&ImportJob) + Send),
    ) -> Result<Option<ImportJob>> {
        let ts = now();
        // Jobs that killed their worker MAX_IMPORT_ATTEMPTS times are not taken up again.
        let exhausted = write!(self, p => sqlx::query("UPDATE import_job SET state = 'failed', error = $1, lease_until = NULL, \
            version = version + 1, updated_at = $2, finished_at = $2 \
            WHERE state IN ('analysing', 'queued', 'importing') AND attempts >= $3 AND (lease_until IS NULL OR lease_until < $2)")
            .bind(format!("Đã thử xử lý tệp {MAX_IMPORT_ATTEMPTS} lần nhưng lần nào cũng bị ngắt giữa chừng, nên hệ thống dừng lại. \
                Hãy kiểm tra tệp (chỉ giữ bảng danh sách đoàn viên) rồi tải lên lại."))
            .bind(ts).bind(MAX_IMPORT_ATTEMPTS).execute(p).await?.rows_affected());
        if exhausted > 0 {
            tracing::warn!(
                jobs = exhausted,
                "import jobs given up after repeated attempts"
            );
        }
        let claimed: Option<(i64, String)> = write!(self, p => {
            let mut qb = sqlx::QueryBuilder::new("UPDATE import_job SET attempts = attempts + 1, lease_until = ");
            qb.push_bind(ts + LEASE)
                .push(", state = CASE WHEN state = 'queued' THEN 'importing' ELSE state END WHERE job_id = (SELECT job_id FROM import_job WHERE state IN ('analysing', 'queued', 'importing')");
            if !force {
                qb.push(" AND (lease_until IS NULL OR lease_until < ").push_bind(ts).push(")");
                qb.push(" AND attempts < ").push_bind(MAX_IMPORT_ATTEMPTS);
            }
            if let Some(id) = only {
                qb.push(" AND job_id = ").push_bind(id);
            }
            qb.push(" ORDER BY job_id LIMIT 1)");
            if !force {
                qb.push(" AND (lease_until IS NULL OR lease_until < ").push_bind(ts).push(")");
            }
            qb.push(" RETURNING job_id, state");
            qb.build_query_as::<(i64, String)>().fetch_optional(p).await?
        });
        let Some((job_id, state)) = claimed else {
            return Ok(None);
        };
        let outcome = match state.as_str() {
            "analysing" => self.analyse(job_id, today, progress).await,
            _ => self.import_rows(job_id, today, progress).await,
        };
        if let Err(e) = outcome {
            tracing::error!(job_id, error = %e, "import job failed");
            let msg = match &e {
                StoreError::Rule { message_vi, .. } => message_vi.clone(),
                other => format!("Lỗi khi xử lý tệp: {other}"),
            };
            write!(self, p => sqlx::query("UPDATE import_job SET state = 'failed', error = $1, lease_until = NULL, \
                version = version + 1, updated_at = $2, finished_at = $2 WHERE job_id = $3")
                .bind(msg).bind(now()).bind(job_id).execute(p).await?.rows_affected());
        }
        self.import_job_unscoped(job_id).await.map(Some)
    }

    /// The job's file on disk for the reading thread (removed when dropped).
    async fn job_file(&self, job: &ImportJob) -> Result<TempFile> {
        let bytes: Vec<u8> = read!(self, p => sqlx::query_scalar("SELECT bytes FROM import_file WHERE job_id = $1")
            .bind(job.job_id).fetch_one(p).await)?;
        let ext = job
            .file_name
            .rsplit('.')
            .next()
            .filter(|e| e.len() <= 5)
            .unwrap_or("bin");
        let path = std::env::temp_dir().join(format!(
            "congdoan-import-{}-{}-{}.{ext}",
            std::process::id(),
            job.job_id,
            now().unix_timestamp_nanos()
        ));
        tokio::fs::write(&path, bytes)
            .await
            .map_err(|e| StoreError::Config(format!("temporary file: {e}")))?;
        Ok(TempFile(path))
    }

    /// The units rows of this job may name.
    async fn targets(&self, job: &ImportJob) -> Result<Targets> {
        let ancestors: Vec<i64> = OrgPath::parse(&job.path)?.ids().to_vec();
        let select = "SELECT u.unit_id, u.code, u.name, u.path, t.holds_members, t.is_grassroots, \
             (u.ended_on IS NOT NULL) AS ended, u.sector, u.employer_ownership \
             FROM unit u JOIN unit_type t ON t.type_code = u.type_code WHERE ";
        let units: Vec<Target> = read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(select);
            crate::scope::push_ranges(&mut qb, "", "u.path", std::slice::from_ref(&job.path));
            qb.push(" OR u.unit_id IN (");
            let mut sep = qb.separated(", ");
            for id in &ancestors {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as::<Target>().fetch_all(p).await
        })?;
        let mut t = Targets {
            by_id: HashMap::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
            target: 0,
            units,
        };
        for (i, u) in t.units.iter().enumerate() {
            t.by_id.insert(u.unit_id, i);
            if !u.path.starts_with(&job.path) {
                continue; // an ancestor: never a row's unit
            }
            t.by_code.insert(u.code.to_uppercase(), i);
            t.by_name.entry(unit_key(&u.name)).or_default().push(i);
            if u.unit_id == job.unit_id {
                t.target = i;
            }
        }
        Ok(t)
    }

    /// Checks parsed rows: units, rules, duplicates in the file and in the database.
    async fn check_rows(
        &self,
        rows: Vec<ParsedRow>,
        targets: &Targets,
        seen: &mut Seen,
        today: Date,
    ) -> Result<Checked> {
        let mut out = Checked::default();
        let mut pending: Vec<Ready> = vec![];
        for r in rows {
            let m = match r.result {
                Err(p) => {
                    out.rejects.push((
                        r.row_no,
                        r.cells,
                        p.iter().map(ImportProblem::from_sheet).collect(),
                    ));
                    continue;
                }
                Ok(m) => m,
            };
            let mut problems = row_rules(&m, today);
            let unit = match targets.resolve(&m) {
                Ok(u) => Some(u),
                Err(p) => {
                    problems.push(p);
                    None
                }
            };
            let cdcs = unit.and_then(|u| targets.cdcs_of(u));
            if let Some(c) = &m.cccd
                && let Some(first) = seen.cccd.get(c.as_str())
            {
                problems.push(dup_problem(Field::Cccd, c.as_str(), Some(*first)));
            }
            if let Some(c) = &m.card_no
                && let Some(first) = seen.card.get(&c.to_uppercase())
            {
                problems.push(dup_problem(Field::CardNo, c, Some(*first)));
            }
            match (unit, cdcs) {
                (Some(unit), Some(cdcs)) if problems.is_empty() => {
                    if let Some(c) = &m.cccd {
                        seen.cccd.insert(c.as_str().to_string(), r.row_no);
                    }
                    if let Some(c) = &m.card_no {
                        seen.card.insert(c.to_uppercase(), r.row_no);
                    }
                    pending.push(Ready {
                        row_no: r.row_no,
                        unit,
                        cdcs,
                        m,
                    });
                }
                _ => {
                    if problems.is_empty() {
                        problems.push(ImportProblem::new(
                            Some(Field::Unit),
                            "IM0205",
                            "Đơn vị này không thuộc công đoàn cơ sở nào.".into(),
                            "This unit is not inside a grassroots union.".into(),
                            "",
                        ));
                    }
                    out.rejects.push((r.row_no, row_cells(&m), problems));
                }
            }
        }
        let cccds: Vec<String> = pending
            .iter()
            .filter_map(|r| r.m.cccd.as_ref().map(|c| c.as_str().to_string()))
            .collect();
        let cards: Vec<String> = pending
            .iter()
            .filter_map(|r| r.m.card_no.as_ref().map(|c| c.to_uppercase()))
            .collect();
        let stored_cccd = stored_values(self, "cccd", &cccds).await?;
        let stored_card = stored_values(self, "card_no", &cards).await?;
        for r in pending {
            let mut problems = vec![];
            if let Some(c) =
                r.m.cccd
                    .as_ref()
                    .filter(|c| stored_cccd.contains(c.as_str()))
            {
                problems.push(dup_problem(Field::Cccd, c.as_str(), None));
            }
            if let Some(c) =
                r.m.card_no
                    .as_ref()
                    .filter(|c| stored_card.contains(&c.to_uppercase()))
            {
                problems.push(dup_problem(Field::CardNo, c, None));
            }
            if problems.is_empty() {
                out.ready.push(r);
            } else {
                out.rejects.push((r.row_no, row_cells(&r.m), problems));
            }
        }
        Ok(out)
    }

    /// Phase 1: reads the whole file, records rejected rows and the preview.
    #[tracing::instrument(skip(self, progress))]
    async fn analyse(
        &self,
        job_id: i64,
        today: Date,
        progress: &mut (dyn FnMut(&ImportJob) + Send),
    ) -> Result<()> {
        let job = self.import_job_unscoped(job_id).await?;
        let file = self.job_file(&job).await?;
        let targets = self.targets(&job).await?;
        let layout = if job.layout_manual {
            job.stored_layout()
        } else {
            None
        };
        write!(self, p => sqlx::query("DELETE FROM import_reject WHERE job_id = $1").bind(job_id).execute(p).await?.rows_affected());
        let (tx, mut rx) = mpsc::channel(4);
        let path = file.0.clone();
        let reader = tokio::task::spawn_blocking(move || read_file(path, layout, 0, tx));
        let mut seen = Seen::default();
        let (mut total, mut valid, mut rejected) = (0i64, 0i64, 0i64);
        let mut preview: Vec<PreviewRow> = vec![];
        let mut stored_layout = None;
        let mut legacy = None;
        while let Some(msg) = rx.recv().await {
            match msg {
                Parsed::Failed(m) => {
                    return Err(StoreError::Rule {
                        code: "IM0104",
                        field: "file",
                        message_vi: m.clone(),
                        message_en: m,
                    });
                }
                Parsed::Layout(l, lg) => {
                    stored_layout = Some(l);
                    legacy = lg;
                }
                Parsed::Rows(rows) => {
                    total += rows.len() as i64;
                    let checked = self.check_rows(rows, &targets, &mut seen, today).await?;
                    valid += checked.ready.len() as i64;
                    rejected += checked.rejects.len() as i64;
                    for r in checked
                        .ready
                        .iter()
                        .take(PREVIEW_ROWS.saturating_sub(preview.len()))
                    {
                        preview.push(preview_row(r, &targets));
                    }
                    let ts = now();
                    write!(self, p => {
                        let mut tx = p.begin().await?;
                        insert_rejects!(tx, job_id, checked.rejects);
                        sqlx::query("UPDATE import_job SET progress = $1, lease_until = $2 WHERE job_id = $3")
                            .bind(total).bind(ts + LEASE).bind(job_id).execute(&mut *tx).await?;
                        tx.commit().await?;
                    });
                    let mut j = job.clone();
                    j.progress = total;
                    progress(&j);
                }
            }
        }
        let _ = reader.await;
        let layout_json = stored_layout
            .map(|l| serde_json::to_string(&l))
            .transpose()
            .map_err(|e| StoreError::Config(e.to_string()))?;
        let preview_json =
            serde_json::to_string(&preview).map_err(|e| StoreError::Config(e.to_string()))?;
        write!(self, p => sqlx::query(
            "UPDATE import_job SET state = 'ready', layout = $1, legacy = $2, total_rows = $3, valid_rows = $4, \
             rejected_rows = $5, progress = $3, preview = $6, error = NULL, lease_until = NULL, attempts = 0, version = version + 1, \
             updated_at = $7 WHERE job_id = $8")
            .bind(layout_json).bind(legacy_code(legacy)).bind(total).bind(valid).bind(rejected).bind(preview_json)
            .bind(now()).bind(job_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Phase 2: writes the valid rows in chunks, each with the job's resume point.
    #[tracing::instrument(skip(self, progress))]
    async fn import_rows(
        &self,
        job_id: i64,
        today: Date,
        progress: &mut (dyn FnMut(&ImportJob) + Send),
    ) -> Result<()> {
        let mut job = self.import_job_unscoped(job_id).await?;
        let resume: i64 = read!(self, p => sqlx::query_scalar("SELECT resume_row FROM import_job WHERE job_id = $1")
            .bind(job_id).fetch_one(p).await)?;
        let file = self.job_file(&job).await?;
        let targets = self.targets(&job).await?;
        let rejected: HashSet<i64> = read!(self, p => sqlx::query_scalar("SELECT row_no FROM import_reject WHERE job_id = $1")
            .bind(job_id).fetch_all(p).await)?.into_iter().collect();
        let actor: (Option<i64>, String) = read!(self, p => sqlx::query_as(
            "SELECT j.created_by, COALESCE(a.username, 'system') FROM import_job j LEFT JOIN account a ON a.account_id = j.created_by WHERE j.job_id = $1")
            .bind(job_id).fetch_one(p).await)?;
        let scope = Scope::admin(Actor {
            account_id: actor.0,
            username: actor.1,
        });
        let (tx, mut rx) = mpsc::channel(4);
        let path = file.0.clone();
        let layout = job.stored_layout();
        let reader = tokio::task::spawn_blocking(move || {
            read_file(path, layout, resume.max(0) as usize, tx)
        });
        // Rows rejected at analysis stay rejected; the first occurrence of a CCCD
        // was accepted then, so later repeats are already among the rejected.
        let mut seen = Seen::default();
        let mut chunk: Vec<Ready> = vec![];
        let mut late: Vec<(usize, Vec<String>, Vec<ImportProblem>)> = vec![];
        let mut last_row = 0usize;
        loop {
            let msg = rx.recv().await;
            let end = msg.is_none();
            match msg {
                Some(Parsed::Failed(m)) => {
                    return Err(StoreError::Rule {
                        code: "IM0104",
                        field: "file",
                        message_vi: m.clone(),
                        message_en: m,
                    });
                }
                Some(Parsed::Layout(..)) => continue,
                Some(Parsed::Rows(rows)) => {
                    last_row = rows.last().map(|r| r.row_no).unwrap_or(last_row);
                    let rows: Vec<ParsedRow> = rows
                        .into_iter()
                        .filter(|r| !rejected.contains(&(r.row_no as i64)))
                        .collect();
                    let checked = self.check_rows(rows, &targets, &mut seen, today).await?;
                    chunk.extend(checked.ready);
                    late.extend(checked.rejects);
                }
                None => {}
            }
            if chunk.len() >= CHUNK_ROWS || (end && (!chunk.is_empty() || !late.is_empty())) {
                let n = self
                    .write_chunk(&job, &targets, &chunk, &late, last_row + 1, today)
                    .await?;
                job.imported += n;
                job.progress += n;
                chunk.clear();
                late.clear();
                progress(&job);
            }
            if end {
                break;
            }
        }
        let _ = reader.await;
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE import_job SET state = 'done', lease_until = NULL, version = version + 1, updated_at = $1, \
                         finished_at = $1 WHERE job_id = $2")
                .bind(now()).bind(job_id).execute(&mut *tx).await?;
            let imported: i64 = sqlx::query_scalar("SELECT imported FROM import_job WHERE job_id = $1")
                .bind(job_id).fetch_one(&mut *tx).await?;
            audit!(&mut *tx, &scope, "import", "import", Some(job_id), &job.path,
                format!("Nhập {imported} đoàn viên từ tệp {} vào {}", job.file_name, job.unit_name), None, None);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Writes one chunk: members, their first event, unit counts, figures, late
    /// rejections and the job's resume point, all in one transaction.
    async fn write_chunk(
        &self,
        job: &ImportJob,
        targets: &Targets,
        rows: &[Ready],
        late: &[(usize, Vec<String>, Vec<ImportProblem>)],
        resume_row: usize,
        today: Date,
    ) -> Result<i64> {
        let ts = now();
        let job_id = job.job_id;
        let account = read!(self, p => sqlx::query_scalar::<_, Option<i64>>("SELECT created_by FROM import_job WHERE job_id = $1")
            .bind(job_id).fetch_one(p).await)?;
        let unit_ids: Vec<i64> = {
            let mut v: Vec<i64> = rows.iter().map(|r| targets.units[r.unit].unit_id).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let lock = match self.engine() {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR SHARE",
        };
        let n = write!(self, p => {
            let mut tx = p.begin().await?;
            // Paths as they are now (a unit may have moved since the analysis).
            let mut paths: HashMap<i64, String> = HashMap::new();
            for ids in unit_ids.chunks(900) {
                let mut qb = sqlx::QueryBuilder::new("SELECT unit_id, path FROM unit WHERE unit_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                qb.push(")").push(lock);
                for (id, path) in qb.build_query_as::<(i64, String)>().fetch_all(&mut *tx).await? {
                    paths.insert(id, path);
                }
            }
            let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(member_id), 0) FROM member WHERE import_job_id = $1")
                .bind(job_id).fetch_one(&mut *tx).await?;
            let mut delta = StatDelta::default();
            let mut direct: HashMap<i64, i64> = HashMap::new();
            for part in rows.chunks(INSERT_ROWS) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO member (unit_id, cdcs_id, fts_top, full_name, search_key, sort_key, birth_date, sex, cccd, phone, \
                     ethnicity, nationality, job_title, employer_name, card_no, join_date, party_member, status, status_since, \
                     import_job_id, created_at, updated_at) ");
                qb.push_values(part, |mut b, r| {
                    let u = &targets.units[r.unit];
                    let c = &targets.units[r.cdcs];
                    let name = r.m.name.as_str();
                    b.push_bind(u.unit_id).push_bind(c.unit_id).push_bind(paths.get(&u.unit_id).and_then(|p| crate::scope::fts_top(p).ok()).unwrap_or(0))
                        .push_bind(name.to_string()).push_bind(fold(name)).push_bind(name_sort_key(name))
                        .push_bind(r.m.birth_date).push_bind(r.m.sex.code())
                        .push_bind(r.m.cccd.as_ref().map(|c| c.as_str().to_string()))
                        .push_bind(r.m.phone.as_ref().map(|c| c.as_str().to_string()))
                        .push_bind(r.m.ethnicity.clone()).push_bind(r.m.nationality.clone()).push_bind(r.m.job_title.clone())
                        .push_bind(r.m.employer.clone()).push_bind(r.m.card_no.as_ref().map(|c| c.to_uppercase()))
                        .push_bind(r.m.join_date).push_bind(r.m.party_member).push_bind("member")
                        .push_bind(r.m.join_date.unwrap_or(today)).push_bind(job_id).push_bind(ts).push_bind(ts);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for r in rows {
                let u = &targets.units[r.unit];
                let c = &targets.units[r.cdcs];
                *direct.entry(u.unit_id).or_default() += 1;
                let path = paths.get(&u.unit_id).ok_or(StoreError::NotFound)?;
                delta.member(path, &MemberFacts {
                    status: "member", sex: r.m.sex.code(), birth_year: r.m.birth_date.year(), party: r.m.party_member,
                    sector: c.sector.as_deref(), ownership: c.employer_ownership.as_deref(),
                }, 1)?;
            }
            sqlx::query("INSERT INTO member_event (member_id, kind, on_date, from_status, to_status, unit_id, reason, recorded_at, recorded_by) \
                         SELECT member_id, 'admit', status_since, NULL, 'member', unit_id, $1, $2, $3 FROM member \
                         WHERE import_job_id = $4 AND member_id > $5")
                .bind(format!("Nhập từ tệp {}", job.file_name)).bind(ts).bind(account).bind(job_id).bind(before)
                .execute(&mut *tx).await?;
            for (unit_id, n) in &direct {
                sqlx::query("UPDATE unit SET direct_members = direct_members + $1 WHERE unit_id = $2")
                    .bind(*n).bind(*unit_id).execute(&mut *tx).await?;
            }
            apply_stats!(tx, delta);
            insert_rejects!(tx, job_id, late);
            let n = rows.len() as i64;
            sqlx::query("UPDATE import_job SET imported = imported + $1, progress = progress + $1, resume_row = $2, \
                         rejected_rows = rejected_rows + $3, valid_rows = valid_rows - $3, lease_until = $4, updated_at = $5 \
                         WHERE job_id = $6")
                .bind(n).bind(resume_row as i64).bind(late.len() as i64).bind(ts + LEASE).bind(ts).bind(job_id)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            n
        });
        Ok(n)
    }

    /// Removes every member a finished job added, with their figures, in one
    /// transaction; refused once any of them has a later history or a post.
    #[tracing::instrument(skip(self, scope))]
    pub async fn undo_import(&self, scope: &Scope, job_id: i64, version: i64) -> Result<ImportJob> {
        let j = self.import_job(scope, job_id).await?;
        scope.check_write(&j.path)?;
        if j.version != version {
            return Err(StoreError::Conflict);
        }
        if j.state() != ImportState::Done {
            return Err(StoreError::rule(
                "IM0503",
                "state",
                "Chỉ hoàn tác được lần nhập đã xong.",
                "Only a finished import can be undone.",
            ));
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            let changed: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM member m WHERE m.import_job_id = $1 AND (m.version > 1 \
                 OR EXISTS (SELECT 1 FROM member_event e WHERE e.member_id = m.member_id AND e.kind <> 'admit') \
                 OR EXISTS (SELECT 1 FROM position_assignment x WHERE x.member_id = m.member_id))")
                .bind(job_id).fetch_one(&mut *tx).await?;
            if changed > 0 {
                return Err(StoreError::rule(
                    "IM0504",
                    "state",
                    &format!("Không hoàn tác được: {changed} đoàn viên của lần nhập này đã được sửa, chuyển sinh hoạt hoặc giữ chức vụ."),
                    &format!("Cannot undo: {changed} members of this import were edited since, moved or hold a post."),
                ));
            }
            let rows: Vec<ImportedFacts> = sqlx::query_as(
                "SELECT m.unit_id, u.path, m.sex, m.birth_date, m.party_member, c.sector, c.employer_ownership \
                 FROM member m JOIN unit c ON c.unit_id = m.cdcs_id JOIN unit u ON u.unit_id = m.unit_id WHERE m.import_job_id = $1")
                .bind(job_id).fetch_all(&mut *tx).await?;
            let mut delta = StatDelta::default();
            let mut direct: HashMap<i64, i64> = HashMap::new();
            for (unit_id, path, sex, birth, party, sector, ownership) in &rows {
                *direct.entry(*unit_id).or_default() += 1;
                delta.member(path, &MemberFacts {
                    status: "member", sex, birth_year: birth.year(), party: *party,
                    sector: sector.as_deref(), ownership: ownership.as_deref(),
                }, -1)?;
            }
            sqlx::query("DELETE FROM member_event WHERE member_id IN (SELECT member_id FROM member WHERE import_job_id = $1)")
                .bind(job_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM member WHERE import_job_id = $1").bind(job_id).execute(&mut *tx).await?;
            for (unit_id, n) in &direct {
                sqlx::query("UPDATE unit SET direct_members = direct_members - $1 WHERE unit_id = $2")
                    .bind(*n).bind(*unit_id).execute(&mut *tx).await?;
            }
            apply_stats!(tx, delta);
            sqlx::query("UPDATE import_job SET state = 'undone', version = version + 1, updated_at = $1 WHERE job_id = $2")
                .bind(now()).bind(job_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "undo", "import", Some(job_id), &j.path,
                format!("Hoàn tác lần nhập tệp {}: xoá {} đoàn viên", j.file_name, rows.len()), None, None);
            tx.commit().await?;
        });
        self.import_job(scope, job_id).await
    }
}

fn preview_row(r: &Ready, targets: &Targets) -> PreviewRow {
    PreviewRow {
        row: r.row_no,
        full_name: r.m.name.as_str().to_string(),
        birth_date: format_vn_date(r.m.birth_date),
        sex: r.m.sex.code().to_string(),
        cccd: r.m.cccd.as_ref().map(Cccd::masked),
        phone: r.m.phone.as_ref().map(PhoneVn::masked),
        unit_name: targets.units[r.unit].name.clone(),
        join_date: r.m.join_date.map(format_vn_date),
        card_no: r.m.card_no.clone(),
        notes: r.m.notes.clone(),
    }
}

/// What undo needs of an imported member: unit, path, sex, birth, party, and the
/// sector and ownership of its CĐCS.
type ImportedFacts = (
    i64,
    String,
    String,
    Date,
    bool,
    Option<String>,
    Option<String>,
);

/// A temporary copy of an uploaded file, deleted when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::mask_personal;

    #[test]
    fn personal_values_keep_their_ends_only() {
        assert_eq!(mask_personal("001234567890"), "001******890");
        assert_eq!(mask_personal(" 0912345678 "), "091****678");
        assert_eq!(mask_personal("12345"), "*****");
        assert_eq!(mask_personal(""), "");
    }
}
