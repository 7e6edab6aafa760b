//! Certificates (giấy khen, giấy chứng nhận, issue 15 item 7): issued by a union
//! for a list of people or units, printed as PDF, and confirmed by anyone
//! through an unguessable code on a public page that shows nothing beyond the
//! name and the title.

use crate::audit::audit;
use crate::{Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::text::nfc;
use serde::Serialize;
use time::Date;

/// Most certificates one issue (one decision's list) may hold.
pub const MAX_CERTIFICATE_BATCH: usize = 5_000;
/// A page of the issued list.
pub const CERTIFICATE_PAGE: i64 = 200;
/// Most characters of the reason; the other texts hold at most
/// [`MAX_CERT_TEXT`]. Both keep a certificate on one printed page.
pub const MAX_CERT_REASON: usize = 500;
pub const MAX_CERT_TEXT: usize = 200;
/// Length of a verification code.
pub const CERT_CODE_LEN: usize = 12;
/// No 0/O, 1/I/L: a code read aloud or typed from paper is not mistaken.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// The kinds a union grants on paper.
pub const CERTIFICATE_KINDS: &[(&str, &str, &str)] = &[
    ("giay_khen", "Giấy khen", "Certificate of merit"),
    ("giay_chung_nhan", "Giấy chứng nhận", "Certificate"),
];

/// The printed title of a kind ("Giấy khen").
pub fn certificate_kind_label(kind: &str) -> &'static str {
    CERTIFICATE_KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map_or("Giấy chứng nhận", |(_, vi, _)| vi)
}

/// A certificate as issued (texts are copies taken when issued).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Certificate {
    pub certificate_id: i64,
    /// The verification code (12 characters, printed under the QR code).
    pub code: String,
    /// `giay_khen` or `giay_chung_nhan`.
    pub kind: String,
    /// The distinction ("Đoàn viên công đoàn xuất sắc năm 2025").
    pub title: String,
    pub recipient_name: String,
    pub recipient_unit_name: Option<String>,
    pub reason: String,
    pub decision_number: String,
    pub decision_date: Date,
    pub issuer_unit_id: i64,
    /// The granting union's name when issued.
    pub issuer_name: String,
    /// The name of the union above the granting one, for the printed header.
    pub issuer_parent_name: Option<String>,
    pub place: String,
    pub signer_position: String,
    pub signer_name: String,
    pub member_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub reward_item_id: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: time::OffsetDateTime,
    pub issued_by: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<time::OffsetDateTime>,
    pub revoked_reason: Option<String>,
}

/// What the public verification page may show: nothing about the person but
/// the name printed on the certificate.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CertificateCheck {
    pub code: String,
    /// False once revoked.
    pub valid: bool,
    pub kind: String,
    pub title: String,
    pub recipient_name: String,
    pub issuer_name: String,
    pub decision_number: String,
    pub decision_date: Date,
    /// The day it was revoked (no reason: it may concern the person).
    pub revoked_on: Option<Date>,
}

impl Certificate {
    /// The public view of this certificate.
    pub fn check(&self) -> CertificateCheck {
        CertificateCheck {
            code: self.code.clone(),
            valid: self.revoked_at.is_none(),
            kind: self.kind.clone(),
            title: self.title.clone(),
            recipient_name: self.recipient_name.clone(),
            issuer_name: self.issuer_name.clone(),
            decision_number: self.decision_number.clone(),
            decision_date: self.decision_date,
            revoked_on: self.revoked_at.map(|t| t.date()),
        }
    }
}

/// One certificate to issue. Empty recipient texts are taken from the member
/// (`member_id`) or unit (`unit_id`) named.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewCertificate {
    /// `giay_khen` or `giay_chung_nhan`.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub recipient_name: String,
    pub recipient_unit_name: Option<String>,
    #[serde(default)]
    pub reason: String,
    pub decision_number: String,
    pub decision_date: Date,
    pub place: String,
    pub signer_position: String,
    pub signer_name: String,
    pub member_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub reward_item_id: Option<i64>,
}

