//! `congdoan import`: the same background job as the web upload, run in the
//! foreground with a progress line: analyse, show the problems, and (with `--yes`)
//! import the valid rows. `--resume` continues a job whose process died.

use crate::open_store;
use anyhow::{Context, bail};
use congdoan_domain::Lang;
use congdoan_store::{Actor, ImportJob, ImportState, Scope, Store, StoreError};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// What the command was asked to do.
#[derive(Debug, Clone)]
pub enum ImportAction {
    /// A new file for the unit with this code.
    File {
        unit: String,
        file: PathBuf,
        yes: bool,
    },
    /// Import a job that was analysed before.
    Confirm(i64),
    /// Take over a job whose worker died (a SIGKILL, a power cut) and finish it.
    Resume(i64),
    /// Remove what a finished job added.
    Undo(i64),
}

fn err(e: StoreError) -> anyhow::Error {
    match &e {
        StoreError::Rule {
            message_vi, code, ..
        } => anyhow::anyhow!("{message_vi} ({code})"),
        other => anyhow::anyhow!("{other} ({})", other.code()),
    }
}

/// Prints one progress line in place: "Đang nhập 45.000 / 100.000 (45 %) — 120.000 dòng/giây".
fn progress_line(started: Instant) -> impl FnMut(&ImportJob) + Send {
    move |j: &ImportJob| {
        let secs = started.elapsed().as_secs_f64().max(0.001);
        let int = |n: i64| congdoan_domain::money::format_int(n);
        let line = match j.state() {
            ImportState::Analysing => format!(
                "Đang đọc tệp: {} dòng — {} dòng/giây",
                int(j.progress),
                int((j.progress as f64 / secs) as i64)
            ),
            _ => format!(
                "Đang nhập {} / {} ({} %) — {} dòng/giây",
                int(j.imported),
                int(j.valid_rows),
                j.percent().unwrap_or(0),
                int((j.imported as f64 / secs) as i64)
            ),
        };
        print!("\r{line}   ");
        let _ = std::io::stdout().flush();
    }
}

async fn run_phase(store: &Store, job: i64, force: bool) -> anyhow::Result<ImportJob> {
    let today = congdoan_web::today();
    let mut progress = progress_line(Instant::now());
    let j = store
        .work_imports(Some(job), force, today, &mut progress)
        .await
        .map_err(err)?
        .with_context(|| {
            format!("lần nhập {job} không có việc gì để chạy (đang chạy ở tiến trình khác?)")
        })?;
    println!();
    Ok(j)
}

fn summary(store_job: &ImportJob) {
    let int = congdoan_domain::money::format_int;
    println!(
        "Lần nhập {}: {} — {} dòng dữ liệu, {} hợp lệ, {} lỗi, {} đã nhập.",
        store_job.job_id,
        store_job.state().label(Lang::Vi),
        int(store_job.total_rows),
        int(store_job.valid_rows),
        int(store_job.rejected_rows),
        int(store_job.imported)
    );
    if let Some(e) = &store_job.error {
        println!("Lỗi: {e}");
    }
}

async fn print_rejects(store: &Store, scope: &Scope, job: i64) -> anyhow::Result<()> {
    let rows = store.import_rejects(scope, job, 0, 20).await.map_err(err)?;
    for r in &rows {
        for p in &r.problems {
            println!("  dòng {}: {} [{}]", r.row_no, p.message_vi, p.value);
        }
    }
    Ok(())
}

pub async fn run(database_url: &str, action: ImportAction) -> anyhow::Result<()> {
    let store = open_store(database_url).await?;
    let scope = Scope::admin(Actor::system("cli"));
    let (job, import) = match action {
        ImportAction::File { unit, file, yes } => {
            let u = store
                .unit_by_code(&scope, &unit)
                .await
                .with_context(|| format!("không có đơn vị mã {unit}"))?;
            let bytes = std::fs::read(&file).with_context(|| format!("đọc {}", file.display()))?;
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("tep")
                .to_string();
            let job = store
                .create_import(&scope, u.unit_id, &name, bytes)
                .await
                .map_err(err)?;
            let j = run_phase(&store, job.job_id, false).await?;
            summary(&j);
            if j.state() != ImportState::Ready {
                bail!("không nhập được tệp {}", file.display());
            }
            print_rejects(&store, &scope, j.job_id).await?;
            if !yes {
                println!(
                    "Chưa nhập gì. Để nhập {} dòng hợp lệ: congdoan import --confirm {}",
                    j.valid_rows, j.job_id
                );
                return Ok(());
            }
            (j, true)
        }
        ImportAction::Confirm(id) => (store.import_job(&scope, id).await.map_err(err)?, true),
        ImportAction::Resume(id) => {
            let j = run_phase(&store, id, true).await?;
            summary(&j);
            return Ok(());
        }
        ImportAction::Undo(id) => {
            let j = store.import_job(&scope, id).await.map_err(err)?;
            let j = store
                .undo_import(&scope, id, j.version)
                .await
                .map_err(err)?;
            summary(&j);
            return Ok(());
        }
    };
    if import {
        let j = store
            .confirm_import(&scope, job.job_id, job.version)
            .await
            .map_err(err)?;
        println!(
            "Lần nhập {} (tiếp tục sau sự cố: congdoan import --resume {})",
            j.job_id, j.job_id
        );
        let j = run_phase(&store, j.job_id, false).await?;
        summary(&j);
        if j.state() != ImportState::Done {
            bail!("lần nhập {} chưa xong", j.job_id);
        }
    }
    Ok(())
}
