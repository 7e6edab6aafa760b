//! Rewards (khen thưởng): the catalogue, periodic evaluations with a quota (nominate
//! with the member picker, decide through a confirmation restating count, quota and
//! total), the numbered reward decision and its payout list (danh sách chi) as xlsx
//! and PDF, with the total in figures and in words. Every rule is the store's.

use super::confirm::{ConfirmPage, Impact, confirmed, hidden};
use super::forms::{ascii_name, xlsx_response};
use super::pick::{self, FormState, Pairs};
use super::units::store_errors;
use super::{Chrome, PageResult, UnitParam, optional_unit, render, see_other};
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::FieldError;
use crate::forms::parse_date_req;
use crate::{AppError, AppState, today};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use congdoan_domain::money::in_words;
use congdoan_domain::request::{Period, PeriodType};
use congdoan_pdf::{AdminDoc, Align, Block, Column, Signature, Table};
use congdoan_store::{
    DecisionDetail, DecisionInput, Evaluation, EvaluationDetail, MemberQuery, NewEvaluation,
    NewNominee, RewardDecision, RewardKind, Unit,
};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rewards", get(rewards_page))
        .route("/rewards/evaluations", post(create_evaluation))
        .route("/rewards/evaluations/{id}", get(evaluation_page))
        .route("/rewards/evaluations/{id}/nominees", post(nominate))
        .route(
            "/rewards/evaluations/{id}/nominees/{member}/remove",
            post(remove_nominee),
        )
        .route("/rewards/evaluations/{id}/decide", post(decide))
        .route("/rewards/decisions/{id}", get(decision_page))
        .route("/rewards/decisions/{id}/payout.xlsx", get(payout_xlsx))
        .route("/rewards/decisions/{id}/payout.pdf", get(payout_pdf))
}

#[derive(Template)]
#[template(path = "rewards.html")]
struct RewardsPage {
    chrome: Chrome,
    unit: Option<Unit>,
    kinds: Vec<RewardKind>,
    evaluations: Vec<Evaluation>,
    decisions: Vec<RewardDecision>,
    can_write: bool,
    period_default: String,
    /// The code of the unit the page was opened for (the form's default).
    unit_code: String,
    /// The cadences an evaluation may have (code, Vietnamese name).
    period_types: Vec<(&'static str, &'static str)>,
    form: FormState,
}

async fn rewards_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    rewards_page_with(&st, &user, q.unit, FormState::default()).await
}

