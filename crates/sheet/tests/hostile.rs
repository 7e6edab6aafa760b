//! Hostile files fail early with a message naming the limit, in bounded memory:
//! the bombs are generated small here, with small limits where the real ones are large.

use std::path::Path;

use congdoan_sheet::{LimitKind, Limits, SheetError, Workbook, hostile};
use rust_xlsxwriter::Workbook as XlsxBook;

fn too_large(e: SheetError) -> LimitKind {
    match e {
        SheetError::TooLarge { what, .. } => what,
        other => panic!("expected a limit error, got {other:?}"),
    }
}

/// The generators are shared with `congdoan bench`, which makes the bombs full size.
fn xlsx_with_sheet(path: &Path, sheet_xml: &str) {
    hostile::xlsx_with_part(path, "xl/worksheets/sheet1.xml", &mut |w| {
        w.write_all(sheet_xml.as_bytes())
    })
    .unwrap();
}

fn sheet(rows: &str) -> String {
    hostile::sheet_xml(rows)
}

fn read_all(wb: &mut Workbook) -> Result<usize, SheetError> {
    let mut n = 0;
    for row in wb.rows(0)? {
        row?;
        n += 1;
    }
    Ok(n)
}

#[test]
fn a_giant_inline_string_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    // 400,000 characters: over Excel's 32,767, compressed to a few hundred bytes.
    let cell = "a".repeat(400_000);
    xlsx_with_sheet(
        &path,
        &sheet(&format!(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{cell}</t></is></c></row>"#
        )),
    );
    assert!(std::fs::metadata(&path).unwrap().len() < 20_000);
    let e = Workbook::open(&path).err().expect("refused");
    assert_eq!(e.code(), "SH011");
    assert!(e.to_string().contains("32.767 ký tự"), "{e}");
    assert_eq!(too_large(e), LimitKind::CellLength);
}

#[test]
fn unpacked_size_shared_strings_and_zip_entries_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.xlsx");
    let mut book = XlsxBook::new();
    let ws = book.add_worksheet();
    for r in 0..50u32 {
        ws.write(r, 0, format!("Nguyễn Văn {r}")).unwrap();
    }
    book.save(&path).unwrap();
    assert!(Workbook::open(&path).is_ok());
    let small = |l: Limits| too_large(Workbook::open_with(&path, l).err().expect("refused"));
    assert_eq!(
        small(Limits {
            max_unpacked_bytes: 4_000,
            ..Limits::default()
        }),
        LimitKind::Unpacked
    );
    assert_eq!(
        small(Limits {
            max_shared_strings: 20,
            ..Limits::default()
        }),
        LimitKind::SharedStrings
    );
    assert_eq!(
        small(Limits {
            max_shared_strings_bytes: 500,
            ..Limits::default()
        }),
        LimitKind::SharedStrings
    );
    assert_eq!(
        small(Limits {
            max_zip_entries: 3,
            ..Limits::default()
        }),
        LimitKind::ZipEntries
    );
}

