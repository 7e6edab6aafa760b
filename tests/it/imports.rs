//! Importing the files unions hold, and exporting lists: through the pages, the API
//! and the command line, on both engines.

use crate::harness::{Browser, Kind, TestApp, csrf_of, version_of};
use congdoan_domain::cccd::make_cccd;
use congdoan_domain::member::Sex;
use congdoan_sheet::{Cell, Workbook};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook as XlsxBook};
use std::path::{Path, PathBuf};
use std::time::Duration;
use unicode_normalization::UnicodeNormalization;

pub(crate) fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "congdoan-it-import-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// The list a CĐCS secretary keeps in Excel: a merged title over a blank row, then
/// the header on row 4, dates of three kinds, a CCCD typed as a number, a total line.
/// Returns the path and the CCCD of a demo member already stored.
pub(crate) fn union_workbook(path: &Path, to1: &str, to2_code: &str, stored: (&str, &str, &str)) {
    let mut wb = XlsxBook::new();
    let ws = wb.add_worksheet();
    let title = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    ws.merge_range(
        0,
        0,
        0,
        8,
        "DANH SÁCH ĐOÀN VIÊN CÔNG ĐOÀN CƠ SỞ CÔNG TY TNHH BAO BÌ MEKONG",
        &title,
    )
    .unwrap();
    ws.merge_range(
        1,
        0,
        1,
        8,
        "(Kèm theo báo cáo tháng 10/2026)",
        &Format::new(),
    )
    .unwrap();
    let headers = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CCCD",
        "Số điện thoại",
        "Tổ công đoàn",
        "Mã đơn vị",
        "Ngày vào công đoàn",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &title)
            .unwrap();
    }
    let lan_cccd = make_cccd(89, 1990, Sex::Female, 4_101);
    let binh_cccd = make_cccd(89, 1988, Sex::Male, 4_102);
    let hoa_cccd = make_cccd(89, 1992, Sex::Female, 4_103);
    let bad_sex = make_cccd(89, 1991, Sex::Male, 4_104);
    let dup_cccd = lan_cccd.clone();
    // Row 5: NFD name, a real Excel date, tổ by name.
    let r = 4;
    ws.write_number(r, 0, 1).unwrap();
    ws.write_string(r, 1, "Nguyễn Thị Lan".nfd().collect::<String>())
        .unwrap();
    ws.write_datetime_with_format(r, 2, ExcelDateTime::from_ymd(1990, 4, 12).unwrap(), &date)
        .unwrap();
    ws.write_string(r, 3, "Nữ").unwrap();
    ws.write_string(r, 4, lan_cccd.as_str()).unwrap();
    ws.write_string(r, 5, "0912345678").unwrap();
    ws.write_string(r, 6, to1).unwrap();
    ws.write_string(r, 8, "15/03/2015").unwrap();
    // Row 6: a serial date, the CCCD typed as a number (its leading zero lost), tổ by code.
    let r = 5;
    ws.write_number(r, 0, 2).unwrap();
    ws.write_string(r, 1, "Trần Văn Bình").unwrap();
    ws.write_number(r, 2, 32_387.0).unwrap(); // 1988-09-01
    ws.write_string(r, 3, "Nam").unwrap();
    ws.write_number(r, 4, binh_cccd.as_str().parse::<f64>().unwrap())
        .unwrap();
    ws.write_string(r, 7, to2_code).unwrap();
    // Row 7: d/m/yy text.
    let r = 6;
    ws.write_number(r, 0, 3).unwrap();
    ws.write_string(r, 1, "Lê Thị Hoà").unwrap();
    ws.write_string(r, 2, "5/6/92").unwrap();
    ws.write_string(r, 3, "nữ").unwrap();
    ws.write_string(r, 4, hoa_cccd.as_str()).unwrap();
    ws.write_string(r, 6, to1).unwrap();
    // Rows 8–12: one problem each.
    let bad: [(&str, &str, &str, &str, &str); 5] = [
        ("Phạm Văn Sai", "12/12/1991", "Nữ", bad_sex.as_str(), to1), // CCCD says male
        ("Võ Thị Trùng", "01/01/1990", "Nữ", dup_cccd.as_str(), to1), // repeats row 5
        ("Đỗ Văn Lạc", "02/02/1985", "Nam", "", "Tổ 99"),            // no such tổ
        ("Hồ Văn Cũ", stored.1, stored.2, stored.0, to1),            // already stored
        ("Bùi Thị Ngày", "31/02/1990", "Nữ", "", to1),               // no 31 February
    ];
    for (i, (name, born, sex, cccd, unit)) in bad.iter().enumerate() {
        let r = 7 + i as u32;
        ws.write_number(r, 0, (4 + i) as f64).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_string(r, 2, *born).unwrap();
        ws.write_string(r, 3, *sex).unwrap();
        ws.write_string(r, 4, *cccd).unwrap();
        ws.write_string(r, 6, *unit).unwrap();
    }
    ws.write_string(13, 1, "Tổng cộng: 8 người").unwrap();
    wb.save(path).expect("xlsx written");
}

