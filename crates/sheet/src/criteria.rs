//! Criteria sets (bộ tiêu chí thi đua) in and out of xlsx. Sheets:
//!
//! - "tieu_chi": one row per item — group code, group title, item code, text,
//!   maximum points, evidence required, veto if zero;
//! - "xep_loai": one row per class, highest first — code, name, from (inclusive),
//!   below (exclusive, optional), condition;
//! - "thiet_lap" (optional): key/value rows — ma, ten, nam, loai_don_vi,
//!   loai_hinh, thang_diem;
//! - "loai_tru" (optional): veto conditions — code, question.
//!
//! Every problem comes back at once, naming its sheet, row and column.

use std::collections::BTreeMap;

use congdoan_domain::emulation::{self, Band, CriteriaSet, Group, Item, Pts, Veto};
use congdoan_domain::fold;
use rust_xlsxwriter::{Format, Workbook as XlsxWorkbook};

use crate::cell::Cell;
use crate::error::{SheetError, column_letter};
use crate::form::{FormSheetIssue, TempFile, file_issue, temp_path, truthy, write_table};
use crate::limits::Limits;
use crate::read::Workbook;

/// Rows a criteria sheet may have.
pub const MAX_CRITERIA_ROWS: usize = 2_000;

const ITEMS: &str = "tieu_chi";
const BANDS: &str = "xep_loai";
const SETTINGS: &str = "thiet_lap";
const VETOES: &str = "loai_tru";

const ITEM_HEADERS: [&str; 7] = [
    "nhom",
    "ten_nhom",
    "ma_tieu_chi",
    "noi_dung",
    "diem_toi_da",
    "minh_chung",
    "loai_neu_0_diem",
];
const BAND_HEADERS: [&str; 5] = ["ma_loai", "ten_loai", "tu_diem", "duoi_diem", "dieu_kien"];
const VETO_HEADERS: [&str; 2] = ["ma", "cau_hoi"];

struct Table {
    name: String,
    /// Header → column index, by folded header ("Điểm tối đa" = "diem_toi_da").
    cols: BTreeMap<String, usize>,
    rows: Vec<(usize, Vec<Cell>)>,
}

fn key(h: &str) -> String {
    fold(h).replace([' ', '-'], "_")
}

impl Table {
    fn get(&self, row: &[Cell], col: &str) -> String {
        self.cols
            .get(col)
            .and_then(|i| row.get(*i))
            .map(Cell::as_text)
            .unwrap_or_default()
    }
    fn col_name(&self, col: &str) -> Option<String> {
        self.cols
            .get(col)
            .map(|i| format!("{} ({col})", column_letter(*i)))
    }
    fn issue(
        &self,
        row: Option<usize>,
        col: Option<&str>,
        code: &'static str,
        vi: &str,
        en: &str,
    ) -> FormSheetIssue {
        let column = col.and_then(|c| self.col_name(c));
        let mut lv = vec![format!("Trang “{}”", self.name)];
        let mut le = vec![format!("Sheet “{}”", self.name)];
        if let Some(r) = row {
            lv.push(format!("dòng {r}"));
            le.push(format!("row {r}"));
        }
        if let Some(c) = &column {
            lv.push(format!("cột {c}"));
            le.push(format!("column {c}"));
        }
        FormSheetIssue {
            sheet: Some(self.name.clone()),
            row,
            column,
            field: None,
            code,
            vi: format!("{}: {vi}", lv.join(", ")),
            en: format!("{}: {en}", le.join(", ")),
        }
    }
}

fn bare(code: &'static str, vi: &str, en: &str) -> FormSheetIssue {
    FormSheetIssue {
        sheet: None,
        row: None,
        column: None,
        field: None,
        code,
        vi: vi.into(),
        en: en.into(),
    }
}

