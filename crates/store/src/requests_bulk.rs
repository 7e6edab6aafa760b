//! Bulk writes of responses: the benchmark's and the demo's history of submissions
//! (a year of monthly reports from every CĐCS), written in batches with the roll-up
//! computed in memory and added once — the same rows `request_step` would leave,
//! without one transaction per unit.

use crate::requests::{TallyDelta, apply_tallies, own_contribution, pending_contribution};
use crate::{Result, Store, StoreError, write};
use congdoan_domain::request::{Place, TargetFacts, TargetState};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// One unit's submission.
#[derive(Debug, Clone)]
pub struct BulkResponse {
    pub unit_id: i64,
    /// JSON of the form values.
    pub values: String,
    /// Its roll-up contribution (key → [total, n, hits]); None when it does not roll up.
    pub contribution: Option<BTreeMap<String, [i64; 3]>>,
    pub at: OffsetDateTime,
    pub on_time: bool,
    pub approved: bool,
}

impl Store {
    /// Submits many pending targets of one request at once (others are left alone).
    /// Returns how many were written.
    #[tracing::instrument(skip(self, rows), fields(rows = rows.len()))]
    pub async fn bulk_submit(&self, request_id: i64, rows: &[BulkResponse]) -> Result<usize> {
        let pending: Vec<(i64, String, String)> = crate::read!(self, p => sqlx::query_as(
            "SELECT t.unit_id, u.path, u.type_code FROM request_target t JOIN unit u ON u.unit_id = t.unit_id \
             WHERE t.request_id = $1 AND t.state = 'pending' AND t.ended_on IS NULL")
            .bind(request_id).fetch_all(p).await)?;
        let paths: HashMap<i64, (String, String)> =
            pending.into_iter().map(|(u, p, t)| (u, (p, t))).collect();
        let rows: Vec<&BulkResponse> = rows
            .iter()
            .filter(|r| paths.contains_key(&r.unit_id))
            .collect();
        let mut delta = TallyDelta::default();
        let mut contributions = Vec::with_capacity(rows.len());
        for r in &rows {
            let (path, unit_type) = &paths[&r.unit_id];
            let state = if r.approved {
                TargetState::Approved
            } else {
                TargetState::Submitted
            };
            let facts = TargetFacts {
                state: Some(state),
                responded: true,
                on_time: r.on_time,
                ..Default::default()
            };
            let c = match &r.contribution {
                Some(c) => {
                    Some(serde_json::to_string(c).map_err(|e| StoreError::Config(e.to_string()))?)
                }
                None => None,
            };
            // Classes are added when the results are written (`bulk_assessment_results`).
            let place = Place {
                unit_type,
                ack_secs: None,
                class: None,
            };
            delta.target(request_id, path, &pending_contribution(unit_type), -1);
            delta.target(
                request_id,
                path,
                &own_contribution(&facts, Some(&place), c.as_deref()),
                1,
            );
            contributions.push(c);
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            for (chunk, cs) in rows.chunks(2000).zip(contributions.chunks(2000)) {
                let mut qb = sqlx::QueryBuilder::new("WITH v (unit_id, vals, contribution, at, on_time, state) AS (");
                qb.push_values(chunk.iter().zip(cs), |mut b, (r, c)| {
                    b.push_bind(r.unit_id).push_bind(r.values.clone()).push_bind(c.clone()).push_bind(r.at).push_bind(r.on_time)
                        .push_bind(if r.approved { "approved" } else { "submitted" });
                });
                qb.push(") UPDATE request_target SET state = v.state, response_values = v.vals, contribution = v.contribution, \
                         responded_at = v.at, on_time = v.on_time, approved_at = CASE WHEN v.state = 'approved' THEN v.at END, revision = 1 \
                         FROM v WHERE request_target.request_id = ");
                qb.push_bind(request_id);
                qb.push(" AND request_target.unit_id = v.unit_id");
                qb.build().execute(&mut *tx).await?;
            }
            apply_tallies!(tx, delta);
            tx.commit().await?;
        });
        Ok(rows.len())
    }
}

impl Store {
    /// Open units of a type in a subtree (the benchmark's and the demo's recipients).
    pub async fn unit_ids_of_type(&self, path: &str, type_code: &str) -> Result<Vec<i64>> {
        Ok(crate::read!(self, p => sqlx::query_scalar(
            "SELECT unit_id FROM unit WHERE path >= $1 AND path < $2 AND type_code = $3 AND ended_on IS NULL ORDER BY path")
            .bind(path).bind(crate::scope::range_end(path)).bind(type_code).fetch_all(p).await)?)
    }

    /// Units still owing a request (pending or draft), up to `limit`.
    pub async fn pending_targets(&self, request_id: i64, limit: i64) -> Result<Vec<i64>> {
        Ok(crate::read!(self, p => sqlx::query_scalar(
            "SELECT unit_id FROM request_target WHERE request_id = $1 AND state IN ('pending','draft') AND ended_on IS NULL \
             ORDER BY unit_id LIMIT $2")
            .bind(request_id).bind(limit).fetch_all(p).await)?)
    }
}
