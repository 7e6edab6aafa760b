//! Certificates (giấy khen, giấy chứng nhận): a union issues them for a list of
//! people or units under one decision, prints one or all as PDF (a QR code on
//! each leads to the public verification page), and revokes one with a reason.
//! `/verify/{code}` answers anyone, without a login, with nothing but the
//! status, the name, the title, the granting union and the decision.

use super::confirm::{self, ConfirmPage, Impact};
use super::pick::{self, FormState, Pairs};
use super::*;
use congdoan_store::{
    CERTIFICATE_KINDS, CERTIFICATE_PAGE, Certificate, MAX_CERTIFICATE_BATCH, NewCertificate,
    certificate_kind_label,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units/{id}/certificates", get(list_page).post(issue))
        .route(
            "/rewards/decisions/{id}/certificates",
            axum::routing::post(certify_decision),
        )
        .route("/units/{id}/certificates.pdf", get(batch_pdf))
        .route("/certificates/{file}", get(one_pdf))
        .route("/certificates/{id}/revoke", get(revoke_form).post(revoke))
        .route("/verify", get(verify_typed))
        .route("/verify/{code}", get(verify_page))
}

/// The address printed in the QR code of a certificate.
pub fn verify_url(public_url: &str, code: &str) -> String {
    format!("{}/verify/{code}", public_url.trim_end_matches('/'))
}

/// The place printed on a unit's certificates (its province), for the API's "In giấy khen".
pub(crate) fn issuer_place(u: &Unit) -> String {
    super::request_pdf::place(u)
}

/// A stored certificate as printed.
pub fn printed(c: &Certificate, public_url: &str) -> congdoan_pdf::Certificate {
    congdoan_pdf::Certificate {
        parent_org: c.issuer_parent_name.clone(),
        issuer: c.issuer_name.clone(),
        kind_title: certificate_kind_label(&c.kind).to_string(),
        recipient_name: c.recipient_name.clone(),
        recipient_unit: c.recipient_unit_name.clone(),
        title: c.title.clone(),
        reason: c.reason.clone(),
        decision_number: c.decision_number.clone(),
        decision_date: c.decision_date,
        place: c.place.clone(),
        date: c.decision_date,
        signature: congdoan_pdf::Signature {
            on_behalf: Some("TM. Ban Chấp hành".into()),
            role: c.signer_position.clone(),
            name: c.signer_name.clone(),
        },
        verify_url: verify_url(public_url, &c.code),
        code: c.code.clone(),
    }
}

/// Typesets certificates on a blocking thread (a batch of 1,000 takes seconds).
pub async fn certificates_pdf(certs: Vec<congdoan_pdf::Certificate>) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(move || congdoan_pdf::render_certificates(&certs))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::invalid("pdf", e.code(), &e.message(Lang::Vi), &e.message(Lang::En)))
}

pub(crate) fn pdf_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    decision: Option<String>,
    before: Option<i64>,
    notice: Option<String>,
}

/// One row of the list, formatted.
struct Row {
    c: Certificate,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "certificates.html")]
struct ListPage {
    chrome: Chrome,
    unit: Unit,
    rows: Vec<Row>,
    decision: String,
    /// `before=` of the next page, when there may be one.
    next: Option<i64>,
    notice: Option<String>,
    can_write: bool,
    form: FormState,
    kinds: Vec<(&'static str, &'static str)>,
}

impl ListPage {
    fn pdf_link(&self) -> String {
        if self.decision.is_empty() {
            format!("/units/{}/certificates.pdf", self.unit.unit_id)
        } else {
            format!(
                "/units/{}/certificates.pdf?decision={}",
                self.unit.unit_id,
                crate::error::urlencode(&self.decision)
            )
        }
    }
    fn next_link(&self, before: &i64) -> String {
        let mut url = format!("/units/{}/certificates?before={before}", self.unit.unit_id);
        if !self.decision.is_empty() {
            url.push_str("&decision=");
            url.push_str(&crate::error::urlencode(&self.decision));
        }
        url
    }
}

