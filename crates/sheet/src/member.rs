//! One sheet row → one typed member row, or every problem that stops it.
//!
//! Validation itself is the domain crate's (names, CCCD, phones, dates);
//! this module undoes what spreadsheets do to values (numbers that lost
//! their leading zeros, Excel serial dates, two-digit years, "x" marks) and
//! says precisely which cell is wrong.

use congdoan_domain::{
    Cccd, DomainError, ErrorCode, Lang, MemberStatus, PersonName, PhoneVn, Sex, fold, nfc,
    parse_vn_date,
};
use time::macros::{date, offset};
use time::{Date, Duration, OffsetDateTime};

use crate::cell::{Cell, number_text};
use crate::layout::{Field, Layout, classify_header};
use crate::legacy::Legacy;

/// A member row as parsed: typed values, or the problems that stop it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    /// 1-based row number as Excel shows it.
    pub row: usize,
    pub name: PersonName,
    /// A year-only value becomes 01/01 of that year, flagged in `notes`.
    pub birth_date: Date,
    pub sex: Sex,
    pub cccd: Option<Cccd>,
    pub phone: Option<PhoneVn>,
    pub unit: Option<String>,
    pub unit_code: Option<String>,
    pub join_date: Option<Date>,
    pub card_no: Option<String>,
    pub ethnicity: Option<String>,
    pub nationality: Option<String>,
    pub job_title: Option<String>,
    pub employer: Option<String>,
    pub party_member: bool,
    /// From a "Trạng thái" column, when the file has one.
    pub status: Option<MemberStatus>,
    pub note: Option<String>,
    /// Non-blocking remarks in Vietnamese (e.g. "chỉ có năm sinh").
    pub notes: Vec<String>,
}

/// One reason a row cannot be imported, tied to its cell.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    /// 1-based row number as Excel shows it.
    pub row: usize,
    pub field: Option<Field>,
    /// Stable code: a domain code (VL…) when a domain rule failed, SR… for
    /// spreadsheet-specific problems.
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
    /// The cell's text as read (decoded from TCVN3/VNI if needed).
    pub value: String,
}

impl RowProblem {
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.message_vi,
            Lang::En => &self.message_en,
        }
    }

    fn own(row: usize, field: Field, code: &'static str, vi: &str, en: &str, value: &str) -> Self {
        RowProblem {
            row,
            field: Some(field),
            code,
            message_vi: format!("{}: {vi}", field.label(Lang::Vi)),
            message_en: format!("{}: {en}", field.label(Lang::En)),
            value: value.to_owned(),
        }
    }

    /// A domain failure, worded with the label of the column it came from.
    fn domain(row: usize, field: Field, code: ErrorCode, value: &str) -> Self {
        let err = DomainError::new(code, field.code());
        let detail = |lang| {
            let m = err.message(lang);
            match m.split_once(": ") {
                Some((_, d)) => d.to_owned(),
                None => m,
            }
        };
        RowProblem {
            row,
            field: Some(field),
            code: code.code(),
            message_vi: format!("{}: {}", field.label(Lang::Vi), detail(Lang::Vi)),
            message_en: format!("{}: {}", field.label(Lang::En), detail(Lang::En)),
            value: value.to_owned(),
        }
    }
}

/// Codes of spreadsheet-specific row problems.
pub mod codes {
    /// A 9-digit CMND where a 12-digit CCCD is required.
    pub const CMND_NOT_CCCD: &str = "SR001";
    /// Excel turned the ID into scientific notation and lost digits.
    pub const CCCD_SCIENTIFIC: &str = "SR002";
    /// Both the "Nam" and the "Nữ" column are filled.
    pub const SEX_BOTH_MARKED: &str = "SR003";
    /// A "Nam"/"Nữ" column holds neither a date nor a mark.
    pub const SEX_MARK_UNREADABLE: &str = "SR004";
    pub const PARTY_MEMBER_INVALID: &str = "SR005";
    pub const JOIN_BEFORE_BIRTH: &str = "SR006";
    /// 10 or 11 digits that are not a CCCD whose leading zeros Excel dropped.
    pub const CCCD_WRONG_LENGTH: &str = "SR007";
}

/// Today in Vietnam (UTC+7): "in the future" is judged by the users' day.
fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(offset!(+7)).date()
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct ReadDate {
    date: Date,
    year_only: bool,
    two_digit_year: bool,
}

/// Years accepted for year-only values and Excel serials.
const SERIAL_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Excel's 1900 date system: serial 1 = 01/01/1900, and Excel counts a
/// 29/02/1900 that never existed (serial 60), so later serials are one day
/// ahead of a plain count.
fn serial_date(n: f64) -> Result<Date, ErrorCode> {
    if !n.is_finite() || n < 1.0 {
        return Err(ErrorCode::DateYearRange);
    }
    if n >= 80_000.0 {
        return Err(ErrorCode::DateYearRange);
    }
    let days = n.floor() as i64;
    let date = match days {
        60 => return Err(ErrorCode::DateImpossible),
        d if d < 60 => date!(1899 - 12 - 31) + Duration::days(d),
        d => date!(1899 - 12 - 30) + Duration::days(d),
    };
    if SERIAL_YEARS.contains(&date.year()) {
        Ok(date)
    } else {
        Err(ErrorCode::DateYearRange)
    }
}

fn year_only(y: i64) -> Result<ReadDate, ErrorCode> {
    let y = i32::try_from(y).map_err(|_| ErrorCode::DateYearRange)?;
    if !SERIAL_YEARS.contains(&y) {
        return Err(ErrorCode::DateYearRange);
    }
    let date = Date::from_calendar_date(y, time::Month::January, 1)
        .map_err(|_| ErrorCode::DateYearRange)?;
    Ok(ReadDate {
        date,
        year_only: true,
        two_digit_year: false,
    })
}

fn read_date(cell: &Cell, today: Date) -> Result<ReadDate, ErrorCode> {
    let plain = |date| ReadDate {
        date,
        year_only: false,
        two_digit_year: false,
    };
    match cell {
        Cell::Empty => Err(ErrorCode::Required),
        Cell::Bool(_) => Err(ErrorCode::DateFormat),
        Cell::Date(d) => {
            if SERIAL_YEARS.contains(&d.year()) {
                Ok(plain(*d))
            } else {
                Err(ErrorCode::DateYearRange)
            }
        }
        Cell::Number(n) => {
            if n.fract() == 0.0 && (1000.0..=2999.0).contains(n) {
                year_only(*n as i64)
            } else {
                serial_date(*n).map(plain)
            }
        }
        Cell::Text(s) => read_date_text(s, today),
    }
}