#[test]
fn a_cell_far_away_does_not_allocate_a_huge_row_or_millions_of_rows() {
    let dir = tempfile::tempdir().unwrap();
    let wide = dir.path().join("wide.xlsx");
    xlsx_with_sheet(
        &wide,
        &sheet(r#"<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>"#),
    );
    let mut wb = Workbook::open(&wide).unwrap();
    assert_eq!(
        too_large(read_all(&mut wb).unwrap_err()),
        LimitKind::Columns
    );

    let deep = dir.path().join("deep.xlsx");
    xlsx_with_sheet(
        &deep,
        &sheet(
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>2</v></c></row>"#,
        ),
    );
    let mut wb = Workbook::open_with(
        &deep,
        Limits {
            max_rows: 1_000,
            ..Limits::default()
        },
    )
    .unwrap();
    assert_eq!(too_large(read_all(&mut wb).unwrap_err()), LimitKind::Rows);
}

#[test]
fn csv_lines_fields_and_rows_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // A line of "a," 5,000 times: more columns than any member list.
    let wide = dir.path().join("wide.csv");
    std::fs::write(
        &wide,
        format!("Họ và tên,Ngày sinh\n{}\n", "a,".repeat(5_000)),
    )
    .unwrap();
    let mut wb = Workbook::open(&wide).unwrap();
    let e = read_all(&mut wb).unwrap_err();
    assert_eq!(e.code(), "SH011");
    assert!(e.to_string().contains("1.000 cột"), "{e}");
    // One 3 MB line, and a quoted cell that never ends.
    for (name, body) in [
        ("long.csv", format!("Họ và tên\n{}\n", "x".repeat(3 << 20))),
        (
            "open.csv",
            format!("Họ và tên\n\"{}\n", "y\n".repeat(1 << 20)),
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        let mut wb = Workbook::open(&p).unwrap();
        assert_eq!(
            too_large(read_all(&mut wb).unwrap_err()),
            LimitKind::RecordLength,
            "{name}"
        );
    }
    // A cell over Excel's 32,767 characters.
    let cell = dir.path().join("cell.csv");
    std::fs::write(&cell, format!("Họ và tên\n{}\n", "z".repeat(40_000))).unwrap();
    let mut wb = Workbook::open(&cell).unwrap();
    assert_eq!(
        too_large(read_all(&mut wb).unwrap_err()),
        LimitKind::CellLength
    );
    // Too many rows.
    let rows = dir.path().join("rows.csv");
    std::fs::write(&rows, "a\n".repeat(2_000)).unwrap();
    let mut wb = Workbook::open_with(
        &rows,
        Limits {
            max_rows: 1_000,
            ..Limits::default()
        },
    )
    .unwrap();
    assert_eq!(too_large(read_all(&mut wb).unwrap_err()), LimitKind::Rows);
    // An honest file passes.
    let ok = dir.path().join("ok.csv");
    std::fs::write(&ok, "Họ và tên;Ngày sinh\nNguyễn Văn An;01/02/1990\n").unwrap();
    let mut wb = Workbook::open(&ok).unwrap();
    assert_eq!(read_all(&mut wb).unwrap(), 2);
}

#[test]
fn the_shared_generators_make_files_that_are_refused() {
    // The bench makes these full size (1.1 GB cell, millions of shared strings, a
    // 30 MB line); here they are small, with the limits they must meet.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("inline.xlsx");
    hostile::inline_string_bomb(&p, 400_000).unwrap();
    assert_eq!(
        too_large(Workbook::open(&p).err().expect("refused")),
        LimitKind::CellLength
    );
    let p = dir.path().join("sst.xlsx");
    hostile::shared_strings_bomb(&p, 50).unwrap();
    let small = Limits {
        max_shared_strings: 20,
        ..Limits::default()
    };
    assert_eq!(
        too_large(Workbook::open_with(&p, small).err().expect("refused")),
        LimitKind::SharedStrings
    );
    let p = dir.path().join("commas.csv");
    hostile::comma_line_csv(&p, 5_000).unwrap();
    assert_eq!(std::fs::metadata(&p).unwrap().len(), 10_000 + 26);
    let mut wb = Workbook::open(&p).unwrap();
    assert_eq!(
        too_large(read_all(&mut wb).unwrap_err()),
        LimitKind::Columns
    );
    let p = dir.path().join("wide.xlsx");
    hostile::wide_rows(&p, 2_000, 2).unwrap();
    let mut wb = Workbook::open(&p).unwrap();
    assert_eq!(
        too_large(read_all(&mut wb).unwrap_err()),
        LimitKind::Columns
    );
}

#[test]
fn one_shared_string_shown_in_every_cell_is_bounded_per_row() {
    // Each cell resolves to its own copy of the string: the row's text is counted
    // as it is read, and a row over the limit stops the read (at full size: 230 rows
    // of 1,000 cells of 32,767 characters from a 631 KB file).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fanout.xlsx");
    hostile::shared_string_fanout(&p, 20, 50, 1_000).unwrap();
    assert!(std::fs::metadata(&p).unwrap().len() < 20_000);
    let limits = Limits {
        max_record_bytes: 10_000,
        ..Limits::default()
    };
    let mut wb = Workbook::open_with(&p, limits).unwrap();
    let e = read_all(&mut wb).unwrap_err();
    assert!(e.to_string().contains("dòng"), "{e}");
    assert_eq!(too_large(e), LimitKind::RecordLength);
    // Under the limit the same rows read whole.
    let mut wb = Workbook::open(&p).unwrap();
    assert_eq!(read_all(&mut wb).unwrap(), 20);
    // Rows each under the row limit still fan out over the file: the whole sheet's
    // text is bounded too (80 KB of file, 1,000 rows of 983 KB, 2.45 GB read before).
    let limits = Limits {
        max_text_bytes: 200_000,
        ..Limits::default()
    };
    let mut wb = Workbook::open_with(&p, limits).unwrap();
    let e = read_all(&mut wb).unwrap_err();
    assert!(e.to_string().contains("MB chữ"), "{e}");
    assert_eq!(too_large(e), LimitKind::Text);
}

#[test]
fn a_row_limit_below_a_megabyte_is_named_in_kilobytes() {
    let e = SheetError::TooLarge {
        what: LimitKind::RecordLength,
        limit: 64 << 10,
    };
    assert!(e.to_string().contains("dài quá 64 KB"), "{e}");
}
