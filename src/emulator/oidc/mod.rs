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
mod client_auth;
mod discovery;
mod errors;
pub mod grants;
mod keys;
mod logout;
mod policy;
mod revoke;
mod session;
mod token;
mod userinfo;

use std::sync::Arc;

use axum::{
    extract::FromRequestParts,
    http::request::Parts,
    routing::{get, post},
    Router,
};

use super::{
    authz_state::{AuthClaim, AuthPolicy, AuthScope, AuthServer, PolicyRule, SigningKey},
    clock,
    errors::{ApiResult, OktaError},
    http::BoundBase,
    ids,
    server::Shared,
    state::{Org, Status},
};
use grants::ORG_ISSUER;

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
    if *sel == IssuerSel::Custom("default".into())
        && !shared.read(|org| org.auth_servers.iter().any(|s| s.is_default))
    {
        shared.write(|org| {
            ensure_default_server(org, clock::now());
            Ok(())
        })?;
    }
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

/// Creates the built-in `default` custom server if the org has none: system scopes, the
/// always-included identity claims, and an allow-all access policy ("Default Policy" for
/// `ALL_CLIENTS`, rule for `EVERYONE`, scopes `*`). Returns whether it was created.
///
/// A stop-gap for the OIDC endpoints until the authorization-servers Management API seeds
/// `default` itself; with that seeding in place this never fires.
pub fn ensure_default_server(org: &mut Org, now: i64) -> bool {
    if org.auth_servers.iter().any(|s| s.is_default) {
        return false;
    }
    let scopes = [
        "openid",
        "profile",
        "email",
        "address",
        "phone",
        "offline_access",
        "device_sso",
    ]
    .iter()
    .map(|name| AuthScope {
        id: ids::object_id("scp"),
        name: name.to_string(),
        description: None,
        display_name: None,
        system: true,
        metadata_publish: "ALL_CLIENTS".into(),
        consent: "IMPLICIT".into(),
        default: false,
        optional: false,
    })
    .collect();
    let claims = [
        ("email", "email"),
        ("name", "profile"),
        ("preferred_username", "profile"),
    ]
    .iter()
    .map(|(name, scope)| AuthClaim {
        id: ids::object_id("ocl"),
        name: name.to_string(),
        status: Status::Active,
        claim_type: "IDENTITY".into(),
        value_type: "SYSTEM".into(),
        value: String::new(),
        group_filter_type: None,
        always_include_in_token: true,
        scopes: vec![scope.to_string()],
        system: true,
    })
    .collect();
    let rule = PolicyRule {
        id: ids::object_id("0pr"),
        name: "Default Policy Rule".into(),
        priority: 1,
        status: Status::Active,
        system: false,
        grant_types: [
            "implicit",
            "client_credentials",
            "authorization_code",
            "password",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        groups_include: vec!["EVERYONE".into()],
        users_include: vec![],
        users_exclude: vec![],
        scopes: vec!["*".into()],
        access_token_lifetime_minutes: 60,
        refresh_token_lifetime_minutes: 0,
        refresh_token_window_minutes: 10080,
        created: now,
        last_updated: now,
    };
    let policy = AuthPolicy {
        id: ids::object_id("00p"),
        name: "Default Policy".into(),
        description: "Default policy description".into(),
        priority: 1,
        status: Status::Active,
        system: false,
        clients: vec!["ALL_CLIENTS".into()],
        rules: vec![rule],
        created: now,
        last_updated: now,
    };
    let seq = org.next_seq();
    org.auth_servers.push(AuthServer {
        id: ids::object_id("aus"),
        seq,
        name: "default".into(),
        description: "Default Authorization Server for your Applications".into(),
        audiences: vec!["api://default".into()],
        issuer_mode: "DYNAMIC".into(),
        status: Status::Active,
        is_default: true,
        rotation_mode: "AUTO".into(),
        last_rotated: now,
        created: now,
        last_updated: now,
        keys: vec![],
        scopes,
        claims,
        policies: vec![policy],
    });
    true
}

/// The org URL: the emulator's bound base, so every issuer is stable whatever `Host` a client
/// used.
pub fn org_url(bound: &BoundBase) -> &str {
    bound.0.trim_end_matches('/')
}

/// All OIDC routes, org and custom servers alike.
pub fn routes() -> Router<Arc<Shared>> {
    let mut r = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(discovery::oauth_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server/oauth2/{as}",
            get(discovery::oauth_metadata),
        )
        .route(
            "/oauth2/{as}/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/oauth2/{as}/.well-known/oauth-authorization-server",
            get(discovery::oauth_metadata),
        );
    for base in ["/oauth2/v1", "/oauth2/{as}/v1"] {
        r = r
            .route(&format!("{base}/keys"), get(discovery::keys))
            .route(
                &format!("{base}/authorize"),
                get(authorize::authorize_get).post(authorize::authorize_post),
            )
            .route(&format!("{base}/token"), post(token::token))
            .route(
                &format!("{base}/userinfo"),
                get(userinfo::userinfo).post(userinfo::userinfo),
            )
            .route(&format!("{base}/revoke"), post(revoke::revoke))
            .route(&format!("{base}/introspect"), post(revoke::introspect))
            .route(
                &format!("{base}/logout"),
                get(logout::logout).post(logout::logout),
            );
    }
    r
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
    fn unknown_servers_are_404() {
        let org = Org::seed(None);
        let err = resolve(&org, &IssuerSel::Custom("nope".into()), "http://h").unwrap_err();
        assert_eq!(err.status.as_u16(), 404);
        assert_eq!(
            err.summary,
            "Not found: Resource not found: nope (AuthorizationServer)"
        );
        let mut org = org;
        assert!(ensure_default_server(&mut org, 1));
        assert!(!ensure_default_server(&mut org, 2));
        let d = resolve(&org, &IssuerSel::Custom("default".into()), "http://h").unwrap();
        assert_eq!(d.url, "http://h/oauth2/default");
        assert!(d.key.starts_with("aus"));
        assert_eq!(d.server.as_ref().unwrap().scopes.len(), 7);
        let org_issuer = resolve(&org, &IssuerSel::Org, "http://h").unwrap();
        assert_eq!(org_issuer.url, "http://h");
        assert_eq!(org_issuer.endpoints, "http://h/oauth2/v1");
    }
}
