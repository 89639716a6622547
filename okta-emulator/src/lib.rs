//! `okta-emulator`: a local, faithful emulation of the parts of Okta's Management API this
//! provider uses — OIDC apps (with Okta's validation rules and server-filled defaults), client
//! secrets, app group assignments, groups and their members, users (with passwords and
//! `/api/v1/authn` primary authentication), API tokens and `/users/me` — with SSWS auth, Okta's
//! error bodies, per-bucket rate limits, cursor pagination, fault injection, a request log and
//! optional persistence. See docs/emulator.md.
//!
//! In-process use (tests):
//!
//! ```no_run
//! # async fn demo() -> Result<(), okta_emulator::EmulatorError> {
//! use okta_emulator::{spawn, EmulatorConfig};
//! let emu = spawn(EmulatorConfig::ephemeral().with_api_token("test-token")).await?;
//! let org_url = emu.base_url(); // e.g. "http://127.0.0.1:40123"
//! // ... point a client at org_url with `Authorization: SSWS test-token` ...
//! emu.shutdown().await?;
//! # Ok(()) }
//! ```

mod admin;
mod base;
pub mod cli;
#[doc(hidden)]
pub mod fuzzing;
mod oidc;
mod okta;
mod pipeline;
mod server;
mod store;

use std::{
    io::{self, Write},
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
    time::Duration,
};

use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use admin::{MintError, MintRequest, MintedToken};
pub use pipeline::ratelimit::{
    BUCKETS as RATE_LIMIT_BUCKETS, DEFAULT_BUCKET as RATE_LIMIT_DEFAULT_BUCKET,
};

use pipeline::{
    conn::{ConnHandle, ResetListener},
    Shared,
};
use store::{persist::Persister, Org};

/// Default listen address of the binary.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8089);
/// Default requests per minute per rate-limit bucket.
pub const DEFAULT_RATE_LIMIT: u32 = 600;
/// Okta's fixed lifetime of access tokens for its APIs.
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// How long shutdown waits for in-flight requests before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How to run an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address to bind; port 0 picks a free port (see [`RunningEmulator::base_url`]).
    pub listen: SocketAddr,
    /// SSWS token registered for the seeded admin user on first start (and after resets).
    pub api_token: Option<String>,
    /// Keep the org in this JSON file across restarts; `None` keeps it in memory only.
    pub state_file: Option<PathBuf>,
    /// Requests per minute allowed per rate-limit bucket.
    pub rate_limit_per_minute: u32,
    /// Extra delay added to every Okta API request.
    pub latency: Duration,
    /// The org URL clients use (`http(s)://host[:port]`), when it is not the bound address: OIDC
    /// issuers and endpoints are built from it.
    pub public_url: Option<String>,
    /// Lifetime of the access tokens a service app gets for Okta's APIs (`client_credentials`).
    /// Okta's is fixed at 1 h; a short one lets a test see a token expire mid-run.
    pub access_token_lifetime: Duration,
    /// Lifetime of the access and ID tokens `/token` issues to users (authorization_code and
    /// refresh_token grants, org and custom servers); `None` keeps Okta's (ID token 1 h, access
    /// token per server or policy rule). Refresh tokens keep theirs, so a short one lets a test
    /// watch a relying party renew its session through the refresh grant.
    pub user_token_lifetime: Option<Duration>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: DEFAULT_LISTEN,
            api_token: None,
            state_file: None,
            rate_limit_per_minute: DEFAULT_RATE_LIMIT,
            latency: Duration::ZERO,
            public_url: None,
            access_token_lifetime: DEFAULT_ACCESS_TOKEN_LIFETIME,
            user_token_lifetime: None,
        }
    }
}

impl EmulatorConfig {
    /// Defaults, but listening on `127.0.0.1:0` (a free port): what tests want.
    pub fn ephemeral() -> Self {
        EmulatorConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            ..Self::default()
        }
    }

    pub fn with_api_token(mut self, token: impl Into<String>) -> Self {
        self.api_token = Some(token.into());
        self
    }

    pub fn with_state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    pub fn with_rate_limit(mut self, per_minute: u32) -> Self {
        self.rate_limit_per_minute = per_minute;
        self
    }

    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub fn with_access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    /// See [`EmulatorConfig::user_token_lifetime`]; whole seconds, at least 1.
    pub fn with_user_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.user_token_lifetime = Some(lifetime);
        self
    }

    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }
}