async fn rewards_page_with(
    st: &AppState,
    user: &CurrentUser,
    unit: Option<i64>,
    mut form: FormState,
) -> PageResult {
    form.lang = user.lang;
    let tr = user.tr();
    let unit = optional_unit(st, user, unit).await?;
    let uid = unit.as_ref().map(|u| u.unit_id);
    let kinds = st.store.reward_kinds(&user.scope).await?;
    let evaluations = st.store.evaluations(&user.scope, uid).await?;
    let decisions = st.store.reward_decisions(&user.scope, uid).await?;
    let can_write = match &unit {
        Some(u) => user.scope.can_write(&u.path),
        None => user.scope.is_admin() || !user.scope.write_paths().is_empty(),
    };
    let errors = form.has_errors();
    let period_default = Period::containing(PeriodType::Quarter, today())
        .map(|p| p.code())
        .unwrap_or_default();
    let unit_code = unit.as_ref().map(|u| u.code.clone()).unwrap_or_default();
    let page = render(RewardsPage {
        chrome: Chrome::new(user, tr.s("Khen thưởng", "Rewards")),
        unit,
        kinds,
        evaluations,
        decisions,
        can_write,
        period_default,
        unit_code,
        period_types: [
            PeriodType::Quarter,
            PeriodType::Month,
            PeriodType::Half,
            PeriodType::Year,
        ]
        .into_iter()
        .map(|k| (k.code(), k.name_vi()))
        .collect(),
        form,
    })?;
    Ok(pick::unprocessable(page, errors))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EvaluationForm {
    unit_code: String,
    title: String,
    period_type: String,
    period: String,
    quota: String,
    reward_kind_id: String,
}

async fn create_evaluation(
    State(st): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    if pairs.iter().any(|(k, _)| k == "pick") {
        let fs = FormState::again("new-evaluation", pairs, vec![], &st, &user).await?;
        return rewards_page_with(&st, &user, None, fs).await;
    }
    let f: EvaluationForm = pick::merged(&pairs)?;
    let mut errs = vec![];
    let unit = match pick::unit_code(&st, "unit_code", &f.unit_code).await {
        Ok(u) => Some(u),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let quota = match f.quota.trim().parse::<i64>() {
        Ok(q) => Some(q),
        Err(_) => {
            errs.push(FieldError::new(
                "quota",
                "WE2301",
                &format!(
                    "phải là số người, ví dụ 12, không phải '{}'.",
                    f.quota.trim()
                ),
                &format!(
                    "must be a number of people, e.g. 12, not '{}'.",
                    f.quota.trim()
                ),
            ));
            None
        }
    };
    let kind = match f.reward_kind_id.trim().parse::<i64>() {
        Ok(k) => Some(k),
        Err(_) => {
            errs.push(FieldError::new(
                "reward_kind",
                "WE0602",
                "chọn danh hiệu hoặc hình thức khen thưởng.",
                "choose the title or award.",
            ));
            None
        }
    };
    let (Some(unit_id), Some(quota), Some(reward_kind_id)) = (unit, quota, kind) else {
        let fs = FormState::again("new-evaluation", pairs, errs, &st, &user).await?;
        return rewards_page_with(&st, &user, None, fs).await;
    };
    match st
        .store
        .create_evaluation(
            &user.scope,
            NewEvaluation {
                unit_id,
                title: f.title,
                period_type: f.period_type,
                period: f.period,
                quota,
                reward_kind_id,
            },
        )
        .await
    {
        Ok(e) => see_other(&format!("/rewards/evaluations/{}", e.evaluation_id)),
        Err(e) => {
            let errs = store_errors(e, "unit_code")?;
            let fs = FormState::again("new-evaluation", pairs, errs, &st, &user).await?;
            rewards_page_with(&st, &user, None, fs).await
        }
    }
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    chrome: Chrome,
    d: EvaluationDetail,
    kinds: Vec<RewardKind>,
    can_write: bool,
    /// Each nominee with the cash on today's date (a preview; the decision date rules).
    rows: Vec<(congdoan_store::Nominee, i64)>,
    total: i64,
    over_quota: bool,
    seq: i64,
    chair: String,
    form: FormState,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeParam {
    notice: Option<String>,
}

async fn evaluation_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let tr = user.tr();
    let notice = q.notice.as_deref().and_then(|n| match n {
        "nominated" => Some(tr.s("Đã thêm vào danh sách đề nghị.", "Nominated.")),
        "removed" => Some(tr.s("Đã bỏ khỏi danh sách đề nghị.", "Taken off the list.")),
        _ => None,
    });
    evaluation_view(
        &st,
        &user,
        id,
        FormState::default(),
        notice.map(String::from),
    )
    .await
}

async fn evaluation_view(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    mut form: FormState,
    notice: Option<String>,
) -> PageResult {
    form.lang = user.lang;
    let d = st.store.evaluation(&user.scope, id).await?;
    let unit = st.store.unit(&user.scope, d.evaluation.unit_id).await?;
    let kinds = st
        .store
        .reward_kinds(&user.scope)
        .await?
        .into_iter()
        .filter(|k| k.recipient == "individual")
        .collect();
    let day = today();
    let rows: Vec<(congdoan_store::Nominee, i64)> = d
        .nominees
        .iter()
        .map(|n| (n.clone(), n.amount_on(day)))
        .collect();
    let total = rows.iter().map(|r| r.1).sum();
    let seq = st
        .store
        .next_decision_seq(unit.unit_id, i64::from(day.year()))
        .await?;
    let chair = st.store.chair_name(unit.unit_id).await?.unwrap_or_default();
    let errors = form.has_errors();
    let page = render(EvaluationPage {
        chrome: Chrome::new(user, &d.evaluation.title),
        can_write: user.scope.can_write(&unit.path) && d.evaluation.is_draft(),
        over_quota: d.nominees.len() as i64 > d.evaluation.quota,
        d,
        kinds,
        rows,
        total,
        seq,
        chair,
        form,
        notice,
    })?;
    Ok(pick::unprocessable(page, errors))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NomineeForm {
    member: String,
    reward_kind_id: String,
    votes: String,
    note: String,
    absent_days: String,
    maternity_days: String,
    service_months: String,
    disciplined: Option<String>,
    not_registered: Option<String>,
}

/// A whole number typed in a field, or an error naming it; empty gives `None`.
fn number(raw: &str, field: &str, errs: &mut Vec<FieldError>) -> Option<u32> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "WE2302",
                &format!("phải là số nguyên không âm, không phải '{s}'."),
                &format!("must be a whole number, not '{s}'."),
            ));
            None
        }
    }
}

