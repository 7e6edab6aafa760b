//! What makes password checks safe to expose: the caller's address for throttling,
//! a bounded pool for Argon2 (each check takes 19 MiB and a core for tens of
//! milliseconds, so unbounded concurrency is a memory and CPU flood), and a dummy
//! hash so that an unknown username costs the same time as a wrong password.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// The caller's address: the connection's peer, or — when the peer is a trusted
/// proxy — the last address in `X-Forwarded-For` that is not one (the right-most
/// entries are the ones the trusted proxies appended; a client can forge only those
/// to their left). Without this, behind a load balancer every person shares its
/// address and one guesser's failures throttle the whole country's logins.
pub struct ClientAddr(pub Option<String>);

impl FromRequestParts<crate::AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        st: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddr(
            client_ip(peer, &forwarded, &st.config.trusted_proxies).map(|ip| ip.to_string()),
        ))
    }
}

/// See [`ClientAddr`].
pub(crate) fn client_ip(
    peer: Option<IpAddr>,
    forwarded: &[&str],
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut hops = forwarded
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    hops.reverse();
    for hop in hops {
        // Some proxies write the client with its port ("1.2.3.4:5678", "[::1]:80").
        let ip = hop
            .parse::<IpAddr>()
            .or_else(|_| hop.parse::<SocketAddr>().map(|a| a.ip()));
        match ip {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return Some(ip),
            // Garbage where an address should be: stop believing the header.
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

/// Requests with large bodies handled at once (an import is up to 200 MB, a JSON body
/// with files up to about 140 MB, each held in memory); more wait their turn.
const UPLOADS_AT_ONCE: usize = 2;

/// A body is large past this many bytes (or when its length is not declared).
const LARGE_BODY: u64 = 1 << 20;

/// Middleware: a request that declares a large body, or none, waits for one of the
/// [`UPLOADS_AT_ONCE`] turns and keeps it until its answer is made, so that many
/// large bodies at once cannot hold gigabytes (four 137 MB JSON bodies took 1.46 GB,
/// four 199 MB imports 1.7 GB). A request refused before its body is read (no
/// session, no right to write) gives its turn back at once.
pub(crate) async fn large_bodies_take_turns(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = req.method();
    let may_have_body = !(method == axum::http::Method::GET
        || method == axum::http::Method::HEAD
        || method == axum::http::Method::OPTIONS);
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let large = may_have_body && declared.is_none_or(|n| n > LARGE_BODY);
    if !large {
        return next.run(req).await;
    }
    let _turn = upload_permit().await;
    next.run(req.map(|b| keep_arriving(b, BODY_GRACE, BODY_MIN_RATE)))
        .await
}

/// A large body may take this long to get going…
const BODY_GRACE: std::time::Duration = std::time::Duration::from_secs(30);
/// …and must then arrive at this many bytes per second on average (128 kbit/s, below
/// a weak 3G phone), so that two slow senders cannot keep every upload waiting
/// (Apache's `mod_reqtimeout` MinRate).
const BODY_MIN_RATE: u64 = 16 * 1024;

/// The body, failing (and so ending the request and its turn) when fewer than
/// `rate` bytes per second have arrived since `grace` after it started.
fn keep_arriving(
    body: axum::body::Body,
    grace: std::time::Duration,
    rate: u64,
) -> axum::body::Body {
    use futures_util::StreamExt;
    let start = tokio::time::Instant::now();
    let stream = futures_util::stream::unfold(
        (body.into_data_stream(), 0u64, false),
        move |(mut inner, got, failed)| async move {
            if failed {
                return None;
            }
            let due = start + grace + std::time::Duration::from_secs_f64(got as f64 / rate as f64);
            match tokio::time::timeout_at(due, inner.next()).await {
                Ok(Some(Ok(bytes))) => {
                    let got = got + bytes.len() as u64;
                    Some((Ok(bytes), (inner, got, false)))
                }
                Ok(Some(Err(e))) => Some((
                    Err(std::io::Error::other(e.to_string())),
                    (inner, got, true),
                )),
                Ok(None) => None,
                Err(_) => Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body arrives too slowly",
                    )),
                    (inner, got, true),
                )),
            }
        },
    );
    axum::body::Body::from_stream(stream)
}

/// A turn to read a large body (see [`UPLOADS_AT_ONCE`]).
pub(crate) async fn upload_permit() -> tokio::sync::OwnedSemaphorePermit {
    static UPLOADS: OnceLock<std::sync::Arc<Semaphore>> = OnceLock::new();
    UPLOADS
        .get_or_init(|| std::sync::Arc::new(Semaphore::new(UPLOADS_AT_ONCE)))
        .clone()
        .acquire_owned()
        .await
        .expect("the upload semaphore is never closed")
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

#[cfg(test)]
mod tests {
    use super::{client_ip, keep_arriving};
    use std::time::Duration;

    /// A body that keeps arriving is read whole; one that stalls fails once it falls
    /// below the rate, without waiting for its sender (the clock is Tokio's, paused).
    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_arriving_fails() {
        use futures_util::StreamExt;
        let chunks = |n: usize, gap: Duration| {
            futures_util::stream::iter(0..n).then(move |_| async move {
                tokio::time::sleep(gap).await;
                Ok::<_, std::io::Error>(bytes_of(1000))
            })
        };
        // 1,000 bytes a second against a floor of 500 after 10 s: all 20 chunks.
        let steady = axum::body::Body::from_stream(chunks(20, Duration::from_secs(1)));
        let all = axum::body::to_bytes(
            keep_arriving(steady, Duration::from_secs(10), 500),
            usize::MAX,
        )
        .await
        .expect("a steady body is read");
        assert_eq!(all.len(), 20_000);
        // One chunk, then silence: fails when 1,000 bytes no longer cover the floor.
        let stalled = axum::body::Body::from_stream(
            chunks(1, Duration::ZERO).chain(futures_util::stream::pending()),
        );
        let t = tokio::time::Instant::now();
        let got = axum::body::to_bytes(
            keep_arriving(stalled, Duration::from_secs(10), 500),
            usize::MAX,
        )
        .await;
        assert!(got.is_err(), "a stalled body fails");
        assert_eq!(
            t.elapsed().as_secs(),
            12,
            "10 s of grace + 1,000 bytes at 500/s"
        );
    }

    fn bytes_of(n: usize) -> axum::body::Bytes {
        axum::body::Bytes::from(vec![b'a'; n])
    }
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let lb = ip("10.0.0.2");
        let trusted = [lb];
        // Straight from a client: its own address, whatever it claims.
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &trusted),
            Some(ip("203.0.113.9"))
        );
        // Through the load balancer: the address it appended.
        assert_eq!(
            client_ip(Some(lb), &["1.2.3.4, 198.51.100.7"], &trusted),
            Some(ip("198.51.100.7"))
        );
        // Two trusted hops, two headers.
        assert_eq!(
            client_ip(Some(lb), &["198.51.100.7", "10.0.0.2"], &trusted),
            Some(ip("198.51.100.7"))
        );
        // With a port, as some proxies write it.
        assert_eq!(
            client_ip(Some(lb), &["198.51.100.7:4321"], &trusted),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            client_ip(Some(lb), &["[2001:db8::7]:443"], &trusted),
            Some(ip("2001:db8::7"))
        );
        // No header, or garbage: the proxy's own address.
        assert_eq!(client_ip(Some(lb), &[], &trusted), Some(lb));
        assert_eq!(client_ip(Some(lb), &["nonsense"], &trusted), Some(lb));
    }
}
