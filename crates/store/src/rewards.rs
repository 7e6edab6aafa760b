//! Rewards (issue 15, items 5–6): the catalogue, periodic evaluations of people with a
//! quota, numbered reward decisions and their items (the reward register). Every rule
//! that guards money — the quota, HD 1217's combination rule, the granting level, the
//! eligibility facts, the cash computed on the decision date — is checked inside the
//! transaction that writes the decision, so no caller (page or API) can bypass it.

use crate::audit::audit;
use crate::scope::push_ranges;
use crate::{Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::request::{self as rq, Period, PeriodType};
use congdoan_domain::reward::{
    self as rw, AwardScope, CashRule, Eligibility, Facts, Given, Recipient, RewardError,
    RewardKindRule,
};
use congdoan_domain::text::nfc;
use serde::{Deserialize, Serialize};
use time::Date;

/// Rows a list shows at once.
pub const REWARD_PAGE: i64 = 200;
/// Most lines one decision may hold.
pub const MAX_DECISION_ITEMS: usize = 5_000;

fn rule(code: &'static str, field: &'static str, vi: &str, en: &str) -> StoreError {
    StoreError::rule(code, field, vi, en)
}

fn from_reward(e: RewardError) -> StoreError {
    StoreError::Rule {
        code: e.code,
        field: e.field,
        message_vi: e.vi,
        message_en: e.en,
    }
}

/// A form of reward or a title in the catalogue.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RewardKind {
    pub reward_kind_id: i64,
    /// None: the national catalogue.
    pub owner_unit_id: Option<i64>,
    pub owner_name: Option<String>,
    #[serde(skip)]
    pub owner_path: Option<String>,
    pub code: String,
    pub name: String,
    /// Unit types that may grant it, comma-separated (empty: any level).
    pub grant_types: String,
    /// `individual` or `collective`.
    pub recipient: String,
    /// `comprehensive` or `thematic`.
    pub award_scope: String,
    /// `none`, `multiple:<f>` of the base salary on the decision date, `fixed:<vnd>`.
    pub cash_rule: String,
    /// Eligibility rules: absence, service, not_disciplined, registered.
    pub rules: String,
    pub source: Option<String>,
    /// Most people (or collectives) one decision may reward with it; None: no limit.
    pub quota: Option<i64>,
    /// The day its cash rule takes effect; a decision dated earlier cannot use it.
    pub cash_from: Option<Date>,
}

/// A catalogue entry a unit adds (`Store::add_reward_kind`).
#[derive(Debug, Clone)]
pub struct NewRewardKind {
    pub owner_unit_id: i64,
    pub code: String,
    pub name: String,
    /// Unit types that may grant it; empty: the owner's own type.
    pub grant_types: Vec<String>,
    pub recipient: Recipient,
    /// Drives HD 1217's combination rule (no comprehensive and thematic award from
    /// one level for one period).
    pub award_scope: AwardScope,
    pub cash: CashRule,
    /// Required with a cash rule.
    pub cash_from: Option<Date>,
    pub rules: Vec<Eligibility>,
    pub quota: Option<i64>,
    pub source: Option<String>,
}

impl RewardKind {
    pub fn cash(&self) -> CashRule {
        CashRule::parse(&self.cash_rule).unwrap_or(CashRule::None)
    }
    pub fn scope(&self) -> AwardScope {
        AwardScope::parse(&self.award_scope).unwrap_or(AwardScope::Comprehensive)
    }
    pub fn recipient(&self) -> Recipient {
        Recipient::parse(&self.recipient).unwrap_or(Recipient::Individual)
    }
    pub fn eligibility(&self) -> Vec<Eligibility> {
        Eligibility::parse_list(&self.rules)
    }
    pub fn rule(&self) -> RewardKindRule {
        RewardKindRule {
            name: self.name.clone(),
            grant_types: self
                .grant_types
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect(),
            recipient: self.recipient(),
            scope: self.scope(),
            cash: self.cash(),
            rules: self.eligibility(),
        }
    }
    pub fn cash_label(&self) -> String {
        self.cash().label_vi()
    }
    pub fn scope_name(&self) -> &'static str {
        self.scope().name_vi()
    }
    pub fn recipient_name(&self) -> &'static str {
        self.recipient().name_vi()
    }
    pub fn rules_text(&self) -> String {
        self.eligibility()
            .iter()
            .map(|e| e.name_vi())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

const KIND_SELECT: &str = "SELECT k.reward_kind_id, k.owner_unit_id, o.name AS owner_name, o.path AS owner_path, k.code, k.name, k.grant_types, \
    k.recipient, k.award_scope, k.cash_rule, k.rules, k.source, k.quota, k.cash_from FROM reward_kind k LEFT JOIN unit o ON o.unit_id = k.owner_unit_id ";

/// A periodic evaluation of a unit's people.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    pub evaluation_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub title: String,
    pub period_type: String,
    /// "2025-Q3", "2025-H1", "2025"…
    pub period: String,
    pub period_start: Date,
    pub period_end: Date,
    pub quota: i64,
    pub reward_kind_id: i64,
    pub reward_kind_name: String,
    /// `draft` or `decided`.
    pub state: String,
    pub decision_id: Option<i64>,
    pub nominee_count: i64,
}

impl Evaluation {
    pub fn period_label(&self) -> String {
        PeriodType::parse(&self.period_type)
            .and_then(|k| Period::parse(k, &self.period).ok())
            .map(|p| p.label_vi())
            .unwrap_or_else(|| self.period.clone())
    }
    pub fn is_draft(&self) -> bool {
        self.state == "draft"
    }
}

const EVAL_SELECT: &str = "SELECT e.evaluation_id, e.unit_id, u.name AS unit_name, u.path AS unit_path, e.title, e.period_type, e.period, \
    e.period_start, e.period_end, e.quota, e.reward_kind_id, k.name AS reward_kind_name, e.state, e.decision_id, \
    (SELECT COUNT(*) FROM evaluation_nominee n WHERE n.evaluation_id = e.evaluation_id) AS nominee_count \
    FROM evaluation e JOIN unit u ON u.unit_id = e.unit_id JOIN reward_kind k ON k.reward_kind_id = e.reward_kind_id ";