fn read_date_text(s: &str, today: Date) -> Result<ReadDate, ErrorCode> {
    let s = s.trim().trim_start_matches('\'').trim();
    if s.is_empty() {
        return Err(ErrorCode::Required);
    }
    // "05/07/1985 00:00:00" and ISO "1985-07-05T00:00:00": drop the time.
    let s = match s.split_once([' ', 'T']) {
        Some((d, t)) if t.contains(':') => d,
        _ => s,
    };
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return match s.len() {
            4 => year_only(s.parse::<i64>().map_err(|_| ErrorCode::DateFormat)?),
            // A serial number that lost its date format on the way to CSV.
            5 => serial_date(s.parse::<f64>().map_err(|_| ErrorCode::DateFormat)?).map(|date| {
                ReadDate {
                    date,
                    year_only: false,
                    two_digit_year: false,
                }
            }),
            _ => Err(ErrorCode::DateFormat),
        };
    }
    let mut two_digit_year = false;
    let mut text = s.to_owned();
    if let Some(sep) = s.chars().find(|c| matches!(c, '/' | '-' | '.')) {
        let parts: Vec<&str> = s.split(sep).collect();
        if let [d, m, y] = parts[..]
            && y.len() == 2
            && d.len() <= 2
            && y.bytes().all(|b| b.is_ascii_digit())
        {
            let yy: i32 = y.parse().map_err(|_| ErrorCode::DateFormat)?;
            let century = if yy <= today.year() - 2000 {
                2000
            } else {
                1900
            };
            text = format!("{d}/{m}/{}", century + yy);
            two_digit_year = true;
        }
    }
    let date = parse_vn_date(&text, "date").map_err(|e| e.code)?;
    if !SERIAL_YEARS.contains(&date.year()) {
        return Err(ErrorCode::DateYearRange);
    }
    Ok(ReadDate {
        date,
        year_only: false,
        two_digit_year,
    })
}

/// Dates as users type them: date cells; Excel serial numbers (1900 date
/// system, 1900-02-29 refused, years 1900–2100); "dd/mm/yyyy", "d/m/yyyy",
/// "d/m/yy" (two-digit years up to this year's are 20yy, others 19yy),
/// "dd-mm-yyyy", "dd.mm.yyyy", "yyyy-mm-dd", and a year alone ("1985",
/// returned as 01/01 with the flag set).
#[allow(clippy::result_unit_err)] // the signature the callers code against
pub fn parse_date_cell(cell: &Cell) -> Result<(Date, bool), ()> {
    read_date(cell, today())
        .map(|r| (r.date, r.year_only))
        .map_err(|_| ())
}

/// Sex as written: "Nam", "Nữ", "nu", "M", "F", "male", "female" (the
/// domain's words), plus "Phái nữ"-style and "Nữ giới"-style variants.
fn read_sex(text: &str) -> Result<Sex, ErrorCode> {
    match Sex::parse(text) {
        Ok(s) => Ok(s),
        Err(e) => match fold(text).as_str() {
            "nam gioi" | "trai" | "phai nam" => Ok(Sex::Male),
            "nu gioi" | "gai" | "phai nu" => Ok(Sex::Female),
            _ => Err(e.code),
        },
    }
}

/// A tick in a "Nam" or "Nữ" column.
fn is_mark(text: &str) -> bool {
    let t = text.trim();
    matches!(t, "✓" | "✔" | "√" | "+" | "*")
        || matches!(
            fold(t).as_str(),
            "x" | "v" | "1" | "co" | "nam" | "nu" | "m" | "f"
        )
}

/// Words that start the rows below a list: totals and signature blocks.
fn is_footer_text(folded: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "tong cong",
        "tong so",
        "nguoi lap",
        "lap bieu",
        "nguoi ky",
        "thu truong",
        "ky ten",
        "ky ghi ro",
        "ky va ghi ro",
        "xac nhan",
        "t m ",
        "tm ban",
        "tm ",
        "chu tich",
        "pho chu tich",
        "ke toan",
        "giam doc",
        "truong ban",
    ];
    folded == "tong"
        || folded == "cong"
        || folded.starts_with("cong ") && folded[5..].starts_with(|c: char| c.is_ascii_digit())
        || PREFIXES.iter().any(|p| folded.starts_with(p))
        || (folded.contains("ngay ") && folded.contains(" thang ") && folded.contains(" nam "))
}

/// Whether a row holds something only a member row would (a date, a year, a long
/// number): below a signature block, rows without it are the signers' names.
pub fn row_has_member_data(cells: &[Cell]) -> bool {
    cells.iter().any(looks_like_data)
}

/// Whether a cell holds something only a member row would: a date, a
/// year, a long number (CCCD, phone).
fn looks_like_data(cell: &Cell) -> bool {
    match cell {
        Cell::Date(_) => true,
        Cell::Number(n) => *n >= 1900.0,
        Cell::Text(s) => {
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            digits >= 9 || (digits >= 4 && read_date_text(s, today()).is_ok())
        }
        _ => false,
    }
}

/// A total line ("Tổng cộng: 25 đoàn viên") or a signature block ("Người
/// lập biểu", "TM. Ban Chấp hành", "Hà Nội, ngày … tháng … năm …"). An
/// importer can stop reading at the first such row: what follows is
/// signatures, not members.
pub fn is_footer_row(cells: &[Cell], legacy: Option<Legacy>) -> bool {
    // Cheap test first: member rows nearly always hold a date or an ID.
    if cells.iter().any(looks_like_data) {
        return false;
    }
    let texts: Vec<String> = cells
        .iter()
        .filter_map(|c| match c {
            Cell::Text(s) => Some(fold(&decode(s, legacy))),
            _ => None,
        })
        .collect();
    texts.iter().any(|t| is_footer_text(t))
}

fn decode(s: &str, legacy: Option<Legacy>) -> String {
    match legacy {
        Some(l) => l.decode(s),
        None => s.to_owned(),
    }
}

