//! Coordination regulations (quy chế phối hợp, seed 001): an agreement between a
//! coordinating union and the managing one, with its scope, creating the coordinating
//! links that let the partner read the covered units ("chỉ đạo song trùng").

use crate::audit::audit;
use crate::units::CoordinationLink;
use crate::{Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::text::nfc;
use serde::{Deserialize, Serialize};
use time::Date;

/// What a regulation covers (seed 001), as stored codes with their labels.
pub const AGREEMENT_SCOPE: &[(&str, &str, &str)] = &[
    (
        "info",
        "Trao đổi thông tin hai chiều, báo cáo định kỳ và chuyên đề",
        "Two-way information, periodic and thematic reports",
    ),
    (
        "congress",
        "Dự hội nghị, đại hội của CĐCS",
        "Attending the unions' conferences and congresses",
    ),
    (
        "survey",
        "Khảo sát tâm tư, nguyện vọng của người lao động",
        "Surveys of workers' aspirations",
    ),
    (
        "tet",
        "Thăm hỏi, tặng quà dịp lễ, Tết",
        "Visits and Tết gifts",
    ),
    (
        "boarding",
        "Tổ công nhân tự quản khu nhà trọ",
        "Self-managed boarding-house worker groups",
    ),
    ("month", "Tháng Công nhân", "Workers' Month"),
    (
        "conference",
        "Hội nghị người lao động hằng năm",
        "Annual workers' conferences",
    ),
    (
        "emulation",
        "Phong trào thi đua, khen thưởng",
        "Emulation movements and rewards",
    ),
    (
        "training",
        "Tập huấn, bồi dưỡng cán bộ",
        "Training of officials",
    ),
];

/// A coordination agreement with its parties and the number of covered units.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Agreement {
    pub agreement_id: i64,
    pub number: String,
    pub title: String,
    /// The coordinating side (e.g. the provincial federation).
    pub party_a_id: i64,
    pub party_a_name: String,
    /// The managing side (a central sector or corporation union).
    pub party_b_id: i64,
    pub party_b_name: String,
    pub path_a: String,
    pub path_b: String,
    pub signed_on: Date,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    /// Comma-separated codes of [`AGREEMENT_SCOPE`].
    pub scope_items: String,
    /// Ended early (chấm dứt) on this day, with the reason.
    pub ended_on: Option<Date>,
    pub end_reason: Option<String>,
    /// Links in force (not ended) that the agreement created or adopted.
    pub covered: i64,
    /// Consent: `proposed` (waiting for the partner), `accepted`, `declined`, `withdrawn`.
    pub consent: String,
    /// The code the proposer typed for a partner they may not read: the only name their
    /// pages and answers show (see [`Agreement::masked`]).
    pub partner_code: Option<String>,
    /// Ids of the covered units (comma-separated) until acceptance creates their links.
    #[serde(skip)]
    pub proposed_units: Option<String>,
    /// When and by whom the partner accepted or declined, or the proposer withdrew.
    pub decided_on: Option<Date>,
    pub decided_by: Option<String>,
    /// The partner is named by its code alone: its id, name and path are withheld.
    #[sqlx(default)]
    pub masked: bool,
}

/// Where an agreement stands on a day: computed from its dates, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum AgreementStatus {
    /// Proposed; waiting for the partner's officer to accept.
    Proposed,
    Declined,
    Withdrawn,
    /// Signed, not yet in force.
    Pending,
    InForce,
    Expired,
    Ended,
}

impl AgreementStatus {
    pub fn code(self) -> &'static str {
        match self {
            AgreementStatus::Proposed => "proposed",
            AgreementStatus::Declined => "declined",
            AgreementStatus::Withdrawn => "withdrawn",
            AgreementStatus::Pending => "pending",
            AgreementStatus::InForce => "in_force",
            AgreementStatus::Expired => "expired",
            AgreementStatus::Ended => "ended",
        }
    }
    /// (Vietnamese, English) label.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            AgreementStatus::Proposed => ("Chờ đối tác chấp thuận", "Waiting for the partner"),
            AgreementStatus::Declined => ("Đối tác từ chối", "Declined by the partner"),
            AgreementStatus::Withdrawn => ("Đã rút đề nghị", "Proposal withdrawn"),
            AgreementStatus::Pending => ("Chưa có hiệu lực", "Not yet in force"),
            AgreementStatus::InForce => ("Còn hiệu lực", "In force"),
            AgreementStatus::Expired => ("Hết hiệu lực", "Expired"),
            AgreementStatus::Ended => ("Đã chấm dứt", "Ended"),
        }
    }
}

/// A unit the caller reads only through a coordination link, with the agreement (if
/// any) that created the link: the "Đơn vị phối hợp theo quy chế" of a dashboard,
/// the tree and a unit page's read-only banner.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CoordinatedUnit {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub path: String,
    /// Active members of its subtree (maintained figures).
    pub members: i64,
    pub coordinator_id: i64,
    pub coordinator_name: String,
    /// The managing parent today.
    pub manager_name: Option<String>,
    pub agreement_id: Option<i64>,
    pub agreement_number: Option<String>,
    pub agreement_title: Option<String>,
    /// The managing party of the agreement.
    pub party_b_name: Option<String>,
}

