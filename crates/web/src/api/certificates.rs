//! Certificates (giấy khen, giấy chứng nhận) over the API: a unit's list, issuing a
//! batch, printing a reward decision's lines, the PDFs, revoking, and the public
//! verification by code (no token; the same fields as `/verify/{code}`). The same
//! store calls as the pages (`views/certificates.rs`).

use super::errors::*;
use super::requests::date;
use super::{ApiJson, ApiQuery, ApiResult};
use crate::auth::CurrentUser;
use crate::views::certificates::{certificates_pdf, issuer_place, pdf_response, printed};
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use congdoan_store::{
    CERTIFICATE_PAGE, Certificate, CertificateCheck, MAX_CERTIFICATE_BATCH, NewCertificate,
    RewardItem,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct ListQuery {
    /// Only the certificates of this decision number ("15/QĐ-CĐVP").
    decision: Option<String>,
    /// Certificates older than this id (the `next_before` of the previous page).
    before: Option<i64>,
}

/// A page of a unit's certificates, newest first.
#[derive(Serialize, ToSchema)]
pub struct CertificateList {
    certificates: Vec<Certificate>,
    /// `before=` of the next page, when there is one.
    next_before: Option<i64>,
}

/// Certificates a unit issued, newest first, 200 a page.
#[utoipa::path(get, path = "/api/v1/units/{id}/certificates", params(("id" = i64, Path), ListQuery),
    responses((status = 200, body = CertificateList), QueryErrors), security(("bearer" = [])))]
pub async fn list_certificates(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<CertificateList> {
    let mut certificates = st
        .store
        .certificates_of_unit(
            &user.scope,
            id,
            q.decision.as_deref(),
            q.before,
            CERTIFICATE_PAGE + 1,
        )
        .await?;
    let more = certificates.len() > CERTIFICATE_PAGE as usize;
    certificates.truncate(CERTIFICATE_PAGE as usize);
    let next_before = more
        .then(|| certificates.last().map(|c| c.certificate_id))
        .flatten();
    Ok(Json(CertificateList {
        certificates,
        next_before,
    }))
}

/// One person (or unit) to receive a certificate.
#[derive(Deserialize, ToSchema)]
pub struct Recipient {
    /// The name printed; taken from the member or unit when empty.
    #[serde(default)]
    name: String,
    /// Their unit as printed ("Tổ 1").
    unit_name: Option<String>,
    member_id: Option<i64>,
    unit_id: Option<i64>,
}

/// The page's issue form: one award for a list of recipients under one decision.
#[derive(Deserialize, ToSchema)]
pub struct IssueBody {
    /// `giay_khen` or `giay_chung_nhan`.
    kind: String,
    /// The distinction ("Đoàn viên công đoàn xuất sắc năm 2025").
    award_title: String,
    /// The achievement printed under it.
    #[serde(default)]
    achievement: String,
    decision_number: String,
    /// dd/mm/yyyy or yyyy-mm-dd.
    decision_date: String,
    place: String,
    signer_position: String,
    signer_name: String,
    /// 1 to 5,000 recipients.
    recipients: Vec<Recipient>,
}

/// Issues certificates in the unit's name, all or none; each gets a public code.
#[utoipa::path(post, path = "/api/v1/units/{id}/certificates", params(("id" = i64, Path)), request_body = IssueBody,
    responses((status = 200, body = Vec<Certificate>), WriteErrors), security(("bearer" = [])))]
pub async fn issue_certificates(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<IssueBody>,
) -> ApiResult<Vec<Certificate>> {
    if b.recipients.is_empty() || b.recipients.len() > MAX_CERTIFICATE_BATCH {
        return Err(AppError::invalid(
            "recipients",
            "WE2402",
            &format!(
                "từ 1 đến {} người mỗi lần cấp (có {}).",
                congdoan_domain::format_int(MAX_CERTIFICATE_BATCH as i64),
                congdoan_domain::format_int(b.recipients.len() as i64)
            ),
            &format!(
                "between 1 and {MAX_CERTIFICATE_BATCH} recipients at a time (got {}).",
                b.recipients.len()
            ),
        ));
    }
    let decision_date = date(&b.decision_date, "decision_date")?;
    let items = b
        .recipients
        .into_iter()
        .map(|r| NewCertificate {
            kind: b.kind.clone(),
            title: b.award_title.clone(),
            recipient_name: r.name,
            recipient_unit_name: r.unit_name,
            reason: b.achievement.clone(),
            decision_number: b.decision_number.clone(),
            decision_date,
            place: b.place.clone(),
            signer_position: b.signer_position.clone(),
            signer_name: b.signer_name.clone(),
            member_id: r.member_id,
            unit_id: r.unit_id,
            reward_item_id: None,
        })
        .collect();
    Ok(Json(
        st.store.issue_certificates(&user.scope, id, items).await?,
    ))
}

