//! Streaming exports: xlsx in constant memory and CSV that Excel opens
//! correctly.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use congdoan_domain::format_vn_date;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook as XlsxWorkbook};

use crate::cell::{Cell, number_text};
use crate::error::SheetError;

/// Excel's row limit per worksheet.
pub const EXCEL_MAX_ROWS: usize = 1_048_576;
/// Excel's limit on the length of a text cell.
const EXCEL_MAX_TEXT: usize = 32_767;
/// Rows of each sheet looked at to size columns; later rows rarely change
/// the picture and the scan must stay cheap.
const WIDTH_SAMPLE_ROWS: u32 = 1_000;

/// Streaming xlsx writer for exports of any size.
///
/// Uses rust_xlsxwriter's constant-memory worksheets: each row goes to a
/// temporary file as soon as the next one starts, so memory does not grow
/// with the row count. Rows past Excel's limit continue on a new sheet
/// ("Danh sách (2)", …) that repeats the header.
pub struct XlsxExport {
    book: XlsxWorkbook,
    path: PathBuf,
    base_name: String,
    headers: Vec<String>,
    title: Vec<String>,
    money: BTreeSet<usize>,
    rows_per_sheet: usize,
    /// Sheets created so far; the current one is `sheets - 1`.
    sheets: usize,
    /// Next row index in the current sheet.
    next_row: u32,
    header_row: u32,
    rows_written: u64,
    widths: Vec<usize>,
    fmt_title: Format,
    fmt_header: Format,
    fmt_date: Format,
    fmt_money: Format,
}

impl XlsxExport {
    /// Nothing is written until the first row (or [`XlsxExport::finish`]),
    /// so the builder methods below may still be applied.
    pub fn create(
        path: &Path,
        sheet_name: &str,
        headers: &[&str],
    ) -> Result<XlsxExport, SheetError> {
        // Fail now, not after streaming a million rows, if the target
        // directory is not writable.
        std::fs::File::create(path)?;
        Ok(XlsxExport {
            book: XlsxWorkbook::new(),
            path: path.to_owned(),
            base_name: sheet_name_safe(sheet_name),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            title: Vec::new(),
            money: BTreeSet::new(),
            rows_per_sheet: EXCEL_MAX_ROWS,
            sheets: 0,
            next_row: 0,
            header_row: 0,
            rows_written: 0,
            widths: headers.iter().map(|h| text_width(h) + 4).collect(),
            fmt_title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            fmt_header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            fmt_date: Format::new().set_num_format("dd/mm/yyyy"),
            fmt_money: Format::new().set_num_format("#,##0"),
        })
    }

    /// Sheet size limit, header (and title rows) included; for tests of the
    /// split. At least the header plus one data row.
    pub fn with_rows_per_sheet(mut self, n: usize) -> Self {
        self.rows_per_sheet = n.clamp(2, EXCEL_MAX_ROWS);
        self
    }

    /// Title lines above the header on the first sheet ("DANH SÁCH ĐOÀN
    /// VIÊN …"), each merged across the header's width.
    pub fn with_title(mut self, lines: &[&str]) -> Self {
        self.title = lines.iter().map(|l| (*l).to_owned()).collect();
        self
    }

    /// Columns (0-based) whose numbers are money: shown as #,##0.
    pub fn with_money_columns(mut self, columns: &[usize]) -> Self {
        self.money = columns.iter().copied().collect();
        self
    }

    fn last_col(&self) -> u16 {
        u16::try_from(self.headers.len().saturating_sub(1)).unwrap_or(u16::MAX)
    }

