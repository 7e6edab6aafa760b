//! Figures for a subtree, read from the maintained `unit_stat` rows (see `stats`), so
//! the national root costs the same as one CĐCS.

use crate::stats::dim;
use crate::{AuditEntry, AuditQuery, CoordinatedUnit, Result, Scope, Store, read};
use congdoan_domain::OrgPath;
use serde::Serialize;
use sqlx::QueryBuilder;
use time::Date;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema, PartialEq, Eq)]
pub struct Count {
    pub key: String,
    pub n: i64,
}

/// Age bands of active members, by birth year (age reached this calendar year).
/// Upper bounds inclusive; the last band is open.
pub const AGE_BANDS: [(&str, i32); 5] = [
    ("<=30", 30),
    ("31-35", 35),
    ("36-45", 45),
    ("46-55", 55),
    (">55", i32::MAX),
];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// Units not ended, the subtree roots included.
    pub units_by_type: Vec<Count>,
    /// Every member record by status.
    pub members_by_status: Vec<Count>,
    /// Active members only, from here down.
    pub members_by_sex: Vec<Count>,
    /// Keys from [`AGE_BANDS`].
    pub members_by_age: Vec<Count>,
    /// By the sector of the member's CĐCS ("" = not recorded), largest first.
    pub members_by_sector: Vec<Count>,
    /// By the employer ownership type of the member's CĐCS ("" = not recorded).
    pub members_by_ownership: Vec<Count>,
    pub active_members: i64,
    pub party_members: i64,
    /// Employees of the employers of grassroots unions (head counts as recorded).
    pub workers: i64,
    /// Active members per 100 workers; `None` when no head count is recorded.
    pub unionisation_pct: Option<f64>,
    pub recent: Vec<AuditEntry>,
    /// Units read through a coordination link ("Đơn vị phối hợp theo quy chế"), kept
    /// out of every figure above; None when the caller coordinates nothing (or a
    /// single unit was asked for).
    pub coordinated: Option<Coordinated>,
}

/// The coordinated units of a dashboard, apart from the managed subtree's figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Coordinated {
    pub units: Vec<CoordinatedUnit>,
    /// Active members of those units' subtrees.
    pub members: i64,
}

impl Store {
    /// The figures of one unit's subtree, or of the caller's whole scope.
    #[tracing::instrument(skip(self, scope))]
    pub async fn dashboard(
        &self,
        scope: &Scope,
        unit_id: Option<i64>,
        today: Date,
    ) -> Result<Dashboard> {
        let (roots, subtree): (Vec<i64>, Option<String>) = match unit_id {
            Some(id) => {
                let u = self.unit(scope, id).await?;
                (vec![u.unit_id], Some(u.path))
            }
            None if scope.is_admin() => (
                read!(self, p => sqlx::query_scalar("SELECT unit_id FROM unit WHERE parent_id IS NULL").fetch_all(p).await)?,
                None,
            ),
            // The caller's own subtrees only: coordinated units are listed apart.
            None => (
                scope
                    .granted_paths()
                    .iter()
                    .filter_map(|p| OrgPath::parse(p).ok()?.ids().last().copied())
                    .collect(),
                None,
            ),
        };
        let figures = self.figures(&roots).await?;
        let of = |d: &str| -> Vec<Count> {
            let mut v: Vec<Count> = figures
                .iter()
                .filter(|((fd, _), _)| fd == d)
                .map(|((_, k), n)| Count {
                    key: k.clone(),
                    n: *n,
                })
                .collect();
            v.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.key.cmp(&b.key)));
            v
        };
        let total = |d: &str| of(d).iter().map(|c| c.n).sum::<i64>();
        let mut members_by_status = of(dim::STATUS);
        members_by_status.sort_by_key(|c| status_order(&c.key));
        let mut members_by_sex = of(dim::SEX);
        members_by_sex.sort_by(|a, b| a.key.cmp(&b.key));
        let mut units_by_type = of(dim::UNIT_TYPE);
        units_by_type.sort_by(|a, b| a.key.cmp(&b.key));
        let mut bands = vec![0i64; AGE_BANDS.len()];
        for c in of(dim::BIRTH_YEAR) {
            let age = today.year() - c.key.parse::<i32>().unwrap_or(today.year());
            let i = AGE_BANDS
                .iter()
                .position(|(_, hi)| age <= *hi)
                .unwrap_or(AGE_BANDS.len() - 1);
            bands[i] += c.n;
        }
        let members_by_age = AGE_BANDS
            .iter()
            .zip(bands)
            .map(|((k, _), n)| Count {
                key: (*k).to_string(),
                n,
            })
            .collect();
        let active_members = members_by_sex.iter().map(|c| c.n).sum();
        let workers = total(dim::WORKERS);
        let recent = self
            .audit_log(
                scope,
                &AuditQuery {
                    limit: 10,
                    subtree,
                    ..Default::default()
                },
            )
            .await?;
        let coordinated = match unit_id {
            Some(_) => None,
            None => {
                let units = self.coordinated_units(scope, today).await?;
                (!units.is_empty()).then(|| Coordinated {
                    members: units.iter().map(|u| u.members).sum(),
                    units,
                })
            }
        };
        Ok(Dashboard {
            coordinated,
            units_by_type,
            members_by_status,
            members_by_sex,
            members_by_age,
            members_by_sector: of(dim::SECTOR),
            members_by_ownership: of(dim::OWNERSHIP),
            active_members,
            party_members: total(dim::PARTY),
            workers,
            unionisation_pct: (workers > 0).then(|| active_members as f64 * 100.0 / workers as f64),
            recent,
        })
    }

    /// The same figures for a subtree computed the naive way, by GROUP BY over the
    /// member and unit tables. Kept as the benchmark's baseline and as a cross-check.
    #[tracing::instrument(skip(self, scope))]
    pub async fn dashboard_naive(&self, scope: &Scope, unit_id: i64) -> Result<Vec<Count>> {
        let path = self.unit(scope, unit_id).await?.path;
        let group = |table: &'static str, col: &'static str, extra: &'static str| {
            let path = path.clone();
            async move {
                Ok::<Vec<Count>, crate::StoreError>(read!(self, p => {
                    let mut qb = QueryBuilder::new(format!(
                        "SELECT {col} AS key, COUNT(*) AS n FROM {table} WHERE {extra} AND path >= "));
                    qb.push_bind(path.clone()).push(" AND path < ").push_bind(crate::scope::range_end(&path));
                    qb.push(format!(" GROUP BY {col} ORDER BY {col}"));
                    qb.build_query_as::<Count>().fetch_all(p).await
                })?)
            }
        };
        let members = "member JOIN unit ON unit.unit_id = member.unit_id";
        let mut out = group("unit", "type_code", "ended_on IS NULL").await?;
        out.extend(group(members, "status", "1=1").await?);
        out.extend(group(members, "sex", "status = 'member'").await?);
        Ok(out)
    }
}

fn status_order(s: &str) -> usize {
    [
        "member",
        "applicant",
        "suspended",
        "transferred",
        "exited",
        "expelled",
    ]
    .iter()
    .position(|x| *x == s)
    .unwrap_or(99)
}