async fn nominate(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let ev = st.store.evaluation(&user.scope, id).await?.evaluation;
    if pairs.iter().any(|(k, v)| k == "pick" && v == "member") {
        let q = pairs
            .iter()
            .find(|(k, _)| k == "member__q")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut fs = FormState::new("nominate", pairs, vec![], user.lang);
        if !q.trim().is_empty() {
            fs.members = st
                .store
                .search_members(
                    &user.scope,
                    &MemberQuery {
                        q: Some(q),
                        unit_id: Some(ev.unit_id),
                        per_page: 20,
                        ..Default::default()
                    },
                )
                .await?
                .rows;
        }
        fs.member_search = true;
        return evaluation_view(&st, &user, id, fs, None).await;
    }
    let f: NomineeForm = pick::merged(&pairs)?;
    let mut errs = vec![];
    let absent = number(&f.absent_days, "absent_days", &mut errs).unwrap_or(0);
    let maternity = number(&f.maternity_days, "maternity_days", &mut errs).unwrap_or(0);
    let service = number(&f.service_months, "service_months", &mut errs);
    let votes = number(&f.votes, "votes", &mut errs).map(i64::from);
    let typed = f.member.trim();
    let member = match typed.strip_prefix('#').map(str::parse::<i64>) {
        Some(Ok(mid)) => st.store.member(&user.scope, mid).await.map(|m| m.member_id),
        _ => st
            .store
            .member_by_cccd_or_card(&user.scope, typed)
            .await
            .map(|m| m.member_id),
    };
    let member_id = match member {
        Ok(m) => Some(m),
        Err(_) => {
            errs.push(if typed.is_empty() {
                FieldError::new(
                    "member",
                    "WE0602",
                    "không được để trống; gõ họ tên để tìm đoàn viên.",
                    "is required; type a name to find the member.",
                )
            } else {
                FieldError::new(
                    "member",
                    "WE0631",
                    &format!("không tìm thấy đoàn viên có số CCCD hoặc số thẻ '{typed}'."),
                    &format!("no member has the CCCD or card number '{typed}'."),
                )
            });
            None
        }
    };
    let (Some(member_id), true) = (member_id, errs.is_empty()) else {
        let fs = FormState::new("nominate", pairs, errs, user.lang);
        return evaluation_view(&st, &user, id, fs, None).await;
    };
    match st
        .store
        .nominate(
            &user.scope,
            id,
            NewNominee {
                member_id,
                reward_kind_id: f.reward_kind_id.trim().parse().ok(),
                votes,
                note: Some(f.note),
                absent_days: absent,
                maternity_days: maternity,
                service_months: service,
                disciplined: f.disciplined.is_some(),
                registered: Some(f.not_registered.is_none()),
            },
        )
        .await
    {
        Ok(_) => see_other(&format!("/rewards/evaluations/{id}?notice=nominated")),
        Err(e) => {
            let errs = store_errors(e, "member")?;
            let fs = FormState::new("nominate", pairs, errs, user.lang);
            evaluation_view(&st, &user, id, fs, None).await
        }
    }
}

