//! Real files in, member rows out: what an officer uploading a list sees.

use std::path::Path;

use congdoan_domain::Sex;
use congdoan_sheet::{
    Cell, Field, Layout, Legacy, MemberRow, RowProblem, Workbook, codes, detect_layout,
    is_footer_row, parse_member_row,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook as XlsxBook};
use time::Date;
use time::macros::date;
use unicode_normalization::UnicodeNormalization;

fn nfd(s: &str) -> String {
    s.nfd().collect()
}

fn excel_date(d: Date) -> ExcelDateTime {
    ExcelDateTime::from_ymd(d.year() as u16, u8::from(d.month()), d.day()).unwrap()
}

/// What an import of one sheet produces: parsed members and problems,
/// plus the rows skipped as not data.
struct Outcome {
    layout: Layout,
    legacy: Option<Legacy>,
    members: Vec<MemberRow>,
    problems: Vec<RowProblem>,
}

impl Outcome {
    fn member(&self, row: usize) -> &MemberRow {
        self.members
            .iter()
            .find(|m| m.row == row)
            .unwrap_or_else(|| panic!("no member on row {row}: {:?}", self.problems))
    }

    /// (row, field, code) of every problem.
    fn problem_keys(&self) -> Vec<(usize, Option<Field>, &'static str)> {
        self.problems
            .iter()
            .map(|p| (p.row, p.field, p.code))
            .collect()
    }

    fn names(&self) -> Vec<&str> {
        self.members.iter().map(|m| m.name.as_str()).collect()
    }
}

fn import(path: &Path, sheet: usize) -> Outcome {
    let mut wb = Workbook::open(path).expect("open");
    let head: Vec<Vec<Cell>> = wb
        .rows(sheet)
        .unwrap()
        .take(200)
        .collect::<Result<_, _>>()
        .unwrap();
    let layout = detect_layout(&head).expect("header found");
    let legacy = Legacy::detect_rows(&head);
    let mut members = Vec::new();
    let mut problems = Vec::new();
    for (i, row) in wb.rows(sheet).unwrap().enumerate() {
        let row = row.unwrap();
        match parse_member_row(i + 1, &row, &layout, legacy) {
            Ok(Some(m)) => members.push(m),
            Ok(None) => {}
            Err(p) => problems.extend(p),
        }
    }
    Outcome {
        layout,
        legacy,
        members,
        problems,
    }
}

const HEADERS: [&str; 8] = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Số điện thoại",
    "Ngày vào công đoàn",
    "Ghi chú",
];

