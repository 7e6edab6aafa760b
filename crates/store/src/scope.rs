//! Who may see and change what: a set of subtrees of the union tree.

use crate::{Result, Store, StoreError, read};
use congdoan_domain::OrgPath;
use sqlx::QueryBuilder;

/// A role granted on one unit's subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reads and writes the subtree.
    Officer,
    /// Reads the subtree.
    Viewer,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Viewer => "viewer",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "officer" => Some(Role::Officer),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// The person (or program) making a change, written into the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub username: String,
}

impl Actor {
    /// Changes made by the command line or the demo loader.
    pub fn system(label: &str) -> Actor {
        Actor {
            account_id: None,
            username: label.to_string(),
        }
    }
}

/// The subtrees a caller may read and write. Built only by the store, from the
/// caller's grants and the coordination links in force, so it cannot be forged by a
/// handler; every listing query takes one.
#[derive(Debug, Clone)]
pub struct Scope {
    actor: Actor,
    admin: bool,
    write: Vec<String>,
    read: Vec<String>,
    /// The subtrees granted to the account (read or write): what it manages, as
    /// opposed to what it only reads through a coordination link.
    granted: Vec<String>,
}

impl Scope {
    /// Everything, for the system administrator, the CLI and the loader.
    pub fn admin(actor: Actor) -> Scope {
        Scope {
            actor,
            admin: true,
            write: vec!["/".into()],
            read: vec!["/".into()],
            granted: vec!["/".into()],
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn is_admin(&self) -> bool {
        self.admin
    }
    /// Path prefixes this scope reads (minimal: no prefix inside another).
    pub fn read_paths(&self) -> &[String] {
        &self.read
    }
    pub fn write_paths(&self) -> &[String] {
        &self.write
    }
    /// The units at the top of the read prefixes: the caller's own units, where pages
    /// start when no unit is named.
    pub fn read_roots(&self) -> Vec<i64> {
        last_ids(&self.read)
    }
    /// The units at the top of the write prefixes.
    pub fn write_roots(&self) -> Vec<i64> {
        last_ids(&self.write)
    }
    /// Path prefixes of the account's own grants (minimal), without coordinated units.
    pub fn granted_paths(&self) -> &[String] {
        &self.granted
    }
    /// Readable, or owned by a unit above one of the account's own grants: what the
    /// levels above send down (forms, criteria sets) is visible to those below.
    pub fn can_read_or_is_above(&self, path: &str) -> bool {
        self.can_read(path) || self.granted.iter().any(|g| g.starts_with(path))
    }
    /// Readable only through a coordination link, not through the account's own grants.
    pub fn is_coordinated(&self, path: &str) -> bool {
        !self.admin
            && self.can_read(path)
            && !self.granted.iter().any(|p| path.starts_with(p.as_str()))
    }
    pub fn can_read(&self, path: &str) -> bool {
        self.admin || self.read.iter().any(|p| path.starts_with(p.as_str()))
    }
    pub fn can_write(&self, path: &str) -> bool {
        self.admin || self.write.iter().any(|p| path.starts_with(p.as_str()))
    }
    pub(crate) fn check_read(&self, path: &str) -> Result<()> {
        if self.can_read(path) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
    pub(crate) fn check_write(&self, path: &str) -> Result<()> {
        if self.can_write(path) {
            Ok(())
        } else if self.can_read(path) {
            Err(StoreError::Forbidden)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Appends the ranges of the account's own grants (no coordinated units).
    pub(crate) fn push_granted_filter<DB: sqlx::Database>(
        &self,
        qb: &mut QueryBuilder<DB>,
        col: &str,
    ) where
        String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        push_range_list(qb, col, &self.granted, self.admin);
    }

    /// Appends `(col >= a AND col < b) OR …` for the readable subtrees: an index range per grant.
    pub(crate) fn push_read_filter<DB: sqlx::Database>(&self, qb: &mut QueryBuilder<DB>, col: &str)
    where
        String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        push_range_list(
            qb,
            col,
            if self.admin { &[] } else { &self.read },
            self.admin,
        );
    }
}

/// Appends `prefix` and `(col in subtree a OR col in subtree b …)` for the given paths.
pub(crate) fn push_ranges<DB: sqlx::Database>(
    qb: &mut QueryBuilder<DB>,
    prefix: &str,
    col: &str,
    paths: &[String],
) where
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(prefix);
    push_range_list(qb, col, paths, false);
}

fn push_range_list<DB: sqlx::Database>(
    qb: &mut QueryBuilder<DB>,
    col: &str,
    paths: &[String],
    all: bool,
) where
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if all {
        qb.push(" (1=1) ");
        return;
    }
    if paths.is_empty() {
        qb.push(" (1=0) ");
        return;
    }
    qb.push(" (");
    for (i, p) in paths.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push(format!("({col} >= "));
        qb.push_bind(p.clone());
        qb.push(format!(" AND {col} < "));
        qb.push_bind(range_end(p));
        qb.push(")");
    }
    qb.push(") ");
}