async fn upload(b: &Browser, unit_id: i64, path: &Path) -> reqwest::Response {
    let (_, html) = b.get_html(&format!("/imports?unit={unit_id}")).await;
    let csrf = csrf_of(&html);
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("unit", unit_id.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
    b.http
        .post(format!("{}/imports", b.base))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

/// Reloads a job's page until its state is `want` (the background worker runs it).
async fn wait_for_state(b: &Browser, job_path: &str, want: &str) -> String {
    for _ in 0..200 {
        let (status, html) = b.get_html(job_path).await;
        assert_eq!(status, 200, "{html}");
        if html.contains(&format!("data-state=\"{want}\"")) {
            return html;
        }
        assert!(
            !html.contains("data-state=\"failed\""),
            "the job failed: {html}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{job_path} never reached {want}");
}

fn text_between<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\">")).expect(id) + id.len() + 6;
    html[start..].split('<').next().unwrap_or("")
}

/// Every member record of a subtree, any status (what an export lists).
async fn all_members(app: &TestApp, unit_id: i64) -> i64 {
    let d = app
        .store()
        .dashboard(&app.admin_scope(), Some(unit_id), congdoan_web::today())
        .await
        .expect("dashboard");
    d.members_by_status.iter().map(|c| c.n).sum()
}

async fn active_members(app: &TestApp, unit_id: i64) -> i64 {
    let d = app
        .store()
        .dashboard(&app.admin_scope(), Some(unit_id), congdoan_web::today())
        .await
        .expect("dashboard");
    d.active_members
}

