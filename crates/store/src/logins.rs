//! Login throttling and the login audit. Failures are counted per account and per
//! address in the database (so every app instance sees the same count); past a few,
//! each further attempt must wait a time that doubles with every failure, up to a
//! bound — a guessing attack slows to a crawl, the real user is never locked out for
//! good, and a refused attempt costs no password hashing.

use crate::audit::audit;
use crate::{Actor, Result, Scope, Store, now, read, write};
use time::{Duration, OffsetDateTime};

/// How failures turn into waits. Product defaults, not law.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleRules {
    /// Failures of one account allowed before waits begin.
    pub free_account_failures: i64,
    /// Failures from one address allowed before waits begin (offices share addresses).
    pub free_address_failures: i64,
    /// The first wait; each further failure doubles it.
    pub first_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
}

impl Default for ThrottleRules {
    fn default() -> Self {
        ThrottleRules {
            free_account_failures: 5,
            free_address_failures: 30,
            first_wait: Duration::seconds(2),
            max_wait: Duration::minutes(15),
        }
    }
}

impl ThrottleRules {
    /// The wait after `failures` failures when `free` are allowed.
    pub fn wait_after(&self, failures: i64, free: i64) -> Option<Duration> {
        let over = failures - free;
        if over <= 0 {
            return None;
        }
        let doublings = u32::try_from(over - 1).unwrap_or(u32::MAX).min(20);
        let wait = self.first_wait * 2f64.powi(i32::try_from(doublings).unwrap_or(20));
        Some(wait.min(self.max_wait))
    }
}

/// The throttle keys of one attempt.
pub fn login_keys(username: &str, address: Option<&str>) -> Vec<String> {
    let mut keys = vec![format!("u:{}", username.trim().to_lowercase())];
    if let Some(a) = address {
        keys.push(format!("ip:{a}"));
    }
    keys
}

impl Store {
    /// How long an attempt with these keys must still wait, if at all.
    pub async fn login_wait(&self, keys: &[String]) -> Result<Option<Duration>> {
        let at = now();
        let mut longest: Option<Duration> = None;
        for key in keys {
            let until: Option<Option<OffsetDateTime>> = read!(self, p => sqlx::query_scalar(
                "SELECT blocked_until FROM login_throttle WHERE key = $1")
                .bind(key).fetch_optional(p).await)?;
            if let Some(Some(until)) = until
                && until > at
            {
                let left = until - at;
                longest = Some(longest.map_or(left, |l| l.max(left)));
            }
        }
        Ok(longest)
    }

    /// Counts a failed attempt against each key and sets the wait that follows.
    pub async fn record_login_failure(&self, keys: &[String], rules: &ThrottleRules) -> Result<()> {
        let at = now();
        for key in keys {
            let free = if key.starts_with("ip:") {
                rules.free_address_failures
            } else {
                rules.free_account_failures
            };
            let failures: i64 = write!(self, p => sqlx::query_scalar(
                "INSERT INTO login_throttle (key, failures, updated_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures + 1, updated_at = $2 \
                 RETURNING failures")
                .bind(key).bind(at).fetch_one(p).await?);
            if let Some(wait) = rules.wait_after(failures, free) {
                write!(self, p => sqlx::query("UPDATE login_throttle SET blocked_until = $1 WHERE key = $2")
                    .bind(at + wait).bind(key).execute(p).await?.rows_affected());
            }
        }
        Ok(())
    }

    /// A successful login clears the account's count (the address keeps its own).
    pub async fn record_login_success(&self, username: &str) -> Result<()> {
        let key = format!("u:{}", username.trim().to_lowercase());
        write!(self, p => sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Writes a login event to the audit log: `login`, `login_failed` or
    /// `login_throttled` (visible to administrators).
    pub async fn audit_login(
        &self,
        account_id: Option<i64>,
        username: &str,
        action: &str,
        summary: &str,
    ) -> Result<()> {
        let scope = Scope::admin(Actor {
            account_id,
            username: username.chars().take(80).collect(),
        });
        write!(self, p => {
            audit!(p, scope, action, "account", account_id, "/", summary, None, None);
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_are_bounded() {
        let r = ThrottleRules::default();
        assert_eq!(r.wait_after(5, 5), None);
        assert_eq!(r.wait_after(6, 5), Some(Duration::seconds(2)));
        assert_eq!(r.wait_after(7, 5), Some(Duration::seconds(4)));
        assert_eq!(r.wait_after(10, 5), Some(Duration::seconds(32)));
        assert_eq!(r.wait_after(1_000, 5), Some(Duration::minutes(15)));
    }

    #[test]
    fn keys_fold_the_username() {
        assert_eq!(
            login_keys(" BTV.AnGiang ", Some("127.0.0.1")),
            vec!["u:btv.angiang".to_string(), "ip:127.0.0.1".to_string()]
        );
    }
}
