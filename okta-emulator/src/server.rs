//! The axum router: every family's routes, the admin API and the Okta-style fallbacks, inside
//! the request pipeline.

use std::sync::Arc;

use axum::{
    http::{Method, StatusCode, Uri},
    middleware,
    response::{IntoResponse, Response},
    Extension, Router,
};
use serde_json::json;

use crate::{
    admin,
    base::errors::OktaError,
    oidc, okta,
    pipeline::{
        self,
        http::BoundBase,
        routes::{Route, RouteIndex},
        Shared,
    },
};

/// Every Okta route, family by family: the one list the router and the pipeline read.
pub fn okta_routes() -> Vec<Route> {
    [
        okta::apps::routes(),
        okta::groups::routes(),
        okta::users::routes(),
        okta::api_tokens::routes(),
        okta::authz::routes(),
        okta::org::routes(),
        okta::policies::routes(),
        oidc::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The complete router: Okta API, admin endpoints, Okta-style fallbacks, and the request
/// pipeline (log, latency, rate limit, faults, auth) around all of it.
pub fn router(shared: Arc<Shared>, bound_base: String) -> Router {
    let routes = okta_routes();
    let index = Arc::new(RouteIndex::new(&routes));
    let okta = routes.into_iter().fold(Router::new(), |r, route| {
        r.route(&route.path, route.handlers)
    });
    let admin = admin::router();
    okta.merge(admin)
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            (shared.clone(), index),
            pipeline::pipeline,
        ))
        .layer(Extension(BoundBase(bound_base)))
        .with_state(shared)
}

async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/__emulator") {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(
                json!({"error": format!("no admin endpoint {method} {path}; see GET /__emulator")}),
            ),
        )
            .into_response();
    }
    if path.starts_with("/api/")
        || path.starts_with("/oauth2/")
        || path.starts_with("/.well-known/")
    {
        return OktaError::unsupported(format!("okta-emulator does not implement {method} {path}"))
            .into_response();
    }
    OktaError::not_found(path, "Route").into_response()
}

async fn method_not_allowed() -> Response {
    OktaError::method_not_allowed().into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::routes::Decision;

    /// A path a template matches: every `{param}` becomes `x1`.
    fn concrete(template: &str) -> String {
        template
            .split('/')
            .map(|s| if s.starts_with('{') { "x1" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Before routes declared their bucket and scope family, the pipeline derived both from the
    /// path alone; those prefix rules still serve undeclared paths. Every declaration must agree
    /// with them, so declaring changed nothing a client can see.
    #[test]
    fn declared_routes_agree_with_the_prefix_rules() {
        let routes = okta_routes();
        let index = RouteIndex::new(&routes);
        let undeclared = RouteIndex::default();
        assert!(routes.len() > 60);
        for (template, access, bucket) in index.entries() {
            let path = concrete(template);
            assert_eq!(
                undeclared.decide(&path),
                Decision { access, bucket },
                "{template}"
            );
            assert_eq!(
                index.decide(&path),
                Decision { access, bucket },
                "{template}"
            );
        }
    }
}
