//! The `congdoan` binary's commands, run as a user would.

use crate::harness::{Browser, Kind, fresh_database};
use std::io::Write;
use std::process::{Command, Stdio};

fn congdoan(args: &[&str], url: &str, stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_congdoan"))
        .args(args)
        .env("CONGDOAN_DATABASE_URL", url)
        .env("CONGDOAN_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("congdoan runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("finishes");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_then_add_a_user_who_can_log_in() {
    let url = fresh_database(Kind::Sqlite).await.expect("sqlite");
    let (ok, out) = congdoan(&["migrate"], &url, "");
    assert!(ok, "{out}");
    assert!(out.contains("sqlite"), "{out}");
    // Too short a password is refused, in Vietnamese, and nothing is created.
    let (ok, out) = congdoan(
        &["user", "add", "--username", "chutich", "--name", "Chủ tịch"],
        &url,
        "ngan\n",
    );
    assert!(!ok);
    assert!(out.contains("Mật khẩu: cần ít nhất 10 ký tự"), "{out}");
    // An unknown unit is named.
    let (ok, out) = congdoan(
        &[
            "user",
            "add",
            "--username",
            "chutich",
            "--name",
            "Chủ tịch",
            "--unit",
            "KHONG-CO",
            "--role",
            "officer",
        ],
        &url,
        "mat-khau-dai-du\n",
    );
    assert!(!ok);
    assert!(out.contains("KHONG-CO"), "{out}");
    let (ok, out) = congdoan(
        &[
            "user",
            "add",
            "--username",
            "quantri",
            "--name",
            "Quản trị viên",
            "--admin",
        ],
        &url,
        "mat-khau-dai-du\n",
    );
    assert!(ok, "{out}");
    // The same username twice is refused.
    let (ok, _) = congdoan(
        &[
            "user",
            "add",
            "--username",
            "quantri",
            "--name",
            "X",
            "--admin",
        ],
        &url,
        "mat-khau-dai-du\n",
    );
    assert!(!ok);
    // The account works through the web server on the same database.
    let app = crate::harness::TestApp::spawn_on(&url, false).await;
    let b = Browser::new(&app.base);
    let r = b.login("quantri", "mat-khau-dai-du").await;
    assert_eq!(r.url().path(), "/todo");
    let (ok, token) = congdoan(&["user", "token", "--username", "quantri"], &url, "");
    assert!(ok);
    let me: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token.trim())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "quantri");
    assert_eq!(me["is_admin"], true);
}

crate::both_engines!(gen_data_builds_a_country_an_admin_can_browse);

/// `congdoan gen-data` fills an empty database with a synthetic country: the national
/// dashboard counts exactly the members asked for, the 34 provincial federations are
/// under the root, a generated person is found by name without accents, and a second
/// run on the same database is refused without touching it.
async fn gen_data_builds_a_country_an_admin_can_browse(kind: Kind) {
    let Some(url) = fresh_database(kind).await else {
        return;
    };
    let (ok, out) = congdoan(&["gen-data", "--members", "3000", "--seed", "7"], &url, "");
    assert!(ok, "{out}");
    assert!(out.contains("3.000"), "progress names the total: {out}");
    let app = crate::harness::TestApp::spawn_on(&url, false).await;
    let api = app.token("admin").await;
    let (s, roots) = api.get("/api/v1/units").await;
    assert_eq!(s, 200, "{roots}");
    let root = roots
        .as_array()
        .and_then(|a| a.iter().find(|u| u["code"] == "TLD"))
        .unwrap_or_else(|| panic!("TLD among {roots}"))
        .clone();
    let (_, d) = api
        .get(&format!("/api/v1/dashboard?unit_id={}", root["unit_id"]))
        .await;
    let all: i64 = d["members_by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["n"].as_i64().unwrap())
        .sum();
    assert_eq!(all, 3000, "{d}");
    let provinces = d["units_by_type"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "LDLD_TINH")
        .map(|c| c["n"].as_i64().unwrap());
    assert_eq!(provinces, Some(34), "{d}");
    // Someone generated is found by the folded form of their name.
    let (_, page) = api.get("/api/v1/members?per_page=1").await;
    let name = page["items"][0]["full_name"].as_str().unwrap().to_string();
    let folded = congdoan_domain::text::fold(&name);
    let (_, found) = api
        .get(&format!(
            "/api/v1/members?per_page=200&q={}",
            folded.replace(' ', "%20")
        ))
        .await;
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["full_name"] == name.as_str()),
        "{name} not found as {folded}: {found}"
    );
    // Not twice.
    let (ok, out) = congdoan(&["gen-data", "--members", "10"], &url, "");
    assert!(!ok);
    assert!(out.contains("đã có dữ liệu"), "{out}");
}

crate::both_engines!(a_generated_file_imports_into_the_generated_tree);

/// The generator writes the members as an xlsx file the way unions hold them; with
/// the tree loaded alone, `congdoan import` puts every row back in its tổ or CĐCS.
async fn a_generated_file_imports_into_the_generated_tree(kind: Kind) {
    let Some(url) = fresh_database(kind).await else {
        return;
    };
    let file = std::env::temp_dir().join(format!(
        "congdoan-gen-{}-{:?}.xlsx",
        std::process::id(),
        kind
    ));
    let f = file.to_string_lossy().to_string();
    let (ok, out) = congdoan(
        &["gen-data", "--members", "1500", "--seed", "3", "--file", &f],
        &url,
        "",
    );
    assert!(ok, "{out}");
    let (ok, out) = congdoan(
        &[
            "gen-data",
            "--members",
            "1500",
            "--seed",
            "3",
            "--units-only",
        ],
        &url,
        "",
    );
    assert!(ok, "{out}");
    let (ok, out) = congdoan(
        &["import", "--unit", "TLD", "--file", &f, "--yes"],
        &url,
        "",
    );
    assert!(ok, "{out}");
    assert!(out.contains("1.500 hợp lệ, 0 lỗi"), "{out}");
    assert!(out.contains("Đã nhập xong"), "{out}");
    let app = crate::harness::TestApp::spawn_on(&url, false).await;
    let scope = app.admin_scope();
    let root = app.unit_id("TLD").await;
    let d = app
        .store()
        .dashboard(&scope, Some(root), congdoan_web::today())
        .await
        .unwrap();
    assert_eq!(d.members_by_status.iter().map(|c| c.n).sum::<i64>(), 1500);
    // Importing the same file again: every row is a stored CCCD, nothing is imported.
    let (ok, out) = congdoan(&["import", "--unit", "TLD", "--file", &f], &url, "");
    assert!(ok, "{out}");
    assert!(out.contains("0 hợp lệ, 1.500 lỗi"), "{out}");
    assert!(out.contains("đã có trong hệ thống"), "{out}");
    let _ = std::fs::remove_file(&file);
}
