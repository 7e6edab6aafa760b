//! The member register (đoàn viên): records, the membership status machine with its
//! effective-dated history, transfers, and accent-insensitive search.

use crate::audit::audit;
use crate::scope::fts_top;
use crate::stats::{MemberFacts, StatDelta, apply_stats};
use crate::{Engine, Result, Scope, Store, StoreError, Unit, now, read, write};
use congdoan_domain::member::{MemberEventKind, MemberStatus, MembershipRules, Sex, transition};
use congdoan_domain::text::{fold, fold_query_tokens, name_sort_key};
use congdoan_domain::{Cccd, PersonName, PhoneVn};
use serde::Serialize;
use sqlx::QueryBuilder;
use time::Date;

/// A member's full record (personal data included: callers mask and audit views).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub member_id: i64,
    pub unit_id: i64,
    pub cdcs_id: i64,
    pub path: String,
    pub full_name: String,
    pub birth_date: Date,
    pub sex: String,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub ethnicity: Option<String>,
    pub nationality: Option<String>,
    pub job_title: Option<String>,
    pub employer_name: Option<String>,
    pub si_salary: Option<i64>,
    pub card_no: Option<String>,
    pub join_date: Option<Date>,
    pub party_member: bool,
    pub status: String,
    pub status_since: Date,
    pub version: i64,
}

/// A row of a member list: personal identifiers arrive masked.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MemberListRow {
    pub member_id: i64,
    pub full_name: String,
    pub birth_date: Date,
    pub sex: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub status: String,
    pub card_no: Option<String>,
    pub cccd: Option<String>,
    pub phone: Option<String>,
}

/// One step of a member's status history, attributed to the unit where it happened.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MemberEvent {
    pub event_id: i64,
    pub kind: String,
    pub on_date: Date,
    pub from_status: Option<String>,
    pub to_status: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub to_unit_id: Option<i64>,
    pub to_unit_name: Option<String>,
    pub reason: Option<String>,
    /// The restructuring plan that wrote this step, if one did.
    pub plan_id: Option<i64>,
}

/// A member's data, already parsed into domain types (parse, don't validate).
#[derive(Debug, Clone)]
pub struct MemberInput {
    pub unit_id: i64,
    pub name: PersonName,
    pub birth_date: Date,
    pub sex: Sex,
    pub cccd: Option<Cccd>,
    pub phone: Option<PhoneVn>,
    pub ethnicity: Option<String>,
    pub nationality: Option<String>,
    pub job_title: Option<String>,
    pub employer_name: Option<String>,
    pub si_salary: Option<i64>,
    pub card_no: Option<String>,
    pub join_date: Option<Date>,
    pub party_member: bool,
    /// Applicant or member; other states are reached through events.
    pub status: MemberStatus,
}

/// A status change or a transfer.
#[derive(Debug, Clone)]
pub struct MemberEventInput {
    pub kind: MemberEventKind,
    pub on: Date,
    pub reason: Option<String>,
    /// For a transfer inside congdoan: the receiving unit (the card number is kept).
    pub to_unit_id: Option<i64>,
    /// End of a discipline period, for re-admission after expulsion.
    pub discipline_end: Option<Date>,
}

/// Members whose search tokens one refresh transaction rewrites (at least one unit).
pub const REFRESH_BATCH: i64 = 20_000;

/// See `Store::federation_scope`.
struct FederationScope {
    tops: Vec<i64>,
    moved_in: Vec<i64>,
    exact: bool,
}

/// Where a member search looks.
enum Within<'a> {
    All,
    /// One CĐCS: its members carry its id as a search token.
    Cdcs(i64),
    /// Subtrees by their paths, as the federation tokens see them.
    Subtrees(&'a [String], &'a FederationScope),
}

/// Member records (any status) up to which a subtree is listed by its path range and
/// sorted; above it the name-order index is walked instead.
pub const SMALL_SUBTREE: i64 = 30_000;

/// At most this many full-text hits are sorted for one name search in a large subtree.
pub const SEARCH_CAP: i64 = 1_000;

/// One page of a member list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberPage {
    pub rows: Vec<MemberListRow>,
    /// Another page follows.
    pub more: bool,
    /// The name matched more than [`SEARCH_CAP`] people in a large subtree: the page
    /// is sorted among the first matches only; the user should narrow the search.
    pub capped: bool,
    /// A sector or ownership filter was asked for in a subtree above [`SMALL_SUBTREE`]
    /// records: nothing is listed; the user should choose a smaller unit.
    #[serde(default)]
    pub too_large: bool,
}

/// Filters for a member list. Pages are keyed by offset; no total is counted here, so
/// a national list costs the same as a small one (see [`Store::count_members`]).
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub status: Option<MemberStatus>,
    /// "M" or "F".
    pub sex: Option<String>,
    /// Birth years, both inclusive (an age band of the dashboard).
    pub birth_years: Option<(i32, i32)>,
    /// Sector of the member's CĐCS ("" = not recorded). Only in subtrees of up to
    /// [`SMALL_SUBTREE`] records (a rare sector would walk the national name index).
    pub sector: Option<String>,
    /// Employer ownership of the member's CĐCS ("" = not recorded); same limit.
    pub ownership: Option<String>,
    /// Party members only.
    pub party: bool,
    pub page: i64,
    pub per_page: i64,
}

impl MemberQuery {
    /// Filters on the CĐCS's fields (sector, ownership), limited to small subtrees.
    fn by_cdcs_fields(&self) -> bool {
        self.sector.is_some() || self.ownership.is_some()
    }
}

/// Member counts stop here ("hơn 10.000") when the maintained figures cannot answer.
pub const MEMBER_COUNT_CAP: i64 = 10_000;