/// Reads and checks a criteria set from xlsx bytes.
pub fn read_criteria_set(
    bytes: &[u8],
    limits: &Limits,
) -> Result<emulation::Checked, Vec<FormSheetIssue>> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(vec![bare(
            "FD001",
            "Tệp bộ tiêu chí phải là bảng tính .xlsx.",
            "A criteria set must be an .xlsx workbook.",
        )]);
    }
    let tmp = TempFile(temp_path());
    std::fs::write(&tmp.0, bytes).map_err(|e| vec![file_issue(&SheetError::Io(e))])?;
    let mut wb = Workbook::open_with(&tmp.0, *limits).map_err(|e| vec![file_issue(&e)])?;
    let mut tables: BTreeMap<&'static str, Table> = BTreeMap::new();
    for (i, name) in wb.sheet_names().into_iter().enumerate() {
        let k = key(&name);
        let Some(kind) = [ITEMS, BANDS, SETTINGS, VETOES]
            .into_iter()
            .find(|s| *s == k || k.starts_with(s))
        else {
            continue;
        };
        if tables.contains_key(kind) {
            continue;
        }
        let mut rows = Vec::new();
        let mut cols = BTreeMap::new();
        for (r, row) in wb.rows(i).map_err(|e| vec![file_issue(&e)])?.enumerate() {
            let row = row.map_err(|e| vec![file_issue(&e)])?;
            if r == 0 {
                for (c, cell) in row.iter().enumerate() {
                    let h = key(&cell.as_text());
                    if !h.is_empty() {
                        cols.entry(h).or_insert(c);
                    }
                }
                continue;
            }
            if rows.len() >= MAX_CRITERIA_ROWS {
                return Err(vec![bare(
                    "FD002",
                    &format!("Trang “{name}” có hơn {MAX_CRITERIA_ROWS} dòng."),
                    &format!("Sheet “{name}” has more than {MAX_CRITERIA_ROWS} rows."),
                )]);
            }
            if row.iter().all(Cell::is_empty) {
                continue;
            }
            rows.push((r + 1, row));
        }
        tables.insert(kind, Table { name, cols, rows });
    }
    let mut issues = Vec::new();
    let (Some(items), Some(bands)) = (tables.get(ITEMS), tables.get(BANDS)) else {
        return Err(vec![bare(
            "FD003",
            "Tệp phải có trang “tieu_chi” (các tiêu chí) và trang “xep_loai” (bảng xếp loại).",
            "The workbook needs a “tieu_chi” sheet (items) and a “xep_loai” sheet (classes).",
        )]);
    };
    for (t, heads) in [(items, &ITEM_HEADERS[..5]), (bands, &BAND_HEADERS[..3])] {
        for h in heads {
            if !t.cols.contains_key(*h) {
                issues.push(t.issue(
                    Some(1),
                    None,
                    "FD004",
                    &format!("thiếu cột “{h}”."),
                    &format!("column “{h}” is missing."),
                ));
            }
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }

    let mut set = CriteriaSet {
        code: String::new(),
        title: String::new(),
        year: 0,
        unit_types: Vec::new(),
        ownership: Vec::new(),
        scale: Pts::from_points(100),
        groups: Vec::new(),
        vetoes: Vec::new(),
        bands: Vec::new(),
    };
    if let Some(s) = tables.get(SETTINGS) {
        for (r, row) in &s.rows {
            let k = key(&row.first().map(Cell::as_text).unwrap_or_default());
            let v = row.get(1).map(Cell::as_text).unwrap_or_default();
            let list = || {
                v.split([',', ';'])
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
            };
            match k.as_str() {
                "ma" => set.code = v,
                "ten" => set.title = v,
                "nam" => match v.parse() {
                    Ok(y) => set.year = y,
                    Err(_) => issues.push(s.issue(
                        Some(*r),
                        None,
                        "VL1014",
                        &format!("năm “{v}” không phải là số."),
                        &format!("year “{v}” is not a number."),
                    )),
                },
                "loai_don_vi" => set.unit_types = list(),
                "loai_hinh" => set.ownership = list(),
                "thang_diem" => match Pts::parse(&v) {
                    Some(p) => set.scale = p,
                    None => issues.push(s.issue(
                        Some(*r),
                        None,
                        "VL1005",
                        &format!("thang điểm “{v}” không hợp lệ."),
                        &format!("scale “{v}” is not valid."),
                    )),
                },
                _ => {}
            }
        }
    }
    // Item rows, grouped by consecutive group code; locations for check errors.
    let mut item_rows: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut group_rows: BTreeMap<usize, usize> = BTreeMap::new();
    for (r, row) in &items.rows {
        let gcode = items.get(row, "nhom");
        let gtitle = items.get(row, "ten_nhom");
        let gi = match set.groups.iter().position(|g| g.code == gcode) {
            Some(i) => i,
            None => {
                set.groups.push(Group {
                    code: gcode.clone(),
                    title: gtitle.clone(),
                    order: set.groups.len() as u32 + 1,
                    items: Vec::new(),
                });
                group_rows.insert(set.groups.len() - 1, *r);
                set.groups.len() - 1
            }
        };
        if set.groups[gi].title.is_empty() {
            set.groups[gi].title = gtitle;
        }
        let max_s = items.get(row, "diem_toi_da");
        let max = match Pts::parse(&max_s) {
            Some(p) => p,
            None => {
                issues.push(items.issue(
                    Some(*r),
                    Some("diem_toi_da"),
                    "VL1004",
                    &format!("điểm tối đa “{max_s}” không phải là số (ví dụ 5 hoặc 2,5)."),
                    &format!("maximum “{max_s}” is not a number (e.g. 5 or 2.5)."),
                ));
                Pts::ZERO
            }
        };
        let mut flag = |col: &str| match truthy(&items.get(row, col)) {
            Some(b) => b,
            None => {
                issues.push(items.issue(
                    Some(*r),
                    Some(col),
                    "FD005",
                    "ghi “có” hoặc để trống.",
                    "write “yes” or leave it blank.",
                ));
                false
            }
        };
        let evidence = flag("minh_chung");
        let veto_if_zero = flag("loai_neu_0_diem");
        let it = Item {
            code: items.get(row, "ma_tieu_chi"),
            text: items.get(row, "noi_dung"),
            max,
            evidence,
            veto_if_zero,
        };
        set.groups[gi].items.push(it);
        item_rows.insert((gi, set.groups[gi].items.len() - 1), *r);
    }
    let mut band_rows = Vec::new();
    for (r, row) in &bands.rows {
        let mut pts = |col: &str, opt: bool| {
            let v = bands.get(row, col);
            if opt && v.is_empty() {
                return None;
            }
            match Pts::parse(&v) {
                Some(p) => Some(p),
                None => {
                    issues.push(bands.issue(
                        Some(*r),
                        Some(col),
                        "VL1008",
                        &format!("“{v}” không phải là số điểm."),
                        &format!("“{v}” is not a number of points."),
                    ));
                    None
                }
            }
        };
        let min = pts("tu_diem", false).unwrap_or_default();
        let below = pts("duoi_diem", true);
        let cond = bands.get(row, "dieu_kien");
        set.bands.push(Band {
            code: bands.get(row, "ma_loai"),
            name_vi: bands.get(row, "ten_loai"),
            min,
            below,
            condition: (!cond.is_empty()).then_some(cond),
        });
        band_rows.push(*r);
    }
    let mut veto_rows = Vec::new();
    if let Some(v) = tables.get(VETOES) {
        for (r, row) in &v.rows {
            set.vetoes.push(Veto {
                code: v.get(row, "ma"),
                question: v.get(row, "cau_hoi"),
            });
            veto_rows.push(*r);
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    emulation::check(set).map_err(|errs| {
        errs.into_iter()
            .map(|e| {
                let parts: Vec<&str> = e.field.split('.').collect();
                let idx = |i: usize| parts.get(i).and_then(|p| p.parse::<usize>().ok());
                let (table, row, col) = match parts.first().copied() {
                    Some("groups") => match (idx(1), parts.get(2), idx(3), parts.get(4)) {
                        (Some(g), Some(&"items"), Some(i), f) => (
                            Some(items),
                            item_rows.get(&(g, i)).copied(),
                            f.map(|f| match *f {
                                "max" => "diem_toi_da",
                                "text" => "noi_dung",
                                _ => "ma_tieu_chi",
                            }),
                        ),
                        (Some(g), _, _, _) => {
                            (Some(items), group_rows.get(&g).copied(), Some("nhom"))
                        }
                        _ => (Some(items), None, Some("diem_toi_da")),
                    },
                    Some("bands") => (
                        Some(bands),
                        idx(1).and_then(|i| band_rows.get(i).copied()),
                        parts.get(2).map(|f| match *f {
                            "below" => "duoi_diem",
                            _ => "tu_diem",
                        }),
                    ),
                    Some("vetoes") => (
                        tables.get(VETOES),
                        idx(1).and_then(|i| veto_rows.get(i).copied()),
                        None,
                    ),
                    _ => (tables.get(SETTINGS), None, None),
                };
                match table {
                    Some(t) => {
                        let mut i = t.issue(row, col, e.code, &e.vi, &e.en);
                        i.field = Some(e.field);
                        i
                    }
                    None => FormSheetIssue {
                        field: Some(e.field),
                        ..bare(e.code, &e.vi, &e.en)
                    },
                }
            })
            .collect()
    })
}

/// Writes a criteria set as the workbook [`read_criteria_set`] reads.
pub fn write_criteria_set(set: &CriteriaSet) -> Vec<u8> {
    build(set).unwrap_or_default()
}

fn build(set: &CriteriaSet) -> Result<Vec<u8>, SheetError> {
    let mut book = XlsxWorkbook::new();
    let bold = Format::new().set_bold();
    let yes = |b: bool| if b { "có".to_string() } else { String::new() };
    let ws = book.add_worksheet().set_name(ITEMS)?;
    write_table(
        ws,
        &ITEM_HEADERS,
        set.groups.iter().flat_map(|g| {
            g.items.iter().map(move |i| {
                vec![
                    g.code.clone(),
                    g.title.clone(),
                    i.code.clone(),
                    i.text.clone(),
                    i.max.to_string(),
                    yes(i.evidence),
                    yes(i.veto_if_zero),
                ]
            })
        }),
        &bold,
    )?;
    let ws = book.add_worksheet().set_name(BANDS)?;
    write_table(
        ws,
        &BAND_HEADERS,
        set.bands.iter().map(|b| {
            vec![
                b.code.clone(),
                b.name_vi.clone(),
                b.min.to_string(),
                b.below.map(|p| p.to_string()).unwrap_or_default(),
                b.condition.clone().unwrap_or_default(),
            ]
        }),
        &bold,
    )?;
    let ws = book.add_worksheet().set_name(SETTINGS)?;
    write_table(
        ws,
        &["khoa", "gia_tri"],
        [
            ("ma", set.code.clone()),
            ("ten", set.title.clone()),
            ("nam", set.year.to_string()),
            ("loai_don_vi", set.unit_types.join(", ")),
            ("loai_hinh", set.ownership.join(", ")),
            ("thang_diem", set.scale.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v]),
        &bold,
    )?;
    let ws = book.add_worksheet().set_name(VETOES)?;
    write_table(
        ws,
        &VETO_HEADERS,
        set.vetoes
            .iter()
            .map(|v| vec![v.code.clone(), v.question.clone()]),
        &bold,
    )?;
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use congdoan_domain::emulation::{bands_366, check};

    fn sample() -> CriteriaSet {
        let item = |c: &str, m: i64, v: bool| Item {
            code: c.into(),
            text: format!("Nội dung {c}"),
            max: Pts(m),
            evidence: true,
            veto_if_zero: v,
        };
        CriteriaSet {
            code: "TO-2025".into(),
            title: "Chấm điểm tổ công đoàn 2025".into(),
            year: 2025,
            unit_types: vec!["TO_CD".into(), "CD_BO_PHAN".into()],
            ownership: vec![],
            scale: Pts(1000),
            groups: vec![
                Group {
                    code: "1".into(),
                    title: "Chăm lo".into(),
                    order: 1,
                    items: vec![item("1.1", 405, true), item("1.2", 195, false)],
                },
                Group {
                    code: "2".into(),
                    title: "Tổ chức".into(),
                    order: 2,
                    items: vec![item("2.1", 400, false)],
                },
            ],
            vetoes: vec![Veto {
                code: "fatal_accident".into(),
                question: "Có tai nạn lao động chết người?".into(),
            }],
            bands: bands_366(),
        }
    }

    #[test]
    fn round_trip() {
        let set = check(sample()).unwrap().into_def();
        let bytes = write_criteria_set(&set);
        let back = read_criteria_set(&bytes, &Limits::default()).unwrap();
        assert_eq!(back.def(), &set);
    }

    #[test]
    fn errors_name_the_row() {
        let mut set = sample();
        set.groups[1].items[0].max = Pts(500);
        set.bands[2].below = Some(Pts(680));
        let bytes = write_criteria_set(&set);
        let e = read_criteria_set(&bytes, &Limits::default()).unwrap_err();
        let gap = e.iter().find(|i| i.code == "VL1008").expect("gap");
        assert_eq!(gap.row, Some(4), "{gap:?}");
        assert!(
            gap.vi
                .starts_with("Trang “xep_loai”, dòng 4, cột D (duoi_diem)"),
            "{}",
            gap.vi
        );
        assert!(e.iter().any(|i| i.code == "VL1005"), "{e:?}");
    }
}