fn rule(code: &'static str, field: &'static str, vi: &str, en: &str) -> StoreError {
    StoreError::rule(code, field, vi, en)
}

/// A fresh verification code: 12 characters of 31, about 59 bits.
pub fn new_certificate_code() -> String {
    let mut bytes = [0u8; CERT_CODE_LEN];
    let mut out = String::with_capacity(CERT_CODE_LEN);
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - 256 % CODE_ALPHABET.len();
    while out.len() < CERT_CODE_LEN {
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        for b in bytes {
            if (b as usize) < limit && out.len() < CERT_CODE_LEN {
                out.push(CODE_ALPHABET[b as usize % CODE_ALPHABET.len()] as char);
            }
        }
    }
    out
}

/// A code as typed or scanned: upper case, without spaces or dashes; `None`
/// when it cannot be a code (so nothing is looked up).
pub fn normalize_certificate_code(code: &str) -> Option<String> {
    let c: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (c.len() == CERT_CODE_LEN && c.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(c)
}

/// Trims, NFC-normalises and bounds one text; `n` is the 1-based line of the
/// list for messages (0 for a single certificate). The message does not repeat
/// the field: the web layer puts the field's label before it.
fn text(value: &str, field: &'static str, max: usize, required: bool, n: usize) -> Result<String> {
    let v = nfc(value.trim());
    let line = |vi: String, en: String| {
        if n > 0 {
            (format!("dòng {n}: {vi}"), format!("line {n}: {en}"))
        } else {
            (vi, en)
        }
    };
    if required && v.is_empty() {
        let (vi, en) = line("chưa nhập.".into(), "missing.".into());
        return Err(rule("ST2401", field, &vi, &en));
    }
    let chars = v.chars().count();
    if chars > max {
        let (vi, en) = line(
            format!("dài {chars} ký tự, tối đa {max}."),
            format!("{chars} characters, at most {max}."),
        );
        return Err(rule("ST2402", field, &vi, &en));
    }
    Ok(v)
}

/// `SELECT c.* FROM certificate c` followed by the rest of the query.
macro_rules! select {
    ($rest:literal) => {
        concat!("SELECT c.* FROM certificate c ", $rest)
    };
}

/// A checked row, ready to insert.
struct Row {
    kind: String,
    title: String,
    name: String,
    unit_name: Option<String>,
    reason: String,
    decision_number: String,
    decision_date: Date,
    place: String,
    signer_position: String,
    signer_name: String,
    member_id: Option<i64>,
    unit_id: Option<i64>,
    reward_item_id: Option<i64>,
}

impl Store {
    /// Issues certificates in the name of `issuer_unit_id` (a unit the caller
    /// writes), all or none, with one audit row per certificate.
    #[tracing::instrument(skip(self, scope, items), fields(n = items.len()))]
    pub async fn issue_certificates(
        &self,
        scope: &Scope,
        issuer_unit_id: i64,
        items: Vec<NewCertificate>,
    ) -> Result<Vec<Certificate>> {
        let issuer = self.unit(scope, issuer_unit_id).await?;
        scope.check_write(&issuer.path)?;
        if issuer.ended_on.is_some() {
            return Err(rule(
                "ST2403",
                "issuer_unit_id",
                &format!(
                    "{} đã chấm dứt hoạt động, không cấp giấy được.",
                    issuer.name
                ),
                &format!("{} has ended and cannot issue certificates.", issuer.name),
            ));
        }
        if items.is_empty() || items.len() > MAX_CERTIFICATE_BATCH {
            return Err(rule(
                "ST2404",
                "recipients",
                &format!(
                    "Mỗi lần cấp từ 1 đến {} giấy (có {}).",
                    congdoan_domain::format_int(MAX_CERTIFICATE_BATCH as i64),
                    congdoan_domain::format_int(items.len() as i64)
                ),
                &format!(
                    "Issue between 1 and {MAX_CERTIFICATE_BATCH} certificates at a time (got {}).",
                    items.len()
                ),
            ));
        }
        let parent_name = match issuer.parent_id {
            Some(pid) => {
                read!(self, p => sqlx::query_scalar::<_, String>("SELECT name FROM unit WHERE unit_id = $1")
                .bind(pid).fetch_optional(p).await)?
            }
            None => None,
        };
        let many = items.len() > 1;
        let mut rows = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let n = if many { i + 1 } else { 0 };
            if !CERTIFICATE_KINDS.iter().any(|(k, _, _)| *k == item.kind) {
                return Err(rule(
                    "ST2405",
                    "kind",
                    "Chọn giấy khen hoặc giấy chứng nhận.",
                    "Choose a certificate of merit or a certificate.",
                ));
            }
            let mut name = item.recipient_name.clone();
            let mut unit_name = item.recipient_unit_name.clone();
            if let Some(mid) = item.member_id {
                let m = self.member(scope, mid).await?;
                if name.trim().is_empty() {
                    name = m.full_name.clone();
                }
                if unit_name.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    unit_name = Some(self.unit(scope, m.unit_id).await?.name);
                }
            }
            if let Some(uid) = item.unit_id {
                let u = self.unit(scope, uid).await?;
                if name.trim().is_empty() {
                    name = u.name.clone();
                }
            }
            let unit_name = match unit_name {
                Some(u) => {
                    let u = text(&u, "recipient_unit_name", MAX_CERT_TEXT, false, n)?;
                    (!u.is_empty()).then_some(u)
                }
                None => None,
            };
            rows.push(Row {
                title: text(&item.title, "award_title", MAX_CERT_TEXT, true, n)?,
                name: text(&name, "recipient_name", MAX_CERT_TEXT, true, n)?,
                unit_name,
                reason: text(&item.reason, "achievement", MAX_CERT_REASON, false, n)?,
                decision_number: text(&item.decision_number, "decision_number", 60, true, n)?,
                decision_date: item.decision_date,
                place: text(&item.place, "place", 60, true, n)?,
                signer_position: text(
                    &item.signer_position,
                    "signer_position",
                    MAX_CERT_TEXT,
                    true,
                    n,
                )?,
                signer_name: text(&item.signer_name, "signer_name", MAX_CERT_TEXT, true, n)?,
                kind: item.kind,
                member_id: item.member_id,
                unit_id: item.unit_id,
                reward_item_id: item.reward_item_id,
            });
        }
        let at = now();
        let username = scope.actor().username.clone();
        let ids: Vec<i64> = write!(self, p => {
            let mut tx = p.begin().await?;
            let mut ids = Vec::with_capacity(rows.len());
            for r in &rows {
                // A clash of ~59-bit codes is near impossible; draw again if it happens.
                let mut code = new_certificate_code();
                while sqlx::query_scalar::<_, i64>("SELECT certificate_id FROM certificate WHERE code = $1")
                    .bind(&code).fetch_optional(&mut *tx).await?.is_some() {
                    code = new_certificate_code();
                }
                let id: i64 = sqlx::query_scalar("INSERT INTO certificate (code, kind, title, recipient_name, recipient_unit_name, reason, \
                     decision_number, decision_date, issuer_unit_id, issuer_name, issuer_parent_name, place, signer_position, \
                     signer_name, member_id, unit_id, reward_item_id, issued_at, issued_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING certificate_id")
                    .bind(&code).bind(&r.kind).bind(&r.title).bind(&r.name).bind(&r.unit_name).bind(&r.reason)
                    .bind(&r.decision_number).bind(r.decision_date)
                    .bind(issuer.unit_id).bind(&issuer.name).bind(&parent_name).bind(&r.place).bind(&r.signer_position)
                    .bind(&r.signer_name).bind(r.member_id).bind(r.unit_id).bind(r.reward_item_id).bind(at).bind(&username)
                    .fetch_one(&mut *tx).await?;
                audit!(&mut *tx, scope, "certificate_issue", "certificate", Some(id), &issuer.path,
                    format!("Cấp {} «{}» cho {} (QĐ {})", certificate_kind_label(&r.kind).to_lowercase(), r.title, r.name, r.decision_number),
                    None, Some(serde_json::json!({"recipient_name": r.name, "title": r.title, "decision_number": r.decision_number,
                        "member_id": r.member_id, "unit_id": r.unit_id})));
                ids.push(id);
            }
            tx.commit().await?;
            ids
        });
        let (first, last) = (ids[0], ids[ids.len() - 1]);
        let mut out: Vec<Certificate> = read!(self, p => sqlx::query_as::<_, Certificate>(select!("WHERE c.issuer_unit_id = $1 AND c.certificate_id >= $2 AND c.certificate_id <= $3 ORDER BY c.certificate_id"))
            .bind(issuer.unit_id).bind(first).bind(last).fetch_all(p).await)?;
        out.retain(|c| ids.binary_search(&c.certificate_id).is_ok());
        Ok(out)
    }

    /// Certificates issued by a unit, newest first, optionally of one decision;
    /// keyset-paged by `before_id`, at most `limit` (≤ 5,000, for a batch PDF).
    #[tracing::instrument(skip(self, scope))]
    pub async fn certificates_of_unit(
        &self,
        scope: &Scope,
        unit_id: i64,
        decision_number: Option<&str>,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Certificate>> {
        self.unit(scope, unit_id).await?;
        let limit = limit.clamp(1, MAX_CERTIFICATE_BATCH as i64);
        let decision = decision_number
            .map(|d| nfc(d.trim()))
            .filter(|d| !d.is_empty());
        let before = before_id.unwrap_or(i64::MAX);
        Ok(read!(self, p => {
            let q = match &decision {
                Some(d) => sqlx::query_as::<_, Certificate>(select!("WHERE c.issuer_unit_id = $1 AND c.decision_number = $2 AND c.certificate_id < $3 \
                     ORDER BY c.certificate_id DESC LIMIT $4")).bind(unit_id).bind(d.clone()),
                None => sqlx::query_as::<_, Certificate>(select!("WHERE c.issuer_unit_id = $1 AND c.certificate_id < $2 \
                     ORDER BY c.certificate_id DESC LIMIT $3")).bind(unit_id),
            };
            q.bind(before).bind(limit).fetch_all(p).await
        })?)
    }

    /// One certificate, for those who read its issuer.
    #[tracing::instrument(skip(self, scope))]
    pub async fn certificate(&self, scope: &Scope, certificate_id: i64) -> Result<Certificate> {
        let c: Certificate = read!(self, p => sqlx::query_as(select!("WHERE c.certificate_id = $1"))
            .bind(certificate_id).fetch_one(p).await)?;
        self.unit(scope, c.issuer_unit_id).await?;
        Ok(c)
    }

    /// The certificate with this code, for the public verification page (no
    /// scope: whoever holds the code may confirm it). Not found, without a
    /// query, for a text that cannot be a code.
    #[tracing::instrument(skip(self))]
    pub async fn certificate_by_code(&self, code: &str) -> Result<Certificate> {
        let code = normalize_certificate_code(code).ok_or(StoreError::NotFound)?;
        Ok(
            read!(self, p => sqlx::query_as(select!("WHERE c.code = $1"))
            .bind(code).fetch_one(p).await)?,
        )
    }

    /// Revokes a certificate (issued by mistake, or the decision was withdrawn):
    /// the verification page says so from then on. Needs a reason; audited.
    #[tracing::instrument(skip(self, scope, reason))]
    pub async fn revoke_certificate(
        &self,
        scope: &Scope,
        certificate_id: i64,
        reason: &str,
    ) -> Result<Certificate> {
        let c = self.certificate(scope, certificate_id).await?;
        let issuer = self.unit(scope, c.issuer_unit_id).await?;
        scope.check_write(&issuer.path)?;
        let reason = text(reason, "revoked_reason", MAX_CERT_TEXT, true, 0)?;
        if c.revoked_at.is_some() {
            return Err(rule(
                "ST2406",
                "certificate_id",
                "Giấy này đã bị thu hồi trước đó.",
                "This certificate was already revoked.",
            ));
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE certificate SET revoked_at = $1, revoked_reason = $2 WHERE certificate_id = $3 AND revoked_at IS NULL")
                .bind(now()).bind(&reason).bind(certificate_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "certificate_revoke", "certificate", Some(certificate_id), &issuer.path,
                format!("Thu hồi {} «{}» của {}: {reason}", certificate_kind_label(&c.kind).to_lowercase(), c.title, c.recipient_name),
                None, Some(serde_json::json!({"revoked_reason": reason})));
            tx.commit().await?;
        });
        self.certificate(scope, certificate_id).await
    }
}

