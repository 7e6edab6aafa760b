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
    assert!(out.contains("Mật khẩu phải có ít nhất 8 ký tự"), "{out}");
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
    assert_eq!(r.url().path(), "/");
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
