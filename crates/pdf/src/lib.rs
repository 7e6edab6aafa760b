//! Documents in the Vietnamese administrative layout (Nghị định 30/2020/NĐ-CP):
//! directives, reports and roll-ups, typeset with typst into a PDF with
//! embedded fonts.
//!
//! Kept in its own crate because typst is large (hundreds of crates): only the
//! crates that export PDFs pay its compile time.
//!
//! [`render_certificates`] typesets certificates (giấy khen) with a QR code,
//! a batch in parts exported as one PDF.
//!
//! [`render`] is CPU-bound (a few milliseconds for a page, seconds for a
//! 10,000-row table): call it from `spawn_blocking` in async code.

mod certificate;
mod chart;
mod error;

use std::sync::LazyLock;

use serde_json::{Value as Json, json};
use time::Date;
use typst::diag::SourceDiagnostic;
use typst::foundations::{Array, Bytes, Dict, IntoValue, Value};
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

pub use certificate::{
    CERTIFICATES_PER_PART, Certificate, MAX_CERT_FIELD_CHARS, MAX_CERTIFICATES, decision_line,
    qr_svg, render_certificates,
};
pub use chart::svg_line_chart;
pub use error::{Limit, PdfError};

/// A document with the header, title, body and signature block of an
/// administrative text.
#[derive(Debug, Clone)]
pub struct AdminDoc {
    /// The governing body, upper line of the header ("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM").
    pub parent_org: Option<String>,
    /// The issuing union ("LIÊN ĐOÀN LAO ĐỘNG TỈNH AN GIANG"), printed bold with a short rule.
    pub issuer: String,
    /// "267/KH-LĐLĐ", printed "Số: 267/KH-LĐLĐ".
    pub number: Option<String>,
    /// "An Giang": the place in the place-and-date line.
    pub place: String,
    pub date: Date,
    /// "KẾ HOẠCH", "BÁO CÁO": the kind of text, bold and centred.
    pub kind_title: Option<String>,
    /// The summary line (trích yếu) under the kind.
    pub title: String,
    pub blocks: Vec<Block>,
    /// "Nơi nhận:" bottom-left, one "- …" line each.
    pub recipients: Vec<String>,
    /// Bottom-right signature block.
    pub signature: Option<Signature>,
    /// A4 landscape, for wide tables.
    pub landscape: bool,
    /// Small text at the foot of every page (page numbers are at the top, ND 30/2020).
    pub footer_note: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// A bold section heading ("I. MỤC ĐÍCH, YÊU CẦU").
    Heading(String),
    /// Justified text with a first-line indent; each line of the string is a paragraph.
    Paragraph(String),
    Table(Table),
    /// "Label: **value**" lines.
    KeyValues(Vec<(String, String)>),
    /// An SVG image (a chart from [`svg_line_chart`]), full text width.
    Svg(Vec<u8>),
    PageBreak,
}

/// A table whose header row repeats on every page.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Each row has exactly one cell per column.
    pub rows: Vec<Vec<String>>,
    /// A bold last row ("Tổng cộng").
    pub total: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub align: Align,
    /// A share of the free width (typst `fr`); `None` fits the content.
    pub width: Option<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
}

/// "TM. BAN THƯỜNG VỤ" / "CHỦ TỊCH" / (room to sign) / "Nguyễn Văn A".
#[derive(Debug, Clone)]
pub struct Signature {
    pub on_behalf: Option<String>,
    pub role: String,
    pub name: String,
}

/// Most table rows (all tables together) one document may hold.
pub const MAX_ROWS: usize = 20_000;
/// Most columns of one table.
pub const MAX_COLUMNS: usize = 40;
/// Most body blocks.
pub const MAX_BLOCKS: usize = 5_000;
/// Most bytes of text in all fields together.
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;
/// Most bytes of one SVG image.
pub const MAX_SVG_BYTES: usize = 2 * 1024 * 1024;

const TEMPLATE: &str = include_str!("admin.typ");
static FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

/// Parsed once: fonts and the template are shared by every render.
static ENGINE: LazyLock<TypstEngine<typst_as_lib::TypstTemplateMainFile>> = LazyLock::new(|| {
    TypstEngine::builder()
        .main_file(TEMPLATE)
        .fonts(FONTS)
        .build()
});

/// "An Giang, ngày 05 tháng 02 năm 2021": ND 30/2020 writes a day below 10
/// and the months 1 and 2 with a leading zero, the other months without.
pub fn place_date(place: &str, date: Date) -> String {
    let month = u8::from(date.month());
    let month = if month <= 2 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        date.day(),
        date.year()
    )
}

/// Typesets `doc` and returns the PDF bytes.
pub fn render(doc: &AdminDoc) -> Result<Vec<u8>, PdfError> {
    let (json, svgs) = to_input(doc)?;
    let mut inputs = Dict::new();
    inputs.insert("doc".into(), json.to_string().into_value());
    inputs.insert(
        "svgs".into(),
        Value::Array(
            svgs.into_iter()
                .map(|s| Value::Bytes(Bytes::new(s)))
                .collect::<Array>(),
        ),
    );
    let compiled = ENGINE.compile_with_input::<_, PagedDocument>(inputs);
    let document = compiled.output.map_err(|e| PdfError::Layout {
        detail: typst_detail(&e),
    })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|e| PdfError::Export {
        detail: diagnostics(&e),
    })
}