/// Changes to an agreement's text (not its parties or covered units).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AgreementEdit {
    pub number: String,
    pub title: String,
    pub signed_on: Date,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub scope_items: Vec<String>,
}

impl Agreement {
    /// Its status on `today`: an early end wins, then the validity dates.
    pub fn status(&self, today: Date) -> AgreementStatus {
        match self.consent.as_str() {
            "proposed" => return AgreementStatus::Proposed,
            "declined" => return AgreementStatus::Declined,
            "withdrawn" => return AgreementStatus::Withdrawn,
            _ => {}
        }
        if self.ended_on.is_some_and(|d| d <= today) {
            AgreementStatus::Ended
        } else if self.valid_to.is_some_and(|d| d <= today) {
            AgreementStatus::Expired
        } else if self.valid_from > today {
            AgreementStatus::Pending
        } else {
            AgreementStatus::InForce
        }
    }

    /// Waiting for the partner's answer.
    pub fn is_proposal(&self) -> bool {
        self.consent == "proposed"
    }

    /// The ids of the units a proposal covers.
    pub fn proposed_unit_ids(&self) -> Vec<i64> {
        self.proposed_units
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    }

    /// Withholds the partner from a caller who may not read it (or when no unit has
    /// the typed code): the code typed stands for its name; id and path are blanked,
    /// so a hidden unit and an unknown code read the same.
    fn mask(mut self, scope: &Scope) -> Agreement {
        if let Some(code) = &self.partner_code
            && (self.party_a_id == self.party_b_id || !scope.can_read(&self.path_a))
        {
            self.party_a_name = code.clone();
            self.party_a_id = 0;
            self.path_a = String::new();
            self.masked = true;
        }
        self
    }

    /// The caller may answer the proposal for the partner (accept or decline).
    pub fn may_answer(&self, scope: &Scope) -> bool {
        self.is_proposal()
            && !self.masked
            && self.party_a_id != self.party_b_id
            && scope.can_write(&self.path_a)
    }

    /// The caller may end the agreement (or withdraw or decline the proposal): either side.
    pub fn may_end(&self, scope: &Scope) -> bool {
        matches!(self.consent.as_str(), "proposed" | "accepted")
            && self.ended_on.is_none()
            && (scope.can_write(&self.path_b)
                || (!self.masked
                    && self.party_a_id != self.party_b_id
                    && scope.can_write(&self.path_a)))
    }

