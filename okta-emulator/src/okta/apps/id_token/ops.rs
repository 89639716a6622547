//! The ID-token setting on the org: read it, check a POST body, replace or clear it.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    okta::fields::check_group_filter,
    okta::fields::enum_field,
    store::authz::AppIdTokenClaim,
    store::{App, Org},
};

/// Okta's type word for an OIDC app in this endpoint's 404.
const APP_KIND: &str = "OAuth2AppInstance";
const ISSUER_MODES: &[&str] = &["ORG_URL", "CUSTOM_URL", "DYNAMIC"];

fn app_issuer_mode(app: &App) -> String {
    app.oauth_settings()
        .and_then(|s| s.get("issuer_mode"))
        .and_then(Value::as_str)
        .unwrap_or("ORG_URL")
        .to_string()
}

fn text<'a>(req: &'a Map<String, Value>, field: &str, causes: &mut Causes) -> &'a str {
    match req.get(field) {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s,
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            ""
        }
    }
}

/// Validates a POST body into the claim and the issuer mode; no claim clears it.
fn parse(req: &Map<String, Value>, app: &App) -> ApiResult<(Option<AppIdTokenClaim>, String)> {
    let mut causes = Causes::new();
    let issuer_mode = enum_field(
        req,
        "issuerMode",
        ISSUER_MODES,
        &app_issuer_mode(app),
        &mut causes,
    );
    let name = text(req, "name", &mut causes);
    let value = text(req, "value", &mut causes);
    let value_type = text(req, "valueType", &mut causes);
    let filter = text(req, "groupFilterType", &mut causes);
    if name.is_empty() && value.is_empty() {
        causes.into_result()?;
        return Ok((None, issuer_mode));
    }
    if name.trim().is_empty() {
        causes.push("name", "The field cannot be left blank.");
    }
    if value.is_empty() {
        causes.push("value", "The field cannot be left blank.");
    }
    let group_filter_type = match value_type {
        "GROUPS" => {
            if let Err((field, cause)) = check_group_filter(filter, value) {
                // The internal API names the filter in camelCase.
                let field = if field == "group_filter_type" {
                    "groupFilterType"
                } else {
                    field
                };
                causes.push(field, cause);
            }
            Some(filter.to_string())
        }
        "EXPRESSION" => None,
        _ => {
            causes.push(
                "valueType",
                "'valueType' must be one of the following values: [GROUPS, EXPRESSION]",
            );
            None
        }
    };
    causes.into_result()?;
    Ok((
        Some(AppIdTokenClaim {
            app_id: app.id.clone(),
            name: name.to_string(),
            value_type: value_type.to_string(),
            group_filter_type,
            value: value.to_string(),
            issuer_mode: issuer_mode.clone(),
        }),
        issuer_mode,
    ))
}

fn app<'a>(org: &'a Org, id: &str) -> ApiResult<&'a App> {
    org.app(id)
        .ok_or_else(|| OktaError::not_found(id, APP_KIND))
}

/// The app, its claim (if any) and the issuer mode in force.
pub fn get<'a>(
    org: &'a Org,
    app_id: &str,
) -> ApiResult<(&'a App, Option<&'a AppIdTokenClaim>, String)> {
    let a = app(org, app_id)?;
    let claim = org.app_id_token_claims.iter().find(|c| c.app_id == app_id);
    let mode = claim.map_or_else(|| app_issuer_mode(a), |c| c.issuer_mode.clone());
    Ok((a, claim, mode))
}

/// Replaces (or clears) the app's claim from a POST body; returns what was stored and the
/// issuer mode.
pub fn set(
    org: &mut Org,
    app_id: &str,
    req: &Map<String, Value>,
) -> ApiResult<(Option<AppIdTokenClaim>, String)> {
    let (claim, mode) = parse(req, app(org, app_id)?)?;
    org.app_id_token_claims.retain(|c| c.app_id != app_id);
    if let Some(c) = &claim {
        org.app_id_token_claims.push(c.clone());
    }
    Ok((claim, mode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::apps::id_token::render;
    use serde_json::json;

    fn app() -> App {
        App {
            id: "0oa1".into(),
            seq: 1,
            status: crate::store::Status::Active,
            created: 0,
            last_updated: 0,
            body: Map::new(),
            secrets: Vec::new(),
            groups: Vec::new(),
            access_policy: None,
        }
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn recorded_post_shapes() {
        let body = obj(json!({"valueType": "GROUPS", "groupFilterType": "REGEX",
                              "issuerMode": "ORG_URL", "name": "groups", "value": ".*"}));
        let (claim, mode) = parse(&body, &app()).ok().unwrap();
        assert_eq!(
            render::setting(claim.as_ref(), &mode, None, None).to_string(),
            r#"{"issuer":null,"orgUrl":null,"customUrl":null,"audience":null,"issuerMode":"ORG_URL","valueType":"GROUPS","name":"groups","groupFilterType":"REGEX","value":".*"}"#
        );
        let (cleared, _) = parse(
            &obj(json!({"name": "", "value": "", "valueType": "", "issuerMode": "ORG_URL"})),
            &app(),
        )
        .ok()
        .unwrap();
        assert!(cleared.is_none());
        let (expr, _) = parse(
            &obj(json!({"valueType": "EXPRESSION", "issuerMode": "ORG_URL", "name": "bb", "value": "aa"})),
            &app(),
        )
        .ok()
        .unwrap();
        assert_eq!(
            render::setting(expr.as_ref(), "ORG_URL", Some("http://h"), Some("0oa1")).to_string(),
            r#"{"issuer":"http://h","orgUrl":null,"customUrl":null,"audience":"0oa1","issuerMode":"ORG_URL","valueType":"EXPRESSION","name":"bb","value":"aa"}"#
        );
    }

    #[test]
    fn bad_claims_are_refused() {
        let causes = |v: Value| parse(&obj(v), &app()).err().unwrap().causes;
        assert_eq!(
            causes(
                json!({"name": "groups", "value": "([", "valueType": "GROUPS", "groupFilterType": "REGEX"})
            ),
            ["value: The regular expression is not valid."]
        );
        assert!(causes(
            json!({"name": "g", "value": "a", "valueType": "GROUPS", "groupFilterType": "LIKE"})
        )[0]
        .starts_with("groupFilterType:"));
        assert!(
            causes(json!({"name": "g", "value": "a", "valueType": "X"}))[0]
                .starts_with("valueType:")
        );
        assert!(causes(json!({"name": "g", "valueType": "EXPRESSION"}))[0].starts_with("value:"));
    }

    #[test]
    fn set_replaces_then_clears() {
        let mut org = Org::seed(None);
        org.apps.push(app());
        let body = obj(json!({"valueType": "EXPRESSION", "name": "n", "value": "v"}));
        set(&mut org, "0oa1", &body).unwrap();
        assert_eq!(get(&org, "0oa1").unwrap().1.unwrap().name, "n");
        set(&mut org, "0oa1", &Map::new()).unwrap();
        assert!(get(&org, "0oa1").unwrap().1.is_none());
        assert_eq!(
            set(&mut org, "0oaNope", &body).unwrap_err().summary,
            "Not found: Resource not found: 0oaNope (OAuth2AppInstance)"
        );
    }
}
