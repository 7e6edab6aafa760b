//! Static files compiled into the binary, served under versioned URLs with long caching.

use crate::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

pub const HTMX_URL: &str = "/assets/htmx-2.0.11.min.js";
pub const CSS_URL: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".css");

const HTMX: &[u8] = include_bytes!("../assets/vendor/htmx-2.0.11.min.js");
const CSS: &str = include_str!("../assets/app.css");
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            HTMX_URL,
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript"),
                        (header::CACHE_CONTROL, IMMUTABLE),
                    ],
                    HTMX,
                )
                    .into_response()
            }),
        )
        .route(
            CSS_URL,
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, IMMUTABLE),
                    ],
                    CSS,
                )
                    .into_response()
            }),
        )
}