/// The common case: merged title rows above the header, NFD text, real
/// dates for birth, serial numbers for join dates, numbers that lost their
/// leading zeros, and a total line and signature block below the list.
fn write_typical_xlsx(path: &Path) {
    let mut book = XlsxBook::new();
    let title = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let ws = book.add_worksheet();
    ws.set_name("Danh sách").unwrap();
    ws.merge_range(
        0,
        0,
        0,
        7,
        "DANH SÁCH ĐOÀN VIÊN CÔNG ĐOÀN CƠ SỞ TRƯỜNG THCS KIM LIÊN",
        &title,
    )
    .unwrap();
    ws.merge_range(1, 0, 1, 7, "(Tính đến ngày 30/06/2025)", &title)
        .unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(3, c as u16, nfd(h)).unwrap();
    }
    // Row 5 (index 4): everything right, numbers as Excel stores them.
    ws.write_number(4, 0, 1).unwrap();
    ws.write_string(4, 1, nfd("Nguyễn Văn An")).unwrap();
    ws.write_date_with_format(4, 2, excel_date(date!(1985 - 07 - 05)), &date_fmt)
        .unwrap();
    ws.write_string(4, 3, "Nam").unwrap();
    ws.write_number(4, 4, 1085001234).unwrap();
    ws.write_number(4, 5, 912345678).unwrap();
    ws.write_number(4, 6, 40000).unwrap();
    // Row 6: text values.
    ws.write_number(5, 0, 2).unwrap();
    ws.write_string(5, 1, "Trần Thị Bích").unwrap();
    ws.write_date_with_format(5, 2, excel_date(date!(1990 - 02 - 28)), &date_fmt)
        .unwrap();
    ws.write_string(5, 3, nfd("Nữ")).unwrap();
    ws.write_string(5, 4, "079190000123").unwrap();
    ws.write_string(5, 5, "0987 654 321").unwrap();
    ws.write_number(5, 6, 45843).unwrap();
    ws.write_string(5, 7, "Chuyển đến từ CĐCS khác").unwrap();
    // Row 7: an old 9-digit CMND.
    ws.write_number(6, 0, 3).unwrap();
    ws.write_string(6, 1, "Lê Văn Cường").unwrap();
    ws.write_date_with_format(6, 2, excel_date(date!(1979 - 11 - 20)), &date_fmt)
        .unwrap();
    ws.write_string(6, 3, "Nam").unwrap();
    ws.write_string(6, 4, "123456789").unwrap();
    // Row 8: a date that does not exist, typed as text.
    ws.write_number(7, 0, 4).unwrap();
    ws.write_string(7, 1, "Phạm Thị Dung").unwrap();
    ws.write_string(7, 2, "31/02/1990").unwrap();
    ws.write_string(7, 3, "Nữ").unwrap();
    // Row 9: CCCD coded for a man, member is a woman.
    ws.write_number(8, 0, 5).unwrap();
    ws.write_string(8, 1, "Hoàng Thị Em").unwrap();
    ws.write_date_with_format(8, 2, excel_date(date!(1988 - 03 - 03)), &date_fmt)
        .unwrap();
    ws.write_string(8, 3, "Nữ").unwrap();
    ws.write_string(8, 4, "001088001234").unwrap();
    // Row 10 blank; row 11 total; row 13 signature.
    ws.merge_range(10, 1, 10, 3, "Tổng cộng: 5 đoàn viên", &title)
        .unwrap();
    ws.write_string(12, 5, "Người lập biểu").unwrap();
    ws.write_string(13, 5, "(Ký, ghi rõ họ tên)").unwrap();

    // Second sheet: dates typed as text in every usual way.
    let ws = book.add_worksheet();
    ws.set_name("Văn bản").unwrap();
    for (c, h) in ["Họ tên", "Ngày, tháng, năm sinh", "Nam/Nữ", "SĐT"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        ["Đỗ Minh Hải", "5/7/85", "nam", "0912.345.678"],
        ["Vũ Thị Lan", "05-07-1990", "nữ", ""],
        ["Bùi An", "1979", "Nam", "84912345678"],
        ["Ngô Bảo", "1990-12-01", "M", ""],
        ["Đinh Hà", "abc", "F", ""],
        ["Mai Thu", "05.07.1991", "Nữ", "0912 345 678 - 0987 654 321"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn typical_xlsx_with_title_rows_and_mixed_dates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("danh_sach.xlsx");
    write_typical_xlsx(&path);

    let wb = Workbook::open(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Danh sách", "Văn bản"]);

    let out = import(&path, 0);
    assert_eq!(out.layout.header_row, 3);
    assert_eq!(out.layout.headers[1], "Họ và tên", "headers are NFC");
    assert_eq!(out.legacy, None);
    assert_eq!(out.names(), vec!["Nguyễn Văn An", "Trần Thị Bích"]);

    let an = out.member(5);
    assert_eq!(an.name.as_str().len(), "Nguyễn Văn An".len(), "NFC");
    assert_eq!(an.birth_date, date!(1985 - 07 - 05));
    assert_eq!(an.sex, Sex::Male);
    assert_eq!(an.cccd.as_ref().unwrap().as_str(), "001085001234");
    assert_eq!(an.phone.as_ref().unwrap().as_str(), "0912345678");
    assert_eq!(an.join_date, Some(date!(2009 - 07 - 06)));
    assert!(
        an.notes
            .iter()
            .any(|n| n.contains("khôi phục thành 001085001234"))
    );
    assert!(
        an.notes
            .iter()
            .any(|n| n.contains("khôi phục thành 0912345678"))
    );

    let bich = out.member(6);
    assert_eq!(bich.sex, Sex::Female);
    assert_eq!(bich.birth_date, date!(1990 - 02 - 28));
    assert_eq!(bich.join_date, Some(date!(2025 - 07 - 05)));
    assert_eq!(bich.phone.as_ref().unwrap().as_str(), "0987654321");
    assert_eq!(bich.note.as_deref(), Some("Chuyển đến từ CĐCS khác"));
    assert!(bich.notes.is_empty(), "{:?}", bich.notes);

    assert_eq!(
        out.problem_keys(),
        vec![
            (7, Some(Field::Cccd), codes::CMND_NOT_CCCD),
            (8, Some(Field::BirthDate), "VL0302"),
            (9, Some(Field::Cccd), "VL0103"),
        ]
    );
    let cmnd = &out.problems[0];
    assert_eq!(cmnd.value, "123456789");
    assert!(cmnd.message_vi.starts_with("Số CCCD: đây là số CMND 9 số"));
    assert_eq!(out.problems[1].value, "31/02/1990");
}

#[test]
fn text_dates_two_digit_years_and_year_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("van_ban.xlsx");
    write_typical_xlsx(&path);
    let out = import(&path, 1);
    assert_eq!(out.layout.header_row, 0);
    assert_eq!(out.layout.column_of(Field::Sex), Some(2));

    let hai = out.member(2);
    assert_eq!(hai.birth_date, date!(1985 - 07 - 05));
    assert!(hai.notes.iter().any(|n| n.contains("2 chữ số")));
    assert_eq!(hai.phone.as_ref().unwrap().as_str(), "0912345678");
    assert_eq!(out.member(3).birth_date, date!(1990 - 07 - 05));
    assert_eq!(out.member(3).sex, Sex::Female);
    let an = out.member(4);
    assert_eq!(an.birth_date, date!(1979 - 01 - 01));
    assert!(
        an.notes
            .iter()
            .any(|n| n.contains("Chỉ có năm sinh (1979)"))
    );
    assert_eq!(an.phone.as_ref().unwrap().as_str(), "0912345678");
    assert_eq!(out.member(5).birth_date, date!(1990 - 12 - 01));
    assert_eq!(out.member(5).sex, Sex::Male);
    let thu = out.member(7);
    assert_eq!(thu.birth_date, date!(1991 - 07 - 05));
    assert_eq!(thu.phone.as_ref().unwrap().as_str(), "0912345678");
    assert!(thu.notes.iter().any(|n| n.contains("nhiều số điện thoại")));
    assert_eq!(
        out.problem_keys(),
        vec![(6, Some(Field::BirthDate), "VL0301")]
    );
}

#[test]
fn csv_with_bom_semicolons_blank_lines_and_multiline_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ds.csv");
    let mut text = String::from("\u{FEFF}");
    text.push_str("DANH SÁCH ĐOÀN VIÊN;;;;;\r\n");
    text.push_str(";;;;;\r\n");
    text.push_str("\r\n");
    text.push_str("STT;Họ và tên;Ngày sinh;Giới tính;Số CMND/CCCD;Tổ công đoàn\r\n");
    text.push_str(&format!(
        "1;{};05/07/1985;Nữ;001185001234;\"Tổ Văn phòng; Hành chính\"\r\n",
        nfd("Nguyễn Thị Hồng")
    ));
    text.push_str("2;Trần Văn Nam;12/12/1980;Nam;'001080004321;\"Tổ\r\nBảo vệ\"\r\n");
    text.push_str("\r\n");
    text.push_str("3;Lý Thị Mai;1/1/2030;Nữ;;Tổ Y tế\r\n");
    std::fs::write(&path, text).unwrap();

    let mut wb = Workbook::open(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["ds"]);
    let rows: Vec<Vec<Cell>> = wb.rows(0).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert_eq!(rows[0], vec![Cell::Text("DANH SÁCH ĐOÀN VIÊN".into())]);
    assert!(rows[1].is_empty() && rows[2].is_empty() && rows[6].is_empty());
    assert_eq!(rows[4][1], Cell::Text("Nguyễn Thị Hồng".into()), "NFC");
    assert_eq!(rows[4][4], Cell::Text("001185001234".into()), "zeros kept");

    let out = import(&path, 0);
    assert_eq!(out.layout.header_row, 3);
    assert_eq!(out.names(), vec!["Nguyễn Thị Hồng", "Trần Văn Nam"]);
    let hong = out.member(5);
    assert_eq!(hong.unit.as_deref(), Some("Tổ Văn phòng; Hành chính"));
    assert_eq!(hong.cccd.as_ref().unwrap().as_str(), "001185001234");
    let nam = out.member(6);
    assert_eq!(nam.unit.as_deref(), Some("Tổ Bảo vệ"));
    assert_eq!(nam.cccd.as_ref().unwrap().as_str(), "001080004321");
    // Excel shows the multi-line cell as one row, then the blank line.
    assert_eq!(
        out.problem_keys(),
        vec![(8, Some(Field::BirthDate), "VL0305")]
    );
}