/// A person put forward in an evaluation.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Nominee {
    pub member_id: i64,
    pub full_name: String,
    pub unit_name: String,
    pub reward_kind_id: i64,
    pub reward_kind_name: String,
    #[serde(skip)]
    pub cash_rule: String,
    pub votes: Option<i64>,
    pub note: Option<String>,
    pub absent_days: i64,
    pub maternity_days: i64,
    pub service_months: i64,
    pub disciplined: bool,
    pub registered: bool,
}

impl Nominee {
    pub fn facts(&self) -> Facts {
        Facts {
            absent_days: u32::try_from(self.absent_days).unwrap_or(u32::MAX),
            maternity_days: u32::try_from(self.maternity_days).unwrap_or(0),
            service_months: u32::try_from(self.service_months).unwrap_or(0),
            disciplined: self.disciplined,
            registered: self.registered,
        }
    }
    /// The cash on a decision date (0 when no base salary is in force).
    pub fn amount_on(&self, on: Date) -> i64 {
        CashRule::parse(&self.cash_rule)
            .unwrap_or(CashRule::None)
            .amount_on(on)
            .unwrap_or(0)
    }
}

/// An evaluation with its nominees.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationDetail {
    pub evaluation: Evaluation,
    pub nominees: Vec<Nominee>,
}

/// What starts an evaluation.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewEvaluation {
    pub unit_id: i64,
    pub title: String,
    /// month, quarter, half, year.
    pub period_type: String,
    /// "2025-Q3" for a quarter, "2025-H1", "2025-07", "2025".
    pub period: String,
    pub quota: i64,
    /// The title or award proposed by default.
    pub reward_kind_id: i64,
}

/// A nomination: the member, the award (the evaluation's by default), the vote and the
/// facts the eligibility rules read. Months of service default to those since the
/// member joined the union.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewNominee {
    pub member_id: i64,
    pub reward_kind_id: Option<i64>,
    pub votes: Option<i64>,
    pub note: Option<String>,
    pub absent_days: u32,
    pub maternity_days: u32,
    pub service_months: Option<u32>,
    pub disciplined: bool,
    pub registered: Option<bool>,
}

/// The number, date and signer of a decision.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// The number; the next free one of the issuer's decisions (QĐ) that year if absent.
    pub seq: Option<i64>,
    pub decided_on: Date,
    pub signer_name: String,
    /// "CHỦ TỊCH", "PHÓ CHỦ TỊCH"…
    pub signer_role: Option<String>,
    /// Printed in the number ("CĐCS" in "12/QĐ-CĐCS"); from the unit type if absent.
    pub issuer_abbrev: Option<String>,
    pub title: Option<String>,
}

/// One line of a decision made without an evaluation.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewItem {
    /// A person, or…
    pub member_id: Option<i64>,
    /// …a collective (a unit).
    pub unit_id: Option<i64>,
    pub reward_kind_id: i64,
    pub reason: Option<String>,
    /// Facts for the eligibility rules; without them the signer vouches for eligibility.
    pub facts: Option<Facts>,
}

/// A decision made without an evaluation (an award for a period, a thematic award).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewDecision {
    pub issuer_unit_id: i64,
    /// month, quarter, half, year.
    pub period_type: String,
    pub period: String,
    #[serde(flatten)]
    pub decision: DecisionInput,
    pub items: Vec<NewItem>,
}

/// A reward decision.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RewardDecision {
    pub decision_id: i64,
    pub issuer_unit_id: i64,
    pub issuer_name: String,
    #[serde(skip)]
    pub issuer_path: String,
    #[serde(skip)]
    pub issuer_type: String,
    #[serde(skip)]
    pub issuer_province: Option<i64>,
    pub evaluation_id: Option<i64>,
    /// As printed after "Số:", e.g. "12/QĐ-CĐCS".
    pub doc_number: String,
    pub title: String,
    pub decided_on: Date,
    pub signer_name: String,
    pub signer_role: String,
    pub total_vnd: i64,
    pub item_count: i64,
}

const DECISION_SELECT: &str = "SELECT d.decision_id, d.issuer_unit_id, u.name AS issuer_name, u.path AS issuer_path, \
    u.type_code AS issuer_type, u.province_code AS issuer_province, d.evaluation_id, d.doc_number, d.title, d.decided_on, \
    d.signer_name, d.signer_role, d.total_vnd, d.item_count FROM reward_decision d JOIN unit u ON u.unit_id = d.issuer_unit_id ";

/// One line of a decision (and of a member's or unit's reward register).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RewardItem {
    pub item_id: i64,
    pub decision_id: i64,
    pub line_no: i64,
    pub member_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub recipient_name: String,
    pub unit_name: String,
    pub reward_kind_id: i64,
    pub reward_name: String,
    pub award_scope: String,
    pub period: String,
    pub amount_vnd: i64,
    pub reason: Option<String>,
    pub doc_number: String,
    pub decided_on: Date,
    pub issuer_name: String,
}

const ITEM_SELECT: &str = "SELECT i.item_id, i.decision_id, i.line_no, i.member_id, i.unit_id, i.recipient_name, i.unit_name, \
    i.reward_kind_id, k.name AS reward_name, i.award_scope, i.period, i.amount_vnd, i.reason, d.doc_number, d.decided_on, \
    u.name AS issuer_name FROM reward_item i JOIN reward_decision d ON d.decision_id = i.decision_id \
    JOIN reward_kind k ON k.reward_kind_id = i.reward_kind_id JOIN unit u ON u.unit_id = d.issuer_unit_id ";

/// A decision with its lines.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionDetail {
    pub decision: RewardDecision,
    pub items: Vec<RewardItem>,
}

/// What a decision would write (the confirmation page restates it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionPlan {
    pub count: i64,
    pub quota: Option<i64>,
    pub total_vnd: i64,
    pub doc_number: String,
}

