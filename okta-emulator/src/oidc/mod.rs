//! The org as an OpenID Connect provider, like Okta: the org authorization server (issuer =
//! the org URL, endpoints `/oauth2/v1/*`) and every custom one (issuer `{org}/oauth2/{key}`,
//! endpoints `/oauth2/{key}/v1/*`, `default` addressed as `default`). Discovery, keys,
//! `/authorize` (sign-in with a `sessionToken`, a session cookie or a small form), `/token`
//! (authorization code with PKCE, refresh with STATIC/ROTATE rotation), `/userinfo`,
//! `/revoke`, `/introspect` and `/logout`. These endpoints need no API token.
//!
//! The checks, their order and Okta's exact error texts follow
//! `shared/reference/okta-oidc.md`; see docs/emulator.md "Sign users in".

mod authorize;
mod claims;
mod client_assertion;
mod client_auth;
mod discovery;
mod errors;
mod logout;
mod policy;
mod revoke;
mod session;
mod token;
mod userinfo;

use axum::{
    extract::FromRequestParts,
    http::request::Parts,
    routing::{get, post},
};

use crate::base::jose::keys;
use crate::store::oidc::ORG_ISSUER;
use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    pipeline::http::BoundBase,
    pipeline::{
        ratelimit::{DEFAULT_BUCKET, OAUTH2},
        routes::{Handlers, Route},
        shared::Shared,
    },
    store::authz::{AuthServer, SigningKey},
    store::{Org, Status},
};

/// Which authorization server a request addresses, read from its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuerSel {
    Org,
    /// The `{key}` of `/oauth2/{key}/…` (an `aus…` id or `default`).
    Custom(String),
}

impl IssuerSel {
    pub fn from_path(path: &str) -> IssuerSel {
        if let Some(rest) = path.strip_prefix("/.well-known/oauth-authorization-server/oauth2/") {
            return IssuerSel::Custom(rest.trim_end_matches('/').to_string());
        }
        match path.strip_prefix("/oauth2/") {
            Some(rest) => {
                let first = rest.split('/').next().unwrap_or("");
                if first == "v1" {
                    IssuerSel::Org
                } else {
                    IssuerSel::Custom(first.to_string())
                }
            }
            None => IssuerSel::Org,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IssuerSel {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IssuerSel::from_path(parts.uri.path()))
    }
}

/// A resolved, ACTIVE authorization server.
#[derive(Debug, Clone)]
pub struct Issuer {
    /// `org` or the custom server's `aus…` id: what grants are bound to.
    pub key: String,
    /// The `iss` value, byte for byte what discovery says.
    pub url: String,
    /// Where its endpoints live (`…/v1`).
    pub endpoints: String,
    /// The org URL (`registration_endpoint` stays under it).
    pub org_url: String,
    /// The custom server, if any.
    pub server: Option<AuthServer>,
}

impl Issuer {
    pub fn is_org(&self) -> bool {
        self.server.is_none()
    }

    /// Signing keys of this issuer in `org`.
    pub fn keys<'a>(&self, org: &'a Org) -> &'a [SigningKey] {
        signing_keys(org, &self.key)
    }
}

fn signing_keys<'a>(org: &'a Org, key: &str) -> &'a [SigningKey] {
    if key == ORG_ISSUER {
        &org.org_keys
    } else {
        org.auth_servers
            .iter()
            .find(|s| s.id == key)
            .map(|s| s.keys.as_slice())
            .unwrap_or(&[])
    }
}

fn signing_keys_mut<'a>(org: &'a mut Org, key: &str) -> Option<&'a mut Vec<SigningKey>> {
    if key == ORG_ISSUER {
        Some(&mut org.org_keys)
    } else {
        org.auth_servers
            .iter_mut()
            .find(|s| s.id == key)
            .map(|s| &mut s.keys)
    }
}

/// Okta's 404 for an unknown (or inactive) authorization server.
pub fn server_not_found(key: &str) -> OktaError {
    OktaError::not_found(key, "AuthorizationServer")
}

/// Resolves the addressed server; unknown or inactive custom servers are 404 `E0000007`.
pub fn resolve(org: &Org, sel: &IssuerSel, org_url: &str) -> ApiResult<Issuer> {
    match sel {
        IssuerSel::Org => Ok(Issuer {
            key: ORG_ISSUER.to_string(),
            url: org_url.to_string(),
            endpoints: format!("{org_url}/oauth2/v1"),
            org_url: org_url.to_string(),
            server: None,
        }),
        IssuerSel::Custom(k) => {
            let server = org
                .auth_servers
                .iter()
                .find(|s| s.path_key() == k)
                .filter(|s| s.status == Status::Active)
                .ok_or_else(|| server_not_found(k))?;
            let url = format!("{org_url}/oauth2/{}", server.path_key());
            Ok(Issuer {
                key: server.id.clone(),
                endpoints: format!("{url}/v1"),
                url,
                org_url: org_url.to_string(),
                server: Some(server.clone()),
            })
        }
    }
}