    fn start_sheet(&mut self) -> Result<(), SheetError> {
        self.sheets += 1;
        let name = if self.sheets == 1 {
            self.base_name.clone()
        } else {
            numbered_sheet_name(&self.base_name, self.sheets)
        };
        let last_col = self.last_col();
        let ws = self.book.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        let mut row: u32 = 0;
        if self.sheets == 1 {
            // Title rows only fit if the sheet still has room for data.
            let room = self.rows_per_sheet.saturating_sub(2);
            for line in self.title.iter().take(room) {
                if last_col > 0 {
                    ws.merge_range(row, 0, row, last_col, line, &self.fmt_title)?;
                } else {
                    ws.write_string_with_format(row, 0, line, &self.fmt_title)?;
                }
                row += 1;
            }
        }
        for (c, h) in self.headers.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| SheetError::Write {
                detail: "too many columns".into(),
            })?;
            ws.write_string_with_format(row, c, h, &self.fmt_header)?;
        }
        ws.set_freeze_panes(row + 1, 0)?;
        self.header_row = row;
        self.next_row = row + 1;
        Ok(())
    }

    /// Autofilter over the data written and column widths: both are sheet
    /// settings saved with the workbook, so they can be set last even in
    /// constant-memory mode.
    fn close_sheet(&mut self) -> Result<(), SheetError> {
        let last_col = self.last_col();
        let header_row = self.header_row;
        let last_row = self.next_row.saturating_sub(1).max(header_row);
        let ws = self.book.worksheet_from_index(self.sheets - 1)?;
        if !self.headers.is_empty() {
            ws.autofilter(header_row, 0, last_row, last_col)?;
        }
        for (c, w) in self.widths.iter().enumerate() {
            if let Ok(c) = u16::try_from(c) {
                ws.set_column_width(c, (*w).clamp(6, 60) as f64)?;
            }
        }
        Ok(())
    }

    pub fn write_row(&mut self, cells: &[Cell]) -> Result<(), SheetError> {
        if self.sheets == 0 {
            self.start_sheet()?;
        } else if self.next_row as usize >= self.rows_per_sheet {
            self.close_sheet()?;
            self.start_sheet()?;
        }
        let row = self.next_row;
        let sample = row - self.header_row <= WIDTH_SAMPLE_ROWS;
        let ws = self.book.worksheet_from_index(self.sheets - 1)?;
        for (c, cell) in cells.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| SheetError::Write {
                detail: "too many columns".into(),
            })?;
            let width = match cell {
                Cell::Empty => 0,
                Cell::Text(s) => {
                    if s.chars().count() > EXCEL_MAX_TEXT {
                        let cut: String = s.chars().take(EXCEL_MAX_TEXT).collect();
                        ws.write_string(row, col, &cut)?;
                    } else {
                        ws.write_string(row, col, s)?;
                    }
                    if sample { text_width(s) } else { 0 }
                }
                Cell::Number(n) => {
                    if self.money.contains(&c) {
                        ws.write_number_with_format(row, col, *n, &self.fmt_money)?;
                        number_text(*n).len() * 4 / 3 + 1
                    } else {
                        ws.write_number(row, col, *n)?;
                        number_text(*n).len()
                    }
                }
                Cell::Bool(b) => {
                    ws.write_boolean(row, col, *b)?;
                    5
                }
                Cell::Date(d) => {
                    let excel = u16::try_from(d.year()).ok().and_then(|y| {
                        ExcelDateTime::from_ymd(y, u8::from(d.month()), d.day()).ok()
                    });
                    match excel {
                        // Excel cannot show dates before 1900; keep the text.
                        Some(x) if d.year() >= 1900 => {
                            ws.write_date_with_format(row, col, &x, &self.fmt_date)?;
                        }
                        _ => {
                            ws.write_string(row, col, format_vn_date(*d))?;
                        }
                    }
                    10
                }
            };
            if sample {
                if self.widths.len() <= c {
                    self.widths.resize(c + 1, 8);
                }
                self.widths[c] = self.widths[c].max(width + 2);
            }
        }
        self.next_row += 1;
        self.rows_written += 1;
        Ok(())
    }

    /// Writes the file; returns the number of data rows.
    pub fn finish(mut self) -> Result<u64, SheetError> {
        if self.sheets == 0 {
            self.start_sheet()?;
        }
        self.close_sheet()?;
        self.book.save(&self.path)?;
        Ok(self.rows_written)
    }
}

/// Approximate display width in Excel character units: wide enough for the
/// text, no precise font metrics needed.
fn text_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// Excel refuses sheet names over 31 characters or with []:*?/\ and
/// leading/trailing apostrophes.
fn sheet_name_safe(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'');
    let cut: String = cleaned.chars().take(31).collect();
    if cut.trim().is_empty() {
        "Sheet1".to_owned()
    } else {
        cut
    }
}

