//! Emulation clusters and blocks (cụm, khối thi đua): an upper-level union groups CĐCS
//! of any line per year, names a lead unit, and assigns members of its standing
//! committee (BTV) to supervise them — the An Giang model of seed 000.

use crate::audit::audit;
use crate::{Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::text::nfc;
use serde::Serialize;

/// A cluster or block with its lead unit and size.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Cluster {
    pub cluster_id: i64,
    pub owner_unit_id: i64,
    pub path: String,
    pub year: i64,
    /// `cum` (by area) or `khoi` (by sector).
    pub kind: String,
    pub name: String,
    pub lead_unit_id: Option<i64>,
    pub lead_name: Option<String>,
    /// Member CĐCS.
    pub unit_count: i64,
    /// Supervisors' names, comma-separated.
    pub supervisor_names: Option<String>,
    /// Closed (ended) on this day; a closed cluster takes no more changes.
    pub closed_on: Option<time::Date>,
}

/// A member CĐCS with the figures a supervisor watches.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ClusterUnit {
    pub cluster_id: i64,
    pub cluster_name: String,
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    /// The managing parent today (the line it belongs to).
    pub parent_name: Option<String>,
    pub members: i64,
    /// Officials holding a post now.
    pub officials: i64,
}

/// A BTV post that can supervise (or supervises) clusters.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Supervisor {
    pub assignment_id: i64,
    pub unit_id: i64,
    pub full_name: String,
    pub position_name_vi: String,
}

/// One cluster with its units and supervisors.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClusterDetail {
    pub cluster: Cluster,
    pub units: Vec<ClusterUnit>,
    pub supervisors: Vec<Supervisor>,
}

const CLUSTER_SELECT: &str = "SELECT c.cluster_id, c.owner_unit_id, c.path, c.year, c.kind, c.name, c.lead_unit_id, l.name AS lead_name, c.closed_on, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM cluster_unit cu WHERE cu.cluster_id = c.cluster_id) AS unit_count, \
     (SELECT MIN(a.full_name) || CASE WHEN COUNT(*) > 1 THEN ' …' ELSE '' END FROM cluster_supervisor s \
        JOIN position_assignment a ON a.assignment_id = s.assignment_id WHERE s.cluster_id = c.cluster_id) AS supervisor_names \
     FROM emulation_cluster c LEFT JOIN unit l ON l.unit_id = c.lead_unit_id ";

const UNIT_SELECT: &str = "SELECT c.cluster_id, c.name AS cluster_name, u.unit_id, u.code, u.name, p.name AS parent_name, \
     COALESCE(st.n, 0) AS members, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM position_assignment a WHERE a.unit_id = u.unit_id AND a.end_date IS NULL) AS officials \
     FROM cluster_unit cu JOIN emulation_cluster c ON c.cluster_id = cu.cluster_id JOIN unit u ON u.unit_id = cu.unit_id \
     LEFT JOIN unit p ON p.unit_id = u.parent_id \
     LEFT JOIN unit_stat st ON st.unit_id = u.unit_id AND st.dim = 'status' AND st.key = 'member' ";

const SUPERVISOR_SELECT: &str = "SELECT a.assignment_id, a.unit_id, a.full_name, t.name_vi AS position_name_vi \
     FROM position_assignment a JOIN position_type t ON t.position_code = a.position_code \
     JOIN committee k ON k.committee_id = a.committee_id ";

fn rule(code: &'static str, field: &'static str, vi: &str, en: &str) -> StoreError {
    StoreError::rule(code, field, vi, en)
}