/// Resolves the server and makes sure it has an ACTIVE and a NEXT key (generated on first
/// use, outside the org lock since RSA key generation is slow).
pub fn resolve_with_keys(shared: &Shared, sel: &IssuerSel, org_url: &str) -> ApiResult<Issuer> {
    let (issuer, missing) = shared.read(|org| {
        let issuer = resolve(org, sel, org_url)?;
        let missing = keys::missing(issuer.keys(org));
        Ok::<_, OktaError>((issuer, missing))
    })?;
    if missing.is_empty() {
        return Ok(issuer);
    }
    let now = clock::now();
    let mut fresh = Vec::new();
    for status in missing {
        fresh.push(keys::generate(status, now).map_err(|e| {
            tracing::error!(error = %e, "signing key generation failed");
            OktaError::internal()
        })?);
    }
    shared.write(|org| {
        let set =
            signing_keys_mut(org, &issuer.key).ok_or_else(|| server_not_found(&issuer.key))?;
        for k in fresh {
            // Another request may have added one meanwhile.
            if !set.iter().any(|x| x.status == k.status) {
                set.push(k);
            }
        }
        Ok(())
    })?;
    Ok(issuer)
}

/// The org URL: the emulator's bound base, so every issuer is stable whatever `Host` a client
/// used.
pub fn org_url(bound: &BoundBase) -> &str {
    bound.0.trim_end_matches('/')
}

/// All OIDC routes, org and custom servers alike.
/// The OIDC endpoints of the org server (`/oauth2/v1/…`) and of every custom one
/// (`/oauth2/{as}/v1/…`), with their discovery documents; all public.
pub fn routes() -> Vec<Route> {
    let well_known = |path: &str, handlers: Handlers| Route::public(path, DEFAULT_BUCKET, handlers);
    let oauth2 = |path: String, handlers: Handlers| Route::public(path, OAUTH2, handlers);
    let mut routes = vec![
        well_known(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        ),
        well_known(
            "/.well-known/oauth-authorization-server",
            get(discovery::oauth_metadata),
        ),
        well_known(
            "/.well-known/oauth-authorization-server/oauth2/{as}",
            get(discovery::oauth_metadata),
        ),
        oauth2(
            "/oauth2/{as}/.well-known/openid-configuration".into(),
            get(discovery::openid_configuration),
        ),
        oauth2(
            "/oauth2/{as}/.well-known/oauth-authorization-server".into(),
            get(discovery::oauth_metadata),
        ),
    ];
    for base in ["/oauth2/v1", "/oauth2/{as}/v1"] {
        routes.extend([
            oauth2(format!("{base}/keys"), get(discovery::keys)),
            oauth2(
                format!("{base}/authorize"),
                get(authorize::authorize_get).post(authorize::authorize_post),
            ),
            oauth2(format!("{base}/token"), post(token::token)),
            oauth2(
                format!("{base}/userinfo"),
                get(userinfo::userinfo).post(userinfo::userinfo),
            ),
            oauth2(format!("{base}/revoke"), post(revoke::revoke)),
            oauth2(format!("{base}/introspect"), post(revoke::introspect)),
            oauth2(
                format!("{base}/logout"),
                get(logout::logout).post(logout::logout),
            ),
        ]);
    }
    routes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_from_path() {
        assert_eq!(IssuerSel::from_path("/oauth2/v1/token"), IssuerSel::Org);
        assert_eq!(
            IssuerSel::from_path("/.well-known/openid-configuration"),
            IssuerSel::Org
        );
        assert_eq!(
            IssuerSel::from_path("/oauth2/default/v1/keys"),
            IssuerSel::Custom("default".into())
        );
        assert_eq!(
            IssuerSel::from_path("/oauth2/aus1/.well-known/openid-configuration"),
            IssuerSel::Custom("aus1".into())
        );
        assert_eq!(
            IssuerSel::from_path("/.well-known/oauth-authorization-server/oauth2/default"),
            IssuerSel::Custom("default".into())
        );
    }

    #[test]
    fn unknown_servers_are_404_and_default_exists() {
        let org = Org::seed(None);
        let err = resolve(&org, &IssuerSel::Custom("nope".into()), "http://h").unwrap_err();
        assert_eq!(err.status.as_u16(), 404);
        assert_eq!(
            err.summary,
            "Not found: Resource not found: nope (AuthorizationServer)"
        );
        // A new org has the built-in `default` server.
        let d = resolve(&org, &IssuerSel::Custom("default".into()), "http://h").unwrap();
        assert_eq!(d.url, "http://h/oauth2/default");
        assert!(d.key.starts_with("aus"));
        assert_eq!(d.server.as_ref().unwrap().scopes.len(), 7);
        let org_issuer = resolve(&org, &IssuerSel::Org, "http://h").unwrap();
        assert_eq!(org_issuer.url, "http://h");
        assert_eq!(org_issuer.endpoints, "http://h/oauth2/v1");
    }
}
