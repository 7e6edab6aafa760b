//! One error type for the web layer. It renders as JSON with a stable code; for page
//! requests the `html_errors` middleware turns the same error into a Vietnamese (or
//! English) page, or a redirect to the login form.

use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use congdoan_domain::{DomainError, Lang};
use congdoan_store::StoreError;
use serde::Serialize;

/// A problem with one input field, in both languages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
    pub message_en: String,
}

impl FieldError {
    pub fn from_domain(e: &DomainError) -> FieldError {
        FieldError {
            field: e.field.to_string(),
            code: e.code.code().to_string(),
            message: e.message(Lang::Vi),
            message_en: e.message(Lang::En),
        }
    }
    pub fn new(field: &str, code: &str, vi: &str, en: &str) -> FieldError {
        let label_vi = congdoan_domain::error::field_label(field, Lang::Vi);
        let label_en = congdoan_domain::error::field_label(field, Lang::En);
        FieldError {
            field: field.to_string(),
            code: code.to_string(),
            message: format!("{label_vi}: {vi}"),
            message_en: format!("{label_en}: {en}"),
        }
    }
    pub fn text(&self, lang: impl crate::i18n::Val<Lang>) -> &str {
        match lang.val() {
            Lang::Vi => &self.message,
            Lang::En => &self.message_en,
        }
    }
}

#[derive(Debug, Clone)]
pub enum AppError {
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    BadRequest(String),
    Invalid(Vec<FieldError>),
    /// A request body over the limit (an upload), with the limit in MB.
    TooLarge(usize),
    /// Logged with its operation id; the user sees only the id.
    Internal(String),
}

/// The JSON error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub message_en: String,
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, vi, en): (&str, String, String) = match self {
            AppError::Unauthorized => (
                "WE0401",
                "Bạn cần đăng nhập.".into(),
                "Please log in.".into(),
            ),
            AppError::Forbidden => (
                "WE0403",
                "Bạn không có quyền thực hiện thao tác này.".into(),
                "You may not do this.".into(),
            ),
            AppError::NotFound => (
                "WE0404",
                "Không tìm thấy, hoặc bạn không có quyền xem.".into(),
                "Not found, or not yours to see.".into(),
            ),
            AppError::Conflict => (
                "WE0409",
                "Bản ghi vừa được người khác sửa. Hãy tải lại trang và làm lại.".into(),
                "Someone else changed this record. Reload and try again.".into(),
            ),
            AppError::BadRequest(m) => (
                "WE0400",
                format!("Yêu cầu không hợp lệ: {m}"),
                format!("Bad request: {m}"),
            ),
            AppError::Invalid(f) => (
                "WE0422",
                f.iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
                f.iter()
                    .map(|f| f.message_en.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            AppError::TooLarge(mb) => (
                "WE0413",
                format!("Tệp lớn hơn {mb} MB; hãy chia thành nhiều tệp nhỏ hơn."),
                format!("The file is larger than {mb} MB; split it into smaller files."),
            ),
            AppError::Internal(id) => (
                "WE0500",
                format!("Lỗi hệ thống (mã sự cố {id})."),
                format!("Internal error (incident {id})."),
            ),
        };
        ErrorBody {
            code: code.to_string(),
            message: vi,
            message_en: en,
            fields: match self {
                AppError::Invalid(f) => f.clone(),
                _ => vec![],
            },
        }
    }

    pub fn invalid(field: &str, code: &str, vi: &str, en: &str) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, code, vi, en)])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Conflict => AppError::Conflict,
            StoreError::Duplicate { field } => AppError::invalid(
                field,
                "ST0410",
                "giá trị này đã có trong hệ thống.",
                "this value is already recorded.",
            ),
            StoreError::Invalid(d) => AppError::Invalid(vec![FieldError::from_domain(&d)]),
            StoreError::Rule {
                code,
                field,
                message_vi,
                message_en,
            } => AppError::invalid(field, code, &message_vi, &message_en),
            other => {
                let id = crate::auth::new_token()[..8].to_string();
                tracing::error!(incident = %id, code = other.code(), error = %other, "store error");
                AppError::Internal(id)
            }
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::Invalid(vec![FieldError::from_domain(&e)])
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = (self.status(), Json(self.body())).into_response();
        res.extensions_mut().insert(self);
        res
    }
}

/// For page requests, replaces a JSON error with an HTML page or a login redirect.
pub async fn html_errors(mut req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let next_url = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let lang = crate::auth::lang_of(req.headers());
    let slot = crate::auth::UserSlot::default();
    req.extensions_mut().insert(slot.clone());
    let res = next.run(req).await;
    if is_api {
        return res;
    }
    let Some(err) = res.extensions().get::<AppError>().cloned() else {
        return res;
    };
    if matches!(err, AppError::Unauthorized) {
        let target = format!("/login?next={}", urlencode(&next_url));
        return Redirect::to(&target).into_response();
    }
    crate::views::error_page(err, lang, slot.0.get(), None)
}

pub(crate) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v[1..].to_string())
        .unwrap_or_default()
}
