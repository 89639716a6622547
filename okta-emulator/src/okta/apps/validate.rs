//! The validation rules Okta applies to OIDC apps, with Okta's error wording where it is known
//! (see docs/emulator.md for which messages are verified and which are modelled).
//!
//! Every check appends `{field}: {message}` causes; the caller turns them into one
//! `400 E0000001 "Api validation failed: {first field}"`.

use serde_json::{Map, Value};

use crate::base::errors::Causes;
pub use crate::okta::fields::{check_bool, check_enum, string_list};

pub const AUTH_CODE: &str = "authorization_code";
pub const IMPLICIT: &str = "implicit";
pub const PASSWORD: &str = "password";
pub const REFRESH_TOKEN: &str = "refresh_token";
pub const CLIENT_CREDENTIALS: &str = "client_credentials";
pub const INTERACTION_CODE: &str = "interaction_code";
pub const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
pub const SAML2_BEARER: &str = "urn:ietf:params:oauth:grant-type:saml2-bearer";
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const CIBA: &str = "urn:openid:params:grant-type:ciba";
pub const OTP: &str = "urn:okta:params:oauth:grant-type:otp";
pub const OOB: &str = "urn:okta:params:oauth:grant-type:oob";
pub const MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
pub const MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";

const ALL_GRANTS: &[&str] = &[
    AUTH_CODE,
    IMPLICIT,
    PASSWORD,
    REFRESH_TOKEN,
    CLIENT_CREDENTIALS,
    INTERACTION_CODE,
    DEVICE_CODE,
    JWT_BEARER,
    SAML2_BEARER,
    TOKEN_EXCHANGE,
    CIBA,
    OTP,
    OOB,
    MFA_OTP,
    MFA_OOB,
];

pub const APP_TYPES: &[&str] = &["web", "native", "browser", "service"];
pub const AUTH_METHODS: &[&str] = &[
    "client_secret_basic",
    "client_secret_post",
    "client_secret_jwt",
    "private_key_jwt",
    "none",
];
pub const RESPONSE_TYPES: &[&str] = &["code", "token", "id_token"];

/// Grant types Okta allows per `application_type` (Okta's `/oauth2/v1/clients` table plus the
/// Identity Engine grants).
pub fn allowed_grants(app_type: &str) -> &'static [&'static str] {
    match app_type {
        "web" => &[
            AUTH_CODE,
            IMPLICIT,
            REFRESH_TOKEN,
            CLIENT_CREDENTIALS,
            SAML2_BEARER,
            TOKEN_EXCHANGE,
            JWT_BEARER,
            CIBA,
            INTERACTION_CODE,
            OTP,
            OOB,
            MFA_OTP,
            MFA_OOB,
        ],
        "native" => &[
            AUTH_CODE,
            IMPLICIT,
            PASSWORD,
            REFRESH_TOKEN,
            SAML2_BEARER,
            DEVICE_CODE,
            TOKEN_EXCHANGE,
            JWT_BEARER,
            INTERACTION_CODE,
            OTP,
            OOB,
            MFA_OTP,
            MFA_OOB,
        ],
        "browser" => &[
            AUTH_CODE,
            IMPLICIT,
            REFRESH_TOKEN,
            SAML2_BEARER,
            INTERACTION_CODE,
            OTP,
            OOB,
            MFA_OTP,
            MFA_OOB,
        ],
        "service" => &[CLIENT_CREDENTIALS, SAML2_BEARER, JWT_BEARER, TOKEN_EXCHANGE],
        _ => &[],
    }
}

/// Auth methods that authenticate with a client secret (and so get one generated).
pub fn uses_secret(method: &str) -> bool {
    matches!(
        method,
        "client_secret_basic" | "client_secret_post" | "client_secret_jwt"
    )
}

/// Redirect-style URI rules: absolute, no fragment, wildcards only as Okta's SUBDOMAIN mode
/// allows (one `*`, in the left-most host label, at least two labels to its right, https).
pub fn check_redirect_uris(causes: &mut Causes, field: &str, uris: &[String], wildcard: bool) {
    for uri in uris {
        if let Some(msg) = redirect_uri_problem(field, uri, wildcard) {
            causes.push(field, msg);
            return;
        }
    }
}