/// A count in a large subtree reads at most this many records: a combination of
/// filters the maintained figures do not hold is counted in bounded time (about 0.2 s)
/// at any size, and the total then says "at least".
pub const MEMBER_SCAN_CAP: i64 = 200_000;

/// A total for a member list: exact from the figures, or counted up to [`MEMBER_COUNT_CAP`].
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct MemberTotal {
    pub n: i64,
    /// More than `n` (the count stopped at the cap).
    pub more: bool,
    /// At least `n`: the subtree holds more than [`MEMBER_SCAN_CAP`] records and the
    /// count stopped after reading that many.
    #[serde(default)]
    pub partial: bool,
}

/// The birth years (inclusive) of a dashboard age band in `year`, if the band exists.
pub fn birth_years_of_band(band: &str, year: i32) -> Option<(i32, i32)> {
    let bands = crate::dashboard::AGE_BANDS;
    let i = bands.iter().position(|(k, _)| *k == band)?;
    let lo_age = if i == 0 { 0 } else { bands[i - 1].1 + 1 };
    let hi_age = bands[i].1;
    let oldest = if hi_age == i32::MAX {
        1800
    } else {
        year - hi_age
    };
    Some((oldest, year - lo_age))
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|v| congdoan_domain::text::nfc(&v))
        .filter(|v| !v.is_empty())
}

/// The figures' view of a stored member, given their CĐCS.
fn facts<'a>(m: &'a Member, cdcs: &'a Unit) -> MemberFacts<'a> {
    MemberFacts {
        status: &m.status,
        sex: &m.sex,
        birth_year: m.birth_date.year(),
        party: m.party_member,
        sector: cdcs.sector.as_deref(),
        ownership: cdcs.employer_ownership.as_deref(),
    }
}

fn status_delta(s: &str) -> i64 {
    i64::from(s == MemberStatus::Member.code())
}

impl Store {
    /// The unit a member may be placed in, and the grassroots union that holds the membership.
    async fn placement(&self, scope: &Scope, unit_id: i64, on: Date) -> Result<(Unit, Unit)> {
        let unit = self.unit(scope, unit_id).await?;
        scope.check_write(&unit.path)?;
        let types = self.unit_types().await?;
        let holds = types
            .iter()
            .any(|t| t.type_code == unit.type_code && t.holds_members);
        if !holds || unit.ended_on.is_some_and(|e| e <= on) {
            return Err(StoreError::rule(
                "ST0701",
                "unit",
                "Đoàn viên chỉ sinh hoạt ở công đoàn cơ sở, công đoàn bộ phận hoặc tổ công đoàn đang hoạt động.",
                "Members belong to an active grassroots union, department union or union group.",
            ));
        }
        let ids = congdoan_domain::OrgPath::parse(&unit.path)?.ids();
        let mut cdcs = None;
        for id in ids.iter().rev() {
            let u = self.unit_unscoped(*id).await?;
            if types
                .iter()
                .any(|t| t.type_code == u.type_code && t.is_grassroots)
            {
                cdcs = Some(u);
                break;
            }
        }
        let cdcs = cdcs.ok_or_else(|| {
            StoreError::rule(
                "ST0702",
                "unit",
                "Đơn vị này không thuộc công đoàn cơ sở nào.",
                "This unit is not inside a grassroots union.",
            )
        })?;
        Ok((unit, cdcs))
    }

    /// One member, if in the caller's read scope.
    #[tracing::instrument(skip(self, scope))]
    pub async fn member(&self, scope: &Scope, member_id: i64) -> Result<Member> {
        let m: Member = read!(self, p => sqlx::query_as(
            "SELECT m.member_id, m.unit_id, m.cdcs_id, u.path, m.full_name, m.birth_date, m.sex, m.cccd, m.phone, m.ethnicity, \
             m.nationality, m.job_title, m.employer_name, m.si_salary, m.card_no, m.join_date, m.party_member, m.status, \
             m.status_since, m.version FROM member m JOIN unit u ON u.unit_id = m.unit_id WHERE m.member_id = $1")
            .bind(member_id).fetch_one(p).await)?;
        scope.check_read(&m.path)?;
        Ok(m)
    }

    /// Records that the caller viewed a member's personal data (CCCD, phone, salary).
    pub async fn log_personal_data_view(&self, scope: &Scope, m: &Member) -> Result<()> {
        scope.check_write(&m.path)?;
        write!(self, p => {
            audit!(p, scope, "view_personal_data", "member", Some(m.member_id), &m.path,
                format!("Xem thông tin cá nhân của {}", m.full_name), None, None);
        });
        Ok(())
    }