    pub fn scope_codes(&self) -> Vec<&str> {
        self.scope_items
            .split(',')
            .filter(|s| !s.is_empty())
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AgreementInput {
    pub number: String,
    pub title: String,
    pub party_a_id: i64,
    pub party_b_id: i64,
    pub signed_on: Date,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub scope_items: Vec<String>,
    /// Units of the managing side that the coordinating side co-directs.
    pub unit_ids: Vec<i64>,
    /// The coordinating side by its code (instead of `party_a_id`): any unit may be
    /// named so; one the caller may not read is then named by this code alone.
    #[serde(default)]
    pub party_a_code: Option<String>,
}

/// The partner as resolved for a proposal: a unit the caller may name, or the code typed
/// (with the `(unit_id, path)` of the unit, if any, that holds it).
enum PartnerRef {
    Named(Box<crate::Unit>),
    Code(String, Option<(i64, String)>),
}

const SELECT: &str = "SELECT g.agreement_id, g.number, g.title, g.party_a_id, a.name AS party_a_name, g.party_b_id, b.name AS party_b_name, \
     g.path_a, g.path_b, g.signed_on, g.valid_from, g.valid_to, g.scope_items, g.ended_on, g.end_reason, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM unit_link l WHERE l.agreement_id = g.agreement_id \
        AND ((l.valid_to IS NULL AND g.valid_to IS NULL) OR l.valid_to = g.valid_to)) AS covered, \
     g.status AS consent, g.partner_code, g.proposed_units, g.decided_on, g.decided_by \
     FROM coordination_agreement g JOIN unit a ON a.unit_id = g.party_a_id JOIN unit b ON b.unit_id = g.party_b_id ";

fn rule(code: &'static str, field: &'static str, vi: &str, en: &str) -> StoreError {
    StoreError::rule(code, field, vi, en)
}

/// Checks an agreement's number, title, dates and scope items (shared by recording
/// and editing); returns the cleaned number, title and comma-joined items.
fn check_text(
    number: &str,
    title: &str,
    signed_on: Date,
    valid_from: Date,
    valid_to: Option<Date>,
    scope_items: &[String],
) -> Result<(String, String, String)> {
    let (number, title) = (nfc(number.trim()), nfc(title.trim()));
    if number.is_empty() {
        return Err(rule(
            "ST1001",
            "number",
            "Ghi số văn bản quy chế.",
            "Enter the regulation's number.",
        ));
    }
    if title.chars().count() < 5 {
        return Err(rule(
            "ST1002",
            "title",
            "Ghi tên quy chế (ít nhất 5 ký tự).",
            "Enter the regulation's title (at least 5 characters).",
        ));
    }
    if valid_to.is_some_and(|t| t <= valid_from) || valid_from < signed_on {
        return Err(rule(
            "ST1004",
            "valid_to",
            "Hiệu lực phải từ ngày ký trở đi và ngày hết hạn sau ngày bắt đầu.",
            "Validity must start on or after signing and end after it starts.",
        ));
    }
    let items: Vec<&str> = scope_items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty()
        || items
            .iter()
            .any(|i| !AGREEMENT_SCOPE.iter().any(|(c, _, _)| c == i))
    {
        return Err(rule(
            "ST1005",
            "scope_items",
            "Chọn ít nhất một nội dung phối hợp trong danh sách.",
            "Choose at least one listed scope item.",
        ));
    }
    Ok((number, title, items.join(",")))
}

/// `(link_id, unit_id, unit name, path)` of the links in force that an agreement holds.
type OpenLink = (i64, i64, String, String);

impl Store {
    /// Whether a unit's name may be shown to anyone: the national unit and the
    /// top-level unions (provincial federations, central sector unions, corporations).
    async fn is_top_level(&self, type_code: &str) -> Result<bool> {
        let tier: Option<i64> = read!(self, p => sqlx::query_scalar("SELECT tier FROM unit_type WHERE type_code = $1")
            .bind(type_code).fetch_optional(p).await)?;
        Ok(tier.is_some_and(|t| t <= 2))
    }

    /// The partner of a new agreement. By id: a unit the caller may read or a top-level
    /// one, else not found (as for an unknown id). By code: such a unit by its name;
    /// any other code — a hidden unit's or one no unit has — is taken as typed, with one
    /// look-up either way, so the two cannot be told apart. (An administrator reads
    /// every unit, so an unknown code is simply not found.)
    async fn partner(&self, scope: &Scope, id: i64, code: Option<&str>) -> Result<PartnerRef> {
        let Some(code) = code.map(|c| c.trim().to_uppercase()) else {
            let a = self.unit_unscoped(id).await?;
            return if scope.can_read(&a.path) || self.is_top_level(&a.type_code).await? {
                Ok(PartnerRef::Named(Box::new(a)))
            } else {
                Err(StoreError::NotFound)
            };
        };
        // One indexed look-up answers both questions (exists, may be named), so a hidden
        // code costs what an unknown one does.
        let a: Option<(i64, String, i64)> = read!(self, p => sqlx::query_as(
            "SELECT u.unit_id, u.path, t.tier FROM unit u JOIN unit_type t ON t.type_code = u.type_code WHERE u.code = $1")
            .bind(&code).fetch_optional(p).await)?;
        match a {
            Some((id, path, tier)) if scope.can_read(&path) || tier <= 2 => {
                Ok(PartnerRef::Named(Box::new(self.unit_unscoped(id).await?)))
            }
            None if scope.is_admin() || code.is_empty() => Err(rule(
                "ST1013",
                "party_a_id",
                &format!("không tìm thấy đơn vị có mã '{code}'."),
                &format!("no unit has the code '{code}'."),
            )),
            a => Ok(PartnerRef::Code(code, a.map(|(id, path, _)| (id, path)))),
        }
    }

    /// Records an agreement. When the caller may write both sides (an administrator
    /// records for both at once) it is in force with its coordinating links (links
    /// already in force for the same pair are attached to it, not doubled); otherwise it
    /// is a proposal that grants nothing until an officer of the partner accepts it.
    #[tracing::instrument(skip(self, scope, input), fields(number = %input.number))]
    pub async fn create_agreement(
        &self,
        scope: &Scope,
        input: AgreementInput,
    ) -> Result<Agreement> {
        let b = self.unit(scope, input.party_b_id).await?;
        scope.check_write(&b.path)?;
        let partner = self
            .partner(scope, input.party_a_id, input.party_a_code.as_deref())
            .await?;
        if let PartnerRef::Named(a) = &partner
            && (a.path.starts_with(&b.path) || b.path.starts_with(&a.path))
        {
            return Err(same_line_rule());
        }
        let (number, title, items) = check_text(
            &input.number,
            &input.title,
            input.signed_on,
            input.valid_from,
            input.valid_to,
            &input.scope_items,
        )?;
        if input.unit_ids.is_empty() {
            return Err(rule(
                "ST1006",
                "unit_ids",
                "Chọn các đơn vị thuộc phạm vi phối hợp.",
                "Choose the covered units.",
            ));
        }
        let mut units = Vec::new();
        for &id in &input.unit_ids {
            let u = self.unit(scope, id).await?;
            if !u.path.starts_with(&b.path) || u.ended_on.is_some() {
                return Err(rule(
                    "ST1007",
                    "unit_ids",
                    &format!("{} không thuộc {} hoặc đã giải thể.", u.name, b.name),
                    &format!("{} is not an active unit of {}.", u.name, b.name),
                ));
            }
            units.push(u);
        }
        // A partner named by code stands in as the managing side itself when no unit
        // has the code: a proposal no one can accept, recorded like any other.
        let (a_id, a_path, a_label, code) = match &partner {
            PartnerRef::Named(a) => (a.unit_id, a.path.clone(), a.name.clone(), None),
            PartnerRef::Code(code, a) => (
                a.as_ref().map_or(b.unit_id, |a| a.0),
                a.as_ref().map_or(b.path.clone(), |a| a.1.clone()),
                format!("đơn vị mã {code}"),
                Some(code.clone()),
            ),
        };
        let both = code.is_none() && scope.can_write(&a_path);
        let proposed: Option<String> = (!both).then(|| {
            units
                .iter()
                .map(|u| u.unit_id.to_string())
                .collect::<Vec<_>>()
                .join(",")
        });
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO coordination_agreement (number, title, party_a_id, party_b_id, path_a, path_b, signed_on, valid_from, valid_to, scope_items, created_at, status, partner_code, proposed_units) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING agreement_id")
                .bind(&number).bind(&title).bind(a_id).bind(b.unit_id).bind(&a_path).bind(&b.path).bind(input.signed_on)
                .bind(input.valid_from).bind(input.valid_to).bind(&items).bind(now())
                .bind(if both { "accepted" } else { "proposed" }).bind(&code).bind(&proposed)
                .fetch_one(&mut *tx).await?;
            if both {
                let ids: Vec<i64> = units.iter().map(|u| u.unit_id).collect();
                create_links!(tx, id, a_id, &ids, input.valid_from, input.valid_to, format!("{title} (số {number})"));
                audit!(&mut *tx, scope, "create", "agreement", Some(id), &b.path,
                    format!("Quy chế phối hợp số {number} giữa {a_label} và {} ({} đơn vị), ghi nhận cho cả hai bên", b.name, units.len()), None, None);
            } else {
                audit!(&mut *tx, scope, "propose", "agreement", Some(id), &b.path,
                    format!("Đề nghị phối hợp số {number}: {} đề nghị {a_label} phối hợp ({} đơn vị), chờ đối tác chấp thuận", b.name, units.len()), None, None);
            }
            tx.commit().await?;
            id
        });
        Ok(self.agreement(scope, id).await?.0)
    }

