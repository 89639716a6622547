//! API tokens as operations on the org, and the checks on an update body.

use serde_json::{json, Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    okta::fields,
    store::{ApiToken, Org},
};

const TOKEN_KIND: &str = "ApiToken";

/// What an update changes; `None` leaves the field as it is.
pub struct TokenChanges {
    name: Option<String>,
    network: Option<Value>,
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

/// Reads the name and network condition of an update body. Read-only fields (`clientName`,
/// `created`, `userId`) are ignored, as in Okta. Checked before the token is looked up, so a
/// bad body is 400 even for an unknown token.
pub fn changes_from(req: &Map<String, Value>) -> ApiResult<TokenChanges> {
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
    Ok(TokenChanges { name, network })
}

/// The token with this id, or Okta's 404.
pub fn find<'a>(org: &'a Org, id: &str) -> ApiResult<&'a ApiToken> {
    org.token(id)
        .ok_or_else(|| OktaError::not_found(id, TOKEN_KIND))
}

/// Applies `changes` (an upsert of name and network condition).
pub fn update<'a>(
    org: &'a mut Org,
    id: &str,
    changes: TokenChanges,
    now: i64,
) -> ApiResult<&'a ApiToken> {
    let t = org
        .token_mut(id)
        .ok_or_else(|| OktaError::not_found(id, TOKEN_KIND))?;
    if let Some(n) = changes.name {
        t.name = n;
    }
    if let Some(n) = changes.network {
        t.network = n;
    }
    t.last_updated = now;
    Ok(t)
}

/// Revokes (deletes) the token, or 404.
pub fn revoke(org: &mut Org, id: &str) -> ApiResult<()> {
    let pos = org
        .tokens
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| OktaError::not_found(id, TOKEN_KIND))?;
    org.tokens.remove(pos);
    Ok(())
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

    #[test]
    fn update_and_revoke() {
        let mut org = Org::seed(Some("secret"));
        let id = org.tokens[0].id.clone();
        let body = json!({"name": "ci", "network": {"connection": "ANYWHERE"}});
        let changes = changes_from(body.as_object().unwrap()).unwrap();
        let t = update(&mut org, &id, changes, 42).unwrap();
        assert_eq!((t.name.as_str(), t.last_updated), ("ci", 42));
        let blank = json!({"name": " "});
        assert_eq!(
            changes_from(blank.as_object().unwrap())
                .map(|_| ())
                .unwrap_err()
                .code,
            "E0000001"
        );
        revoke(&mut org, &id).unwrap();
        assert_eq!(find(&org, &id).unwrap_err().code, "E0000007");
        assert_eq!(revoke(&mut org, &id).unwrap_err().code, "E0000007");
    }
}
