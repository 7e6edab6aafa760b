//! Requests as PDF in the administrative layout (ND 30/2020): a directive with its
//! implementation board, a report's roll-up at a level, or one unit's submission —
//! typeset by `congdoan-pdf` on a blocking thread.

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use congdoan_domain::request::{Rates, RequestKind, doc_type_name, percent};
use congdoan_pdf::{AdminDoc, Align, Block, Column, Signature, Table};
use congdoan_store::{Request, Store, Unit};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/requests/{id}/export.pdf", get(export_pdf))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PdfQuery {
    /// The level of the board or roll-up (the issuer when absent).
    level: Option<i64>,
    /// One unit's own submission instead of a roll-up.
    unit: Option<i64>,
}

fn col(title: &str, align: Align, width: Option<f32>) -> Column {
    Column {
        title: title.into(),
        align,
        width,
    }
}

/// "An Giang" from the unit's province ("Tỉnh An Giang").
pub(super) fn place(u: &Unit) -> String {
    u.province_code
        .and_then(congdoan_domain::divisions::province)
        .map(|p| {
            p.name
                .trim_start_matches("Tỉnh ")
                .trim_start_matches("Thành phố ")
                .to_string()
        })
        .unwrap_or_else(|| "Hà Nội".into())
}

/// The header lines: the unit above (if the caller reads it) and the unit itself.
async fn header_of(store: &Store, user: &CurrentUser, unit: &Unit) -> (Option<String>, String) {
    let parent = store
        .ancestors(&user.scope, unit)
        .await
        .ok()
        .and_then(|a| a.last().map(|p| p.name.to_uppercase()));
    (parent, unit.name.to_uppercase())
}

fn rates_line(r: &Rates) -> String {
    format!(
        "Đã nhận {}/{} ({}), đúng hạn {} ({}); trả lại {}; đã duyệt {}.",
        r.received,
        r.expected,
        r.completeness(),
        r.on_time,
        r.timeliness(),
        r.returned,
        r.approved
    )
}