/// The federation a member placed at `path` names in the search index (0 for the
/// national unit itself, which holds no members).
pub(crate) fn fts_top(path: &str) -> Result<i64> {
    Ok(OrgPath::parse(path)?.top_id().unwrap_or(0))
}

/// The exclusive upper bound of a subtree's paths in bytewise order.
pub(crate) fn range_end(path: &str) -> String {
    match OrgPath::parse(path) {
        Ok(p) => p.range_end(),
        Err(_) => format!("{path}\u{10FFFF}"),
    }
}

/// Keeps only the outermost prefixes.
fn minimal(mut paths: Vec<String>) -> Vec<String> {
    paths.sort();
    paths.dedup();
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        if !out.iter().any(|o| p.starts_with(o.as_str())) {
            out.push(p);
        }
    }
    out
}

impl Store {
    /// The scope of an account: its grants, plus read access to the units coordinated
    /// by any unit it holds a grant on ("chỉ đạo song trùng").
    #[tracing::instrument(skip(self, actor))]
    pub async fn scope_for(&self, actor: Actor, admin: bool, today: time::Date) -> Result<Scope> {
        if admin {
            return Ok(Scope::admin(actor));
        }
        let Some(account_id) = actor.account_id else {
            return Ok(Scope {
                actor,
                admin: false,
                write: vec![],
                read: vec![],
                granted: vec![],
            });
        };
        let grants: Vec<(String, String)> = read!(self, p => sqlx::query_as(
            "SELECT u.path, g.role FROM role_grant g JOIN unit u ON u.unit_id = g.unit_id WHERE g.account_id = $1"
        ).bind(account_id).fetch_all(p).await)?;
        let write: Vec<String> = grants
            .iter()
            .filter(|(_, r)| r == "officer")
            .map(|(p, _)| p.clone())
            .collect();
        let mut readable: Vec<String> = grants.iter().map(|(p, _)| p.clone()).collect();
        let granted = minimal(readable.clone());
        if !readable.is_empty() {
            let coordinated: Vec<String> = read!(self, p => {
                let mut qb = QueryBuilder::new(
                    "SELECT u.path FROM unit_link l JOIN unit u ON u.unit_id = l.unit_id \
                     JOIN unit c ON c.unit_id = l.coordinator_id WHERE l.valid_from <= ",
                );
                qb.push_bind(today);
                qb.push(" AND (l.valid_to IS NULL OR l.valid_to > ");
                qb.push_bind(today);
                qb.push(") AND ");
                push_range_list(&mut qb, "c.path", &granted, false);
                qb.build_query_scalar().fetch_all(p).await
            })?;
            readable.extend(coordinated);
        }
        Ok(Scope {
            actor,
            admin: false,
            write: minimal(write),
            read: minimal(readable),
            granted,
        })
    }
}

/// The last id of each path (none for the root "/").
fn last_ids(paths: &[String]) -> Vec<i64> {
    paths
        .iter()
        .filter_map(|p| OrgPath::parse(p).ok()?.ids().last().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_drops_nested_prefixes() {
        assert_eq!(
            minimal(vec![
                "/1/2/".into(),
                "/1/".into(),
                "/3/".into(),
                "/3/".into()
            ]),
            vec!["/1/".to_string(), "/3/".to_string()]
        );
    }

    #[test]
    fn scope_reads_its_subtree_only() {
        let s = Scope {
            actor: Actor::system("t"),
            admin: false,
            write: vec!["/1/5/".into()],
            read: vec!["/1/5/".into(), "/1/9/".into()],
            granted: vec!["/1/5/".into()],
        };
        assert!(s.is_coordinated("/1/9/3/"));
        assert!(!s.is_coordinated("/1/5/77/"));
        assert!(!s.is_coordinated("/2/"));
        assert!(s.can_read("/1/5/77/"));
        assert!(s.can_read("/1/9/"));
        assert!(!s.can_read("/1/55/"));
        assert!(s.can_write("/1/5/"));
        assert!(!s.can_write("/1/9/3/"));
        assert!(matches!(
            s.check_write("/1/9/3/"),
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(s.check_write("/2/"), Err(StoreError::NotFound)));
    }
}