    /// The partner accepts a proposal: its coordinating links are created from today
    /// (or the agreed start, if later), so the partner's scope reads the covered units.
    #[tracing::instrument(skip(self, scope))]
    pub async fn accept_agreement(
        &self,
        scope: &Scope,
        agreement_id: i64,
        today: Date,
    ) -> Result<Agreement> {
        let g = self.proposal_for_answer(scope, agreement_id).await?;
        let a = self.unit(scope, g.party_a_id).await?;
        let b = self.unit_unscoped(g.party_b_id).await?;
        if a.path.starts_with(&b.path) || b.path.starts_with(&a.path) {
            return Err(same_line_rule());
        }
        if g.valid_to.is_some_and(|t| t <= today) {
            return Err(rule(
                "ST1015",
                "valid_to",
                "Đề nghị đã hết thời hạn hiệu lực; hãy từ chối và đề nghị bên kia gửi lại.",
                "The proposal's validity has passed; decline it and ask for a new one.",
            ));
        }
        let mut ids = Vec::new();
        for id in g.proposed_unit_ids() {
            let u = self.unit_unscoped(id).await?;
            if u.path.starts_with(&b.path) && u.ended_on.is_none() {
                ids.push(id);
            }
        }
        let from = g.valid_from.max(today);
        let who = scope.actor().username.clone();
        write!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE coordination_agreement SET status = 'accepted', decided_on = $1, decided_by = $2, path_a = $3, proposed_units = NULL \
                 WHERE agreement_id = $4 AND status = 'proposed'")
                .bind(today).bind(&who).bind(&a.path).bind(agreement_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(answered_rule());
            }
            create_links!(tx, agreement_id, a.unit_id, &ids, from, g.valid_to, format!("{} (số {})", g.title, g.number));
            audit!(&mut *tx, scope, "accept", "agreement", Some(agreement_id), &a.path,
                format!("{} chấp thuận quy chế phối hợp số {} với {} ({} đơn vị chia sẻ thông tin từ {})",
                    a.name, g.number, g.party_b_name, ids.len(), congdoan_domain::date::format_vn_date(from)), None, None);
            tx.commit().await?;
        });
        Ok(self.agreement(scope, agreement_id).await?.0)
    }

    /// The partner declines a proposal, with a reason; nothing is shared.
    #[tracing::instrument(skip(self, scope, reason))]
    pub async fn decline_agreement(
        &self,
        scope: &Scope,
        agreement_id: i64,
        today: Date,
        reason: &str,
    ) -> Result<Agreement> {
        let g = self.proposal_for_answer(scope, agreement_id).await?;
        let reason = check_reason(reason)?;
        self.close_proposal(scope, &g, "declined", today, &reason)
            .await?;
        Ok(self.agreement(scope, agreement_id).await?.0)
    }

    /// A proposal the caller may answer for the partner.
    async fn proposal_for_answer(&self, scope: &Scope, agreement_id: i64) -> Result<Agreement> {
        let (g, _) = self.agreement(scope, agreement_id).await?;
        if g.masked || g.party_a_id == g.party_b_id {
            return Err(StoreError::NotFound);
        }
        scope.check_write(&g.path_a)?;
        if !g.is_proposal() {
            return Err(answered_rule());
        }
        Ok(g)
    }

    /// Declines (the partner) or withdraws (the proposer) a proposal.
    async fn close_proposal(
        &self,
        scope: &Scope,
        g: &Agreement,
        to: &'static str,
        on: Date,
        reason: &str,
    ) -> Result<()> {
        let who = scope.actor().username.clone();
        let (action, path, text) = if to == "declined" {
            (
                "decline",
                &g.path_a,
                format!(
                    "{} từ chối đề nghị phối hợp số {} của {}: {reason}",
                    g.party_a_name, g.number, g.party_b_name
                ),
            )
        } else {
            (
                "withdraw",
                &g.path_b,
                format!(
                    "{} rút đề nghị phối hợp số {} gửi {}: {reason}",
                    g.party_b_name, g.number, g.party_a_name
                ),
            )
        };
        write!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE coordination_agreement SET status = $1, decided_on = $2, decided_by = $3, ended_on = $2, end_reason = $4 \
                 WHERE agreement_id = $5 AND status = 'proposed'")
                .bind(to).bind(on).bind(&who).bind(reason).bind(g.agreement_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(answered_rule());
            }
            audit!(&mut *tx, scope, action, "agreement", Some(g.agreement_id), path, text, None,
                Some(serde_json::json!({"status": to, "reason": reason})));
            tx.commit().await?;
        });
        Ok(())
    }

    /// Proposals waiting for an answer from a partner in the caller's writable
    /// subtrees (within `within`, if given): the partner officers' to-do. Newest first.
    pub async fn proposals_to_answer(
        &self,
        scope: &Scope,
        within: &[String],
        limit: i64,
    ) -> Result<Vec<Agreement>> {
        let rows: Vec<Agreement> = read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(format!(
                "{SELECT} WHERE g.status = 'proposed' AND g.party_a_id <> g.party_b_id AND "));
            if scope.is_admin() {
                qb.push(" (1=1) ");
            } else {
                crate::scope::push_ranges(&mut qb, "", "g.path_a", scope.write_paths());
            }
            if !within.is_empty() {
                crate::scope::push_ranges(&mut qb, " AND ", "g.path_a", within);
            }
            qb.push(" ORDER BY g.agreement_id DESC LIMIT ").push_bind(limit);
            qb.build_query_as::<Agreement>().fetch_all(p).await
        })?;
        Ok(rows.into_iter().map(|g| g.mask(scope)).collect())
    }

    /// Agreements where the unit is a party, and proposals waiting for a partner in its
    /// subtree (sent and received), newest first; partners the caller may not read are
    /// named by the code typed.
    pub async fn agreements(&self, scope: &Scope, unit_id: i64) -> Result<Vec<Agreement>> {
        let u = self.unit(scope, unit_id).await?;
        let rows: Vec<Agreement> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE g.party_a_id = $1 OR g.party_b_id = $1 \
             OR (g.status = 'proposed' AND g.party_a_id <> g.party_b_id AND g.path_a >= $2 AND g.path_a < $3) \
             ORDER BY g.signed_on DESC, g.agreement_id DESC")))
            .bind(unit_id).bind(&u.path).bind(crate::scope::range_end(&u.path)).fetch_all(p).await)?;
        Ok(rows.into_iter().map(|g| g.mask(scope)).collect())
    }

    /// One agreement (readable by either party's scope) and the links it created.
    pub async fn agreement(
        &self,
        scope: &Scope,
        agreement_id: i64,
    ) -> Result<(Agreement, Vec<CoordinationLink>)> {
        let g: Agreement = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE g.agreement_id = $1")))
            .bind(agreement_id).fetch_one(p).await)?;
        if !scope.can_read(&g.path_a) && !scope.can_read(&g.path_b) {
            return Err(StoreError::NotFound);
        }
        let g = g.mask(scope);
        let links = read!(self, p => sqlx::query_as(
            "SELECT l.link_id, l.unit_id, u.name AS unit_name, l.coordinator_id, c.name AS coordinator_name, \
             l.valid_from, l.valid_to, l.note FROM unit_link l JOIN unit u ON u.unit_id = l.unit_id \
             JOIN unit c ON c.unit_id = l.coordinator_id WHERE l.agreement_id = $1 ORDER BY u.name")
            .bind(agreement_id).fetch_all(p).await)?;
        Ok((g, links))
    }
}

