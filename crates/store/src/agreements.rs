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
    pub covered: i64,
}

impl Agreement {
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
}

const SELECT: &str = "SELECT g.agreement_id, g.number, g.title, g.party_a_id, a.name AS party_a_name, g.party_b_id, b.name AS party_b_name, \
     g.path_a, g.path_b, g.signed_on, g.valid_from, g.valid_to, g.scope_items, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM unit_link l WHERE l.agreement_id = g.agreement_id) AS covered \
     FROM coordination_agreement g JOIN unit a ON a.unit_id = g.party_a_id JOIN unit b ON b.unit_id = g.party_b_id ";

fn rule(code: &'static str, field: &'static str, vi: &str, en: &str) -> StoreError {
    StoreError::rule(code, field, vi, en)
}

impl Store {
    /// Records an agreement and its coordinating links (links already in force for the
    /// same pair are attached to it, not doubled). The managing side records it.
    #[tracing::instrument(skip(self, scope, input), fields(number = %input.number))]
    pub async fn create_agreement(
        &self,
        scope: &Scope,
        input: AgreementInput,
    ) -> Result<Agreement> {
        let b = self.unit(scope, input.party_b_id).await?;
        scope.check_write(&b.path)?;
        let a = self.unit_unscoped(input.party_a_id).await?;
        let (number, title) = (nfc(input.number.trim()), nfc(input.title.trim()));
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
        if a.path.starts_with(&b.path) || b.path.starts_with(&a.path) {
            return Err(rule(
                "ST1003",
                "party_a_id",
                "Hai bên phải thuộc hai tuyến quản lý khác nhau.",
                "The parties must belong to different managing lines.",
            ));
        }
        if input.valid_to.is_some_and(|t| t <= input.valid_from)
            || input.valid_from < input.signed_on
        {
            return Err(rule(
                "ST1004",
                "valid_to",
                "Hiệu lực phải từ ngày ký trở đi và ngày hết hạn sau ngày bắt đầu.",
                "Validity must start on or after signing and end after it starts.",
            ));
        }
        let items: Vec<&str> = input
            .scope_items
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
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO coordination_agreement (number, title, party_a_id, party_b_id, path_a, path_b, signed_on, valid_from, valid_to, scope_items, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING agreement_id")
                .bind(&number).bind(&title).bind(a.unit_id).bind(b.unit_id).bind(&a.path).bind(&b.path).bind(input.signed_on)
                .bind(input.valid_from).bind(input.valid_to).bind(items.join(",")).bind(now()).fetch_one(&mut *tx).await?;
            for u in &units {
                let n = sqlx::query("UPDATE unit_link SET agreement_id = $1 WHERE unit_id = $2 AND coordinator_id = $3 AND valid_to IS NULL AND agreement_id IS NULL")
                    .bind(id).bind(u.unit_id).bind(a.unit_id).execute(&mut *tx).await?.rows_affected();
                if n == 0 {
                    sqlx::query("INSERT INTO unit_link (unit_id, coordinator_id, kind, valid_from, valid_to, note, agreement_id) VALUES ($1, $2, 'coordinating', $3, $4, $5, $6)")
                        .bind(u.unit_id).bind(a.unit_id).bind(input.valid_from).bind(input.valid_to)
                        .bind(format!("{title} (số {number})")).bind(id).execute(&mut *tx).await?;
                }
            }
            audit!(&mut *tx, scope, "create", "agreement", Some(id), &b.path,
                format!("Quy chế phối hợp số {number} giữa {} và {} ({} đơn vị)", a.name, b.name, units.len()), None, None);
            tx.commit().await?;
            id
        });
        Ok(self.agreement(scope, id).await?.0)
    }

    /// Agreements where the unit is a party, newest first.
    pub async fn agreements(&self, scope: &Scope, unit_id: i64) -> Result<Vec<Agreement>> {
        self.unit(scope, unit_id).await?;
        Ok(read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE g.party_a_id = $1 OR g.party_b_id = $1 ORDER BY g.signed_on DESC, g.agreement_id DESC")))
            .bind(unit_id).fetch_all(p).await)?)
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
        let links = read!(self, p => sqlx::query_as(
            "SELECT l.link_id, l.unit_id, u.name AS unit_name, l.coordinator_id, c.name AS coordinator_name, \
             l.valid_from, l.valid_to, l.note FROM unit_link l JOIN unit u ON u.unit_id = l.unit_id \
             JOIN unit c ON c.unit_id = l.coordinator_id WHERE l.agreement_id = $1 ORDER BY u.name")
            .bind(agreement_id).fetch_all(p).await)?;
        Ok((g, links))
    }
}

impl Store {
    /// Creates the demo's agreements over the coordinating links already loaded.
    pub async fn load_demo_agreements(
        &self,
        seeds: &[congdoan_datagen::AgreementSeed],
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
                },
            )
            .await?;
        }
        Ok(())
    }
}
