//! Shared emulator state and the axum router.

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use axum::{
    http::{Method, StatusCode, Uri},
    middleware,
    response::{IntoResponse, Response},
    routing::{delete, get, post},
    Extension, Router,
};
use parking_lot::Mutex;
use serde_json::json;

use super::{
    admin, app_grants, app_users, apps, assignments, authn, authz_api, client_roles,
    errors::{ApiResult, OktaError},
    faults::FaultStore,
    groups,
    http::BoundBase,
    members,
    oidc::{self, dpop::DpopState},
    org,
    persist::Persister,
    pipeline,
    ratelimit::RateLimiter,
    reqlog::RequestLog,
    secrets,
    state::Org,
    tokens, users,
};

/// Okta's fixed access-token lifetime.
pub const DEFAULT_ACCESS_TOKEN_SECS: i64 = 3600;

/// Everything handlers share. The org sits behind one lock: writes are serialised, and each is
/// applied to a copy that replaces the live org only once it has been persisted, so a failed
/// validation or save never leaves a half-applied change.
pub struct Shared {
    org: Mutex<Org>,
    persister: Option<Persister>,
    /// `--api-token`, re-registered on reset.
    seed_token: Option<String>,
    pub limiter: RateLimiter,
    pub faults: FaultStore,
    pub log: RequestLog,
    pub latency: Duration,
    /// Lifetime of access tokens for Okta's APIs (`client_credentials`); Okta's is 1 h.
    pub access_token_secs: i64,
    /// `--user-token-lifetime-secs`: lifetime of the access and ID tokens `/token` gives users
    /// (authorization_code and refresh_token grants); `None` keeps Okta's.
    pub user_token_secs: Option<i64>,
    /// DPoP nonces and seen proofs (memory only).
    pub dpop: DpopState,
    /// Every API token value and client secret the org has held since this process started,
    /// including rotated-away and deleted ones: tests sweep it (`GET /__emulator/secrets`) to
    /// check that none of them reached a log. Memory only.
    issued: Mutex<BTreeSet<String>>,
}

impl Shared {
    pub fn new(
        org: Org,
        persister: Option<Persister>,
        seed_token: Option<String>,
        rate_limit: u32,
        latency: Duration,
    ) -> Self {
        let issued = Mutex::new(BTreeSet::new());
        note_issued(&mut issued.lock(), &org);
        Shared {
            issued,
            org: Mutex::new(org),
            persister,
            seed_token,
            limiter: RateLimiter::new(rate_limit),
            faults: FaultStore::default(),
            log: RequestLog::default(),
            latency,
            access_token_secs: DEFAULT_ACCESS_TOKEN_SECS,
            user_token_secs: None,
            dpop: DpopState::default(),
        }
    }

    /// Sets the lifetime of `client_credentials` access tokens (tests use short ones).
    pub fn with_access_token_secs(mut self, secs: i64) -> Self {
        self.access_token_secs = secs;
        self
    }

    /// Sets the lifetime of users' access and ID tokens from `/token` (tests use short ones).
    pub fn with_user_token_secs(mut self, secs: Option<i64>) -> Self {
        self.user_token_secs = secs;
        self
    }

    /// Runs `f` with read access to the org.
    pub fn read<R>(&self, f: impl FnOnce(&Org) -> R) -> R {
        f(&self.org.lock())
    }

    /// Applies `f` to a copy of the org, saves it (with `--state`), then publishes it. The
    /// response is built inside `f`, so it reflects exactly the state that was saved.
    pub fn write<R>(&self, f: impl FnOnce(&mut Org) -> ApiResult<R>) -> ApiResult<R> {
        let mut live = self.org.lock();
        let mut draft = live.clone();
        let out = f(&mut draft)?;
        if let Some(p) = &self.persister {
            if let Err(e) = p.save(&draft) {
                tracing::error!(error = %e, "saving state failed; change discarded");
                return Err(OktaError::internal());
            }
        }
        note_issued(&mut self.issued.lock(), &draft);
        *live = draft;
        Ok(out)
    }

    /// See [`Shared::issued`]; sorted.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.issued.lock().iter().cloned().collect()
    }

    /// In-memory bookkeeping that need not be durable (token last use). It is saved with the
    /// next write.
    pub fn touch(&self, f: impl FnOnce(&mut Org)) {
        f(&mut self.org.lock());
    }

    /// A copy of the live org (the fuzzing harness keeps one as its fixture).
    pub(crate) fn snapshot(&self) -> Org {
        self.org.lock().clone()
    }

    /// Replaces the live org wholesale, without saving (the fuzzing harness restores its
    /// fixture before every input).
    pub(crate) fn replace_org(&self, org: Org) {
        *self.org.lock() = org;
    }

    /// Wipes the org back to its seeded state and forgets fault rules and rate-limit windows.
    pub fn reset(&self) -> ApiResult<()> {
        let seed = self.seed_token.clone();
        self.write(|org| {
            *org = Org::seed(seed.as_deref());
            Ok(())
        })?;
        self.faults.clear();
        self.limiter.clear();
        Ok(())
    }
}

