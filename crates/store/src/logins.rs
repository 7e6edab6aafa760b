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
    /// Failures a key allows before waits begin (addresses allow more: offices share them).
    pub fn free_for(&self, key: &str) -> i64 {
        if key.starts_with("ip:") {
            self.free_address_failures
        } else {
            self.free_account_failures
        }
    }

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

/// The throttle keys of one attempt: the account and the address, or — from a
/// browser where this account has logged in before (its device cookie) — that device
/// alone, so that someone guessing from elsewhere cannot lock the real user out.
pub fn login_keys(username: &str, address: Option<&str>) -> Vec<String> {
    // Bounded: a megabyte of "username" must not become a megabyte of key.
    let name: String = username.trim().to_lowercase().chars().take(80).collect();
    let mut keys = vec![format!("u:{name}")];
    if let Some(a) = address {
        keys.push(format!("ip:{}", a.chars().take(64).collect::<String>()));
    }
    keys
}

/// The throttle key of a browser that has logged in to an account before.
pub fn device_key(device_hash: &str) -> String {
    format!("d:{}", device_hash.chars().take(64).collect::<String>())
}

/// What [`Store::claim_login_attempt`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginClaim {
    /// Go on and check the password; the failures counted per key, this one included.
    Go(Vec<(String, i64)>),
    /// Refused without checking: wait this long.
    Wait(Duration),
}

/// Failures older than this are forgotten: the count starts again.
const FORGET_AFTER: Duration = Duration::days(1);

impl Store {
    /// Counts an attempt against each key *before* its password is checked, in one
    /// statement per key, so that attempts sent all at once cannot all pass a check
    /// made before any is counted (119 guesses got through that way). Past the free
    /// failures the attempt that crosses sets a first wait at once; a key still
    /// waiting refuses the attempt without counting it.
    pub async fn claim_login_attempt(
        &self,
        keys: &[String],
        rules: &ThrottleRules,
    ) -> Result<LoginClaim> {
        let at = now();
        let mut counted = Vec::new();
        for key in keys {
            let free = rules.free_for(key);
            let failures: Option<i64> = write!(self, p => sqlx::query_scalar(
                "INSERT INTO login_throttle (key, failures, updated_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                 failures = CASE WHEN login_throttle.updated_at < $3 THEN 1 ELSE login_throttle.failures + 1 END, \
                 blocked_until = CASE WHEN login_throttle.updated_at >= $3 AND login_throttle.failures + 1 > $4 THEN $5 \
                 ELSE login_throttle.blocked_until END, \
                 updated_at = $2 \
                 WHERE login_throttle.blocked_until IS NULL OR login_throttle.blocked_until <= $2 \
                 RETURNING failures")
                .bind(key).bind(at).bind(at - FORGET_AFTER).bind(free).bind(at + rules.first_wait)
                .fetch_optional(p).await?);
            match failures {
                Some(n) => counted.push((key.clone(), n)),
                None => {
                    // Undo what this attempt counted on the keys before.
                    self.uncount(&counted, rules).await?;
                    let until: Option<OffsetDateTime> = read!(self, p => sqlx::query_scalar(
                        "SELECT blocked_until FROM login_throttle WHERE key = $1")
                        .bind(key).fetch_optional(p).await)?
                    .flatten();
                    let left = until.map_or(rules.first_wait, |u| u - at);
                    return Ok(LoginClaim::Wait(left.max(Duration::seconds(1))));
                }
            }
        }
        Ok(LoginClaim::Go(counted))
    }

    /// A failed check: each key past its free failures waits a time that doubles
    /// with every failure, up to the bound.
    pub async fn record_login_failure(
        &self,
        counted: &[(String, i64)],
        rules: &ThrottleRules,
    ) -> Result<()> {
        let at = now();
        for (key, failures) in counted {
            if let Some(wait) = rules.wait_after(*failures, rules.free_for(key)) {
                write!(self, p => sqlx::query("UPDATE login_throttle SET blocked_until = $1 WHERE key = $2")
                    .bind(at + wait).bind(key).execute(p).await?.rows_affected());
            }
        }
        Ok(())
    }

    /// A successful login clears the account's (or the device's) count; the address
    /// only takes back the attempt it counted (an office shares it).
    pub async fn record_login_success(
        &self,
        counted: &[(String, i64)],
        rules: &ThrottleRules,
    ) -> Result<()> {
        for (key, _) in counted.iter().filter(|(k, _)| !k.starts_with("ip:")) {
            write!(self, p => sqlx::query("DELETE FROM login_throttle WHERE key = $1")
                .bind(key).execute(p).await?.rows_affected());
        }
        let addresses: Vec<(String, i64)> = counted
            .iter()
            .filter(|(k, _)| k.starts_with("ip:"))
            .cloned()
            .collect();
        self.uncount(&addresses, rules).await
    }

    /// Takes back one counted attempt per key, lifting the wait when the count falls
    /// to the free failures again.
    async fn uncount(&self, counted: &[(String, i64)], rules: &ThrottleRules) -> Result<()> {
        for (key, _) in counted {
            write!(self, p => sqlx::query(
                "UPDATE login_throttle SET failures = failures - 1, \
                 blocked_until = CASE WHEN failures - 1 <= $2 THEN NULL ELSE blocked_until END \
                 WHERE key = $1 AND failures > 0")
                .bind(key).bind(rules.free_for(key)).execute(p).await?.rows_affected());
        }
        Ok(())
    }

    /// The account a device cookie was given to, if it is one.
    pub async fn login_device_account(&self, device_hash: &str) -> Result<Option<i64>> {
        Ok(read!(self, p => sqlx::query_scalar(
            "SELECT account_id FROM login_device WHERE token_hash = $1")
            .bind(device_hash).fetch_optional(p).await)?)
    }

    /// Remembers a browser that has logged in to `account_id` (its cookie's hash).
    pub async fn remember_login_device(&self, device_hash: &str, account_id: i64) -> Result<()> {
        let at = now();
        write!(self, p => sqlx::query(
            "INSERT INTO login_device (token_hash, account_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (token_hash) DO NOTHING")
            .bind(device_hash).bind(account_id).bind(at).execute(p).await?.rows_affected());
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
