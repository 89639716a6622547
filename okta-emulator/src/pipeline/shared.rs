//! What every handler shares: the live org (a [`Store`]) and the pipeline's own state (rate
//! limits, fault rules, request log, DPoP nonces), plus the token lifetimes the emulator was
//! started with.

use std::time::Duration;

use crate::{
    base::{errors::ApiResult, jose::dpop::DpopState},
    pipeline::{faults::FaultStore, ratelimit::RateLimiter, reqlog::RequestLog},
    store::{live::Store, persist::Persister, Org},
};

/// Okta's fixed access-token lifetime.
pub const DEFAULT_ACCESS_TOKEN_SECS: i64 = 3600;

/// Everything handlers share.
pub struct Shared {
    store: Store,
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
}

impl Shared {
    pub fn new(
        org: Org,
        persister: Option<Persister>,
        seed_token: Option<String>,
        rate_limit: u32,
        latency: Duration,
    ) -> Self {
        Shared {
            store: Store::new(org, persister, seed_token),
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

    /// See [`Store::read`].
    pub fn read<R>(&self, f: impl FnOnce(&Org) -> R) -> R {
        self.store.read(f)
    }

    /// See [`Store::write`]: copy, save, publish.
    pub fn write<R>(&self, f: impl FnOnce(&mut Org) -> ApiResult<R>) -> ApiResult<R> {
        self.store.write(f)
    }

    /// See [`Store::issued_secrets`].
    pub fn issued_secrets(&self) -> Vec<String> {
        self.store.issued_secrets()
    }

    /// See [`Store::touch`].
    pub fn touch(&self, f: impl FnOnce(&mut Org)) {
        self.store.touch(f)
    }

    /// A copy of the live org (the fuzzing harness keeps one as its fixture).
    pub(crate) fn snapshot(&self) -> Org {
        self.store.snapshot()
    }

    /// Replaces the live org wholesale, without saving (the fuzzing harness restores its
    /// fixture before every input).
    pub(crate) fn replace_org(&self, org: Org) {
        self.store.replace(org)
    }

    /// Wipes the org back to its seeded state and forgets fault rules and rate-limit windows.
    pub fn reset(&self) -> ApiResult<()> {
        self.store.reset()?;
        self.faults.clear();
        self.limiter.clear();
        Ok(())
    }
}
