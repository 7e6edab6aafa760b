//! File-level failures: the whole file (or the chosen layout) cannot be
//! used. Problems of single rows are [`crate::RowProblem`]s instead, so one
//! bad row never hides the others.

use congdoan_domain::Lang;

use crate::layout::Field;
use crate::limits::LimitKind;

/// What an unreadable file turned out to be, for a precise hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownKind {
    /// An HTML or XML-2003 table renamed to .xls, as some web systems export.
    Html,
    /// A zip file that is not an xlsx workbook (.ods, .docx, …).
    ZipNotXlsx,
    /// Binary content that is neither xlsx nor text (PDF, image, …).
    Binary,
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// Reading or writing the file failed at the operating-system level.
    #[error("{}", self.message(Lang::Vi))]
    Io(#[from] std::io::Error),
    /// The file claims a known format but its content is broken.
    #[error("{}", self.message(Lang::Vi))]
    Corrupt { detail: String },
    /// An Excel 97–2003 .xls (or a password-protected workbook, which uses
    /// the same container): we only read xlsx and CSV.
    #[error("{}", self.message(Lang::Vi))]
    OldXls,
    #[error("{}", self.message(Lang::Vi))]
    UnknownFormat { kind: UnknownKind },
    #[error("{}", self.message(Lang::Vi))]
    NoSheet { index: usize, count: usize },
    /// No row looks like a header; the message lists what we look for.
    #[error("{}", self.message(Lang::Vi))]
    NoHeader,
    #[error("{}", self.message(Lang::Vi))]
    DuplicateField { field: Field },
    #[error("{}", self.message(Lang::Vi))]
    DuplicateColumn { column: usize },
    #[error("{}", self.message(Lang::Vi))]
    NoNameColumn,
    /// Producing an export failed.
    #[error("{}", self.message(Lang::Vi))]
    Write { detail: String },
    /// The file goes over one of the [`crate::Limits`]; reading stopped there.
    #[error("{}", self.message(Lang::Vi))]
    TooLarge { what: LimitKind, limit: u64 },
}

/// Excel-style column letters: 0 → A, 26 → AA. Users know columns by
/// letter, not by index.
pub fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

