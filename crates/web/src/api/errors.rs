//! The error answers of the API, documented once. Each status is a reusable response
//! (`#/components/responses/E400` …) whose body is [`ErrorBody`]; an operation lists
//! the set that applies to it (`responses((status = 200, …), WriteErrors)`), so a
//! generator knows every answer it may get. `tests/it/openapi.rs` checks that every
//! operation carries the statuses its shape implies.

use crate::error::ErrorBody;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response};

/// Every documented error status, with what it means for a caller.
const STATUSES: &[(u16, &str)] = &[
    (
        400,
        "Malformed request: a parameter or body that cannot be read (WE0400).",
    ),
    (
        401,
        "No valid session or `Authorization: Bearer` token (WE0401).",
    ),
    (
        403,
        "The caller's scope does not allow this (WE0403): a viewer writing, or an account that may manage none.",
    ),
    (
        404,
        "Not found, or outside the caller's scope (WE0404): the two are not told apart.",
    ),
    (
        409,
        "The record changed since the `version` sent was read (WE0409): read it again.",
    ),
    (413, "The upload is larger than the limit (WE0413)."),
    (
        422,
        "Input that breaks a rule; `fields` names each field with its code and message (WE0422, VLxxxx, STxxxx).",
    ),
];

/// The reusable responses, added to the document's components.
pub(super) fn components() -> Vec<(String, RefOr<Response>)> {
    STATUSES
        .iter()
        .map(|(code, text)| {
            let r = ResponseBuilder::new()
                .description(*text)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(RefOr::Ref(Ref::from_schema_name(ErrorBody::name()))))
                        .build(),
                )
                .build();
            (format!("E{code}"), RefOr::T(r))
        })
        .collect()
}

fn refs(codes: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    codes
        .iter()
        .map(|c| {
            (
                c.to_string(),
                RefOr::Ref(Ref::from_response_name(format!("E{c}"))),
            )
        })
        .collect()
}

macro_rules! error_sets {
    ($($(#[$doc:meta])* $name:ident => [$($code:literal),*];)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                refs(&[$($code),*])
            }
        }
    )*};
}

error_sets! {
    /// No parameter, no body: only the login can fail.
    AuthErrors => [401];
    /// Reads one object by its id.
    ReadErrors => [400, 401, 404];
    /// Reads with query parameters (dates, filters, ids of units that may be outside
    /// the scope).
    QueryErrors => [400, 401, 404, 422];
    /// Reads that only a manager (an administrator or an officer) may make.
    ManagerQueryErrors => [400, 401, 403, 404, 422];
    /// Reads with an option only an officer may use (`reveal=true` of personal data).
    RevealErrors => [400, 401, 403, 404, 422];
    /// An action without a body on an object (the scope may refuse it, a rule too:
    /// no one disables their own account).
    ActionErrors => [400, 401, 403, 404, 422];
    /// Writes with a body.
    WriteErrors => [400, 401, 403, 404, 422];
    /// Writes with a body naming the `version` read.
    VersionedWriteErrors => [400, 401, 403, 404, 409, 422];
    /// Public reads without a token (certificate verification): a malformed or
    /// unknown key only.
    PublicErrors => [400, 404];
    /// Uploads (multipart).
    UploadErrors => [400, 401, 403, 404, 413, 422];
}