/// TCVN3 text as it leaves an old Excel file saved as CSV: one byte per
/// character, not UTF-8.
#[test]
fn tcvn3_csv_from_latin1_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tcvn3.csv");
    let text = "STT,Hä vµ tªn,Ngµy sinh,Giíi tÝnh,§¬n vÞ\r\n\
                1,NguyÔn V¨n §øc,05/07/1985,Nam,Tæ V¨n phßng\r\n\
                2,TrÇn ThÞ Hoa,12/03/1990,N÷,Tæ B¶o vÖ\r\n\
                3,NGUYÔN THÞ MAI,01/01/1975,N÷,Tæ Y tÕ\r\n";
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
        .collect();
    assert!(std::str::from_utf8(&bytes).is_err());
    std::fs::write(&path, bytes).unwrap();

    let out = import(&path, 0);
    assert_eq!(out.legacy, Some(Legacy::Tcvn3));
    assert_eq!(out.layout.headers[1], "Họ và tên");
    assert_eq!(out.layout.column_of(Field::Unit), Some(4));
    assert_eq!(
        out.names(),
        vec!["Nguyễn Văn Đức", "Trần Thị Hoa", "NGUYỄN THỊ MAI"]
    );
    assert_eq!(out.member(3).sex, Sex::Female);
    assert_eq!(out.member(2).unit.as_deref(), Some("Tổ Văn phòng"));
    assert_eq!(out.member(3).unit.as_deref(), Some("Tổ Bảo vệ"));
    assert_eq!(out.member(4).unit.as_deref(), Some("Tổ Y tế"));
    assert!(out.problems.is_empty(), "{:?}", out.problems);
}

