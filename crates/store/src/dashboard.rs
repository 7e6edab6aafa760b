//! Figures for a subtree: units by type, members by status and sex, recent changes.

use crate::{AuditEntry, AuditQuery, Result, Scope, Store, read};
use serde::Serialize;
use sqlx::QueryBuilder;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub key: String,
    pub n: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub units_by_type: Vec<Count>,
    pub members_by_status: Vec<Count>,
    /// Active members only.
    pub members_by_sex: Vec<Count>,
    pub recent: Vec<AuditEntry>,
}

impl Store {
    /// The figures of one unit's subtree, or of the caller's whole scope.
    #[tracing::instrument(skip(self, scope))]
    pub async fn dashboard(&self, scope: &Scope, unit_id: Option<i64>) -> Result<Dashboard> {
        let subtree = match unit_id {
            Some(id) => Some(self.unit(scope, id).await?.path),
            None => None,
        };
        let group = |table: &'static str, col: &'static str, extra: &'static str| {
            let subtree = subtree.clone();
            async move {
                Ok::<Vec<Count>, crate::StoreError>(read!(self, p => {
                    let mut qb = QueryBuilder::new(format!("SELECT {col} AS key, COUNT(*) AS n FROM {table} WHERE {extra} "));
                    qb.push(" AND ");
                    scope.push_read_filter(&mut qb, "path");
                    if let Some(path) = &subtree {
                        qb.push(" AND path >= ").push_bind(path.clone()).push(" AND path < ").push_bind(crate::scope::range_end(path));
                    }
                    qb.push(format!(" GROUP BY {col} ORDER BY {col}"));
                    qb.build_query_as::<Count>().fetch_all(p).await
                })?)
            }
        };
        let units_by_type = group("unit", "type_code", "ended_on IS NULL").await?;
        let members_by_status = group("member", "status", "1=1").await?;
        let members_by_sex = group("member", "sex", "status = 'member'").await?;
        let mut recent = self
            .audit_log(
                scope,
                &AuditQuery {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await?;
        if let Some(path) = &subtree {
            recent.retain(|a| a.unit_path.starts_with(path.as_str()));
        }
        Ok(Dashboard {
            units_by_type,
            members_by_status,
            members_by_sex,
            recent,
        })
    }
}
