//! Bulk loading of a generated data set (the demo) in one transaction per table group.

use crate::audit::audit;
use crate::{Actor, NewAccount, Result, Role, Scope, Store, StoreError, now, write};
use congdoan_domain::seed::Dataset;
use congdoan_domain::text::{fold, name_sort_key};
use std::collections::HashMap;

impl Store {
    /// Loads a data set into an empty database: units, their history, coordination,
    /// members with their history, committees, posts and accounts.
    /// `hash` turns a plain password into a stored hash.
    #[tracing::instrument(skip_all, fields(units = ds.units.len(), members = ds.members.len()))]
    pub async fn load_dataset(
        &self,
        ds: &Dataset,
        hash: &(dyn Fn(&str) -> String + Sync),
    ) -> Result<()> {
        if !self.is_empty().await? {
            return Err(StoreError::Config(
                "the database already holds units".into(),
            ));
        }
        let scope = Scope::admin(Actor::system("nạp dữ liệu mẫu"));
        let types: HashMap<String, crate::UnitType> = self
            .unit_types()
            .await?
            .into_iter()
            .map(|t| (t.type_code.clone(), t))
            .collect();
        let ts = now();
        // unit code -> (id, path, depth, type)
        let mut ids: HashMap<String, (i64, String, i64)> = HashMap::new();
        write!(self, p => {
            let mut tx = p.begin().await?;
            for u in &ds.units {
                let parent = match &u.parent_code {
                    Some(c) => Some(ids.get(c).cloned().ok_or_else(|| StoreError::Config(format!("unknown parent {c}")))?),
                    None => None,
                };
                if !types.contains_key(u.type_code) {
                    return Err(StoreError::Config(format!("unknown unit type {}", u.type_code)));
                }
                let e = u.employer.as_ref();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO unit (code, name, search_key, type_code, parent_id, path, depth, sector, province_code, commune_code, \
                     address, employer_name, employer_tax_id, employer_ownership, employer_head_count, founding_decision, founded_on, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '', 0, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) \
                     RETURNING unit_id")
                    .bind(&u.code).bind(&u.name).bind(fold(&u.name)).bind(u.type_code).bind(parent.as_ref().map(|p| p.0))
                    .bind(&u.sector).bind(u.province_code.map(i64::from)).bind(u.commune_code.map(i64::from)).bind(&u.address)
                    .bind(e.map(|e| e.name.clone())).bind(e.map(|e| e.tax_id.clone())).bind(e.map(|e| e.ownership))
                    .bind(e.map(|e| i64::from(e.head_count))).bind(&u.founding_decision).bind(u.founded_on).bind(ts)
                    .fetch_one(&mut *tx).await?;
                let path = format!("{}{}/", parent.as_ref().map(|p| p.1.as_str()).unwrap_or("/"), id);
                let depth = parent.as_ref().map(|p| p.2 + 1).unwrap_or(0);
                sqlx::query("UPDATE unit SET path = $1, depth = $2 WHERE unit_id = $3").bind(&path).bind(depth).bind(id).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO unit_version (unit_id, valid_from, parent_id, path, name, type_code) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(id).bind(u.founded_on).bind(parent.as_ref().map(|p| p.0)).bind(&path).bind(&u.name).bind(u.type_code)
                    .execute(&mut *tx).await?;
                ids.insert(u.code.clone(), (id, path, depth));
            }
            tx.commit().await?;
        });
        let id_of = |code: &str| {
            ids.get(code)
                .map(|v| v.0)
                .ok_or_else(|| StoreError::Config(format!("unknown unit {code}")))
        };
        for m in &ds.moves {
            self.move_unit(
                &scope,
                id_of(&m.unit_code)?,
                id_of(&m.new_parent_code)?,
                m.on,
                m.on,
                &m.reason,
            )
            .await?;
        }
        for c in &ds.coordination {
            self.add_coordination(
                &scope,
                id_of(&c.unit_code)?,
                id_of(&c.coordinator_code)?,
                c.valid_from,
                Some(c.note.clone()),
            )
            .await?;
        }
        // Paths after the moves.
        let units: Vec<(i64, String, String)> = crate::read!(self, p => sqlx::query_as("SELECT unit_id, code, path FROM unit").fetch_all(p).await)?;
        let by_code: HashMap<&str, (i64, &str)> = units
            .iter()
            .map(|(id, c, p)| (c.as_str(), (*id, p.as_str())))
            .collect();
        let grassroots: Vec<i64> = units
            .iter()
            .filter(|(_, c, _)| {
                ds.units.iter().any(|u| {
                    &u.code == c && types.get(u.type_code).is_some_and(|t| t.is_grassroots)
                })
            })
            .map(|(id, _, _)| *id)
            .collect();
        let mut member_ids: HashMap<&str, (i64, &str)> = HashMap::new();
        write!(self, p => {
            let mut tx = p.begin().await?;
            for m in &ds.members {
                let (unit_id, path) = *by_code.get(m.unit_code.as_str()).ok_or_else(|| StoreError::Config(format!("unknown unit {}", m.unit_code)))?;
                let ids_on_path = congdoan_domain::OrgPath::parse(path)?.ids();
                let cdcs = ids_on_path.iter().rev().find(|id| grassroots.contains(id)).copied().unwrap_or(unit_id);
                let since = m.status_since;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO member (unit_id, cdcs_id, fts_top, full_name, search_key, sort_key, birth_date, sex, cccd, phone, ethnicity, \
                     nationality, job_title, card_no, join_date, party_member, status, status_since, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING member_id")
                    .bind(unit_id).bind(cdcs).bind(crate::scope::fts_top(path)?).bind(&m.full_name).bind(fold(&m.full_name)).bind(name_sort_key(&m.full_name))
                    .bind(m.birth_date).bind(m.sex.code()).bind(&m.cccd).bind(&m.phone).bind(&m.ethnicity).bind(&m.nationality)
                    .bind(&m.job_title).bind(&m.card_no).bind(Some(m.join_date)).bind(m.party_member).bind(m.status).bind(since).bind(ts)
                    .fetch_one(&mut *tx).await?;
                let first = if m.status == "applicant" { "apply" } else { "admit" };
                let first_status = if m.status == "applicant" { "applicant" } else { "member" };
                sqlx::query("INSERT INTO member_event (member_id, kind, on_date, to_status, unit_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(id).bind(first).bind(m.join_date).bind(first_status).bind(unit_id).bind(ts).execute(&mut *tx).await?;
                if !matches!(m.status, "member" | "applicant") {
                    let kind = match m.status { "suspended" => "suspend", "expelled" => "expel", _ => "exit" };
                    sqlx::query("INSERT INTO member_event (member_id, kind, on_date, from_status, to_status, unit_id, reason, recorded_at) \
                                 VALUES ($1, $2, $3, 'member', $4, $5, $6, $7)")
                        .bind(id).bind(kind).bind(m.status_since).bind(m.status).bind(unit_id).bind(&m.status_reason).bind(ts)
                        .execute(&mut *tx).await?;
                }
                member_ids.insert(m.cccd.as_str(), (id, path));
            }
            sqlx::query("UPDATE unit SET direct_members = (SELECT COUNT(*) FROM member m WHERE m.unit_id = unit.unit_id AND m.status = 'member')")
                .execute(&mut *tx).await?;
            // Committees and posts.
            let mut committee_ids: HashMap<(String, &str), i64> = HashMap::new();
            for c in &ds.committees {
                let unit_id = id_of(&c.unit_code)?;
                let id: i64 = sqlx::query_scalar("INSERT INTO committee (unit_id, kind, term_no, term_label, term_start, term_end, created_at) \
                    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING committee_id")
                    .bind(unit_id).bind(c.kind).bind(i64::from(c.term_no)).bind(&c.term_label).bind(c.term_start).bind(Some(c.term_end)).bind(ts)
                    .fetch_one(&mut *tx).await?;
                committee_ids.insert((c.unit_code.clone(), c.kind), id);
            }
            for ps in &ds.positions {
                let committee = *committee_ids.get(&(ps.unit_code.clone(), ps.committee_kind))
                    .ok_or_else(|| StoreError::Config(format!("no {} committee for {}", ps.committee_kind, ps.unit_code)))?;
                let (member_id, _) = *member_ids.get(ps.member_cccd.as_str())
                    .ok_or_else(|| StoreError::Config(format!("no member with CCCD {}", ps.member_cccd)))?;
                let name = ds.members.iter().find(|m| m.cccd == ps.member_cccd).map(|m| m.full_name.clone()).unwrap_or_default();
                sqlx::query("INSERT INTO position_assignment (committee_id, unit_id, member_id, full_name, position_code, start_date, end_date, \
                             full_time, elected, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(committee).bind(id_of(&ps.unit_code)?).bind(member_id).bind(name).bind(ps.position).bind(ps.start)
                    .bind(ps.end).bind(ps.full_time).bind(ps.elected).bind(ts).execute(&mut *tx).await?;
            }
            audit!(&mut *tx, scope, "load", "dataset", None::<i64>, "/",
                format!("Nạp dữ liệu mẫu: {} đơn vị, {} đoàn viên", ds.units.len(), ds.members.len()), None, None);
            tx.commit().await?;
        });
        self.rebuild_stats().await?;
        for a in &ds.accounts {
            let grants = a
                .grants
                .iter()
                .map(|(code, role)| {
                    Ok((
                        id_of(code)?,
                        Role::parse(role)
                            .ok_or_else(|| StoreError::Config(format!("bad role {role}")))?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            self.create_account(
                &scope,
                NewAccount {
                    username: a.username.clone(),
                    display_name: a.display_name.clone(),
                    password_hash: hash(&a.password),
                    admin: a.admin,
                    grants,
                },
            )
            .await?;
        }
        Ok(())
    }
}
