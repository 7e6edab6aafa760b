//! Writes N member-like rows with `XlsxExport` and prints the time taken
//! and the peak resident memory (VmHWM), to check that large exports stay
//! small in memory. Not a test: timings depend on the machine.
//!
//! cargo run --release -p congdoan-sheet --example export_rss -- 200000 [out.xlsx]

use std::time::Instant;

use congdoan_sheet::{Cell, XlsxExport};
use time::Duration;
use time::macros::date;

const FAMILY: [&str; 7] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng"];
const MIDDLE: [&str; 5] = ["Văn", "Thị", "Minh", "Ngọc", "Đức"];
const GIVEN: [&str; 9] = [
    "An", "Bình", "Cường", "Dung", "Hường", "Lan", "Nam", "Thảo", "Yến",
];

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc/self/status)".to_owned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(200_000);
    let out = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("congdoan_export_rss.xlsx"));
    println!("before: VmHWM {}", vm_hwm());
    let start = Instant::now();
    let headers = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CCCD",
        "Số điện thoại",
        "Đơn vị",
        "Đoàn phí (đồng)",
    ];
    let mut x = XlsxExport::create(&out, "Danh sách", &headers)?
        .with_title(&["DANH SÁCH ĐOÀN VIÊN"])
        .with_money_columns(&[7]);
    for i in 0..n {
        let birth = date!(1960 - 01 - 01) + Duration::days((i % 15_000) as i64);
        x.write_row(&[
            Cell::Number((i + 1) as f64),
            Cell::Text(format!(
                "{} {} {}",
                FAMILY[i % FAMILY.len()],
                MIDDLE[i / 7 % MIDDLE.len()],
                GIVEN[i / 31 % GIVEN.len()]
            )),
            Cell::Date(birth),
            Cell::Text(if i % 2 == 0 { "Nam" } else { "Nữ" }.to_owned()),
            Cell::Text(format!(
                "001{}{:02}{:06}",
                (birth.year() / 100 - 19) * 2 + (i % 2) as i32,
                birth.year() % 100,
                i % 1_000_000
            )),
            Cell::Text(format!("09{:08}", i % 100_000_000)),
            Cell::Text(format!("Tổ công đoàn số {}", i % 50)),
            Cell::Number(((i % 40) * 10_000) as f64),
        ])?;
    }
    let rows = x.finish()?;
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {rows} rows to {} ({:.1} MB) in {:.2?}",
        out.display(),
        size as f64 / 1e6,
        start.elapsed()
    );
    println!("after: VmHWM {}", vm_hwm());
    Ok(())
}