impl SheetError {
    /// Stable identifier, never reused for a different meaning.
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::Io(_) => "SH001",
            SheetError::Corrupt { .. } => "SH002",
            SheetError::OldXls => "SH003",
            SheetError::UnknownFormat { .. } => "SH004",
            SheetError::NoSheet { .. } => "SH005",
            SheetError::NoHeader => "SH006",
            SheetError::DuplicateField { .. } => "SH007",
            SheetError::DuplicateColumn { .. } => "SH008",
            SheetError::NoNameColumn => "SH009",
            SheetError::Write { .. } => "SH010",
            SheetError::TooLarge { .. } => "SH011",
        }
    }

    /// A full sentence for the person who uploaded the file: what is wrong
    /// and what to do about it.
    pub fn message(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            SheetError::Io(e) => {
                if vi {
                    format!("Không đọc hoặc ghi được tệp ({e}).")
                } else {
                    format!("The file could not be read or written ({e}).")
                }
            }
            SheetError::Corrupt { detail } => {
                if vi {
                    format!(
                        "Tệp bị hỏng hoặc không đúng định dạng ({detail}). Hãy mở tệp bằng Excel và lưu lại dưới dạng .xlsx rồi tải lên lại."
                    )
                } else {
                    format!(
                        "The file is damaged or not in the expected format ({detail}). Open it in Excel, save it as .xlsx and upload it again."
                    )
                }
            }
            SheetError::OldXls => if vi {
                "Đây là tệp Excel cũ (.xls, Excel 97–2003) hoặc tệp có đặt mật khẩu. Hãy mở bằng Excel, bỏ mật khẩu nếu có, chọn Lưu thành (Save As) và lưu lại dưới dạng .xlsx rồi tải lên lại."
            } else {
                "This is an old Excel file (.xls, Excel 97–2003) or a password-protected workbook. Open it in Excel, remove the password if any, and use Save As to save it as .xlsx, then upload it again."
            }
            .to_owned(),
            SheetError::UnknownFormat { kind } => match (kind, vi) {
                (UnknownKind::Html, true) => "Tệp này là trang HTML/XML được đổi đuôi thành .xls, không phải bảng tính thật. Hãy mở bằng Excel và lưu lại dưới dạng .xlsx rồi tải lên lại.",
                (UnknownKind::Html, false) => "This file is an HTML/XML page renamed to .xls, not a real spreadsheet. Open it in Excel and save it as .xlsx, then upload it again.",
                (UnknownKind::ZipNotXlsx, true) => "Tệp nén này không phải bảng tính .xlsx (có thể là .ods hoặc .docx). Hãy mở bằng Excel hoặc LibreOffice và lưu lại dưới dạng .xlsx.",
                (UnknownKind::ZipNotXlsx, false) => "This archive is not an .xlsx workbook (it may be .ods or .docx). Open it in Excel or LibreOffice and save it as .xlsx.",
                (UnknownKind::Binary, true) => "Không nhận ra định dạng tệp. Chỉ nhận bảng tính .xlsx hoặc tệp .csv.",
                (UnknownKind::Binary, false) => "Unknown file format. Only .xlsx workbooks and .csv files are accepted.",
            }
            .to_owned(),
            SheetError::NoSheet { index, count } => {
                if vi {
                    format!(
                        "Không có trang tính số {} (tệp có {count} trang tính).",
                        index + 1
                    )
                } else {
                    format!(
                        "There is no worksheet number {} (the file has {count}).",
                        index + 1
                    )
                }
            }
            SheetError::NoHeader => {
                let names = |fields: &[Field]| {
                    fields
                        .iter()
                        .map(|f| format!("“{}”", f.label(lang)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let others = names(&[
                    Field::BirthDate,
                    Field::Sex,
                    Field::Cccd,
                    Field::Phone,
                    Field::Unit,
                    Field::JoinDate,
                    Field::CardNo,
                ]);
                if vi {
                    format!(
                        "Không tìm thấy dòng tiêu đề cột. Bảng cần một cột {} (hoặc hai cột {} và {}) và ít nhất một cột khác như {others}.",
                        names(&[Field::FullName]),
                        names(&[Field::FamilyAndMiddle]),
                        names(&[Field::GivenName]),
                    )
                } else {
                    format!(
                        "No header row was found. The table needs a {} column (or two columns {} and {}) and at least one other column such as {others}.",
                        names(&[Field::FullName]),
                        names(&[Field::FamilyAndMiddle]),
                        names(&[Field::GivenName]),
                    )
                }
            }
            SheetError::DuplicateField { field } => {
                if vi {
                    format!(
                        "Trường “{}” được chọn cho nhiều cột; mỗi trường chỉ được gán cho một cột.",
                        field.label(lang)
                    )
                } else {
                    format!(
                        "The field “{}” is assigned to more than one column; each field may be used once.",
                        field.label(lang)
                    )
                }
            }
            SheetError::DuplicateColumn { column } => {
                if vi {
                    format!(
                        "Cột {} được gán hai trường; mỗi cột chỉ chứa một trường.",
                        column_letter(*column)
                    )
                } else {
                    format!(
                        "Column {} is assigned two fields; a column holds one field.",
                        column_letter(*column)
                    )
                }
            }
            SheetError::NoNameColumn => if vi {
                "Cần chọn cột “Họ và tên” (hoặc cột “Tên”, có thể kèm cột “Họ và tên đệm”)."
            } else {
                "Choose a “Full name” column (or a “Given name” column, optionally with “Family and middle name”)."
            }
            .to_owned(),
            SheetError::Write { detail } => {
                if vi {
                    format!("Không tạo được tệp xuất ({detail}).")
                } else {
                    format!("The export file could not be written ({detail}).")
                }
            }
            SheetError::TooLarge { what, limit } => {
                let n = congdoan_domain::format_int(i64::try_from(*limit).unwrap_or(i64::MAX));
                let mib = congdoan_domain::format_int(
                    i64::try_from(*limit >> 20).unwrap_or(i64::MAX),
                );
                let (vi_what, en_what) = match what {
                    LimitKind::Rows => (
                        format!("có quá {n} dòng"),
                        format!("has more than {n} rows"),
                    ),
                    LimitKind::Columns => (
                        format!("có dòng quá {n} cột"),
                        format!("has a row of more than {n} columns"),
                    ),
                    LimitKind::CellLength => (
                        format!("có ô dài quá {n} ký tự"),
                        format!("has a cell longer than {n} characters"),
                    ),
                    LimitKind::Unpacked => (
                        format!("khi giải nén lớn quá {mib} MB"),
                        format!("unpacks to more than {mib} MB"),
                    ),
                    LimitKind::SharedStrings => (
                        "có bảng chuỗi dùng chung (sharedStrings) lớn quá giới hạn".to_owned(),
                        "has a shared-strings table over the limit".to_owned(),
                    ),
                    LimitKind::Part => (
                        format!("có thành phần lớn quá {mib} MB khi giải nén"),
                        format!("has a part that unpacks to more than {mib} MB"),
                    ),
                    LimitKind::ZipEntries => (
                        format!("chứa quá {n} thành phần"),
                        format!("holds more than {n} parts"),
                    ),
                    LimitKind::RecordLength => {
                        let size = match *limit >= 1 << 20 {
                            true => format!("{mib} MB"),
                            false => format!(
                                "{} KB",
                                congdoan_domain::format_int(
                                    i64::try_from(*limit >> 10).unwrap_or(i64::MAX)
                                )
                            ),
                        };
                        (
                            format!("có dòng dài quá {size}"),
                            format!("has a line longer than {size}"),
                        )
                    }
                    LimitKind::Text => (
                        format!("có tổng cộng hơn {mib} MB chữ trong các ô"),
                        format!("holds more than {mib} MB of text in its cells"),
                    ),
                };
                if vi {
                    format!(
                        "Tệp {vi_what} nên không được đọc tiếp. Hãy kiểm tra lại tệp (chỉ giữ bảng danh sách đoàn viên), hoặc chia thành nhiều tệp nhỏ hơn rồi tải lên lại."
                    )
                } else {
                    format!(
                        "The file {en_what}, so reading stopped. Check the file (keep only the member table), or split it into smaller files and upload them again."
                    )
                }
            }
        }
    }
}

impl From<csv::Error> for SheetError {
    fn from(e: csv::Error) -> Self {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => match io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<crate::limits::LimitHit>())
            {
                Some(hit) => crate::limits::too_large(hit.0, hit.1),
                None => SheetError::Io(io),
            },
            other => SheetError::Corrupt {
                detail: format!("CSV: {other:?}"),
            },
        }
    }
}

