//! OAuth 2.0 access tokens on the Management API: `Authorization: Bearer <token>`, or
//! `Authorization: DPoP <token>` with a `DPoP` proof for DPoP-bound tokens. The token must be
//! one the org authorization server issued and still honours; the route's `okta.*` scope must
//! have been granted (else 403 with an `insufficient_scope` challenge and no body), and one of
//! the client's admin roles must cover the call (else 403 `E0000006`).

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::Value;

use crate::{
    base::clock,
    base::errors::OktaError,
    base::jose::dpop::{self, DpopError, Expect},
    base::jose::keys,
    pipeline::auth::Caller,
    pipeline::okta_scopes,
    pipeline::shared::Shared,
    store::oidc::ORG_ISSUER,
    store::Status,
};

pub const INSUFFICIENT: &str = "The access token provided does not contain the required scopes.";
pub const INVALID_TOKEN: &str = "The access token is invalid.";
pub const EXPIRED_TOKEN: &str = "The access token has expired.";
pub const DPOP_BOUND: &str = "The access token is DPoP-bound: use the DPoP authorization scheme.";
pub const NOT_DPOP_BOUND: &str = "The access token is not DPoP-bound.";

/// The request being authorised.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// The route's scope family.
    pub family: &'static str,
    pub headers: &'a HeaderMap,
    /// The org URL (`--public-url` or the bound address): issuer and challenge realm.
    pub org_url: &'a str,
    /// The URL as this request addressed the org (`Host`), which a DPoP `htu` may also use.
    pub host_url: &'a str,
}

/// Which scheme a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Dpop,
}

/// Reads `Bearer <token>` / `DPoP <token>`; `None` for any other header.
pub fn scheme(headers: &HeaderMap) -> Option<(Scheme, &str)> {
    let raw = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (s, token) = raw.split_once(' ')?;
    let token = token.trim();
    if s.eq_ignore_ascii_case("Bearer") {
        Some((Scheme::Bearer, token))
    } else if s.eq_ignore_ascii_case("DPoP") {
        Some((Scheme::Dpop, token))
    } else {
        None
    }
}

fn quote(s: &str) -> String {
    s.replace(['"', '\\'], "")
}

/// Okta's challenge: `Bearer …` or `DPoP algs="…", …`.
fn challenge(scheme: Scheme, org: &str, params: &[(&str, &str)]) -> String {
    let mut parts = Vec::new();
    if scheme == Scheme::Dpop {
        parts.push(format!("algs=\"{}\"", dpop::ALGS));
    }
    parts.push(format!("authorization_uri=\"{org}/oauth2/v1/authorize\""));
    parts.push(format!("realm=\"{org}\""));
    for (k, v) in params {
        parts.push(format!("{k}=\"{}\"", quote(v)));
    }
    let name = match scheme {
        Scheme::Bearer => "Bearer",
        Scheme::Dpop => "DPoP",
    };
    format!("{name} {}", parts.join(", "))
}

