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
        .route("/rewards/catalogue", get(catalogue_page).post(add_kind))
        .route(
            "/rewards/decisions/new",
            get(new_decision_page).post(new_decision),
        )
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
    // Opened from the menu (no unit asked), the evaluation form still defaults to the
    // caller's only unit: a CĐCS officer evaluates their own people.
    let unit_code = match &unit {
        Some(u) => u.code.clone(),
        None => super::forms::home_unit(st, user, None)
            .await?
            .map(|u| u.code)
            .unwrap_or_default(),
    };
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

// ---- A unit's own catalogue and a decision without an evaluation (issue 15 item 6).

/// The posted fields of a form kept as typed, with the errors placed beside them.
#[derive(Default, Clone)]
struct Typed {
    pairs: Pairs,
    errors: Vec<FieldError>,
}

impl Typed {
    fn v(&self, k: &str) -> &str {
        self.pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    fn has(&self, k: &str, v: &str) -> bool {
        self.pairs.iter().any(|(n, x)| n == k && x == v)
    }
    fn all(&self, k: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        out.dedup();
        out
    }
    fn err(&self, k: &str, lang: congdoan_domain::Lang) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == k)
            .map(|e| e.text(lang).to_string())
    }
}

/// The unit a catalogue or decision page is for: the one asked, else the first the
/// user writes.
async fn writable_unit(
    st: &AppState,
    user: &CurrentUser,
    id: Option<i64>,
) -> Result<Option<Unit>, AppError> {
    super::forms::home_unit(st, user, id).await
}

#[derive(Template)]
#[template(path = "reward_catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    unit: Unit,
    /// Entries the unit owns.
    own: Vec<RewardKind>,
    /// Entries of the common catalogue and of the levels above that the unit may grant.
    granted: Vec<RewardKind>,
    types: Vec<(String, String)>,
    rules: Vec<(&'static str, &'static str)>,
    can_write: bool,
    form: Typed,
    notice: Option<&'static str>,
}

impl CataloguePage {
    fn v(&self, k: &str) -> &str {
        self.form.v(k)
    }
    fn has(&self, k: &str, v: &str) -> bool {
        self.form.has(k, v)
    }
    fn err(&self, k: &str) -> Option<String> {
        self.form.err(k, self.chrome.tr.lang)
    }
    /// "Công đoàn cơ sở, Công đoàn cấp trên cơ sở" for a kind's granting levels.
    fn levels(&self, k: &RewardKind) -> String {
        let names: Vec<&str> = k
            .grant_types
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                self.types
                    .iter()
                    .find(|(c, _)| c == t)
                    .map_or(t, |(_, n)| n.as_str())
            })
            .collect();
        if names.is_empty() {
            match &k.owner_name {
                Some(o) => o.clone(),
                None => self.chrome.tr.s("Mọi cấp", "Any level").to_string(),
            }
        } else {
            names.join(", ")
        }
    }
}