impl Store {
    /// Clusters of an upper-level union (all years when `year` is None), by kind and name.
    #[tracing::instrument(skip(self, scope))]
    pub async fn clusters(
        &self,
        scope: &Scope,
        owner_unit_id: i64,
        year: Option<i64>,
    ) -> Result<Vec<Cluster>> {
        self.unit(scope, owner_unit_id).await?;
        Ok(read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{CLUSTER_SELECT} WHERE c.owner_unit_id = $1 AND ($2 IS NULL OR c.year = $2) ORDER BY c.year DESC, c.kind, c.name")))
            .bind(owner_unit_id).bind(year).fetch_all(p).await)?)
    }

    #[tracing::instrument(skip(self, scope))]
    pub async fn cluster(&self, scope: &Scope, cluster_id: i64) -> Result<ClusterDetail> {
        let cluster: Cluster = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{CLUSTER_SELECT} WHERE c.cluster_id = $1")))
            .bind(cluster_id).fetch_one(p).await)?;
        scope.check_read(&cluster.path)?;
        let units = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{UNIT_SELECT} WHERE cu.cluster_id = $1 ORDER BY u.name")))
            .bind(cluster_id).fetch_all(p).await)?;
        let supervisors = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SUPERVISOR_SELECT} JOIN cluster_supervisor s ON s.assignment_id = a.assignment_id WHERE s.cluster_id = $1 ORDER BY t.sort_order, a.full_name")))
            .bind(cluster_id).fetch_all(p).await)?;
        Ok(ClusterDetail {
            cluster,
            units,
            supervisors,
        })
    }

    /// Open posts in a unit's standing committee (BTV): who may supervise its clusters.
    pub async fn btv_posts(&self, scope: &Scope, unit_id: i64) -> Result<Vec<Supervisor>> {
        self.unit(scope, unit_id).await?;
        Ok(read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SUPERVISOR_SELECT} WHERE a.unit_id = $1 AND k.kind = 'BTV' AND a.end_date IS NULL ORDER BY t.sort_order, a.full_name")))
            .bind(unit_id).fetch_all(p).await)?)
    }

    /// Starts a cluster (`cum`) or block (`khoi`) of an upper-level union for a year.
    #[tracing::instrument(skip(self, scope, name))]
    pub async fn create_cluster(
        &self,
        scope: &Scope,
        owner_unit_id: i64,
        year: i64,
        kind: &str,
        name: &str,
    ) -> Result<Cluster> {
        let owner = self.unit(scope, owner_unit_id).await?;
        scope.check_write(&owner.path)?;
        let name = nfc(name.trim());
        if !matches!(kind, "cum" | "khoi") {
            return Err(rule(
                "ST0901",
                "kind",
                "Chọn cụm hoặc khối thi đua.",
                "Choose a cluster or a block.",
            ));
        }
        if name.chars().count() < 3 {
            return Err(rule(
                "ST0902",
                "name",
                "Đặt tên cụm, khối (ít nhất 3 ký tự).",
                "Name the cluster (at least 3 characters).",
            ));
        }
        if !(2000..=2100).contains(&year) {
            return Err(rule("ST0903", "year", "Năm không hợp lệ.", "Invalid year."));
        }
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO emulation_cluster (owner_unit_id, path, year, kind, name, created_at) \
                                               VALUES ($1, $2, $3, $4, $5, $6) RETURNING cluster_id")
                .bind(owner_unit_id).bind(&owner.path).bind(year).bind(kind).bind(&name).bind(now())
                .fetch_one(&mut *tx).await.map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => rule("ST0904", "name", "Năm này đã có cụm, khối cùng tên.", "This year already has a cluster of that name."),
                    other => other,
                })?;
            audit!(&mut *tx, scope, "create", "cluster", Some(id), &owner.path, format!("Lập {} «{name}» năm {year}", if kind == "cum" { "cụm thi đua" } else { "khối thi đua" }), None, None);
            tx.commit().await?;
            id
        });
        Ok(self.cluster(scope, id).await?.cluster)
    }

    /// Adds CĐCS (from any line the caller can read) to a cluster.
    #[tracing::instrument(skip(self, scope))]
    pub async fn add_cluster_units(
        &self,
        scope: &Scope,
        cluster_id: i64,
        unit_ids: &[i64],
    ) -> Result<ClusterDetail> {
        let detail = self.cluster(scope, cluster_id).await?;
        scope.check_write(&detail.cluster.path)?;
        let types = self.unit_types().await?;
        for &id in unit_ids {
            let u = self.unit(scope, id).await?;
            let grassroots = types
                .iter()
                .any(|t| t.type_code == u.type_code && t.is_grassroots);
            if !grassroots || u.ended_on.is_some() {
                return Err(rule(
                    "ST0905",
                    "units",
                    &format!("{} không phải CĐCS đang hoạt động.", u.name),
                    &format!("{} is not an active grassroots union.", u.name),
                ));
            }
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            for &id in unit_ids {
                sqlx::query("INSERT INTO cluster_unit (cluster_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(cluster_id).bind(id).execute(&mut *tx).await?;
            }
            audit!(&mut *tx, scope, "update", "cluster", Some(cluster_id), &detail.cluster.path,
                format!("Thêm {} CĐCS vào «{}»", unit_ids.len(), detail.cluster.name), None, None);
            tx.commit().await?;
        });
        self.cluster(scope, cluster_id).await
    }

    /// Names the lead unit (đơn vị trưởng cụm, khối): one of the cluster's CĐCS.
    pub async fn set_cluster_lead(
        &self,
        scope: &Scope,
        cluster_id: i64,
        unit_id: i64,
    ) -> Result<ClusterDetail> {
        let detail = self.cluster(scope, cluster_id).await?;
        scope.check_write(&detail.cluster.path)?;
        if !detail.units.iter().any(|u| u.unit_id == unit_id) {
            return Err(rule(
                "ST0906",
                "lead_unit_id",
                "Đơn vị trưởng phải là một CĐCS trong cụm, khối.",
                "The lead must be one of the cluster's units.",
            ));
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE emulation_cluster SET lead_unit_id = $1 WHERE cluster_id = $2").bind(unit_id).bind(cluster_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "update", "cluster", Some(cluster_id), &detail.cluster.path, format!("Đơn vị trưởng «{}»", detail.cluster.name), None, None);
            tx.commit().await?;
        });
        self.cluster(scope, cluster_id).await
    }

    /// Assigns a member of the owner's BTV (an open post) to supervise the cluster.
    pub async fn add_cluster_supervisor(
        &self,
        scope: &Scope,
        cluster_id: i64,
        assignment_id: i64,
    ) -> Result<ClusterDetail> {
        let detail = self.cluster(scope, cluster_id).await?;
        scope.check_write(&detail.cluster.path)?;
        let posts = self.btv_posts(scope, detail.cluster.owner_unit_id).await?;
        let Some(post) = posts.iter().find(|p| p.assignment_id == assignment_id) else {
            return Err(rule(
                "ST0907",
                "assignment_id",
                "Người phụ trách phải là ủy viên Ban Thường vụ đương nhiệm của đơn vị lập cụm, khối.",
                "The supervisor must hold a current post in the owner's standing committee.",
            ));
        };
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("INSERT INTO cluster_supervisor (cluster_id, assignment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(cluster_id).bind(assignment_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "update", "cluster", Some(cluster_id), &detail.cluster.path,
                format!("{} phụ trách «{}»", post.full_name, detail.cluster.name), None, None);
            tx.commit().await?;
        });
        self.cluster(scope, cluster_id).await
    }

    /// The cluster for a change: writable by the owner and not closed.
    async fn cluster_for_write(&self, scope: &Scope, cluster_id: i64) -> Result<ClusterDetail> {
        let detail = self.cluster(scope, cluster_id).await?;
        scope.check_write(&detail.cluster.path)?;
        if detail.cluster.closed_on.is_some() {
            return Err(rule(
                "ST0908",
                "closed_on",
                "Cụm, khối đã đóng, không thay đổi được nữa.",
                "The cluster is closed and can no longer change.",
            ));
        }
        Ok(detail)
    }

    /// Renames a cluster or block.
    #[tracing::instrument(skip(self, scope, name))]
    pub async fn rename_cluster(
        &self,
        scope: &Scope,
        cluster_id: i64,
        name: &str,
    ) -> Result<ClusterDetail> {
        let detail = self.cluster_for_write(scope, cluster_id).await?;
        let name = nfc(name.trim());
        if name.chars().count() < 3 {
            return Err(rule(
                "ST0902",
                "name",
                "Đặt tên cụm, khối (ít nhất 3 ký tự).",
                "Name the cluster (at least 3 characters).",
            ));
        }
        let old = detail.cluster.name.clone();
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE emulation_cluster SET name = $1 WHERE cluster_id = $2")
                .bind(&name).bind(cluster_id).execute(&mut *tx).await.map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => rule("ST0904", "name", "Năm này đã có cụm, khối cùng tên.", "This year already has a cluster of that name."),
                    other => other,
                })?;
            audit!(&mut *tx, scope, "rename", "cluster", Some(cluster_id), &detail.cluster.path,
                format!("Đổi tên «{old}» thành «{name}»"), Some(serde_json::json!({"name": old})), Some(serde_json::json!({"name": name})));
            tx.commit().await?;
        });
        self.cluster(scope, cluster_id).await
    }

    /// Closes a cluster (at the end of its year, or when it is dissolved) on `on`.
    #[tracing::instrument(skip(self, scope))]
    pub async fn close_cluster(
        &self,
        scope: &Scope,
        cluster_id: i64,
        on: time::Date,
    ) -> Result<ClusterDetail> {
        let detail = self.cluster_for_write(scope, cluster_id).await?;
        if i64::from(on.year()) < detail.cluster.year {
            return Err(rule(
                "ST0909",
                "closed_on",
                "Ngày đóng không được trước năm của cụm, khối.",
                "The closing date cannot precede the cluster's year.",
            ));
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE emulation_cluster SET closed_on = $1 WHERE cluster_id = $2")
                .bind(on).bind(cluster_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "close", "cluster", Some(cluster_id), &detail.cluster.path,
                format!("Đóng «{}» từ {} ({} CĐCS)", detail.cluster.name, congdoan_domain::date::format_vn_date(on), detail.units.len()),
                None, Some(serde_json::json!({"closed_on": on})));
            tx.commit().await?;
        });
        self.cluster(scope, cluster_id).await
    }

    /// Takes a member CĐCS out of a cluster (and clears it as lead unit).
    #[tracing::instrument(skip(self, scope))]
    pub async fn remove_cluster_unit(
        &self,
        scope: &Scope,
        cluster_id: i64,
        unit_id: i64,
    ) -> Result<ClusterDetail> {
        let detail = self.cluster_for_write(scope, cluster_id).await?;
        let Some(u) = detail.units.iter().find(|u| u.unit_id == unit_id) else {
            return Err(StoreError::NotFound);
        };
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM cluster_unit WHERE cluster_id = $1 AND unit_id = $2")
                .bind(cluster_id).bind(unit_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE emulation_cluster SET lead_unit_id = NULL WHERE cluster_id = $1 AND lead_unit_id = $2")
                .bind(cluster_id).bind(unit_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "remove_unit", "cluster", Some(cluster_id), &detail.cluster.path,
                format!("Đưa {} ra khỏi «{}»", u.name, detail.cluster.name), Some(serde_json::json!({"unit_id": unit_id})), None);
            tx.commit().await?;
        });
        self.cluster(scope, cluster_id).await
    }

    /// Ends a supervisor's assignment to a cluster (the post itself stays).
    #[tracing::instrument(skip(self, scope))]
    pub async fn remove_cluster_supervisor(
        &self,
        scope: &Scope,
        cluster_id: i64,
        assignment_id: i64,
    ) -> Result<ClusterDetail> {
        let detail = self.cluster_for_write(scope, cluster_id).await?;
        let Some(sup) = detail
            .supervisors
            .iter()
            .find(|s| s.assignment_id == assignment_id)
        else {
            return Err(StoreError::NotFound);
        };
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM cluster_supervisor WHERE cluster_id = $1 AND assignment_id = $2")
                .bind(cluster_id).bind(assignment_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "remove_supervisor", "cluster", Some(cluster_id), &detail.cluster.path,
                format!("{} thôi phụ trách «{}»", sup.full_name, detail.cluster.name), Some(serde_json::json!({"assignment_id": assignment_id})), None);
            tx.commit().await?;
        });
        self.cluster(scope, cluster_id).await
    }

    /// A supervisor and every CĐCS they follow, cluster by cluster, with key figures.
    #[tracing::instrument(skip(self, scope))]
    pub async fn supervised_units(
        &self,
        scope: &Scope,
        assignment_id: i64,
    ) -> Result<(Supervisor, Vec<ClusterUnit>)> {
        let sup: Supervisor = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SUPERVISOR_SELECT} WHERE a.assignment_id = $1")))
            .bind(assignment_id).fetch_one(p).await)?;
        self.unit(scope, sup.unit_id).await?;
        let units = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{UNIT_SELECT} JOIN cluster_supervisor s ON s.cluster_id = c.cluster_id WHERE s.assignment_id = $1 ORDER BY c.year DESC, c.name, u.name")))
            .bind(assignment_id).fetch_all(p).await)?;
        Ok((sup, units))
    }
}

impl Store {
    /// Creates the demo's clusters (after the demo data set is loaded).
    pub async fn load_demo_clusters(
        &self,
        seeds: &[congdoan_domain::seed::ClusterSeed],
    ) -> Result<()> {
        let scope = Scope::admin(crate::Actor::system("nạp dữ liệu mẫu"));
        for s in seeds {
            let owner = self.unit_id_by_code(s.owner).await?;
            let c = self
                .create_cluster(&scope, owner, s.year, s.kind, s.name)
                .await?;
            let mut ids = Vec::new();
            for code in s.units {
                ids.push(self.unit_id_by_code(code).await?);
            }
            self.add_cluster_units(&scope, c.cluster_id, &ids).await?;
            self.set_cluster_lead(&scope, c.cluster_id, self.unit_id_by_code(s.lead).await?)
                .await?;
            let posts = self.btv_posts(&scope, owner).await?;
            if let Some(p) = posts.get(s.supervisor % posts.len().max(1)) {
                self.add_cluster_supervisor(&scope, c.cluster_id, p.assignment_id)
                    .await?;
            }
        }
        Ok(())
    }
}