fn numbered_sheet_name(base: &str, n: usize) -> String {
    let suffix = format!(" ({n})");
    let keep = 31 - suffix.chars().count();
    let stem: String = base.chars().take(keep).collect();
    format!("{}{suffix}", stem.trim_end())
}

/// CSV for Excel: UTF-8 with a BOM (without it Excel reads Vietnamese as
/// mojibake), comma separated, CRLF, dates dd/mm/yyyy, numbers without
/// thousands separators; streaming over any writer.
///
/// Text that Excel would run as a formula (starting with = or @, or + / -
/// followed by more than a number) is prefixed with an apostrophe: an
/// export must not execute what a member typed.
pub struct CsvExport<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvExport<W> {
    pub fn new(mut w: W, headers: &[&str]) -> Result<Self, SheetError> {
        w.write_all(b"\xEF\xBB\xBF")?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(w);
        writer.write_record(headers.iter().map(|h| csv_safe(h)))?;
        Ok(CsvExport { writer })
    }

    pub fn write_row(&mut self, cells: &[Cell]) -> Result<(), SheetError> {
        self.writer.write_record(cells.iter().map(|c| match c {
            Cell::Empty => String::new(),
            Cell::Text(s) => csv_safe(s),
            Cell::Number(n) => number_text(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
            Cell::Date(d) => format_vn_date(*d),
        }))?;
        Ok(())
    }

    /// Flushes and returns the writer.
    pub fn finish(self) -> Result<W, SheetError> {
        self.writer
            .into_inner()
            .map_err(|e| SheetError::Io(std::io::Error::new(e.error().kind(), e.to_string())))
    }
}

fn csv_safe(s: &str) -> String {
    // Excel in a Vietnamese locale splits CSV on ';' outside quotes (and the csv
    // crate quotes only ','), so each ';'-separated piece may become a cell of its own
    // and is defused on its own: ";=1+1" → ";'=1+1".
    let mut out = String::with_capacity(s.len() + 1);
    for (i, piece) in s.split(';').enumerate() {
        if i > 0 {
            out.push(';');
        }
        let lead = piece.len() - piece.trim_start_matches([' ', '\u{a0}']).len();
        let (space, rest) = piece.split_at(lead);
        out.push_str(space);
        if formula_start(rest) {
            out.push('\'');
        }
        out.push_str(rest);
    }
    out
}

/// Whether Excel would run `s` as a formula (or a DDE command).
fn formula_start(s: &str) -> bool {
    match s.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !s[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ',' | '(' | ')')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names() {
        assert_eq!(sheet_name_safe("Danh sách"), "Danh sách");
        assert_eq!(sheet_name_safe("a/b:c"), "a-b-c");
        assert_eq!(sheet_name_safe(&"x".repeat(40)).len(), 31);
        assert_eq!(sheet_name_safe("''"), "Sheet1");
        assert_eq!(numbered_sheet_name("Danh sách", 2), "Danh sách (2)");
        let long = numbered_sheet_name(&"Đ".repeat(31), 12);
        assert_eq!(long.chars().count(), 31);
        assert!(long.ends_with(" (12)"));
    }

    #[test]
    fn formula_injection_is_defused() {
        assert_eq!(csv_safe("=1+1"), "'=1+1");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("+cmd|x"), "'+cmd|x");
        assert_eq!(csv_safe("-2+3"), "'-2+3");
        assert_eq!(csv_safe("+84 912 345 678"), "+84 912 345 678");
        assert_eq!(csv_safe("-"), "-");
        assert_eq!(csv_safe("Nguyễn Văn An"), "Nguyễn Văn An");
        // Excel with ';' as the list separator (the Vietnamese default).
        assert_eq!(csv_safe(";=1+1"), ";'=1+1");
        assert_eq!(csv_safe("a; @SUM(A1)"), "a; '@SUM(A1)");
        assert_eq!(csv_safe(" =1+1"), " '=1+1");
        assert_eq!(csv_safe("Tổ 1; Tổ 2"), "Tổ 1; Tổ 2");
    }
}
