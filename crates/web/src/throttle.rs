//! What makes password checks safe to expose: the caller's address for throttling,
//! a bounded pool for Argon2 (each check takes 19 MiB and a core for tens of
//! milliseconds, so unbounded concurrency is a memory and CPU flood), and a dummy
//! hash so that an unknown username costs the same time as a wrong password.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// The peer address of the connection (the load balancer's, behind one).
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}

/// Password checks running at once; more wait their turn.
const ARGON2_AT_ONCE: usize = 2;

fn pool() -> &'static Semaphore {
    static POOL: OnceLock<Semaphore> = OnceLock::new();
    POOL.get_or_init(|| Semaphore::new(ARGON2_AT_ONCE))
}

/// A hash of a random password with the same parameters as real ones, checked when
/// the username is unknown.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| crate::hash_password(&crate::new_token()))
}

/// Checks `password` against `hash` (or against the dummy hash when there is no
/// account), in the bounded pool, on a blocking thread. False for a missing account.
pub async fn check_password(password: String, hash: Option<String>) -> bool {
    let Ok(_permit) = pool().acquire().await else {
        return false;
    };
    let known = hash.is_some();
    tokio::task::spawn_blocking(move || {
        let h = hash.unwrap_or_else(|| dummy_hash().to_string());
        crate::verify_password(&password, &h) && known
    })
    .await
    .unwrap_or(false)
}