    /// Adds a member to a unit the caller may write.
    #[tracing::instrument(skip(self, scope, input))]
    pub async fn create_member(
        &self,
        scope: &Scope,
        input: MemberInput,
        today: Date,
    ) -> Result<Member> {
        if !matches!(input.status, MemberStatus::Applicant | MemberStatus::Member) {
            return Err(StoreError::rule(
                "ST0703",
                "status",
                "Đoàn viên mới chỉ có thể ở trạng thái đơn xin gia nhập hoặc đoàn viên.",
                "A new record is an applicant or a member.",
            ));
        }
        let since = input.join_date.unwrap_or(today);
        if input.status == MemberStatus::Member && input.join_date.is_none() {
            return Err(StoreError::rule(
                "ST0704",
                "join_date",
                "Cần nhập ngày vào công đoàn.",
                "Enter the date of joining.",
            ));
        }
        if input.birth_date >= since || since > today {
            return Err(StoreError::rule(
                "ST0705",
                "join_date",
                "Ngày vào công đoàn phải sau ngày sinh và không ở tương lai.",
                "The joining date must follow the birth date and not be in the future.",
            ));
        }
        let (unit, cdcs) = self.placement(scope, input.unit_id, since).await?;
        let name = input.name.as_str().to_string();
        let status = input.status.code();
        let lock = self.lock_path_sql();
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let path: String = sqlx::query_scalar(lock).bind(unit.unit_id).fetch_one(&mut *tx).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO member (unit_id, cdcs_id, fts_top, full_name, search_key, sort_key, birth_date, sex, cccd, phone, \
                 ethnicity, nationality, job_title, employer_name, si_salary, card_no, join_date, party_member, status, \
                 status_since, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21) \
                 RETURNING member_id")
                .bind(unit.unit_id).bind(cdcs.unit_id).bind(fts_top(&path)?).bind(&name).bind(fold(&name)).bind(name_sort_key(&name))
                .bind(input.birth_date).bind(input.sex.code()).bind(input.cccd.as_ref().map(|c| c.as_str().to_string()))
                .bind(input.phone.as_ref().map(|c| c.as_str().to_string())).bind(clean(input.ethnicity.clone()))
                .bind(clean(input.nationality.clone())).bind(clean(input.job_title.clone()))
                .bind(clean(input.employer_name.clone()).or(unit.employer_name.clone())).bind(input.si_salary)
                .bind(clean(input.card_no.clone()).map(|c| c.to_uppercase())).bind(input.join_date).bind(input.party_member)
                .bind(status).bind(since).bind(now())
                .fetch_one(&mut *tx).await?;
            sqlx::query("INSERT INTO member_event (member_id, kind, on_date, from_status, to_status, unit_id, reason, recorded_at, recorded_by) \
                         VALUES ($1, $2, $3, NULL, $4, $5, NULL, $6, $7)")
                .bind(id).bind(if status == "member" { "admit" } else { "apply" }).bind(since).bind(status)
                .bind(unit.unit_id).bind(now()).bind(scope.actor().account_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE unit SET direct_members = direct_members + $1 WHERE unit_id = $2")
                .bind(status_delta(status)).bind(unit.unit_id).execute(&mut *tx).await?;
            let mut delta = StatDelta::default();
            delta.member(&path, &MemberFacts {
                status, sex: input.sex.code(), birth_year: input.birth_date.year(), party: input.party_member,
                sector: cdcs.sector.as_deref(), ownership: cdcs.employer_ownership.as_deref(),
            }, 1)?;
            apply_stats!(tx, delta);
            audit!(&mut *tx, scope, "create", "member", Some(id), &path,
                format!("Thêm đoàn viên {name} vào {}", unit.name), None,
                Some(serde_json::json!({"full_name": name, "unit_id": unit.unit_id, "status": status})));
            tx.commit().await?;
            id
        });
        self.member(scope, id).await
    }

    /// Edits a member's record; `expected_version` guards against lost updates.
    #[tracing::instrument(skip(self, scope, input))]
    pub async fn update_member(
        &self,
        scope: &Scope,
        member_id: i64,
        expected_version: i64,
        input: MemberInput,
    ) -> Result<Member> {
        let before = self.member(scope, member_id).await?;
        scope.check_write(&before.path)?;
        let cdcs = self.unit_unscoped(before.cdcs_id).await?;
        let name = input.name.as_str().to_string();
        let after = Member {
            sex: input.sex.code().to_string(),
            birth_date: input.birth_date,
            party_member: input.party_member,
            ..before.clone()
        };
        let lock = self.lock_path_sql();
        write!(self, p => {
            let mut tx = p.begin().await?;
            let path: String = sqlx::query_scalar(lock).bind(before.unit_id).fetch_one(&mut *tx).await?;
            let mut delta = StatDelta::default();
            delta.member(&path, &facts(&before, &cdcs), -1)?;
            delta.member(&path, &facts(&after, &cdcs), 1)?;
            apply_stats!(tx, delta);
            let n = sqlx::query(
                "UPDATE member SET full_name = $1, search_key = $2, sort_key = $3, birth_date = $4, sex = $5, cccd = $6, phone = $7, \
                 ethnicity = $8, nationality = $9, job_title = $10, employer_name = $11, si_salary = $12, card_no = $13, \
                 join_date = $14, party_member = $15, version = version + 1, updated_at = $16 WHERE member_id = $17 AND version = $18")
                .bind(&name).bind(fold(&name)).bind(name_sort_key(&name)).bind(input.birth_date).bind(input.sex.code())
                .bind(input.cccd.as_ref().map(|c| c.as_str().to_string())).bind(input.phone.as_ref().map(|c| c.as_str().to_string()))
                .bind(clean(input.ethnicity.clone())).bind(clean(input.nationality.clone())).bind(clean(input.job_title.clone()))
                .bind(clean(input.employer_name.clone())).bind(input.si_salary).bind(clean(input.card_no.clone()).map(|c| c.to_uppercase()))
                .bind(input.join_date).bind(input.party_member).bind(now()).bind(member_id).bind(expected_version)
                .execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict);
            }
            let mut was = serde_json::json!({"full_name": before.full_name, "birth_date": before.birth_date.to_string(), "sex": before.sex,
                "job_title": before.job_title, "card_no": before.card_no});
            let mut now_is = serde_json::json!({"full_name": name, "birth_date": input.birth_date.to_string(), "sex": input.sex.code(),
                "job_title": input.job_title, "card_no": input.card_no});
            personal_changes(&before, &input, &mut was, &mut now_is);
            audit!(&mut *tx, scope, "update", "member", Some(member_id), &before.path, format!("Sửa hồ sơ đoàn viên {name}"),
                Some(was), Some(now_is));
            tx.commit().await?;
        });
        self.member(scope, member_id).await
    }

    /// Applies a status change or transfer through the membership status machine.
    #[tracing::instrument(skip(self, scope, ev))]
    pub async fn member_event(
        &self,
        scope: &Scope,
        member_id: i64,
        ev: MemberEventInput,
        rules: &MembershipRules,
        today: Date,
    ) -> Result<Member> {
        let m = self.member(scope, member_id).await?;
        scope.check_write(&m.path)?;
        if ev.on > today {
            return Err(StoreError::rule(
                "ST0710",
                "effective_date",
                "Ngày hiệu lực không được ở tương lai.",
                "The effective date cannot be in the future.",
            ));
        }
        let current = MemberStatus::parse(&m.status)?;
        let reason = clean(ev.reason.clone());
        if matches!(
            ev.kind,
            MemberEventKind::Exit | MemberEventKind::Expel | MemberEventKind::Suspend
        ) && reason.is_none()
        {
            return Err(StoreError::rule(
                "ST0711",
                "reason",
                "Cần ghi lý do.",
                "A reason is required.",
            ));
        }
        // A transfer to a unit inside congdoan keeps the member (and card) active there.
        let (to_status, target) = match (ev.kind, ev.to_unit_id) {
            (MemberEventKind::TransferOut, Some(to)) => {
                transition(
                    current,
                    ev.kind,
                    ev.on,
                    Some(m.status_since),
                    ev.discipline_end,
                    rules,
                )?;
                let (unit, cdcs) = self.placement(scope, to, ev.on).await?;
                if unit.unit_id == m.unit_id {
                    return Err(StoreError::rule(
                        "ST0712",
                        "unit",
                        "Đơn vị nhận phải khác đơn vị hiện tại.",
                        "The receiving unit must differ from the current one.",
                    ));
                }
                (current, Some((unit, cdcs)))
            }
            _ => (
                transition(
                    current,
                    ev.kind,
                    ev.on,
                    Some(m.status_since),
                    ev.discipline_end,
                    rules,
                )?,
                None,
            ),
        };
        let to_code = to_status.code();
        let old_cdcs = self.unit_unscoped(m.cdcs_id).await?;
        let lock = self.lock_path_sql();
        write!(self, p => {
            let mut tx = p.begin().await?;
            let old_path: String = sqlx::query_scalar(lock).bind(m.unit_id).fetch_one(&mut *tx).await?;
            let target = match target {
                Some((u, c)) => {
                    let path: String = sqlx::query_scalar(lock).bind(u.unit_id).fetch_one(&mut *tx).await?;
                    Some((Unit { path, ..u }, c))
                }
                None => None,
            };
            sqlx::query("INSERT INTO member_event (member_id, kind, on_date, from_status, to_status, unit_id, to_unit_id, reason, recorded_at, recorded_by) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(member_id).bind(ev.kind.code()).bind(ev.on).bind(&m.status).bind(to_code).bind(m.unit_id)
                .bind(target.as_ref().map(|(u, _)| u.unit_id)).bind(&reason).bind(now()).bind(scope.actor().account_id)
                .execute(&mut *tx).await?;
            let (new_unit, new_cdcs, new_path) = match &target {
                Some((u, c)) => (u.unit_id, c, u.path.clone()),
                None => (m.unit_id, &old_cdcs, old_path.clone()),
            };
            let moved = Member { status: to_code.to_string(), ..m.clone() };
            let mut delta = StatDelta::default();
            delta.member(&old_path, &facts(&m, &old_cdcs), -1)?;
            delta.member(&new_path, &facts(&moved, new_cdcs), 1)?;
            apply_stats!(tx, delta);
            let new_cdcs = new_cdcs.unit_id;
            let n = sqlx::query("UPDATE member SET status = $1, status_since = $2, unit_id = $3, cdcs_id = $4, fts_top = $5, \
                                 version = version + 1, updated_at = $6 WHERE member_id = $7 AND version = $8")
                .bind(to_code).bind(ev.on).bind(new_unit).bind(new_cdcs).bind(fts_top(&new_path)?).bind(now()).bind(member_id).bind(m.version)
                .execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict);
            }
            sqlx::query("UPDATE unit SET direct_members = direct_members - $1 WHERE unit_id = $2")
                .bind(status_delta(&m.status)).bind(m.unit_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE unit SET direct_members = direct_members + $1 WHERE unit_id = $2")
                .bind(status_delta(to_code)).bind(new_unit).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, ev.kind.code(), "member", Some(member_id), &new_path,
                format!("{}: {} ({})", ev.kind.label(congdoan_domain::Lang::Vi), m.full_name, congdoan_domain::date::format_vn_date(ev.on)),
                Some(serde_json::json!({"status": m.status, "unit_id": m.unit_id})),
                Some(serde_json::json!({"status": to_code, "unit_id": new_unit, "reason": reason})));
            tx.commit().await?;
        });
        self.member(scope, member_id).await
    }

    /// A member's status history, oldest first.
    pub async fn member_history(&self, scope: &Scope, member_id: i64) -> Result<Vec<MemberEvent>> {
        self.member(scope, member_id).await?;
        Ok(read!(self, p => sqlx::query_as(
            "SELECT e.event_id, e.kind, e.on_date, e.from_status, e.to_status, e.unit_id, u.name AS unit_name, \
             e.to_unit_id, t.name AS to_unit_name, e.reason, e.plan_id FROM member_event e JOIN unit u ON u.unit_id = e.unit_id \
             LEFT JOIN unit t ON t.unit_id = e.to_unit_id WHERE e.member_id = $1 ORDER BY e.on_date, e.event_id"
        ).bind(member_id).fetch_all(p).await)?)
    }

    /// Subtrees as the members' own federation tokens see them: None when one is the
    /// national unit (everything). `moved_in` are units inside whose members still carry
    /// another federation's token; `exact` when the subtrees are whole federations none
    /// of whose units has left with their members' tokens, so that "token of the
    /// federation, or unit moved in" is exactly the subtrees' members.
    async fn federation_scope(&self, paths: &[String]) -> Result<Option<FederationScope>> {
        let tops: Option<Vec<i64>> = paths
            .iter()
            .map(|p| Ok(congdoan_domain::OrgPath::parse(p)?.top_id()))
            .collect::<Result<_>>()?;
        let Some(tops) = tops else {
            return Ok(None);
        };
        // Units whose members still carry an older federation's token (none once the
        // refresh has caught up; a few thousand right after a reform).
        let stale: Vec<(i64, String, i64)> = read!(self, p => sqlx::query_as(
            "SELECT unit_id, path, fts_top FROM unit WHERE fts_top IS NOT NULL").fetch_all(p).await)?;
        let inside = |path: &str| paths.iter().any(|r| path.starts_with(r.as_str()));
        let exact = paths
            .iter()
            .zip(&tops)
            .all(|(p, top)| p.ends_with(&format!("/{top}/")) && p.matches('/').count() == 3)
            && !stale.iter().any(|(_, _, was)| tops.contains(was));
        let moved_in = stale
            .iter()
            .filter(|(_, path, _)| inside(path))
            .map(|(id, ..)| *id)
            .collect();
        Ok(Some(FederationScope {
            tops,
            moved_in,
            exact,
        }))
    }

    /// Up to [`SEARCH_CAP`] + 1 members whose folded name holds every token as a word
    /// (the last as a word start when `prefix`), inside `within`. Words before the last
    /// are always whole: "thi" must not also mean "thien", "thinh"… over millions of rows.
    async fn name_candidates(
        &self,
        tokens: &[String],
        within: &Within<'_>,
        prefix: bool,
    ) -> Result<Vec<i64>> {
        let last = tokens.len().saturating_sub(1);
        let star = |i: usize| prefix && i == last;
        // The scope as index tokens: a CĐCS exactly; a subtree by its federation, plus
        // the units whose members still carry another federation's token after a move
        // (the refresh has not reached them yet); the path filter then keeps the subtree.
        let (xs, paths): (Vec<i64>, &[String]) = match within {
            Within::All => (vec![], &[]),
            Within::Cdcs(c) => (vec![*c], &[]),
            Within::Subtrees(paths, f) => {
                let xs = f.tops.iter().chain(&f.moved_in).copied().collect();
                (xs, if f.exact { &[][..] } else { paths })
            }
        };
        let engine = self.engine();
        let m = match engine {
            Engine::Sqlite => {
                let names: Vec<String> = tokens
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        if star(i) {
                            format!("\"{t}\"*")
                        } else {
                            format!("\"{t}\"")
                        }
                    })
                    .collect();
                let mut m = format!("search_key : ({})", names.join(" AND "));
                if !xs.is_empty() {
                    let xs: Vec<String> = xs.iter().map(|i| format!("x{i}")).collect();
                    m.push_str(&format!(" AND scope : ({})", xs.join(" OR ")));
                }
                m
            }
            Engine::Postgres => {
                let names: Vec<String> = tokens
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        if star(i) {
                            format!("{t}:*D")
                        } else {
                            format!("{t}:D")
                        }
                    })
                    .collect();
                let mut m = names.join(" & ");
                if !xs.is_empty() {
                    let xs: Vec<String> = xs.iter().map(|i| format!("x{i}:A")).collect();
                    m.push_str(&format!(" & ({})", xs.join(" | ")));
                }
                m
            }
        };
        // The path filter (and its joins) only where the tokens alone may say too much.
        // PostgreSQL is made to take the index hits first (left to itself it may read the
        // subtree's members and test each one's tsvector).
        Ok(read!(self, p => {
            let (head, tail) = match (engine, paths.is_empty()) {
                (Engine::Sqlite, true) => ("SELECT rowid FROM member_fts WHERE member_fts MATCH ", ""),
                (Engine::Sqlite, false) => ("SELECT m.member_id FROM member_fts JOIN member m ON m.member_id = member_fts.rowid \
                                             JOIN unit u ON u.unit_id = m.unit_id WHERE member_fts MATCH ", " AND "),
                (Engine::Postgres, true) => ("SELECT member_id FROM member WHERE search_tsv @@ to_tsquery('simple', ", ")"),
                (Engine::Postgres, false) => ("WITH hit AS MATERIALIZED (SELECT member_id, unit_id FROM member \
                                               WHERE search_tsv @@ to_tsquery('simple', ",
                                              ")) SELECT hit.member_id FROM hit JOIN unit u ON u.unit_id = hit.unit_id WHERE "),
            };
            let mut qb = QueryBuilder::new(head);
            qb.push_bind(m).push(tail);
            if !paths.is_empty() {
                crate::scope::push_ranges(&mut qb, "", "u.path", paths);
            }
            qb.push(" LIMIT ").push_bind(SEARCH_CAP + 1);
            qb.build_query_scalar::<i64>().fetch_all(p).await
        })?)
    }

    /// Rewrites the search tokens of members whose units moved to another federation
    /// (one batch of about [`REFRESH_BATCH`] members per transaction); returns the units
    /// brought up to date, 0 when none is left. Searches are exact before and after:
    /// until a unit is refreshed, searches add its own token (see `name_candidates`).
    #[tracing::instrument(skip(self))]
    pub async fn refresh_search_scope(&self) -> Result<usize> {
        let lock = self.lock_path_sql();
        Ok(write!(self, p => {
            let mut tx = p.begin().await?;
            let stale: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT unit_id, fts_top, direct_members FROM unit WHERE fts_top IS NOT NULL ORDER BY unit_id LIMIT 1000")
                .fetch_all(&mut *tx).await?;
            let mut done = 0;
            let mut rewritten = 0;
            for (unit_id, was, direct) in stale {
                if done > 0 && rewritten + direct > REFRESH_BATCH {
                    break;
                }
                let path: String = sqlx::query_scalar(lock).bind(unit_id).fetch_one(&mut *tx).await?;
                let top = fts_top(&path)?;
                if top != was {
                    sqlx::query("UPDATE member SET fts_top = $1 WHERE unit_id = $2 AND fts_top <> $1")
                        .bind(top).bind(unit_id).execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE unit SET fts_top = NULL WHERE unit_id = $1").bind(unit_id).execute(&mut *tx).await?;
                done += 1;
                rewritten += direct;
            }
            tx.commit().await?;
            done
        }))
    }

    /// Lists members in the caller's scope, in Vietnamese name order. `q` matches names
    /// without accents ("nguyen van duc" finds "Nguyễn Văn Đức"), or a CCCD, phone or
    /// card number exactly.
    ///
    /// The plan depends on the subtree's size, read from the maintained figures: a small
    /// subtree (one CĐCS, a commune union) is read by its units' path range and sorted; a
    /// large one walks the name-order index and keeps rows in the subtree; a name search
    /// in a large subtree asks the full-text index (narrowed by scope tokens, see
    /// `name_candidates`) for at most [`SEARCH_CAP`] hits, sorts those, and says the
    /// result was capped.
    #[tracing::instrument(skip(self, scope))]
    pub async fn search_members(&self, scope: &Scope, q: &MemberQuery) -> Result<MemberPage> {
        Ok(self.member_rows(scope, q, false).await?.0)
    }

    /// The total of a member list: from the maintained figures when the filters are
    /// the status alone, or active members by one of sex, age band, sector, ownership
    /// or Party; otherwise counted by the list's own plan up to [`MEMBER_COUNT_CAP`].
    #[tracing::instrument(skip(self, scope))]
    pub async fn count_members(&self, scope: &Scope, q: &MemberQuery) -> Result<MemberTotal> {
        let text = q.q.as_deref().is_some_and(|t| !t.trim().is_empty());
        let facets = [
            q.sex.is_some(),
            q.birth_years.is_some(),
            q.sector.is_some(),
            q.ownership.is_some(),
            q.party,
        ]
        .iter()
        .filter(|x| **x)
        .count();
        let active = q.status == Some(MemberStatus::Member);
        if !text && (facets == 0 || (facets == 1 && active)) {
            let roots: Vec<i64> = match q.unit_id {
                Some(id) => vec![self.unit(scope, id).await?.unit_id],
                None if scope.is_admin() => read!(self, p => sqlx::query_scalar(
                    "SELECT unit_id FROM unit WHERE parent_id IS NULL").fetch_all(p).await)?,
                None => scope
                    .read_paths()
                    .iter()
                    .filter_map(|p| {
                        congdoan_domain::OrgPath::parse(p)
                            .ok()?
                            .ids()
                            .last()
                            .copied()
                    })
                    .collect(),
            };
            let figures = self.figures(&roots).await?;
            let sum = |d: &str, keep: &dyn Fn(&str) -> bool| -> i64 {
                figures
                    .iter()
                    .filter(|((fd, k), _)| fd == d && keep(k))
                    .map(|(_, n)| *n)
                    .sum()
            };
            use crate::stats::dim;
            let n = if let Some(sex) = &q.sex {
                sum(dim::SEX, &|k| k == sex)
            } else if let Some((lo, hi)) = q.birth_years {
                sum(dim::BIRTH_YEAR, &|k| {
                    k.parse::<i32>().is_ok_and(|y| y >= lo && y <= hi)
                })
            } else if let Some(sector) = &q.sector {
                sum(dim::SECTOR, &|k| k == sector)
            } else if let Some(o) = &q.ownership {
                sum(dim::OWNERSHIP, &|k| k == o)
            } else if q.party {
                sum(dim::PARTY, &|_| true)
            } else {
                match q.status {
                    Some(s) => sum(dim::STATUS, &|k| k == s.code()),
                    None => sum(dim::STATUS, &|_| true),
                }
            };
            return Ok(MemberTotal {
                n,
                more: false,
                partial: false,
            });
        }
        let (_, n, partial) = self.member_rows(scope, q, true).await?;
        Ok(MemberTotal {
            n: n.min(MEMBER_COUNT_CAP),
            more: n > MEMBER_COUNT_CAP,
            partial: partial && n <= MEMBER_COUNT_CAP,
        })
    }

    /// Every record in the country (all statuses), from the national roots' figures.
    async fn national_records(&self) -> Result<i64> {
        let roots: Vec<i64> = read!(self, p => sqlx::query_scalar(
            "SELECT unit_id FROM unit WHERE parent_id IS NULL").fetch_all(p).await)?;
        Ok(self
            .figures(&roots)
            .await?
            .iter()
            .filter(|((d, _), _)| d == crate::stats::dim::STATUS)
            .map(|(_, n)| *n)
            .sum())
    }

    /// A page of a member list, or (`count`) how many rows the list holds, up to
    /// [`MEMBER_COUNT_CAP`] + 1, and whether that count stopped at
    /// [`MEMBER_SCAN_CAP`] records read (a large subtree: a lower bound).
    async fn member_rows(
        &self,
        scope: &Scope,
        q: &MemberQuery,
        count: bool,
    ) -> Result<(MemberPage, i64, bool)> {
        let per_page = q.per_page.clamp(1, 200);
        // Bounded: a page past the 50,000th (10 million rows) is not a page anyone reads,
        // and an unbounded one overflows.
        let offset = q.page.clamp(0, 50_000) * per_page;
        // A CĐCS's list walks its own name-order index (its members sit in its tổ).
        let (roots, all, cdcs): (Vec<String>, bool, Option<i64>) = match q.unit_id {
            Some(id) => {
                let u = self.unit(scope, id).await?;
                let grassroots = self.unit_type(&u.type_code).await?.is_grassroots;
                (vec![u.path], false, grassroots.then_some(id))
            }
            None if scope.is_admin() => (vec![], true, None),
            None => (scope.read_paths().to_vec(), false, None),
        };
        let text = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let ident: Option<String> = text.and_then(|t| {
            let compact: String = t.chars().filter(|c| !" .-()".contains(*c)).collect();
            compact
                .chars()
                .any(|c| c.is_ascii_digit())
                .then_some(compact)
        });
        let tokens = match (&ident, text) {
            (None, Some(t)) => fold_query_tokens(t),
            _ => vec![],
        };
        let root_ids: Vec<i64> = roots
            .iter()
            .filter_map(|p| {
                congdoan_domain::OrgPath::parse(p)
                    .ok()?
                    .ids()
                    .last()
                    .copied()
            })
            .collect();
        let size: i64 = if all {
            i64::MAX
        } else {
            self.figures(&root_ids)
                .await?
                .iter()
                .filter(|((d, _), _)| d == crate::stats::dim::STATUS)
                .map(|(_, n)| *n)
                .sum()
        };
        let small = size <= self.small_subtree;
        // Counting in a large subtree (no name or number searched): its units are read
        // in path order and their members by unit, at most MEMBER_SCAN_CAP of them, so
        // the time is bounded whatever the filters match (walking the national name
        // order for a province's sparse matches took 13-17 s at 10 million).
        let bounded = count && !small && cdcs.is_none() && text.is_none();
        if q.by_cdcs_fields() && !small && cdcs.is_none() && !bounded {
            return Ok((
                MemberPage {
                    rows: vec![],
                    more: false,
                    capped: false,
                    too_large: true,
                },
                0,
                false,
            ));
        }
        // A large subtree other than one CĐCS, as the federation tokens see it (None
        // inside: the national unit, that is everything).
        let fed = match !all && cdcs.is_none() && !small && ident.is_none() && !bounded {
            true => Some(self.federation_scope(&roots).await?),
            false => None,
        };
        // A name search in a large subtree: the full-text index picks the candidates.
        // Whole words first: a common name ("nguyen") fills the cap at once without
        // expanding a prefix over millions of rows; only if it does not is the last
        // word also read as the start of a longer one (still being typed).
        let mut capped = false;
        let candidates: Option<Vec<i64>> = if !tokens.is_empty() && !small {
            let within = match (cdcs, &fed) {
                (Some(c), _) => Within::Cdcs(c),
                (None, Some(Some(f))) => Within::Subtrees(&roots, f),
                _ => Within::All,
            };
            let mut ids = self.name_candidates(&tokens, &within, false).await?;
            if ids.len() as i64 <= SEARCH_CAP {
                ids = self.name_candidates(&tokens, &within, true).await?;
            }
            if ids.len() as i64 > SEARCH_CAP {
                capped = true;
                ids.truncate(SEARCH_CAP as usize);
            }
            Some(ids)
        } else {
            None
        };
        if candidates.as_ref().is_some_and(|c| c.is_empty()) {
            return Ok((
                MemberPage {
                    rows: vec![],
                    more: false,
                    capped,
                    too_large: false,
                },
                0,
                false,
            ));
        }
        let engine = self.engine();
        // A large subtree listed in name order: when it is the whole country or whole
        // federations (exact by the members' own tokens), rows are kept without looking
        // up their units — the roots are readable, so their subtrees are too.
        let by_token = match (&fed, candidates.is_none()) {
            (Some(None), true) => Some(None),
            (Some(Some(f)), true) if f.exact => Some(Some(f)),
            _ => None,
        };
        let (mut rows, counted): (Vec<MemberListRow>, i64) = read!(self, p => {
            let mut qb = QueryBuilder::new(if bounded {
                "SELECT COUNT(*) FROM (SELECT 1 FROM (SELECT m.member_id, m.status, m.sex, m.birth_date, m.party_member, m.cdcs_id FROM "
            } else if count {
                "SELECT COUNT(*) FROM (SELECT 1 FROM "
            } else {
                "SELECT m.member_id, m.full_name, m.birth_date, m.sex, m.unit_id, \
                 (SELECT name FROM unit WHERE unit_id = m.unit_id) AS unit_name, m.status, m.card_no, m.cccd, m.phone FROM "
            });
            // Members are addressed through their unit's path. SQLite is told the order:
            // a CĐCS walks its name index; a large subtree walks the national name index
            // and keeps rows whose unit is inside; a small one reads its units by path,
            // then their members, and sorts.
            let listing = engine == Engine::Sqlite && candidates.is_none() && ident.is_none();
            qb.push(match (listing, cdcs.is_some(), small || bounded, by_token.is_some()) {
                (true, true, ..) => "member m INDEXED BY member_cdcs_sort_idx JOIN unit u ON u.unit_id = m.unit_id",
                (true, false, false, true) => "member m INDEXED BY member_sort_idx",
                (true, false, false, false) => "member m INDEXED BY member_sort_idx JOIN unit u ON u.unit_id = m.unit_id",
                (true, false, true, _) => "unit u CROSS JOIN member m ON m.unit_id = u.unit_id",
                (false, _, _, true) => "member m",
                (false, ..) => "member m JOIN unit u ON u.unit_id = m.unit_id",
            });
            qb.push(" WHERE ");
            match &by_token {
                Some(None) => {
                    qb.push("(1=1)");
                }
                Some(Some(f)) => {
                    qb.push("(m.fts_top IN (");
                    let mut sep = qb.separated(", ");
                    for t in &f.tops {
                        sep.push_bind(*t);
                    }
                    qb.push(")");
                    for u in &f.moved_in {
                        qb.push(" OR m.unit_id = ").push_bind(*u);
                    }
                    qb.push(")");
                }
                None => scope.push_read_filter(&mut qb, "u.path"),
            }
            // A CĐCS's subtree is exactly its cdcs_id (stated alone, so that PostgreSQL
            // also picks the (cdcs_id, sort_key) index).
            if let Some(c) = cdcs {
                qb.push(" AND m.cdcs_id = ").push_bind(c);
            } else if q.unit_id.is_some() && by_token.is_none() {
                crate::scope::push_ranges(&mut qb, " AND ", "u.path", &roots);
            }
            if bounded {
                qb.push(" LIMIT ").push_bind(self.member_scan_cap).push(") m WHERE 1=1");
            }
            if let Some(s) = q.status {
                qb.push(" AND m.status = ").push_bind(s.code().to_string());
            }
            if let Some(sex) = &q.sex {
                qb.push(" AND m.sex = ").push_bind(sex.clone());
            }
            if let Some((lo, hi)) = q.birth_years {
                let first = |y: i32| Date::from_calendar_date(y, time::Month::January, 1).unwrap_or(Date::MIN);
                qb.push(" AND m.birth_date >= ").push_bind(first(lo)).push(" AND m.birth_date < ").push_bind(first(hi + 1));
            }
            if q.party {
                qb.push(" AND m.party_member = ").push_bind(true);
            }
            if let Some(v) = &q.sector {
                qb.push(" AND m.cdcs_id IN (SELECT unit_id FROM unit WHERE COALESCE(sector, '') = ").push_bind(v.clone()).push(")");
            }
            if let Some(v) = &q.ownership {
                qb.push(" AND m.cdcs_id IN (SELECT unit_id FROM unit WHERE COALESCE(employer_ownership, '') = ").push_bind(v.clone()).push(")");
            }
            if let Some(id) = &ident {
                let phone = PhoneVn::parse(id).map(|p| p.as_str().to_string()).unwrap_or_else(|_| id.clone());
                qb.push(" AND (m.cccd = ").push_bind(id.clone()).push(" OR m.phone = ").push_bind(phone)
                    .push(" OR m.card_no = ").push_bind(id.to_uppercase()).push(")");
            } else if let Some(ids) = &candidates {
                qb.push(" AND m.member_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                qb.push(")");
            } else {
                // Small subtree: each token must start a word of the folded name.
                for t in &tokens {
                    qb.push(" AND (' ' || m.search_key) LIKE ").push_bind(format!("% {t}%"));
                }
            }
            if count {
                qb.push(" LIMIT ").push_bind(MEMBER_COUNT_CAP + 1).push(") x");
                qb.build_query_scalar::<i64>().fetch_one(p).await.map(|n| (vec![], n))
            } else {
                qb.push(" ORDER BY m.sort_key, m.member_id LIMIT ").push_bind(per_page + 1).push(" OFFSET ").push_bind(offset);
                qb.build_query_as::<MemberListRow>().fetch_all(p).await.map(|r| (r, 0))
            }
        })?;
        // The whole country's size is not read above (`all` needs no figures to plan).
        let partial = bounded
            && match all {
                true => self.national_records().await?,
                false => size,
            } > self.member_scan_cap;
        let more = rows.len() as i64 > per_page;
        rows.truncate(per_page as usize);
        for r in &mut rows {
            r.cccd = r.cccd.as_deref().map(|c| {
                Cccd::parse(c)
                    .map(|c| c.masked())
                    .unwrap_or_else(|_| "***".into())
            });
            r.phone = r.phone.as_deref().map(|c| {
                PhoneVn::parse(c)
                    .map(|c| c.masked())
                    .unwrap_or_else(|_| "***".into())
            });
        }
        Ok((
            MemberPage {
                rows,
                more,
                capped,
                too_large: false,
            },
            counted,
            partial,
        ))
    }

    /// The member with this CCCD or card number, if the caller may read them (the officer picker).
    pub async fn member_by_cccd_or_card(&self, scope: &Scope, key: &str) -> Result<Member> {
        let key = key.trim().to_uppercase();
        let id: i64 = read!(self, p => sqlx::query_scalar("SELECT member_id FROM member WHERE cccd = $1 OR card_no = $1")
            .bind(key).fetch_one(p).await)?;
        self.member(scope, id).await
    }
}

