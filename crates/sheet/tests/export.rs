//! Exports read back the way a user would open them: with our reader, by
//! looking inside the xlsx package, and with LibreOffice when installed.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use congdoan_sheet::{Cell, CsvExport, Workbook, XlsxExport};
use time::macros::date;

const HEADERS: [&str; 5] = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Số CCCD",
    "Đoàn phí (đồng)",
];

fn member_row(i: usize) -> Vec<Cell> {
    vec![
        Cell::Number(i as f64),
        Cell::Text(format!("Nguyễn Văn {i}")),
        Cell::Date(date!(1985 - 07 - 05)),
        Cell::Text(format!("0010850{i:05}")),
        Cell::Number(125_000.0 * i as f64),
    ]
}

fn read_all(path: &Path) -> Vec<Vec<Vec<Cell>>> {
    let mut wb = Workbook::open(path).unwrap();
    let n = wb.sheet_names().len();
    (0..n)
        .map(|s| wb.rows(s).unwrap().map(Result::unwrap).collect())
        .collect()
}

fn headers_cells() -> Vec<Cell> {
    HEADERS
        .iter()
        .map(|h| Cell::Text((*h).to_owned()))
        .collect()
}

fn zip_entry(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn xlsx_round_trip_with_title_and_sheet_split() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    let mut x = XlsxExport::create(&path, "Danh sách", &HEADERS)
        .unwrap()
        .with_title(&["DANH SÁCH ĐOÀN VIÊN"])
        .with_money_columns(&[4])
        .with_rows_per_sheet(5);
    for i in 1..=8 {
        x.write_row(&member_row(i)).unwrap();
    }
    assert_eq!(x.finish().unwrap(), 8);

    let wb = Workbook::open(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["Danh sách", "Danh sách (2)", "Danh sách (3)"]
    );
    let sheets = read_all(&path);
    // Sheet 1: title, header, 3 rows (5 rows in all); then header + 4.
    assert_eq!(sheets[0].len(), 5);
    assert_eq!(sheets[0][0], vec![Cell::Text("DANH SÁCH ĐOÀN VIÊN".into())]);
    assert_eq!(sheets[0][1], headers_cells());
    assert_eq!(sheets[0][2], member_row(1));
    assert_eq!(sheets[0][4], member_row(3));
    assert_eq!(sheets[1].len(), 5);
    assert_eq!(sheets[1][0], headers_cells(), "header repeated");
    assert_eq!(sheets[1][1], member_row(4));
    assert_eq!(sheets[2], vec![headers_cells(), member_row(8)]);
    // Leading zeros survive because the CCCD is written as text.
    assert_eq!(sheets[2][1][3], Cell::Text("001085000008".into()));

    // Inside the package: frozen header, autofilter, widths, formats.
    let s1 = zip_entry(&path, "xl/worksheets/sheet1.xml");
    assert!(s1.contains(r#"<pane ySplit="2" topLeftCell="A3""#), "{s1}");
    assert!(s1.contains(r#"state="frozen""#));
    assert!(s1.contains(r#"<autoFilter ref="A2:E5"/>"#), "{s1}");
    assert!(s1.contains(r#"<mergeCell ref="A1:E1"/>"#));
    assert!(s1.contains("<cols>"));
    let s2 = zip_entry(&path, "xl/worksheets/sheet2.xml");
    assert!(s2.contains(r#"<autoFilter ref="A1:E5"/>"#), "{s2}");
    let styles = zip_entry(&path, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="dd/mm/yyyy""#));
    assert!(styles.contains("formatCode=\"#,##0\"") || styles.contains("numFmtId=\"3\""));
    assert!(styles.contains("<b/>"));
}

#[test]
fn empty_xlsx_export_still_has_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.xlsx");
    let x = XlsxExport::create(&path, "Danh sách", &HEADERS).unwrap();
    assert_eq!(x.finish().unwrap(), 0);
    assert_eq!(read_all(&path), vec![vec![headers_cells()]]);
}

#[test]
fn csv_export_is_excel_friendly_and_reads_back() {
    let mut out = CsvExport::new(Vec::new(), &HEADERS).unwrap();
    out.write_row(&member_row(1)).unwrap();
    out.write_row(&[
        Cell::Number(2.0),
        Cell::Text("=HYPERLINK(\"x\")".into()),
        Cell::Empty,
        Cell::Text("Hà Nội, Việt Nam".into()),
        Cell::Number(1234567.5),
    ])
    .unwrap();
    let bytes = out.finish().unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert_eq!(
        text,
        "STT,Họ và tên,Ngày sinh,Số CCCD,Đoàn phí (đồng)\r\n\
         1,Nguyễn Văn 1,05/07/1985,001085000001,125000\r\n\
         2,\"'=HYPERLINK(\"\"x\"\")\",,\"Hà Nội, Việt Nam\",1234567.5\r\n"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    std::fs::write(&path, &bytes).unwrap();
    let rows = read_all(&path).remove(0);
    let texts: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(Cell::as_text).collect())
        .collect();
    assert_eq!(texts[0], HEADERS.map(String::from).to_vec());
    assert_eq!(
        texts[1],
        vec!["1", "Nguyễn Văn 1", "05/07/1985", "001085000001", "125000"]
    );
    assert_eq!(texts[2][3], "Hà Nội, Việt Nam");
}

/// Opens the export in LibreOffice, as a user would, and compares what it
/// shows. Skipped (with a note) where LibreOffice is not installed.
#[test]
fn xlsx_export_opens_in_libreoffice() {
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!("note: soffice not found on PATH; LibreOffice check skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lo.xlsx");
    let mut x = XlsxExport::create(&path, "Danh sách", &HEADERS)
        .unwrap()
        .with_title(&["DANH SÁCH ĐOÀN VIÊN"])
        .with_money_columns(&[4]);
    for i in 1..=3 {
        x.write_row(&member_row(i)).unwrap();
    }
    x.finish().unwrap();

    let profile = dir.path().join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
        ])
        .arg("--outdir")
        .arg(dir.path())
        .arg(&path)
        .output()
        .unwrap();
    let csv_path = dir.path().join("lo.csv");
    assert!(
        csv_path.exists(),
        "LibreOffice did not convert the file: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    // LibreOffice quotes text cells; compare the values it shows.
    let records: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&csv_path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(
        records,
        vec![
            vec!["DANH SÁCH ĐOÀN VIÊN", "", "", "", ""],
            vec![
                "STT",
                "Họ và tên",
                "Ngày sinh",
                "Số CCCD",
                "Đoàn phí (đồng)"
            ],
            vec!["1", "Nguyễn Văn 1", "05/07/1985", "001085000001", "125,000"],
            vec!["2", "Nguyễn Văn 2", "05/07/1985", "001085000002", "250,000"],
            vec!["3", "Nguyễn Văn 3", "05/07/1985", "001085000003", "375,000"],
        ]
    );
}
