//! The live org behind one lock. Writes are serialised, and each is applied to a copy that
//! replaces the live org only once it has been persisted (with `--state`), so a failed
//! validation or save never leaves a half-applied change.

use std::collections::BTreeSet;

use parking_lot::Mutex;

use super::{persist::Persister, Org};
use crate::base::errors::{ApiResult, OktaError};

pub struct Store {
    org: Mutex<Org>,
    persister: Option<Persister>,
    /// `--api-token`, re-registered on reset.
    seed_token: Option<String>,
    /// Every API token value and client secret the org has held since this process started,
    /// including rotated-away and deleted ones: tests sweep it (`GET /__emulator/secrets`) to
    /// check that none of them reached a log. Memory only.
    issued: Mutex<BTreeSet<String>>,
}

impl Store {
    pub fn new(org: Org, persister: Option<Persister>, seed_token: Option<String>) -> Self {
        let issued = Mutex::new(BTreeSet::new());
        note_issued(&mut issued.lock(), &org);
        Store {
            org: Mutex::new(org),
            persister,
            seed_token,
            issued,
        }
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

    /// See [`Store::issued`]; sorted.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.issued.lock().iter().cloned().collect()
    }

    /// In-memory bookkeeping that need not be durable (token last use). It is saved with the
    /// next write.
    pub fn touch(&self, f: impl FnOnce(&mut Org)) {
        f(&mut self.org.lock());
    }

    /// A copy of the live org.
    pub fn snapshot(&self) -> Org {
        self.org.lock().clone()
    }

    /// Replaces the live org wholesale, without saving.
    pub fn replace(&self, org: Org) {
        *self.org.lock() = org;
    }

    /// Wipes the org back to its seeded state (saved like any write).
    pub fn reset(&self) -> ApiResult<()> {
        let seed = self.seed_token.clone();
        self.write(|org| {
            *org = Org::seed(seed.as_deref());
            Ok(())
        })
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
