//! Accounts, their grants, login sessions and API tokens. Secrets are stored hashed;
//! hashing itself happens in the web layer.

use crate::audit::audit;
use crate::scope::push_ranges;
use crate::{Result, Role, Scope, Store, StoreError, Unit, now, read, write};
use serde::Serialize;
use sqlx::QueryBuilder;
use time::OffsetDateTime;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Account {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub is_admin: bool,
    pub locale: String,
    pub disabled: bool,
    /// Set when someone else chose the password: the next login must change it.
    pub must_change_password: bool,
    pub created_by: Option<i64>,
    /// Made by the demo loader, with the published password.
    pub is_demo: bool,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub admin: bool,
    pub grants: Vec<(i64, Role)>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub account_id: i64,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

fn valid_username(u: &str) -> bool {
    (3..=40).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

impl Store {
    /// Creates an account with its grants (administrators only: the CLI, the loader).
    #[tracing::instrument(skip(self, scope, a), fields(username = %a.username))]
    pub async fn create_account(&self, scope: &Scope, a: NewAccount) -> Result<i64> {
        if !scope.is_admin() {
            return Err(StoreError::Forbidden);
        }
        self.insert_account(scope, a, false).await
    }

    async fn insert_account(&self, scope: &Scope, a: NewAccount, must_change: bool) -> Result<i64> {
        let username = a.username.trim().to_lowercase();
        if !valid_username(&username) {
            return Err(StoreError::rule(
                "ST0950",
                "username",
                "Tên đăng nhập gồm 3–40 ký tự: chữ không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang.",
                "A username has 3–40 characters: unaccented letters, digits, dot, underscore or hyphen.",
            ));
        }
        let display = congdoan_domain::text::nfc(a.display_name.trim());
        if display.chars().count() > 100 {
            return Err(StoreError::rule(
                "ST0951",
                "display_name",
                "tối đa 100 ký tự.",
                "at most 100 characters.",
            ));
        }
        let creator = scope.actor().account_id;
        Ok(write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO account (username, display_name, password_hash, is_admin, created_at, must_change_password, created_by) \
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING account_id")
                .bind(&username).bind(if display.is_empty() { username.clone() } else { display })
                .bind(&a.password_hash).bind(a.admin).bind(now()).bind(must_change).bind(creator)
                .fetch_one(&mut *tx).await?;
            let mut first_path = "/".to_string();
            for (i, (unit_id, role)) in a.grants.iter().enumerate() {
                let path: String = sqlx::query_scalar("SELECT path FROM unit WHERE unit_id = $1").bind(unit_id).fetch_one(&mut *tx).await?;
                sqlx::query("INSERT INTO role_grant (account_id, unit_id, role, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(id).bind(unit_id).bind(role.code()).bind(now()).execute(&mut *tx).await?;
                audit!(&mut *tx, scope, "grant", "account", Some(id), &path, format!("Cấp quyền {} cho {username}", role.code()), None, None);
                if i == 0 {
                    first_path = path;
                }
            }
            audit!(&mut *tx, scope, "create", "account", Some(id), &first_path, format!("Tạo tài khoản {username}"), None, None);
            tx.commit().await?;
            id
        }))
    }

    pub async fn account_by_username(&self, username: &str) -> Result<Account> {
        Ok(
            read!(self, p => sqlx::query_as("SELECT * FROM account WHERE username = $1")
            .bind(username.trim().to_lowercase()).fetch_one(p).await)?,
        )
    }

    pub async fn account(&self, account_id: i64) -> Result<Account> {
        Ok(
            read!(self, p => sqlx::query_as("SELECT * FROM account WHERE account_id = $1").bind(account_id).fetch_one(p).await)?,
        )
    }

    /// The units an account holds roles on.
    pub async fn grants(&self, account_id: i64) -> Result<Vec<(Unit, Role)>> {
        let rows: Vec<(i64, String)> = read!(self, p => sqlx::query_as(
            "SELECT unit_id, role FROM role_grant WHERE account_id = $1 ORDER BY grant_id").bind(account_id).fetch_all(p).await)?;
        let mut out = Vec::new();
        for (unit_id, role) in rows {
            let u: Unit = read!(self, p => sqlx::query_as("SELECT * FROM unit WHERE unit_id = $1").bind(unit_id).fetch_one(p).await)?;
            if let Some(r) = Role::parse(&role) {
                out.push((u, r));
            }
        }
        Ok(out)
    }

    pub async fn create_session(
        &self,
        session_hash: &str,
        account_id: i64,
        csrf: &str,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        write!(self, p => sqlx::query("INSERT INTO session (session_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(session_hash).bind(account_id).bind(csrf).bind(now()).bind(expires_at).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The live session with this hash, if any.
    pub async fn session(&self, session_hash: &str) -> Result<Option<Session>> {
        Ok(
            read!(self, p => sqlx::query_as("SELECT account_id, csrf_token, expires_at FROM session WHERE session_hash = $1 AND expires_at > $2")
            .bind(session_hash).bind(now()).fetch_optional(p).await)?,
        )
    }

    pub async fn delete_session(&self, session_hash: &str) -> Result<()> {
        write!(self, p => sqlx::query("DELETE FROM session WHERE session_hash = $1 OR expires_at < $2")
            .bind(session_hash).bind(now()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// An API token for an account, valid for the default 90 days, issued as that
    /// account (the test harness and the benchmark use it; people go through
    /// [`Store::issue_api_token`]).
    pub async fn create_api_token(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<i64> {
        let a = self.account(account_id).await?;
        let scope = Scope::admin(crate::Actor {
            account_id: Some(a.account_id),
            username: a.username,
        });
        self.issue_api_token(
            &scope,
            account_id,
            name,
            token_hash,
            now() + time::Duration::days(DEFAULT_TOKEN_DAYS),
        )
        .await
    }

    /// Records a new API token of `account_id` (only the account itself, or the
    /// command line, may issue one) and audits its issue.
    #[tracing::instrument(skip(self, scope, token_hash))]
    pub async fn issue_api_token(
        &self,
        scope: &Scope,
        account_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: OffsetDateTime,
    ) -> Result<i64> {
        own_or_system(scope, account_id)?;
        let name = congdoan_domain::text::nfc(name.trim());
        if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME {
            return Err(StoreError::rule(
                "ST0952",
                "token_name",
                "cần 1–100 ký tự.",
                "needs 1–100 characters.",
            ));
        }
        Ok(write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO api_token (token_hash, account_id, name, created_at, expires_at) \
                VALUES ($1, $2, $3, $4, $5) RETURNING token_id")
                .bind(token_hash).bind(account_id).bind(&name).bind(now()).bind(expires_at)
                .fetch_one(&mut *tx).await?;
            audit!(&mut *tx, scope, "issue", "api_token", Some(id), "/",
                format!("Cấp khoá API «{name}» cho tài khoản {account_id}, hết hạn {}", expires_at.date()), None, None);
            tx.commit().await?;
            id
        }))
    }

    /// The API tokens of an account, newest first (the account itself or an administrator).
    pub async fn api_tokens(&self, scope: &Scope, account_id: i64) -> Result<Vec<ApiToken>> {
        own_or_system(scope, account_id)?;
        Ok(read!(self, p => sqlx::query_as(
            "SELECT token_id, account_id, name, created_at, expires_at, last_used_at, revoked_at \
             FROM api_token WHERE account_id = $1 ORDER BY token_id DESC LIMIT 500")
            .bind(account_id).fetch_all(p).await)?)
    }

    /// One token of an account (not found when it is someone else's).
    pub async fn api_token(
        &self,
        scope: &Scope,
        account_id: i64,
        token_id: i64,
    ) -> Result<ApiToken> {
        own_or_system(scope, account_id)?;
        Ok(read!(self, p => sqlx::query_as(
            "SELECT token_id, account_id, name, created_at, expires_at, last_used_at, revoked_at \
             FROM api_token WHERE account_id = $1 AND token_id = $2")
            .bind(account_id).bind(token_id).fetch_one(p).await)?)
    }

    /// Revokes a token of the account; revoking it again changes nothing.
    #[tracing::instrument(skip(self, scope))]
    pub async fn revoke_api_token(
        &self,
        scope: &Scope,
        account_id: i64,
        token_id: i64,
    ) -> Result<ApiToken> {
        let t = self.api_token(scope, account_id, token_id).await?;
        if t.revoked_at.is_some() {
            return Ok(t);
        }
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE token_id = $2 AND revoked_at IS NULL")
                .bind(now()).bind(token_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "revoke", "api_token", Some(token_id), "/",
                format!("Thu hồi khoá API «{}» của tài khoản {account_id}", t.name), None, None);
            tx.commit().await?;
        });
        self.api_token(scope, account_id, token_id).await
    }

    /// The account behind a live token (not revoked, not expired, account enabled).
    /// Notes the time of use (at most every few minutes) and audits the first use.
    pub async fn account_by_token(&self, token_hash: &str) -> Result<Option<Account>> {
        let t: Option<ApiToken> = read!(self, p => sqlx::query_as(
                "SELECT token_id, account_id, name, created_at, expires_at, last_used_at, revoked_at FROM api_token WHERE token_hash = $1")
                .bind(token_hash).fetch_optional(p).await)?;
        let Some(ApiToken {
            token_id,
            account_id,
            name,
            expires_at,
            last_used_at: last_used,
            revoked_at: revoked,
            ..
        }) = t
        else {
            return Ok(None);
        };
        let at = now();
        if revoked.is_some() || expires_at <= at {
            return Ok(None);
        }
        let account = self.account(account_id).await?;
        if account.disabled {
            return Ok(None);
        }
        match last_used {
            None => {
                let scope = Scope::admin(crate::Actor {
                    account_id: Some(account_id),
                    username: account.username.clone(),
                });
                write!(self, p => {
                    let mut tx = p.begin().await?;
                    let n = sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE token_id = $2 AND last_used_at IS NULL")
                        .bind(at).bind(token_id).execute(&mut *tx).await?.rows_affected();
                    if n == 1 {
                        audit!(&mut *tx, scope, "first_use", "api_token", Some(token_id), "/",
                            format!("Khoá API «{name}» được dùng lần đầu"), None, None);
                    }
                    tx.commit().await?;
                });
            }
            Some(l) if at - l > time::Duration::minutes(5) => {
                write!(self, p => sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE token_id = $2")
                    .bind(at).bind(token_id).execute(p).await.map(|_| ()))?;
            }
            Some(_) => {}
        }
        Ok(Some(account))
    }

    // ---------- account management (administrators, and officers in their subtree) ----------

    /// The unit path an account's changes are audited under: its first grant's unit,
    /// so the officers of that subtree see them in their log.
    async fn account_path(&self, account_id: i64) -> Result<String> {
        let p: Option<String> = read!(self, p => sqlx::query_scalar(
            "SELECT u.path FROM role_grant g JOIN unit u ON u.unit_id = g.unit_id WHERE g.account_id = $1 ORDER BY g.grant_id LIMIT 1")
            .bind(account_id).fetch_optional(p).await)?;
        Ok(p.unwrap_or_else(|| "/".into()))
    }

    /// An account the caller may manage: any for an administrator; for an officer, a
    /// non-administrator whose every grant lies in the officer's writable subtree.
    /// Anything else is "not found".
    pub async fn managed_account(&self, scope: &Scope, account_id: i64) -> Result<AccountSummary> {
        let a = self.account(account_id).await?;
        let grants = self.grant_infos(&[account_id]).await?;
        if !scope.is_admin()
            && (a.is_admin
                || grants.is_empty()
                || grants.iter().any(|g| !scope.can_write(&g.unit_path)))
        {
            return Err(StoreError::NotFound);
        }
        Ok(AccountSummary::of(a, grants))
    }

    async fn grant_infos(&self, ids: &[i64]) -> Result<Vec<GrantInfo>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        Ok(read!(self, p => {
            let mut qb = QueryBuilder::new(
                "SELECT g.account_id, g.unit_id, u.code AS unit_code, u.name AS unit_name, u.path AS unit_path, g.role \
                 FROM role_grant g JOIN unit u ON u.unit_id = g.unit_id WHERE g.account_id IN (");
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(") ORDER BY g.grant_id");
            qb.build_query_as::<GrantInfo>().fetch_all(p).await
        })?)
    }

    /// Accounts the caller may manage, by username, keyset-paged after `after`; `q`
    /// matches the username or display name.
    #[tracing::instrument(skip(self, scope))]
    pub async fn list_accounts(
        &self,
        scope: &Scope,
        q: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AccountSummary>> {
        if !scope.is_admin() && scope.write_paths().is_empty() {
            return Ok(vec![]);
        }
        let limit = limit.clamp(1, 200);
        let q = q.trim();
        let rows: Vec<Account> = read!(self, p => {
            let mut qb = QueryBuilder::new("SELECT a.* FROM account a WHERE 1=1");
            if !scope.is_admin() {
                let paths = scope.write_paths().to_vec();
                qb.push(" AND a.is_admin = FALSE AND EXISTS (SELECT 1 FROM role_grant g JOIN unit u ON u.unit_id = g.unit_id WHERE g.account_id = a.account_id AND ");
                push_ranges(&mut qb, "", "u.path", &paths);
                qb.push(") AND NOT EXISTS (SELECT 1 FROM role_grant g JOIN unit u ON u.unit_id = g.unit_id WHERE g.account_id = a.account_id AND NOT ");
                push_ranges(&mut qb, "", "u.path", &paths);
                qb.push(")");
            }
            if !q.is_empty() {
                let like = format!("%{}%", q.replace(['%', '_'], ""));
                qb.push(" AND (a.username LIKE ").push_bind(like.to_lowercase())
                    .push(" OR a.display_name LIKE ").push_bind(like).push(")");
            }
            if let Some(after) = after {
                qb.push(" AND a.username > ").push_bind(after.to_string());
            }
            qb.push(" ORDER BY a.username LIMIT ").push_bind(limit);
            qb.build_query_as::<Account>().fetch_all(p).await
        })?;
        let ids: Vec<i64> = rows.iter().map(|a| a.account_id).collect();
        let mut grants = self.grant_infos(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|a| {
                let mine = grants
                    .iter()
                    .filter(|g| g.account_id == a.account_id)
                    .cloned()
                    .collect();
                grants.retain(|g| g.account_id != a.account_id);
                AccountSummary::of(a, mine)
            })
            .collect())
    }

    /// Creates an account whose password was chosen by the caller, so it must be changed
    /// at the first login. An officer creates accounts only on a unit of their writable
    /// subtree (a unit outside it is "not found") and never administrators.
    #[tracing::instrument(skip(self, scope, a), fields(username = %a.username))]
    pub async fn create_managed_account(&self, scope: &Scope, a: NewAccount) -> Result<i64> {
        if !scope.is_admin() && a.admin {
            return Err(StoreError::Forbidden);
        }
        if !a.admin && a.grants.is_empty() {
            return Err(StoreError::rule(
                "ST0953",
                "unit",
                "cần chọn đơn vị.",
                "choose a unit.",
            ));
        }
        for (unit_id, _) in &a.grants {
            let path: Option<String> = read!(self, p => sqlx::query_scalar("SELECT path FROM unit WHERE unit_id = $1")
                .bind(unit_id).fetch_optional(p).await)?;
            scope
                .check_write(&path.ok_or(StoreError::NotFound)?)
                .map_err(|_| StoreError::NotFound)?;
        }
        self.insert_account(scope, a, true).await
    }

    /// Sets a temporary password chosen by the caller: the account must change it at
    /// the next login, and its open sessions end.
    #[tracing::instrument(skip(self, scope, password_hash))]
    pub async fn reset_password(
        &self,
        scope: &Scope,
        account_id: i64,
        password_hash: &str,
    ) -> Result<AccountSummary> {
        let a = self.managed_account(scope, account_id).await?;
        let path = self.account_path(account_id).await?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE account SET password_hash = $1, must_change_password = TRUE WHERE account_id = $2")
                .bind(password_hash).bind(account_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM session WHERE account_id = $1").bind(account_id).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "reset_password", "account", Some(account_id), &path,
                format!("Đặt lại mật khẩu tài khoản {}", a.username), None, None);
            tx.commit().await?;
        });
        self.managed_account(scope, account_id).await
    }

    /// Disables (or enables again) an account. A disabled account's sessions end and
    /// its tokens stop working at once. Nobody disables their own account.
    #[tracing::instrument(skip(self, scope))]
    pub async fn set_account_disabled(
        &self,
        scope: &Scope,
        account_id: i64,
        disabled: bool,
    ) -> Result<AccountSummary> {
        let a = self.managed_account(scope, account_id).await?;
        if disabled && scope.actor().account_id == Some(account_id) {
            return Err(StoreError::rule(
                "ST0954",
                "account",
                "không thể tự khoá tài khoản của chính mình.",
                "you cannot disable your own account.",
            ));
        }
        let path = self.account_path(account_id).await?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE account SET disabled = $1 WHERE account_id = $2")
                .bind(disabled).bind(account_id).execute(&mut *tx).await?;
            if disabled {
                sqlx::query("DELETE FROM session WHERE account_id = $1").bind(account_id).execute(&mut *tx).await?;
            }
            let (action, what) = if disabled { ("disable", "Khoá") } else { ("enable", "Mở khoá") };
            audit!(&mut *tx, scope, action, "account", Some(account_id), &path,
                format!("{what} tài khoản {}", a.username), None, None);
            tx.commit().await?;
        });
        self.managed_account(scope, account_id).await
    }

    /// The caller changes their own password (already verified by the web layer): the
    /// forced change is cleared and every other session of the account ends.
    #[tracing::instrument(skip_all)]
    pub async fn change_own_password(
        &self,
        scope: &Scope,
        password_hash: &str,
        keep_session_hash: Option<&str>,
    ) -> Result<()> {
        let account_id = scope.actor().account_id.ok_or(StoreError::Forbidden)?;
        let path = self.account_path(account_id).await?;
        write!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE account SET password_hash = $1, must_change_password = FALSE WHERE account_id = $2")
                .bind(password_hash).bind(account_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM session WHERE account_id = $1 AND session_hash <> $2")
                .bind(account_id).bind(keep_session_hash.unwrap_or("")).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "change_password", "account", Some(account_id), &path,
                format!("{} đổi mật khẩu", scope.actor().username), None, None);
            tx.commit().await?;
        });
        Ok(())
    }
}