fn with_challenge(mut resp: Response, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// A refusal, boxed: responses are large.
pub type Denied = Box<Response>;

/// 401 `E0000011` with an `invalid_token` (or `invalid_dpop_proof`) challenge.
fn unauthorized(scheme: Scheme, org: &str, error: &str, description: &str) -> Denied {
    Box::new(with_challenge(
        OktaError::invalid_token().into_response(),
        &challenge(
            scheme,
            org,
            &[("error", error), ("error_description", description)],
        ),
    ))
}

/// Authenticates and authorises a Bearer/DPoP request.
pub fn authorize(shared: &Shared, req: &Request) -> Result<Caller, Denied> {
    let (scheme, token) = scheme(req.headers)
        .ok_or_else(|| Box::new(OktaError::invalid_session().into_response()))?;
    let org_url = req.org_url;
    let bad = |d: &str| unauthorized(scheme, org_url, "invalid_token", d);
    let now = clock::now();
    let (grant, roles) = shared.read(|org| {
        let claims = keys::verify(&org.org_keys, token).map_err(|_| bad(INVALID_TOKEN))?;
        let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
        if iss != org_url && iss != req.host_url {
            return Err(bad(INVALID_TOKEN));
        }
        if claims.get("exp").and_then(Value::as_i64).unwrap_or(0) <= now {
            return Err(bad(EXPIRED_TOKEN));
        }
        let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
        // Revoked, pruned or from another server (a user's token from /authorize has no
        // `okta.*` scopes, so only service tokens get further).
        let grant = org
            .oidc
            .access_tokens
            .iter()
            .find(|g| g.jti == jti && g.issuer == ORG_ISSUER && g.expires_at > now)
            .cloned()
            .ok_or_else(|| bad(INVALID_TOKEN))?;
        let app = org
            .apps
            .iter()
            .find(|a| a.client_id() == grant.client_id && a.status == Status::Active)
            .ok_or_else(|| bad(INVALID_TOKEN))?;
        Ok((grant, org.roles_of(&app.id)))
    })?;
    match (&grant.jkt, scheme) {
        (Some(jkt), Scheme::Dpop) => {
            let proof = req
                .headers
                .get("dpop")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    unauthorized(scheme, org_url, "invalid_dpop_proof", dpop::MISSING_PROOF)
                })?;
            let htu = [
                format!("{org_url}{}", req.path),
                format!("{}{}", req.host_url, req.path),
            ];
            let expect = Expect {
                htm: req.method,
                htu: &htu,
                nonce: false,
                access_token: Some(token),
            };
            let got = dpop::check(&shared.dpop, proof, &expect, now).map_err(|e| {
                let d = match e {
                    DpopError::UseNonce => dpop::USE_NONCE,
                    DpopError::Invalid(d) => d,
                };
                unauthorized(scheme, org_url, "invalid_dpop_proof", d)
            })?;
            if got != *jkt {
                return Err(unauthorized(
                    scheme,
                    org_url,
                    "invalid_dpop_proof",
                    "The DPoP proof key does not match the access token's key.",
                ));
            }
        }
        (Some(_), Scheme::Bearer) => return Err(bad(DPOP_BOUND)),
        (None, Scheme::Dpop) => return Err(bad(NOT_DPOP_BOUND)),
        (None, Scheme::Bearer) => {}
    }
    let need = okta_scopes::Need::new(req.family, req.method);
    if !need.satisfied_by(&grant.scopes) {
        let mut resp = StatusCode::FORBIDDEN.into_response();
        resp.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        return Err(Box::new(with_challenge(
            resp,
            &challenge(
                scheme,
                org_url,
                &[
                    ("scope", &need.scope()),
                    ("error", "insufficient_scope"),
                    ("error_description", INSUFFICIENT),
                    ("resource", req.path),
                ],
            ),
        )));
    }
    if !roles.iter().any(|r| okta_scopes::role_covers(r, &need)) {
        return Err(Box::new(OktaError::forbidden().into_response()));
    }
    Ok(Caller {
        token_id: grant.jti.clone(),
        user_id: String::new(),
        client_id: Some(grant.client_id.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_okta_shaped() {
        assert_eq!(
            challenge(
                Scheme::Bearer,
                "http://h",
                &[
                    ("scope", "okta.groups.read"),
                    ("error", "insufficient_scope"),
                    ("error_description", INSUFFICIENT),
                    ("resource", "/api/v1/groups"),
                ]
            ),
            "Bearer authorization_uri=\"http://h/oauth2/v1/authorize\", realm=\"http://h\", scope=\"okta.groups.read\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", resource=\"/api/v1/groups\""
        );
        assert!(challenge(Scheme::Dpop, "http://h", &[])
            .starts_with("DPoP algs=\"RS256 RS384 RS512 ES256 ES384 ES512\", authorization_uri="));
    }

    #[test]
    fn schemes_are_read_case_insensitively() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(scheme(&h), Some((Scheme::Bearer, "abc")));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("DPoP xyz"));
        assert_eq!(scheme(&h), Some((Scheme::Dpop, "xyz")));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("SSWS xyz"));
        assert_eq!(scheme(&h), None);
    }
}