/// The certificate a reward line is printed on: a "Giấy khen" reward on a giấy khen,
/// any other (a title, a "Giấy chứng nhận") on a giấy chứng nhận naming it.
fn certificate_of(d: &crate::RewardDecision, i: &crate::RewardItem, place: &str) -> NewCertificate {
    let name = congdoan_domain::text::fold(&i.reward_name);
    let is_form = |f: &str| name.starts_with(f);
    let kind = if is_form("giay khen") {
        "giay_khen"
    } else {
        "giay_chung_nhan"
    };
    let title = if is_form("giay khen") || is_form("giay chung nhan") {
        i.reason.clone().unwrap_or_else(|| d.title.clone())
    } else {
        i.reward_name.clone()
    };
    let reason = match &i.reason {
        Some(r) if *r != title => r.clone(),
        _ => format!("Đã có thành tích xuất sắc, kỳ {}.", i.period),
    };
    NewCertificate {
        kind: kind.into(),
        title,
        recipient_name: i.recipient_name.clone(),
        recipient_unit_name: Some(i.unit_name.clone()).filter(|u| !u.is_empty()),
        reason,
        decision_number: d.doc_number.clone(),
        decision_date: d.decided_on,
        place: place.to_string(),
        signer_position: d.signer_role.clone(),
        signer_name: d.signer_name.clone(),
        member_id: i.member_id,
        unit_id: i.unit_id,
        reward_item_id: Some(i.item_id),
    }
}