/// A line resolved inside the transaction.
struct Line {
    member_id: Option<i64>,
    unit_id: Option<i64>,
    recipient_unit_id: i64,
    recipient_name: String,
    unit_name: String,
    kind: RewardKind,
    amount: i64,
    reason: Option<String>,
}

/// The recipient of a line as read in the transaction: (id, name, unit id, unit name,
/// path, join date).
type Who = (i64, String, i64, String, String, Option<Date>);

impl Store {
    /// The catalogue the caller may use: the national entries and those of the units
    /// above or inside what they read.
    pub async fn reward_kinds(&self, scope: &Scope) -> Result<Vec<RewardKind>> {
        let all: Vec<RewardKind> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{KIND_SELECT} ORDER BY k.owner_unit_id IS NOT NULL, k.sort_order, k.name LIMIT 500")))
            .fetch_all(p).await)?;
        Ok(all
            .into_iter()
            .filter(|k| match &k.owner_path {
                None => true,
                Some(p) => {
                    scope.is_admin()
                        || scope.can_read(p)
                        || scope.read_paths().iter().any(|r| r.starts_with(p.as_str()))
                }
            })
            .collect())
    }

    /// One catalogue entry usable by a unit at `path` (national, or owned by the unit or
    /// a unit above it).
    pub async fn reward_kind_for(&self, kind_id: i64, path: &str) -> Result<RewardKind> {
        let k: Option<RewardKind> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{KIND_SELECT} WHERE k.reward_kind_id = $1")))
            .bind(kind_id).fetch_optional(p).await)?;
        match k {
            Some(k)
                if k.owner_path
                    .as_ref()
                    .is_none_or(|o| path.starts_with(o.as_str())) =>
            {
                Ok(k)
            }
            _ => Err(unknown_kind(kind_id)),
        }
    }

    /// Adds a catalogue entry owned by a unit the caller writes (e.g. a fixed bonus),
    /// granted at the owner's level, without a quota or an effective date.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_reward_kind(
        &self,
        scope: &Scope,
        owner_unit_id: i64,
        code: &str,
        name: &str,
        recipient: Recipient,
        award_scope: AwardScope,
        cash: CashRule,
        rules: &[Eligibility],
    ) -> Result<RewardKind> {
        let k = NewRewardKind {
            owner_unit_id,
            code: code.into(),
            name: name.into(),
            grant_types: vec![],
            recipient,
            award_scope,
            cash,
            cash_from: None,
            rules: rules.to_vec(),
            quota: None,
            source: None,
        };
        self.insert_reward_kind(scope, k, false).await
    }

    /// Adds a unit's catalogue entry from the catalogue page: the granting levels must
    /// be unit types, a cash rule needs the day it takes effect, a quota is 1 to 10,000.
    pub async fn add_reward_kind(&self, scope: &Scope, k: NewRewardKind) -> Result<RewardKind> {
        self.insert_reward_kind(scope, k, true).await
    }

    async fn insert_reward_kind(
        &self,
        scope: &Scope,
        k: NewRewardKind,
        strict: bool,
    ) -> Result<RewardKind> {
        let owner = self.unit(scope, k.owner_unit_id).await?;
        scope.check_write(&owner.path)?;
        let name = nfc(k.name.trim());
        let code = k.code.trim().to_uppercase();
        if name.chars().count() < 3 || code.is_empty() {
            return Err(rule(
                "ST2301",
                if code.is_empty() { "code" } else { "name" },
                "Ghi mã và tên hình thức khen thưởng (ít nhất 3 ký tự).",
                "Give the reward's code and name (at least 3 characters).",
            ));
        }
        if strict {
            if k.cash != CashRule::None && k.cash_from.is_none() {
                return Err(rule(
                    "ST2320",
                    "cash_from",
                    &format!(
                        "Mức tiền thưởng {} cần ngày bắt đầu áp dụng.",
                        k.cash.label_vi()
                    ),
                    "A cash rule needs the day it takes effect.",
                ));
            }
            if let Some(q) = k.quota {
                rw::check_quota_value(q).map_err(from_reward)?;
            }
            let types: Vec<String> = read!(self, p => sqlx::query_scalar("SELECT type_code FROM unit_type")
                .fetch_all(p).await)?;
            if let Some(bad) = k.grant_types.iter().find(|t| !types.contains(t)) {
                return Err(rule(
                    "ST2321",
                    "grant_types",
                    &format!("Cấp khen thưởng '{bad}' không phải loại đơn vị."),
                    &format!("Granting level '{bad}' is not a unit type."),
                ));
            }
        }
        // A unit's entry is granted at its own level unless levels were chosen.
        let grant_types = if strict && k.grant_types.is_empty() {
            owner.type_code.clone()
        } else {
            k.grant_types.join(",")
        };
        let source = k.source.map(|s| nfc(s.trim())).filter(|s| !s.is_empty());
        let (recipient, award_scope, cash, rules) = (k.recipient, k.award_scope, k.cash, k.rules);
        let (quota, cash_from) = (k.quota, k.cash_from);
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO reward_kind (owner_unit_id, code, name, grant_types, recipient, award_scope, cash_rule, rules, source, sort_order, created_at, quota, cash_from) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1000, $10, $11, $12) RETURNING reward_kind_id")
                .bind(owner.unit_id).bind(&code).bind(&name).bind(&grant_types).bind(recipient.code()).bind(award_scope.code())
                .bind(cash.code()).bind(Eligibility::list_code(&rules)).bind(&source).bind(now()).bind(quota).bind(cash_from)
                .fetch_one(&mut *tx).await.map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => rule("ST2322", "code", &format!("Đơn vị đã có hình thức khen thưởng mã «{code}»."),
                        &format!("The unit already has a reward coded «{code}».")),
                    other => other,
                })?;
            audit!(&mut *tx, scope, "create", "reward_kind", Some(id), &owner.path,
                format!("Thêm hình thức khen thưởng «{name}» ({})", cash.label_vi()), None, None);
            tx.commit().await?;
            id
        });
        self.reward_kind_for(id, &owner.path).await
    }

    /// Starts an evaluation of a unit's people for a period, with a quota.
    #[tracing::instrument(skip(self, scope, input), fields(unit = input.unit_id))]
    pub async fn create_evaluation(
        &self,
        scope: &Scope,
        input: NewEvaluation,
    ) -> Result<Evaluation> {
        let unit = self.unit(scope, input.unit_id).await?;
        scope.check_write(&unit.path)?;
        let kind = PeriodType::parse(&input.period_type)
            .filter(|k| *k != PeriodType::Adhoc)
            .ok_or_else(|| {
                rule(
                    "ST2302",
                    "period_type",
                    "Chọn kỳ bình xét: tháng, quý, 6 tháng hoặc năm.",
                    "Choose the period: month, quarter, half-year or year.",
                )
            })?;
        let period = Period::parse(kind, &input.period).map_err(|e| StoreError::Rule {
            code: e.code,
            field: e.field,
            message_vi: e.vi.replace("Kỳ báo cáo", "Kỳ bình xét"),
            message_en: e.en,
        })?;
        let quota = rw::check_quota_value(input.quota).map_err(from_reward)?;
        let title = nfc(input.title.trim());
        let title = if title.is_empty() {
            format!("Bình xét khen thưởng {}", period.label_vi().to_lowercase())
        } else {
            title
        };
        if title.chars().count() > 300 {
            return Err(rule(
                "ST2303",
                "name",
                "Tên đợt bình xét dài quá 300 ký tự.",
                "The title is over 300 characters.",
            ));
        }
        let k = self
            .reward_kind_for(input.reward_kind_id, &unit.path)
            .await?;
        k.rule()
            .check_recipient(Recipient::Individual)
            .map_err(from_reward)?;
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO evaluation (unit_id, title, period_type, period, period_start, period_end, quota, reward_kind_id, state, created_at, created_by_name) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10) RETURNING evaluation_id")
                .bind(unit.unit_id).bind(&title).bind(kind.code()).bind(period.code()).bind(period.start()).bind(period.end())
                .bind(quota).bind(k.reward_kind_id).bind(now()).bind(scope.actor().username.clone())
                .fetch_one(&mut *tx).await?;
            audit!(&mut *tx, scope, "create", "evaluation", Some(id), &unit.path,
                format!("Mở đợt bình xét «{title}» ({}), chỉ tiêu {quota} người", period.label_vi()), None, None);
            tx.commit().await?;
            id
        });
        Ok(self.evaluation(scope, id).await?.evaluation)
    }

    /// An evaluation and its nominees (scope of its unit).
    pub async fn evaluation(&self, scope: &Scope, evaluation_id: i64) -> Result<EvaluationDetail> {
        let evaluation: Evaluation = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{EVAL_SELECT} WHERE e.evaluation_id = $1")))
            .bind(evaluation_id).fetch_one(p).await)?;
        scope.check_read(&evaluation.unit_path)?;
        let nominees = read!(self, p => sqlx::query_as(
            "SELECT n.member_id, m.full_name, u.name AS unit_name, n.reward_kind_id, k.name AS reward_kind_name, k.cash_rule, n.votes, n.note, \
             n.absent_days, n.maternity_days, n.service_months, n.disciplined, n.registered \
             FROM evaluation_nominee n JOIN member m ON m.member_id = n.member_id JOIN unit u ON u.unit_id = m.unit_id \
             JOIN reward_kind k ON k.reward_kind_id = n.reward_kind_id WHERE n.evaluation_id = $1 ORDER BY m.sort_key, m.member_id")
            .bind(evaluation_id).fetch_all(p).await)?;
        Ok(EvaluationDetail {
            evaluation,
            nominees,
        })
    }

    /// Evaluations of the units the caller reads (of one unit's subtree if given),
    /// latest period first.
    pub async fn evaluations(
        &self,
        scope: &Scope,
        unit_id: Option<i64>,
    ) -> Result<Vec<Evaluation>> {
        let within = match unit_id {
            Some(u) => Some(self.unit(scope, u).await?.path),
            None => None,
        };
        Ok(read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(EVAL_SELECT);
            qb.push(" WHERE ");
            scope.push_read_filter(&mut qb, "u.path");
            if let Some(w) = &within {
                push_ranges(&mut qb, " AND ", "u.path", std::slice::from_ref(w));
            }
            qb.push(" ORDER BY e.period_end DESC, e.evaluation_id DESC LIMIT ").push_bind(REWARD_PAGE);
            qb.build_query_as().fetch_all(p).await
        })?)
    }

    /// Draft evaluations whose period has ended, in units the caller writes (to-do).
    pub async fn evaluations_due(&self, scope: &Scope, today: Date) -> Result<Vec<Evaluation>> {
        if scope.write_paths().is_empty() && !scope.is_admin() {
            return Ok(vec![]);
        }
        Ok(read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(EVAL_SELECT);
            qb.push(" WHERE e.state = 'draft' AND e.period_end < ").push_bind(today);
            if !scope.is_admin() {
                push_ranges(&mut qb, " AND ", "u.path", scope.write_paths());
            }
            qb.push(" ORDER BY e.period_end LIMIT 50");
            qb.build_query_as().fetch_all(p).await
        })?)
    }

    /// Puts a member of the evaluation's unit forward; the eligibility rules of the
    /// award are checked on the facts given, each failure named.
    pub async fn nominate(
        &self,
        scope: &Scope,
        evaluation_id: i64,
        n: NewNominee,
    ) -> Result<EvaluationDetail> {
        let ev = self.evaluation(scope, evaluation_id).await?.evaluation;
        scope.check_write(&ev.unit_path)?;
        refuse_decided(&ev)?;
        let m = self.member(scope, n.member_id).await.map_err(|_| {
            rule(
                "ST2304",
                "member",
                "Không tìm thấy đoàn viên này.",
                "No such member.",
            )
        })?;
        if !m.path.starts_with(ev.unit_path.as_str()) {
            return Err(rule(
                "ST2305",
                "member",
                &format!("{} không sinh hoạt tại {}.", m.full_name, ev.unit_name),
                &format!("{} is not a member of {}.", m.full_name, ev.unit_name),
            ));
        }
        let k = self
            .reward_kind_for(n.reward_kind_id.unwrap_or(ev.reward_kind_id), &ev.unit_path)
            .await?;
        k.rule()
            .check_recipient(Recipient::Individual)
            .map_err(from_reward)?;
        let service = n.service_months.unwrap_or_else(|| {
            m.join_date
                .map(|j| months_between(j, ev.period_end))
                .unwrap_or(rw::MIN_SERVICE_MONTHS)
        });
        let facts = Facts {
            absent_days: n.absent_days,
            maternity_days: n.maternity_days.min(n.absent_days),
            service_months: service,
            disciplined: n.disciplined,
            registered: n.registered.unwrap_or(true),
        };
        let fails = rw::check_eligibility(&k.eligibility(), &facts, &m.full_name);
        if let Some(first) = fails.first() {
            return Err(StoreError::Rule {
                code: first.code,
                field: first.field,
                message_vi: fails
                    .iter()
                    .map(|e| e.vi.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                message_en: fails
                    .iter()
                    .map(|e| e.en.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
        let note = n.note.map(|s| nfc(s.trim())).filter(|s| !s.is_empty());
        if note.as_ref().is_some_and(|s| s.chars().count() > 1000) {
            return Err(rule(
                "ST2306",
                "note",
                "Ghi chú dài quá 1.000 ký tự.",
                "The note is over 1,000 characters.",
            ));
        }
        if n.votes.is_some_and(|v| !(0..=1_000_000).contains(&v)) {
            return Err(rule(
                "ST2307",
                "votes",
                "Số phiếu phải là số không âm.",
                "Votes must not be negative.",
            ));
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            let state: String = sqlx::query_scalar("SELECT state FROM evaluation WHERE evaluation_id = $1")
                .bind(evaluation_id).fetch_one(&mut *tx).await?;
            if state != "draft" {
                return Err(decided_error());
            }
            sqlx::query("INSERT INTO evaluation_nominee (evaluation_id, member_id, reward_kind_id, votes, note, absent_days, maternity_days, service_months, disciplined, registered, added_at) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(evaluation_id).bind(m.member_id).bind(k.reward_kind_id).bind(n.votes).bind(&note)
                .bind(i64::from(facts.absent_days)).bind(i64::from(facts.maternity_days)).bind(i64::from(facts.service_months))
                .bind(facts.disciplined).bind(facts.registered).bind(now())
                .execute(&mut *tx).await.map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => rule("ST2308", "member", &format!("{} đã có trong danh sách đề nghị.", m.full_name), &format!("{} is already nominated.", m.full_name)),
                    other => other,
                })?;
            audit!(&mut *tx, scope, "nominate", "evaluation", Some(evaluation_id), &m.path,
                format!("Đề nghị khen thưởng {} ({}) trong đợt «{}»", m.full_name, k.name, ev.title), None, None);
            tx.commit().await?;
        });
        self.evaluation(scope, evaluation_id).await
    }

    /// Takes a nominee off a draft evaluation.
    pub async fn remove_nominee(
        &self,
        scope: &Scope,
        evaluation_id: i64,
        member_id: i64,
    ) -> Result<()> {
        let ev = self.evaluation(scope, evaluation_id).await?.evaluation;
        scope.check_write(&ev.unit_path)?;
        refuse_decided(&ev)?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("DELETE FROM evaluation_nominee WHERE evaluation_id = $1 AND member_id = $2")
                .bind(evaluation_id).bind(member_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            audit!(&mut *tx, scope, "unnominate", "evaluation", Some(evaluation_id), &ev.unit_path,
                format!("Bỏ đề nghị khen thưởng đoàn viên #{member_id} trong đợt «{}»", ev.title), None, None);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Decides an evaluation: the nominees become a numbered reward decision of the
    /// evaluation's unit, within the quota. `dry_run` checks everything and rolls back
    /// (the confirmation page's figures).
    #[tracing::instrument(skip(self, scope, input))]
    pub async fn decide_evaluation(
        &self,
        scope: &Scope,
        evaluation_id: i64,
        input: DecisionInput,
        dry_run: bool,
    ) -> Result<(DecisionPlan, Option<i64>)> {
        let detail = self.evaluation(scope, evaluation_id).await?;
        let ev = &detail.evaluation;
        scope.check_write(&ev.unit_path)?;
        refuse_decided(ev)?;
        let items: Vec<NewItem> = detail
            .nominees
            .iter()
            .map(|n| NewItem {
                member_id: Some(n.member_id),
                unit_id: None,
                reward_kind_id: n.reward_kind_id,
                reason: n.note.clone(),
                facts: Some(n.facts()),
            })
            .collect();
        let title = input
            .title
            .clone()
            .map(|t| nfc(t.trim()))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| format!("Về việc khen thưởng {}", lower_first(&ev.title)));
        self.write_decision(
            scope,
            ev.unit_id,
            &ev.period,
            DecisionInput {
                title: Some(title),
                ..input
            },
            items,
            Some((evaluation_id, ev.quota)),
            dry_run,
        )
        .await
    }

    /// A decision made without an evaluation.
    pub async fn create_reward_decision(
        &self,
        scope: &Scope,
        d: NewDecision,
        dry_run: bool,
    ) -> Result<(DecisionPlan, Option<i64>)> {
        let kind = PeriodType::parse(&d.period_type)
            .filter(|k| *k != PeriodType::Adhoc)
            .ok_or_else(|| {
                rule(
                    "ST2302",
                    "period_type",
                    "Chọn kỳ khen thưởng: tháng, quý, 6 tháng hoặc năm.",
                    "Choose the period: month, quarter, half-year or year.",
                )
            })?;
        let period = Period::parse(kind, &d.period).map_err(|e| StoreError::Rule {
            code: e.code,
            field: e.field,
            message_vi: e.vi.replace("Kỳ báo cáo", "Kỳ khen thưởng"),
            message_en: e.en,
        })?;
        self.write_decision(
            scope,
            d.issuer_unit_id,
            &period.code(),
            d.decision,
            d.items,
            None,
            dry_run,
        )
        .await
    }

    /// The one path that writes a decision: number, lines, amounts and every rule, in
    /// one transaction (the evaluation is marked decided in it too).
    #[allow(clippy::too_many_arguments)]
    async fn write_decision(
        &self,
        scope: &Scope,
        issuer_unit_id: i64,
        period: &str,
        input: DecisionInput,
        items: Vec<NewItem>,
        evaluation: Option<(i64, i64)>,
        dry_run: bool,
    ) -> Result<(DecisionPlan, Option<i64>)> {
        let issuer = self.unit(scope, issuer_unit_id).await?;
        scope.check_write(&issuer.path)?;
        if issuer.ended_on.is_some() {
            return Err(rule(
                "ST2309",
                "issuer",
                &format!(
                    "«{}» đã kết thúc hoạt động, không ra quyết định được nữa.",
                    issuer.name
                ),
                &format!("{} has ended and cannot decide.", issuer.name),
            ));
        }
        let signer_name = nfc(input.signer_name.trim());
        if signer_name.chars().count() < 2 {
            return Err(rule(
                "ST2310",
                "signer_name",
                "Ghi họ tên người ký quyết định.",
                "Give the signer's name.",
            ));
        }
        let signer_role = input
            .signer_role
            .map(|r| nfc(r.trim()).to_uppercase())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "CHỦ TỊCH".into());
        let title = input
            .title
            .map(|t| nfc(t.trim()))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "Về việc khen thưởng".into());
        if items.is_empty() && evaluation.is_none() {
            return Err(rule(
                "ST2311",
                "items",
                "Quyết định chưa có ai được khen thưởng.",
                "The decision rewards no one.",
            ));
        }
        if items.len() > MAX_DECISION_ITEMS {
            return Err(rule(
                "ST2312",
                "items",
                "Một quyết định có tối đa 5.000 dòng.",
                "A decision holds at most 5,000 lines.",
            ));
        }
        if let Some((_, quota)) = evaluation {
            rw::check_quota(quota, items.len() as i64).map_err(from_reward)?;
        }
        if input.seq.is_some_and(|s| !(1..1_000_000).contains(&s)) {
            return Err(rule(
                "ST2313",
                "seq",
                "Số quyết định phải là số nguyên dương.",
                "The number must be a positive integer.",
            ));
        }
        let decided_on = input.decided_on;
        let year = i64::from(decided_on.year());
        let abbrev = input
            .issuer_abbrev
            .map(|a| nfc(a.trim()))
            .filter(|a| !a.is_empty() && a.chars().count() <= 20)
            .unwrap_or_else(|| rq::issuer_abbrev(&issuer.type_code).to_string());
        let type_name: String = read!(self, p => sqlx::query_scalar("SELECT name_vi FROM unit_type WHERE type_code = $1")
            .bind(&issuer.type_code).fetch_optional(p).await)?
            .unwrap_or_else(|| issuer.type_code.clone());
        // Catalogue entries, checked before the transaction (read-only data).
        let mut kinds = std::collections::BTreeMap::new();
        for it in &items {
            if let std::collections::btree_map::Entry::Vacant(v) = kinds.entry(it.reward_kind_id) {
                let k = self
                    .reward_kind_for(it.reward_kind_id, &issuer.path)
                    .await?;
                k.rule()
                    .check_grantor(&issuer.type_code, &type_name)
                    .map_err(from_reward)?;
                if let Some(from) = k.cash_from
                    && k.cash() != CashRule::None
                    && decided_on < from
                {
                    return Err(rule(
                        "ST2323",
                        "decided_on",
                        &format!(
                            "Mức thưởng của «{}» áp dụng từ ngày {}; quyết định ngày {} chưa dùng được.",
                            k.name,
                            congdoan_domain::format_vn_date(from),
                            congdoan_domain::format_vn_date(decided_on)
                        ),
                        &format!("The cash rule of «{}» applies from {from}.", k.name),
                    ));
                }
                if let Some(q) = k.quota {
                    let n = items
                        .iter()
                        .filter(|i| i.reward_kind_id == k.reward_kind_id)
                        .count() as i64;
                    if n > q {
                        return Err(rule(
                            "ST2324",
                            "items",
                            &format!(
                                "«{}» được khen tối đa {} người/tập thể trong một quyết định; đang chọn {}.",
                                k.name,
                                congdoan_domain::format_int(q),
                                congdoan_domain::format_int(n)
                            ),
                            &format!(
                                "«{}» may reward at most {q} per decision; {n} chosen.",
                                k.name
                            ),
                        ));
                    }
                }
                v.insert(k);
            }
        }
        let issuer_ref = &issuer;
        let result: (DecisionPlan, Option<i64>) = write!(self, p => {
            let mut tx = p.begin().await?;
            if let Some((eid, _)) = evaluation {
                let state: String = sqlx::query_scalar("SELECT state FROM evaluation WHERE evaluation_id = $1")
                    .bind(eid).fetch_one(&mut *tx).await?;
                if state != "draft" {
                    return Err(decided_error());
                }
            }
            // The number: shared with the issuer's other decisions (QĐ) of the year,
            // directives included.
            let used_req: Option<i64> = sqlx::query_scalar("SELECT MAX(doc_seq) FROM request WHERE issuer_unit_id = $1 AND doc_type = $2 AND doc_year = $3")
                .bind(issuer_ref.unit_id).bind("QĐ").bind(year).fetch_one(&mut *tx).await?;
            let used_dec: Option<i64> = sqlx::query_scalar("SELECT MAX(doc_seq) FROM reward_decision WHERE issuer_unit_id = $1 AND doc_year = $2")
                .bind(issuer_ref.unit_id).bind(year).fetch_one(&mut *tx).await?;
            let seq = match input.seq {
                Some(s) => {
                    let taken: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM request WHERE issuer_unit_id = $1 AND doc_type = $2 AND doc_year = $3 AND doc_seq = $4) \
                        + (SELECT COUNT(*) FROM reward_decision WHERE issuer_unit_id = $1 AND doc_year = $3 AND doc_seq = $4)")
                        .bind(issuer_ref.unit_id).bind("QĐ").bind(year).bind(s).fetch_one(&mut *tx).await?;
                    if taken > 0 {
                        return Err(rule("ST2314", "seq",
                            &format!("Số {s}/{year} đã được dùng cho một quyết định khác của đơn vị."),
                            &format!("Number {s} of {year} is already used by another decision of the unit.")));
                    }
                    s
                }
                None => used_req.unwrap_or(0).max(used_dec.unwrap_or(0)) + 1,
            };
            let number = rq::format_doc_number(seq, "QĐ", &abbrev);
            // Lines: recipient in the issuer's subtree, eligibility, combination, cash.
            let mut lines: Vec<Line> = vec![];
            let mut given: Vec<Given> = vec![];
            for it in &items {
                let k = kinds[&it.reward_kind_id].clone();
                let (recipient, who): (Recipient, Who) = match (it.member_id, it.unit_id) {
                    (Some(mid), None) => {
                        let w: Option<Who> = sqlx::query_as("SELECT m.member_id, m.full_name, u.unit_id, u.name, u.path, m.join_date FROM member m JOIN unit u ON u.unit_id = m.unit_id WHERE m.member_id = $1")
                            .bind(mid).fetch_optional(&mut *tx).await?;
                        (Recipient::Individual, w.ok_or_else(|| not_in_issuer(&format!("#{mid}"), &issuer_ref.name))?)
                    }
                    (None, Some(uid)) => {
                        let w: Option<(i64, String, String)> = sqlx::query_as("SELECT unit_id, name, path FROM unit WHERE unit_id = $1")
                            .bind(uid).fetch_optional(&mut *tx).await?;
                        let (id, name, path) = w.ok_or_else(|| not_in_issuer(&format!("#{uid}"), &issuer_ref.name))?;
                        (Recipient::Collective, (id, name.clone(), id, name, path, None))
                    }
                    _ => return Err(rule("ST2315", "items", "Mỗi dòng khen thưởng ghi một đoàn viên hoặc một tập thể.", "Each line names one member or one unit.")),
                };
                let (rid, name, unit_id, unit_name, path, _) = who;
                if !path.starts_with(issuer_ref.path.as_str()) || !scope.can_read(&path) {
                    return Err(not_in_issuer(&name, &issuer_ref.name));
                }
                k.rule().check_recipient(recipient).map_err(from_reward)?;
                if let Some(f) = &it.facts {
                    let fails = rw::check_eligibility(&k.eligibility(), f, &name);
                    if let Some(first) = fails.first() {
                        return Err(StoreError::Rule { code: first.code, field: first.field,
                            message_vi: fails.iter().map(|e| e.vi.as_str()).collect::<Vec<_>>().join(" "),
                            message_en: fails.iter().map(|e| e.en.as_str()).collect::<Vec<_>>().join(" ") });
                    }
                }
                let key = match recipient { Recipient::Individual => format!("m{rid}"), Recipient::Collective => format!("u{rid}") };
                let stored: Vec<(String, String)> = match recipient {
                    Recipient::Individual => sqlx::query_as("SELECT i.award_scope, k.name FROM reward_item i JOIN reward_kind k ON k.reward_kind_id = i.reward_kind_id \
                        WHERE i.member_id = $1 AND i.granting_unit_id = $2 AND i.period = $3").bind(rid).bind(issuer_ref.unit_id).bind(period).fetch_all(&mut *tx).await?,
                    Recipient::Collective => sqlx::query_as("SELECT i.award_scope, k.name FROM reward_item i JOIN reward_kind k ON k.reward_kind_id = i.reward_kind_id \
                        WHERE i.unit_id = $1 AND i.granting_unit_id = $2 AND i.period = $3").bind(rid).bind(issuer_ref.unit_id).bind(period).fetch_all(&mut *tx).await?,
                };
                let mut existing: Vec<Given> = stored.into_iter().map(|(s, n)| Given {
                    granting_unit_id: issuer_ref.unit_id, recipient: key.clone(), period: period.to_string(),
                    scope: AwardScope::parse(&s).unwrap_or(AwardScope::Comprehensive), kind_name: n }).collect();
                existing.extend(given.iter().filter(|g| g.recipient == key).cloned());
                let new = Given { granting_unit_id: issuer_ref.unit_id, recipient: key, period: period.to_string(), scope: k.scope(), kind_name: k.name.clone() };
                rw::check_combination(&existing, &new, &name).map_err(from_reward)?;
                given.push(new);
                let amount = k.cash().amount_on(decided_on).map_err(from_reward)?;
                lines.push(Line {
                    member_id: (recipient == Recipient::Individual).then_some(rid),
                    unit_id: (recipient == Recipient::Collective).then_some(rid),
                    recipient_unit_id: unit_id, recipient_name: name, unit_name,
                    kind: k, amount, reason: it.reason.clone().map(|r| nfc(r.trim())).filter(|r| !r.is_empty()),
                });
            }
            let total: i64 = lines.iter().map(|l| l.amount).sum();
            let plan = DecisionPlan { count: lines.len() as i64, quota: evaluation.map(|e| e.1), total_vnd: total, doc_number: number.clone() };
            if dry_run {
                tx.rollback().await?;
                (plan, None)
            } else {
                let id: i64 = sqlx::query_scalar("INSERT INTO reward_decision (issuer_unit_id, evaluation_id, doc_year, doc_seq, doc_number, title, decided_on, signer_name, signer_role, total_vnd, item_count, created_at, created_by_name) \
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING decision_id")
                    .bind(issuer_ref.unit_id).bind(evaluation.map(|e| e.0)).bind(year).bind(seq).bind(&number).bind(&title)
                    .bind(decided_on).bind(&signer_name).bind(&signer_role).bind(total).bind(lines.len() as i64).bind(now()).bind(scope.actor().username.clone())
                    .fetch_one(&mut *tx).await.map_err(|e| match StoreError::from(e) {
                        StoreError::Duplicate { .. } => rule("ST2314", "seq", "Số quyết định này của đơn vị đã được dùng trong năm.", "This decision number is already used this year."),
                        other => other,
                    })?;
                for (i, l) in lines.iter().enumerate() {
                    sqlx::query("INSERT INTO reward_item (decision_id, line_no, member_id, unit_id, recipient_unit_id, recipient_name, unit_name, reward_kind_id, granting_unit_id, award_scope, period, amount_vnd, reason) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                        .bind(id).bind(i as i64 + 1).bind(l.member_id).bind(l.unit_id).bind(l.recipient_unit_id).bind(&l.recipient_name).bind(&l.unit_name)
                        .bind(l.kind.reward_kind_id).bind(issuer_ref.unit_id).bind(l.kind.scope().code()).bind(period).bind(l.amount).bind(&l.reason)
                        .execute(&mut *tx).await?;
                }
                if let Some((eid, _)) = evaluation {
                    sqlx::query("UPDATE evaluation SET state = 'decided', decision_id = $1 WHERE evaluation_id = $2")
                        .bind(id).bind(eid).execute(&mut *tx).await?;
                }
                audit!(&mut *tx, scope, "decide", "reward_decision", Some(id), &issuer_ref.path,
                    format!("Quyết định khen thưởng số {number}: {} người/tập thể, tổng {}", lines.len(), congdoan_domain::format_vnd(total)), None,
                    Some(serde_json::json!({"evaluation_id": evaluation.map(|e| e.0), "period": period, "total_vnd": total})));
                tx.commit().await?;
                (plan, Some(id))
            }
        });
        Ok(result)
    }

    /// The next free decision number (QĐ) of a unit in a year, directives included.
    pub async fn next_decision_seq(&self, unit_id: i64, year: i64) -> Result<i64> {
        let dec: Option<i64> = read!(self, p => sqlx::query_scalar("SELECT MAX(doc_seq) FROM reward_decision WHERE issuer_unit_id = $1 AND doc_year = $2")
            .bind(unit_id).bind(year).fetch_one(p).await)?;
        let req = self.next_doc_seq(unit_id, "QĐ", year).await?;
        Ok(req.max(dec.unwrap_or(0) + 1))
    }

    /// A decision with its lines (scope of the issuer).
    pub async fn reward_decision(&self, scope: &Scope, decision_id: i64) -> Result<DecisionDetail> {
        let decision: RewardDecision = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{DECISION_SELECT} WHERE d.decision_id = $1")))
            .bind(decision_id).fetch_one(p).await)?;
        scope.check_read(&decision.issuer_path)?;
        let items = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{ITEM_SELECT} WHERE i.decision_id = $1 ORDER BY i.line_no")))
            .bind(decision_id).fetch_all(p).await)?;
        Ok(DecisionDetail { decision, items })
    }

    /// Decisions issued by units the caller reads (of one unit if given), latest first.
    pub async fn reward_decisions(
        &self,
        scope: &Scope,
        unit_id: Option<i64>,
    ) -> Result<Vec<RewardDecision>> {
        if let Some(u) = unit_id {
            self.unit(scope, u).await?;
        }
        Ok(read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(DECISION_SELECT);
            qb.push(" WHERE ");
            scope.push_read_filter(&mut qb, "u.path");
            if let Some(u) = unit_id {
                qb.push(" AND d.issuer_unit_id = ").push_bind(u);
            }
            qb.push(" ORDER BY d.decided_on DESC, d.decision_id DESC LIMIT ").push_bind(REWARD_PAGE);
            qb.build_query_as().fetch_all(p).await
        })?)
    }

    /// A member's reward register (the member is read through the scope).
    pub async fn member_rewards(&self, scope: &Scope, member_id: i64) -> Result<Vec<RewardItem>> {
        self.member(scope, member_id).await?;
        Ok(read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ITEM_SELECT} WHERE i.member_id = $1 ORDER BY d.decided_on DESC, i.item_id DESC LIMIT {REWARD_PAGE}")))
            .bind(member_id).fetch_all(p).await)?)
    }

    /// A unit's reward register: what it received as a collective.
    pub async fn unit_rewards(&self, scope: &Scope, unit_id: i64) -> Result<Vec<RewardItem>> {
        self.unit(scope, unit_id).await?;
        Ok(read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ITEM_SELECT} WHERE i.unit_id = $1 ORDER BY d.decided_on DESC, i.item_id DESC LIMIT {REWARD_PAGE}")))
            .bind(unit_id).fetch_all(p).await)?)
    }
}

