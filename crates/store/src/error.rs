use congdoan_domain::DomainError;

/// Errors of the storage layer, each with a stable code the web layer maps to a status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Missing, or outside the caller's scope (the two look the same on purpose).
    #[error("not found")]
    NotFound,
    /// Inside the read scope but not the write scope.
    #[error("forbidden")]
    Forbidden,
    /// Someone else changed the record since it was read.
    #[error("conflict: the record was changed by someone else")]
    Conflict,
    /// A unique value (CCCD, card number, code, username) is already taken.
    #[error("duplicate value for {field}")]
    Duplicate { field: &'static str },
    /// Input that breaks a domain rule.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// A rule of the store itself, named by field, with Vietnamese and English text.
    #[error("{field}: {message_en}")]
    Rule {
        code: &'static str,
        field: &'static str,
        message_vi: String,
        message_en: String,
    },
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Db(sqlx::Error),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound => "ST0404",
            StoreError::Forbidden => "ST0403",
            StoreError::Conflict => "ST0409",
            StoreError::Duplicate { .. } => "ST0410",
            StoreError::Invalid(e) => e.code.code(),
            StoreError::Rule { code, .. } => code,
            StoreError::Config(_) => "ST0001",
            StoreError::Migrate(_) => "ST0002",
            StoreError::Db(_) => "ST0500",
        }
    }

    pub(crate) fn rule(code: &'static str, field: &'static str, vi: &str, en: &str) -> StoreError {
        StoreError::Rule {
            code,
            field,
            message_vi: vi.to_string(),
            message_en: en.to_string(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                // PostgreSQL names the constraint, SQLite names table.column: match both.
                let text = format!("{} {}", db.constraint().unwrap_or(""), db.message());
                let field = ["cccd", "card_no", "username", "code", "phone"]
                    .into_iter()
                    .find(|f| text.contains(f))
                    .unwrap_or("value");
                StoreError::Duplicate { field }
            }
            _ => StoreError::Db(e),
        }
    }
}