/// The form's defaults: today's date, the unit's province as the place, its chair as signer.
async fn defaults(st: &AppState, unit: &Unit) -> Result<Pairs, AppError> {
    let chair = st.store.chair_name(unit.unit_id).await?.unwrap_or_default();
    Ok(vec![
        ("kind".into(), "giay_khen".into()),
        (
            "decision_date".into(),
            congdoan_domain::format_vn_date(today()),
        ),
        ("place".into(), super::request_pdf::place(unit)),
        ("signer_position".into(), "Chủ tịch".into()),
        ("signer_name".into(), chair),
    ])
}

async fn list_for(
    st: &AppState,
    user: &CurrentUser,
    unit_id: i64,
    q: ListQuery,
    form: Option<FormState>,
) -> PageResult {
    let tr = user.tr();
    let unit = st.store.unit(&user.scope, unit_id).await?;
    let decision = q
        .decision
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    let certs = st
        .store
        .certificates_of_unit(
            &user.scope,
            unit_id,
            Some(decision.as_str()),
            q.before,
            CERTIFICATE_PAGE + 1,
        )
        .await?;
    let more = certs.len() > CERTIFICATE_PAGE as usize;
    let rows: Vec<Row> = certs
        .into_iter()
        .take(CERTIFICATE_PAGE as usize)
        .map(|c| Row {
            kind: certificate_kind_label(&c.kind),
            c,
        })
        .collect();
    let next = more
        .then(|| rows.last().map(|r| r.c.certificate_id))
        .flatten();
    let notice = match q.notice.as_deref() {
        Some("issued") => Some(tr.s(
            "Đã cấp giấy. Tải tệp PDF để in; mã QR trên mỗi giấy dẫn đến trang xác minh công khai.",
            "Certificates issued. Download the PDF to print; the QR code on each leads to the public verification page.",
        )),
        Some("revoked") => Some(tr.s(
            "Đã thu hồi giấy: trang xác minh từ nay ghi là đã thu hồi.",
            "Certificate revoked: the verification page now says so.",
        )),
        _ => None,
    }
    .map(str::to_string);
    let can_write = user.scope.can_write(&unit.path) && unit.ended_on.is_none();
    let form = match form {
        Some(f) => f,
        None => FormState::new("issue", defaults(st, &unit).await?, vec![], tr.lang),
    };
    let invalid = form.has_errors();
    let page = ListPage {
        chrome: Chrome::new(
            user,
            &format!(
                "{} — {}",
                tr.s("Giấy khen, giấy chứng nhận", "Certificates"),
                unit.name
            ),
        ),
        unit,
        rows,
        decision,
        next,
        notice,
        can_write,
        form,
        kinds: CERTIFICATE_KINDS
            .iter()
            .map(|(k, vi, en)| (*k, tr.s(vi, en)))
            .collect(),
    };
    Ok(pick::unprocessable(render(page)?, invalid))
}

async fn list_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    list_for(&st, &user, id, q, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IssueForm {
    kind: String,
    award_title: String,
    achievement: String,
    decision_number: String,
    decision_date: String,
    place: String,
    signer_position: String,
    signer_name: String,
    /// One recipient a line: "Họ tên; Đơn vị" (or a tab, as pasted from a sheet).
    recipients: String,
}

/// "Nguyễn Văn A; Tổ 1" → ("Nguyễn Văn A", Some("Tổ 1")).
fn recipient_lines(text: &str) -> Vec<(String, Option<String>)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once([';', '\t']) {
            Some((name, unit)) => {
                let unit = unit.trim();
                (
                    name.trim().to_string(),
                    (!unit.is_empty()).then(|| unit.to_string()),
                )
            }
            None => (l.to_string(), None),
        })
        .collect()
}

