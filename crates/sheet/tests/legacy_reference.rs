//! Member lists typed in TCVN3 (ABC) or VNI Windows, written with UniKey's
//! code tables (tests/data/vn-legacy-reference.tsv, see tests/data/README.md),
//! read back through the real readers: a CSV's bytes and an xlsx's cells.

use std::path::Path;

use congdoan_sheet::{Cell, Legacy, Workbook, detect_layout, parse_member_row};
use rust_xlsxwriter::Workbook as XlsxBook;
use unicode_normalization::UnicodeNormalization;

const REFERENCE: &str = include_str!("data/vn-legacy-reference.tsv");

/// Encodes Unicode text with UniKey's table (ASCII as is).
fn encode(text: &str, enc: Legacy) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.nfc() {
        if c.is_ascii() {
            out.push(u8::try_from(c).unwrap());
            continue;
        }
        let row = REFERENCE
            .lines()
            .filter(|l| l.starts_with("letter\t"))
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .find(|f| f[1].starts_with(c))
            .unwrap_or_else(|| panic!("{c} is not in the reference"));
        let hex = if enc == Legacy::Tcvn3 { row[4] } else { row[5] };
        out.extend(
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()),
        );
    }
    out
}

/// What Excel shows for legacy bytes: their Windows-1252 characters (no
/// letter in either table uses 0x80–0x9F, so Latin-1 is the same here).
fn as_excel_text(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

const NAMES: [&str; 9] = [
    "Nguyễn Thị Thuỷ",
    "Huỳnh Văn Nguyễn",
    "Trường",
    "Đặng Thị Thuý",
    "Lưu Hữu Phước",
    "NGUYỄN THỊ THUỶ",
    "HUỲNH ĐẶNG",
    "LƯU HỮU PHƯỚC",
    "Thuỷ",
];

fn rows() -> Vec<[String; 4]> {
    let mut rows = vec![[
        "STT".to_owned(),
        "Họ và tên".to_owned(),
        "Ngày sinh".to_owned(),
        "Giới tính".to_owned(),
    ]];
    for (i, name) in NAMES.iter().enumerate() {
        rows.push([
            (i + 1).to_string(),
            (*name).to_owned(),
            format!("{:02}/03/1990", i + 1),
            "Nữ".to_owned(),
        ]);
    }
    rows
}

fn import_names(path: &Path) -> (Option<Legacy>, Vec<String>) {
    let mut wb = Workbook::open(path).expect("open");
    let head: Vec<Vec<Cell>> = wb.rows(0).unwrap().collect::<Result<_, _>>().unwrap();
    let layout = detect_layout(&head).expect("header found");
    assert_eq!(layout.headers[1], "Họ và tên");
    let legacy = Legacy::detect_rows(&head);
    let mut names = Vec::new();
    for (i, row) in head.iter().enumerate() {
        match parse_member_row(i + 1, row, &layout, legacy) {
            Ok(Some(m)) => names.push(m.name.as_str().to_owned()),
            Ok(None) => {}
            Err(p) => panic!("row {}: {p:?}", i + 1),
        }
    }
    (legacy, names)
}

#[test]
fn legacy_csv_bytes_are_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    for enc in [Legacy::Tcvn3, Legacy::Vni] {
        let path = dir.path().join(format!("{}.csv", enc.code()));
        let mut bytes = Vec::new();
        for row in rows() {
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    bytes.push(b',');
                }
                bytes.extend(encode(cell, enc));
            }
            bytes.extend(b"\r\n");
        }
        assert!(std::str::from_utf8(&bytes).is_err());
        std::fs::write(&path, bytes).unwrap();
        let (legacy, names) = import_names(&path);
        assert_eq!(legacy, Some(enc));
        assert_eq!(names, NAMES, "{enc:?}");
    }
}

#[test]
fn legacy_xlsx_cells_are_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    for enc in [Legacy::Tcvn3, Legacy::Vni] {
        let path = dir.path().join(format!("{}.xlsx", enc.code()));
        let mut book = XlsxBook::new();
        let ws = book.add_worksheet();
        for (r, row) in rows().iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let text = as_excel_text(&encode(cell, enc));
                ws.write_string(r as u32, c as u16, text).unwrap();
            }
        }
        book.save(&path).unwrap();
        let (legacy, names) = import_names(&path);
        assert_eq!(legacy, Some(enc));
        assert_eq!(names, NAMES, "{enc:?}");
    }
}