/// Default validity of an API token when none is chosen.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;
/// The longest name of an API token, in characters.
pub const MAX_TOKEN_NAME: usize = 100;

/// Tokens are the business of their own account; the command line (no account) and
/// the administrators may act on any.
fn own_or_system(scope: &Scope, account_id: i64) -> Result<()> {
    match scope.actor().account_id {
        Some(me) if me == account_id => Ok(()),
        None => Ok(()),
        Some(_) if scope.is_admin() => Ok(()),
        Some(_) => Err(StoreError::NotFound),
    }
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub token_id: i64,
    pub account_id: i64,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiToken {
    /// `active`, `expired` or `revoked`.
    pub fn status(&self) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at <= now() {
            "expired"
        } else {
            "active"
        }
    }
}

/// A role an account holds on a unit.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct GrantInfo {
    #[serde(skip)]
    pub account_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    /// officer or viewer.
    pub role: String,
}

/// An account as an administrator or officer manages it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountSummary {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub must_change_password: bool,
    pub grants: Vec<GrantInfo>,
}

impl AccountSummary {
    fn of(a: Account, grants: Vec<GrantInfo>) -> AccountSummary {
        AccountSummary {
            account_id: a.account_id,
            username: a.username,
            display_name: a.display_name,
            is_admin: a.is_admin,
            disabled: a.disabled,
            must_change_password: a.must_change_password,
            grants,
        }
    }
}