async fn catalogue_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CatalogueQuery>,
) -> PageResult {
    let tr = user.tr();
    let notice = (q.notice.as_deref() == Some("added")).then(|| {
        tr.s(
            "Đã thêm hình thức khen thưởng vào danh mục của đơn vị.",
            "The reward was added to the unit's catalogue.",
        )
    });
    catalogue_view(&st, &user, q.unit, Typed::default(), notice).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CatalogueQuery {
    unit: Option<i64>,
    notice: Option<String>,
}

async fn catalogue_view(
    st: &AppState,
    user: &CurrentUser,
    unit: Option<i64>,
    form: Typed,
    notice: Option<&'static str>,
) -> PageResult {
    let tr = user.tr();
    let Some(unit) = writable_unit(st, user, unit).await? else {
        return see_other("/rewards");
    };
    let all = st.store.reward_kinds(&user.scope).await?;
    let (own, others): (Vec<RewardKind>, Vec<RewardKind>) = all
        .into_iter()
        .partition(|k| k.owner_unit_id == Some(unit.unit_id));
    // What the unit may grant from the common catalogue and the levels above it.
    let granted = others
        .into_iter()
        .filter(|k| {
            k.owner_path
                .as_deref()
                .is_none_or(|p| unit.path.starts_with(p))
                && k.rule().check_grantor(&unit.type_code, "").is_ok()
        })
        .collect();
    let types = st
        .store
        .unit_types()
        .await?
        .into_iter()
        .filter(|t| t.exists_on(today()))
        .map(|t| {
            let name = match user.lang {
                congdoan_domain::Lang::Vi => t.name_vi,
                congdoan_domain::Lang::En => t.name_en,
            };
            (t.type_code, name)
        })
        .collect();
    let invalid = !form.errors.is_empty();
    let page = render(CataloguePage {
        chrome: Chrome::new(
            user,
            &format!(
                "{} — {}",
                tr.s("Danh mục khen thưởng", "Reward catalogue"),
                unit.name
            ),
        ),
        can_write: user.scope.can_write(&unit.path),
        unit,
        own,
        granted,
        types,
        rules: congdoan_domain::reward::Eligibility::ALL
            .iter()
            .map(|e| (e.code(), e.name_vi()))
            .collect(),
        form,
        notice,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

/// Adds a catalogue entry: every typed fault beside its input, the store's rules after.
async fn add_kind(
    State(st): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    use congdoan_domain::reward::{AwardScope, CashRule, Eligibility, Recipient};
    let mut form = Typed {
        pairs,
        errors: vec![],
    };
    let Ok(unit_id) = form.v("unit").trim().parse::<i64>() else {
        return Err(AppError::NotFound);
    };
    let unit = st.store.unit(&user.scope, unit_id).await?;
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let mut errs = vec![];
    let recipient = Recipient::parse(form.v("recipient")).unwrap_or(Recipient::Individual);
    let award_scope = AwardScope::parse(form.v("award_scope")).unwrap_or(AwardScope::Thematic);
    let value = form.v("cash_value").trim().to_string();
    let cash = match form.v("cash_kind") {
        "multiple" | "fixed" if value.is_empty() => {
            errs.push(FieldError::new(
                "cash_value",
                "WE2330",
                "ghi bội số lương cơ sở (ví dụ 0,3) hoặc số tiền (ví dụ 500.000).",
                "give the multiple (e.g. 0.3) or the amount (e.g. 500,000).",
            ));
            CashRule::None
        }
        k @ ("multiple" | "fixed") => {
            let raw = if k == "fixed" {
                value.replace(['.', ' ', '₫'], "")
            } else {
                value.clone()
            };
            match CashRule::parse(&format!("{k}:{raw}")) {
                Ok(c) => c,
                Err(_) => {
                    errs.push(FieldError::new(
                        "cash_value",
                        "VL1108",
                        &format!(
                            "'{value}' không phải {} hợp lệ.",
                            if k == "fixed" {
                                "số tiền (đồng, lớn hơn 0)"
                            } else {
                                "bội số lương cơ sở (lớn hơn 0, tối đa 100)"
                            }
                        ),
                        &format!("'{value}' is not a valid {k} amount."),
                    ));
                    CashRule::None
                }
            }
        }
        _ => CashRule::None,
    };
    let cash_from = match form.v("cash_from").trim() {
        "" => None,
        _ => crate::forms::parse_date_req(form.v("cash_from"), "cash_from", &mut errs),
    };
    if cash != CashRule::None && cash_from.is_none() && !errs.iter().any(|e| e.field == "cash_from")
    {
        errs.push(FieldError::new(
            "cash_from",
            "ST2320",
            &format!(
                "mức tiền thưởng {} cần ngày bắt đầu áp dụng (dd/mm/yyyy).",
                cash.label_vi()
            ),
            "a cash rule needs the day it takes effect (dd/mm/yyyy).",
        ));
    }
    let quota = match form.v("quota").trim() {
        "" => None,
        q => match q.parse::<i64>() {
            Ok(n) if (1..=congdoan_domain::reward::MAX_QUOTA).contains(&n) => Some(n),
            _ => {
                errs.push(FieldError::new(
                    "quota",
                    "VL1105",
                    &format!("phải là số người từ 1 đến 10.000, không phải '{q}'."),
                    &format!("must be a number of people from 1 to 10,000, not '{q}'."),
                ));
                None
            }
        },
    };
    let rules: Vec<Eligibility> = form
        .all("rules")
        .iter()
        .filter_map(|r| Eligibility::parse(r))
        .collect();
    if !errs.is_empty() {
        form.errors = errs;
        return catalogue_view(&st, &user, Some(unit_id), form, None).await;
    }
    let input = congdoan_store::NewRewardKind {
        owner_unit_id: unit_id,
        code: form.v("code").to_string(),
        name: form.v("name").to_string(),
        grant_types: form.all("grant_types"),
        recipient,
        award_scope,
        cash,
        cash_from,
        rules,
        quota,
        source: Some(form.v("source").to_string()),
    };
    match st.store.add_reward_kind(&user.scope, input).await {
        Ok(_) => see_other(&format!("/rewards/catalogue?unit={unit_id}&notice=added")),
        Err(e) => {
            form.errors = store_errors(e, "name")?;
            catalogue_view(&st, &user, Some(unit_id), form, None).await
        }
    }
}

/// A chosen recipient of a decision: a member ("m") or a collective ("u").
struct Chosen {
    value: String,
    name: String,
    unit_name: String,
}

#[derive(Template)]
#[template(path = "reward_decision_new.html")]
struct NewDecisionPage {
    chrome: Chrome,
    unit: Unit,
    kinds: Vec<RewardKind>,
    period_types: Vec<(&'static str, &'static str)>,
    period_default: String,
    seq: i64,
    chosen: Vec<Chosen>,
    /// Matches of the member or unit search, to tick.
    found: Vec<Chosen>,
    searched: bool,
    form: Typed,
}

impl NewDecisionPage {
    fn v(&self, k: &str) -> &str {
        self.form.v(k)
    }
    fn err(&self, k: &str) -> Option<String> {
        self.form.err(k, self.chrome.tr.lang)
    }
}

async fn new_decision_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> PageResult {
    let Some(unit) = writable_unit(&st, &user, q.unit).await? else {
        return see_other("/rewards");
    };
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    new_decision_view(&st, &user, unit, Typed::default(), vec![], false).await
}

/// The recipients ticked in the form, read back with their names (scope-checked).
async fn chosen_of(st: &AppState, user: &CurrentUser, form: &Typed) -> Vec<Chosen> {
    let mut out = vec![];
    for v in form
        .all("who")
        .into_iter()
        .take(congdoan_store::MAX_DECISION_ITEMS)
    {
        let Some((k, id)) = v.split_at_checked(1) else {
            continue;
        };
        let Ok(id) = id.parse::<i64>() else { continue };
        match k {
            "m" => {
                if let Ok(m) = st.store.member(&user.scope, id).await {
                    let unit_name = st
                        .store
                        .unit(&user.scope, m.unit_id)
                        .await
                        .map(|u| u.name)
                        .unwrap_or_default();
                    out.push(Chosen {
                        value: v.clone(),
                        name: m.full_name,
                        unit_name,
                    });
                }
            }
            "u" => {
                if let Ok(u) = st.store.unit(&user.scope, id).await {
                    out.push(Chosen {
                        value: v.clone(),
                        name: u.name,
                        unit_name: String::new(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

async fn new_decision_view(
    st: &AppState,
    user: &CurrentUser,
    unit: Unit,
    form: Typed,
    found: Vec<Chosen>,
    searched: bool,
) -> PageResult {
    let tr = user.tr();
    let kinds = st
        .store
        .reward_kinds(&user.scope)
        .await?
        .into_iter()
        .filter(|k| {
            k.owner_path
                .as_deref()
                .is_none_or(|p| unit.path.starts_with(p))
                && k.rule().check_grantor(&unit.type_code, "").is_ok()
        })
        .collect();
    let chosen = chosen_of(st, user, &form).await;
    let seq = st
        .store
        .next_decision_seq(unit.unit_id, i64::from(today().year()))
        .await?;
    let invalid = !form.errors.is_empty();
    let page = render(NewDecisionPage {
        chrome: Chrome::new(user, tr.s("Quyết định khen thưởng", "Reward decision")),
        unit,
        kinds,
        period_types: [
            PeriodType::Year,
            PeriodType::Half,
            PeriodType::Quarter,
            PeriodType::Month,
        ]
        .into_iter()
        .map(|k| (k.code(), k.name_vi()))
        .collect(),
        period_default: Period::containing(PeriodType::Year, today())
            .map(|p| p.code())
            .unwrap_or_default(),
        seq,
        chosen,
        found,
        searched,
        form,
    })?;
    Ok(pick::unprocessable(page, invalid))
}

/// One post of the decision form: a search for recipients, or the decision itself —
/// first restated on a confirmation page (people, total in figures and words), then
/// written by the store's one decision path and opened.
async fn new_decision(
    State(st): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let tr = user.tr();
    let mut form = Typed {
        pairs: pairs.clone(),
        errors: vec![],
    };
    let Ok(unit_id) = form.v("unit").trim().parse::<i64>() else {
        return Err(AppError::NotFound);
    };
    let unit = st.store.unit(&user.scope, unit_id).await?;
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    // The search of the picker: members by name, or units (collectives) by name.
    let pick = form.v("pick").to_string();
    if pick == "member" || pick == "unit" {
        let q = form.v("who__q").trim().to_string();
        let mut found = vec![];
        if !q.is_empty() && pick == "member" {
            let rows = st
                .store
                .search_members(
                    &user.scope,
                    &MemberQuery {
                        q: Some(q.clone()),
                        unit_id: Some(unit_id),
                        per_page: 20,
                        ..Default::default()
                    },
                )
                .await?
                .rows;
            found = rows
                .into_iter()
                .map(|m| Chosen {
                    value: format!("m{}", m.member_id),
                    name: m.full_name,
                    unit_name: m.unit_name,
                })
                .collect();
        } else if !q.is_empty() {
            let hits = st
                .store
                .search_units(&user.scope, &q, &[], false, false, 40)
                .await?;
            for h in hits {
                if let Ok(u) = st.store.unit(&user.scope, h.unit_id).await
                    && u.path.starts_with(&unit.path)
                {
                    found.push(Chosen {
                        value: format!("u{}", u.unit_id),
                        name: u.name,
                        unit_name: h.parent_name.unwrap_or_default(),
                    });
                }
            }
        }
        found.retain(|f| !form.has("who", &f.value));
        form.pairs.retain(|(k, _)| k != "pick");
        return new_decision_view(&st, &user, unit, form, found, true).await;
    }
    let mut errs = vec![];
    let decided_on = parse_date_req(form.v("decided_on"), "decided_on", &mut errs);
    let seq = match form.v("seq").trim() {
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
    let kind_id = form.v("reward_kind_id").trim().parse::<i64>().ok();
    if kind_id.is_none() {
        errs.push(FieldError::new(
            "reward_kind",
            "WE2331",
            "chọn một hình thức trong danh mục.",
            "choose a reward from the catalogue.",
        ));
    }
    let who = form.all("who");
    if who.is_empty() {
        errs.push(FieldError::new(
            "items",
            "WE2332",
            "chưa chọn ai; gõ họ tên đoàn viên hoặc tên tập thể rồi bấm Tìm.",
            "no one chosen; type a member's or a unit's name and search.",
        ));
    }
    let (Some(decided_on), Some(kind_id), true) = (decided_on, kind_id, errs.is_empty()) else {
        form.errors = errs;
        return new_decision_view(&st, &user, unit, form, vec![], false).await;
    };
    let reason = form.v("reason").trim().to_string();
    let items = who
        .iter()
        .filter_map(|v| {
            let (k, id) = v.split_at_checked(1)?;
            let id = id.parse::<i64>().ok()?;
            Some(congdoan_store::NewItem {
                member_id: (k == "m").then_some(id),
                unit_id: (k == "u").then_some(id),
                reward_kind_id: kind_id,
                reason: (!reason.is_empty()).then(|| reason.clone()),
                facts: None,
            })
        })
        .collect();
    let title = form.v("title").trim().to_string();
    let input = congdoan_store::NewDecision {
        issuer_unit_id: unit_id,
        period_type: form.v("period_type").to_string(),
        period: form.v("period").trim().to_string(),
        decision: DecisionInput {
            seq,
            decided_on,
            signer_name: form.v("signer_name").to_string(),
            signer_role: Some(form.v("signer_role").to_string()),
            issuer_abbrev: None,
            title: (!title.is_empty()).then(|| title.clone()),
        },
        items,
    };
    let go = confirmed(&pairs);
    match st
        .store
        .create_reward_decision(&user.scope, input, !go)
        .await
    {
        Ok((_, Some(decision_id))) => {
            see_other(&format!("/rewards/decisions/{decision_id}?notice=decided"))
        }
        Ok((plan, None)) => {
            let kind = st
                .store
                .reward_kind_for(kind_id, &unit.path)
                .await
                .map(|k| k.name)
                .unwrap_or_default();
            ConfirmPage {
                chrome: Chrome::new(
                    &user,
                    tr.s(
                        "Xác nhận quyết định khen thưởng",
                        "Confirm the reward decision",
                    ),
                ),
                lead: format!(
                    "{} {} — {}, {} {}, {}.",
                    tr.s("Ra quyết định khen thưởng số", "Issue reward decision no."),
                    plan.doc_number,
                    if title.is_empty() {
                        "Về việc khen thưởng"
                    } else {
                        title.as_str()
                    },
                    tr.s("ngày", "dated"),
                    tr.date(decided_on),
                    unit.name
                ),
                impacts: vec![
                    Impact::count(
                        plan.count,
                        &format!(
                            "{} «{kind}»",
                            tr.s(
                                "người/tập thể được khen thưởng",
                                "people or units rewarded with"
                            )
                        ),
                    ),
                    Impact::line(format!(
                        "{} {} ({})",
                        tr.s("Tổng tiền thưởng:", "Total cash:"),
                        tr.vnd(plan.total_vnd),
                        in_words(plan.total_vnd)
                    )),
                    Impact::line(format!(
                        "{} {}",
                        tr.s("Người ký:", "Signed by:"),
                        form.v("signer_name").trim()
                    )),
                ],
                irreversible: vec![
                    tr.s(
                        "Quyết định đã ra không sửa được; số quyết định đã cấp không dùng lại.",
                        "A decision cannot be changed once issued; its number is used.",
                    )
                    .to_string(),
                ],
                action: "/rewards/decisions/new".into(),
                hidden: hidden(&pairs),
                button: tr.s("Ra quyết định", "Issue the decision").to_string(),
                back: format!("/rewards/decisions/new?unit={unit_id}"),
            }
            .render()
        }
        Err(e) => {
            form.errors = store_errors(e, "items")?;
            new_decision_view(&st, &user, unit, form, vec![], false).await
        }
    }
}