fn diagnostics(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn typst_detail(e: &typst_as_lib::TypstAsLibError) -> String {
    match e {
        typst_as_lib::TypstAsLibError::TypstSource(errors) => diagnostics(errors),
        other => other.to_string(),
    }
}

/// Checks the limits and turns the document into the template's JSON input
/// plus the SVG images it refers to by index.
fn to_input(doc: &AdminDoc) -> Result<(Json, Vec<Vec<u8>>), PdfError> {
    let too_large = |what, limit, got| Err(PdfError::TooLarge { what, limit, got });
    if doc.blocks.len() > MAX_BLOCKS {
        return too_large(Limit::Blocks, MAX_BLOCKS, doc.blocks.len());
    }
    let mut text_bytes = [
        Some(&doc.issuer),
        doc.parent_org.as_ref(),
        doc.number.as_ref(),
        Some(&doc.place),
        doc.kind_title.as_ref(),
        Some(&doc.title),
        doc.footer_note.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::len)
    .sum::<usize>()
        + doc.recipients.iter().map(String::len).sum::<usize>();
    let mut rows = 0usize;
    let mut svgs = Vec::new();
    let mut blocks = Vec::with_capacity(doc.blocks.len());
    for block in &doc.blocks {
        let value = match block {
            Block::Heading(t) => {
                text_bytes += t.len();
                json!({"kind": "heading", "text": t})
            }
            Block::Paragraph(t) => {
                text_bytes += t.len();
                let lines: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                json!({"kind": "paragraph", "lines": lines})
            }
            Block::Table(table) => {
                let width = table.columns.len();
                if width == 0 || width > MAX_COLUMNS {
                    return too_large(Limit::Columns, MAX_COLUMNS, width);
                }
                rows += table.rows.len() + usize::from(table.total.is_some());
                if rows > MAX_ROWS {
                    return too_large(Limit::Rows, MAX_ROWS, rows);
                }
                for (i, row) in table.rows.iter().chain(&table.total).enumerate() {
                    if row.len() != width {
                        return Err(PdfError::RowWidth {
                            row: i + 1,
                            cells: row.len(),
                            columns: width,
                        });
                    }
                    text_bytes += row.iter().map(String::len).sum::<usize>();
                }
                if text_bytes > MAX_TEXT_BYTES {
                    return too_large(Limit::TextBytes, MAX_TEXT_BYTES, text_bytes);
                }
                let columns: Vec<Json> = table
                    .columns
                    .iter()
                    .map(|c| {
                        text_bytes += c.title.len();
                        json!({
                            "title": c.title,
                            "align": match c.align {
                                Align::Left => "left",
                                Align::Right => "right",
                                Align::Center => "center",
                            },
                            // A zero or negative share would be a typst error.
                            "width": c.width.filter(|w| w.is_finite() && *w > 0.0).map(f64::from),
                        })
                    })
                    .collect();
                json!({"kind": "table", "columns": columns, "rows": table.rows, "total": table.total})
            }
            Block::KeyValues(pairs) => {
                text_bytes += pairs.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
                json!({"kind": "key_values", "pairs": pairs})
            }
            Block::Svg(svg) => {
                if svg.len() > MAX_SVG_BYTES {
                    return too_large(Limit::SvgBytes, MAX_SVG_BYTES, svg.len());
                }
                if !looks_like_svg(svg) {
                    return Err(PdfError::NotSvg {
                        index: svgs.len() + 1,
                    });
                }
                svgs.push(svg.clone());
                json!({"kind": "svg", "index": svgs.len() - 1})
            }
            Block::PageBreak => json!({"kind": "page_break"}),
        };
        blocks.push(value);
    }
    if text_bytes > MAX_TEXT_BYTES {
        return too_large(Limit::TextBytes, MAX_TEXT_BYTES, text_bytes);
    }
    let signature = doc
        .signature
        .as_ref()
        .map(|s| json!({"on_behalf": s.on_behalf, "role": s.role, "name": s.name}));
    let input = json!({
        "parent_org": doc.parent_org,
        "issuer": doc.issuer,
        "number": doc.number,
        "place_date": place_date(&doc.place, doc.date),
        "kind_title": doc.kind_title,
        "title": doc.title,
        "blocks": blocks,
        "recipients": doc.recipients,
        "signature": signature,
        "landscape": doc.landscape,
        "footer_note": doc.footer_note,
    });
    Ok((input, svgs))
}

/// A cheap check before typst parses it: UTF-8 text with an `<svg` element.
fn looks_like_svg(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.contains("<svg"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn place_date_follows_nd30_leading_zeros() {
        assert_eq!(
            place_date("An Giang", date!(2020 - 05 - 20)),
            "An Giang, ngày 20 tháng 5 năm 2020"
        );
        assert_eq!(
            place_date("Kon Tum", date!(2021 - 02 - 05)),
            "Kon Tum, ngày 05 tháng 02 năm 2021"
        );
        assert_eq!(
            place_date("Hà Nội", date!(2026 - 12 - 06)),
            "Hà Nội, ngày 06 tháng 12 năm 2026"
        );
        assert_eq!(
            place_date("Hà Nội", date!(2026 - 01 - 31)),
            "Hà Nội, ngày 31 tháng 01 năm 2026"
        );
    }
}
