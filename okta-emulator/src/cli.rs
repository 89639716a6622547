//! Command line of the `okta-emulator` binary.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::Parser;

use crate::{admin, pipeline::ratelimit, run, EmulatorConfig, DEFAULT_LISTEN, DEFAULT_RATE_LIMIT};

fn after_help() -> String {
    let mut s = admin::endpoints_help();
    s.push_str("\nRate-limit buckets (each --rate-limit requests per 60 s window):\n");
    for b in ratelimit::BUCKETS {
        s.push_str(&format!("  {b} (and everything under it)\n"));
    }
    s.push_str(&format!(
        "  {} (any other Okta API path)\n",
        ratelimit::DEFAULT_BUCKET
    ));
    s.push_str(
        "\nEvery Okta API request needs `Authorization: SSWS <token>`, or an OAuth access token of a\n\
         service app (`Bearer`/`DPoP`, from POST /oauth2/v1/token). Point the provider at it with\n\
         org_url = \"http://127.0.0.1:8089\" and api_token (or OKTA_ORG_URL / OKTA_API_TOKEN).\n\
         Logs go to stderr (RUST_LOG filters them); stdout carries only the ready line.\n",
    );
    s
}

/// A local Okta Management API for demos and tests.
#[derive(Debug, Parser)]
#[command(
    name = "okta-emulator",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("OKTAIDP_GIT_COMMIT"), ")"),
    about = "okta-emulator: a local Okta org for demos and tests: the Management API (OIDC apps, \
             client secrets, groups, users, assignments, API tokens, authorization servers) and \
             OpenID Connect sign-in",
    after_help = after_help()
)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port. The real URL is printed on stdout as
    /// `okta-emulator listening on http://ADDR` once the server is ready.
    #[arg(long, value_name = "ADDR", default_value_t = DEFAULT_LISTEN)]
    pub listen: SocketAddr,

    /// SSWS API token to accept, registered for the seeded admin user on first start (Okta has
    /// no API to create tokens). More can be minted with POST /__emulator/tokens.
    #[arg(long, value_name = "VALUE")]
    pub api_token: Option<String>,

    /// Keep the org in this JSON file across restarts. Every write is saved atomically before it
    /// is acknowledged. Without it, state lives in memory only.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Requests per minute allowed in each rate-limit bucket; over it, 429 E0000047.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RATE_LIMIT,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: u32,

    /// Extra delay added to every Okta API request, in milliseconds (for benchmarks).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// The org URL clients use, when it is not the listen address (for example
    /// http://okta.localhost:8089 when Pomerium runs in a container): the OIDC issuers and
    /// endpoints are built from it. Scheme and authority only.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,

    /// Lifetime in seconds of the access tokens service apps get for Okta's APIs
    /// (client_credentials). Okta's is fixed at 3600; shorter ones let tests see a token expire.
    #[arg(long, value_name = "N", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub access_token_lifetime_secs: u64,

    /// Lifetime in seconds of the ID and access tokens users get from /token (authorization_code
    /// and refresh_token grants, org and custom authorization servers). Unset: Okta's (ID token
    /// 1 h, access token per server or policy rule). Refresh tokens keep their own lifetime, so a
    /// relying party can be seen renewing its session through the refresh grant.
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub user_token_lifetime_secs: Option<u64>,
}

impl Args {
    pub fn config(&self) -> EmulatorConfig {
        EmulatorConfig {
            listen: self.listen,
            api_token: self.api_token.clone(),
            state_file: self.state.clone(),
            rate_limit_per_minute: self.rate_limit,
            latency: Duration::from_millis(self.latency_ms),
            public_url: self.public_url.clone(),
            access_token_lifetime: Duration::from_secs(self.access_token_lifetime_secs),
            user_token_lifetime: self.user_token_lifetime_secs.map(Duration::from_secs),
        }
    }
}

/// Entry point of the binary: parse flags, log to stderr, serve until SIGINT/SIGTERM.
pub fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("okta-emulator: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args.config())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("okta-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_parse() {
        let a = Args::try_parse_from([
            "okta-emulator",
            "--listen",
            "127.0.0.1:0",
            "--api-token",
            "abc",
            "--state",
            "/tmp/x.json",
            "--rate-limit",
            "100",
            "--latency-ms",
            "5",
            "--access-token-lifetime-secs",
            "2",
            "--user-token-lifetime-secs",
            "5",
        ])
        .unwrap();
        let c = a.config();
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.api_token.as_deref(), Some("abc"));
        assert_eq!(c.rate_limit_per_minute, 100);
        assert_eq!(c.latency, Duration::from_millis(5));
        assert_eq!(c.access_token_lifetime, Duration::from_secs(2));
        assert_eq!(c.user_token_lifetime, Some(Duration::from_secs(5)));
        assert!(
            Args::try_parse_from(["okta-emulator", "--user-token-lifetime-secs", "0"]).is_err()
        );
        assert!(Args::try_parse_from(["okta-emulator", "--rate-limit", "0"]).is_err());
        assert!(
            Args::try_parse_from(["okta-emulator", "--access-token-lifetime-secs", "0"]).is_err()
        );
        let d = Args::try_parse_from(["okta-emulator"]).unwrap().config();
        assert_eq!(d.listen, DEFAULT_LISTEN);
        assert_eq!(d.rate_limit_per_minute, 600);
        assert_eq!(d.access_token_lifetime, Duration::from_secs(3600));
        assert_eq!(d.user_token_lifetime, None);
    }

    #[test]
    fn help_documents_admin_endpoints() {
        let help = Args::command().render_long_help().to_string();
        for needle in [
            "--listen",
            "--api-token",
            "--state",
            "--rate-limit",
            "--latency-ms",
            "--access-token-lifetime-secs",
            "--user-token-lifetime-secs",
            "/__emulator/faults",
            "/__emulator/tokens",
            "/__emulator/reset",
            "/__emulator/state",
            "/__emulator/requests",
            "/api/v1/apps",
        ] {
            assert!(help.contains(needle), "help lacks {needle}");
        }
    }
}