fn note_issued(issued: &mut BTreeSet<String>, org: &Org) {
    let tokens = org.tokens.iter().map(|t| &t.value);
    let secrets = org
        .apps
        .iter()
        .flat_map(|a| a.secrets.iter().map(|s| &s.secret));
    for value in tokens.chain(secrets) {
        if !issued.contains(value) {
            issued.insert(value.clone());
        }
    }
}

/// The complete router: Okta API, admin endpoints, Okta-style fallbacks, and the request
/// pipeline (log, latency, rate limit, faults, auth) around all of it.
pub fn router(shared: Arc<Shared>, bound_base: String) -> Router {
    let okta = Router::new()
        .route("/api/v1/apps", get(apps::list).post(apps::create))
        .route(
            "/api/v1/apps/{app_id}",
            get(apps::get_one).put(apps::replace).delete(apps::delete),
        )
        .route(
            "/api/v1/apps/{app_id}/lifecycle/activate",
            post(apps::activate),
        )
        .route(
            "/api/v1/apps/{app_id}/lifecycle/deactivate",
            post(apps::deactivate),
        )
        .route(
            "/api/v1/apps/{app_id}/credentials/secrets",
            get(secrets::list).post(secrets::create),
        )
        .route(
            "/api/v1/apps/{app_id}/credentials/secrets/{secret_id}",
            get(secrets::get_one).delete(secrets::delete),
        )
        .route(
            "/api/v1/apps/{app_id}/credentials/secrets/{secret_id}/lifecycle/activate",
            post(secrets::activate),
        )
        .route(
            "/api/v1/apps/{app_id}/credentials/secrets/{secret_id}/lifecycle/deactivate",
            post(secrets::deactivate),
        )
        .route("/api/v1/apps/{app_id}/groups", get(assignments::list))
        .route(
            "/api/v1/apps/{app_id}/grants",
            get(app_grants::list).post(app_grants::create),
        )
        .route(
            "/api/v1/apps/{app_id}/grants/{grant_id}",
            get(app_grants::get_one).delete(app_grants::delete),
        )
        .route(
            "/api/v1/apps/{app_id}/roles",
            get(client_roles::list).post(client_roles::assign),
        )
        .route(
            "/api/v1/apps/{app_id}/roles/{role_id}",
            get(client_roles::get_one).delete(client_roles::unassign),
        )
        .route(
            "/oauth2/v1/clients/{client_id}/roles",
            get(client_roles::list).post(client_roles::assign),
        )
        .route(
            "/oauth2/v1/clients/{client_id}/roles/{role_id}",
            get(client_roles::get_one).delete(client_roles::unassign),
        )
        .route(
            "/api/v1/apps/{app_id}/users",
            get(app_users::list).post(app_users::assign),
        )
        .route(
            "/api/v1/apps/{app_id}/users/{user_id}",
            get(app_users::get_one)
                .post(app_users::update)
                .delete(app_users::unassign),
        )
        .route(
            "/api/v1/apps/{app_id}/groups/{group_id}",
            get(assignments::get_one)
                .put(assignments::upsert)
                .delete(assignments::delete),
        )
        .route("/api/v1/groups", get(groups::list).post(groups::create))
        .route(
            "/api/v1/groups/{group_id}",
            get(groups::get_one)
                .put(groups::replace)
                .delete(groups::delete),
        )
        .route("/.well-known/okta-organization", get(org::well_known))
        .route("/api/v1/groups/{group_id}/users", get(members::list))
        .route(
            "/api/v1/groups/{group_id}/users/{user_id}",
            axum::routing::put(members::add).delete(members::remove),
        )
        .route("/api/v1/users", get(users::list).post(users::create))
        .route("/api/v1/users/me", get(users::me))
        .route(
            "/api/v1/users/{user_id}",
            get(users::get_one).delete(users::delete),
        )
        .route("/api/v1/users/{user_id}/groups", get(users::list_groups))
        .route(
            "/api/v1/users/{user_id}/lifecycle/activate",
            post(users::activate),
        )
        .route(
            "/api/v1/users/{user_id}/lifecycle/deactivate",
            post(users::deactivate),
        )
        .route("/api/v1/authn", post(authn::authn))
        .route("/api/v1/api-tokens", get(tokens::list))
        .route("/api/v1/api-tokens/current", delete(tokens::revoke_current))
        .route(
            "/api/v1/api-tokens/{token_id}",
            get(tokens::get_one)
                .put(tokens::update)
                .delete(tokens::revoke),
        );
    let admin = Router::new()
        .route("/__emulator/health", get(admin::health))
        .route("/__emulator/state", get(admin::state))
        .route(
            "/__emulator/requests",
            get(admin::requests).delete(admin::clear_requests),
        )
        .route(
            "/__emulator/faults",
            get(admin::list_faults)
                .post(admin::add_fault)
                .delete(admin::clear_faults),
        )
        .route("/__emulator/faults/{fault_id}", delete(admin::remove_fault))
        .route("/__emulator/tokens", post(admin::mint_token))
        .route("/__emulator/secrets", get(admin::secrets))
        .route("/__emulator/reset", post(admin::reset))
        .route("/__emulator", get(admin::index));
    okta.merge(oidc::routes())
        .merge(authz_api::routes())
        .merge(admin)
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
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
