//! Streaming reads of xlsx and CSV files.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use calamine::{DataRef, Reader, Xlsx, XlsxCellReader, XlsxError};
use time::{Date, Month};

use crate::cell::Cell;
use crate::error::{SheetError, UnknownKind};
use crate::legacy::CP1252_HIGH;
use crate::limits::{LimitHit, LimitKind, Limits, check_xlsx, too_large};

type XlsxFile = Xlsx<BufReader<File>>;

/// The rows of one sheet, streamed; see [`Workbook::rows`].
pub type RowIter<'a> = Box<dyn Iterator<Item = Result<Vec<Cell>, SheetError>> + 'a>;

/// A spreadsheet opened for streaming reads.
pub struct Workbook {
    inner: Inner,
    limits: Limits,
}

enum Inner {
    Xlsx(Box<XlsxFile>),
    Csv(CsvSource),
}

/// What we learnt about a CSV file when opening it; each call to
/// [`Workbook::rows`] reads it again from the start.
struct CsvSource {
    path: PathBuf,
    name: String,
    encoding: TextEncoding,
    delimiter: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextEncoding {
    /// UTF-8; `bom` says whether to skip 3 bytes.
    Utf8 {
        bom: bool,
    },
    Utf16Le,
    Utf16Be,
    /// Not valid UTF-8: one byte per character, Windows-1252 style. This is
    /// how TCVN3/VNI text arrives; [`crate::Legacy`] fixes it later.
    SingleByte,
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

impl Workbook {
    /// Detects the format from the content, not the file name (users rename
    /// files): xlsx is a zip ("PK\x03\x04"); an OLE container is an old .xls
    /// or a password-protected workbook and gets a clear "save as .xlsx"
    /// error; HTML tables renamed .xls are refused with a hint; anything
    /// else is read as CSV.
    pub fn open(path: &Path) -> Result<Workbook, SheetError> {
        Workbook::open_with(path, Limits::default())
    }

    /// [`Workbook::open`] with other bounds (tests use small ones). An xlsx is
    /// inflated once, counting, before calamine opens it; CSV is bounded while read.
    pub fn open_with(path: &Path, limits: Limits) -> Result<Workbook, SheetError> {
        let mut file = File::open(path)?;
        let mut head = [0u8; 512];
        let n = read_up_to(&mut file, &mut head)?;
        let head = &head[..n];
        if head.starts_with(b"PK\x03\x04") {
            check_xlsx(path, &limits)?;
            file.seek(SeekFrom::Start(0))?;
            let xlsx = Xlsx::new(BufReader::new(file)).map_err(open_error)?;
            return Ok(Workbook {
                inner: Inner::Xlsx(Box::new(xlsx)),
                limits,
            });
        }
        if head.starts_with(&OLE_MAGIC) {
            return Err(SheetError::OldXls);
        }
        if head.starts_with(b"PK") {
            return Err(SheetError::UnknownFormat {
                kind: UnknownKind::ZipNotXlsx,
            });
        }
        let encoding = sniff_encoding(head, path)?;
        if looks_like_markup(head, encoding) {
            return Err(SheetError::UnknownFormat {
                kind: UnknownKind::Html,
            });
        }
        if encoding == TextEncoding::SingleByte && looks_binary(head) {
            return Err(SheetError::UnknownFormat {
                kind: UnknownKind::Binary,
            });
        }
        let delimiter = sniff_delimiter(path, encoding)?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "CSV".to_owned());
        Ok(Workbook {
            inner: Inner::Csv(CsvSource {
                path: path.to_owned(),
                name,
                encoding,
                delimiter,
            }),
            limits,
        })
    }

    /// Sheet names in workbook order; a CSV is one sheet named after the
    /// file stem.
    pub fn sheet_names(&self) -> Vec<String> {
        match &self.inner {
            Inner::Xlsx(x) => x.sheet_names(),
            Inner::Csv(c) => vec![c.name.clone()],
        }
    }

    /// Rows of sheet `index` in order, streamed. Item n is the sheet's row n
    /// (0-based), blank rows included as an empty Vec, so that the row
    /// numbers shown to users (n + 1) match Excel's. Trailing empty cells
    /// are dropped.
    pub fn rows(&mut self, index: usize) -> Result<RowIter<'_>, SheetError> {
        let limits = self.limits;
        match &mut self.inner {
            Inner::Xlsx(x) => {
                let names = x.sheet_names();
                let Some(name) = names.get(index) else {
                    return Err(SheetError::NoSheet {
                        index,
                        count: names.len(),
                    });
                };
                let reader = x.worksheet_cells_reader(name).map_err(read_error)?;
                Ok(Box::new(XlsxRows {
                    reader,
                    next_row: 0,
                    pending: None,
                    done: false,
                    limits,
                    text: 0,
                }))
            }
            Inner::Csv(c) => {
                if index != 0 {
                    return Err(SheetError::NoSheet { index, count: 1 });
                }
                Ok(Box::new(CsvRows::open(c, limits)?))
            }
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn open_error(e: XlsxError) -> SheetError {
    match e {
        XlsxError::Io(io) => SheetError::Io(io),
        XlsxError::Password => SheetError::OldXls,
        // A zip without a workbook inside: .ods, .docx, a plain archive.
        XlsxError::Zip(_) | XlsxError::FileNotFound(_) => SheetError::UnknownFormat {
            kind: UnknownKind::ZipNotXlsx,
        },
        other => SheetError::Corrupt {
            detail: other.to_string(),
        },
    }
}

fn read_error(e: XlsxError) -> SheetError {
    match e {
        XlsxError::Io(io) => SheetError::Io(io),
        other => SheetError::Corrupt {
            detail: other.to_string(),
        },
    }
}

/// Streams an xlsx worksheet cell by cell and groups cells into rows,
/// yielding empty rows for the gaps the XML leaves out.
struct XlsxRows<'a> {
    reader: XlsxCellReader<'a, BufReader<File>>,
    next_row: u32,
    pending: Option<(u32, u32, Cell)>,
    done: bool,
    limits: Limits,
    /// Text bytes of the rows read so far (see [`Limits::max_text_bytes`]).
    text: u64,
}

impl XlsxRows<'_> {
    fn fetch(&mut self) -> Result<(), SheetError> {
        if self.pending.is_none() && !self.done {
            match self.reader.next_cell().map_err(read_error)? {
                Some(c) => {
                    let (r, col) = c.get_position();
                    // A cell far away would make us yield millions of empty rows or
                    // allocate a row of billions of cells.
                    if r as usize >= self.limits.max_rows {
                        return Err(too_large(LimitKind::Rows, self.limits.max_rows as u64));
                    }
                    if col as usize >= self.limits.max_columns {
                        return Err(too_large(
                            LimitKind::Columns,
                            self.limits.max_columns as u64,
                        ));
                    }
                    self.pending = Some((r, col, convert(c.get_value())));
                }
                None => self.done = true,
            }
        }
        Ok(())
    }
}

impl Iterator for XlsxRows<'_> {
    type Item = Result<Vec<Cell>, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Err(e) = self.fetch() {
            self.done = true;
            self.pending = None;
            return Some(Err(e));
        }
        let (r, _, _) = self.pending.as_ref()?;
        if *r > self.next_row {
            self.next_row += 1;
            return Some(Ok(Vec::new()));
        }
        let mut row: Vec<Cell> = Vec::new();
        // Text held by this row: a short shared string referenced by every cell
        // would otherwise fan out in memory (104 KB of xlsx, 1.4 GB of rows).
        let mut bytes = 0usize;
        // Cells of this row; a row number going backwards (malformed XML)
        // is folded into the current row rather than reordering the sheet.
        while let Some((r, _, _)) = &self.pending {
            if *r > self.next_row {
                break;
            }
            if let Some((_, col, cell)) = self.pending.take() {
                if let Cell::Text(t) = &cell {
                    bytes += t.len();
                    self.text += t.len() as u64;
                    if bytes > self.limits.max_record_bytes {
                        self.done = true;
                        return Some(Err(too_large(
                            LimitKind::RecordLength,
                            self.limits.max_record_bytes as u64,
                        )));
                    }
                    if self.text > self.limits.max_text_bytes {
                        self.done = true;
                        return Some(Err(too_large(LimitKind::Text, self.limits.max_text_bytes)));
                    }
                }
                let col = col as usize;
                if row.len() <= col {
                    row.resize(col + 1, Cell::Empty);
                }
                row[col] = cell;
            }
            if let Err(e) = self.fetch() {
                self.done = true;
                return Some(Err(e));
            }
        }
        self.next_row += 1;
        trim_trailing(&mut row);
        Some(Ok(row))
    }
}

