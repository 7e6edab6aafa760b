//! HTTP for congdoan: Vietnamese server-rendered pages (htmx-enhanced, usable without
//! JavaScript) and the JSON API under `/api/v1`, both over the same store calls.

pub mod api;
mod assets;
pub mod auth;
mod error;
mod forms;
mod i18n;
pub mod throttle;
pub(crate) mod views;

pub use auth::{hash_password, new_token, sha256_hex, verify_password};
pub use error::AppError;
pub use i18n::Tr;
pub use views::certificates::{certificates_pdf, printed, verify_url};

use axum::Router;
use axum::http::{HeaderValue, header};
use congdoan_store::Store;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS behind a proxy).
    pub secure_cookies: bool,
    /// How long a login lasts.
    pub session_hours: i64,
    /// Validity of a new API token when none is asked for, and the longest allowed.
    pub token_default_days: i64,
    pub token_max_days: i64,
    /// The address the public reaches this server at (no trailing slash): printed
    /// in the QR codes of certificates, which lead to `/verify/{code}`.
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` names the caller (see [`throttle::ClientAddr`]).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_hours: 12,
            token_default_days: congdoan_store::DEFAULT_TOKEN_DAYS,
            token_max_days: 365,
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxies: Vec::new(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// Wakes the import worker when a job is uploaded or confirmed.
    pub imports: Arc<tokio::sync::Notify>,
}

/// Runs import jobs in the background until the task is dropped: on a wake-up, and
/// every few seconds for jobs another instance left behind (a crash ends their lease).
/// Between jobs it expires old uploads (every 10 minutes), applies the restructuring
/// plans scheduled for today and refreshes
/// the search tokens of members whose units moved to another federation.
pub fn spawn_worker(store: Store, wake: Arc<tokio::sync::Notify>) -> tokio::task::JoinHandle<()> {
    const EXPIRY_EVERY: std::time::Duration = std::time::Duration::from_secs(600);
    tokio::spawn(async move {
        let mut last_expiry = None;
        loop {
            match store.work_imports(None, false, today(), &mut |_| {}).await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "import worker"),
            }
            // Expiry is a sweep over all jobs: a few times an hour is enough.
            if last_expiry.is_none_or(|t: std::time::Instant| t.elapsed() >= EXPIRY_EVERY) {
                last_expiry = Some(std::time::Instant::now());
                if let Err(e) = store.expire_import_files().await {
                    tracing::error!(error = %e, "import file expiry");
                }
            }
            if let Err(e) = store.apply_due_plans(today()).await {
                tracing::error!(error = %e, "scheduled plans");
            }
            // Members whose units changed federation get their search tokens rewritten,
            // a batch at a time, between other work.
            match store.refresh_search_scope().await {
                Ok(0) => {}
                Ok(_) => continue,
                Err(e) => tracing::error!(error = %e, "search scope refresh"),
            }
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), wake.notified()).await;
        }
    })
}

/// Today in Vietnam (UTC+7): the default "as of" date and the bound for effective dates.
pub fn today() -> time::Date {
    congdoan_domain::date::today_vn()
}

/// What pages may load: our own script and styles only, no inline script, no
/// framing, forms posting back to us. Inline style attributes stay allowed (the bar
/// charts' widths, htmx's indicator style).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The whole application: pages, API, assets, health.
pub fn router(state: AppState) -> Router {
    let hsts = state.config.secure_cookies.then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    Router::new()
        .merge(
            views::routes().route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                views::force_password_change,
            )),
        )
        .merge(api::routes())
        .merge(assets::routes())
        .layer(axum::middleware::from_fn(throttle::large_bodies_take_turns))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let matched = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|m| m.as_str().to_string())
                    .unwrap_or_default();
                tracing::info_span!("http", method = %req.method(), path = %matched)
            }),
        )
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        // Pages, API answers and exports hold personal data: never kept by a browser
        // or a proxy. Versioned assets set their own long cache first.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(tower::util::option_layer(hsts))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address feeds the login throttle.
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
