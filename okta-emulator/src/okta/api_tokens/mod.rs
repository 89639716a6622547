//! `/api/v1/api-tokens`: SSWS token metadata, network conditions and revocation. Okta has no
//! API to create tokens; the emulator mints them out of band (`--api-token`,
//! `POST /__emulator/tokens`).

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Response,
    routing::{delete, get},
    Extension,
};
use serde_json::{json, Map, Value};

use crate::{
    base::clock,
    base::errors::{ApiResult, Causes, OktaError},
    okta::fields,
    pipeline::auth::Caller,
    pipeline::http::{self, BaseUrl},
    pipeline::{ratelimit::API_TOKENS, routes::Route, shared::Shared},
    store::ApiToken,
};

const TOKEN_KIND: &str = "ApiToken";

pub fn render(t: &ApiToken, base: &str) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "userId": t.user_id,
        "clientName": t.client_name,
        "tokenWindow": "P30D",
        "network": t.network,
        "expiresAt": clock::okta_ts(t.expires_at()),
        "created": clock::okta_ts(t.created),
        "lastUpdated": clock::okta_ts(t.last_updated),
        "_links": {
            "self": {
                "href": format!("{base}/api/v1/api-tokens/{}", t.id),
                "hints": {"allow": ["GET", "DELETE"]}
            },
            "user": {
                "href": format!("{base}/api/v1/users/{}", t.user_id),
                "hints": {"allow": ["GET"]}
            }
        }
    })
}

/// Validates a `network` condition and returns it with only the keys Okta echoes.
fn network_from(v: &Value, causes: &mut Causes) -> Value {
    let Some(obj) = v.as_object() else {
        causes.push("network", "The field has an invalid value");
        return Value::Null;
    };
    fields::check_enum(
        causes,
        "network.connection",
        obj.get("connection"),
        &["ANYWHERE", "ZONE"],
    );
    let connection = obj
        .get("connection")
        .and_then(Value::as_str)
        .unwrap_or("ANYWHERE");
    let mut out = Map::new();
    out.insert("connection".into(), Value::from(connection));
    let mut zones = 0;
    for k in ["include", "exclude"] {
        if let Some(list) = fields::string_list(causes, &format!("network.{k}"), obj.get(k)) {
            zones += list.len();
            if !list.is_empty() {
                out.insert(k.into(), json!(list));
            }
        }
    }
    if connection == "ZONE" && zones == 0 {
        causes.push(
            "network",
            "'include' or 'exclude' is required when 'connection' is 'ZONE'.",
        );
    }
    if connection == "ANYWHERE" && zones > 0 {
        causes.push(
            "network",
            "'include' and 'exclude' are only allowed when 'connection' is 'ZONE'.",
        );
    }
    Value::Object(out)
}

pub async fn list(State(s): State<Arc<Shared>>, BaseUrl(base): BaseUrl) -> Response {
    let items = s.read(|org| org.tokens.iter().map(|t| render(t, &base)).collect());
    http::ok(&Value::Array(items))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        org.token(&id)
            .map(|t| render(t, &base))
            .ok_or_else(|| OktaError::not_found(&id, TOKEN_KIND))
    })?;
    Ok(http::ok(&rendered))
}

/// Upserts the name and network condition. Read-only fields in the body (`clientName`,
/// `created`, `userId`) are ignored, as in Okta.
pub async fn update(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let mut causes = Causes::new();
    let name = match req.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(n)) if !n.trim().is_empty() => Some(n.clone()),
        Some(_) => {
            causes.push("name", "The field cannot be left blank.");
            None
        }
    };
    let network = match req.get("network") {
        None | Some(Value::Null) => None,
        Some(n) => Some(network_from(n, &mut causes)),
    };
    causes.into_result()?;
    let rendered = s.write(|org| {
        let t = org
            .token_mut(&id)
            .ok_or_else(|| OktaError::not_found(&id, TOKEN_KIND))?;
        if let Some(n) = name {
            t.name = n;
        }
        if let Some(n) = network {
            t.network = n;
        }
        t.last_updated = clock::now();
        Ok(render(t, &base))
    })?;
    Ok(http::ok(&rendered))
}

fn revoke_id(s: &Shared, id: &str) -> ApiResult<Response> {
    s.write(|org| {
        let pos = org
            .tokens
            .iter()
            .position(|t| t.id == id)
            .ok_or_else(|| OktaError::not_found(id, TOKEN_KIND))?;
        org.tokens.remove(pos);
        Ok(())
    })?;
    Ok(http::no_content())
}

pub async fn revoke(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    revoke_id(&s, &id)
}

/// `DELETE /api/v1/api-tokens/current` revokes the token that made the request.
pub async fn revoke_current(
    State(s): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Response> {
    revoke_id(&s, &caller.token_id)
}

/// The API tokens API.
pub fn routes() -> Vec<Route> {
    vec![
        Route::api("/api/v1/api-tokens", "apiTokens", API_TOKENS, get(list)),
        Route::api(
            "/api/v1/api-tokens/current",
            "apiTokens",
            API_TOKENS,
            delete(revoke_current),
        ),
        Route::api(
            "/api/v1/api-tokens/{token_id}",
            "apiTokens",
            API_TOKENS,
            get(get_one).put(update).delete(revoke),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(v: Value) -> (Value, bool) {
        let mut c = Causes::new();
        let out = network_from(&v, &mut c);
        (out, c.is_empty())
    }

    #[test]
    fn network_conditions() {
        assert_eq!(
            net(json!({"connection": "ANYWHERE"})),
            (json!({"connection": "ANYWHERE"}), true)
        );
        assert_eq!(
            net(json!({"connection": "ZONE", "exclude": ["nzo1"], "include": []})),
            (json!({"connection": "ZONE", "exclude": ["nzo1"]}), true)
        );
        assert!(!net(json!({"connection": "ZONE"})).1);
        assert!(!net(json!({"connection": "SOMEWHERE"})).1);
        assert!(!net(json!({"connection": "ANYWHERE", "include": ["nzo1"]})).1);
        assert!(!net(json!("ZONE")).1);
    }
}
