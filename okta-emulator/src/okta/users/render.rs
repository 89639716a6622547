//! The users API's own answers (a user itself is `okta::objects::user`).

use serde_json::{json, Value};

/// The activation answer with `sendEmail=false`: the link the user would have been mailed.
pub fn activation(base: &str, token: &str) -> Value {
    json!({
        "activationUrl": format!("{base}/welcome/{token}"),
        "activationToken": token,
    })
}
