//! Objects Okta manages itself (system scopes and claims, the `default` server): they exist
//! on every org and cannot be deleted.

use axum::http::StatusCode;

use crate::base::errors::OktaError;

/// 403 for deleting `what`, one of the objects Okta manages itself.
pub fn system_object(what: &str) -> OktaError {
    OktaError::new(
        StatusCode::FORBIDDEN,
        "E0000006",
        "You do not have permission to perform the requested action",
    )
    .with_cause(format!("{what} cannot be deleted."))
}