/// "(3)", "3", "[3]": the column-number row under some official headers.
fn is_column_number(cell: &Cell) -> bool {
    match cell {
        Cell::Number(n) => n.fract() == 0.0 && (0.0..1000.0).contains(n),
        Cell::Text(s) => {
            let t = s.trim().trim_matches(['(', ')', '[', ']', '.']);
            !t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// A group label such as "I. TỔ VĂN PHÒNG" or "Tổ Bảo vệ" on a row of its
/// own, in the name column.
fn is_section_title(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "Tổ", "TỔ", "Phòng", "PHÒNG", "Khoa", "KHOA", "Ban", "BAN", "Bộ", "BỘ", "Xưởng", "XƯỞNG",
        "Đơn", "ĐƠN", "Nhóm", "NHÓM", "Đội", "ĐỘI", "Khối", "KHỐI", "Chi", "CHI", "Phân", "PHÂN",
        "Công", "CÔNG",
    ];
    let first = text.split_whitespace().next().unwrap_or("");
    let roman = first.len() <= 5
        && first.ends_with(['.', ')', '/'])
        && first[..first.len() - 1]
            .chars()
            .all(|c| matches!(c, 'I' | 'V' | 'X' | 'A'..='H'));
    roman || WORDS.contains(&first)
}

/// Parses one sheet row with a layout.
///
/// `row_no` is the 1-based row number as Excel shows it (the index from
/// [`crate::Workbook::rows`] plus one); rows up to the header give
/// Ok(None), so all rows may be passed. Blank rows and rows that are
/// clearly not data (only an STT, a repeated header, column numbers
/// "(1) (2) …", a group title, a "Tổng cộng" total line, a signature block)
/// give Ok(None). Otherwise Ok(Some(row)), or Err with every problem of the
/// row, each naming its field and the value.
pub fn parse_member_row(
    row_no: usize,
    cells: &[Cell],
    layout: &Layout,
    legacy: Option<Legacy>,
) -> Result<Option<MemberRow>, Vec<RowProblem>> {
    parse_row_on(row_no, cells, layout, legacy, today())
}

struct RowCtx<'a> {
    row: usize,
    layout: &'a Layout,
    cells: Vec<(Field, Cell)>,
    problems: Vec<RowProblem>,
    notes: Vec<String>,
    today: Date,
    /// Digits of a CCCD that got its lost leading zeros back (10 or 11).
    cccd_padded_from: Option<usize>,
}

impl RowCtx<'_> {
    fn cell(&self, field: Field) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|(f, c)| *f == field && !c.is_empty())
            .map(|(_, c)| c)
    }

    fn text(&self, field: Field) -> Option<String> {
        self.cell(field)
            .map(|c| nfc(&c.as_text()))
            .filter(|s| !s.is_empty())
    }

    fn value(&self, field: Field) -> String {
        self.cell(field).map(Cell::as_text).unwrap_or_default()
    }

    fn domain(&mut self, field: Field, code: ErrorCode) {
        let value = self.value(field);
        self.problems
            .push(RowProblem::domain(self.row, field, code, &value));
    }

    fn own(&mut self, field: Field, code: &'static str, vi: &str, en: &str) {
        let value = self.value(field);
        self.problems
            .push(RowProblem::own(self.row, field, code, vi, en, &value));
    }
}

fn parse_row_on(
    row_no: usize,
    cells: &[Cell],
    layout: &Layout,
    legacy: Option<Legacy>,
    today: Date,
) -> Result<Option<MemberRow>, Vec<RowProblem>> {
    if row_no == 0 || row_no - 1 <= layout.header_row {
        return Ok(None);
    }
    let mapped: Vec<(Field, Cell)> = layout
        .columns
        .iter()
        .map(|&(col, field)| {
            let cell = match cells.get(col) {
                Some(Cell::Text(s)) => match legacy {
                    Some(l) => Cell::Text(l.decode(s)),
                    None => Cell::Text(s.clone()),
                },
                Some(c) => c.clone(),
                None => Cell::Empty,
            };
            (field, cell)
        })
        .collect();
    if is_not_data(&mapped, cells, legacy) {
        return Ok(None);
    }
    let mut ctx = RowCtx {
        row: row_no,
        layout,
        cells: mapped,
        problems: Vec::new(),
        notes: Vec::new(),
        today,
        cccd_padded_from: None,
    };
    let name = read_name(&mut ctx);
    let birth = read_birth(&mut ctx);
    let sex_read = read_sex_columns(&mut ctx);
    let birth = birth.or(sex_read.birth);
    let (cccd, cccd_value) = read_cccd(&mut ctx);
    let sex = match sex_read.sex {
        Some(s) => Some(s),
        None if sex_read.missing_reported => None,
        None => match &cccd {
            Some(c) => {
                ctx.notes
                    .push("Không có giới tính; đã suy ra từ số CCCD.".to_owned());
                Some(if digit_at(c.as_str(), 3).is_multiple_of(2) {
                    Sex::Male
                } else {
                    Sex::Female
                })
            }
            None => {
                ctx.domain(Field::Sex, ErrorCode::Required);
                None
            }
        },
    };
    if birth.is_none() && !ctx.problems.iter().any(|p| is_birth_field(p.field)) {
        ctx.domain(birth_field(layout), ErrorCode::Required);
    }
    if let (Some(c), Some(b), Some(s)) = (&cccd, birth, sex)
        && let Err(e) = c.check_against(b, s)
    {
        match ctx.cccd_padded_from {
            // The zero put back in front did not give this person's number: the
            // likelier mistake is a digit missing, so say that rather than a mismatch.
            Some(len) => {
                ctx.notes.retain(|n| !n.starts_with("Số CCCD bị mất số 0"));
                cccd_wrong_length(&mut ctx, len);
            }
            None => ctx.problems.push(RowProblem::domain(
                ctx.row,
                Field::Cccd,
                e.code,
                &cccd_value,
            )),
        }
    }
    let phone = read_phone(&mut ctx);
    let join_date = read_join(&mut ctx, birth);
    let party_member = read_party(&mut ctx);
    let status = match ctx.text(Field::Status) {
        Some(t) => match MemberStatus::parse(&t) {
            Ok(s) => Some(s),
            Err(e) => {
                ctx.domain(Field::Status, e.code);
                None
            }
        },
        None => None,
    };
    let text = |f| ctx.text(f);
    let row = match (name, birth, sex) {
        (Some(name), Some(birth_date), Some(sex)) => Some(MemberRow {
            row: row_no,
            name,
            birth_date,
            sex,
            cccd,
            phone,
            unit: text(Field::Unit),
            unit_code: text(Field::UnitCode),
            join_date,
            card_no: text(Field::CardNo),
            ethnicity: text(Field::Ethnicity),
            nationality: text(Field::Nationality),
            job_title: text(Field::JobTitle),
            employer: text(Field::Employer),
            party_member,
            status,
            note: text(Field::Note),
            notes: ctx.notes.clone(),
        }),
        _ => None,
    };
    match row {
        Some(r) if ctx.problems.is_empty() => Ok(Some(r)),
        _ => {
            // In the order of the columns, as the user reads the row.
            let mut problems = ctx.problems;
            problems.sort_by_key(|p| {
                p.field
                    .and_then(|f| layout.column_of(f))
                    .unwrap_or(usize::MAX)
            });
            Err(problems)
        }
    }
}

