//! API tokens (the caller's own: list, issue with the password again, revoke) and the
//! accounts an administrator or an officer manages.

use super::*;
use crate::views::{create_with_temporary, issue_token, parse_new_account};
use congdoan_store::{AccountSummary, ApiToken};

#[derive(Deserialize, ToSchema)]
pub(super) struct TokenRequest {
    /// What the token is for (1–100 characters).
    name: String,
    /// Days of validity; the configured default (90) when absent, at most the maximum (365).
    #[serde(default)]
    expires_days: Option<i64>,
    /// The caller's password, asked again before a token is issued.
    #[serde(default)]
    password: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct TokenResponse {
    /// Shown once; send as `Authorization: Bearer …`.
    token: String,
    #[serde(flatten)]
    info: ApiToken,
}

/// The caller's API tokens, newest first (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = Vec<ApiToken>), AuthErrors), security(("bearer" = [])))]
pub(super) async fn list_tokens(
    State(st): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Vec<ApiToken>> {
    Ok(Json(
        st.store
            .api_tokens(&user.scope, user.account.account_id)
            .await?,
    ))
}

/// Issues an API token for the caller; the password is required again. Audited.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenRequest, responses((status = 200, body = TokenResponse), WriteErrors), security(("bearer" = [])))]
pub(super) async fn create_token(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<TokenResponse> {
    let days = req.expires_days.map(|d| d.to_string());
    let (token, info) = issue_token(&st, &user, &req.name, days.as_deref(), &req.password).await?;
    Ok(Json(TokenResponse { token, info }))
}

/// Revokes one of the caller's tokens at once. Audited.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path)), responses((status = 200, body = ApiToken), ReadErrors), security(("bearer" = [])))]
pub(super) async fn revoke_token(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<ApiToken> {
    Ok(Json(
        st.store
            .revoke_api_token(&user.scope, user.account.account_id, id)
            .await?,
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub(super) struct AccountParams {
    /// Part of a username or display name.
    q: Option<String>,
    /// Accounts after this username (paging).
    after: Option<String>,
    /// 1–200, default 50.
    limit: Option<i64>,
}

fn require_manager(user: &CurrentUser) -> Result<(), AppError> {
    if user.scope.is_admin() || !user.scope.write_paths().is_empty() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Accounts the caller manages: all for an administrator; for an officer, those whose
/// every role lies in the officer's writable subtree. Ordered by username.
#[utoipa::path(get, path = "/api/v1/accounts", params(AccountParams), responses((status = 200, body = Vec<AccountSummary>), ManagerQueryErrors), security(("bearer" = [])))]
pub(super) async fn list_accounts(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AccountParams>,
) -> ApiResult<Vec<AccountSummary>> {
    require_manager(&user)?;
    Ok(Json(
        st.store
            .list_accounts(
                &user.scope,
                q.q.as_deref().unwrap_or(""),
                q.after.as_deref(),
                q.limit.unwrap_or(50),
            )
            .await?,
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub(super) struct AccountRequest {
    username: String,
    display_name: String,
    /// The unit the account works on (or `unit_code`); inside the caller's writable subtree.
    unit_id: Option<i64>,
    unit_code: String,
    /// officer, viewer, or (administrators only) admin.
    role: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct AccountWithPassword {
    /// A temporary password, shown once; it must be changed at the first login.
    temporary_password: String,
    account: AccountSummary,
}

/// Creates an account on a unit of the caller's subtree with a temporary password.
#[utoipa::path(post, path = "/api/v1/accounts", request_body = AccountRequest, responses((status = 200, body = AccountWithPassword), WriteErrors), security(("bearer" = [])))]
pub(super) async fn create_account(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(r): ApiJson<AccountRequest>,
) -> ApiResult<AccountWithPassword> {
    require_manager(&user)?;
    let unit = match r.unit_id {
        Some(id) => {
            let u = st.store.unit(&user.scope, id).await?;
            if !user.scope.can_write(&u.path) {
                return Err(AppError::NotFound);
            }
            Some(u)
        }
        None => None,
    };
    let a = parse_new_account(
        &st,
        &user,
        &r.username,
        &r.display_name,
        unit,
        &r.unit_code,
        &r.role,
    )
    .await?;
    let (temporary_password, account) = create_with_temporary(&st, &user, a).await?;
    Ok(Json(AccountWithPassword {
        temporary_password,
        account,
    }))
}

/// Sets a new temporary password (shown once); the account must change it at the next
/// login and its sessions end.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/reset-password", params(("id" = i64, Path)), responses((status = 200, body = AccountWithPassword), ActionErrors), security(("bearer" = [])))]
pub(super) async fn reset_password(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<AccountWithPassword> {
    require_manager(&user)?;
    let temp = crate::auth::temporary_password();
    let t = temp.clone();
    let h = tokio::task::spawn_blocking(move || crate::auth::hash_password(&t))
        .await
        .map_err(|_| AppError::Internal("hash".into()))?;
    let account = st.store.reset_password(&user.scope, id, &h).await?;
    Ok(Json(AccountWithPassword {
        temporary_password: temp,
        account,
    }))
}

/// Disables an account: its sessions and API tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", params(("id" = i64, Path)), responses((status = 200, body = AccountSummary), ActionErrors), security(("bearer" = [])))]
pub(super) async fn disable_account(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<AccountSummary> {
    require_manager(&user)?;
    Ok(Json(
        st.store.set_account_disabled(&user.scope, id, true).await?,
    ))
}

/// Enables a disabled account again.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", params(("id" = i64, Path)), responses((status = 200, body = AccountSummary), ActionErrors), security(("bearer" = [])))]
pub(super) async fn enable_account(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<AccountSummary> {
    require_manager(&user)?;
    Ok(Json(
        st.store
            .set_account_disabled(&user.scope, id, false)
            .await?,
    ))
}
