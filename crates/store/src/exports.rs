//! Member lists for export, read page by page in name order so that a national
//! export never holds more than one page.

use crate::audit::audit;
use crate::{Engine, Result, Scope, Store, read, write};
use congdoan_domain::member::MemberStatus;
use congdoan_domain::{Cccd, PhoneVn};
use serde::Serialize;
use sqlx::QueryBuilder;
use time::Date;

/// Rows per page of an export.
pub const EXPORT_PAGE: i64 = 5_000;

/// One member as an export lists them.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ExportRow {
    pub member_id: i64,
    pub sort_key: String,
    pub full_name: String,
    pub birth_date: Date,
    pub sex: String,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub ethnicity: Option<String>,
    pub job_title: Option<String>,
    pub card_no: Option<String>,
    pub join_date: Option<Date>,
    pub party_member: bool,
    pub status: String,
    pub unit_code: String,
    pub unit_name: String,
    pub cdcs_name: String,
}

/// Where an export starts and what it keeps.
#[derive(Debug, Clone)]
pub struct ExportQuery {
    pub unit_id: i64,
    pub status: Option<MemberStatus>,
    /// The member list's other filters (name words, sex, birth years, the CĐCS's
    /// sector and ownership, Party), so that an export is the filtered list.
    pub filters: crate::MemberQuery,
}

/// An export in progress: the subtree, whether identifiers are shown, and the cursor.
#[derive(Debug, Clone)]
pub struct ExportCursor {
    path: String,
    cdcs: Option<i64>,
    status: Option<MemberStatus>,
    filters: crate::MemberQuery,
    /// CCCD and phone in full: only for those who may edit the subtree.
    pub full_identifiers: bool,
    after: Option<(String, i64)>,
    pub unit_name: String,
}

impl Store {
    /// Starts an export of a unit's members; records in the audit log who exported
    /// what (identifiers in full are personal data).
    #[tracing::instrument(skip(self, scope))]
    pub async fn start_member_export(
        &self,
        scope: &Scope,
        q: &ExportQuery,
    ) -> Result<ExportCursor> {
        let unit = self.unit(scope, q.unit_id).await?;
        let grassroots = self.unit_type(&unit.type_code).await?.is_grassroots;
        let full = scope.can_write(&unit.path);
        write!(self, p => {
            audit!(p, scope, "export", "unit", Some(unit.unit_id), &unit.path,
                format!("Xuất danh sách đoàn viên {}{}", unit.name,
                    if full { " (có số CCCD, điện thoại)" } else { "" }), None, None);
        });
        Ok(ExportCursor {
            path: unit.path,
            cdcs: grassroots.then_some(unit.unit_id),
            status: q.status,
            filters: q.filters.clone(),
            full_identifiers: full,
            after: None,
            unit_name: unit.name,
        })
    }

    /// The next page of an export (empty at the end).
    pub async fn next_export_page(&self, c: &mut ExportCursor) -> Result<Vec<ExportRow>> {
        let engine = self.engine();
        let mut rows: Vec<ExportRow> = read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT m.member_id, m.sort_key, m.full_name, m.birth_date, m.sex, m.cccd, m.phone, m.ethnicity, m.job_title, \
                 m.card_no, m.join_date, m.party_member, m.status, u.code AS unit_code, u.name AS unit_name, \
                 c.name AS cdcs_name FROM member m ");
            if engine == Engine::Sqlite {
                qb.push(if c.cdcs.is_some() { "INDEXED BY member_cdcs_sort_idx " } else { "INDEXED BY member_sort_idx " });
            }
            qb.push("JOIN unit u ON u.unit_id = m.unit_id JOIN unit c ON c.unit_id = m.cdcs_id WHERE ");
            crate::scope::push_ranges(&mut qb, "", "u.path", std::slice::from_ref(&c.path));
            if let Some(id) = c.cdcs {
                qb.push(" AND m.cdcs_id = ").push_bind(id);
            }
            if let Some(s) = c.status {
                qb.push(" AND m.status = ").push_bind(s.code().to_string());
            }
            let f = &c.filters;
            if let Some(sex) = &f.sex {
                qb.push(" AND m.sex = ").push_bind(sex.clone());
            }
            if let Some((lo, hi)) = f.birth_years {
                let first = |y: i32| time::Date::from_calendar_date(y, time::Month::January, 1).unwrap_or(time::Date::MIN);
                qb.push(" AND m.birth_date >= ").push_bind(first(lo)).push(" AND m.birth_date < ").push_bind(first(hi + 1));
            }
            if f.party {
                qb.push(" AND m.party_member = ").push_bind(true);
            }
            if let Some(v) = &f.sector {
                qb.push(" AND COALESCE(c.sector, '') = ").push_bind(v.clone());
            }
            if let Some(v) = &f.ownership {
                qb.push(" AND COALESCE(c.employer_ownership, '') = ").push_bind(v.clone());
            }
            // Name words as word starts of the folded name (the list's small-subtree rule).
            for t in f.q.as_deref().map(congdoan_domain::text::fold_query_tokens).unwrap_or_default() {
                qb.push(" AND (' ' || m.search_key) LIKE ").push_bind(format!("% {t}%"));
            }
            if let Some((k, id)) = &c.after {
                qb.push(" AND (m.sort_key > ").push_bind(k.clone()).push(" OR (m.sort_key = ").push_bind(k.clone())
                    .push(" AND m.member_id > ").push_bind(*id).push("))");
            }
            qb.push(" ORDER BY m.sort_key, m.member_id LIMIT ").push_bind(EXPORT_PAGE);
            qb.build_query_as::<ExportRow>().fetch_all(p).await
        })?;
        if let Some(last) = rows.last() {
            c.after = Some((last.sort_key.clone(), last.member_id));
        }
        if !c.full_identifiers {
            for r in &mut rows {
                r.cccd = r.cccd.as_deref().map(|x| {
                    Cccd::parse(x)
                        .map(|c| c.masked())
                        .unwrap_or_else(|_| "***".into())
                });
                r.phone = r.phone.as_deref().map(|x| {
                    PhoneVn::parse(x)
                        .map(|c| c.masked())
                        .unwrap_or_else(|_| "***".into())
                });
            }
        }
        Ok(rows)
    }
}
