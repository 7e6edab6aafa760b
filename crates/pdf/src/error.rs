//! Why a document could not be produced, with stable `PDxxxx` codes and a
//! Vietnamese and an English sentence.

use congdoan_domain::{Lang, format_int};

/// Which bound of [`crate::render`] a document went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Table rows, all tables together ([`crate::MAX_ROWS`]).
    Rows,
    /// Columns of one table ([`crate::MAX_COLUMNS`]; a table needs at least one).
    Columns,
    /// Body blocks ([`crate::MAX_BLOCKS`]).
    Blocks,
    /// Bytes of text ([`crate::MAX_TEXT_BYTES`]).
    TextBytes,
    /// Bytes of one SVG image ([`crate::MAX_SVG_BYTES`]).
    SvgBytes,
    /// Certificates in one batch ([`crate::MAX_CERTIFICATES`]).
    Certificates,
    /// Characters of one certificate field ([`crate::MAX_CERT_FIELD_CHARS`]), so it fits its page.
    FieldChars,
}

impl Limit {
    fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Limit::Rows, Lang::Vi) => "dòng bảng",
            (Limit::Rows, Lang::En) => "table rows",
            (Limit::Columns, Lang::Vi) => "cột trong một bảng",
            (Limit::Columns, Lang::En) => "columns in one table",
            (Limit::Blocks, Lang::Vi) => "phần nội dung",
            (Limit::Blocks, Lang::En) => "body blocks",
            (Limit::TextBytes, Lang::Vi) => "byte văn bản",
            (Limit::TextBytes, Lang::En) => "bytes of text",
            (Limit::SvgBytes, Lang::Vi) => "byte của một hình SVG",
            (Limit::SvgBytes, Lang::En) => "bytes of one SVG image",
            (Limit::Certificates, Lang::Vi) => "giấy khen, giấy chứng nhận trong một lần in",
            (Limit::Certificates, Lang::En) => "certificates in one batch",
            (Limit::FieldChars, Lang::Vi) => "ký tự trong một mục của giấy",
            (Limit::FieldChars, Lang::En) => "characters in one certificate field",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// typst refused the document: a bug in the template or its input.
    #[error("{}", self.message(Lang::Vi))]
    Layout { detail: String },
    /// The document goes over one of the bounds; nothing was typeset.
    #[error("{}", self.message(Lang::Vi))]
    TooLarge {
        what: Limit,
        limit: usize,
        got: usize,
    },
    /// Writing the PDF failed after layout.
    #[error("{}", self.message(Lang::Vi))]
    Export { detail: String },
    /// A table row (1-based; the total row counts last) with the wrong number of cells.
    #[error("{}", self.message(Lang::Vi))]
    RowWidth {
        row: usize,
        cells: usize,
        columns: usize,
    },
    /// The n-th image (1-based) is not SVG text.
    #[error("{}", self.message(Lang::Vi))]
    NotSvg { index: usize },
}

impl PdfError {
    /// Stable identifier, never reused for a different meaning.
    pub fn code(&self) -> &'static str {
        match self {
            PdfError::Layout { .. } => "PD0001",
            PdfError::TooLarge { .. } => "PD0002",
            PdfError::Export { .. } => "PD0003",
            PdfError::RowWidth { .. } => "PD0004",
            PdfError::NotSvg { .. } => "PD0005",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            PdfError::Layout { detail } => {
                if vi {
                    format!("Không dàn trang được văn bản PDF ({detail}).")
                } else {
                    format!("The PDF document could not be laid out ({detail}).")
                }
            }
            PdfError::TooLarge { what, limit, got } => {
                let (limit, got, name) = (
                    format_int(*limit as i64),
                    format_int(*got as i64),
                    what.name(lang),
                );
                if vi {
                    format!(
                        "Văn bản quá lớn để xuất PDF: {got} {name}, tối đa {limit}. Hãy thu hẹp phạm vi hoặc xuất ra Excel."
                    )
                } else {
                    format!(
                        "The document is too large for PDF: {got} {name}, at most {limit}. Narrow the selection or export to Excel."
                    )
                }
            }
            PdfError::Export { detail } => {
                if vi {
                    format!("Không ghi được tệp PDF ({detail}).")
                } else {
                    format!("The PDF file could not be written ({detail}).")
                }
            }
            PdfError::RowWidth {
                row,
                cells,
                columns,
            } => {
                if vi {
                    format!("Dòng {row} của bảng có {cells} ô, bảng có {columns} cột.")
                } else {
                    format!("Table row {row} has {cells} cells; the table has {columns} columns.")
                }
            }
            PdfError::NotSvg { index } => {
                if vi {
                    format!("Hình thứ {index} không phải là ảnh SVG.")
                } else {
                    format!("Image {index} is not an SVG image.")
                }
            }
        }
    }
}