fn is_birth_field(f: Option<Field>) -> bool {
    matches!(
        f,
        Some(Field::BirthDate | Field::BirthDateIfMale | Field::BirthDateIfFemale)
    )
}

/// The field to blame for a missing birth date.
fn birth_field(layout: &Layout) -> Field {
    [
        Field::BirthDate,
        Field::BirthDateIfMale,
        Field::BirthDateIfFemale,
    ]
    .into_iter()
    .find(|f| layout.has(*f))
    .unwrap_or(Field::BirthDate)
}

fn digit_at(s: &str, i: usize) -> u8 {
    s.as_bytes().get(i).map_or(0, |b| b.wrapping_sub(b'0'))
}

fn is_not_data(mapped: &[(Field, Cell)], cells: &[Cell], legacy: Option<Legacy>) -> bool {
    let filled: Vec<&(Field, Cell)> = mapped.iter().filter(|(_, c)| !c.is_empty()).collect();
    if filled.iter().all(|(f, _)| *f == Field::Seq) {
        return true;
    }
    let name = filled.iter().find(|(f, _)| {
        matches!(
            f,
            Field::FullName | Field::FamilyAndMiddle | Field::GivenName
        )
    });
    if let Some((_, c)) = name {
        let text = c.as_text();
        // "Tòng Công Huy" (a Thái family name) folds like "Tổng cộng": a row that
        // holds a date or an ID is a person, whatever the name reads like.
        if is_footer_text(&fold(&text)) && !cells.iter().any(looks_like_data) {
            return true;
        }
        let non_seq = filled.iter().filter(|(f, _)| *f != Field::Seq).count();
        if non_seq == 1 && is_section_title(&text) {
            return true;
        }
    }
    if filled.iter().all(|(_, c)| is_column_number(c)) {
        return true;
    }
    // A header repeated on each printed page (looked at only when the
    // name cell reads as its own header, to keep the common path cheap).
    if let Some((f, c)) = name
        && classify_header(&c.as_text()) == Some(*f)
    {
        let repeated = filled
            .iter()
            .filter(|(f, c)| classify_header(&c.as_text()) == Some(*f))
            .count();
        if repeated >= 2 {
            return true;
        }
    }
    is_footer_row(cells, legacy)
}

fn read_name(ctx: &mut RowCtx<'_>) -> Option<PersonName> {
    let (text, field) = if let Some(full) = ctx.text(Field::FullName) {
        (full, Field::FullName)
    } else {
        let family = ctx.text(Field::FamilyAndMiddle);
        let given = ctx.text(Field::GivenName);
        match (family, given) {
            (family, Some(given)) => (
                match family {
                    Some(f) => format!("{f} {given}"),
                    None => given,
                },
                Field::GivenName,
            ),
            (Some(_), None) => {
                ctx.domain(Field::GivenName, ErrorCode::Required);
                return None;
            }
            (None, None) => {
                let f = if ctx.layout.has(Field::FullName) {
                    Field::FullName
                } else {
                    Field::GivenName
                };
                ctx.domain(f, ErrorCode::Required);
                return None;
            }
        }
    };
    match PersonName::parse(&text) {
        Ok(n) => Some(n),
        Err(e) => {
            let value = text.clone();
            ctx.problems
                .push(RowProblem::domain(ctx.row, field, e.code, &value));
            None
        }
    }
}

fn read_birth(ctx: &mut RowCtx<'_>) -> Option<Date> {
    let cell = ctx.cell(Field::BirthDate)?.clone();
    birth_from(ctx, Field::BirthDate, &cell)
}

/// A birth date from `cell`; reports problems against `field`.
fn birth_from(ctx: &mut RowCtx<'_>, field: Field, cell: &Cell) -> Option<Date> {
    match read_date(cell, ctx.today) {
        Ok(r) => {
            let mut date = r.date;
            if r.two_digit_year && date > ctx.today {
                // "05/07/30" is 1930 for a birth date.
                date = date.replace_year(date.year() - 100).unwrap_or(date);
            }
            if date > ctx.today {
                ctx.domain(field, ErrorCode::DateInFuture);
                return None;
            }
            if r.year_only {
                let y = date.year();
                ctx.notes.push(format!(
                    "Chỉ có năm sinh ({y}); ngày sinh được ghi là 01/01/{y}."
                ));
            } else if r.two_digit_year {
                ctx.notes.push(format!(
                    "Năm sinh viết 2 chữ số ({}); đã hiểu là năm {}.",
                    cell.as_text(),
                    date.year()
                ));
            }
            Some(date)
        }
        Err(code) => {
            ctx.domain(field, code);
            None
        }
    }
}

struct SexRead {
    sex: Option<Sex>,
    birth: Option<Date>,
    missing_reported: bool,
}