#[test]
fn vni_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vni.xlsx");
    let mut book = XlsxBook::new();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let ws = book.add_worksheet();
    ws.merge_range(
        0,
        0,
        0,
        4,
        "DANH SAÙCH ÑOAØN VIEÂN",
        &Format::new().set_bold(),
    )
    .unwrap();
    for (c, h) in ["STT", "Hoï vaø teân", "Ngaøy sinh", "Giôùi tính", "Ñôn vò"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let rows = [
        (
            "Nguyeãn Vaên Ñöùc",
            date!(1985 - 07 - 05),
            "Nam",
            "Toå Vaên phoøng",
        ),
        (
            "Traàn Thò Hoa",
            date!(1990 - 03 - 12),
            "Nöõ",
            "Toå Baûo veä",
        ),
        ("Phaïm Quoác Huy", date!(1978 - 12 - 31), "Nam", "Toå Y teá"),
    ];
    for (i, (name, birth, sex, unit)) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_number(r, 0, i as f64 + 1.0).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_date_with_format(r, 2, excel_date(*birth), &date_fmt)
            .unwrap();
        ws.write_string(r, 3, *sex).unwrap();
        ws.write_string(r, 4, *unit).unwrap();
    }
    book.save(&path).unwrap();

    let out = import(&path, 0);
    assert_eq!(out.legacy, Some(Legacy::Vni));
    assert_eq!(out.layout.header_row, 1);
    assert_eq!(out.layout.headers[3], "Giới tính");
    assert_eq!(
        out.names(),
        vec!["Nguyễn Văn Đức", "Trần Thị Hoa", "Phạm Quốc Huy"]
    );
    let hoa = out.member(4);
    assert_eq!(hoa.sex, Sex::Female);
    assert_eq!(hoa.birth_date, date!(1990 - 03 - 12));
    assert_eq!(hoa.unit.as_deref(), Some("Tổ Bảo vệ"));
    assert_eq!(out.member(5).unit.as_deref(), Some("Tổ Y tế"));
    assert!(out.problems.is_empty(), "{:?}", out.problems);
}