impl Store {
    /// The lines of a reward decision that have no certificate yet (a decision is
    /// printed once; a revoked certificate is not reissued by this path).
    pub async fn uncertified_reward_items(
        &self,
        scope: &Scope,
        decision_id: i64,
    ) -> Result<(crate::DecisionDetail, Vec<crate::RewardItem>)> {
        let d = self.reward_decision(scope, decision_id).await?;
        let done: Vec<i64> = read!(self, p => sqlx::query_scalar(
            "SELECT c.reward_item_id FROM certificate c JOIN reward_item i ON i.item_id = c.reward_item_id \
             WHERE i.decision_id = $1")
            .bind(decision_id).fetch_all(p).await)?;
        let left = d
            .items
            .iter()
            .filter(|i| !done.contains(&i.item_id))
            .cloned()
            .collect();
        Ok((d, left))
    }

    /// Issues a certificate for every line of a reward decision not yet printed, in the
    /// decision's name and with its number, date and signer; all or none.
    pub async fn certify_reward_decision(
        &self,
        scope: &Scope,
        decision_id: i64,
        place: &str,
    ) -> Result<Vec<Certificate>> {
        let (d, left) = self.uncertified_reward_items(scope, decision_id).await?;
        if left.is_empty() {
            return Err(rule(
                "ST2410",
                "decision_id",
                "Mọi người trong quyết định này đã được cấp giấy.",
                "Everyone in this decision already has a certificate.",
            ));
        }
        let items = left
            .iter()
            .map(|i| certificate_of(&d.decision, i, place))
            .collect();
        self.issue_certificates(scope, d.decision.issuer_unit_id, items)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unambiguous_and_normalised() {
        let a = new_certificate_code();
        let b = new_certificate_code();
        assert_eq!(a.len(), CERT_CODE_LEN);
        assert_ne!(a, b);
        assert!(!a.contains(['0', 'O', '1', 'I', 'L']));
        let spaced = format!("{}-{} {}", &a[..4], &a[4..8], &a[8..].to_lowercase());
        assert_eq!(normalize_certificate_code(&spaced), Some(a));
        assert_eq!(normalize_certificate_code("short"), None);
        assert_eq!(normalize_certificate_code("OOOOOOOOOOOO"), None);
    }
}