impl Store {
    /// Units the caller reads only through a coordination link in force on `today`,
    /// each with the agreement that created the link (None for a link recorded by
    /// hand), ordered by agreement then name. Only the outermost coordinated units.
    #[tracing::instrument(skip(self, scope))]
    pub async fn coordinated_units(
        &self,
        scope: &Scope,
        today: Date,
    ) -> Result<Vec<CoordinatedUnit>> {
        let paths: Vec<String> = scope
            .read_paths()
            .iter()
            .filter(|p| scope.is_coordinated(p))
            .cloned()
            .collect();
        if paths.is_empty() {
            return Ok(vec![]);
        }
        let rows: Vec<CoordinatedUnit> = read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT u.unit_id, u.code, u.name, u.path, COALESCE(st.n, 0) AS members, l.coordinator_id, c.name AS coordinator_name, \
                 m.name AS manager_name, l.agreement_id, g.number AS agreement_number, g.title AS agreement_title, b.name AS party_b_name \
                 FROM unit u JOIN unit_link l ON l.unit_id = u.unit_id JOIN unit c ON c.unit_id = l.coordinator_id \
                 LEFT JOIN unit m ON m.unit_id = u.parent_id \
                 LEFT JOIN coordination_agreement g ON g.agreement_id = l.agreement_id LEFT JOIN unit b ON b.unit_id = g.party_b_id \
                 LEFT JOIN unit_stat st ON st.unit_id = u.unit_id AND st.dim = 'status' AND st.key = 'member' \
                 WHERE l.valid_from <= ");
            qb.push_bind(today).push(" AND (l.valid_to IS NULL OR l.valid_to > ").push_bind(today).push(") AND u.path IN (");
            let mut sep = qb.separated(", ");
            for path in &paths {
                sep.push_bind(path.clone());
            }
            qb.push(") AND ");
            scope.push_granted_filter(&mut qb, "c.path");
            qb.push(" ORDER BY (CASE WHEN g.number IS NULL THEN 1 ELSE 0 END), g.number, u.name, l.link_id");
            qb.build_query_as::<CoordinatedUnit>().fetch_all(p).await
        })?;
        let mut seen = std::collections::HashSet::new();
        Ok(rows
            .into_iter()
            .filter(|r| seen.insert(r.unit_id))
            .collect())
    }

    /// Why a unit at `path` is visible to the caller when it is not in their own
    /// subtree: the coordinated unit holding it and its agreement.
    pub async fn coordination_basis(
        &self,
        scope: &Scope,
        path: &str,
        today: Date,
    ) -> Result<Option<CoordinatedUnit>> {
        if !scope.is_coordinated(path) {
            return Ok(None);
        }
        Ok(self
            .coordinated_units(scope, today)
            .await?
            .into_iter()
            .find(|c| path.starts_with(c.path.as_str())))
    }

    /// The agreement for a change: readable, and written only by the managing side.
    async fn agreement_for_write(&self, scope: &Scope, agreement_id: i64) -> Result<Agreement> {
        let (g, _) = self.agreement(scope, agreement_id).await?;
        scope.check_write(&g.path_b)?;
        Ok(g)
    }

    /// The links in force that an agreement holds: `(link_id, unit_id, name, path)`.
    async fn open_links(&self, agreement_id: i64, on: Date) -> Result<Vec<OpenLink>> {
        Ok(read!(self, p => sqlx::query_as(
            "SELECT l.link_id, l.unit_id, u.name, u.path FROM unit_link l JOIN unit u ON u.unit_id = l.unit_id \
             WHERE l.agreement_id = $1 AND (l.valid_to IS NULL OR l.valid_to > $2) ORDER BY u.name")
            .bind(agreement_id).bind(on).fetch_all(p).await)?)
    }

    /// Units that would lose coordinated access if the agreement ended on `on`.
    pub async fn agreement_open_units(
        &self,
        scope: &Scope,
        agreement_id: i64,
        on: Date,
    ) -> Result<Vec<(i64, String)>> {
        self.agreement(scope, agreement_id).await?;
        Ok(self
            .open_links(agreement_id, on)
            .await?
            .into_iter()
            .map(|(_, id, name, _)| (id, name))
            .collect())
    }

    /// The units a proposal would share, by name (either party may read them: the
    /// proposer offers them to the partner). Empty once answered.
    pub async fn agreement_proposed_units(
        &self,
        scope: &Scope,
        agreement_id: i64,
    ) -> Result<Vec<(i64, String)>> {
        let (g, _) = self.agreement(scope, agreement_id).await?;
        let mut out = Vec::new();
        if g.is_proposal() {
            for id in g.proposed_unit_ids() {
                let u = self.unit_unscoped(id).await?;
                out.push((u.unit_id, u.name));
            }
        }
        Ok(out)
    }

    /// Edits the number, title, dates and scope of an agreement; a new end date moves
    /// the end of the links that ran to the old one.
    #[tracing::instrument(skip(self, scope, input))]
    pub async fn update_agreement(
        &self,
        scope: &Scope,
        agreement_id: i64,
        input: AgreementEdit,
    ) -> Result<Agreement> {
        let g = self.agreement_for_write(scope, agreement_id).await?;
        let (number, title, items) = check_text(
            &input.number,
            &input.title,
            input.signed_on,
            input.valid_from,
            input.valid_to,
            &input.scope_items,
        )?;
        if g.ended_on.is_some() {
            return Err(ended_rule());
        }
        let before = serde_json::json!({"number": g.number, "title": g.title, "signed_on": g.signed_on, "valid_from": g.valid_from, "valid_to": g.valid_to, "scope_items": g.scope_items});
        let after = serde_json::json!({"number": number, "title": title, "signed_on": input.signed_on, "valid_from": input.valid_from, "valid_to": input.valid_to, "scope_items": items});
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE coordination_agreement SET number = $1, title = $2, signed_on = $3, valid_from = $4, valid_to = $5, scope_items = $6 WHERE agreement_id = $7")
                .bind(&number).bind(&title).bind(input.signed_on).bind(input.valid_from).bind(input.valid_to).bind(&items).bind(agreement_id)
                .execute(&mut *tx).await?;
            move_link_ends!(tx, agreement_id, g.valid_to, input.valid_to);
            audit!(&mut *tx, scope, "update", "agreement", Some(agreement_id), &g.path_b,
                format!("Sửa quy chế phối hợp số {number} giữa {} và {}", g.party_a_name, g.party_b_name), Some(before), Some(after));
            tx.commit().await?;
        });
        Ok(self.agreement(scope, agreement_id).await?.0)
    }

    /// Renews an agreement to a new end date (None: open-ended), with its links.
    #[tracing::instrument(skip(self, scope))]
    pub async fn renew_agreement(
        &self,
        scope: &Scope,
        agreement_id: i64,
        valid_to: Option<Date>,
        today: Date,
    ) -> Result<Agreement> {
        let g = self.agreement_for_write(scope, agreement_id).await?;
        if g.ended_on.is_some() {
            return Err(ended_rule());
        }
        let later = match (valid_to, g.valid_to) {
            (Some(new), Some(old)) => new > old && new > today,
            (Some(new), None) => new > today,
            (None, _) => true,
        };
        if !later {
            return Err(rule(
                "ST1008",
                "valid_to",
                "Ngày hết hạn mới phải sau ngày hết hạn cũ và sau hôm nay.",
                "The new end date must be after the old one and after today.",
            ));
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE coordination_agreement SET valid_to = $1 WHERE agreement_id = $2")
                .bind(valid_to).bind(agreement_id).execute(&mut *tx).await?;
            move_link_ends!(tx, agreement_id, g.valid_to, valid_to);
            audit!(&mut *tx, scope, "renew", "agreement", Some(agreement_id), &g.path_b,
                format!("Gia hạn quy chế phối hợp số {} giữa {} và {}", g.number, g.party_a_name, g.party_b_name),
                Some(serde_json::json!({"valid_to": g.valid_to})), Some(serde_json::json!({"valid_to": valid_to})));
            tx.commit().await?;
        });
        Ok(self.agreement(scope, agreement_id).await?.0)
    }

    /// Ends an agreement early on `on` with a reason; every link it holds ends then, so
    /// the coordinating side loses read access to the covered units from that day.
    /// Either side may end it; a proposal is withdrawn by its proposer and declined by
    /// the partner.
    #[tracing::instrument(skip(self, scope, reason))]
    pub async fn end_agreement(
        &self,
        scope: &Scope,
        agreement_id: i64,
        on: Date,
        reason: &str,
    ) -> Result<Agreement> {
        let (g, _) = self.agreement(scope, agreement_id).await?;
        if !g.may_end(scope) {
            if g.ended_on.is_some() || !matches!(g.consent.as_str(), "proposed" | "accepted") {
                return Err(ended_rule());
            }
            return Err(StoreError::Forbidden);
        }
        if g.is_proposal() {
            let reason = check_reason(reason)?;
            let to = if scope.can_write(&g.path_b) {
                "withdrawn"
            } else {
                "declined"
            };
            self.close_proposal(scope, &g, to, on, &reason).await?;
            return Ok(self.agreement(scope, agreement_id).await?.0);
        }
        if on < g.valid_from || g.valid_to.is_some_and(|t| on >= t) {
            return Err(rule(
                "ST1010",
                "ended_on",
                "Ngày chấm dứt phải trong thời gian hiệu lực của quy chế.",
                "The end date must fall within the agreement's validity.",
            ));
        }
        let reason = check_reason(reason)?;
        let open = self.open_links(agreement_id, on).await?;
        let path = if scope.can_write(&g.path_b) {
            &g.path_b
        } else {
            &g.path_a
        };
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE coordination_agreement SET ended_on = $1, end_reason = $2 WHERE agreement_id = $3")
                .bind(on).bind(&reason).bind(agreement_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE unit_link SET valid_to = $1 WHERE agreement_id = $2 AND (valid_to IS NULL OR valid_to > $1)")
                .bind(on).bind(agreement_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "end", "agreement", Some(agreement_id), path,
                format!("Chấm dứt quy chế phối hợp số {} giữa {} và {} từ {} ({} đơn vị thôi phối hợp): {reason}",
                    g.number, g.party_a_name, g.party_b_name, congdoan_domain::date::format_vn_date(on), open.len()),
                None, Some(serde_json::json!({"ended_on": on, "end_reason": reason})));
            tx.commit().await?;
        });
        Ok(self.agreement(scope, agreement_id).await?.0)
    }

    /// Takes one covered unit out of an agreement from `on`: its link ends that day.
    #[tracing::instrument(skip(self, scope))]
    pub async fn remove_agreement_unit(
        &self,
        scope: &Scope,
        agreement_id: i64,
        unit_id: i64,
        on: Date,
    ) -> Result<Agreement> {
        let g = self.agreement_for_write(scope, agreement_id).await?;
        let open = self.open_links(agreement_id, on).await?;
        let Some((link_id, _, name, _)) = open.into_iter().find(|l| l.1 == unit_id) else {
            return Err(rule(
                "ST1012",
                "unit_id",
                "Đơn vị này không còn trong phạm vi quy chế.",
                "This unit is no longer covered by the agreement.",
            ));
        };
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE unit_link SET valid_to = $1 WHERE link_id = $2")
                .bind(on).bind(link_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "remove_unit", "agreement", Some(agreement_id), &g.path_b,
                format!("Đưa {name} ra khỏi quy chế phối hợp số {} từ {}", g.number, congdoan_domain::date::format_vn_date(on)),
                Some(serde_json::json!({"unit_id": unit_id})), None);
            tx.commit().await?;
        });
        Ok(self.agreement(scope, agreement_id).await?.0)
    }
}

