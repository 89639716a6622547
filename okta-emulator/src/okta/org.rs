//! `GET /.well-known/okta-organization`: public org metadata. Clients (the Okta Terraform
//! provider among them) read `pipeline` to tell Identity Engine (`idx`) from Classic (`v1`).
//!
//! One file: the only operation is reading the org id, so an `ops.rs` and a `handlers.rs`
//! would each hold one line; the rendering is kept apart as [`document`].

use std::sync::Arc;

use axum::{extract::State, response::Response, routing::get};
use serde_json::{json, Value};

use crate::{
    pipeline::http::{self, BaseUrl},
    pipeline::{ratelimit::DEFAULT_BUCKET, routes::Route, shared::Shared},
};

pub async fn well_known(State(s): State<Arc<Shared>>, BaseUrl(base): BaseUrl) -> Response {
    let org_id = s.read(|org| org.org_id.clone());
    http::ok(&document(&org_id, &base))
}

/// The org's metadata document; the settings are those of a fresh Identity Engine org.
fn document(org_id: &str, base: &str) -> Value {
    json!({
        "id": org_id,
        "cell": "op3",
        "_links": {"organization": {"href": base}},
        "pipeline": "idx",
        "settings": {
            "analyticsCollectionEnabled": false,
            "bugReportingEnabled": true,
            "omEnabled": false,
            "pssoEnabled": false,
            "desktopMFAEnabled": false,
            "itpEnabled": false
        }
    })
}

/// Org metadata (public, like Okta's).
pub fn routes() -> Vec<Route> {
    vec![Route::public(
        "/.well-known/okta-organization",
        DEFAULT_BUCKET,
        get(well_known),
    )]
}