async fn export_pdf(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PdfQuery>,
) -> Result<Response, AppError> {
    let store = &st.store;
    let detail = store.request(&user.scope, id).await?;
    let r: &Request = &detail.request;
    let today = crate::today();
    let doc = match (r.kind(), q.unit) {
        (RequestKind::Report, Some(unit_id)) => {
            let target = store.request_target(&user.scope, id, unit_id).await?;
            let unit = store.unit(&user.scope, unit_id).await?;
            let form = store.report_request_form(r).await?;
            let (values, _) =
                congdoan_store::stored_values(&form, target.response_values.as_deref());
            let rows: Vec<Vec<String>> = form
                .fields()
                .enumerate()
                .map(|(i, f)| {
                    let v = values
                        .get(f.key)
                        .map(|v| form.display(f.key, v))
                        .unwrap_or_default();
                    vec![(i + 1).to_string(), f.label.to_string(), v]
                })
                .collect();
            let (parent, issuer) = header_of(store, &user, &unit).await;
            AdminDoc {
                parent_org: parent,
                issuer,
                number: None,
                place: place(&unit),
                date: target.responded_at.map(|t| t.date()).unwrap_or(today),
                kind_title: Some("BÁO CÁO".into()),
                title: r.title.clone(),
                blocks: vec![
                    Block::KeyValues(vec![
                        ("Kính gửi".into(), r.issuer_name.clone()),
                        ("Trạng thái".into(), target.state().name_vi().into()),
                    ]),
                    Block::Table(Table {
                        columns: vec![
                            col("STT", Align::Center, None),
                            col("Chỉ tiêu", Align::Left, Some(3.0)),
                            col("Số liệu", Align::Right, Some(1.0)),
                        ],
                        rows,
                        total: None,
                    }),
                ],
                recipients: vec![r.issuer_name.clone(), "Lưu VT.".into()],
                signature: Some(Signature {
                    on_behalf: Some("TM. BAN CHẤP HÀNH".into()),
                    role: "CHỦ TỊCH".into(),
                    name: store.chair_name(unit_id).await?.unwrap_or_default(),
                }),
                landscape: false,
                footer_note: Some(format!(
                    "Xuất từ congdoan ngày {}",
                    congdoan_domain::format_vn_date(today)
                )),
            }
        }
        (RequestKind::Report, None) => {
            let level = store
                .unit(&user.scope, q.level.unwrap_or(r.issuer_unit_id))
                .await?;
            let roll = store
                .report_rollup(&user.scope, id, Some(level.unit_id))
                .await?;
            let rows: Vec<Vec<String>> = roll
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| vec![(i + 1).to_string(), c.label.clone(), c.text.clone()])
                .collect();
            let (parent, issuer) = header_of(store, &user, &level).await;
            AdminDoc {
                parent_org: parent,
                issuer,
                number: None,
                place: place(&level),
                date: today,
                kind_title: Some("BÁO CÁO TỔNG HỢP".into()),
                title: r.title.clone(),
                blocks: vec![
                    Block::Paragraph(format!(
                        "Số liệu tổng hợp từ báo cáo của các đơn vị trực thuộc {}. {}",
                        level.name,
                        rates_line(&roll.rates)
                    )),
                    Block::Table(Table {
                        columns: vec![
                            col("STT", Align::Center, None),
                            col("Chỉ tiêu", Align::Left, Some(3.0)),
                            col("Tổng hợp", Align::Right, Some(1.0)),
                        ],
                        rows,
                        total: None,
                    }),
                ],
                recipients: vec!["Như trên".into(), "Lưu VT.".into()],
                signature: Some(Signature {
                    on_behalf: Some("TM. BAN THƯỜNG VỤ".into()),
                    role: "CHỦ TỊCH".into(),
                    name: store.chair_name(level.unit_id).await?.unwrap_or_default(),
                }),
                landscape: false,
                footer_note: Some(format!(
                    "Xuất từ congdoan ngày {}",
                    congdoan_domain::format_vn_date(today)
                )),
            }
        }
        (_, _) => {
            let issuer = store.unit(&user.scope, r.issuer_unit_id).await?;
            let board = store.request_board(&user.scope, id, q.level).await?;
            let mut blocks: Vec<Block> =
                r.body.iter().map(|b| Block::Paragraph(b.clone())).collect();
            blocks.push(Block::Heading(format!(
                "TÌNH HÌNH TRIỂN KHAI (đến ngày {})",
                congdoan_domain::format_vn_date(today)
            )));
            blocks.push(Block::Paragraph(format!(
                "{}: đã tiếp nhận {}/{} ({}), đã báo cáo thực hiện {} ({}).",
                board.level.name,
                board.rates.acknowledged,
                board.rates.expected,
                percent(board.rates.acknowledged, board.rates.expected),
                board.rates.received,
                board.rates.completeness()
            )));
            let rows: Vec<Vec<String>> = board
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    vec![
                        (i + 1).to_string(),
                        row.name.clone(),
                        row.rates.expected.to_string(),
                        row.rates.acknowledged.to_string(),
                        row.rates.received.to_string(),
                        (row.rates.expected - row.rates.on_time).to_string(),
                    ]
                })
                .collect();
            blocks.push(Block::Table(Table {
                columns: vec![
                    col("STT", Align::Center, None),
                    col("Đơn vị", Align::Left, Some(3.0)),
                    col("Phải nhận", Align::Right, Some(1.0)),
                    col("Đã tiếp nhận", Align::Right, Some(1.0)),
                    col("Đã báo cáo", Align::Right, Some(1.0)),
                    col("Chưa đúng hạn", Align::Right, Some(1.0)),
                ],
                rows,
                total: Some(vec![
                    String::new(),
                    "Tổng cộng".into(),
                    board.rates.expected.to_string(),
                    board.rates.acknowledged.to_string(),
                    board.rates.received.to_string(),
                    (board.rates.expected - board.rates.on_time).to_string(),
                ]),
            }));
            let (parent, issuer_name) = header_of(store, &user, &issuer).await;
            AdminDoc {
                parent_org: parent,
                issuer: issuer_name,
                number: r.doc_number.clone(),
                place: place(&issuer),
                date: r.issued_on,
                kind_title: r
                    .doc_type
                    .as_deref()
                    .and_then(doc_type_name)
                    .filter(|t| *t != "Công văn")
                    .map(str::to_uppercase),
                title: r.title.clone(),
                blocks,
                recipients: vec!["Các đơn vị nhận văn bản".into(), "Lưu VT.".into()],
                signature: Some(Signature {
                    on_behalf: Some("TM. BAN THƯỜNG VỤ".into()),
                    role: "CHỦ TỊCH".into(),
                    name: store.chair_name(issuer.unit_id).await?.unwrap_or_default(),
                }),
                landscape: false,
                footer_note: Some(format!(
                    "Xuất từ congdoan ngày {}",
                    congdoan_domain::format_vn_date(today)
                )),
            }
        }
    };
    let bytes = tokio::task::spawn_blocking(move || congdoan_pdf::render(&doc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| {
            AppError::invalid(
                "pdf",
                e.code(),
                &e.message(congdoan_domain::Lang::Vi),
                &e.message(congdoan_domain::Lang::En),
            )
        })?;
    let name = format!("yeu-cau-{id}.pdf");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
