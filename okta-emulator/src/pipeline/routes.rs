//! The one declaration of a route: its path, who may call it (and with which `okta.*` scope
//! family), the rate-limit bucket it counts against, and its handlers. Each API family lists
//! its routes in its own table; the server builds the router from those tables and the pipeline
//! reads its bucket and scope decisions from them ([`RouteIndex`]), so a route is never
//! described twice.

use std::sync::Arc;

use axum::routing::MethodRouter;

use super::{okta_scopes, ratelimit, Shared};

/// Handlers of one path, by method.
pub type Handlers = MethodRouter<Arc<Shared>>;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No API token: org metadata, primary authentication and the OIDC endpoints, which
    /// authenticate clients and users themselves.
    Public,
    /// The Management API: an SSWS token, or an OAuth access token holding
    /// `okta.<family>.read|manage`.
    Api(&'static str),
    /// Okta's private API (the Admin Console's): SSWS tokens and sessions, but no OAuth access
    /// token, whatever its scopes (403 `E0000005`, okta/terraform-provider-okta#568, #1253,
    /// #1906), so it has no scope family.
    Internal,
}

/// One route of an API family's table.
pub struct Route {
    /// axum's path syntax: `{name}` matches one segment.
    pub path: String,
    pub access: Access,
    /// One of [`ratelimit::BUCKETS`] or [`ratelimit::DEFAULT_BUCKET`].
    pub bucket: &'static str,
    pub handlers: Handlers,
}

impl Route {
    /// A Management API route whose OAuth callers need the `family` scopes.
    pub fn api(
        path: impl Into<String>,
        family: &'static str,
        bucket: &'static str,
        handlers: Handlers,
    ) -> Route {
        Route::new(path, Access::Api(family), bucket, handlers)
    }

    /// A route of Okta's private API (SSWS only).
    pub fn internal(path: impl Into<String>, bucket: &'static str, handlers: Handlers) -> Route {
        Route::new(path, Access::Internal, bucket, handlers)
    }

    /// A route that needs no API token.
    pub fn public(path: impl Into<String>, bucket: &'static str, handlers: Handlers) -> Route {
        Route::new(path, Access::Public, bucket, handlers)
    }

    fn new(
        path: impl Into<String>,
        access: Access,
        bucket: &'static str,
        handlers: Handlers,
    ) -> Route {
        Route {
            path: path.into(),
            access,
            bucket,
            handlers,
        }
    }
}

/// The routes without their handlers, matched by path before routing: the pipeline counts,
/// throttles and authenticates a request before axum picks its handler.
#[derive(Debug, Default)]
pub struct RouteIndex {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    path: String,
    access: Access,
    bucket: &'static str,
}

/// What the pipeline decides from a request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub access: Access,
    pub bucket: &'static str,
}

impl RouteIndex {
    pub fn new(routes: &[Route]) -> RouteIndex {
        RouteIndex {
            entries: routes
                .iter()
                .map(|r| Entry {
                    path: r.path.clone(),
                    access: r.access,
                    bucket: r.bucket,
                })
                .collect(),
        }
    }

    /// The declared route `path` addresses, if any. Like axum, a literal segment wins over a
    /// `{param}` one (`/api/v1/users/me` over `/api/v1/users/{user_id}`).
    pub fn route(&self, path: &str) -> Option<Decision> {
        self.entries
            .iter()
            .filter_map(|e| literal_segments(&e.path, path).map(|n| (n, e)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, e)| Decision {
                access: e.access,
                bucket: e.bucket,
            })
    }

    /// The bucket and access of any path. Paths no route declares (answered 404 or 501 after
    /// the pipeline) are still counted, throttled and authenticated as Okta would: by the
    /// bucket prefix and the scope family of the API they fall under.
    pub fn decide(&self, path: &str) -> Decision {
        self.route(path).unwrap_or_else(|| Decision {
            access: unmatched_access(path),
            bucket: ratelimit::bucket_by_prefix(path),
        })
    }

    /// Every declared path template with its access and bucket.
    #[cfg(test)]
    pub fn entries(&self) -> impl Iterator<Item = (&str, Access, &'static str)> {
        self.entries
            .iter()
            .map(|e| (e.path.as_str(), e.access, e.bucket))
    }
}

/// Number of literal segments when `template` matches `path`, else `None`.
fn literal_segments(template: &str, path: &str) -> Option<usize> {
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut literal = 0;
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(literal),
            (Some(ts), Some(ps)) if ts.starts_with('{') && ts.ends_with('}') => {
                if ps.is_empty() {
                    return None;
                }
            }
            (Some(ts), Some(ps)) if ts == ps => literal += 1,
            _ => return None,
        }
    }
}

/// Okta's private API, which refuses OAuth access tokens.
const INTERNAL_PREFIX: &str = "/api/v1/internal/";
/// Okta's client API (client roles) sits under `/oauth2/` but is a Management API.
const CLIENTS_PREFIX: &str = "/oauth2/v1/clients/";

/// Access of a path no route declares: org metadata, primary authentication and the OIDC
/// endpoints are public in Okta; everything else needs a token, of the family Okta files it under.
fn unmatched_access(path: &str) -> Access {
    if path.starts_with("/.well-known/")
        || path == "/api/v1/authn"
        || (path.starts_with("/oauth2/") && !path.starts_with(CLIENTS_PREFIX))
    {
        return Access::Public;
    }
    if path.starts_with(INTERNAL_PREFIX) {
        Access::Internal
    } else {
        Access::Api(okta_scopes::family_by_prefix(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    fn index() -> RouteIndex {
        let h = || get(|| async {});
        RouteIndex::new(&[
            Route::api("/api/v1/users/{user_id}", "users", ratelimit::USERS, h()),
            Route::api("/api/v1/users/me", "orgs", ratelimit::DEFAULT_BUCKET, h()),
            Route::public("/oauth2/{as}/v1/keys", ratelimit::OAUTH2, h()),
        ])
    }

    #[test]
    fn templates_match_one_segment_per_param_and_literals_win() {
        let i = index();
        assert_eq!(
            i.route("/api/v1/users/00u1").unwrap().access,
            Access::Api("users")
        );
        assert_eq!(
            i.route("/api/v1/users/me").unwrap().access,
            Access::Api("orgs")
        );
        assert_eq!(i.route("/api/v1/users/"), None);
        assert_eq!(i.route("/api/v1/users/a/b"), None);
        assert_eq!(
            i.route("/oauth2/default/v1/keys").unwrap().access,
            Access::Public
        );
    }

    #[test]
    fn undeclared_paths_keep_okta_buckets_and_families() {
        let i = index();
        let d = i.decide("/api/v1/users/00u1/factors");
        assert_eq!(
            d,
            Decision {
                access: Access::Api("users"),
                bucket: ratelimit::USERS
            }
        );
        let d = i.decide("/api/v1/internal/apps/0oa1/nope");
        assert_eq!(d.access, Access::Internal);
        assert_eq!(d.bucket, ratelimit::DEFAULT_BUCKET);
        assert_eq!(i.decide("/oauth2/v1/nope").access, Access::Public);
        assert_eq!(
            i.decide("/oauth2/v1/clients/c1").access,
            Access::Api("clients")
        );
        assert_eq!(i.decide("/.well-known/nope").access, Access::Public);
        assert_eq!(
            i.decide("/api/v1/zones").access,
            Access::Api("networkZones")
        );
    }
}
