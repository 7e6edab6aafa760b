//! Certificates (giấy khen, giấy chứng nhận): one landscape A4 page each, with
//! a QR code of the public verification URL. A batch is typeset in parts of
//! [`CERTIFICATES_PER_PART`] that share the fonts and template, then exported
//! as one PDF: a thousand pages take seconds, in bounded memory.

use std::sync::LazyLock;

use congdoan_domain::date::format_vn_date;
use qrcode::{EcLevel, QrCode};
use serde_json::json;
use time::Date;
use typst::ecow::EcoVec;
use typst::foundations::{Array, Bytes, Dict, IntoValue, Value};
use typst::model::Document as _;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use crate::{FONTS, Limit, PdfError, Signature, place_date, typst_detail};

/// Most certificates in one PDF (the batch target is 1,000; a decision of a
/// large union may list a few thousand).
pub const MAX_CERTIFICATES: usize = 5_000;
/// Most characters of one field: the reason is the longest, and the page must
/// stay one page.
pub const MAX_CERT_FIELD_CHARS: usize = 600;
/// Certificates typeset per compile (see [`compile_part`]): a thousand in
/// one compile peaked at 310–380 MiB, in parts of a hundred at about 220.
pub const CERTIFICATES_PER_PART: usize = 100;

/// One certificate as printed.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// The governing body above the granting union ("LIÊN ĐOÀN LAO ĐỘNG TỈNH AN GIANG").
    pub parent_org: Option<String>,
    /// The granting union ("CÔNG ĐOÀN CƠ SỞ CÔNG TY …"), printed upper case.
    pub issuer: String,
    /// "GIẤY KHEN", "GIẤY CHỨNG NHẬN": the large title.
    pub kind_title: String,
    /// Printed large after "Tặng".
    pub recipient_name: String,
    /// The recipient's unit, when there is one.
    pub recipient_unit: Option<String>,
    /// The distinction ("Đoàn viên công đoàn xuất sắc năm 2025"), bold.
    pub title: String,
    /// "Đã có thành tích xuất sắc trong …".
    pub reason: String,
    /// "12/QĐ-CĐCS".
    pub decision_number: String,
    pub decision_date: Date,
    /// Place of the place-and-date line ("An Giang").
    pub place: String,
    /// Date of the place-and-date line (usually the decision date).
    pub date: Date,
    pub signature: Signature,
    /// Encoded in the QR code: the public verification page.
    pub verify_url: String,
    /// The short verification code, printed under the QR code.
    pub code: String,
}

const TEMPLATE: &str = include_str!("certificate.typ");

static ENGINE: LazyLock<TypstEngine<typst_as_lib::TypstTemplateMainFile>> = LazyLock::new(|| {
    TypstEngine::builder()
        .main_file(TEMPLATE)
        .fonts(FONTS)
        .build()
});

/// "Quyết định số 12/QĐ-CĐCS ngày 15/12/2025".
pub fn decision_line(number: &str, date: Date) -> String {
    format!("Quyết định số {number} ngày {}", format_vn_date(date))
}

/// The QR code of `text` as a small SVG (one path, one unit per module, a
/// four-module quiet zone), at error-correction level M.
pub fn qr_svg(text: &str) -> Result<String, PdfError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        PdfError::Layout {
            detail: format!("QR: {e}"),
        }
    })?;
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::with_capacity(width * width * 4);
    for y in 0..width {
        let row = &colors[y * width..(y + 1) * width];
        let mut x = 0;
        while x < width {
            if row[x] == qrcode::Color::Dark {
                let start = x;
                while x < width && row[x] == qrcode::Color::Dark {
                    x += 1;
                }
                let run = x - start;
                path.push_str(&format!("M{} {}h{run}v1h-{run}z", start + quiet, y + quiet));
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
    ))
}

/// Typesets the certificates, one landscape A4 page each, in one PDF.
pub fn render_certificates(certs: &[Certificate]) -> Result<Vec<u8>, PdfError> {
    if certs.is_empty() || certs.len() > MAX_CERTIFICATES {
        return Err(PdfError::TooLarge {
            what: Limit::Certificates,
            limit: MAX_CERTIFICATES,
            got: certs.len(),
        });
    }
    let mut pages = EcoVec::with_capacity(certs.len());
    let mut info = None;
    for part in certs.chunks(CERTIFICATES_PER_PART) {
        let document = compile_part(part)?;
        info.get_or_insert_with(|| document.info().clone());
        pages.extend(document.pages().iter().cloned());
    }
    let document = PagedDocument::new(pages, info.unwrap_or_default());
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|e| PdfError::Export {
        detail: crate::diagnostics(&e),
    })
}

/// Typesets one part of a batch. The engine drops typst's memoised layout
/// after each compile, so a batch in parts holds one part's caches at a time
/// plus the finished pages, not a thousand pages' caches at once.
fn compile_part(certs: &[Certificate]) -> Result<PagedDocument, PdfError> {
    let mut items = Vec::with_capacity(certs.len());
    let mut qrs = Vec::with_capacity(certs.len());
    for c in certs {
        for field in [
            Some(&c.issuer),
            c.parent_org.as_ref(),
            Some(&c.kind_title),
            Some(&c.recipient_name),
            c.recipient_unit.as_ref(),
            Some(&c.title),
            Some(&c.reason),
            Some(&c.decision_number),
            Some(&c.place),
            Some(&c.signature.role),
            Some(&c.signature.name),
            c.signature.on_behalf.as_ref(),
            Some(&c.verify_url),
            Some(&c.code),
        ]
        .into_iter()
        .flatten()
        {
            let chars = field.chars().count();
            if chars > MAX_CERT_FIELD_CHARS {
                return Err(PdfError::TooLarge {
                    what: Limit::FieldChars,
                    limit: MAX_CERT_FIELD_CHARS,
                    got: chars,
                });
            }
        }
        qrs.push(Value::Bytes(Bytes::new(
            qr_svg(&c.verify_url)?.into_bytes(),
        )));
        items.push(json!({
            "parent_org": c.parent_org,
            "issuer": c.issuer,
            "kind_title": c.kind_title,
            "recipient_name": c.recipient_name,
            "recipient_unit": c.recipient_unit,
            "title": c.title,
            "reason": c.reason,
            "decision": decision_line(&c.decision_number, c.decision_date),
            "place_date": place_date(&c.place, c.date),
            "signature": {
                "on_behalf": c.signature.on_behalf,
                "role": c.signature.role,
                "name": c.signature.name,
            },
            "code": c.code,
        }));
    }
    let mut inputs = Dict::new();
    inputs.insert(
        "certs".into(),
        serde_json::Value::Array(items).to_string().into_value(),
    );
    inputs.insert(
        "qrs".into(),
        Value::Array(qrs.into_iter().collect::<Array>()),
    );
    let compiled = ENGINE.compile_with_input::<_, PagedDocument>(inputs);
    compiled.output.map_err(|e| PdfError::Layout {
        detail: typst_detail(&e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn decision_line_uses_vietnamese_dates() {
        assert_eq!(
            decision_line("12/QĐ-CĐCS", date!(2025 - 12 - 15)),
            "Quyết định số 12/QĐ-CĐCS ngày 15/12/2025"
        );
    }

    #[test]
    fn qr_svg_is_one_path_with_a_quiet_zone() {
        let svg = qr_svg("https://congdoan.example/verify/ABCD").unwrap();
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<path").count(), 1);
        // Version 3 at level M (29 modules) plus 2 × 4 quiet modules.
        assert!(svg.contains("viewBox=\"0 0 37 37\""), "{svg}");
    }
}