/// The certificates a form asks for, or every field's error at once.
fn parse_issue(f: &IssueForm) -> Result<Vec<NewCertificate>, Vec<FieldError>> {
    let mut errors = vec![];
    let date = parse_date_req(&f.decision_date, "decision_date", &mut errors);
    let lines = recipient_lines(&f.recipients);
    if lines.is_empty() {
        errors.push(FieldError::new(
            "recipients",
            "WE2401",
            "chưa có ai; mỗi dòng một người: Họ tên; Đơn vị.",
            "nobody yet; one person a line: Name; Unit.",
        ));
    } else if lines.len() > MAX_CERTIFICATE_BATCH {
        errors.push(FieldError::new(
            "recipients",
            "WE2402",
            &format!(
                "{} dòng, mỗi lần cấp tối đa {}.",
                congdoan_domain::format_int(lines.len() as i64),
                congdoan_domain::format_int(MAX_CERTIFICATE_BATCH as i64)
            ),
            &format!(
                "{} lines, at most {MAX_CERTIFICATE_BATCH} at a time.",
                lines.len()
            ),
        ));
    }
    let Some(date) = date else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(lines
        .into_iter()
        .map(|(name, unit)| NewCertificate {
            kind: f.kind.clone(),
            title: f.award_title.clone(),
            recipient_name: name,
            recipient_unit_name: unit,
            reason: f.achievement.clone(),
            decision_number: f.decision_number.clone(),
            decision_date: date,
            place: f.place.clone(),
            signer_position: f.signer_position.clone(),
            signer_name: f.signer_name.clone(),
            member_id: None,
            unit_id: None,
            reward_item_id: None,
        })
        .collect())
}

