//! The one confirmation pattern for consequential actions: the action's POST without
//! `confirmed=1` answers with a page restating the impact (figures first, then what
//! cannot be undone) whose form re-posts the same fields with `confirmed=1`. After the
//! action, the handler redirects to the object's page with `?notice=<key>`; the key is
//! mapped to text on the server, so no query text is ever echoed into a page.

use super::{Chrome, PageResult, render};
use crate::AppError;
use askama::Template;
use serde::de::DeserializeOwned;

/// One line of "what will happen": an optional figure and its text.
pub(super) struct Impact {
    pub n: Option<String>,
    pub text: String,
}

impl Impact {
    pub fn count(n: i64, text: &str) -> Impact {
        Impact {
            n: Some(congdoan_domain::format_int(n)),
            text: text.to_string(),
        }
    }
    pub fn line(text: impl Into<String>) -> Impact {
        Impact {
            n: None,
            text: text.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub(super) struct ConfirmPage {
    pub chrome: Chrome,
    /// One sentence naming the action and its object.
    pub lead: String,
    pub impacts: Vec<Impact>,
    /// Consequences that cannot be undone (shown as a warning).
    pub irreversible: Vec<String>,
    pub action: String,
    /// The fields of the original form, posted again with `confirmed=1`.
    pub hidden: Vec<(String, String)>,
    pub button: String,
    pub back: String,
}

impl ConfirmPage {
    pub fn render(self) -> PageResult {
        render(self)
    }
}

/// Whether the form carries the confirmation.
pub(super) fn confirmed(pairs: &[(String, String)]) -> bool {
    pairs.iter().any(|(k, v)| k == "confirmed" && v == "1")
}

/// The form's own fields, to post again from the confirmation page.
pub(super) fn hidden(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(k, _)| k != "csrf" && k != "confirmed")
        .cloned()
        .collect()
}

/// Reads a typed form out of the pairs (the action needs both: the typed fields to act,
/// all of them to restate).
pub(super) fn typed<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, AppError> {
    let raw =
        serde_urlencoded::to_string(pairs).map_err(|e| AppError::BadRequest(e.to_string()))?;
    serde_urlencoded::from_str(&raw).map_err(|e| AppError::BadRequest(e.to_string()))
}
