//! Who is calling: session cookies for people (with a CSRF token on every form), bearer
//! tokens for programs. Secrets are random 32-byte tokens; only their SHA-256 is stored.

use crate::{AppError, AppState, today};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use congdoan_domain::Lang;
use congdoan_store::{Account, Actor, Scope};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "cd_session";
pub const LANG_COOKIE: &str = "lang";
pub const LOGIN_CSRF_COOKIE: &str = "cd_login";
/// A browser that has logged in before (see `Store::login_device_account`).
pub const DEVICE_COOKIE: &str = "cd_device";
/// A device cookie lasts a year.
pub const DEVICE_COOKIE_SECS: i64 = 365 * 24 * 3600;

/// A fresh random token, hex-encoded (256 bits).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the operating system's random source");
    hex::encode(b)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Argon2id hash in PHC string form (blocking: call from `spawn_blocking`).
pub fn hash_password(password: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .expect("argon2 hashing with default parameters")
}

/// Checks a password against a stored PHC hash (blocking).
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    PasswordHash::new(phc)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Vietnamese words people build passwords from, which zxcvbn's (English) dictionaries
/// do not hold: given to it as user inputs, so "matkhau123" counts as one word and a
/// sequence.
const VIETNAMESE_WORDS: &[&str] = &[
    "matkhau",
    "congdoan",
    "congdoanvn",
    "congdoanvietnam",
    "doanvien",
    "tonglaodong",
    "laodong",
    "vietnam",
    "hanoi",
    "saigon",
    "hochiminh",
    "anhyeuem",
    "emyeuanh",
    "yeuem",
    "yeuanh",
    "xinchao",
];

/// Checks a new password with zxcvbn (a well-kept strength estimator: dictionaries,
/// keyboard patterns, sequences, dates, repeats), given the username, the person's
/// name and common Vietnamese words as things an attacker would try first. At least
/// 10 characters, not the username (nor containing it), and a zxcvbn score of 3 ("safely
/// unguessable": about 10^8 guesses) or more. The error names `field` and says why.
pub fn check_password_strength(
    password: &str,
    username: &str,
    full_name: &str,
    field: &str,
) -> Result<(), crate::error::FieldError> {
    use crate::error::FieldError;
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let err = |code: &str, vi: &str, en: &str| Err(FieldError::new(field, code, vi, en));
    if chars.len() < 10 {
        return err(
            "WE0701",
            "cần ít nhất 10 ký tự.",
            "needs at least 10 characters.",
        );
    }
    if chars.iter().all(|c| *c == chars[0]) {
        return err(
            "WE0702",
            "không được chỉ lặp lại một ký tự.",
            "must not repeat a single character.",
        );
    }
    if !user.is_empty() && lower.contains(&user) {
        return err(
            "WE0703",
            "không được trùng hoặc chứa tên đăng nhập.",
            "must not be or contain the username.",
        );
    }
    // The name as typed and folded ("Nguyễn Văn Đức" → "nguyen", "van", "duc",
    // "nguyenvanduc"), the username's parts, and the Vietnamese words.
    let folded = congdoan_domain::fold(full_name);
    let mut inputs: Vec<String> = folded.split_whitespace().map(str::to_string).collect();
    inputs.push(folded.replace(' ', ""));
    inputs.push(full_name.to_lowercase());
    inputs.extend(
        user.split(|c: char| !c.is_alphanumeric())
            .filter(|p| p.len() > 2)
            .map(str::to_string),
    );
    inputs.push(user.clone());
    let mut inputs: Vec<&str> = inputs
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    inputs.extend_from_slice(VIETNAMESE_WORDS);
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if estimate.score() >= zxcvbn::Score::Three {
        return Ok(());
    }
    // Why, when zxcvbn can say (a common word, a keyboard row, a date…).
    let (vi, en) = match estimate.feedback().and_then(|f| f.warning()) {
        Some(w) => {
            let (vi, en) = weakness(w);
            (format!(" ({vi})"), format!(" ({en})"))
        }
        None => (String::new(), String::new()),
    };
    err(
        "WE0704",
        &format!(
            "quá phổ biến, dễ bị đoán{vi}; hãy dùng vài từ không liên quan nối với nhau, ví dụ \"song-hong-chay-ra-bien\"."
        ),
        &format!("too common and easy to guess{en}; use a few unrelated words joined together."),
    )
}

/// Why zxcvbn found a password weak, in both languages.
fn weakness(w: zxcvbn::feedback::Warning) -> (&'static str, &'static str) {
    use zxcvbn::feedback::Warning as W;
    match w {
        W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => (
            "phím liền nhau trên bàn phím dễ bị đoán",
            "keyboard patterns are easy to guess",
        ),
        W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            ("ký tự lặp lại dễ bị đoán", "repeats are easy to guess")
        }
        W::ThisIsATop10Password | W::ThisIsATop100Password | W::ThisIsACommonPassword => {
            ("là mật khẩu rất phổ biến", "a very common password")
        }
        W::ThisIsSimilarToACommonlyUsedPassword => (
            "gần giống một mật khẩu phổ biến",
            "similar to a common password",
        ),
        W::SequencesLikeAbcAreEasyToGuess => (
            "dãy liên tiếp như abc hay 6543 dễ bị đoán",
            "sequences like abc or 6543 are easy to guess",
        ),
        W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => (
            "năm và ngày tháng dễ bị đoán",
            "years and dates are easy to guess",
        ),
        W::AWordByItselfIsEasyToGuess => (
            "một từ đứng riêng dễ bị đoán, kể cả tên đăng nhập hay họ tên của bạn",
            "a word by itself is easy to guess, your username or name included",
        ),
        W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess => {
            (
                "họ và tên dễ bị đoán",
                "names and surnames are easy to guess",
            )
        }
    }
}