fn unknown_kind(id: i64) -> StoreError {
    rule(
        "ST2316",
        "reward_kind",
        &format!("Không có hình thức khen thưởng #{id} trong danh mục của đơn vị."),
        &format!("No reward #{id} in the unit's catalogue."),
    )
}

fn not_in_issuer(who: &str, issuer: &str) -> StoreError {
    StoreError::Rule {
        code: "ST2317",
        field: "items",
        message_vi: format!(
            "{who} không thuộc {issuer}, nên không khen thưởng được bằng quyết định của đơn vị này."
        ),
        message_en: format!("{who} is not within {issuer}, so this unit cannot reward them."),
    }
}

fn decided_error() -> StoreError {
    rule(
        "ST2318",
        "state",
        "Đợt bình xét này đã có quyết định khen thưởng, không sửa được nữa.",
        "This evaluation is decided and can no longer change.",
    )
}

fn refuse_decided(ev: &Evaluation) -> Result<()> {
    if ev.is_draft() {
        Ok(())
    } else {
        Err(decided_error())
    }
}

/// Whole months from `from` to `to` (0 if `to` is earlier).
fn months_between(from: Date, to: Date) -> u32 {
    let m = (to.year() - from.year()) * 12 + i32::from(u8::from(to.month()))
        - i32::from(u8::from(from.month()))
        - i32::from(to.day() < from.day());
    u32::try_from(m).unwrap_or(0)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months() {
        assert_eq!(
            months_between(date!(2024 - 01 - 15), date!(2024 - 11 - 15)),
            10
        );
        assert_eq!(
            months_between(date!(2024 - 01 - 15), date!(2024 - 11 - 14)),
            9
        );
        assert_eq!(
            months_between(date!(2025 - 01 - 01), date!(2024 - 11 - 14)),
            0
        );
        assert_eq!(lower_first("Bình xét"), "bình xét");
    }
}
