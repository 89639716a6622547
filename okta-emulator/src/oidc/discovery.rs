//! Discovery (`openid-configuration`, `oauth-authorization-server`) and `/keys`, with exactly
//! the members Okta publishes, in Okta's order.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::Response,
    Extension,
};
use serde_json::{json, Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    pipeline::http::{self, BoundBase},
    pipeline::shared::Shared,
};
use crate::{
    base::jose::keys,
    oidc::{org_url, resolve_with_keys, Issuer, IssuerSel},
};

/// Scopes every custom server publishes first (its system scopes).
const SYSTEM_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
    "device_sso",
];
const ORG_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
    "groups",
];
const AUTH_METHODS: &[&str] = &[
    "client_secret_basic",
    "client_secret_post",
    "client_secret_jwt",
    "private_key_jwt",
    "none",
];
const OIDC_CLAIMS: &[&str] = &[
    "iss",
    "ver",
    "sub",
    "aud",
    "iat",
    "exp",
    "jti",
    "auth_time",
    "amr",
    "idp",
    "nonce",
    "name",
    "nickname",
    "preferred_username",
    "given_name",
    "middle_name",
    "family_name",
    "email",
    "email_verified",
    "profile",
    "zoneinfo",
    "locale",
    "address",
    "phone_number",
    "picture",
    "website",
    "gender",
    "birthdate",
    "updated_at",
    "at_hash",
    "c_hash",
];
const OAUTH_CLAIMS: &[&str] = &[
    "ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "sub",
];
const REQUEST_OBJECT_ALGS: &[&str] = &[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
];
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Grant types the server advertises (and accepts at `/token` as known types).
pub fn grant_types(issuer: &Issuer, oauth_doc: bool) -> Vec<&'static str> {
    let mut g = vec![
        "authorization_code",
        "implicit",
        "refresh_token",
        "password",
    ];
    if oauth_doc {
        g.push("client_credentials");
    }
    if !issuer.is_org() {
        g.push(DEVICE_GRANT);
    }
    g
}

fn scopes_supported(issuer: &Issuer) -> Vec<String> {
    match &issuer.server {
        None => ORG_SCOPES.iter().map(|s| s.to_string()).collect(),
        Some(server) => {
            let mut out: Vec<String> = SYSTEM_SCOPES.iter().map(|s| s.to_string()).collect();
            for s in &server.scopes {
                if s.metadata_publish == "ALL_CLIENTS" && !out.contains(&s.name) {
                    out.push(s.name.clone());
                }
            }
            out
        }
    }
}

/// The discovery document; `oauth_doc` selects the OAuth 2.0 metadata variant.
pub fn document(issuer: &Issuer, oauth_doc: bool) -> Value {
    let e = &issuer.endpoints;
    let mut d = Map::new();
    let mut put = |k: &str, v: Value| {
        d.insert(k.to_string(), v);
    };
    put("issuer", json!(issuer.url));
    put("authorization_endpoint", json!(format!("{e}/authorize")));
    put("token_endpoint", json!(format!("{e}/token")));
    if !oauth_doc {
        put("userinfo_endpoint", json!(format!("{e}/userinfo")));
    }
    put(
        "registration_endpoint",
        json!(format!("{}/oauth2/v1/clients", issuer.org_url)),
    );
    put("jwks_uri", json!(format!("{e}/keys")));
    let mut response_types = vec![
        "code",
        "id_token",
        "code id_token",
        "code token",
        "id_token token",
        "code id_token token",
    ];
    if oauth_doc {
        response_types.insert(2, "token");
    }
    put("response_types_supported", json!(response_types));
    put(
        "response_modes_supported",
        json!(["query", "fragment", "form_post", "okta_post_message"]),
    );
    put(
        "grant_types_supported",
        json!(grant_types(issuer, oauth_doc)),
    );
    if !oauth_doc {
        put("subject_types_supported", json!(["public"]));
        put("id_token_signing_alg_values_supported", json!(["RS256"]));
    }
    put("scopes_supported", json!(scopes_supported(issuer)));
    put("token_endpoint_auth_methods_supported", json!(AUTH_METHODS));
    put(
        "claims_supported",
        json!(if oauth_doc { OAUTH_CLAIMS } else { OIDC_CLAIMS }),
    );
    put("code_challenge_methods_supported", json!(["S256"]));
    put("introspection_endpoint", json!(format!("{e}/introspect")));
    put(
        "introspection_endpoint_auth_methods_supported",
        json!(AUTH_METHODS),
    );
    put("revocation_endpoint", json!(format!("{e}/revoke")));
    put(
        "revocation_endpoint_auth_methods_supported",
        json!(AUTH_METHODS),
    );
    put("end_session_endpoint", json!(format!("{e}/logout")));
    put("request_parameter_supported", json!(true));
    put(
        "request_object_signing_alg_values_supported",
        json!(REQUEST_OBJECT_ALGS),
    );
    if !issuer.is_org() {
        put(
            "device_authorization_endpoint",
            json!(format!("{e}/device/authorize")),
        );
    }
    Value::Object(d)
}

fn serve(s: &Shared, sel: &IssuerSel, bound: &BoundBase, oauth_doc: bool) -> ApiResult<Response> {
    let issuer = resolve_with_keys(s, sel, org_url(bound))?;
    Ok(http::ok(&document(&issuer, oauth_doc)))
}

pub async fn openid_configuration(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
) -> ApiResult<Response> {
    serve(&s, &sel, &bound, false)
}

pub async fn oauth_metadata(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
) -> ApiResult<Response> {
    serve(&s, &sel, &bound, true)
}

/// `GET …/v1/keys`: the issuer's ACTIVE and NEXT public keys.
pub async fn keys(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
) -> ApiResult<Response> {
    let issuer = resolve_with_keys(&s, &sel, org_url(&bound))?;
    let doc = s.read(|org| keys::jwks(issuer.keys(org))).map_err(|e| {
        tracing::error!(error = %e, "rendering the JWKS failed");
        OktaError::internal()
    })?;
    let mut resp = http::ok(&doc);
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=3600, must-revalidate"),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{oidc::resolve, store::Org};

    #[test]
    fn org_document_has_okta_members_in_order() {
        let org = Org::seed(None);
        let issuer = resolve(&org, &IssuerSel::Org, "https://x.okta.com").unwrap();
        let doc = document(&issuer, false);
        let keys: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "issuer",
                "authorization_endpoint",
                "token_endpoint",
                "userinfo_endpoint",
                "registration_endpoint",
                "jwks_uri",
                "response_types_supported",
                "response_modes_supported",
                "grant_types_supported",
                "subject_types_supported",
                "id_token_signing_alg_values_supported",
                "scopes_supported",
                "token_endpoint_auth_methods_supported",
                "claims_supported",
                "code_challenge_methods_supported",
                "introspection_endpoint",
                "introspection_endpoint_auth_methods_supported",
                "revocation_endpoint",
                "revocation_endpoint_auth_methods_supported",
                "end_session_endpoint",
                "request_parameter_supported",
                "request_object_signing_alg_values_supported"
            ]
        );
        assert_eq!(doc["issuer"], "https://x.okta.com");
        assert_eq!(doc["jwks_uri"], "https://x.okta.com/oauth2/v1/keys");
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        assert!(doc["scopes_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("groups")));
        let meta = document(&issuer, true);
        assert!(meta.get("userinfo_endpoint").is_none());
        assert_eq!(meta["response_types_supported"][2], "token");
        assert_eq!(meta["claims_supported"].as_array().unwrap().len(), 10);
    }
}