async fn issue(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let tr = user.tr();
    let unit = st.store.unit(&user.scope, id).await?;
    if !user.scope.can_write(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let f: IssueForm = confirm::typed(&pairs)?;
    let again = |errors: Vec<FieldError>| FormState::new("issue", pairs.clone(), errors, tr.lang);
    let items = match parse_issue(&f) {
        Ok(items) => items,
        Err(errors) => {
            return list_for(&st, &user, id, ListQuery::default(), Some(again(errors))).await;
        }
    };
    if !confirm::confirmed(&pairs) {
        // The store checks every field; a dry check here would duplicate it, so the
        // confirmation restates what was typed and the store answers on the post.
        let n = items.len() as i64;
        let kind = certificate_kind_label(&f.kind);
        let mut impacts = vec![
            Impact::count(
                n,
                &format!(
                    "{} «{}» {} {}",
                    kind.to_lowercase(),
                    f.award_title.trim(),
                    tr.s("cấp theo", "under"),
                    congdoan_pdf::decision_line(f.decision_number.trim(), items[0].decision_date)
                ),
            ),
            Impact::line(format!(
                "{}: {}",
                tr.s("Người ký", "Signed by"),
                f.signer_name.trim()
            )),
        ];
        for c in items.iter().take(10) {
            impacts.push(Impact::line(match &c.recipient_unit_name {
                Some(u) => format!("{} — {u}", c.recipient_name),
                None => c.recipient_name.clone(),
            }));
        }
        if items.len() > 10 {
            impacts.push(Impact::count(
                n - 10,
                tr.s("người (đơn vị) khác", "other recipients"),
            ));
        }
        return ConfirmPage {
            chrome: Chrome::new(&user, tr.s("Cấp giấy khen?", "Issue the certificates?")),
            lead: format!(
                "{} {} {} {}.",
                unit.name,
                tr.s("cấp", "issues"),
                congdoan_domain::format_int(n),
                kind.to_lowercase()
            ),
            impacts,
            irreversible: vec![tr
                .s(
                    "Mỗi giấy có một mã xác minh công khai. Giấy đã cấp không xoá được, chỉ thu hồi (trang xác minh sẽ ghi là đã thu hồi).",
                    "Each certificate gets a public verification code. An issued certificate cannot be deleted, only revoked (the verification page then says so).",
                )
                .to_string()],
            action: format!("/units/{id}/certificates"),
            hidden: confirm::hidden(&pairs),
            button: tr.s("Cấp giấy", "Issue").to_string(),
            back: format!("/units/{id}/certificates"),
        }
        .render();
    }
    let decision = items[0].decision_number.trim().to_string();
    match st
        .store
        .issue_certificates(&user.scope, id, items)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => see_other(&format!(
            "/units/{id}/certificates?decision={}&notice=issued",
            crate::error::urlencode(&congdoan_domain::text::nfc(&decision))
        )),
        Err(e) => {
            let errors = field_errors(e)?;
            list_for(&st, &user, id, ListQuery::default(), Some(again(errors))).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BatchQuery {
    decision: Option<String>,
}

async fn batch_pdf(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<BatchQuery>,
) -> PageResult {
    let certs = st
        .store
        .certificates_of_unit(
            &user.scope,
            id,
            q.decision.as_deref(),
            None,
            MAX_CERTIFICATE_BATCH as i64,
        )
        .await?;
    if certs.is_empty() {
        return Err(AppError::NotFound);
    }
    let public = st.config.public_url.clone();
    // Printed in the order issued (the list shows newest first).
    let printed: Vec<_> = certs.iter().rev().map(|c| printed(c, &public)).collect();
    let bytes = certificates_pdf(printed).await?;
    Ok(pdf_response(bytes, &format!("giay-khen-{id}.pdf")))
}

async fn one_pdf(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
) -> PageResult {
    let id: i64 = file
        .strip_suffix(".pdf")
        .and_then(|s| s.parse().ok())
        .ok_or(AppError::NotFound)?;
    let c = st.store.certificate(&user.scope, id).await?;
    let bytes = certificates_pdf(vec![printed(&c, &st.config.public_url)]).await?;
    Ok(pdf_response(bytes, &format!("giay-khen-{}.pdf", c.code)))
}

fn revoke_page(
    user: &CurrentUser,
    c: &Certificate,
    reason: &str,
    errors: Vec<FieldError>,
) -> PageResult {
    let tr = user.tr();
    ConfirmForm {
        chrome: Chrome::new(user, tr.s("Thu hồi giấy?", "Revoke the certificate?")),
        intro: format!(
            "{} «{}» {} {} ({} {}).",
            certificate_kind_label(&c.kind),
            c.title,
            tr.s("tặng", "to"),
            c.recipient_name,
            tr.s("mã", "code"),
            c.code
        ),
        items: vec![
            tr.s(
                "Trang xác minh công khai sẽ ghi giấy này đã bị thu hồi (không nêu lý do).",
                "The public verification page will say it was revoked (without the reason).",
            )
            .to_string(),
            tr.s(
                "Không hoàn tác được: muốn cấp lại phải cấp giấy mới, với mã mới.",
                "This cannot be undone: to grant it again, issue a new certificate with a new code.",
            )
            .to_string(),
        ],
        inputs: vec![ConfirmInput::new(
            "revoked_reason",
            tr,
            "",
            reason,
            &errors,
        )],
        errors,
        action: format!("/certificates/{}/revoke", c.certificate_id),
        button: tr.s("Thu hồi", "Revoke").to_string(),
        cancel: format!("/units/{}/certificates", c.issuer_unit_id),
    }
    .respond()
}

async fn revoke_form(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let c = st.store.certificate(&user.scope, id).await?;
    revoke_page(&user, &c, "", vec![])
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    revoked_reason: String,
}

async fn revoke(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<RevokeForm>,
) -> PageResult {
    let c = st.store.certificate(&user.scope, id).await?;
    match st
        .store
        .revoke_certificate(&user.scope, id, &f.revoked_reason)
        .await
        .map_err(AppError::from)
    {
        Ok(c) => see_other(&format!(
            "/units/{}/certificates?notice=revoked",
            c.issuer_unit_id
        )),
        Err(e) => {
            let errors = field_errors(e)?;
            revoke_page(&user, &c, &f.revoked_reason, errors)
        }
    }
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    chrome: Chrome,
    /// What was looked up (normalised when it could be a code).
    code: String,
    found: Option<congdoan_store::CertificateCheck>,
    /// A code was given (an empty form shows no "not found").
    asked: bool,
}

impl VerifyPage {
    fn kind_label(&self) -> &'static str {
        self.found
            .as_ref()
            .map_or("", |c| certificate_kind_label(&c.kind))
    }
}

async fn verify_answer(st: &AppState, headers: &HeaderMap, code: &str) -> PageResult {
    let lang = crate::auth::lang_of(headers);
    let tr = Tr::new(lang);
    let code = code.trim();
    let found = if code.is_empty() {
        None
    } else {
        match st.store.certificate_by_code(code).await {
            Ok(c) => Some(c.check()),
            Err(congdoan_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        }
    };
    let asked = !code.is_empty();
    let title = match &found {
        Some(_) => tr.s(
            "Xác minh giấy khen, giấy chứng nhận",
            "Certificate verification",
        ),
        None if asked => tr.s("Không tìm thấy giấy chứng nhận", "Certificate not found"),
        None => tr.s(
            "Xác minh giấy khen, giấy chứng nhận",
            "Certificate verification",
        ),
    };
    let missing = asked && found.is_none();
    let page = VerifyPage {
        chrome: Chrome::anonymous(lang, title),
        code: congdoan_store::normalize_certificate_code(code)
            .unwrap_or_else(|| code.chars().take(40).collect()),
        found,
        asked,
    };
    let mut res = render(page)?;
    if missing {
        *res.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(res)
}

/// The public verification page (no login): the QR code on a certificate leads here.
async fn verify_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> PageResult {
    verify_answer(&st, &headers, &code).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VerifyQuery {
    code: String,
}

/// The same page for a code typed from paper (`/verify?code=…`).
async fn verify_typed(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<VerifyQuery>,
) -> PageResult {
    verify_answer(&st, &headers, &q.code).await
}

/// Prints the certificates of a reward decision: one per line not yet printed, with the
/// decision's number, date and signer. Confirmed first; then the unit's list of
/// certificates filtered on the decision, from where the batch PDF downloads.
async fn certify_decision(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, pairs): CsrfForm<Pairs>,
) -> PageResult {
    let tr = user.tr();
    let (d, left) = st.store.uncertified_reward_items(&user.scope, id).await?;
    let issuer = st
        .store
        .unit(&user.scope, d.decision.issuer_unit_id)
        .await?;
    let printed = format!(
        "/units/{}/certificates?decision={}",
        issuer.unit_id,
        crate::error::urlencode(&d.decision.doc_number)
    );
    if left.is_empty() {
        // Everyone has a certificate already: the list, from where they print.
        return see_other(&printed);
    }
    if !confirm::confirmed(&pairs) {
        let n = left.len() as i64;
        let mut impacts = vec![Impact::count(
            n,
            &format!(
                "{} {}",
                tr.s("giấy in theo", "certificates under"),
                congdoan_pdf::decision_line(&d.decision.doc_number, d.decision.decided_on)
            ),
        )];
        for i in left.iter().take(10) {
            impacts.push(Impact::line(format!(
                "{} — {}",
                i.recipient_name, i.reward_name
            )));
        }
        if left.len() > 10 {
            impacts.push(Impact::count(
                n - 10,
                tr.s("người (đơn vị) khác", "other recipients"),
            ));
        }
        return ConfirmPage {
            chrome: Chrome::new(&user, tr.s("In giấy khen theo quyết định?", "Print the decision's certificates?")),
            lead: format!(
                "{} {} {}.",
                issuer.name,
                tr.s("cấp giấy cho những người chưa có giấy trong quyết định", "issues certificates to those of the decision who have none:"),
                d.decision.doc_number
            ),
            impacts,
            irreversible: vec![tr
                .s(
                    "Mỗi giấy có một mã xác minh công khai. Giấy đã cấp không xoá được, chỉ thu hồi.",
                    "Each certificate gets a public verification code. An issued certificate cannot be deleted, only revoked.",
                )
                .to_string()],
            action: format!("/rewards/decisions/{id}/certificates"),
            hidden: confirm::hidden(&pairs),
            button: tr.s("Cấp và in giấy", "Issue and print").to_string(),
            back: format!("/rewards/decisions/{id}"),
        }
        .render();
    }
    st.store
        .certify_reward_decision(&user.scope, id, &super::request_pdf::place(&issuer))
        .await?;
    see_other(&format!("{printed}&notice=issued"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipient_lines_take_name_and_unit() {
        assert_eq!(
            recipient_lines("Nguyễn Văn A; Tổ 1\n\n  Lê Thị B\tPhân xưởng 2 \nTrần C;"),
            vec![
                ("Nguyễn Văn A".to_string(), Some("Tổ 1".to_string())),
                ("Lê Thị B".to_string(), Some("Phân xưởng 2".to_string())),
                ("Trần C".to_string(), None),
            ]
        );
    }
}