/// The old form: "Họ và tên" merged over two header rows, "Ngày sinh"
/// merged over "Nam" | "Nữ", the birth date written under the member's
/// sex, and a row of column numbers under the header.
#[test]
fn two_row_header_with_nam_nu_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mau_cu.xlsx");
    let mut book = XlsxBook::new();
    let f = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let ws = book.add_worksheet();
    ws.merge_range(0, 0, 0, 5, "DANH SÁCH TRÍCH NGANG ĐOÀN VIÊN", &f)
        .unwrap();
    ws.merge_range(1, 0, 2, 0, "TT", &f).unwrap();
    ws.merge_range(1, 1, 2, 1, "Họ và tên", &f).unwrap();
    ws.merge_range(1, 2, 1, 3, "Ngày sinh", &f).unwrap();
    ws.write_string_with_format(2, 2, "Nam", &f).unwrap();
    ws.write_string_with_format(2, 3, "Nữ", &f).unwrap();
    ws.merge_range(1, 4, 2, 4, "Chức vụ", &f).unwrap();
    ws.merge_range(1, 5, 2, 5, "Đảng viên", &f).unwrap();
    for c in 0..6u16 {
        ws.write_string(3, c, format!("({})", c + 1)).unwrap();
    }
    ws.write_number(4, 0, 1).unwrap();
    ws.write_string(4, 1, "Nguyễn Văn An").unwrap();
    ws.write_date_with_format(4, 2, excel_date(date!(1980 - 01 - 15)), &date_fmt)
        .unwrap();
    ws.write_string(4, 4, "Chủ tịch").unwrap();
    ws.write_string(4, 5, "x").unwrap();
    ws.write_number(5, 0, 2).unwrap();
    ws.write_string(5, 1, "Trần Thị Bình").unwrap();
    ws.write_number(5, 3, 1992).unwrap();
    ws.write_string(5, 4, "Kế toán").unwrap();
    ws.write_number(6, 0, 3).unwrap();
    ws.write_string(6, 1, "Lê Thị Cúc").unwrap();
    ws.write_string(6, 2, "1990").unwrap();
    ws.write_string(6, 3, "1990").unwrap();
    book.save(&path).unwrap();

    let out = import(&path, 0);
    assert_eq!(out.layout.header_row, 2);
    assert_eq!(
        out.layout.columns,
        vec![
            (0, Field::Seq),
            (1, Field::FullName),
            (2, Field::BirthDateIfMale),
            (3, Field::BirthDateIfFemale),
            (4, Field::JobTitle),
            (5, Field::PartyMember),
        ]
    );
    let an = out.member(5);
    assert_eq!((an.sex, an.birth_date), (Sex::Male, date!(1980 - 01 - 15)));
    assert!(an.party_member);
    assert_eq!(an.job_title.as_deref(), Some("Chủ tịch"));
    let binh = out.member(6);
    assert_eq!(
        (binh.sex, binh.birth_date),
        (Sex::Female, date!(1992 - 01 - 01))
    );
    assert!(!binh.party_member);
    assert_eq!(
        out.problem_keys(),
        vec![(7, Some(Field::BirthDateIfMale), codes::SEX_BOTH_MARKED)]
    );
}

#[test]
fn utf16_tab_separated_unicode_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unicode.txt");
    let text = "Họ và tên\tNgày sinh\tGiới tính\r\nĐặng Thị Hường\t02/09/1975\tNữ\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&path, bytes).unwrap();
    let out = import(&path, 0);
    assert_eq!(out.names(), vec!["Đặng Thị Hường"]);
    assert_eq!(out.member(2).birth_date, date!(1975 - 09 - 02));
}

#[test]
fn files_we_cannot_read_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let code = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        Workbook::open(&p).err().map(|e| e.code())
    };
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(2048, 0);
    assert_eq!(code("old.xls", &ole), Some("SH003"));
    assert_eq!(
        code("web.xls", b"<html><body><table><tr><td>x</td></tr></table>"),
        Some("SH004")
    );
    assert_eq!(code("broken.xlsx", b"PK\x03\x04garbage"), Some("SH004"));
    assert_eq!(
        code("pic.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0"),
        Some("SH004")
    );
    let missing = Workbook::open(&dir.path().join("nope.xlsx")).err().unwrap();
    assert_eq!(missing.code(), "SH001");
    let e = Workbook::open(&dir.path().join("old.xls")).err().unwrap();
    assert!(e.to_string().contains("lưu lại dưới dạng .xlsx"), "{e}");

    let p = dir.path().join("one.csv");
    std::fs::write(&p, "a,b\r\n").unwrap();
    let mut wb = Workbook::open(&p).unwrap();
    assert_eq!(wb.rows(1).err().unwrap().code(), "SH005");
}

#[test]
fn an_importer_can_stop_at_the_signature_block() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("danh_sach.xlsx");
    write_typical_xlsx(&path);
    let mut wb = Workbook::open(&path).unwrap();
    let first_footer = wb
        .rows(0)
        .unwrap()
        .map(Result::unwrap)
        .position(|r| is_footer_row(&r, None));
    assert_eq!(first_footer, Some(10), "the 'Tổng cộng' row (Excel row 11)");
}
