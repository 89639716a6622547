//! A client's role assignment as Okta returns it.

use serde_json::{json, Value};

use crate::{
    base::clock,
    pipeline::okta_scopes,
    store::{App, ClientRole},
};

pub fn role(r: &ClientRole, app: &App, base: &str) -> Value {
    json!({
        "id": r.id,
        "label": okta_scopes::role_label(&r.role_type).unwrap_or_default(),
        "type": r.role_type,
        "status": "ACTIVE",
        "created": clock::okta_ts(r.created),
        "lastUpdated": clock::okta_ts(r.last_updated),
        "assignmentType": "CLIENT",
        "_links": {
            "assignee": {"href": format!("{base}/oauth2/v1/clients/{}", app.client_id())},
        },
    })
}