/// Records changes of CCCD, phone and salary in an audit row, masked: the log says
/// that they changed (and the ends of the numbers), never the personal data itself.
fn personal_changes(
    before: &Member,
    input: &MemberInput,
    was: &mut serde_json::Value,
    now_is: &mut serde_json::Value,
) {
    let cccd = |c: Option<&str>| {
        c.map(|c| {
            Cccd::parse(c)
                .map(|c| c.masked())
                .unwrap_or_else(|_| "***".into())
        })
    };
    let phone = |p: Option<&str>| {
        p.map(|p| {
            PhoneVn::parse(p)
                .map(|p| p.masked())
                .unwrap_or_else(|_| "***".into())
        })
    };
    let new_cccd = input.cccd.as_ref().map(|c| c.as_str());
    if before.cccd.as_deref() != new_cccd {
        was["cccd"] = serde_json::json!(cccd(before.cccd.as_deref()));
        now_is["cccd"] = serde_json::json!(cccd(new_cccd));
    }
    let new_phone = input.phone.as_ref().map(|p| p.as_str());
    if before.phone.as_deref() != new_phone {
        was["phone"] = serde_json::json!(phone(before.phone.as_deref()));
        now_is["phone"] = serde_json::json!(phone(new_phone));
    }
    if before.si_salary != input.si_salary {
        was["si_salary"] = serde_json::json!(before.si_salary.map(|_| "***"));
        now_is["si_salary"] = serde_json::json!(input.si_salary.map(|_| "*** (đã thay đổi)"));
    }
}