async fn an_officer_imports_the_cdcs_list_previews_problems_and_undoes(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let s = app.store();
    let scope = app.admin_scope();
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let to1 = s
        .unit_by_code(&scope, &format!("{}-T01", congdoan_datagen::DEMO_CDCS_CODE))
        .await
        .unwrap();
    let to2_code = format!("{}-T02", congdoan_datagen::DEMO_CDCS_CODE);
    // A CCCD already stored for some demo member.
    let stored: String = s
        .search_members(
            &scope,
            &congdoan_store::MemberQuery {
                unit_id: Some(cdcs),
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows[0]
        .member_id
        .to_string();
    let stored = s.member(&scope, stored.parse().unwrap()).await.unwrap();
    let stored_cccd = stored.cccd.clone().expect("demo members have a CCCD");
    let stored_born = congdoan_domain::date::format_vn_date(stored.birth_date);
    let stored_sex = if stored.sex == "F" { "Nữ" } else { "Nam" };
    let file = temp_file("danh-sach-doan-vien.xlsx");
    union_workbook(
        &file,
        &to1.name,
        &to2_code,
        (&stored_cccd, &stored_born, stored_sex),
    );
    let before = active_members(&app, cdcs).await;
    let records = all_members(&app, cdcs).await;

    let b = app.login("cdcs.officer").await;
    // The unit page offers the import.
    let (_, page) = b.get_html(&format!("/units/{cdcs}")).await;
    assert!(page.contains("id=\"import-members\""), "{page}");
    let res = upload(&b, cdcs, &file).await;
    let job_path = res.url().path().to_string();
    assert_eq!(
        res.status().as_u16(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert!(job_path.starts_with("/imports/"), "{job_path}");
    let html = wait_for_state(&b, &job_path, "ready").await;
    assert_eq!(text_between(&html, "total-rows"), "8", "{html}");
    assert_eq!(text_between(&html, "valid-rows"), "3");
    assert_eq!(text_between(&html, "rejected-rows"), "5");
    // The preview shows rows as they will be stored: NFC names, dd/mm/yyyy dates, tổ.
    assert!(html.contains("Nguyễn Thị Lan"), "{html}");
    assert!(html.contains("12/04/1990") && html.contains("15/03/2015"));
    assert!(html.contains("01/09/1988"), "serial date: {html}");
    assert!(html.contains("05/06/1992"), "d/m/yy date: {html}");
    assert!(html.contains(&to1.name));
    // Every problem row, with its row number and a Vietnamese reason.
    for needle in ["trùng với dòng 5", "Tổ 99", "đã có trong hệ thống"] {
        assert!(html.contains(needle), "missing {needle:?} in {html}");
    }
    for row in ["8", "9", "10", "11", "12"] {
        assert!(
            html.contains(&format!("data-label=\"Dòng\">{row}</td>")),
            "row {row} not listed: {html}"
        );
    }
    // Nothing stored yet.
    assert_eq!(active_members(&app, cdcs).await, before);

    // The rejected rows as an xlsx file: the user's columns plus the reasons.
    let r = b.get(&format!("{job_path}/rejected.xlsx")).await;
    assert_eq!(r.status().as_u16(), 200);
    let rejected = temp_file("dong-loi.xlsx");
    std::fs::write(&rejected, r.bytes().await.unwrap()).unwrap();
    let mut wb = Workbook::open(&rejected).expect("the rejected rows open");
    let rows: Vec<Vec<Cell>> = wb.rows(0).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 6, "header + 5 rows: {rows:?}");
    assert_eq!(rows[0].last().unwrap().as_text(), "Lý do không nhập");
    assert_eq!(rows[1][0].as_text(), "8");
    assert!(
        rows[2]
            .last()
            .unwrap()
            .as_text()
            .contains("trùng với dòng 5")
    );

    // Confirm: the three valid rows are imported.
    let (status, _, html) = b
        .post_form(
            &job_path,
            &format!("{job_path}/confirm"),
            &[("version", &version_of(&html))],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let html = wait_for_state(&b, &job_path, "done").await;
    assert!(html.contains("id=\"undo-import\""));
    assert_eq!(active_members(&app, cdcs).await, before + 3);
    let (_, list) = b
        .get_html(&format!("/members?unit={cdcs}&q=nguyen+thi+lan"))
        .await;
    assert!(list.contains("Nguyễn Thị Lan"), "{list}");
    let (_, list) = b.get_html(&format!("/members?unit={cdcs}&q=binh")).await;
    assert!(list.contains("Trần Văn Bình"), "{list}");
    let diff = s
        .stored_stats()
        .await
        .unwrap()
        .differences(&s.recount_stats().await.unwrap());
    assert!(diff.is_empty(), "{diff:?}");

    // The CSV export lists them, with a BOM for Excel; the xlsx export opens.
    let r = b.get(&format!("/members/export.csv?unit={cdcs}")).await;
    assert_eq!(r.status().as_u16(), 200);
    let body = r.bytes().await.unwrap();
    assert!(body.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
    let csv = String::from_utf8(body[3..].to_vec()).unwrap();
    assert!(
        csv.starts_with("STT,Họ và tên,Ngày sinh"),
        "{}",
        &csv[..80.min(csv.len())]
    );
    assert!(csv.contains("Nguyễn Thị Lan,12/04/1990,Nữ"), "{csv}");
    assert_eq!(csv.lines().count() as i64, records + 3 + 1);
    let r = b.get(&format!("/members/export.xlsx?unit={cdcs}")).await;
    assert_eq!(r.status().as_u16(), 200);
    let exported = temp_file("xuat.xlsx");
    std::fs::write(&exported, r.bytes().await.unwrap()).unwrap();
    let mut wb = Workbook::open(&exported).expect("the export opens");
    let rows: Vec<Vec<Cell>> = wb.rows(0).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len() as i64, records + 3 + 1);
    assert!(rows.iter().any(|r| r[1].as_text() == "Nguyễn Thị Lan"
        && r[2] == Cell::Date(time::macros::date!(1990 - 04 - 12))));

    // LibreOffice opens the export cleanly (once: the file does not depend on the engine).
    if kind == Kind::Sqlite
        && let Some(text) = libreoffice_csv(&exported)
    {
        assert!(text.contains("Nguyễn Thị Lan,12/04/1990,Nữ"), "{text}");
        assert_eq!(text.lines().count() as i64, records + 3 + 1);
    }

    // Undo asks first, restating how many members go, then removes exactly the
    // three, and the figures follow.
    let (_, page) = b.get_html(&job_path).await;
    let version = version_of(&page);
    let (status, _, ask) = b
        .post_form(
            &job_path,
            &format!("{job_path}/undo"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(status, 200, "{ask}");
    assert!(ask.contains("id=\"confirm-yes\""), "{ask}");
    assert!(ask.contains("<strong class=\"n\">3</strong>"), "{ask}");
    assert_eq!(
        active_members(&app, cdcs).await,
        before + 3,
        "nothing undone yet"
    );
    let (status, _, html) = b
        .post_form(
            &job_path,
            &format!("{job_path}/undo"),
            &[("version", &version), ("confirmed", "1")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-state=\"undone\""), "{html}");
    assert_eq!(active_members(&app, cdcs).await, before);
    let (_, list) = b
        .get_html(&format!("/members?unit={cdcs}&q=nguyen+thi+lan"))
        .await;
    assert!(!list.contains("Nguyễn Thị Lan"));
    let diff = s
        .stored_stats()
        .await
        .unwrap()
        .differences(&s.recount_stats().await.unwrap());
    assert!(diff.is_empty(), "{diff:?}");

    // Another CĐCS's officer cannot see the job.
    let other = app.login("cdcs.other").await;
    let (status, _) = other.get_html(&job_path).await;
    assert_eq!(status, 404);
}

/// The first sheet of `file` as LibreOffice reads it (UTF-8 CSV), or None when
/// LibreOffice is not installed (required in CI, where CONGDOAN_REQUIRE_ALL_ENGINES is set).
pub fn libreoffice_csv(file: &Path) -> Option<String> {
    let Ok(soffice) = which("soffice") else {
        assert!(
            std::env::var("CONGDOAN_REQUIRE_ALL_ENGINES").is_err(),
            "LibreOffice (soffice) is required in CI"
        );
        eprintln!("skipping the LibreOffice check: soffice is not installed");
        return None;
    };
    let out = temp_file("lo");
    std::fs::create_dir_all(&out).unwrap();
    let status = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            out.display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false",
            "--outdir",
        ])
        .arg(&out)
        .arg(file)
        .output()
        .expect("soffice runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let csv = out.join(file.with_extension("csv").file_name().unwrap());
    Some(std::fs::read_to_string(&csv).unwrap_or_else(|e| {
        panic!(
            "LibreOffice wrote no {}: {e}; {}",
            csv.display(),
            String::from_utf8_lossy(&status.stdout)
        )
    }))
}

fn which(cmd: &str) -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(cmd))
                .find(|f| f.is_file())
        })
        .ok_or(())
}

/// A CSV from an old machine: TCVN3 (ABC) bytes, `;` separated, through the API.
async fn legacy_csv_through_the_api(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let cdcs = app.unit_id(congdoan_datagen::DEMO_OTHER_CDCS_CODE).await;
    let api = app.token("admin").await;
    let cccd = make_cccd(89, 1987, Sex::Male, 7_001);
    // "NguyÔn V¨n §øc" is "Nguyễn Văn Đức" in TCVN3.
    let mut bytes: Vec<u8> = b"Ho va ten;Ngay sinh;Gioi tinh;So CCCD\r\n".to_vec();
    bytes.extend_from_slice(&[
        b'N', b'g', b'u', b'y', 0xD4, b'n', b' ', b'V', 0xA8, b'n', b' ', 0xA7, 0xF8, b'c',
    ]);
    bytes.extend_from_slice(format!(";20/10/1987;Nam;{}\r\n", cccd.as_str()).as_bytes());
    let form = reqwest::multipart::Form::new()
        .text("unit", cdcs.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("tcvn3.csv"),
        );
    let r = api
        .http
        .post(format!("{}/api/v1/imports", api.base))
        .bearer_auth(&api.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let job: serde_json::Value = r.json().await.unwrap();
    let id = job["job_id"].as_i64().unwrap();
    let mut job = job;
    for _ in 0..200 {
        let (_, j) = api.get(&format!("/api/v1/imports/{id}")).await;
        job = j;
        if job["state"] != "analysing" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(job["state"], "ready", "{job}");
    assert_eq!(job["legacy"], "tcvn3");
    assert_eq!(job["preview"][0]["full_name"], "Nguyễn Văn Đức", "{job}");
    // A stale version is refused.
    let (status, _) = api
        .post(
            &format!("/api/v1/imports/{id}/confirm"),
            serde_json::json!({"version": 0}),
        )
        .await;
    assert_eq!(status, 409);
    let (status, body) = api
        .post(
            &format!("/api/v1/imports/{id}/confirm"),
            serde_json::json!({"version": job["version"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for _ in 0..200 {
        let (_, j) = api.get(&format!("/api/v1/imports/{id}")).await;
        job = j;
        if job["state"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["imported"], 1);
    let (_, found) = api
        .get(&format!("/api/v1/members?unit_id={cdcs}&q=duc"))
        .await;
    assert!(found.to_string().contains("Nguyễn Văn Đức"), "{found}");
    // A file with no recognisable header fails with a reason.
    let form = reqwest::multipart::Form::new()
        .text("unit", cdcs.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"a;b;c\r\n1;2;3\r\n".to_vec()).file_name("x.csv"),
        );
    let r = api
        .http
        .post(format!("{}/api/v1/imports", api.base))
        .bearer_auth(&api.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let id = r.json::<serde_json::Value>().await.unwrap()["job_id"]
        .as_i64()
        .unwrap();
    for _ in 0..200 {
        let (_, j) = api.get(&format!("/api/v1/imports/{id}")).await;
        job = j;
        if job["state"] != "analysing" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(job["state"], "failed");
    assert!(
        job["error"]
            .as_str()
            .unwrap()
            .contains("Không tìm thấy dòng tiêu đề"),
        "{job}"
    );
}

crate::both_engines!(
    an_officer_imports_the_cdcs_list_previews_problems_and_undoes,
    legacy_csv_through_the_api
);

/// `congdoan import` killed with SIGKILL in the middle of a large import: the job
/// resumes after the last committed chunk, and no row is written twice.
async fn a_killed_import_resumes_without_duplicates(kind: Kind) {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let Some(url) = crate::harness::fresh_database(kind).await else {
        return;
    };
    // No server: nothing but the two CLI processes touches the job.
    let store = congdoan::open_store(&url).await.unwrap();
    congdoan::load_demo_if_empty(&store).await.unwrap();
    let code = congdoan_datagen::DEMO_OTHER_CDCS_CODE;
    let rows = 60_000u32;
    let file = temp_file("ca-tinh.csv");
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Số CCCD\n");
    let given = ["An", "Bình", "Chi", "Dũng", "Hà", "Khánh", "Linh", "Minh"];
    for i in 0..rows {
        let female = i % 2 == 0;
        let year = 1970 + (i % 30) as i32;
        let cccd = make_cccd(
            89,
            year,
            if female { Sex::Female } else { Sex::Male },
            500_000 + i,
        );
        csv.push_str(&format!(
            "{} {} {},{:02}/{:02}/{year},{},{}\n",
            ["Nguyễn", "Trần", "Lê"][(i % 3) as usize],
            if female { "Thị" } else { "Văn" },
            given[(i % 8) as usize],
            1 + i % 28,
            1 + i % 12,
            if female { "Nữ" } else { "Nam" },
            cccd.as_str()
        ));
    }
    std::fs::write(&file, csv).unwrap();
    let bin = env!("CARGO_BIN_EXE_congdoan");
    let mut child = Command::new(bin)
        .args(["import", "--unit", code, "--file"])
        .arg(&file)
        .arg("--yes")
        .env("CONGDOAN_DATABASE_URL", &url)
        .env("CONGDOAN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("congdoan import runs");
    // Read the progress line until a first chunk is committed, then kill -9.
    let mut out = child.stdout.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    let job_id: i64 = loop {
        let n = out.read(&mut buf).expect("progress output");
        assert!(n > 0, "the import ended before it could be killed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        let Some(tail) = seen.rsplit('\r').nth(1).or(seen.rsplit('\r').next()) else {
            continue;
        };
        if let Some(rest) = tail.trim().strip_prefix("Đang nhập ") {
            let done: i64 = rest
                .split(' ')
                .next()
                .unwrap_or("0")
                .replace('.', "")
                .parse()
                .unwrap_or(0);
            if done >= 5_000 {
                let id = seen
                    .split("--resume ")
                    .nth(1)
                    .and_then(|s| s.split(')').next())
                    .and_then(|s| s.trim().parse().ok())
                    .expect("the job id is printed before importing");
                child.kill().expect("SIGKILL");
                break id;
            }
        }
    };
    let _ = child.wait();
    let scope = congdoan_store::Scope::admin(congdoan_store::Actor::system("test"));
    let job = store.import_job(&scope, job_id).await.unwrap();
    assert_eq!(job.state(), congdoan_store::ImportState::Importing);
    assert!(
        job.imported >= 5_000 && job.imported < rows as i64,
        "{}",
        job.imported
    );
    assert_eq!(job.imported % 5_000, 0, "only whole chunks are committed");
    // Resume: the rest is imported, nothing twice.
    let out = Command::new(bin)
        .args(["import", "--resume", &job_id.to_string()])
        .env("CONGDOAN_DATABASE_URL", &url)
        .env("CONGDOAN_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let job = store.import_job(&scope, job_id).await.unwrap();
    assert_eq!(job.state(), congdoan_store::ImportState::Done);
    assert_eq!(job.imported, rows as i64);
    let unit = store.unit_by_code(&scope, code).await.unwrap();
    let d = store
        .dashboard(&scope, Some(unit.unit_id), congdoan_web::today())
        .await
        .unwrap();
    let page = store
        .search_members(
            &scope,
            &congdoan_store::MemberQuery {
                q: Some(
                    make_cccd(89, 1970, Sex::Female, 500_000)
                        .as_str()
                        .to_string(),
                ),
                per_page: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.rows.len(), 1, "the first row is stored once");
    let diff = store
        .stored_stats()
        .await
        .unwrap()
        .differences(&store.recount_stats().await.unwrap());
    assert!(diff.is_empty(), "{diff:?}");
    assert!(d.active_members >= rows as i64);
}

crate::both_engines!(a_killed_import_resumes_without_duplicates);

/// A column the detector does not know ("Mã định danh" holding CCCDs) is mapped by
/// hand: the file is read again and the rows the mapping completes become valid.
async fn a_manual_column_mapping_reads_the_file_again(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let cdcs = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let file = temp_file("giay-to.csv");
    let a = make_cccd(89, 1991, Sex::Female, 8_001);
    let b = make_cccd(89, 1985, Sex::Male, 8_002);
    std::fs::write(
        &file,
        format!(
            "Họ và tên,Ngày sinh,Giấy tờ\r\nĐặng Thị Mai,03/04/1991,{}\r\nLý Văn Tùng,09/09/1985,{}\r\n",
            a.as_str(),
            b.as_str()
        ),
    )
    .unwrap();
    let br = app.login("cdcs.officer").await;
    let res = upload(&br, cdcs, &file).await;
    let job_path = res.url().path().to_string();
    let html = wait_for_state(&br, &job_path, "ready").await;
    // Without the CCCD nobody's sex is known: both rows are refused.
    assert_eq!(text_between(&html, "valid-rows"), "0", "{html}");
    assert_eq!(text_between(&html, "rejected-rows"), "2");
    assert!(
        html.contains("name=\"col_2\""),
        "the mapping form lists the column: {html}"
    );
    let (status, _, html) = br
        .post_form(
            &job_path,
            &format!("{job_path}/layout"),
            &[
                ("version", &version_of(&html)),
                ("header_row", "1"),
                ("col_0", "full_name"),
                ("col_1", "birth_date"),
                ("col_2", "cccd"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let html = wait_for_state(&br, &job_path, "ready").await;
    assert_eq!(text_between(&html, "valid-rows"), "2", "{html}");
    assert_eq!(text_between(&html, "rejected-rows"), "0");
    assert!(
        html.contains(">Đặng Thị Mai</td>") && html.contains(">Nữ</td>"),
        "{html}"
    );
    // A mapping that uses one field twice is refused with a reason.
    let (status, _, html) = br
        .post_form(
            &job_path,
            &format!("{job_path}/layout"),
            &[
                ("version", &version_of(&html)),
                ("header_row", "1"),
                ("col_0", "full_name"),
                ("col_1", "full_name"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{html}");
}

crate::both_engines!(a_manual_column_mapping_reads_the_file_again);

/// A job whose worker keeps dying (a hostile file, a machine out of memory) is taken
/// up again when its lease runs out, but only MAX_IMPORT_ATTEMPTS times: then it is
/// marked failed with a Vietnamese reason and never claimed again. And a file over a
/// limit fails its analysis naming the limit.
async fn a_poison_job_is_given_up_and_a_hostile_file_names_its_limit(kind: Kind) {
    use congdoan_store::{Actor, MAX_IMPORT_ATTEMPTS, Scope};
    let Some(url) = crate::harness::fresh_database(kind).await else {
        return;
    };
    // No server: this test alone works the jobs.
    let store = congdoan::open_store(&url).await.unwrap();
    congdoan::load_demo_if_empty(&store).await.unwrap();
    let scope = Scope::admin(Actor::system("test"));
    let unit = store
        .unit_by_code(&scope, congdoan_datagen::DEMO_OTHER_CDCS_CODE)
        .await
        .unwrap();
    let csv = "Họ và tên,Ngày sinh,Giới tính\nNguyễn Thị An,01/02/1990,Nữ\n";
    let job = store
        .create_import(&scope, unit.unit_id, "ds.csv", csv.as_bytes().to_vec())
        .await
        .unwrap();
    // Simulate workers that claimed it and died: attempts used up, lease run out.
    let sql = format!(
        "UPDATE import_job SET attempts = {MAX_IMPORT_ATTEMPTS}, lease_until = NULL WHERE job_id = {}",
        job.job_id
    );
    crate::harness::exec_on(&url, &sql).await.unwrap();
    let today = congdoan_web::today();
    let worked = store
        .work_imports(None, false, today, &mut |_| {})
        .await
        .unwrap();
    assert!(worked.is_none(), "an exhausted job is not claimed again");
    let j = store.import_job(&scope, job.job_id).await.unwrap();
    assert_eq!(j.state, "failed");
    assert!(
        j.error.as_deref().unwrap_or("").contains("3 lần"),
        "{:?}",
        j.error
    );
    // A fresh job is claimed (one attempt) and analysed.
    let ok = store
        .create_import(&scope, unit.unit_id, "ds2.csv", csv.as_bytes().to_vec())
        .await
        .unwrap();
    let done = store
        .work_imports(None, false, today, &mut |_| {})
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(done.job_id, ok.job_id);
    assert_eq!(done.state, "ready");
    // The signature block under the list is not read as members (nor as bad rows).
    let signed = "Họ và tên,Ngày sinh,Giới tính\n\
                  Nguyễn Thị An,01/02/1990,Nữ\n\
                  Trần Văn Bình,03/04/1985,Nam\n\
                  Tổng cộng: 2 đoàn viên,,\n\
                  ,,\n\
                  NGƯỜI LẬP BIỂU,,THỦ TRƯỞNG ĐƠN VỊ\n\
                  ,,(Ký và ghi rõ họ tên)\n\
                  Lê Thị Thu,,Phạm Văn Duyệt\n";
    let sj = store
        .create_import(&scope, unit.unit_id, "ky.csv", signed.as_bytes().to_vec())
        .await
        .unwrap();
    let j = store
        .work_imports(Some(sj.job_id), false, today, &mut |_| {})
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(j.state, "ready");
    assert_eq!((j.valid_rows, j.rejected_rows), (2, 0), "{j:?}");
    // A line of 5,000 fields fails its analysis with the limit named.
    let wide = format!("Họ và tên,Ngày sinh\n{}\n", "a,".repeat(5_000));
    let bad = store
        .create_import(&scope, unit.unit_id, "wide.csv", wide.into_bytes())
        .await
        .unwrap();
    let j = store
        .work_imports(Some(bad.job_id), false, today, &mut |_| {})
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(j.state, "failed");
    assert!(
        j.error.as_deref().unwrap_or("").contains("1.000 cột"),
        "{:?}",
        j.error
    );
}

crate::both_engines!(a_poison_job_is_given_up_and_a_hostile_file_names_its_limit);

/// Rejected rows keep the CCCD and phone as typed: in full for the CĐCS's officer (the
/// view is audited), masked for its viewer, in the API and in the rejected-rows file.
async fn rejected_rows_mask_personal_data_for_viewers(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let scope = app.admin_scope();
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    // A CCCD of 11 digits and a phone that is not Vietnamese: both rejected.
    let csv = "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Điện thoại\n\
               Nguyễn Thị An,01/02/1990,Nữ,01234567890,0912345678\n\
               Trần Văn Bình,03/04/1985,Nam,001085012345,12345678901\n";
    let job = app
        .store()
        .create_import(&scope, unit, "ds.csv", csv.as_bytes().to_vec())
        .await
        .unwrap();
    let mut state = String::new();
    for _ in 0..100 {
        state = app
            .store()
            .import_job(&scope, job.job_id)
            .await
            .unwrap()
            .state;
        if state != "analysing" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(state, "ready");
    let path = format!("/api/v1/imports/{}/rejects", job.job_id);
    let officer = app.token("cdcs.officer").await;
    let (s, full) = officer.get(&path).await;
    assert_eq!(s, 200, "{full}");
    let full = full.to_string();
    assert!(full.contains("01234567890"), "{full}");
    assert!(full.contains("12345678901"), "{full}");
    let viewer = app.token("cdcs.viewer").await;
    let (s, masked) = viewer.get(&path).await;
    assert_eq!(s, 200, "{masked}");
    let masked = masked.to_string();
    assert!(!masked.contains("01234567890"), "{masked}");
    assert!(!masked.contains("12345678901"), "{masked}");
    assert!(masked.contains("012*****890"), "{masked}");
    // The names and the reasons stay readable.
    assert!(masked.contains("Nguyễn Thị An"), "{masked}");
    // The officer's full view is in the audit log; the viewer's masked one reveals nothing.
    let log = app
        .store()
        .audit_log(
            &scope,
            &congdoan_store::AuditQuery {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let views: Vec<_> = log
        .iter()
        .filter(|e| e.action == "view_personal_data" && e.entity == "import_job")
        .collect();
    assert_eq!(views.len(), 1, "one audited full view");
    assert_eq!(views[0].username, "cdcs.officer");
}

crate::both_engines!(rejected_rows_mask_personal_data_for_viewers);

/// Uploaded files do not pile up: finished jobs drop theirs, an import left
/// unconfirmed expires after a week, and a unit's waiting files have a quota.
async fn uploads_expire_and_have_a_quota(kind: Kind) {
    use congdoan_store::{Actor, Scope, UNCONFIRMED_DAYS};
    let Some(url) = crate::harness::fresh_database(kind).await else {
        return;
    };
    let store = congdoan::open_store(&url).await.unwrap();
    congdoan::load_demo_if_empty(&store).await.unwrap();
    let scope = Scope::admin(Actor::system("test"));
    let unit = store
        .unit_by_code(&scope, congdoan_datagen::DEMO_OTHER_CDCS_CODE)
        .await
        .unwrap();
    let today = congdoan_web::today();
    let csv = "Họ và tên,Ngày sinh,Giới tính\nNguyễn Thị An,01/02/1990,Nữ\n";
    let new_job = || async {
        let j = store
            .create_import(&scope, unit.unit_id, "ds.csv", csv.as_bytes().to_vec())
            .await
            .unwrap();
        store
            .work_imports(Some(j.job_id), false, today, &mut |_| {})
            .await
            .unwrap()
            .unwrap()
    };
    let files = || async {
        crate::harness::exec_on(&url, "UPDATE import_file SET job_id = job_id")
            .await
            .unwrap()
    };
    let fresh = new_job().await;
    let stale = new_job().await;
    let cancelled = new_job().await;
    store
        .cancel_import(&scope, cancelled.job_id, cancelled.version)
        .await
        .unwrap();
    assert_eq!(files().await, 2, "a cancelled job drops its file at once");
    // One preview left alone for longer than the limit.
    let old = (time::OffsetDateTime::now_utc() - time::Duration::days(UNCONFIRMED_DAYS + 1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let set_old = if url.starts_with("sqlite:") {
        format!(
            "UPDATE import_job SET updated_at = '{}' WHERE job_id = {}",
            old.replace('T', " ").trim_end_matches('Z'),
            stale.job_id
        )
    } else {
        format!(
            "UPDATE import_job SET updated_at = '{old}' WHERE job_id = {}",
            stale.job_id
        )
    };
    crate::harness::exec_on(&url, &set_old).await.unwrap();
    store.expire_import_files().await.unwrap();
    let s = store.import_job(&scope, stale.job_id).await.unwrap();
    assert_eq!(s.state, "cancelled");
    assert!(s.error.unwrap_or_default().contains("Hết hạn"));
    assert_eq!(
        store.import_job(&scope, fresh.job_id).await.unwrap().state,
        "ready"
    );
    assert_eq!(files().await, 1, "only the fresh preview keeps its file");
    // The quota: pretend the waiting file is huge, then upload once more.
    crate::harness::exec_on(
        &url,
        &format!(
            "UPDATE import_job SET file_size = {} WHERE job_id = {}",
            congdoan_store::UNIT_UPLOAD_QUOTA,
            fresh.job_id
        ),
    )
    .await
    .unwrap();
    let e = store
        .create_import(&scope, unit.unit_id, "ds3.csv", csv.as_bytes().to_vec())
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("1024 MB") || format!("{e:?}").contains("IM0103"),
        "{e:?}"
    );
}

crate::both_engines!(uploads_expire_and_have_a_quota);
