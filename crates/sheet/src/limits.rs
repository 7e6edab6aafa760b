//! Bounds on what reading one file may cost. Member lists come from anyone who can
//! upload, so a hostile file (a zip bomb, a gigabyte cell, a line of a million
//! commas) must fail early, in bounded memory and time, with a message naming the
//! limit — and never take the server down with it.
//!
//! An xlsx is checked before calamine opens it: every part is inflated once through
//! a counting scanner (no buffering beyond 64 KiB), so a part that inflates past its
//! budget, a text node longer than a cell may be, or too many shared strings stops
//! the read before anything is held in memory. CSV is checked while it streams.

use std::io::Read;
use std::path::Path;

use crate::error::SheetError;

/// What a file may hold. The defaults fit any honest member list (Excel's own
/// limits are 1,048,576 rows, 16,384 columns and 32,767 characters a cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows a sheet may have (blank rows included).
    pub max_rows: usize,
    /// Columns a row may have.
    pub max_columns: usize,
    /// Characters a cell may hold (Excel's limit).
    pub max_cell_chars: usize,
    /// Bytes all parts of an xlsx may inflate to, together.
    pub max_unpacked_bytes: u64,
    /// Bytes the shared-strings part may inflate to (calamine holds it in memory).
    pub max_shared_strings_bytes: u64,
    /// Strings the shared-strings part may hold.
    pub max_shared_strings: u64,
    /// Bytes any other part that is read whole (workbook, styles, relations) may
    /// inflate to; worksheets are streamed and count only against the total.
    pub max_part_bytes: u64,
    /// Entries the zip may hold.
    pub max_zip_entries: usize,
    /// Bytes one row may have: a CSV record (a line, or several when a quoted cell
    /// spans lines), or the text of an xlsx row once its shared strings are resolved.
    pub max_record_bytes: usize,
    /// Bytes of text all rows of an xlsx may hold once shared strings are resolved: a
    /// short string referenced by every cell of every row fans out without bound
    /// otherwise (80 KB of file held 2.45 GB of rows).
    pub max_text_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 2_000_000,
            max_columns: 1_000,
            max_cell_chars: 32_767,
            max_unpacked_bytes: 2 << 30,
            max_shared_strings_bytes: 256 << 20,
            max_shared_strings: 5_000_000,
            max_part_bytes: 64 << 20,
            max_zip_entries: 10_000,
            // A member row is a few hundred bytes; 64 KiB is room for long notes.
            max_record_bytes: 64 << 10,
            // A million members' rows hold about 120 MB of text.
            max_text_bytes: 256 << 20,
        }
    }
}

impl Limits {
    /// Bytes of XML text a cell of `max_cell_chars` may take: four bytes a
    /// character, and room for character references (`&#x1F600;`).
    pub fn max_cell_bytes(&self) -> usize {
        self.max_cell_chars.saturating_mul(10)
    }
}

/// Which limit a file went over; named in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    Rows,
    Columns,
    CellLength,
    Unpacked,
    SharedStrings,
    Part,
    ZipEntries,
    RecordLength,
    Text,
}

/// The error a reader returns through `std::io` when a CSV record goes over a limit;
/// turned back into [`SheetError::TooLarge`] by the row iterator.
#[derive(Debug)]
pub(crate) struct LimitHit(pub LimitKind, pub u64);

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "limit {:?} ({})", self.0, self.1)
    }
}

impl std::error::Error for LimitHit {}

pub(crate) fn too_large(what: LimitKind, limit: u64) -> SheetError {
    SheetError::TooLarge { what, limit }
}

/// Inflates every part of the xlsx at `path` once, counting, and refuses the file
/// when a part goes over its budget. Nothing but a 64 KiB buffer is held.
pub(crate) fn check_xlsx(path: &Path, limits: &Limits) -> Result<(), SheetError> {
    let file = std::fs::File::open(path)?;
    let mut zip = match zip::ZipArchive::new(std::io::BufReader::new(file)) {
        Ok(z) => z,
        // Not a readable zip: calamine reports it in its own words.
        Err(_) => return Ok(()),
    };
    if zip.len() > limits.max_zip_entries {
        return Err(too_large(
            LimitKind::ZipEntries,
            limits.max_zip_entries as u64,
        ));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(_) => continue,
        };
        let name = entry
            .name()
            .map(|n| n.to_ascii_lowercase())
            .unwrap_or_default();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            // Pictures, printer settings: calamine never reads them.
            continue;
        }
        let shared = name.ends_with("sharedstrings.xml");
        let sheet = name.starts_with("xl/worksheets/");
        let part_limit = if shared {
            limits.max_shared_strings_bytes
        } else if sheet {
            u64::MAX
        } else {
            limits.max_part_bytes
        };
        let mut scan = XmlScan::new(limits, shared);
        let mut part: u64 = 0;
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // A corrupt stream: calamine says so when it reads the part.
                Err(_) => break,
            };
            part += n as u64;
            total += n as u64;
            if total > limits.max_unpacked_bytes {
                return Err(too_large(LimitKind::Unpacked, limits.max_unpacked_bytes));
            }
            if part > part_limit {
                return Err(if shared {
                    too_large(LimitKind::SharedStrings, part_limit)
                } else {
                    too_large(LimitKind::Part, part_limit)
                });
            }
            scan.feed(&buf[..n])?;
        }
    }
    Ok(())
}