/// The reason for ending, withdrawing or declining, cleaned (at least 3 characters).
fn check_reason(reason: &str) -> Result<String> {
    let reason = nfc(reason.trim());
    if reason.chars().count() < 3 {
        return Err(rule(
            "ST1011",
            "end_reason",
            "Ghi lý do chấm dứt.",
            "Enter the reason for ending.",
        ));
    }
    Ok(reason)
}

fn same_line_rule() -> StoreError {
    rule(
        "ST1003",
        "party_a_id",
        "Hai bên phải thuộc hai tuyến quản lý khác nhau.",
        "The parties must belong to different managing lines.",
    )
}

fn answered_rule() -> StoreError {
    rule(
        "ST1014",
        "agreement",
        "Đề nghị này đã được trả lời hoặc đã rút; không còn chờ chấp thuận.",
        "This proposal was already answered or withdrawn.",
    )
}

/// Creates the coordinating links of an agreement in force (on transaction `$tx`),
/// adopting links already in force for the same pair:
/// `create_links!(tx, agreement_id, coordinator_id, &unit_ids, from, to, note)`.
macro_rules! create_links {
    ($tx:ident, $id:expr, $coord:expr, $units:expr, $from:expr, $to:expr, $note:expr) => {
        for u in $units {
            let n = sqlx::query("UPDATE unit_link SET agreement_id = $1 WHERE unit_id = $2 AND coordinator_id = $3 AND valid_to IS NULL AND agreement_id IS NULL")
                .bind($id).bind(*u).bind($coord).execute(&mut *$tx).await?.rows_affected();
            if n == 0 {
                sqlx::query("INSERT INTO unit_link (unit_id, coordinator_id, kind, valid_from, valid_to, note, agreement_id) VALUES ($1, $2, 'coordinating', $3, $4, $5, $6)")
                    .bind(*u).bind($coord).bind($from).bind($to).bind($note).bind($id).execute(&mut *$tx).await?;
            }
        }
    };
}
use create_links;