fn trim_trailing(row: &mut Vec<Cell>) {
    while row.last().is_some_and(Cell::is_empty) {
        row.pop();
    }
}

fn convert(v: &DataRef<'_>) -> Cell {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::text(s),
        DataRef::SharedString(s) => Cell::text(s),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => {
            let serial = dt.as_f64();
            if dt.is_datetime() && serial >= 1.0 {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                match ymd(i32::from(y), m, d) {
                    Some(date) => Cell::Date(date),
                    // 29/02/1900, Excel's phantom leap day.
                    None => Cell::Number(serial),
                }
            } else {
                // Times of day and durations are no dates.
                Cell::Number(serial)
            }
        }
        DataRef::DateTimeIso(s) => iso_date(s).map_or_else(|| Cell::text(s), Cell::Date),
        DataRef::DurationIso(s) => Cell::text(s),
        DataRef::Error(e) => Cell::Text(e.to_string()),
    }
}

fn ymd(y: i32, m: u8, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// "2025-07-05" or "2025-07-05T…".
fn iso_date(s: &str) -> Option<Date> {
    let d = s.get(..10).filter(|d| d.is_ascii())?;
    let b = d.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    ymd(
        d[..4].parse().ok()?,
        d[5..7].parse().ok()?,
        d[8..].parse().ok()?,
    )
}

/// UTF-16 needs its BOM (Excel's "Unicode text" always writes one). UTF-8
/// is checked over the whole file, streaming: one stray byte makes the file
/// single-byte, which is what legacy TCVN3/VNI exports are.
fn sniff_encoding(head: &[u8], path: &Path) -> Result<TextEncoding, SheetError> {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok(TextEncoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok(TextEncoding::Utf16Be);
    }
    let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
    if is_utf8_file(path)? {
        Ok(TextEncoding::Utf8 { bom })
    } else {
        Ok(TextEncoding::SingleByte)
    }
}

fn is_utf8_file(path: &Path) -> Result<bool, SheetError> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut carry = 0usize;
    loop {
        let n = file.read(&mut buf[carry..])?;
        let end = carry + n;
        if n == 0 {
            // A sequence cut off by the end of the file is invalid.
            return Ok(carry == 0);
        }
        match std::str::from_utf8(&buf[..end]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() => {
                // Incomplete sequence at the end of the chunk: keep it.
                let valid = e.valid_up_to();
                buf.copy_within(valid..end, 0);
                carry = end - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

fn looks_like_markup(head: &[u8], encoding: TextEncoding) -> bool {
    if !matches!(
        encoding,
        TextEncoding::Utf8 { .. } | TextEncoding::SingleByte
    ) {
        return false;
    }
    let text = String::from_utf8_lossy(head);
    let t = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_lowercase();
    t.starts_with("<html")
        || t.starts_with("<!doctype")
        || t.starts_with("<table")
        || t.starts_with("<?xml")
        || t.starts_with("<meta")
}

/// NUL bytes, or many control characters, in what should be text.
fn looks_binary(head: &[u8]) -> bool {
    let controls = head
        .iter()
        .filter(|&&b| b < 0x09 || (0x0E..0x20).contains(&b))
        .count();
    head.contains(&0) || controls * 20 > head.len().max(1)
}

/// Turns the file's bytes into UTF-8 for the csv crate.
struct DecodeReader<R> {
    inner: R,
    encoding: TextEncoding,
    raw: Vec<u8>,
    raw_len: usize,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R: Read> DecodeReader<R> {
    fn new(inner: R, encoding: TextEncoding) -> Self {
        DecodeReader {
            inner,
            encoding,
            raw: vec![0; 16 * 1024],
            raw_len: 0,
            out: Vec::with_capacity(32 * 1024),
            out_pos: 0,
            eof: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !(self.eof && self.raw_len == 0) {
            if !self.eof {
                let n = self.inner.read(&mut self.raw[self.raw_len..])?;
                if n == 0 {
                    self.eof = true;
                }
                self.raw_len += n;
            }
            let used = self.convert();
            self.raw.copy_within(used..self.raw_len, 0);
            self.raw_len -= used;
            if self.eof && used == 0 {
                // A dangling odd byte or lone surrogate at the very end.
                if self.raw_len > 0 {
                    self.out.extend_from_slice("\u{FFFD}".as_bytes());
                }
                self.raw_len = 0;
            }
        }
        Ok(())
    }

    /// Converts what it can from `raw`, returning the bytes consumed.
    fn convert(&mut self) -> usize {
        let raw = &self.raw[..self.raw_len];
        match self.encoding {
            TextEncoding::Utf8 { .. } => {
                self.out.extend_from_slice(raw);
                raw.len()
            }
            TextEncoding::SingleByte => {
                for &b in raw {
                    let c = if (0x80..0xA0).contains(&b) {
                        CP1252_HIGH[usize::from(b - 0x80)]
                    } else {
                        char::from(b)
                    };
                    let mut tmp = [0u8; 4];
                    self.out
                        .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                }
                raw.len()
            }
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
                let le = self.encoding == TextEncoding::Utf16Le;
                let mut units: Vec<u16> = raw
                    .chunks_exact(2)
                    .map(|p| {
                        if le {
                            u16::from_le_bytes([p[0], p[1]])
                        } else {
                            u16::from_be_bytes([p[0], p[1]])
                        }
                    })
                    .collect();
                // Keep a high surrogate whose partner is still unread.
                if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
                    units.pop();
                }
                for c in char::decode_utf16(units.iter().copied()) {
                    let c = c.unwrap_or('\u{FFFD}');
                    let mut tmp = [0u8; 4];
                    self.out
                        .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                }
                units.len() * 2
            }
        }
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos >= self.out.len() {
            self.fill()?;
        }
        let avail = &self.out[self.out_pos..];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.out_pos += n;
        Ok(n)
    }
}

fn text_reader(path: &Path, encoding: TextEncoding) -> Result<Box<dyn Read>, SheetError> {
    let mut file = BufReader::new(File::open(path)?);
    let skip = match encoding {
        TextEncoding::Utf8 { bom: true } => 3,
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
        _ => 0,
    };
    let mut bom = [0u8; 3];
    file.read_exact(&mut bom[..skip])?;
    Ok(match encoding {
        TextEncoding::Utf8 { .. } => Box::new(file),
        _ => Box::new(DecodeReader::new(file, encoding)),
    })
}

/// Picks among ',', ';' and tab the delimiter that splits the first lines
/// most consistently (Vietnamese-locale Excel writes ';'). Quoted text is
/// skipped so that "Hà Nội, Việt Nam" does not vote for ','.
fn sniff_delimiter(path: &Path, encoding: TextEncoding) -> Result<u8, SheetError> {
    let mut head = Vec::new();
    text_reader(path, encoding)?
        .take(64 * 1024)
        .read_to_end(&mut head)?;
    let text = String::from_utf8_lossy(&head);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b',', (0usize, 0usize));
    for d in [b',', b';', b'\t'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| count_unquoted(l, char::from(d)))
            .collect();
        // The most common non-zero count, and how many lines have it.
        let mut mode = (0usize, 0usize);
        for &c in counts.iter().filter(|&&c| c > 0) {
            let lines_with = counts.iter().filter(|&&x| x == c).count();
            if (lines_with, c) > mode {
                mode = (lines_with, c);
            }
        }
        if mode > best.1 {
            best = (d, mode);
        }
    }
    Ok(best.0)
}

fn count_unquoted(line: &str, d: char) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == d && !quoted {
            n += 1;
        }
    }
    n
}