/// The lines of a reward decision that have no certificate yet: what "In giấy khen…"
/// would print (the page's confirmation).
#[utoipa::path(get, path = "/api/v1/rewards/decisions/{id}/certificates", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RewardItem>), ReadErrors), security(("bearer" = [])))]
pub async fn uncertified(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<RewardItem>> {
    Ok(Json(
        st.store.uncertified_reward_items(&user.scope, id).await?.1,
    ))
}

/// "In giấy khen…": a certificate for every line of a reward decision not yet printed,
/// with the decision's number, date and signer; all or none (everyone printed: 422
/// ST2410).
#[utoipa::path(post, path = "/api/v1/rewards/decisions/{id}/certificates", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Certificate>), ActionErrors), security(("bearer" = [])))]
pub async fn certify_decision(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<Certificate>> {
    let d = st.store.reward_decision(&user.scope, id).await?;
    let issuer = st
        .store
        .unit(&user.scope, d.decision.issuer_unit_id)
        .await?;
    Ok(Json(
        st.store
            .certify_reward_decision(&user.scope, id, &issuer_place(&issuer))
            .await?,
    ))
}

/// One certificate (with its revocation, if any).
#[utoipa::path(get, path = "/api/v1/certificates/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Certificate), ReadErrors), security(("bearer" = [])))]
pub async fn get_certificate(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Certificate> {
    Ok(Json(st.store.certificate(&user.scope, id).await?))
}

/// A PDF, as a file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfFile(#[allow(dead_code)] Vec<u8>);

/// One certificate as printed (A4, QR code of its verification address).
#[utoipa::path(get, path = "/api/v1/certificates/{id}/pdf", params(("id" = i64, Path)),
    responses((status = 200, body = PdfFile, content_type = "application/pdf"), QueryErrors), security(("bearer" = [])))]
pub async fn certificate_pdf(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let c = st.store.certificate(&user.scope, id).await?;
    let bytes = certificates_pdf(vec![printed(&c, &st.config.public_url)]).await?;
    Ok(pdf_response(bytes, &format!("giay-khen-{}.pdf", c.code)))
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct BatchQuery {
    /// Only this decision's certificates.
    decision: Option<String>,
}

/// A unit's certificates in one PDF, in the order issued (at most 5,000); none: 404.
#[utoipa::path(get, path = "/api/v1/units/{id}/certificates/pdf", params(("id" = i64, Path), BatchQuery),
    responses((status = 200, body = PdfFile, content_type = "application/pdf"), QueryErrors), security(("bearer" = [])))]
pub async fn batch_pdf(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<BatchQuery>,
) -> Result<Response, AppError> {
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
    let pages: Vec<_> = certs.iter().rev().map(|c| printed(c, &public)).collect();
    let bytes = certificates_pdf(pages).await?;
    Ok(pdf_response(bytes, &format!("giay-khen-{id}.pdf")))
}

#[derive(Deserialize, ToSchema)]
pub struct RevokeBody {
    /// Why (kept, never shown on the public page).
    reason: String,
}

/// Revokes a certificate: the public verification says so from then on.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/revoke", params(("id" = i64, Path)), request_body = RevokeBody,
    responses((status = 200, body = Certificate), WriteErrors), security(("bearer" = [])))]
pub async fn revoke_certificate(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RevokeBody>,
) -> ApiResult<Certificate> {
    Ok(Json(
        st.store
            .revoke_certificate(&user.scope, id, &b.reason)
            .await?,
    ))
}

/// Public: whether the certificate with this code (as printed, spaces and case
/// ignored) is valid, its name, title, granting union and decision — nothing else.
/// No token needed; an unknown code is 404.
#[utoipa::path(get, path = "/api/v1/verify/{code}", params(("code" = String, Path)),
    responses((status = 200, body = CertificateCheck), PublicErrors))]
pub async fn verify(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<CertificateCheck> {
    Ok(Json(st.store.certificate_by_code(&code).await?.check()))
}
