//! Spreadsheets in and out for congdoan.
//!
//! Unions keep member lists in Excel and CSV files of every vintage: title
//! rows above the header, Vietnamese column names, dates as text, serials or
//! real dates, text in Unicode NFC or NFD or in the legacy TCVN3/VNI
//! encodings. This crate turns such files into typed member rows with
//! precise per-row problems, and writes xlsx/CSV exports. It is pure: no
//! database, no async; callers run it on a blocking thread.
//!
//! Typical import:
//!
//! ```no_run
//! use congdoan_sheet::{Legacy, SheetError, Workbook, detect_layout, parse_member_row};
//!
//! # fn main() -> Result<(), SheetError> {
//! let mut wb = Workbook::open(std::path::Path::new("members.xlsx"))?;
//! // Look at the first rows to find the header and the text encoding.
//! let head: Vec<_> = wb.rows(0)?.take(200).collect::<Result<_, _>>()?;
//! let layout = detect_layout(&head).ok_or(SheetError::NoHeader)?;
//! let legacy = Legacy::detect_rows(&head);
//! for (i, row) in wb.rows(0)?.enumerate() {
//!     match parse_member_row(i + 1, &row?, &layout, legacy) {
//!         Ok(Some(member)) => { /* store it */ }
//!         Ok(None) => {} // blank, title, total or signature row
//!         Err(problems) => { /* show them to the user */ }
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod cell;
pub mod criteria;
mod error;
mod export;
pub mod form;
pub mod hostile;
mod layout;
mod legacy;
mod limits;
mod member;
mod read;

pub use cell::Cell;
pub use error::{SheetError, UnknownKind, column_letter};
pub use export::{CsvExport, EXCEL_MAX_ROWS, XlsxExport};
pub use layout::{Field, HEADER_SEARCH_ROWS, Layout, classify_header, detect_layout, layout_with};
pub use legacy::Legacy;
pub use limits::{LimitKind, Limits};
pub use member::{
    MemberRow, RowProblem, codes, is_footer_row, parse_date_cell, parse_member_row,
    row_has_member_data,
};
pub use read::{RowIter, Workbook};
