//! Storage for congdoan: one code path over SQLite (embedded default) and PostgreSQL
//! (national deployments). The engine is chosen from the URL scheme; portable SQL is
//! written once and expanded per engine by the `read!`/`write!` macros. Every query
//! that lists or reads people or units takes a [`Scope`], so an unscoped query is
//! hard to write.

mod accounts;
mod agreements;
mod audit;
mod bulk;
mod certificates;
mod clusters;
mod dashboard;
mod emulation;
mod error;
mod exports;
mod imports;
mod load;
mod logins;
mod members;
mod models;
mod movements;
mod officials;
mod ranking;
mod reports;
mod requests;
mod requests_bulk;
mod restructure;
mod rewards;
mod scope;
mod stats;
mod todo;
mod units;

pub use accounts::{
    Account, AccountSummary, ApiToken, DEFAULT_TOKEN_DAYS, GrantInfo, MAX_TOKEN_NAME, NewAccount,
    Session,
};
pub use agreements::{
    AGREEMENT_SCOPE, Agreement, AgreementEdit, AgreementInput, AgreementStatus, CoordinatedUnit,
};
pub use audit::{AuditEntry, AuditQuery};
pub use bulk::LoadReport;
pub use certificates::{
    CERT_CODE_LEN, CERTIFICATE_KINDS, CERTIFICATE_PAGE, Certificate, CertificateCheck,
    MAX_CERT_REASON, MAX_CERT_TEXT, MAX_CERTIFICATE_BATCH, NewCertificate, certificate_kind_label,
    new_certificate_code, normalize_certificate_code,
};
pub use clusters::{Cluster, ClusterDetail, ClusterUnit, Supervisor};
pub use dashboard::{Coordinated, Count, Dashboard};
pub use emulation::{
    AssessmentSheet, CriteriaSetRow, NewAssessment, PendingRow, RankRow, Ranking, ResultRow,
    ScoreSave, stored_scores,
};
pub use error::StoreError;
pub use exports::{EXPORT_PAGE, ExportCursor, ExportQuery, ExportRow};
pub use imports::{
    ImportJob, ImportProblem, ImportReject, ImportState, MAX_IMPORT_ATTEMPTS, MAX_IMPORT_BYTES,
    PreviewRow, StoredLayout, UNCONFIRMED_DAYS, UNIT_UPLOAD_QUOTA,
};
pub use logins::{LoginClaim, ThrottleRules, device_key, login_keys};
pub use members::{
    MEMBER_COUNT_CAP, MEMBER_SCAN_CAP, Member, MemberEvent, MemberEventInput, MemberInput,
    MemberListRow, MemberPage, MemberQuery, MemberTotal, SEARCH_CAP, SMALL_SUBTREE,
    birth_years_of_band,
};
pub use models::{
    Figure, GoodModel, MAX_FIGURES, MAX_TAGS, MODEL_KINDS, MODEL_PAGE, ModelFile, ModelInput,
    ModelProblem, ModelQuery, ReplicateInput, Replication, ReplicationOwed, ReplicationResponse,
    check_model, model_kind_name, split_tags,
};
pub use movements::{
    GoalOut, MOVEMENT_PAGE, MemberRegistration, Movement, MovementDetail, MovementInput,
    UnitRegistration, goals_of, movement_draft,
};
pub use officials::{Committee, CommitteeInput, Position, PositionInput, PositionType};
pub use ranking::{
    BulkResult, CDCS_TYPES, ClusterCounts, DistRow, Distribution, GROUP_TYPES, Trend, WIDE_CAP,
    WIDE_PAGE, WideQuery, WideRanking, WideRow,
};
pub use reports::{NewReport, ReportForm, ReportSave, Rollup, stored_values};
pub use requests::{
    BOARD_PAGE, Board, BoardRow, Chase, ChaseRow, Forward, MAX_TARGETS, NewDirective, NewFile,
    Owed, Propagation, Request, RequestDetail, RequestEvent, RequestFile, Sent, StepInput, Tally,
    TallyDelta, Target, TargetList, TypeRates,
};
pub use requests_bulk::BulkResponse;
pub use restructure::{Lineage, Plan, Preview};
pub use rewards::{
    DecisionDetail, DecisionInput, DecisionPlan, Evaluation, EvaluationDetail, MAX_DECISION_ITEMS,
    NewDecision, NewEvaluation, NewItem, NewNominee, NewRewardKind, Nominee, REWARD_PAGE,
    RewardDecision, RewardItem, RewardKind,
};
pub use scope::{Actor, Role, Scope};
pub use stats::StatDelta;
pub use todo::{COUNT_CAP, Flag, FlaggedUnit, LIST_PAGE, Severity, TodoItem, UnitFlags};
pub use units::{
    Coordination, CoordinationLink, PAST_COUNT_MAX_MEMBERS, TreeNode, Unit, UnitHit, UnitInput,
    UnitType, UnitVersion,
};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }

    /// The engine named by a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Engine> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Engine::Postgres)
        } else {
            Err(StoreError::Config(format!(
                "database URL must start with sqlite: or postgres:// (got {})",
                redact_url(url)
            )))
        }
    }
}

/// Hides the password of a database URL before it reaches a log or an error.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The pools. SQLite gets one writer and several readers so writes never meet SQLITE_BUSY.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite { write: SqlitePool, read: SqlitePool },
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to the read pool of whichever engine is in use.
macro_rules! read {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite { read, .. } => {
                let $p = read;
                $body
            }
            $crate::Db::Postgres(pg) => {
                let $p = pg;
                $body
            }
        }
    };
}

