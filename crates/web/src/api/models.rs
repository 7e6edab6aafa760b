//! The library of good models over the API: the same store calls as the pages
//! (`views/models.rs`). Reading is open to every official; writing and replicating
//! need write access to the owner (or issuing) unit. Files travel base64-encoded.

use super::errors::*;
use super::requests::{FileBody, date, decode};
use super::{ApiJson, ApiQuery, ApiResult};
use crate::AppState;
use crate::auth::CurrentUser;
use axum::Json;
use axum::extract::{Path, State};
use congdoan_domain::request::TargetSpec;
use congdoan_store::{
    Figure, GoodModel, ModelFile, ModelInput, ModelQuery, ReplicateInput, Replication,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct ListQuery {
    /// Words, accents optional; each must start a word of the model.
    q: Option<String>,
    /// `mo_hinh`, `dien_hinh` or `sang_kien`.
    kind: Option<String>,
    /// A tag (accents optional).
    tag: Option<String>,
    /// Only models done in this unit's subtree.
    unit_id: Option<i64>,
    /// From 0, 30 models a page.
    page: Option<i64>,
}

/// A page of the library.
#[derive(Serialize, ToSchema)]
pub struct ModelList {
    models: Vec<ModelView>,
    /// Another page follows.
    more: bool,
}

/// A model with its figures and tags as lists.
#[derive(Serialize, ToSchema)]
pub struct ModelView {
    #[serde(flatten)]
    model: GoodModel,
    figures: Vec<Figure>,
    tag_list: Vec<String>,
}

impl From<GoodModel> for ModelView {
    fn from(model: GoodModel) -> Self {
        ModelView {
            figures: model.figure_list(),
            tag_list: model.tag_list(),
            model,
        }
    }
}

/// One model with its evidence files and replications.
#[derive(Serialize, ToSchema)]
pub struct ModelDetail {
    #[serde(flatten)]
    model: ModelView,
    files: Vec<ModelFile>,
    replications: Vec<Replication>,
}

/// Searches the library, most recently updated first.
#[utoipa::path(get, path = "/api/v1/models", params(ListQuery), responses((status = 200, body = ModelList), QueryErrors), security(("bearer" = [])))]
pub async fn list_models(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<ModelList> {
    let query = ModelQuery {
        q: q.q.unwrap_or_default(),
        kind: q.kind.unwrap_or_default(),
        tag: q.tag.unwrap_or_default(),
        unit: q.unit_id,
        page: q.page.unwrap_or(0).clamp(0, 10_000),
    };
    let (models, more) = st.store.models(&user.scope, &query).await?;
    Ok(Json(ModelList {
        models: models.into_iter().map(ModelView::from).collect(),
        more,
    }))
}

/// One model, its evidence files (download them from the page route
/// `/models/files/{id}`) and its replications with their counters.
#[utoipa::path(get, path = "/api/v1/models/{id}", params(("id" = i64, Path)), responses((status = 200, body = ModelDetail), ReadErrors), security(("bearer" = [])))]
pub async fn get_model(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<ModelDetail> {
    let model = st.store.model(&user.scope, id).await?;
    Ok(Json(ModelDetail {
        model: model.into(),
        files: st.store.model_files(&user.scope, id).await?,
        replications: st.store.model_replications(&user.scope, id).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ModelBody {
    /// The unit where it was done (the caller must write it).
    owner_unit_id: i64,
    /// `mo_hinh`, `dien_hinh` or `sang_kien`.
    kind: String,
    title: String,
    /// What was done.
    summary: String,
    results: Option<String>,
    #[serde(default)]
    figures: Vec<Figure>,
    #[serde(default)]
    tags: Vec<String>,
    /// dd/mm/yyyy or yyyy-mm-dd.
    started_on: Option<String>,
    /// Evidence files (PDF, docx, xlsx…), added to those the model has.
    #[serde(default)]
    files: Vec<FileBody>,
}

impl ModelBody {
    fn input(&self) -> Result<ModelInput, crate::AppError> {
        Ok(ModelInput {
            owner_unit_id: self.owner_unit_id,
            kind: self.kind.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            results: self.results.clone(),
            figures: self.figures.clone(),
            tags: self.tags.clone(),
            started_on: match self.started_on.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(s) => Some(date(s, "started_on")?),
            },
        })
    }
}

/// Records a good model of a unit the caller writes.
#[utoipa::path(post, path = "/api/v1/models", request_body = ModelBody,
    responses((status = 200, body = ModelView), WriteErrors), security(("bearer" = [])))]
pub async fn create_model(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<ModelBody>,
) -> ApiResult<ModelView> {
    let input = b.input()?;
    let files = decode(b.files)?;
    Ok(Json(
        st.store
            .create_model(&user.scope, &input, files)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ModelEditBody {
    /// The version read (a stale one gets 409).
    version: i64,
    #[serde(flatten)]
    model: ModelBody,
}

/// Edits a model from the version read.
#[utoipa::path(put, path = "/api/v1/models/{id}", params(("id" = i64, Path)), request_body = ModelEditBody,
    responses((status = 200, body = ModelView), VersionedWriteErrors), security(("bearer" = [])))]
pub async fn update_model(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ModelEditBody>,
) -> ApiResult<ModelView> {
    let input = b.model.input()?;
    let files = decode(b.model.files)?;
    Ok(Json(
        st.store
            .update_model(&user.scope, id, b.version, &input, files)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplicateBody {
    /// The unit that asks (the caller must write it).
    issuer_unit_id: i64,
    /// `{"kind": "subtree", "root": 1, "types": ["CDCS"]}`, `{"kind": "cluster", "cluster_id": 1}`
    /// or `{"kind": "units", "units": [1, 2]}`.
    #[schema(value_type = Object)]
    targets: TargetSpec,
    /// Results due on (dd/mm/yyyy or yyyy-mm-dd).
    due_on: String,
    instructions: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Replicated {
    /// The request sent (steps: `/api/v1/requests/{id}/targets/{unit_id}/steps`,
    /// `acknowledge` = adopted, `implement` = results reported).
    request_id: i64,
}

/// Sends the model to units to replicate ("nhân rộng").
#[utoipa::path(post, path = "/api/v1/models/{id}/replications", params(("id" = i64, Path)), request_body = ReplicateBody,
    responses((status = 200, body = Replicated), WriteErrors), security(("bearer" = [])))]
pub async fn replicate_model(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReplicateBody>,
) -> ApiResult<Replicated> {
    let input = ReplicateInput {
        issuer_unit_id: b.issuer_unit_id,
        targets: b.targets,
        due_on: date(&b.due_on, "due_on")?,
        instructions: b.instructions,
    };
    Ok(Json(Replicated {
        request_id: st.store.replicate_model(&user.scope, id, input).await?,
    }))
}
