//! Accounts, their grants, login sessions and API tokens. Secrets are stored hashed;
//! hashing itself happens in the web layer.

use crate::audit::audit;
use crate::{Result, Role, Scope, Store, StoreError, Unit, now, read, write};
use serde::Serialize;
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
    /// Creates an account with its grants (administrators only).
    #[tracing::instrument(skip(self, scope, a), fields(username = %a.username))]
    pub async fn create_account(&self, scope: &Scope, a: NewAccount) -> Result<i64> {
        if !scope.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let username = a.username.trim().to_lowercase();
        if !valid_username(&username) {
            return Err(StoreError::rule(
                "ST0901",
                "username",
                "Tên đăng nhập gồm 3–40 ký tự: chữ không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang.",
                "A username has 3–40 characters: unaccented letters, digits, dot, underscore or hyphen.",
            ));
        }
        let display = congdoan_domain::text::nfc(&a.display_name);
        Ok(write!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO account (username, display_name, password_hash, is_admin, created_at) \
                VALUES ($1, $2, $3, $4, $5) RETURNING account_id")
                .bind(&username).bind(if display.is_empty() { username.clone() } else { display })
                .bind(&a.password_hash).bind(a.admin).bind(now()).fetch_one(&mut *tx).await?;
            for (unit_id, role) in &a.grants {
                let path: String = sqlx::query_scalar("SELECT path FROM unit WHERE unit_id = $1").bind(unit_id).fetch_one(&mut *tx).await?;
                sqlx::query("INSERT INTO role_grant (account_id, unit_id, role, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(id).bind(unit_id).bind(role.code()).bind(now()).execute(&mut *tx).await?;
                audit!(&mut *tx, scope, "grant", "account", Some(id), &path, format!("Cấp quyền {} cho {username}", role.code()), None, None);
            }
            audit!(&mut *tx, scope, "create", "account", Some(id), "/", format!("Tạo tài khoản {username}"), None, None);
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

    pub async fn create_api_token(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<()> {
        write!(self, p => sqlx::query("INSERT INTO api_token (token_hash, account_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash).bind(account_id).bind(name).bind(now()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn account_by_token(&self, token_hash: &str) -> Result<Option<Account>> {
        Ok(
            read!(self, p => sqlx::query_as("SELECT a.* FROM api_token t JOIN account a ON a.account_id = t.account_id WHERE t.token_hash = $1")
            .bind(token_hash).fetch_optional(p).await)?,
        )
    }
}
