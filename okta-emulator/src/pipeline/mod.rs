//! The request pipeline around every route.
//!
//! For Okta API paths: optional latency → rate-limit bucket count (429 `E0000047` when over) →
//! fault rules → auth (SSWS, or an OAuth access token with its scope and role checks) →
//! handler. The bucket and the kind of auth come from the route's declaration
//! ([`routes::Route`]). Every response gets `Date` and `X-Okta-Request-Id`; Okta API responses
//! also get the bucket's `X-Rate-Limit-*` headers. Every request, admin ones included, lands
//! in the request log.

pub mod api_oauth;
pub mod auth;
pub mod conn;
pub mod faults;
pub mod http;
pub mod okta_scopes;
pub mod ratelimit;
pub mod reqlog;
pub mod routes;
pub mod shared;

pub use shared::Shared;

use std::{
    sync::Arc,
    time::{Instant, SystemTime},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::base::{clock, errors::OktaError, ids};
use conn::ConnHandle;
use http::BoundBase;
use ratelimit::Decision;
use reqlog::LogEntry;
use routes::{Access, RouteIndex};

/// Path prefix of the emulator's own endpoints.
pub const ADMIN_PREFIX: &str = "/__emulator";

#[derive(Default)]
struct Trace {
    bucket: Option<&'static str>,
    token_id: Option<String>,
    fault: Option<String>,
    /// The connection was reset by a fault rule: the client never saw a status.
    reset: bool,
    /// A fault rule's own `X-Rate-Limit-Reset`, seconds from now.
    reset_seconds: Option<u32>,
}

/// The pipeline's state: the shared org and runtime, and the declared routes.
pub type PipelineState = (Arc<Shared>, Arc<RouteIndex>);

pub async fn pipeline(
    State((shared, routes)): State<PipelineState>,
    req: Request,
    next: Next,
) -> Response {
    // Real Okta finishes a request whose client has gone away (a create that timed out on the
    // client side still creates the app). Detached, a dropped connection cannot cancel the
    // handler half-way; the client simply never reads the answer.
    match tokio::spawn(process(shared, routes, req, next)).await {
        Ok(resp) => resp,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn process(
    shared: Arc<Shared>,
    routes: Arc<RouteIndex>,
    req: Request,
    next: Next,
) -> Response {
    let arrived = SystemTime::now();
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let mut trace = Trace::default();

    let is_admin = path == ADMIN_PREFIX || path.starts_with(&format!("{ADMIN_PREFIX}/"));
    let mut resp = if is_admin {
        next.run(req).await
    } else {
        okta_request(&shared, &routes, req, next, &mut trace).await
    };

    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(SystemTime::now())) {
        headers.insert(header::DATE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&ids::request_id()) {
        headers.insert("x-okta-request-id", v);
    }
    let status = if trace.reset {
        0
    } else {
        resp.status().as_u16()
    };
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(%method, %path, status, duration_ms, "request");
    shared.log.push(LogEntry {
        seq: 0,
        time: clock::log_ts(arrived),
        method: method.to_string(),
        path,
        query,
        status,
        duration_ms,
        bucket: trace.bucket.map(str::to_string),
        token_id: trace.token_id,
        fault: trace.fault,
    });
    resp
}

async fn okta_request(
    shared: &Shared,
    routes: &RouteIndex,
    req: Request,
    next: Next,
    trace: &mut Trace,
) -> Response {
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    let route = routes.decide(req.uri().path());
    trace.bucket = Some(route.bucket);
    let decision = shared.limiter.hit(route.bucket);
    let mut resp = limited_request(shared, route.access, req, next, trace, &decision).await;
    let mut decision = decision;
    if resp.status() == StatusCode::TOO_MANY_REQUESTS {
        decision.remaining = 0;
        if let Some(secs) = trace.reset_seconds {
            decision.reset = clock::now() + i64::from(secs);
        }
    }
    decision.apply(resp.headers_mut());
    resp
}

async fn limited_request(
    shared: &Shared,
    access: Access,
    mut req: Request,
    next: Next,
    trace: &mut Trace,
    decision: &Decision,
) -> Response {
    if !decision.allowed {
        return OktaError::rate_limited().into_response();
    }
    if let Some(rule) = shared.faults.take(req.method(), req.uri().path()) {
        trace.fault = Some(rule.id.clone());
        trace.reset_seconds = rule.reset_seconds;
        if rule.delay_ms > 0 {
            tokio::time::sleep(rule.delay()).await;
        }
        if rule.reset {
            trace.reset = true;
            match req.extensions().get::<ConnectInfo<ConnHandle>>() {
                Some(ConnectInfo(conn)) => conn.reset(),
                None => tracing::warn!("fault reset requested without connection info"),
            }
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        if let Some(err) = rule.error() {
            return err.into_response();
        }
    }
    let oauth = api_oauth::scheme(req.headers()).is_some();
    let family = match access {
        Access::Public => return next.run(req).await,
        Access::Internal if oauth => return OktaError::invalid_session().into_response(),
        Access::Internal => None,
        Access::Api(family) => Some(family),
    };
    let path = req.uri().path();
    if let Some(family) = family.filter(|_| oauth) {
        let org_url = req
            .extensions()
            .get::<BoundBase>()
            .map(|b| b.0.trim_end_matches('/').to_string())
            .unwrap_or_default();
        let host_url = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|h| format!("http://{h}"))
            .unwrap_or_else(|| org_url.clone());
        let method = req.method().to_string();
        let path = path.to_string();
        let outcome = api_oauth::authorize(
            shared,
            &api_oauth::Request {
                method: &method,
                path: &path,
                family,
                headers: req.headers(),
                org_url: &org_url,
                host_url: &host_url,
            },
        );
        return match outcome {
            Ok(caller) => {
                trace.token_id = Some(caller.token_id.clone());
                req.extensions_mut().insert(caller);
                next.run(req).await
            }
            Err(resp) => *resp,
        };
    }
    match auth::authenticate(shared, req.headers()) {
        Ok(caller) => {
            trace.token_id = Some(caller.token_id.clone());
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}