fn ended_rule() -> StoreError {
    rule(
        "ST1009",
        "ended_on",
        "Quy chế đã chấm dứt, không sửa hoặc gia hạn được nữa.",
        "The agreement has ended; it can no longer be edited or renewed.",
    )
}

/// Moves the end of the links that ran to an agreement's old end date to the new one
/// (on transaction `$tx`): `move_link_ends!(tx, agreement_id, old, new)`.
macro_rules! move_link_ends {
    ($tx:ident, $id:expr, $old:expr, $new:expr) => {
        if $old != $new {
            sqlx::query("UPDATE unit_link SET valid_to = $1 WHERE agreement_id = $2 AND ((valid_to IS NULL AND $3 IS NULL) OR valid_to = $3)")
                .bind($new).bind($id).bind($old).execute(&mut *$tx).await?;
        }
    };
}
use move_link_ends;

impl Store {
    /// Creates the demo's agreements over the coordinating links already loaded.
    pub async fn load_demo_agreements(
        &self,
        seeds: &[congdoan_domain::seed::AgreementSeed],
    ) -> Result<()> {
        let scope = Scope::admin(crate::Actor::system("nạp dữ liệu mẫu"));
        for s in seeds {
            let (a, b) = (
                self.unit_by_code(&scope, s.party_a).await?,
                self.unit_by_code(&scope, s.party_b).await?,
            );
            let unit_ids: Vec<i64> = self
                .coordination(&scope, a.unit_id, s.signed_on)
                .await?
                .into_iter()
                .filter(|l| l.coordinator_id == a.unit_id)
                .map(|l| l.unit_id)
                .collect();
            let mut covered = Vec::new();
            for id in unit_ids {
                if self.unit(&scope, id).await?.path.starts_with(&b.path) {
                    covered.push(id);
                }
            }
            self.create_agreement(
                &scope,
                AgreementInput {
                    number: s.number.into(),
                    title: format!("Quy chế phối hợp giữa {} và {}", a.name, b.name),
                    party_a_id: a.unit_id,
                    party_b_id: b.unit_id,
                    signed_on: s.signed_on,
                    valid_from: s.signed_on,
                    valid_to: None,
                    scope_items: AGREEMENT_SCOPE
                        .iter()
                        .map(|(c, _, _)| c.to_string())
                        .collect(),
                    unit_ids: covered,
                    party_a_code: None,
                },
            )
            .await?;
        }
        Ok(())
    }
}