/// Makes blank lines visible to the csv crate, which skips them: a lone
/// delimiter is inserted into each empty line outside quoted fields, so
/// the line reads as a row of empty cells. Row numbers then stay aligned
/// with what Excel shows.
struct BlankLineFiller<R> {
    inner: R,
    delimiter: u8,
    limits: Limits,
    /// Bytes and delimiters of the record being read, to stop a hostile line
    /// before the csv crate buffers it.
    record_bytes: usize,
    record_fields: usize,
    hit: Option<LimitHit>,
    state: QuoteState,
    line_start: bool,
    buf: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    Unquoted {
        field_start: bool,
    },
    Quoted,
    /// A quote inside a quoted field: its end, or the first of "".
    QuoteInQuoted,
}

impl<R: Read> BlankLineFiller<R> {
    fn new(inner: R, delimiter: u8, limits: Limits) -> Self {
        BlankLineFiller {
            inner,
            delimiter,
            limits,
            record_bytes: 0,
            record_fields: 1,
            hit: None,
            state: QuoteState::Unquoted { field_start: true },
            line_start: true,
            buf: vec![0; 16 * 1024],
            out: Vec::with_capacity(17 * 1024),
            out_pos: 0,
        }
    }

    fn push(&mut self, b: u8) {
        use QuoteState::*;
        let d = self.delimiter;
        if self.line_start && matches!(self.state, Unquoted { .. }) && (b == b'\r' || b == b'\n') {
            self.out.push(d);
        }
        self.line_start = false;
        self.record_bytes += 1;
        if b == d && matches!(self.state, Unquoted { .. } | QuoteInQuoted) {
            self.record_fields += 1;
        }
        self.state = match (self.state, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted, b'"') => Quoted,
            (Unquoted { field_start: true }, b'"') => Quoted,
            (Unquoted { .. } | QuoteInQuoted, b'\n') => {
                self.line_start = true;
                self.record_bytes = 0;
                self.record_fields = 1;
                Unquoted { field_start: true }
            }
            (Unquoted { .. } | QuoteInQuoted, b'\r') => Unquoted { field_start: true },
            (Unquoted { .. } | QuoteInQuoted, x) => Unquoted {
                field_start: x == d,
            },
        };
        self.out.push(b);
        if self.hit.is_none() {
            if self.record_bytes > self.limits.max_record_bytes {
                self.hit = Some(LimitHit(
                    LimitKind::RecordLength,
                    self.limits.max_record_bytes as u64,
                ));
            } else if self.record_fields > self.limits.max_columns {
                self.hit = Some(LimitHit(LimitKind::Columns, self.limits.max_columns as u64));
            }
        }
    }
}