fn redirect_uri_problem(field: &str, uri: &str, wildcard: bool) -> Option<String> {
    let parsed = match url::Url::parse(uri) {
        Ok(u) => u,
        Err(_) => return Some(format!("'{field}' must be an absolute URI.")),
    };
    if parsed.fragment().is_some() || uri.contains('#') {
        return Some(format!("'{field}' must not contain a fragment identifier."));
    }
    if !uri.contains('*') {
        return None;
    }
    if !wildcard {
        return Some(format!(
            "'{field}' may only contain a wildcard when 'wildcard_redirect' is 'SUBDOMAIN'."
        ));
    }
    let invalid = || {
        Some(format!(
            "'{field}' contains an invalid wildcard redirect URI."
        ))
    };
    if uri.matches('*').count() != 1 || parsed.scheme() != "https" {
        return invalid();
    }
    // The wildcard must be in the host, in its left-most label.
    let host = match parsed.host_str() {
        Some(h) => h,
        None => return invalid(),
    };
    let labels: Vec<&str> = host.split('.').collect();
    if !labels[0].contains('*') || labels.len() < 3 || labels[1..].iter().any(|l| l.is_empty()) {
        return invalid();
    }
    None
}

/// An optional absolute URI (e.g. `initiate_login_uri`).
pub fn check_absolute_uri(causes: &mut Causes, field: &str, v: Option<&Value>) {
    match v {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if url::Url::parse(s).is_ok() => {}
        Some(_) => causes.push(field, format!("'{field}' must be an absolute URI.")),
    }
}

/// `client_id`: 6–100 characters of alphanumerics and `$-_.+!*'(),`, not `ALL_CLIENTS`.
pub fn check_client_id(causes: &mut Causes, id: &str) {
    let len = id.chars().count();
    if !(6..=100).contains(&len) {
        causes.push(
            "client_id",
            "'client_id' must be between 6 and 100 characters long.",
        );
    } else if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "$-_.+!*'(),".contains(c))
    {
        causes.push(
            "client_id",
            "'client_id' must only contain alphanumeric characters and $-_.+!*'(),",
        );
    } else if id == "ALL_CLIENTS" {
        causes.push("client_id", "'client_id' can't be 'ALL_CLIENTS'.");
    }
}

/// `jwks`: `{"keys": [...]}` of public RSA (≥ 2048 bits) or EC P-256 keys, each with a `kid`
/// unique in the set (Okta picks the verification key by `kid`).
pub fn check_jwks(causes: &mut Causes, jwks: Option<&Value>) {
    let Some(jwks) = jwks.filter(|j| !j.is_null()) else {
        return;
    };
    let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
        causes.push("jwks", "'jwks' must be an object with a 'keys' array.");
        return;
    };
    let mut kids = std::collections::BTreeSet::new();
    for k in keys {
        if crate::base::jose::jwk::PublicJwk::parse(k).is_err() {
            causes.push(
                "jwks",
                "Each key in 'jwks' must be a public RSA key of at least 2048 bits or a public EC key on P-256.",
            );
            return;
        }
        match k.get("kid").and_then(Value::as_str) {
            Some(kid) if !kid.is_empty() => {
                if !kids.insert(kid) {
                    causes.push("jwks", "The 'kid' of each key in 'jwks' must be unique.");
                    return;
                }
            }
            _ => {
                if keys.len() > 1 {
                    causes.push(
                        "jwks",
                        "Each key in 'jwks' needs a 'kid' when there is more than one key.",
                    );
                    return;
                }
            }
        }
    }
}

/// `client_secret`: 14–100 printable ASCII characters (at least 32 for `client_secret_jwt`,
/// forbidden with `private_key_jwt`). Messages are Okta's.
pub fn check_client_secret(causes: &mut Causes, secret: &str, method: &str) {
    let len = secret.chars().count();
    if method == "private_key_jwt" {
        causes.push(
            "client_secret",
            "'client_secret' can't be used when 'token_endpoint_auth_method' is 'private_key_jwt'.",
        );
    } else if !secret.chars().all(|c| (' '..='~').contains(&c)) {
        causes.push(
            "client_secret",
            "''client_secret'' must only contain printable ASCII: [x20-x7E]+",
        );
    } else if len > 100 {
        causes.push(
            "client_secret",
            "'client_secret' can't be more than '100' characters long.",
        );
    } else if method == "client_secret_jwt" && len < 32 {
        causes.push(
            "client_secret",
            "'client_secret' must be at least '32' characters long when 'token_endpoint_auth_method' is 'client_secret_jwt'.",
        );
    } else if len < 14 {
        causes.push(
            "client_secret",
            "'client_secret' must be at least '14' characters long.",
        );
    }
}