/// A byte-level pass over XML that measures text runs and tags without building
/// anything: enough to bound what calamine will later allocate for one cell.
struct XmlScan {
    in_tag: bool,
    run: usize,
    max_text: usize,
    max_tag: usize,
    count_si: bool,
    /// The first bytes of the current tag's name, to count `<si>` elements.
    name: [u8; 8],
    name_len: usize,
    name_done: bool,
    si: u64,
    max_si: u64,
}

impl XmlScan {
    fn new(limits: &Limits, count_si: bool) -> XmlScan {
        XmlScan {
            in_tag: false,
            run: 0,
            max_text: limits.max_cell_bytes(),
            // Attributes are short in honest files; CDATA and comments count here too.
            max_tag: limits.max_cell_bytes().max(1 << 20),
            count_si,
            name: [0; 8],
            name_len: 0,
            name_done: false,
            si: 0,
            max_si: limits.max_shared_strings,
        }
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<(), SheetError> {
        for &b in bytes {
            if self.in_tag {
                if b == b'>' {
                    self.end_tag()?;
                    continue;
                }
                self.run += 1;
                if self.run > self.max_tag {
                    return Err(too_large(LimitKind::CellLength, self.max_text as u64 / 10));
                }
                if !self.name_done {
                    if b.is_ascii_whitespace() || b == b'/' && self.name_len > 0 {
                        self.name_done = true;
                    } else if self.name_len < self.name.len() {
                        self.name[self.name_len] = b;
                        self.name_len += 1;
                    } else {
                        self.name_done = true;
                    }
                }
            } else if b == b'<' {
                self.in_tag = true;
                self.run = 0;
                self.name_len = 0;
                self.name_done = false;
            } else {
                self.run += 1;
                if self.run > self.max_text {
                    return Err(too_large(LimitKind::CellLength, self.max_text as u64 / 10));
                }
            }
        }
        Ok(())
    }

    fn end_tag(&mut self) -> Result<(), SheetError> {
        self.in_tag = false;
        self.run = 0;
        if self.count_si && self.name_len > 0 && self.name[0] != b'/' {
            let name = &self.name[..self.name_len];
            let local = name
                .iter()
                .rposition(|&c| c == b':')
                .map_or(name, |i| &name[i + 1..]);
            if local == b"si" || local == b"si/" {
                self.si += 1;
                if self.si > self.max_si {
                    return Err(too_large(LimitKind::SharedStrings, self.max_si));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str, limits: &Limits, si: bool) -> Result<u64, SheetError> {
        let mut s = XmlScan::new(limits, si);
        // Fed in small pieces, as the zip reader hands it over.
        for chunk in xml.as_bytes().chunks(7) {
            s.feed(chunk)?;
        }
        Ok(s.si)
    }

    #[test]
    fn text_runs_and_shared_strings_are_bounded() {
        let l = Limits {
            max_cell_chars: 10,
            max_shared_strings: 3,
            ..Limits::default()
        };
        assert!(scan("<c><v>short</v></c>", &l, false).is_ok());
        let long = format!("<c><is><t>{}</t></is></c>", "a".repeat(101));
        let e = scan(&long, &l, false).unwrap_err();
        assert!(matches!(
            e,
            SheetError::TooLarge {
                what: LimitKind::CellLength,
                ..
            }
        ));
        assert_eq!(
            scan(
                "<sst><si><t>a</t></si><x:si><t>b</t></x:si></sst>",
                &l,
                true
            )
            .unwrap(),
            2
        );
        let many = format!("<sst>{}</sst>", "<si><t>a</t></si>".repeat(4));
        assert!(scan(&many, &l, true).is_err());
        // Elements merely starting with "si" are not strings.
        assert_eq!(scan("<sst><size/><sig>x</sig></sst>", &l, true).unwrap(), 0);
    }
}