async fn remove_nominee(
    State(st): State<AppState>,
    Path((id, member)): Path<(i64, i64)>,
    CsrfForm(user, _pairs): CsrfForm<Pairs>,
) -> PageResult {
    st.store.remove_nominee(&user.scope, id, member).await?;
    see_other(&format!("/rewards/evaluations/{id}?notice=removed"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecideForm {
    seq: String,
    decided_on: String,
    signer_name: String,
    signer_role: String,
    issuer_abbrev: String,
}

/// Deciding: the first post answers a page restating how many people against the quota
/// and the total; the confirmed post writes the decision and opens it.
async fn decide(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let tr = user.tr();
    let f: DecideForm = super::confirm::typed(&pairs)?;
    let mut errs = vec![];
    let decided_on = parse_date_req(&f.decided_on, "decided_on", &mut errs);
    let seq = match f.seq.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push(FieldError::new(
                    "seq",
                    "WE2303",
                    &format!("phải là một số, ví dụ 12, không phải '{s}'."),
                    &format!("must be a number, e.g. 12, not '{s}'."),
                ));
                None
            }
        },
    };
    let Some(decided_on) = decided_on.filter(|_| errs.is_empty()) else {
        let fs = FormState::new("decide", pairs, errs, user.lang);
        return evaluation_view(&st, &user, id, fs, None).await;
    };
    let input = DecisionInput {
        seq,
        decided_on,
        signer_name: f.signer_name.clone(),
        signer_role: Some(f.signer_role.clone()),
        issuer_abbrev: Some(f.issuer_abbrev.clone()),
        title: None,
    };
    let go = confirmed(&pairs);
    match st
        .store
        .decide_evaluation(&user.scope, id, input, !go)
        .await
    {
        Ok((_, Some(decision_id))) => {
            see_other(&format!("/rewards/decisions/{decision_id}?notice=decided"))
        }
        Ok((plan, None)) => {
            let ev = st.store.evaluation(&user.scope, id).await?.evaluation;
            let quota = plan.quota.unwrap_or(ev.quota);
            ConfirmPage {
                chrome: Chrome::new(&user, tr.s("Xác nhận quyết định khen thưởng", "Confirm the reward decision")),
                lead: format!(
                    "{} {} — {}, {} {}.",
                    tr.s("Ra quyết định khen thưởng số", "Issue reward decision no."),
                    plan.doc_number,
                    ev.title,
                    tr.s("ngày", "dated"),
                    tr.date(decided_on)
                ),
                impacts: vec![
                    Impact::count(plan.count, &format!("{} {} {}", tr.s("người được khen thưởng, trong chỉ tiêu", "people rewarded, within the quota of"), quota, tr.s("người", "people"))),
                    Impact::line(format!(
                        "{} {} ({})",
                        tr.s("Tổng tiền thưởng:", "Total cash:"),
                        tr.vnd(plan.total_vnd),
                        in_words(plan.total_vnd)
                    )),
                    Impact::line(format!("{} {}", tr.s("Người ký:", "Signed by:"), f.signer_name.trim())),
                ],
                irreversible: vec![tr
                    .s(
                        "Sau khi ra quyết định, đợt bình xét khóa lại: không thêm, bớt người được nữa; số quyết định đã cấp không dùng lại.",
                        "Once decided, the evaluation is locked: no one can be added or removed, and the number is used.",
                    )
                    .to_string()],
                action: format!("/rewards/evaluations/{id}/decide"),
                hidden: hidden(&pairs),
                button: tr.s("Ra quyết định", "Issue the decision").to_string(),
                back: format!("/rewards/evaluations/{id}"),
            }
            .render()
        }
        Err(e) => {
            let errs = store_errors(e, "nominees")?;
            let fs = FormState::new("decide", pairs, errs, user.lang);
            evaluation_view(&st, &user, id, fs, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "reward_decision.html")]
struct DecisionPage {
    chrome: Chrome,
    d: DecisionDetail,
    total_words: String,
    notice: Option<String>,
}

async fn decision_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let tr = user.tr();
    let d = st.store.reward_decision(&user.scope, id).await?;
    let notice = q.notice.as_deref().filter(|n| *n == "decided").map(|_| {
        tr.s(
            "Đã ra quyết định khen thưởng. Tải danh sách chi để làm thủ tục chi thưởng.",
            "The reward decision is issued. Download the payout list to pay.",
        )
        .to_string()
    });
    render(DecisionPage {
        chrome: Chrome::new(
            &user,
            &format!(
                "{} {}",
                tr.s("Quyết định số", "Decision no."),
                d.decision.doc_number
            ),
        ),
        total_words: in_words(d.decision.total_vnd),
        d,
        notice,
    })
}

const PAYOUT_HEADERS: [&str; 6] = [
    "STT",
    "Họ và tên",
    "Đơn vị",
    "Danh hiệu, hình thức khen thưởng",
    "Số tiền (đồng)",
    "Ký nhận",
];

/// The payout list as xlsx: one row per line, the total in figures and in words.
async fn payout_xlsx(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let tr = user.tr();
    let d = st.store.reward_decision(&user.scope, id).await?;
    let dec = &d.decision;
    let title = format!(
        "DANH SÁCH CHI TIỀN THƯỞNG theo Quyết định số {} ngày {}",
        dec.doc_number,
        tr.date(dec.decided_on)
    );
    let sub = format!("{} — {}", dec.issuer_name, dec.title);
    let words = format!("Bằng chữ: {}", in_words(dec.total_vnd));
    let lang = tr.lang;
    let bytes = tokio::task::block_in_place(|| -> Result<Vec<u8>, AppError> {
        use congdoan_sheet::Cell as C;
        let tmp = std::env::temp_dir().join(format!(
            "congdoan-payout-{}-{}.xlsx",
            std::process::id(),
            crate::auth::new_token()
        ));
        let bad = |e: congdoan_sheet::SheetError| AppError::BadRequest(e.message(lang));
        let mut w = congdoan_sheet::XlsxExport::create(&tmp, "Danh sách chi", &PAYOUT_HEADERS)
            .map_err(bad)?
            .with_title(&[&title, &sub])
            .with_money_columns(&[4]);
        for it in &d.items {
            w.write_row(&[
                C::Number(it.line_no as f64),
                C::Text(it.recipient_name.clone()),
                C::Text(it.unit_name.clone()),
                C::Text(it.reward_name.clone()),
                C::Number(it.amount_vnd as f64),
                C::Empty,
            ])
            .map_err(bad)?;
        }
        w.write_row(&[
            C::Empty,
            C::Text("Tổng cộng".into()),
            C::Text(format!("{} người", d.items.len())),
            C::Empty,
            C::Number(dec.total_vnd as f64),
            C::Empty,
        ])
        .map_err(bad)?;
        w.write_row(&[
            C::Empty,
            C::Text(words.clone()),
            C::Empty,
            C::Empty,
            C::Empty,
            C::Empty,
        ])
        .map_err(bad)?;
        w.finish().map_err(bad)?;
        let bytes = std::fs::read(&tmp).map_err(|e| AppError::Internal(e.to_string()))?;
        let _ = std::fs::remove_file(&tmp);
        Ok(bytes)
    })?;
    Ok(xlsx_response(
        &format!("danh-sach-chi-{}.xlsx", ascii_name(&dec.doc_number)),
        bytes,
    ))
}

fn col(title: &str, align: Align, width: Option<f32>) -> Column {
    Column {
        title: title.into(),
        align,
        width,
    }
}

/// The payout list as a PDF in the administrative layout, signed by the decision's signer.
async fn payout_pdf(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let d = st.store.reward_decision(&user.scope, id).await?;
    let dec = d.decision.clone();
    let issuer = st.store.unit(&user.scope, dec.issuer_unit_id).await?;
    let parent = st
        .store
        .ancestors(&user.scope, &issuer)
        .await
        .ok()
        .and_then(|a| a.last().map(|p| p.name.to_uppercase()));
    let place = issuer
        .province_code
        .and_then(congdoan_domain::divisions::province)
        .map(|p| {
            p.name
                .trim_start_matches("Tỉnh ")
                .trim_start_matches("Thành phố ")
                .to_string()
        })
        .unwrap_or_else(|| "Hà Nội".into());
    let rows: Vec<Vec<String>> = d
        .items
        .iter()
        .map(|it| {
            vec![
                it.line_no.to_string(),
                it.recipient_name.clone(),
                it.unit_name.clone(),
                it.reward_name.clone(),
                congdoan_domain::format_int(it.amount_vnd),
                String::new(),
            ]
        })
        .collect();
    let doc = AdminDoc {
        parent_org: parent,
        issuer: issuer.name.to_uppercase(),
        number: None,
        place,
        date: dec.decided_on,
        kind_title: Some("DANH SÁCH".into()),
        title: format!(
            "Chi tiền thưởng theo Quyết định số {} ngày {}",
            dec.doc_number,
            congdoan_domain::format_vn_date(dec.decided_on)
        ),
        blocks: vec![
            Block::Table(Table {
                columns: vec![
                    col("STT", Align::Center, Some(0.5)),
                    col("Họ và tên", Align::Left, Some(2.0)),
                    col("Đơn vị", Align::Left, Some(2.0)),
                    col("Danh hiệu, hình thức", Align::Left, Some(2.0)),
                    col("Số tiền (đồng)", Align::Right, Some(1.3)),
                    col("Ký nhận", Align::Center, Some(1.2)),
                ],
                rows,
                total: Some(vec![
                    String::new(),
                    "Tổng cộng".into(),
                    format!("{} người", d.items.len()),
                    String::new(),
                    congdoan_domain::format_int(dec.total_vnd),
                    String::new(),
                ]),
            }),
            Block::Paragraph(format!(
                "Tổng số tiền bằng chữ: {}.",
                in_words(dec.total_vnd)
            )),
        ],
        recipients: vec!["Kế toán công đoàn".into(), "Lưu VT.".into()],
        signature: Some(Signature {
            on_behalf: Some("TM. BAN CHẤP HÀNH".into()),
            role: dec.signer_role.clone(),
            name: dec.signer_name.clone(),
        }),
        landscape: false,
        footer_note: Some(format!(
            "Xuất từ congdoan ngày {}",
            congdoan_domain::format_vn_date(today())
        )),
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
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"danh-sach-chi-{}.pdf\"",
                    ascii_name(&dec.doc_number)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