/// Why the emulator could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    State(#[from] store::persist::PersistError),
    #[error("server failed: {0}")]
    Serve(#[source] io::Error),
    #[error("minting a token failed: {0}")]
    Mint(#[from] MintError),
}

/// A running emulator. Dropping it stops the server (without waiting); prefer
/// [`RunningEmulator::shutdown`].
pub struct RunningEmulator {
    base_url: String,
    addr: SocketAddr,
    api_token: Option<String>,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT`, or the configured public URL: the org URL to give clients.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configured `api_token`, if any.
    pub fn api_token(&self) -> Option<&str> {
        self.api_token.as_deref()
    }

    /// Mints an SSWS token directly (same as `POST /__emulator/tokens`).
    pub fn mint_token(&self, req: MintRequest) -> Result<MintedToken, EmulatorError> {
        Ok(admin::mint(&self.shared, req)?)
    }

    /// Edits the org through its `--state` JSON form (saved like any write). For tests that
    /// need data no Okta API of the emulator sets yet; not part of Okta's surface.
    #[doc(hidden)]
    pub fn update_org_json(
        &self,
        f: impl FnOnce(&mut serde_json::Value),
    ) -> Result<(), EmulatorError> {
        let mut failure = None;
        let saved = self.shared.write(|org| {
            let mut v = match serde_json::to_value(&*org) {
                Ok(v) => v,
                Err(e) => {
                    failure = Some(e.to_string());
                    return Err(base::errors::OktaError::internal());
                }
            };
            f(&mut v);
            match serde_json::from_value(v) {
                Ok(new) => {
                    *org = new;
                    Ok(())
                }
                Err(e) => {
                    failure = Some(e.to_string());
                    Err(base::errors::OktaError::internal())
                }
            }
        });
        match (failure, saved) {
            (Some(e), _) => Err(EmulatorError::Config(format!(
                "org JSON edit rejected: {e}"
            ))),
            (None, Err(_)) => Err(EmulatorError::Config("saving the edited org failed".into())),
            (None, Ok(())) => Ok(()),
        }
    }

    /// Stops accepting connections, lets in-flight requests finish (up to a few seconds) and
    /// waits for the server task.
    pub async fn shutdown(mut self) -> Result<(), EmulatorError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        match tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await {
            Ok(Ok(result)) => result.map_err(EmulatorError::Serve),
            Ok(Err(join)) => Err(EmulatorError::Serve(io::Error::other(join.to_string()))),
            Err(_) => {
                tracing::warn!("requests still running after the grace period; dropping them");
                task.abort();
                Ok(())
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Loads or seeds the org and registers `api_token`.
fn initial_org(
    config: &EmulatorConfig,
    persister: Option<&Persister>,
) -> Result<Org, EmulatorError> {
    let token = config.api_token.as_deref();
    let loaded = match persister {
        Some(p) => p.load()?,
        None => None,
    };
    let (mut org, mut dirty) = match loaded {
        Some(org) => (org, false),
        None => (Org::seed(token), true),
    };
    // State files from before authorization servers existed get the built-in one.
    dirty |= store::seed::ensure_default_server(&mut org);
    // Likewise the policies of an Identity Engine org.
    dirty |= store::policies::ensure_seeded(&mut org);
    if let Some(t) = token {
        dirty |= org.ensure_token(t);
    }
    if let (Some(p), true) = (persister, dirty) {
        p.save(&org)?;
    }
    Ok(org)
}

fn validate(config: &EmulatorConfig) -> Result<(), EmulatorError> {
    if config.rate_limit_per_minute == 0 {
        return Err(EmulatorError::Config(
            "rate limit must be at least 1 per minute".into(),
        ));
    }
    if config.user_token_lifetime.is_some_and(|d| d.as_secs() == 0) {
        return Err(EmulatorError::Config(
            "user token lifetime must be at least 1 second".into(),
        ));
    }
    if let Some(u) = &config.public_url {
        check_public_url(u).map_err(EmulatorError::Config)?;
    }
    if let Some(t) = &config.api_token {
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_graphic()) {
            return Err(EmulatorError::Config(
                "api token must be non-empty printable ASCII without spaces".into(),
            ));
        }
    }
    Ok(())
}

/// The URL clients should use: unspecified bind addresses are reached via loopback.
/// `--public-url` must be an origin: an OIDC issuer is compared byte for byte, so no path, query
/// or trailing slash.
fn check_public_url(raw: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("public URL {raw:?} {why}"));
    let Ok(url) = url::Url::parse(raw) else {
        return bad("is not an absolute URL");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return bad("must be http or https");
    }
    if url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return bad("needs a host and no user info");
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !raw
            .trim_end_matches('/')
            .eq(url.origin().ascii_serialization().as_str())
        || raw.ends_with('/')
    {
        return bad("must be scheme://host[:port], with no path or trailing slash");
    }
    Ok(())
}

fn public_base(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// Starts an emulator on a background task and returns once it accepts connections.
pub async fn spawn(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
    validate(&config)?;
    let persister = config.state_file.clone().map(Persister::new);
    let org = initial_org(&config, persister.as_ref())?;
    let listener =
        TcpListener::bind(config.listen)
            .await
            .map_err(|source| EmulatorError::Bind {
                addr: config.listen,
                source,
            })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: config.listen,
            source,
        })?;
    let base_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| public_base(addr));
    let shared = Arc::new(
        Shared::new(
            org,
            persister,
            config.api_token.clone(),
            config.rate_limit_per_minute,
            config.latency,
        )
        .with_access_token_secs(
            i64::try_from(config.access_token_lifetime.as_secs())
                .unwrap_or(i64::MAX)
                .max(1),
        )
        .with_user_token_secs(
            config
                .user_token_lifetime
                .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX).max(1)),
        ),
    );
    let app = server::router(shared.clone(), base_url.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            ResetListener::new(listener),
            app.into_make_service_with_connect_info::<ConnHandle>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        })
        .await
    });
    tracing::info!(%base_url, "okta-emulator started");
    Ok(RunningEmulator {
        base_url,
        addr,
        api_token: config.api_token,
        shared,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Runs the emulator until SIGINT or SIGTERM: what the `okta-emulator` binary does. Prints
/// `okta-emulator listening on http://ADDR` on stdout once ready.
pub async fn run(config: EmulatorConfig) -> Result<(), EmulatorError> {
    let emu = spawn(config).await?;
    {
        let mut out = io::stdout().lock();
        // A closed stdout must not stop the server; the line is a convenience for scripts.
        let _ = writeln!(out, "okta-emulator listening on {}", emu.base_url());
        let _ = out.flush();
    }
    wait_for_signal().await;
    tracing::info!("shutting down");
    emu.shutdown().await
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_base_uses_loopback_for_unspecified() {
        assert_eq!(
            public_base("0.0.0.0:8089".parse().unwrap()),
            "http://127.0.0.1:8089"
        );
        assert_eq!(public_base("[::]:1".parse().unwrap()), "http://[::1]:1");
        assert_eq!(
            public_base("127.0.0.1:5".parse().unwrap()),
            "http://127.0.0.1:5"
        );
    }

    #[test]
    fn public_urls_are_origins() {
        for ok in ["http://okta.localhost:8089", "https://okta.example.com"] {
            assert_eq!(check_public_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "okta.localhost:8089",
            "ftp://okta.example.com",
            "http://okta.example.com/",
            "http://okta.example.com/oauth2",
            "http://okta.example.com?x=1",
            "http://user@okta.example.com",
        ] {
            assert!(check_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn config_validation() {
        assert!(validate(&EmulatorConfig::default()).is_ok());
        assert!(validate(&EmulatorConfig::default().with_rate_limit(0)).is_err());
        assert!(validate(&EmulatorConfig::default().with_api_token("has space")).is_err());
        assert!(validate(&EmulatorConfig::default().with_api_token("")).is_err());
    }

    #[tokio::test]
    async fn spawn_and_shutdown() {
        let emu = spawn(EmulatorConfig::ephemeral().with_api_token("t0k"))
            .await
            .unwrap();
        assert!(emu.base_url().starts_with("http://127.0.0.1:"));
        assert_ne!(emu.addr().port(), 0);
        assert_eq!(emu.api_token(), Some("t0k"));
        let minted = emu.mint_token(MintRequest::default()).unwrap();
        assert!(minted.id.starts_with("00T"));
        emu.shutdown().await.unwrap();
    }

    #[test]
    fn state_file_is_seeded_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let cfg = EmulatorConfig::default()
            .with_state_file(&path)
            .with_api_token("abc");
        let p = Persister::new(&path);
        let first = initial_org(&cfg, Some(&p)).unwrap();
        let second = initial_org(&cfg, Some(&p)).unwrap();
        assert_eq!(first.org_id, second.org_id);
        assert_eq!(second.tokens.len(), 1);
    }
}
