//! Renders real documents and reads them back with poppler (pdftotext,
//! pdffonts, pdfinfo), as a person opening the PDF would see them.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use congdoan_pdf::{
    AdminDoc, Align, Block, Column, Limit, MAX_ROWS, PdfError, Signature, Table, render,
    svg_line_chart,
};
use time::macros::date;

/// A PDF written to a temporary folder, read back through poppler.
struct Pdf {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Pdf {
    /// `CONGDOAN_PDF_KEEP=/some/dir` also keeps a copy named `name`, to look at.
    fn new(name: &str, bytes: &[u8]) -> Pdf {
        assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
        if let Some(keep) = std::env::var_os("CONGDOAN_PDF_KEEP") {
            std::fs::write(PathBuf::from(keep).join(format!("{name}.pdf")), bytes).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.pdf");
        std::fs::write(&path, bytes).unwrap();
        Pdf { _dir: dir, path }
    }

    fn tool(&self, name: &str, args: &[&str]) -> String {
        let out = Command::new(name)
            .args(args)
            .arg(&self.path)
            .args(if name == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap_or_else(|e| panic!("{name} (poppler-utils) is needed: {e}"));
        assert!(out.status.success(), "{name} failed: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// The text with every run of white space as one space: a heading
    /// wrapped over two lines still reads as one string.
    fn text(&self) -> String {
        let raw = self.tool("pdftotext", &["-enc", "UTF-8"]);
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn info(&self) -> String {
        self.tool("pdfinfo", &[])
    }

    fn pages(&self) -> usize {
        let info = self.info();
        info.lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no page count in {info}"))
    }

    /// (width, height) of the first page in points.
    fn page_size(&self) -> (f64, f64) {
        let info = self.info();
        let line = info
            .lines()
            .find_map(|l| l.strip_prefix("Page size:"))
            .unwrap_or_else(|| panic!("no page size in {info}"));
        let mut numbers = line
            .split_whitespace()
            .filter_map(|w| w.parse::<f64>().ok());
        (numbers.next().unwrap(), numbers.next().unwrap())
    }
}

fn directive() -> AdminDoc {
    AdminDoc {
        parent_org: Some("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM".into()),
        issuer: "LIÊN ĐOÀN LAO ĐỘNG TỈNH AN GIANG".into(),
        number: Some("267/KH-LĐLĐ".into()),
        place: "An Giang".into(),
        date: date!(2020 - 05 - 20),
        kind_title: Some("KẾ HOẠCH".into()),
        title: "Thực hiện mô hình “Sát cơ sở, gần công nhân”".into(),
        blocks: vec![
            Block::Heading("I. MỤC ĐÍCH, YÊU CẦU".into()),
            Block::Paragraph(
                "Nâng cao chất lượng hoạt động của công đoàn cơ sở, gần gũi đoàn viên và người lao động.\n\
                 Chữ có dấu chồng: Ặ ẳ ỷ ữ Đ ộ ướ."
                    .into(),
            ),
            Block::Heading("II. NỘI DUNG".into()),
            Block::KeyValues(vec![
                ("Người phụ trách".into(), "Nguyễn Thị Ặ".into()),
                ("Thời gian".into(), "Từ tháng 6 đến tháng 12 năm 2020".into()),
            ]),
        ],
        recipients: vec![
            "Tổng LĐLĐ Việt Nam (để b/c);".into(),
            "Các CĐCS trực thuộc;".into(),
            "Lưu: VT.".into(),
        ],
        signature: Some(Signature {
            on_behalf: Some("TM. Ban Thường vụ".into()),
            role: "Chủ tịch".into(),
            name: "Trần Thị Thuỷ".into(),
        }),
        landscape: false,
        footer_note: Some("Xuất từ congdoan lúc 14:05 06/12/2026".into()),
    }
}

fn report(rows: usize, landscape: bool) -> AdminDoc {
    let columns = vec![
        Column {
            title: "STT".into(),
            align: Align::Center,
            width: None,
        },
        Column {
            title: "Công đoàn cơ sở".into(),
            align: Align::Left,
            width: Some(3.0),
        },
        Column {
            title: "Họ và tên chủ tịch".into(),
            align: Align::Left,
            width: Some(2.0),
        },
        Column {
            title: "Đoàn viên".into(),
            align: Align::Right,
            width: Some(1.0),
        },
    ];
    let rows: Vec<Vec<String>> = (1..=rows)
        .map(|i| {
            vec![
                i.to_string(),
                format!("CĐCS Công ty TNHH số {i}"),
                if i == 1 {
                    "Nguyễn Thị Ặ".into()
                } else {
                    format!("Lê Văn Hùng {i}")
                },
                congdoan_domain::format_int(1000 + i as i64 * 7),
            ]
        })
        .collect();
    AdminDoc {
        parent_org: Some("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM".into()),
        issuer: "LIÊN ĐOÀN LAO ĐỘNG TỈNH AN GIANG".into(),
        number: Some("12/BC-LĐLĐ".into()),
        place: "An Giang".into(),
        date: date!(2021 - 02 - 05),
        kind_title: Some("BÁO CÁO".into()),
        title: "Tình hình đoàn viên 6 tháng đầu năm 2021".into(),
        blocks: vec![
            Block::KeyValues(vec![("Kỳ báo cáo".into(), "6 tháng đầu năm 2021".into())]),
            Block::Table(Table {
                columns,
                rows,
                total: Some(vec![
                    String::new(),
                    "Tổng cộng".into(),
                    String::new(),
                    "1.234.567".into(),
                ]),
            }),
        ],
        recipients: vec!["Lưu: VT.".into()],
        signature: Some(Signature {
            on_behalf: None,
            role: "CHỦ TỊCH".into(),
            name: "Trần Thị Thuỷ".into(),
        }),
        landscape,
        footer_note: None,
    }
}

#[test]
fn directive_reads_back_in_vietnamese_with_embedded_fonts() {
    let pdf = Pdf::new("directive", &render(&directive()).unwrap());
    let text = pdf.text();
    for expected in [
        "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM",
        "LIÊN ĐOÀN LAO ĐỘNG TỈNH AN GIANG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 267/KH-LĐLĐ",
        "An Giang, ngày 20 tháng 5 năm 2020",
        "KẾ HOẠCH",
        "Thực hiện mô hình “Sát cơ sở, gần công nhân”",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Chữ có dấu chồng: Ặ ẳ ỷ ữ Đ ộ ướ.",
        "Người phụ trách:",
        "Nguyễn Thị Ặ",
        "Nơi nhận:",
        "- Tổng LĐLĐ Việt Nam (để b/c);",
        "- Lưu: VT.",
        "TM. BAN THƯỜNG VỤ",
        "CHỦ TỊCH",
        "Trần Thị Thuỷ",
        "Xuất từ congdoan lúc 14:05 06/12/2026",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }

    let fonts = pdf.tool("pdffonts", &[]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(
        rows.len() >= 3,
        "regular, bold and italic expected:\n{fonts}"
    );
    for row in &rows {
        assert!(row.contains("LiberationSerif"), "{fonts}");
        // Columns: name type encoding emb sub uni object ID.
        let cols: Vec<&str> = row.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded:\n{fonts}");
    }
    for face in ["LiberationSerif-Bold", "LiberationSerif-Italic"] {
        assert!(fonts.contains(face), "{face} missing:\n{fonts}");
    }

    assert_eq!(pdf.pages(), 1);
    let (w, h) = pdf.page_size();
    assert!(w < h, "portrait A4 expected, got {w} x {h}");
}

#[test]
fn report_table_is_landscape_with_total() {
    let pdf = Pdf::new("report-landscape", &render(&report(12, true)).unwrap());
    let text = pdf.text();
    for expected in [
        "BÁO CÁO",
        "Số: 12/BC-LĐLĐ",
        // Day below 10 and February take a leading zero (ND 30/2020).
        "An Giang, ngày 05 tháng 02 năm 2021",
        "Họ và tên chủ tịch",
        "CĐCS Công ty TNHH số 12",
        "Nguyễn Thị Ặ",
        "1.084",
        "Tổng cộng",
        "1.234.567",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let (w, h) = pdf.page_size();
    assert!(w > h, "landscape expected, got {w} x {h}");

    let portrait = Pdf::new("report-portrait", &render(&report(12, false)).unwrap());
    let (w, h) = portrait.page_size();
    assert!(w < h, "portrait expected, got {w} x {h}");
}

#[test]
fn long_table_spans_pages_with_header_on_each() {
    let short = Pdf::new("report-short", &render(&report(20, false)).unwrap());
    assert_eq!(short.pages(), 1);

    let started = Instant::now();
    let bytes = render(&report(10_000, false)).unwrap();
    let took = started.elapsed();
    eprintln!("10,000 rows rendered in {took:?}");
    // Generous: a debug build on a shared 2-core machine.
    assert!(took.as_secs() < 120, "10,000 rows took {took:?}");
    let pdf = Pdf::new("report-long", &bytes);
    let pages = pdf.pages();
    assert!(pages > 100, "10,000 rows on only {pages} pages");
    let text = pdf.text();
    // Every page but the last one, which may hold only the signature.
    let headers = text.matches("Họ và tên chủ tịch").count();
    assert!(
        headers == pages || headers + 1 == pages,
        "the header row repeats on every page: {headers} headers, {pages} pages"
    );
    // ND 30/2020: the number in the top margin from page 2 on, none on page 1.
    let first = pdf.tool("pdftotext", &["-layout", "-f", "1", "-l", "1"]);
    let last = pdf.tool(
        "pdftotext",
        &[
            "-layout",
            "-f",
            &pages.to_string(),
            "-l",
            &pages.to_string(),
        ],
    );
    assert_eq!(
        last.split_whitespace().next(),
        Some(pages.to_string().as_str()),
        "the last page starts with its number:\n{last}"
    );
    assert_ne!(
        first.split_whitespace().next(),
        Some("1"),
        "no number on page 1"
    );
    assert!(text.contains("CĐCS Công ty TNHH số 10000"));
}

#[test]
fn hostile_sizes_fail_cleanly() {
    let err = render(&report(MAX_ROWS + 1, false)).unwrap_err();
    assert_eq!(err.code(), "PD0002");
    assert!(matches!(
        err,
        PdfError::TooLarge {
            what: Limit::Rows,
            ..
        }
    ));
    let vi = err.message(congdoan_domain::Lang::Vi);
    assert!(vi.contains("tối đa 20.000"), "{vi}");
    assert!(vi.contains("20.002 dòng bảng"), "{vi}");
    assert!(
        err.message(congdoan_domain::Lang::En)
            .contains("at most 20.000")
    );

    let mut doc = report(3, false);
    if let Block::Table(t) = &mut doc.blocks[1] {
        t.rows[1].pop();
    }
    let err = render(&doc).unwrap_err();
    assert_eq!(err.code(), "PD0004");
    assert_eq!(err.to_string(), "Dòng 2 của bảng có 3 ô, bảng có 4 cột.");

    let mut doc = directive();
    doc.blocks.push(Block::Svg(b"\x89PNG not an svg".to_vec()));
    assert_eq!(render(&doc).unwrap_err().code(), "PD0005");
}

#[test]
fn user_text_cannot_inject_typst() {
    let hostile = [
        r#"#panic("injected")"#,
        r#"#import "a.typ": *"#,
        "*đậm* _nghiêng_ $x^2$ [liên kết]",
        r"\ \n #{1+1} ]) } //",
        "= Tiêu đề giả <nhan> @tham-chieu",
        r#"#read("/etc/passwd")"#,
    ];
    let mut doc = directive();
    doc.title = hostile[0].into();
    doc.issuer = hostile[1].into();
    doc.number = Some(hostile[2].into());
    doc.blocks = vec![
        Block::Heading(hostile[3].into()),
        Block::Paragraph(hostile[4].into()),
        Block::KeyValues(vec![(hostile[5].into(), hostile[0].into())]),
        Block::Table(Table {
            columns: vec![Column {
                title: hostile[2].into(),
                align: Align::Left,
                width: None,
            }],
            rows: vec![vec![hostile[3].into()]],
            total: None,
        }),
    ];
    doc.signature = Some(Signature {
        on_behalf: None,
        role: "Chủ tịch".into(),
        name: hostile[5].into(),
    });
    let pdf = Pdf::new(
        "injection",
        &render(&doc).expect("hostile text is only text"),
    );
    let text = pdf.text();
    for expected in [
        r#"#panic("injected")"#,
        // The issuer is printed in capitals.
        r#"#IMPORT "A.TYP": *"#,
        "Số: *đậm* _nghiêng_ $x^2$ [liên kết]",
        r"\ \n #{1+1} ]) } //",
        "= Tiêu đề giả <nhan> @tham-chieu",
        r#"#read("/etc/passwd")"#,
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("root:"), "a file was read");
}

#[test]
fn line_chart_is_well_formed_and_embeds() {
    let points: Vec<(String, f64)> = (1..=12)
        .map(|m| (format!("T{m}/2026"), 1000.0 + f64::from(m) * 123.5))
        .collect();
    let svg = svg_line_chart(
        "Số đoàn viên cuối kỳ <CĐCS> & “Sát cơ sở”",
        &points,
        "Đoàn viên",
    );
    assert_well_formed(&svg);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("viewBox=\"0 0 480 300\""));
    assert!(svg.contains("&lt;CĐCS&gt; &amp;"), "title escaped");
    // Vietnamese numbers on the axis and on the last point.
    assert!(svg.contains(">1.000<") && svg.contains(">3.000<"), "{svg}");
    assert!(svg.contains(">2.482<"), "{svg}");
    assert!(svg.contains(">T1/2026<") && svg.contains(">T4/2026<") && svg.contains(">T12/2026<"));

    // Fractions, gaps, a single point and no data stay well-formed.
    let odd = svg_line_chart(
        "Tỷ lệ",
        &[
            ("Q1".into(), 0.25),
            ("Q2".into(), f64::NAN),
            ("Q3".into(), 0.75),
        ],
        "%",
    );
    assert_well_formed(&odd);
    assert!(odd.contains(">0,2<") || odd.contains(">0,25<"), "{odd}");
    assert_well_formed(&svg_line_chart("Một điểm", &[("T1".into(), 5.0)], ""));
    let empty = svg_line_chart("", &[], "");
    assert_well_formed(&empty);
    assert!(empty.contains("Chưa có số liệu"));

    let mut doc = report(3, false);
    doc.blocks.push(Block::Svg(svg.into_bytes()));
    let pdf = Pdf::new("chart", &render(&doc).unwrap());
    assert_eq!(pdf.pages(), 1);
    assert!(pdf.text().contains("Tổng cộng"));
}

/// Every start tag has its end tag and the XML parses to the end.
fn assert_well_formed(svg: &str) {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let mut reader = Reader::from_str(svg);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut roots = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if depth == 0 {
                    roots += 1;
                    assert_eq!(e.name().0, "svg");
                }
                depth += 1;
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Empty(_) | Event::Text(_) | Event::GeneralRef(_)) => {}
            Ok(Event::Eof) => break,
            Ok(other) => panic!("unexpected {other:?} in {svg}"),
            Err(e) => panic!("malformed SVG ({e}): {svg}"),
        }
    }
    assert_eq!(depth, 0, "unclosed element in {svg}");
    assert_eq!(roots, 1, "one root element");
}