impl<R: Read> Read for BlankLineFiller<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
            for i in 0..n {
                let b = self.buf[i];
                self.push(b);
                if let Some(hit) = self.hit.take() {
                    return Err(io::Error::other(hit));
                }
            }
        }
        let avail = &self.out[self.out_pos..];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// CSV records as rows.
struct CsvRows {
    records: csv::StringRecordsIntoIter<BlankLineFiller<Box<dyn Read>>>,
    failed: bool,
    rows: usize,
    limits: Limits,
}

impl CsvRows {
    fn open(src: &CsvSource, limits: Limits) -> Result<CsvRows, SheetError> {
        let input =
            BlankLineFiller::new(text_reader(&src.path, src.encoding)?, src.delimiter, limits);
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(src.delimiter)
            .from_reader(input);
        Ok(CsvRows {
            records: reader.into_records(),
            failed: false,
            rows: 0,
            limits,
        })
    }
}

impl Iterator for CsvRows {
    type Item = Result<Vec<Cell>, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        self.rows += 1;
        if self.rows > self.limits.max_rows {
            self.failed = true;
            return Some(Err(too_large(LimitKind::Rows, self.limits.max_rows as u64)));
        }
        match self.records.next()? {
            Ok(record) => {
                if record.iter().any(|c| {
                    c.len() > self.limits.max_cell_chars
                        && c.chars().count() > self.limits.max_cell_chars
                }) {
                    self.failed = true;
                    return Some(Err(too_large(
                        LimitKind::CellLength,
                        self.limits.max_cell_chars as u64,
                    )));
                }
                let mut row: Vec<Cell> = record.iter().map(Cell::text).collect();
                trim_trailing(&mut row);
                Some(Ok(row))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e.into()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_reader_single_byte_and_utf16() {
        let bytes = [b'a', 0xA7, 0x80, 0xFF];
        let mut out = String::new();
        DecodeReader::new(&bytes[..], TextEncoding::SingleByte)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a§€ÿ");

        let text = "Đức 😀;x";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut out = String::new();
        DecodeReader::new(&le[..], TextEncoding::Utf16Le)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        // Read through a 3-byte window to split units and surrogates.
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = String::new();
        DecodeReader::new(Slow(&be), TextEncoding::Utf16Be)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn blank_lines_become_empty_rows() {
        let input = "a;b\r\n\r\n\"x\r\n\r\ny\";\"q\"\"\r\n\"\r\n\nz\n";
        let mut out = String::new();
        BlankLineFiller::new(input.as_bytes(), b';', Limits::default())
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a;b\r\n;\r\n\"x\r\n\r\ny\";\"q\"\"\r\n\"\r\n;\nz\n");
    }

    #[test]
    fn delimiter_counting_skips_quotes() {
        assert_eq!(count_unquoted("a;\"b;c\";d", ';'), 2);
        assert_eq!(count_unquoted("\"Hà Nội, Việt Nam\";x", ','), 0);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(
            iso_date("2025-07-05T00:00:00"),
            Date::from_calendar_date(2025, Month::July, 5).ok()
        );
        assert_eq!(iso_date("2025/07/05"), None);
        assert_eq!(iso_date("short"), None);
    }
}
