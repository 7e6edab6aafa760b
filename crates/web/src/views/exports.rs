//! Member lists as files: CSV streamed page by page (UTF-8 with BOM, as Excel wants),
//! xlsx written in constant memory on a blocking thread, then sent. Headers use the
//! import's own column names, so an exported file imports again unchanged.

use crate::auth::CurrentUser;
use crate::{AppError, AppState, Tr};
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use congdoan_domain::member::MemberStatus;
use congdoan_sheet::{Cell, CsvExport, XlsxExport};
use congdoan_store::{ExportCursor, ExportQuery, ExportRow, Store};
use serde::Deserialize;
use std::sync::{Arc, Mutex};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/members/export.csv", get(export_csv))
        .route("/members/export.xlsx", get(export_xlsx))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExportParams {
    unit: Option<i64>,
    status: String,
    /// The member list's filters (see `members::MembersQuery`).
    q: String,
    sex: String,
    age: String,
    sector: String,
    ownership: String,
    party: String,
}

const HEADERS: [&str; 15] = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Số điện thoại",
    "Dân tộc",
    "Chức vụ",
    "Số thẻ đoàn viên",
    "Ngày vào công đoàn",
    "Đảng viên",
    "Trạng thái",
    "Mã đơn vị",
    "Đơn vị",
    "Công đoàn cơ sở",
];

fn cells(n: u64, r: &ExportRow, tr: Tr) -> Vec<Cell> {
    let text = |s: &Option<String>| s.clone().map(Cell::Text).unwrap_or(Cell::Empty);
    vec![
        Cell::Number(n as f64),
        Cell::Text(r.full_name.clone()),
        Cell::Date(r.birth_date),
        Cell::Text(tr.sex(&r.sex)),
        text(&r.cccd),
        text(&r.phone),
        text(&r.ethnicity),
        text(&r.job_title),
        text(&r.card_no),
        r.join_date.map(Cell::Date).unwrap_or(Cell::Empty),
        if r.party_member {
            Cell::Text("x".into())
        } else {
            Cell::Empty
        },
        Cell::Text(tr.status(&r.status)),
        Cell::Text(r.unit_code.clone()),
        Cell::Text(r.unit_name.clone()),
        Cell::Text(r.cdcs_name.clone()),
    ]
}

/// A sector or ownership filter: "-" stands for "not recorded".
fn field(v: &str) -> Option<String> {
    match v.trim() {
        "" => None,
        "-" => Some(String::new()),
        v => Some(v.to_string()),
    }
}

async fn start(
    st: &AppState,
    user: &CurrentUser,
    q: &ExportParams,
) -> Result<ExportCursor, AppError> {
    let unit_id = q.unit.ok_or_else(|| {
        AppError::invalid(
            "unit",
            "EX0101",
            "Chọn đơn vị cần xuất danh sách.",
            "Choose the unit to export.",
        )
    })?;
    Ok(st
        .store
        .start_member_export(
            &user.scope,
            &ExportQuery {
                unit_id,
                status: MemberStatus::parse(q.status.trim()).ok(),
                filters: congdoan_store::MemberQuery {
                    q: Some(q.q.clone()).filter(|t| !t.trim().is_empty()),
                    sex: Some(q.sex.trim().to_uppercase()).filter(|s| s == "M" || s == "F"),
                    birth_years: congdoan_store::birth_years_of_band(
                        q.age.trim(),
                        crate::today().year(),
                    ),
                    sector: field(&q.sector),
                    ownership: field(&q.ownership),
                    party: q.party.trim() == "1",
                    ..Default::default()
                },
            },
        )
        .await?)
}

/// "danh-sach-doan-vien-<folded unit name>.<ext>"
fn file_name(unit: &str, ext: &str) -> String {
    let folded: String = congdoan_domain::text::fold(unit)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug: Vec<&str> = folded.split('-').filter(|s| !s.is_empty()).collect();
    format!("danh-sach-doan-vien-{}.{ext}", slug.join("-"))
}

fn attachment(content_type: &str, name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A `Write` whose bytes the streaming task takes after each page.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

async fn export_csv(
    State(st): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<ExportParams>,
) -> Result<Response, AppError> {
    super::refuse_cross_site(&headers)?;
    let cursor = start(&st, &user, &q).await?;
    let name = file_name(&cursor.unit_name, "csv");
    let tr = user.tr();
    let buf = Shared::default();
    let mut csv = CsvExport::new(buf.clone(), &HEADERS)
        .map_err(|e| AppError::BadRequest(e.message(tr.lang)))?;
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(2);
    let store: Store = st.store.clone();
    tokio::spawn(async move {
        let mut cursor = cursor;
        let mut n = 0u64;
        let _ = tx.send(Ok(buf.take())).await;
        loop {
            let page = match store.next_export_page(&mut cursor).await {
                Ok(p) => p,
                Err(e) => {
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            };
            if page.is_empty() {
                break;
            }
            for r in &page {
                n += 1;
                if let Err(e) = csv.write_row(&cells(n, r, tr)) {
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            }
            if tx.send(Ok(buf.take())).await.is_err() {
                return; // the client went away
            }
        }
        let _ = csv.finish();
        let _ = tx.send(Ok(buf.take())).await;
    });
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) });
    Ok(attachment(
        "text/csv; charset=utf-8",
        &name,
        Body::from_stream(stream),
    ))
}

async fn export_xlsx(
    State(st): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<ExportParams>,
) -> Result<Response, AppError> {
    super::refuse_cross_site(&headers)?;
    let mut cursor = start(&st, &user, &q).await?;
    let name = file_name(&cursor.unit_name, "xlsx");
    let tr = user.tr();
    let tmp = std::env::temp_dir().join(format!(
        "congdoan-export-{}-{}.xlsx",
        std::process::id(),
        crate::auth::new_token()
    ));
    // Pages go to a blocking thread that writes the workbook in constant memory.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<ExportRow>>(2);
    let path = tmp.clone();
    let sheet = tr.s("Đoàn viên", "Members").to_string();
    let writer = tokio::task::spawn_blocking(move || -> Result<u64, String> {
        let mut x = XlsxExport::create(&path, &sheet, &HEADERS).map_err(|e| e.message(tr.lang))?;
        let mut n = 0u64;
        while let Some(page) = rx.blocking_recv() {
            for r in &page {
                n += 1;
                x.write_row(&cells(n, r, tr))
                    .map_err(|e| e.message(tr.lang))?;
            }
        }
        x.finish().map_err(|e| e.message(tr.lang))
    });
    loop {
        let page = st.store.next_export_page(&mut cursor).await?;
        if page.is_empty() || tx.send(page).await.is_err() {
            break;
        }
    }
    drop(tx);
    let written = writer
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if let Err(m) = written {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(AppError::BadRequest(m));
    }
    let file = tokio::fs::File::open(&tmp)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // Unlinked now, the open file stays readable until the response has sent it.
    let _ = tokio::fs::remove_file(&tmp).await;
    let stream = futures_util::stream::unfold(file, |mut f| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    });
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
        Body::from_stream(stream),
    ))
}