/// Grant type rules for an app type; `grants` must be non-empty already.
pub fn check_grants(causes: &mut Causes, app_type: &str, grants: &[String]) {
    let allowed = allowed_grants(app_type);
    for g in grants {
        if !ALL_GRANTS.contains(&g.as_str()) {
            causes.push("grant_types", format!("'{g}' is not a valid grant type."));
            return;
        }
        if !allowed.contains(&g.as_str()) {
            causes.push(
                "grant_types",
                format!("'{g}' is not a valid grant type for a '{app_type}' application."),
            );
            return;
        }
    }
    if matches!(app_type, "web" | "native") && !grants.iter().any(|g| g == AUTH_CODE) {
        causes.push(
            "grant_types",
            format!("'{AUTH_CODE}' is required for a '{app_type}' application."),
        );
    }
}

/// `refresh_token: {rotation_type: ROTATE|STATIC, leeway: 0..60}`. The enum error uses the
/// camelCase field name, as real Okta does.
pub fn check_refresh_token(causes: &mut Causes, v: Option<&Value>) {
    let obj = match v {
        None | Some(Value::Null) => return,
        Some(Value::Object(o)) => o,
        Some(_) => {
            causes.push("refresh_token", "The field has an invalid value");
            return;
        }
    };
    match obj.get("rotation_type") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "ROTATE" || s == "STATIC" => {}
        Some(_) => causes.push("rotationType", "The field has an invalid value"),
    }
    match obj.get("leeway") {
        None | Some(Value::Null) => {}
        Some(l) if l.as_i64().is_some_and(|n| (0..=60).contains(&n)) => {}
        Some(_) => causes.push("leeway", "'leeway' must be between 0 and 60."),
    }
}

