//! Certificates rendered and read back with poppler: the text a person sees,
//! one page per certificate, and the QR code decoded from the rasterised page.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use congdoan_pdf::{
    CERTIFICATES_PER_PART, Certificate, Limit, MAX_CERT_FIELD_CHARS, PdfError, Signature,
    render_certificates,
};
use time::macros::date;

struct Pdf {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Pdf {
    fn new(name: &str, bytes: &[u8]) -> Pdf {
        assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
        if let Some(keep) = std::env::var_os("CONGDOAN_PDF_KEEP") {
            std::fs::write(PathBuf::from(keep).join(format!("{name}.pdf")), bytes).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.pdf");
        std::fs::write(&path, bytes).unwrap();
        Pdf { dir, path }
    }

    fn run(&self, name: &str, args: &[&str]) -> Vec<u8> {
        let out = Command::new(name)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{name} (poppler-utils) is needed: {e}"));
        assert!(out.status.success(), "{name} failed: {out:?}");
        out.stdout
    }

    /// The text of `page` (1-based), white space runs as one space.
    fn page_text(&self, page: usize) -> String {
        let p = page.to_string();
        let path = self.path.to_str().unwrap();
        let raw = self.run(
            "pdftotext",
            &["-enc", "UTF-8", "-f", &p, "-l", &p, path, "-"],
        );
        String::from_utf8(raw)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn info(&self) -> String {
        String::from_utf8(self.run("pdfinfo", &[self.path.to_str().unwrap()])).unwrap()
    }

    fn pages(&self) -> usize {
        self.info()
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("a page count")
    }

    /// Rasterises `page` in grey at 150 dpi and decodes every QR code on it.
    fn qr_codes(&self, page: usize) -> Vec<String> {
        let p = page.to_string();
        let prefix = self.dir.path().join(format!("page{page}"));
        self.run(
            "pdftoppm",
            &[
                "-gray",
                "-r",
                "150",
                "-f",
                &p,
                "-l",
                &p,
                "-singlefile",
                self.path.to_str().unwrap(),
                prefix.to_str().unwrap(),
            ],
        );
        let (w, h, pixels) = read_pgm(&prefix.with_extension("pgm"));
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
        img.detect_grids()
            .into_iter()
            .map(|g| g.decode().expect("a readable QR code").1)
            .collect()
    }
}

/// A binary PGM (P5, 8-bit) as written by pdftoppm.
fn read_pgm(path: &Path) -> (usize, usize, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8(bytes[start..i].to_vec()).unwrap());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let data = bytes[i + 1..].to_vec();
    assert_eq!(data.len(), w * h);
    (w, h, data)
}

fn cert(i: usize) -> Certificate {
    Certificate {
        parent_org: Some("Liên đoàn Lao động tỉnh An Giang".into()),
        issuer: "Công đoàn cơ sở Công ty TNHH Giày da Mỹ Phong".into(),
        kind_title: "Giấy khen".into(),
        recipient_name: format!("Nguyễn Thị Thu Hường {i}"),
        recipient_unit: Some("Tổ công đoàn Phân xưởng may 2".into()),
        title: "Đoàn viên công đoàn xuất sắc năm 2025".into(),
        reason: "Đã có thành tích xuất sắc trong phong trào thi đua \"Lao động giỏi, lao động sáng tạo\" và xây dựng tổ chức công đoàn vững mạnh năm 2025.".into(),
        decision_number: "12/QĐ-CĐCS".into(),
        decision_date: date!(2025 - 12 - 15),
        place: "An Giang".into(),
        date: date!(2025 - 12 - 15),
        signature: Signature {
            on_behalf: Some("TM. Ban Chấp hành".into()),
            role: "Chủ tịch".into(),
            name: "Trần Văn Đức".into(),
        },
        verify_url: format!("https://congdoan.example.vn/verify/K7QM4TX9PW{i:02}"),
        code: format!("K7QM4TX9PW{i:02}"),
    }
}

#[test]
fn certificate_reads_back_in_vietnamese_with_a_decodable_qr_code() {
    let pdf = Pdf::new(
        "certificate",
        &render_certificates(&[cert(1), cert(2)]).unwrap(),
    );
    assert_eq!(pdf.pages(), 2);
    let info = pdf.info();
    // Landscape A4: 841.89 x 595.276 pts.
    assert!(info.contains("841.89 x 595.276"), "{info}");
    for page in [1, 2] {
        let text = pdf.page_text(page);
        for expected in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "CÔNG ĐOÀN CƠ SỞ CÔNG TY TNHH GIÀY DA MỸ PHONG",
            "GIẤY KHEN",
            "Tặng",
            &format!("Nguyễn Thị Thu Hường {page}"),
            "Tổ công đoàn Phân xưởng may 2",
            "Đoàn viên công đoàn xuất sắc năm 2025",
            "\"Lao động giỏi",
            "Quyết định số 12/QĐ-CĐCS ngày 15/12/2025",
            "An Giang, ngày 15 tháng 12 năm 2025",
            "TM. BAN CHẤP HÀNH",
            "CHỦ TỊCH",
            "Trần Văn Đức",
            &format!("K7QM4TX9PW{page:02}"),
        ] {
            assert!(
                text.contains(expected),
                "page {page}: {expected:?} not in {text}"
            );
        }
        assert_eq!(
            pdf.qr_codes(page),
            vec![format!(
                "https://congdoan.example.vn/verify/K7QM4TX9PW{page:02}"
            )]
        );
    }
}

#[test]
fn a_batch_in_parts_is_one_pdf_with_one_page_per_certificate_in_order() {
    // Three parts: two full, one of a single certificate.
    let n = 2 * CERTIFICATES_PER_PART + 1;
    let batch: Vec<Certificate> = (0..n).map(cert).collect();
    let started = Instant::now();
    let pdf = Pdf::new("batch", &render_certificates(&batch).unwrap());
    eprintln!("{n} certificates in {:?}", started.elapsed());
    assert_eq!(pdf.pages(), n);
    for page in [1, CERTIFICATES_PER_PART, CERTIFICATES_PER_PART + 1, n] {
        let text = pdf.page_text(page);
        let name = format!("Nguyễn Thị Thu Hường {}", page - 1);
        assert!(text.contains(&name), "page {page}: {name:?} not in {text}");
        assert!(
            text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            "page {page}: {text}"
        );
    }
    assert_eq!(
        pdf.qr_codes(n),
        vec![format!(
            "https://congdoan.example.vn/verify/K7QM4TX9PW{:02}",
            n - 1
        )]
    );
}

#[test]
fn long_fields_and_empty_batches_are_refused() {
    let mut c = cert(1);
    c.reason = "ạ".repeat(MAX_CERT_FIELD_CHARS + 1);
    match render_certificates(&[c]) {
        Err(PdfError::TooLarge {
            what: Limit::FieldChars,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    match render_certificates(&[]) {
        Err(PdfError::TooLarge {
            what: Limit::Certificates,
            got: 0,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn user_text_is_never_markup() {
    let mut c = cert(1);
    c.recipient_name = "#pagebreak() *Lê* $x$ [a] \\ Văn".into();
    let pdf = Pdf::new("inject", &render_certificates(&[c]).unwrap());
    assert_eq!(pdf.pages(), 1);
    assert!(
        pdf.page_text(1)
            .contains("#pagebreak() *Lê* $x$ [a] \\ Văn")
    );
}