/// A temporary password to hand to a person (shown once): 3 groups of 4 lowercase
/// letters and digits without look-alikes, e.g. `k7mq-2xhz-p9ta`.
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).expect("the operating system's random source");
    let mut out = String::new();
    for (i, x) in b.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[*x as usize % ALPHABET.len()] as char);
    }
    out
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(crate) fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The language of a request: the `lang` cookie, else Vietnamese.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_default()
}

/// Where the `html_errors` middleware finds the caller a handler identified, so an
/// error page keeps the navigation without a second session look-up.
#[derive(Clone, Default)]
pub(crate) struct UserSlot(pub(crate) std::sync::Arc<std::sync::OnceLock<CurrentUser>>);

/// The logged-in caller with the scope of their grants.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub scope: Scope,
    /// The session's CSRF token (None for bearer-token callers, who need none).
    pub csrf: Option<String>,
    pub lang: Lang,
}

impl CurrentUser {
    pub fn tr(&self) -> crate::Tr {
        crate::Tr::new(self.lang)
    }
    pub fn csrf(&self) -> &str {
        self.csrf.as_deref().unwrap_or("")
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(u) = parts.extensions.get::<CurrentUser>() {
            // Identified by an outer layer before the error middleware's slot existed.
            if let Some(slot) = parts.extensions.get::<UserSlot>() {
                let _ = slot.0.set(u.clone());
            }
            return Ok(u.clone());
        }
        let lang = lang_of(&parts.headers);
        let store = &state.store;
        let bearer = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let (account, csrf) = if let Some(token) = bearer {
            let a = store
                .account_by_token(&sha256_hex(token.trim()))
                .await?
                .ok_or(AppError::Unauthorized)?;
            (a, None)
        } else {
            let sid = cookie(&parts.headers, SESSION_COOKIE).ok_or(AppError::Unauthorized)?;
            let s = store
                .session(&sha256_hex(sid))
                .await?
                .ok_or(AppError::Unauthorized)?;
            (store.account(s.account_id).await?, Some(s.csrf_token))
        };
        if account.disabled {
            return Err(AppError::Unauthorized);
        }
        let actor = Actor {
            account_id: Some(account.account_id),
            username: account.username.clone(),
        };
        let scope = store.scope_for(actor, account.is_admin, today()).await?;
        let user = CurrentUser {
            account,
            scope,
            csrf,
            lang,
        };
        if let Some(slot) = parts.extensions.get::<UserSlot>() {
            let _ = slot.0.set(user.clone());
        }
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// A form posted by a logged-in user, accepted only with the session's CSRF token.
/// Every state-changing page handler takes one, so the check cannot be forgotten.
pub struct CsrfForm<T>(pub CurrentUser, pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .map_err(|_| AppError::BadRequest("body".into()))?;
        let token: CsrfOnly = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        match &user.csrf {
            Some(expected) if constant_eq(expected, &token.csrf) => {}
            _ => return Err(AppError::Forbidden),
        }
        require_write_somewhere(&user, parts.uri.path())?;
        let form: T = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        Ok(CsrfForm(user, form))
    }
}

/// Authorisation before validation, for every write (page forms, uploads, API
/// bodies): someone who may write nowhere is refused before the input is read, so a
/// viewer never learns from a validation answer whether a unit code or an id exists.
/// Their own account (password, tokens, logout) stays theirs to change.
pub(crate) fn require_write_somewhere(user: &CurrentUser, path: &str) -> Result<(), AppError> {
    let own = ["/account/", "/logout", "/api/v1/tokens"]
        .iter()
        .any(|p| path == p.trim_end_matches('/') || path.starts_with(p));
    if own || user.scope.is_admin() || !user.scope.write_paths().is_empty() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(crate) fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_when_right() {
        let h = hash_password("mật khẩu đúng");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu đúng", &h));
        assert!(!verify_password("mat khau sai", &h));
    }

    #[test]
    fn weak_passwords_are_refused() {
        for (p, code) in [
            ("short1", "WE0701"),
            ("        ", "WE0701"),
            ("password", "WE0701"),
            ("aaaaaaaaaaaa", "WE0702"),
            ("xx-cdcs.officer-xx", "WE0703"),
            ("cdcs.officer", "WE0703"),
            ("matkhau123", "WE0704"),
            ("Password123", "WE0704"),
            ("password1234", "WE0704"),
            ("congdoan2025", "WE0704"),
            ("12345678910", "WE0704"),
            ("qwertyuiop12", "WE0704"),
            ("NguyenVanDuc1990", "WE0704"),
            ("nguyễn văn đức", "WE0704"),
        ] {
            let e = check_password_strength(p, "cdcs.officer", "Nguyễn Văn Đức", "new_password")
                .unwrap_err();
            assert_eq!(e.code, code, "{p}");
            assert!(e.message.starts_with("Mật khẩu mới: "), "{}", e.message);
        }
        // The reason is said, in Vietnamese.
        let e = check_password_strength("Password123", "x", "", "new_password").unwrap_err();
        assert!(e.message.contains("phổ biến"), "{}", e.message);
        for good in ["song-hong-chay-ra-bien", "trau an co bo dong xa"] {
            assert!(
                check_password_strength(good, "cdcs.officer", "Nguyễn Văn Đức", "new_password")
                    .is_ok(),
                "{good}"
            );
        }
        let t = temporary_password();
        assert_eq!(t.len(), 14);
        assert!(check_password_strength(&t, "someone", "Ai Đó", "password").is_ok());
    }

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