/// Runs `$body` with `$p` bound to the write pool of whichever engine is in use.
macro_rules! write {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite { write, .. } => {
                let $p = write;
                $body
            }
            $crate::Db::Postgres(pg) => {
                let $p = pg;
                $body
            }
        }
    };
}
pub(crate) use {read, write};

/// The congdoan database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    /// Member records up to which a subtree's list is read by path and sorted
    /// ([`SMALL_SUBTREE`] unless tuned with [`Store::with_small_subtree`]).
    pub(crate) small_subtree: i64,
    /// Records a count in a large subtree reads at most ([`MEMBER_SCAN_CAP`] unless
    /// tuned with [`Store::with_member_scan_cap`]).
    pub(crate) member_scan_cap: i64,
}

impl Store {
    /// Opens (and for SQLite creates) the database named by `url`.
    #[tracing::instrument(skip_all, fields(url = %redact_url(url)))]
    pub async fn connect(url: &str) -> Result<Store> {
        let db = match Engine::from_url(url)? {
            Engine::Sqlite => {
                let opts = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("cache_size", "-32000");
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(opts.clone())
                    .await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(opts.read_only(false))
                    .await?;
                Db::Sqlite { write, read }
            }
            Engine::Postgres => {
                // No JIT compilation: the planner's estimate of a range join over a
                // batch table (a plan's moves) passes its cost threshold, and each such
                // statement then spent ~230 ms compiling to run in 20 ms (10M country).
                let opts = url.parse::<PgConnectOptions>()?.options([("jit", "off")]);
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?;
                Db::Postgres(pool)
            }
        };
        Ok(Store {
            db,
            small_subtree: SMALL_SUBTREE,
            member_scan_cap: MEMBER_SCAN_CAP,
        })
    }

    /// The same database with another size at which member lists change plan (the
    /// tests lower it to cover the large-subtree plans on the small demo data).
    pub fn with_small_subtree(self, members: i64) -> Store {
        Store {
            small_subtree: members,
            ..self
        }
    }

    /// The same database with another bound on the records a count reads (the tests
    /// lower it to see a count stop there).
    pub fn with_member_scan_cap(self, records: i64) -> Store {
        Store {
            member_scan_cap: records,
            ..self
        }
    }

    pub fn engine(&self) -> Engine {
        match self.db {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies the embedded migrations of this engine (idempotent).
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite { write, .. } => sqlx::migrate!("migrations/sqlite").run(write).await?,
            Db::Postgres(pg) => sqlx::migrate!("migrations/postgres").run(pg).await?,
        }
        // Figures a migration adds to rows already stored are computed here, in Rust.
        self.backfill_request_places().await?;
        Ok(())
    }

    /// Versions of the embedded migrations, per engine (they must match).
    pub fn migration_versions(engine: Engine) -> Vec<(i64, String)> {
        let m = match engine {
            Engine::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Engine::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    /// Re-reads a unit's path inside a write transaction. On PostgreSQL the row is
    /// share-locked, so a concurrent move of the subtree waits for (or precedes) the
    /// write and figures land on the right ancestors; SQLite has a single writer.
    pub(crate) fn lock_path_sql(&self) -> &'static str {
        match self.engine() {
            Engine::Sqlite => "SELECT path FROM unit WHERE unit_id = $1",
            Engine::Postgres => "SELECT path FROM unit WHERE unit_id = $1 FOR SHARE",
        }
    }

    /// True when no union unit exists yet (a fresh database that wants demo data).
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 =
            read!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM unit").fetch_one(p).await)?;
        Ok(n == 0)
    }

    /// Holds the account on the password page at its next login (a password printed
    /// by the start-up must not stay in use).
    pub async fn require_password_change(&self, account_id: i64) -> Result<()> {
        write!(self, p => sqlx::query("UPDATE account SET must_change_password = TRUE WHERE account_id = $1")
            .bind(account_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Marks every account as a demo account (right after the demo loaded into an empty
    /// database): their password is published, and every page says so.
    pub async fn mark_accounts_demo(&self) -> Result<()> {
        write!(self, p => sqlx::query("UPDATE account SET is_demo = TRUE").execute(p).await?.rows_affected());
        Ok(())
    }

    /// Accounts of any kind; none means a fresh deployment that needs its first administrator.
    pub async fn account_count(&self) -> Result<i64> {
        Ok(read!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM account").fetch_one(p).await)?)
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { write, read } => {
                write.close().await;
                read.close().await;
            }
            Db::Postgres(pg) => pg.close().await,
        }
    }
}

/// Now, as stored in every created_at/recorded_at column.
pub(crate) fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_migration_versions() {
        assert_eq!(
            Store::migration_versions(Engine::Sqlite),
            Store::migration_versions(Engine::Postgres)
        );
        assert!(Store::migration_versions(Engine::Sqlite).len() >= 2);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://cd:secret@127.0.0.1:5432/cd"),
            "postgres://cd:***@127.0.0.1:5432/cd"
        );
        assert!(Engine::from_url("mysql://x").is_err());
        assert_eq!(
            Engine::from_url("sqlite:data/x.db").unwrap(),
            Engine::Sqlite
        );
    }
}
