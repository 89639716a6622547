//! What every handler shares: the live org (see [`Store`]) and the pipeline's own state (rate
//! limits, fault rules, request log, DPoP nonces), plus the token lifetimes the emulator was
//! started with.

use std::{collections::BTreeSet, time::Duration};

use parking_lot::Mutex;

use crate::{
    base::{
        errors::{ApiResult, OktaError},
        jose::dpop::DpopState,
    },
    pipeline::{faults::FaultStore, ratelimit::RateLimiter, reqlog::RequestLog},
    store::{persist::Persister, Org},
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
