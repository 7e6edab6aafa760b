//! Committees (BCH, BTV, UBKT, tổ) and officers' posts, with terms (nhiệm kỳ).

use crate::audit::audit;
use crate::{Result, Scope, Store, StoreError, now, read, write};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PositionType {
    pub position_code: String,
    pub name_vi: String,
    pub name_en: String,
    pub committee_kind: String,
    pub sort_order: i64,
}

/// A committee of a unit for one term, with its posts.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Committee {
    pub committee_id: i64,
    pub unit_id: i64,
    pub kind: String,
    pub term_no: Option<i64>,
    pub term_label: Option<String>,
    pub term_start: Date,
    pub term_end: Option<Date>,
    #[sqlx(skip)]
    pub positions: Vec<Position>,
}

/// One person holding one post.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Position {
    pub assignment_id: i64,
    pub committee_id: i64,
    pub unit_id: i64,
    pub member_id: Option<i64>,
    pub full_name: String,
    pub position_code: String,
    pub position_name_vi: String,
    pub position_name_en: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub full_time: bool,
    pub elected: bool,
    pub end_reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CommitteeInput {
    /// BCH, BTV, UBKT or TO.
    pub kind: String,
    pub term_no: Option<i64>,
    pub term_label: Option<String>,
    pub term_start: Date,
    pub term_end: Option<Date>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PositionInput {
    pub member_id: i64,
    pub position_code: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub full_time: bool,
    pub elected: bool,
}

const POSITION_SELECT: &str = "SELECT a.assignment_id, a.committee_id, a.unit_id, a.member_id, a.full_name, a.position_code, \
    t.name_vi AS position_name_vi, t.name_en AS position_name_en, a.start_date, a.end_date, a.full_time, a.elected, a.end_reason \
    FROM position_assignment a JOIN position_type t ON t.position_code = a.position_code ";

impl Store {
    pub async fn position_types(&self) -> Result<Vec<PositionType>> {
        Ok(
            read!(self, p => sqlx::query_as("SELECT * FROM position_type ORDER BY sort_order").fetch_all(p).await)?,
        )
    }

    /// A unit's committees, newest term first, each with its posts in rank order.
    #[tracing::instrument(skip(self, scope))]
    pub async fn committees(&self, scope: &Scope, unit_id: i64) -> Result<Vec<Committee>> {
        self.unit(scope, unit_id).await?;
        let mut cs: Vec<Committee> = read!(self, p => sqlx::query_as(
            "SELECT committee_id, unit_id, kind, term_no, term_label, term_start, term_end FROM committee \
             WHERE unit_id = $1 ORDER BY term_start DESC, CASE kind WHEN 'BCH' THEN 1 WHEN 'BTV' THEN 2 WHEN 'UBKT' THEN 3 ELSE 4 END"
        ).bind(unit_id).fetch_all(p).await)?;
        let ps: Vec<Position> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{POSITION_SELECT} WHERE a.unit_id = $1 ORDER BY t.sort_order, a.full_name"))
        ).bind(unit_id).fetch_all(p).await)?;
        for c in &mut cs {
            c.positions = ps
                .iter()
                .filter(|p| p.committee_id == c.committee_id)
                .cloned()
                .collect();
        }
        Ok(cs)
    }

    /// Posts a member holds or held, anywhere the caller may read.
    pub async fn positions_of_member(
        &self,
        scope: &Scope,
        member_id: i64,
    ) -> Result<Vec<Position>> {
        self.member(scope, member_id).await?;
        Ok(read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{POSITION_SELECT} WHERE a.member_id = $1 ORDER BY a.start_date DESC"))
        ).bind(member_id).fetch_all(p).await)?)
    }

    #[tracing::instrument(skip(self, scope, input))]
    pub async fn create_committee(
        &self,
        scope: &Scope,
        unit_id: i64,
        input: CommitteeInput,
    ) -> Result<i64> {
        let unit = self.unit(scope, unit_id).await?;
        scope.check_write(&unit.path)?;
        if !["BCH", "BTV", "UBKT", "TO"].contains(&input.kind.as_str()) {
            return Err(StoreError::rule(
                "ST0801",
                "kind",
                "Loại ban không hợp lệ (BCH, BTV, UBKT hoặc Tổ).",
                "Committee kind must be BCH, BTV, UBKT or TO.",
            ));
        }
        if input.term_end.is_some_and(|e| e <= input.term_start) {
            return Err(StoreError::rule(
                "ST0802",
                "end_date",
                "Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.",
                "The term must end after it starts.",
            ));
        }
        Ok(write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO committee (unit_id, kind, term_no, term_label, term_start, term_end, created_at) \
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING committee_id")
                .bind(unit_id).bind(&input.kind).bind(input.term_no).bind(input.term_label.clone()).bind(input.term_start)
                .bind(input.term_end).bind(now()).fetch_one(&mut *tx).await?;
            audit!(&mut *tx, scope, "create", "committee", Some(id), &unit.path,
                format!("Lập {} {} nhiệm kỳ {}", input.kind, unit.name, input.term_label.clone().unwrap_or_default()), None, None);
            tx.commit().await?;
            id
        }))
    }

    /// Appoints (or records the election of) a member to a post in a committee.
    #[tracing::instrument(skip(self, scope, input))]
    pub async fn add_position(
        &self,
        scope: &Scope,
        committee_id: i64,
        input: PositionInput,
    ) -> Result<i64> {
        let c: Committee = read!(self, p => sqlx::query_as(
            "SELECT committee_id, unit_id, kind, term_no, term_label, term_start, term_end FROM committee WHERE committee_id = $1"
        ).bind(committee_id).fetch_one(p).await)?;
        let unit = self.unit(scope, c.unit_id).await?;
        scope.check_write(&unit.path)?;
        let member = self.member(scope, input.member_id).await?;
        if !member.path.starts_with(&unit.path) {
            return Err(StoreError::rule(
                "ST0803",
                "member_id",
                "Người được bầu/chỉ định phải là đoàn viên thuộc đơn vị này.",
                "The officer must be a member within this unit.",
            ));
        }
        let types = self.position_types().await?;
        let Some(pt) = types
            .iter()
            .find(|t| t.position_code == input.position_code)
        else {
            return Err(StoreError::rule(
                "ST0804",
                "position",
                "Chức vụ không hợp lệ.",
                "Unknown position.",
            ));
        };
        let fits = pt.committee_kind == c.kind
            || (c.kind == "BTV"
                && ["CHU_TICH", "PHO_CHU_TICH"].contains(&pt.position_code.as_str()));
        if !fits {
            return Err(StoreError::rule(
                "ST0805",
                "position",
                "Chức vụ không thuộc loại ban này.",
                "This position does not belong to this committee.",
            ));
        }
        if input.start_date < c.term_start || input.end_date.is_some_and(|e| e <= input.start_date)
        {
            return Err(StoreError::rule(
                "ST0806",
                "start_date",
                "Ngày bắt đầu phải trong nhiệm kỳ và trước ngày kết thúc.",
                "The start must fall in the term and precede the end.",
            ));
        }
        if ["CHU_TICH", "CHU_NHIEM_UBKT", "TO_TRUONG"].contains(&pt.position_code.as_str()) {
            let taken: i64 = read!(self, p => sqlx::query_scalar(
                "SELECT COUNT(*) FROM position_assignment WHERE committee_id = $1 AND position_code = $2 AND end_date IS NULL")
                .bind(committee_id).bind(&pt.position_code).fetch_one(p).await)?;
            if taken > 0 {
                return Err(StoreError::rule(
                    "ST0807",
                    "position",
                    "Chức vụ này đang có người giữ; hãy kết thúc nhiệm vụ người cũ trước.",
                    "This post is held; end the current holder's post first.",
                ));
            }
        }
        Ok(write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO position_assignment (committee_id, unit_id, member_id, full_name, position_code, \
                start_date, end_date, full_time, elected, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING assignment_id")
                .bind(committee_id).bind(c.unit_id).bind(member.member_id).bind(&member.full_name).bind(&pt.position_code)
                .bind(input.start_date).bind(input.end_date).bind(input.full_time).bind(input.elected).bind(now())
                .fetch_one(&mut *tx).await?;
            audit!(&mut *tx, scope, "create", "position", Some(id), &unit.path,
                format!("{} — {} ({})", member.full_name, pt.name_vi, unit.name), None,
                Some(serde_json::json!({"member_id": member.member_id, "position": pt.position_code, "committee_id": committee_id})));
            tx.commit().await?;
            id
        }))
    }

    /// One post, if its unit lies in the caller's read scope.
    pub async fn position(&self, scope: &Scope, assignment_id: i64) -> Result<Position> {
        let pos: Position = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{POSITION_SELECT} WHERE a.assignment_id = $1")))
            .bind(assignment_id).fetch_one(p).await)?;
        self.unit(scope, pos.unit_id).await?;
        Ok(pos)
    }

    /// Ends a post (term ended, resigned, merged, removed…).
    #[tracing::instrument(skip(self, scope, reason))]
    pub async fn end_position(
        &self,
        scope: &Scope,
        assignment_id: i64,
        end_date: Date,
        reason: &str,
    ) -> Result<()> {
        let pos: Position = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{POSITION_SELECT} WHERE a.assignment_id = $1")))
            .bind(assignment_id).fetch_one(p).await)?;
        let unit = self.unit(scope, pos.unit_id).await?;
        scope.check_write(&unit.path)?;
        if pos.end_date.is_some() || end_date <= pos.start_date {
            return Err(StoreError::rule(
                "ST0808",
                "end_date",
                "Chức vụ đã kết thúc, hoặc ngày kết thúc không sau ngày bắt đầu.",
                "The post has ended, or the end does not follow the start.",
            ));
        }
        let reason = congdoan_domain::text::nfc(reason);
        if reason.is_empty() {
            return Err(StoreError::rule(
                "ST0711",
                "reason",
                "Cần ghi lý do.",
                "A reason is required.",
            ));
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE position_assignment SET end_date = $1, end_reason = $2 WHERE assignment_id = $3")
                .bind(end_date).bind(&reason).bind(assignment_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "end", "position", Some(assignment_id), &unit.path,
                format!("Kết thúc chức vụ {} của {} — {}", pos.position_name_vi, pos.full_name, reason), None, None);
            tx.commit().await?;
        });
        Ok(())
    }
}