/// Sex from a "Giới tính" column, or from the old "Nam" | "Nữ" columns
/// (a birth date or a mark under one of them). A lone "Nữ" column marks
/// women, so blank means male.
fn read_sex_columns(ctx: &mut RowCtx<'_>) -> SexRead {
    let mut out = SexRead {
        sex: None,
        birth: None,
        missing_reported: false,
    };
    if let Some(t) = ctx.text(Field::Sex) {
        match read_sex(&t) {
            Ok(s) => out.sex = Some(s),
            Err(code) => {
                ctx.domain(Field::Sex, code);
                out.missing_reported = true;
            }
        }
    }
    let has_m = ctx.layout.has(Field::BirthDateIfMale);
    let has_f = ctx.layout.has(Field::BirthDateIfFemale);
    if !has_m && !has_f {
        return out;
    }
    let m = ctx.cell(Field::BirthDateIfMale).cloned();
    let f = ctx.cell(Field::BirthDateIfFemale).cloned();
    let (field, sex, cell) = match (m, f) {
        (Some(_), Some(_)) => {
            ctx.own(
                Field::BirthDateIfMale,
                codes::SEX_BOTH_MARKED,
                "cả cột Nam và cột Nữ đều có giá trị; chỉ điền vào một cột.",
                "both the Male and the Female column are filled; fill only one.",
            );
            out.missing_reported = true;
            return out;
        }
        (Some(c), None) => (Field::BirthDateIfMale, Sex::Male, c),
        (None, Some(c)) => (Field::BirthDateIfFemale, Sex::Female, c),
        (None, None) => {
            if has_f && !has_m && out.sex.is_none() && !out.missing_reported {
                out.sex = Some(Sex::Male);
            }
            return out;
        }
    };
    if out.sex.is_none() && !out.missing_reported {
        out.sex = Some(sex);
    }
    let text = cell.as_text();
    if is_mark(&text) {
        return out;
    }
    let birth_col_filled = ctx.cell(Field::BirthDate).is_some();
    let dated = read_date(&cell, ctx.today).is_ok();
    if dated || (!birth_col_filled && text.chars().any(|c| c.is_ascii_digit())) {
        // A date, or an attempt at one ("31/02/1990") whose precise
        // problem birth_from reports.
        if !birth_col_filled {
            out.birth = birth_from(ctx, field, &cell);
            out.missing_reported |= out.birth.is_none();
        }
    } else {
        ctx.own(
            field,
            codes::SEX_MARK_UNREADABLE,
            "hãy ghi ngày sinh hoặc đánh dấu “x” vào đúng cột Nam hoặc Nữ.",
            "write the date of birth, or an “x”, in the Male or the Female column.",
        );
        out.missing_reported = true;
    }
    out
}

/// Returns the CCCD and the value shown for its problems.
fn read_cccd(ctx: &mut RowCtx<'_>) -> (Option<Cccd>, String) {
    let (cccd, shown, padded) = read_cccd_digits(ctx);
    ctx.cccd_padded_from = padded;
    (cccd, shown)
}

/// Says that a CCCD of `len` digits has the wrong length (the zero restored in front
/// made it 12 digits, but it does not match the person, so a digit is missing).
fn cccd_wrong_length(ctx: &mut RowCtx<'_>, len: usize) {
    let missing = 12 - len;
    ctx.own(
        Field::Cccd,
        codes::CCCD_WRONG_LENGTH,
        &format!("số CCCD có {len} chữ số, thiếu {missing} chữ số; số CCCD có đủ 12 chữ số (kể cả số 0 ở đầu)."),
        &format!("the CCCD has {len} digits, {missing} missing; a CCCD has 12 digits (leading zeros included)."),
    );
}

fn read_cccd_digits(ctx: &mut RowCtx<'_>) -> (Option<Cccd>, String, Option<usize>) {
    let Some(cell) = ctx.cell(Field::Cccd).cloned() else {
        return (None, String::new(), None);
    };
    let shown = cell.as_text();
    let raw = match &cell {
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 => number_text(*n),
        Cell::Number(_) => {
            ctx.own(
                Field::Cccd,
                codes::CCCD_SCIENTIFIC,
                "giá trị không phải số CCCD (có thể Excel đã làm tròn); hãy định dạng cột là Văn bản (Text) và nhập lại.",
                "the value is not a CCCD number (Excel may have rounded it); format the column as Text and type it again.",
            );
            return (None, shown, None);
        }
        c => c.as_text().trim_start_matches('\'').trim().to_owned(),
    };
    let upper = raw.to_uppercase();
    if upper.contains("E+") && upper.chars().any(|c| c.is_ascii_digit()) {
        ctx.own(
            Field::Cccd,
            codes::CCCD_SCIENTIFIC,
            "Excel đã đổi số thành dạng số mũ (ví dụ 1,08E+11) nên các chữ số cuối đã mất; hãy định dạng cột là Văn bản (Text) và nhập lại số CCCD.",
            "Excel turned the number into scientific notation (e.g. 1.08E+11) and its last digits are lost; format the column as Text and type the CCCD again.",
        );
        return (None, shown, None);
    }
    let digits: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-'))
        .collect();
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let candidate = if all_digits && matches!(digits.len(), 8 | 9) {
        ctx.own(
            Field::Cccd,
            codes::CMND_NOT_CCCD,
            "đây là số CMND 9 số, nay không còn dùng; hãy nhập số CCCD 12 số (số định danh cá nhân).",
            "this is a 9-digit CMND number, which is no longer used; enter the 12-digit CCCD (personal ID number).",
        );
        return (None, shown, None);
    } else if all_digits && matches!(digits.len(), 10 | 11) && digits.starts_with('0') {
        // It still has its leading zero, so none was lost: a digit is missing.
        cccd_wrong_length(ctx, digits.len());
        return (None, shown, None);
    } else if all_digits && matches!(digits.len(), 10 | 11) {
        // Every CCCD starts with 0 (province codes 001–096): stored as a
        // number in Excel it loses one or two leading zeros.
        let padded = format!("{digits:0>12}");
        ctx.notes.push(format!(
            "Số CCCD bị mất số 0 ở đầu (Excel lưu dạng số); đã khôi phục thành {padded}."
        ));
        return match Cccd::parse(&padded) {
            Ok(c) => (Some(c), shown, Some(digits.len())),
            Err(_) => {
                cccd_wrong_length(ctx, digits.len());
                (None, shown, None)
            }
        };
    } else {
        raw
    };
    match Cccd::parse(&candidate) {
        Ok(c) => (Some(c), shown, None),
        Err(e) => {
            ctx.domain(Field::Cccd, e.code);
            (None, shown, None)
        }
    }
}