impl From<rust_xlsxwriter::XlsxError> for SheetError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        match e {
            rust_xlsxwriter::XlsxError::IoError(io) => SheetError::Io(io),
            other => SheetError::Write {
                detail: other.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn all() -> Vec<SheetError> {
        vec![
            SheetError::Io(std::io::Error::other("x")),
            SheetError::Corrupt { detail: "x".into() },
            SheetError::OldXls,
            SheetError::UnknownFormat {
                kind: UnknownKind::Html,
            },
            SheetError::NoSheet { index: 1, count: 1 },
            SheetError::NoHeader,
            SheetError::DuplicateField {
                field: Field::BirthDate,
            },
            SheetError::DuplicateColumn { column: 27 },
            SheetError::NoNameColumn,
            SheetError::Write { detail: "x".into() },
            SheetError::TooLarge {
                what: LimitKind::Columns,
                limit: 1000,
            },
        ]
    }

    #[test]
    fn codes_unique_and_messages_bilingual() {
        let errs = all();
        let codes: HashSet<&str> = errs.iter().map(SheetError::code).collect();
        assert_eq!(codes.len(), errs.len());
        for e in &errs {
            assert!(e.code().starts_with("SH"));
            assert_ne!(e.message(Lang::Vi), e.message(Lang::En));
            assert_eq!(e.to_string(), e.message(Lang::Vi));
        }
    }

    #[test]
    fn messages_say_what_to_do() {
        assert!(SheetError::OldXls.message(Lang::Vi).contains(".xlsx"));
        let m = SheetError::NoHeader.message(Lang::Vi);
        assert!(m.contains("“Họ và tên”"), "{m}");
        assert!(m.contains("“Ngày sinh”"), "{m}");
        let m = SheetError::DuplicateColumn { column: 27 }.message(Lang::Vi);
        assert!(m.contains("Cột AB"), "{m}");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
