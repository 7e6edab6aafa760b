//! Import jobs over the API: upload (multipart), poll, read the problems, confirm,
//! undo. The same store calls as the pages.

use super::errors::*;
use super::{ApiJson, ApiResult};
use crate::AppState;
use crate::views::imports::Upload;
use axum::Json;
use axum::extract::{Path, State};
use congdoan_store::{ImportJob, ImportReject, PreviewRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::CurrentUser;

/// A job with its preview rows.
#[derive(Serialize, ToSchema)]
pub struct ImportJobView {
    #[serde(flatten)]
    pub job: ImportJob,
    pub state_label: String,
    pub percent: Option<i64>,
    pub preview: Vec<PreviewRow>,
}

fn view(job: ImportJob, lang: congdoan_domain::Lang) -> ImportJobView {
    ImportJobView {
        state_label: job.state().label(lang).to_string(),
        percent: job.percent(),
        preview: job.preview_rows(),
        job,
    }
}

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// Receiving unit.
    unit: i64,
    /// The .xlsx or .csv file.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Uploads a member list (xlsx or CSV) for a unit; a background worker analyses it.
/// Poll the job until `state` is `ready`, read the problems, then confirm.
#[utoipa::path(post, path = "/api/v1/imports", request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportJobView), UploadErrors), security(("bearer" = [])))]
pub async fn upload_import(State(st): State<AppState>, up: Upload) -> ApiResult<ImportJobView> {
    let lang = up.user.lang;
    let job = up.start(&st).await?;
    Ok(Json(view(job, lang)))
}

/// One import job: state, counts, progress and preview.
#[utoipa::path(get, path = "/api/v1/imports/{id}", params(("id" = i64, Path)), responses((status = 200, body = ImportJobView), ReadErrors), security(("bearer" = [])))]
pub async fn get_import(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<ImportJobView> {
    let job = st.store.import_job(&user.scope, id).await?;
    Ok(Json(view(job, user.lang)))
}

/// Rejected rows with every reason, in row order (up to 1,000 after `after_row`).
#[utoipa::path(get, path = "/api/v1/imports/{id}/rejects", params(("id" = i64, Path), ("after_row" = Option<i64>, Query)),
    responses((status = 200, body = Vec<ImportReject>), QueryErrors), security(("bearer" = [])))]
pub async fn import_rejects(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    super::ApiQuery(q): super::ApiQuery<AfterRow>,
) -> ApiResult<Vec<ImportReject>> {
    Ok(Json(
        st.store
            .import_rejects(&user.scope, id, q.after_row.unwrap_or(0), 1_000)
            .await?,
    ))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct AfterRow {
    after_row: Option<i64>,
}

/// The version the caller read (a stale one gets 409).
#[derive(Deserialize, ToSchema)]
pub struct VersionBody {
    pub version: i64,
}

/// Imports every valid row of an analysed job, in the background.
#[utoipa::path(post, path = "/api/v1/imports/{id}/confirm", params(("id" = i64, Path)), request_body = VersionBody,
    responses((status = 200, body = ImportJobView), VersionedWriteErrors), security(("bearer" = [])))]
pub async fn confirm_import(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<ImportJobView> {
    let job = st.store.confirm_import(&user.scope, id, b.version).await?;
    st.imports.notify_one();
    Ok(Json(view(job, user.lang)))
}

/// Removes every member a finished import added.
#[utoipa::path(post, path = "/api/v1/imports/{id}/undo", params(("id" = i64, Path)), request_body = VersionBody,
    responses((status = 200, body = ImportJobView), VersionedWriteErrors), security(("bearer" = [])))]
pub async fn undo_import(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<ImportJobView> {
    let job = st.store.undo_import(&user.scope, id, b.version).await?;
    Ok(Json(view(job, user.lang)))
}