fn read_phone(ctx: &mut RowCtx<'_>) -> Option<PhoneVn> {
    let cell = ctx.cell(Field::Phone)?.clone();
    let text = match &cell {
        Cell::Number(n) => number_text(*n),
        c => c.as_text().trim_start_matches('\'').trim().to_owned(),
    };
    let parts: Vec<&str> = text
        .split([',', ';', '/', '\n', '|'])
        .flat_map(|p| p.split(" - "))
        .flat_map(|p| p.split(" – "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let first = parts.first().copied().unwrap_or("");
    let digits: String = first.chars().filter(char::is_ascii_digit).collect();
    let only_digits = !first.contains('+')
        && first
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'));
    let lost_zero = only_digits
        && ((digits.len() == 9 && digits.starts_with(['3', '5', '7', '8', '9']))
            || (digits.len() == 10 && digits.starts_with('2')));
    let candidate = if lost_zero {
        let restored = format!("0{digits}");
        ctx.notes.push(format!(
            "Số điện thoại bị mất số 0 ở đầu; đã khôi phục thành {restored}."
        ));
        restored
    } else {
        first.to_owned()
    };
    match PhoneVn::parse(&candidate) {
        Ok(p) => {
            if parts.len() > 1 {
                ctx.notes.push(format!(
                    "Có nhiều số điện thoại; chỉ lấy số đầu tiên ({}).",
                    p.as_str()
                ));
            }
            Some(p)
        }
        Err(e) => {
            ctx.domain(Field::Phone, e.code);
            None
        }
    }
}

fn read_join(ctx: &mut RowCtx<'_>, birth: Option<Date>) -> Option<Date> {
    let cell = ctx.cell(Field::JoinDate)?.clone();
    match read_date(&cell, ctx.today) {
        Ok(r) => {
            if r.date > ctx.today {
                ctx.domain(Field::JoinDate, ErrorCode::DateInFuture);
                return None;
            }
            if birth.is_some_and(|b| r.date < b) {
                ctx.own(
                    Field::JoinDate,
                    codes::JOIN_BEFORE_BIRTH,
                    "ngày vào công đoàn trước ngày sinh.",
                    "the join date is before the date of birth.",
                );
                return None;
            }
            if r.year_only {
                let y = r.date.year();
                ctx.notes.push(format!(
                    "Chỉ có năm vào công đoàn ({y}); ngày vào được ghi là 01/01/{y}."
                ));
            }
            Some(r.date)
        }
        Err(code) => {
            ctx.domain(Field::JoinDate, code);
            None
        }
    }
}

fn read_party(ctx: &mut RowCtx<'_>) -> bool {
    let Some(cell) = ctx.cell(Field::PartyMember).cloned() else {
        return false;
    };
    match &cell {
        Cell::Bool(b) => *b,
        Cell::Date(_) => true,
        Cell::Number(n) if *n == 0.0 => false,
        Cell::Number(_) => true,
        c => {
            let t = c.as_text();
            let f = fold(&t);
            if matches!(t.trim(), "✓" | "✔" | "√" | "+")
                || matches!(
                    f.as_str(),
                    "x" | "v"
                        | "co"
                        | "yes"
                        | "y"
                        | "1"
                        | "true"
                        | "dang vien"
                        | "dv"
                        | "la dang vien"
                )
            {
                true
            } else if matches!(f.as_str(), "khong" | "k" | "no" | "n" | "0" | "false" | "") {
                false
            } else if read_date_text(&t, ctx.today).is_ok() {
                // The date of admission to the Party.
                true
            } else {
                ctx.own(
                    Field::PartyMember,
                    codes::PARTY_MEMBER_INVALID,
                    "hãy ghi “x” hoặc “Có” nếu là đảng viên, để trống nếu không.",
                    "write “x” or “Có” for a Party member, leave it empty otherwise.",
                );
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::layout_with;

    const TODAY: Date = date!(2025 - 07 - 05);

    fn rd(cell: Cell) -> Result<ReadDate, ErrorCode> {
        read_date(&cell, TODAY)
    }

    fn d(cell: Cell) -> Date {
        rd(cell).unwrap().date
    }

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    #[test]
    fn excel_serials() {
        assert_eq!(d(Cell::Number(1.0)), date!(1900 - 01 - 01));
        assert_eq!(d(Cell::Number(59.0)), date!(1900 - 02 - 28));
        assert_eq!(rd(Cell::Number(60.0)), Err(ErrorCode::DateImpossible));
        assert_eq!(d(Cell::Number(61.0)), date!(1900 - 03 - 01));
        assert_eq!(d(Cell::Number(31233.0)), date!(1985 - 07 - 05));
        assert_eq!(d(Cell::Number(31233.75)), date!(1985 - 07 - 05));
        assert_eq!(d(Cell::Number(45843.0)), date!(2025 - 07 - 05));
        assert_eq!(d(Cell::Number(73415.0)), date!(2100 - 12 - 31));
        assert_eq!(rd(Cell::Number(73416.0)), Err(ErrorCode::DateYearRange));
        assert_eq!(rd(Cell::Number(0.5)), Err(ErrorCode::DateYearRange));
        assert_eq!(d(t("31233")), date!(1985 - 07 - 05));
    }

    #[test]
    fn text_dates() {
        let j = date!(1985 - 07 - 05);
        for s in [
            "05/07/1985",
            "5/7/1985",
            "05-07-1985",
            "05.07.1985",
            "1985-07-05",
            " 05/07/1985 ",
            "05/07/1985 00:00:00",
            "1985-07-05T00:00:00",
            "'05/07/1985",
        ] {
            assert_eq!(d(t(s)), j, "{s}");
        }
        let r = rd(t("5/7/85")).unwrap();
        assert_eq!((r.date, r.two_digit_year), (j, true));
        assert_eq!(d(t("5/7/25")), date!(2025 - 07 - 05));
        assert_eq!(d(t("5/7/26")), date!(1926 - 07 - 05));
        let r = rd(t("1985")).unwrap();
        assert_eq!((r.date, r.year_only), (date!(1985 - 01 - 01), true));
        let r = rd(Cell::Number(1985.0)).unwrap();
        assert_eq!((r.date, r.year_only), (date!(1985 - 01 - 01), true));
        assert_eq!(d(Cell::Date(j)), j);
        assert_eq!(rd(t("31/02/1990")), Err(ErrorCode::DateImpossible));
        assert_eq!(rd(t("abc")), Err(ErrorCode::DateFormat));
        assert_eq!(rd(t("05/07/1885")), Err(ErrorCode::DateYearRange));
        assert_eq!(rd(t("1850")), Err(ErrorCode::DateYearRange));
        assert_eq!(rd(Cell::Empty), Err(ErrorCode::Required));
        assert_eq!(rd(Cell::Bool(true)), Err(ErrorCode::DateFormat));
        assert_eq!(
            parse_date_cell(&t("05/07/1985")),
            Ok((date!(1985 - 07 - 05), false))
        );
        assert_eq!(parse_date_cell(&t("x")), Err(()));
    }

    fn layout(fields: &[Field]) -> Layout {
        let cols = fields.iter().copied().enumerate().collect();
        layout_with(0, vec![], cols).unwrap()
    }

    fn parse(cells: Vec<Cell>, l: &Layout) -> Result<Option<MemberRow>, Vec<RowProblem>> {
        parse_row_on(5, &cells, l, None, TODAY)
    }

    fn problems(cells: Vec<Cell>, l: &Layout) -> Vec<(Option<Field>, &'static str)> {
        parse(cells, l)
            .unwrap_err()
            .iter()
            .map(|p| (p.field, p.code))
            .collect()
    }

    #[test]
    fn full_row() {
        use Field::*;
        let l = layout(&[
            Seq,
            FullName,
            BirthDate,
            Sex,
            Cccd,
            Phone,
            Unit,
            JoinDate,
            PartyMember,
            Status,
            Note,
        ]);
        let r = parse(
            vec![
                Cell::Number(1.0),
                t("  nguyễn   Văn An "),
                t("05/07/1985"),
                t("Nam"),
                Cell::Number(1085001234.0),
                Cell::Number(912345678.0),
                t("Tổ Văn phòng"),
                Cell::Number(40000.0),
                t("x"),
                t("Đoàn viên"),
                t("ok"),
            ],
            &l,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.row, 5);
        assert_eq!(r.name.as_str(), "nguyễn Văn An");
        assert_eq!(r.birth_date, date!(1985 - 07 - 05));
        assert_eq!(r.sex, congdoan_domain::Sex::Male);
        assert_eq!(r.cccd.unwrap().as_str(), "001085001234");
        assert_eq!(r.phone.unwrap().as_str(), "0912345678");
        assert_eq!(r.unit.as_deref(), Some("Tổ Văn phòng"));
        assert_eq!(r.join_date, Some(date!(2009 - 07 - 06)));
        assert!(r.party_member);
        assert_eq!(r.status, Some(MemberStatus::Member));
        assert_eq!(r.note.as_deref(), Some("ok"));
        assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
        assert!(r.notes[0].contains("001085001234"));
        assert!(r.notes[1].contains("0912345678"));
    }

    #[test]
    fn problems_name_field_and_value() {
        use Field::*;
        let l = layout(&[FullName, BirthDate, Sex, Cccd, Phone]);
        let errs = parse(
            vec![
                t("Nguyễn Văn 3"),
                t("31/02/1990"),
                t("?"),
                t("123456789"),
                t("12345"),
            ],
            &l,
        )
        .unwrap_err();
        let got: Vec<_> = errs.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            got,
            vec![
                (Some(FullName), "VL0403"),
                (Some(BirthDate), "VL0302"),
                (Some(Sex), "VL0602"),
                (Some(Cccd), codes::CMND_NOT_CCCD),
                (Some(Phone), "VL0203"),
            ]
        );
        assert!(errs.iter().all(|p| p.row == 5));
        assert_eq!(errs[1].value, "31/02/1990");
        assert_eq!(
            errs[1].message(Lang::Vi),
            "Ngày sinh: ngày này không có trên lịch (ví dụ 31/02)."
        );
        assert!(errs[3].message_vi.starts_with("Số CCCD: đây là số CMND"));
        assert!(errs[3].message(Lang::En).contains("CMND"));
    }

    #[test]
    fn an_eleven_digit_cccd_says_a_digit_is_missing() {
        use Field::*;
        let l = layout(&[FullName, BirthDate, Sex, Cccd]);
        let row = |c: Cell| vec![t("Lê An"), t("01/01/1985"), t("Nam"), c];
        // Typed with its leading zero but one digit short.
        let short = row(t("00108500123"));
        assert_eq!(
            problems(short.clone(), &l),
            vec![(Some(Cccd), codes::CCCD_WRONG_LENGTH)]
        );
        let e = parse(short, &l).unwrap_err();
        assert!(
            e[0].message_vi.contains("có 11 chữ số, thiếu 1 chữ số"),
            "{}",
            e[0].message_vi
        );
        // A number whose zeros Excel dropped, and that is still not this person's
        // CCCD with them put back: the length is named, not a mismatch.
        assert_eq!(
            problems(row(Cell::Number(10_860_012_345.0)), &l),
            vec![(Some(Cccd), codes::CCCD_WRONG_LENGTH)]
        );
        // Only the zeros lost: restored, with a note.
        let r = parse(row(Cell::Number(1_085_001_234.0)), &l)
            .unwrap()
            .unwrap();
        assert_eq!(r.cccd.unwrap().as_str(), "001085001234");
        assert!(r.notes.iter().any(|n| n.contains("mất số 0")));
    }

    #[test]
    fn cccd_checked_against_birth_and_sex() {
        use Field::*;
        let l = layout(&[FullName, BirthDate, Sex, Cccd]);
        // 4th digit 0 = male, 20th century; year digits 85.
        let ok = vec![t("Lê An"), t("01/01/1985"), t("Nam"), t("001085001234")];
        assert!(parse(ok, &l).unwrap().is_some());
        let wrong_sex = vec![t("Lê An"), t("01/01/1985"), t("Nữ"), t("001085001234")];
        assert_eq!(problems(wrong_sex, &l), vec![(Some(Cccd), "VL0103")]);
        let wrong_year = vec![t("Lê An"), t("01/01/1986"), t("Nam"), t("001085001234")];
        assert_eq!(problems(wrong_year, &l), vec![(Some(Cccd), "VL0105")]);
        let sci = vec![t("Lê An"), t("1985"), t("Nam"), t("1.08501E+11")];
        assert_eq!(
            problems(sci, &l),
            vec![(Some(Cccd), codes::CCCD_SCIENTIFIC)]
        );
    }

    #[test]
    fn sex_from_cccd_and_missing_values() {
        use Field::*;
        let l = layout(&[FullName, BirthDate, Cccd]);
        let r = parse(vec![t("Lê Thị Hoa"), t("1990"), t("001190001234")], &l)
            .unwrap()
            .unwrap();
        assert_eq!(r.sex, congdoan_domain::Sex::Female);
        assert_eq!(r.birth_date, date!(1990 - 01 - 01));
        assert!(r.notes.iter().any(|n| n.contains("Chỉ có năm sinh (1990)")));
        assert!(r.notes.iter().any(|n| n.contains("suy ra từ số CCCD")));
        assert_eq!(
            problems(vec![t("Lê Thị Hoa")], &l),
            vec![(Some(BirthDate), "VL0601"), (Some(Sex), "VL0601")]
        );
    }

    #[test]
    fn nam_nu_columns() {
        use Field::*;
        let l = layout(&[FullName, BirthDateIfMale, BirthDateIfFemale]);
        let r = parse(vec![t("Lê An"), t("05/07/1985")], &l)
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.sex, r.birth_date),
            (congdoan_domain::Sex::Male, date!(1985 - 07 - 05))
        );
        let r = parse(vec![t("Lê Hoa"), Cell::Empty, Cell::Number(1990.0)], &l)
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.sex, r.birth_date),
            (congdoan_domain::Sex::Female, date!(1990 - 01 - 01))
        );
        assert_eq!(
            problems(vec![t("Lê Hoa"), t("1990"), t("1991")], &l),
            vec![(Some(BirthDateIfMale), codes::SEX_BOTH_MARKED)]
        );
        assert_eq!(
            problems(vec![t("Lê Hoa"), Cell::Empty, t("hôm qua")], &l),
            vec![(Some(BirthDateIfFemale), codes::SEX_MARK_UNREADABLE)]
        );
        assert_eq!(
            problems(vec![t("Lê Hoa"), Cell::Empty, t("31/02/1990")], &l),
            vec![(Some(BirthDateIfFemale), "VL0302")]
        );
        // Marks with a separate birth date column; a lone "Nữ" column.
        let l = layout(&[FullName, BirthDate, BirthDateIfFemale]);
        let r = parse(vec![t("Lê Hoa"), t("1990"), t("x")], &l)
            .unwrap()
            .unwrap();
        assert_eq!(r.sex, congdoan_domain::Sex::Female);
        let r = parse(vec![t("Lê An"), t("1990")], &l).unwrap().unwrap();
        assert_eq!(r.sex, congdoan_domain::Sex::Male);
    }

    #[test]
    fn two_digit_birth_years_are_in_the_past() {
        use Field::*;
        let l = layout(&[FullName, BirthDate, Sex]);
        let r = parse(vec![t("Lê An"), t("06/07/25"), t("Nam")], &l)
            .unwrap()
            .unwrap();
        assert_eq!(r.birth_date, date!(1925 - 07 - 06));
        let r = parse(vec![t("Lê An"), t("4/7/25"), t("Nam")], &l)
            .unwrap()
            .unwrap();
        assert_eq!(r.birth_date, date!(2025 - 07 - 04));
        assert_eq!(
            problems(vec![t("Lê An"), t("06/07/2025"), t("Nam")], &l),
            vec![(Some(BirthDate), "VL0305")]
        );
    }

    #[test]
    fn rows_that_are_not_data() {
        use Field::*;
        let l = layout(&[Seq, FullName, BirthDate, Sex]);
        for cells in [
            vec![],
            vec![Cell::Number(7.0)],
            vec![t(""), t("  ")],
            vec![t("(1)"), t("(2)"), t("(3)"), t("(4)")],
            vec![Cell::Number(1.0), Cell::Number(2.0), Cell::Number(3.0)],
            vec![t("STT"), t("Họ và tên"), t("Ngày sinh")],
            vec![Cell::Empty, t("Tổng cộng: 25 đoàn viên")],
            vec![t("Tổng cộng"), Cell::Empty, Cell::Empty, t("25")],
            vec![Cell::Empty, t("Người lập biểu")],
            vec![
                Cell::Empty,
                Cell::Empty,
                t("Hà Nội, ngày 05 tháng 7 năm 2025"),
            ],
            vec![Cell::Empty, t("TM. BAN CHẤP HÀNH")],
            vec![t("I."), t("TỔ VĂN PHÒNG")],
            vec![Cell::Empty, t("II. Tổ bảo vệ")],
        ] {
            assert_eq!(parse(cells.clone(), &l), Ok(None), "{cells:?}");
        }
        // Rows up to the header.
        let l2 = layout_with(3, vec![], vec![(0, FullName), (1, Sex)]).unwrap();
        assert_eq!(
            parse_row_on(4, &[t("Lê An"), t("Nam")], &l2, None, TODAY),
            Ok(None)
        );
        // A member whose job title is "Chủ tịch" is still a member.
        let l3 = layout(&[FullName, BirthDate, Sex, JobTitle]);
        let r = parse(
            vec![t("Tống Văn An"), t("1980"), t("Nam"), t("Chủ tịch")],
            &l3,
        );
        assert!(r.unwrap().is_some());
    }

    #[test]
    fn split_name_and_legacy_cells() {
        use Field::*;
        let l = layout(&[FamilyAndMiddle, GivenName, BirthDate, Sex]);
        let r = parse(vec![t("Nguyễn Văn"), t("An"), t("1980"), t("Nam")], &l)
            .unwrap()
            .unwrap();
        assert_eq!(r.name.as_str(), "Nguyễn Văn An");
        assert_eq!(
            problems(vec![t("Nguyễn Văn"), Cell::Empty, t("1980"), t("Nam")], &l),
            vec![(Some(GivenName), "VL0601")]
        );
        let l = layout(&[FullName, BirthDate, Sex]);
        let r = parse_row_on(
            9,
            &[t("TrÇn ThÞ Hoa"), t("1980"), t("N÷")],
            &l,
            Some(Legacy::Tcvn3),
            TODAY,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.name.as_str(), "Trần Thị Hoa");
        assert_eq!(r.sex, congdoan_domain::Sex::Female);
    }

    #[test]
    fn footer_detection() {
        assert!(is_footer_row(&[t("Tổng cộng"), Cell::Number(25.0)], None));
        assert!(is_footer_row(
            &[t("Ng\u{AD}êi lËp biÓu")],
            Some(Legacy::Tcvn3)
        ));
        assert!(!is_footer_row(&[t("Chủ tịch"), t("01/01/1980")], None));
        assert!(!is_footer_row(&[t("Nguyễn Văn An")], None));
    }

    #[test]
    fn a_name_that_folds_like_a_total_line_is_a_person() {
        use Field::*;
        let l = layout(&[FullName, BirthDate, Sex]);
        let r = parse(vec![t("Tòng Công Huy"), t("05/06/1985"), t("Nam")], &l)
            .unwrap()
            .expect("a member row");
        assert_eq!(r.name.as_str(), "Tòng Công Huy");
        assert_eq!(parse(vec![t("Tổng cộng"), t(""), t("")], &l), Ok(None));
    }
}
