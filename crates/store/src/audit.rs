//! The append-only audit log: every change, and every view of personal data, is written
//! in the same transaction as the change itself.

use crate::{Result, Scope, Store, read};
use serde::Serialize;
use sqlx::QueryBuilder;

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
    (at, account_id, username, action, entity, entity_id, unit_path, summary, before_json, after_json) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// Writes one audit row on `$ex` (a transaction or a pool):
/// `audit!(ex, scope, action, entity, entity_id, unit_path, summary, before, after)`.
macro_rules! audit {
    ($ex:expr, $scope:expr, $action:expr, $entity:expr, $id:expr, $path:expr, $summary:expr, $before:expr, $after:expr) => {
        sqlx::query($crate::audit::INSERT_AUDIT)
            .bind($crate::now())
            .bind($scope.actor().account_id)
            .bind($scope.actor().username.clone())
            .bind($action)
            .bind($entity)
            .bind($id)
            .bind($path.to_string())
            .bind($summary.to_string())
            .bind($before.map(|v: serde_json::Value| v.to_string()))
            .bind($after.map(|v: serde_json::Value| v.to_string()))
            .execute($ex)
            .await?
    };
}
pub(crate) use audit;

/// One row of the audit log.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub audit_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
    pub account_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub unit_path: String,
    pub summary: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// Filters for the audit log; newest first, keyset-paged by `before_id`.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub before_id: Option<i64>,
    /// Only rows about this subtree (a unit path).
    pub subtree: Option<String>,
    /// Only rows by this account (its user name, as recorded).
    pub username: Option<String>,
    /// Only rows with this action code.
    pub action: Option<String>,
    /// Only rows written at or after / before these instants.
    pub from: Option<time::OffsetDateTime>,
    pub until: Option<time::OffsetDateTime>,
    pub limit: i64,
}

impl Store {
    /// Audit rows whose unit lies in the caller's scope.
    #[tracing::instrument(skip(self, scope))]
    pub async fn audit_log(&self, scope: &Scope, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = q.limit.clamp(1, 500);
        Ok(read!(self, p => {
            let mut qb = QueryBuilder::new("SELECT * FROM audit_log WHERE ");
            scope.push_read_filter(&mut qb, "unit_path");
            if let Some(e) = &q.entity {
                qb.push(" AND entity = ").push_bind(e.clone());
            }
            if let Some(id) = q.entity_id {
                qb.push(" AND entity_id = ").push_bind(id);
            }
            if let Some(path) = &q.subtree {
                qb.push(" AND unit_path >= ").push_bind(path.clone()).push(" AND unit_path < ").push_bind(crate::scope::range_end(path));
            }
            if let Some(u) = &q.username {
                qb.push(" AND username = ").push_bind(u.clone());
            }
            if let Some(a) = &q.action {
                qb.push(" AND action = ").push_bind(a.clone());
            }
            // Stored in UTC: compare in UTC so SQLite's text order is time order.
            if let Some(t) = q.from {
                qb.push(" AND at >= ").push_bind(t.to_offset(time::UtcOffset::UTC));
            }
            if let Some(t) = q.until {
                qb.push(" AND at < ").push_bind(t.to_offset(time::UtcOffset::UTC));
            }
            if let Some(b) = q.before_id {
                qb.push(" AND audit_id < ").push_bind(b);
            }
            qb.push(" ORDER BY audit_id DESC LIMIT ").push_bind(limit);
            qb.build_query_as::<AuditEntry>().fetch_all(p).await
        })?)
    }
}

impl Store {
    /// Names of the readable units among `ids` (for an audit row's before/after
    /// values); units outside the caller's scope are left out.
    pub async fn unit_names(&self, scope: &Scope, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        Ok(read!(self, p => {
            let mut qb = QueryBuilder::new("SELECT unit_id, name FROM unit WHERE unit_id IN (");
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(") AND ");
            scope.push_read_filter(&mut qb, "path");
            qb.build_query_as::<(i64, String)>().fetch_all(p).await
        })?)
    }
}