/// `idp_initiated_login: {mode: DISABLED|SPEC|OKTA, default_scope: []}`; SPEC and OKTA need an
/// `initiate_login_uri`.
pub fn check_idp_initiated_login(causes: &mut Causes, oc: &Map<String, Value>) {
    let Some(v) = oc.get("idp_initiated_login").filter(|v| !v.is_null()) else {
        return;
    };
    let Some(obj) = v.as_object() else {
        causes.push("idp_initiated_login", "The field has an invalid value");
        return;
    };
    check_enum(
        causes,
        "idp_initiated_login.mode",
        obj.get("mode"),
        &["DISABLED", "SPEC", "OKTA"],
    );
    string_list(
        causes,
        "idp_initiated_login.default_scope",
        obj.get("default_scope"),
    );
    let mode = obj
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or("DISABLED");
    let has_login_uri = oc
        .get("initiate_login_uri")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    if mode != "DISABLED" && !has_login_uri {
        causes.push(
            "initiate_login_uri",
            format!(
                "'initiate_login_uri' is required when 'idp_initiated_login.mode' is '{mode}'."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn causes_of(f: impl FnOnce(&mut Causes)) -> Vec<String> {
        let mut c = Causes::new();
        f(&mut c);
        match c.into_result() {
            Ok(()) => vec![],
            Err(e) => e.causes,
        }
    }

    fn uris(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn redirect_uris_must_be_absolute_without_fragment() {
        assert!(causes_of(|c| check_redirect_uris(
            c,
            "redirect_uris",
            &uris(&[
                "https://a.example.com/cb",
                "http://d.com/",
                "com.example.app:/cb"
            ]),
            false
        ))
        .is_empty());
        assert_eq!(
            causes_of(|c| check_redirect_uris(c, "redirect_uris", &uris(&["/relative"]), false)),
            vec!["redirect_uris: 'redirect_uris' must be an absolute URI."]
        );
        assert_eq!(
            causes_of(|c| check_redirect_uris(
                c,
                "redirect_uris",
                &uris(&["https://a.com/cb#frag"]),
                false
            )),
            vec!["redirect_uris: 'redirect_uris' must not contain a fragment identifier."]
        );
    }

    #[test]
    fn wildcard_rules() {
        let ok = |u: &str, w: bool| {
            causes_of(|c| check_redirect_uris(c, "redirect_uris", &uris(&[u]), w)).is_empty()
        };
        assert!(ok("https://*.example.com/", true));
        assert!(ok("https://redirect-*-x.example.com/cb", true));
        assert!(!ok("https://*.example.com/", false));
        assert!(!ok("https://*.com/", true));
        assert!(!ok("http://*.example.com/", true));
        assert!(!ok("https://a.*.example.com/", true));
        assert!(!ok("https://*.*.example.com/", true));
        assert!(!ok("https://example.com/*", true));
    }

    #[test]
    fn grants_per_type() {
        let g = |v: &[&str]| uris(v);
        assert!(
            causes_of(|c| check_grants(c, "web", &g(&[AUTH_CODE, REFRESH_TOKEN, CIBA]))).is_empty()
        );
        assert_eq!(
            causes_of(|c| check_grants(c, "web", &g(&[IMPLICIT]))),
            vec!["grant_types: 'authorization_code' is required for a 'web' application."]
        );
        assert_eq!(
            causes_of(|c| check_grants(c, "browser", &g(&[CLIENT_CREDENTIALS]))),
            vec!["grant_types: 'client_credentials' is not a valid grant type for a 'browser' application."]
        );
        assert!(causes_of(|c| check_grants(c, "browser", &g(&[IMPLICIT]))).is_empty());
        assert!(causes_of(|c| check_grants(c, "service", &g(&[CLIENT_CREDENTIALS]))).is_empty());
        assert!(!causes_of(|c| check_grants(c, "service", &g(&[AUTH_CODE]))).is_empty());
        assert!(!causes_of(|c| check_grants(c, "web", &g(&["magic"]))).is_empty());
    }

    #[test]
    fn refresh_token_rules() {
        let rt = |v: Value| causes_of(|c| check_refresh_token(c, Some(&v)));
        assert!(rt(serde_json::json!({"rotation_type": "STATIC", "leeway": 0})).is_empty());
        assert!(rt(serde_json::json!({"rotation_type": "ROTATE", "leeway": 60})).is_empty());
        assert_eq!(
            rt(serde_json::json!({"rotation_type": "rotate"})),
            vec!["rotationType: The field has an invalid value"]
        );
        assert_eq!(
            rt(serde_json::json!({"rotation_type": "ROTATE", "leeway": 61})),
            vec!["leeway: 'leeway' must be between 0 and 60."]
        );
        assert!(!rt(serde_json::json!({"rotation_type": "ROTATE", "leeway": -1})).is_empty());
        assert!(!rt(serde_json::json!({"rotation_type": "ROTATE", "leeway": 1.5})).is_empty());
    }

    #[test]
    fn client_id_and_secret_rules() {
        assert!(causes_of(|c| check_client_id(c, "something_from_somewhere")).is_empty());
        assert!(!causes_of(|c| check_client_id(c, "short")).is_empty());
        assert!(!causes_of(|c| check_client_id(c, "has space in it")).is_empty());
        assert!(!causes_of(|c| check_client_id(c, &"x".repeat(101))).is_empty());
        assert!(!causes_of(|c| check_client_id(c, "ALL_CLIENTS")).is_empty());

        let s = |secret: &str, m: &str| causes_of(|c| check_client_secret(c, secret, m));
        assert!(s("secret_from_writeonly_attr", "client_secret_basic").is_empty());
        assert_eq!(
            s("too-short", "client_secret_basic"),
            vec!["client_secret: 'client_secret' must be at least '14' characters long."]
        );
        assert!(!s(&"x".repeat(101), "client_secret_post").is_empty());
        assert!(!s(&"x".repeat(20), "client_secret_jwt").is_empty());
        assert!(s(&"x".repeat(32), "client_secret_jwt").is_empty());
        assert!(!s(&"x".repeat(20), "private_key_jwt").is_empty());
        assert!(!s("tab\tinside-the-secret", "client_secret_basic").is_empty());
    }

    #[test]
    fn idp_initiated_login_needs_uri() {
        let check = |v: Value| causes_of(|c| check_idp_initiated_login(c, v.as_object().unwrap()));
        assert!(check(serde_json::json!({"idp_initiated_login": {"mode": "DISABLED"}})).is_empty());
        assert!(!check(serde_json::json!({"idp_initiated_login": {"mode": "SPEC"}})).is_empty());
        assert!(check(serde_json::json!({
            "idp_initiated_login": {"mode": "OKTA", "default_scope": ["openid"]},
            "initiate_login_uri": "https://a.example.com/login"
        }))
        .is_empty());
        assert!(!check(serde_json::json!({"idp_initiated_login": {"mode": "X"}})).is_empty());
    }

    #[test]
    fn enums() {
        assert_eq!(
            causes_of(|c| check_enum(
                c,
                "token_endpoint_auth_method",
                Some(&Value::from("magic")),
                AUTH_METHODS
            )),
            vec!["token_endpoint_auth_method: 'token_endpoint_auth_method' is invalid. Valid values: [client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, none]."]
        );
    }
}
