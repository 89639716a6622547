//! Signs a user in the way Pomerium would, with the settings `oktaidp_pomerium_idp` rendered.
//!
//! Reads Pomerium's environment (the data source's `env`, as `terraform output -json` prints it)
//! on stdin, signs `--login` in through okta-emulator (primary authentication, then the
//! authorization code flow with PKCE, state and nonce, the code exchange and ID-token
//! verification, all through the `openidconnect` crate) and prints what Pomerium would see: the
//! ID token's `sub`, `email` and `groups`. The demo (`scripts/demo.sh`) ends with it.
//!
//! ```text
//! terraform output -json pomerium_env | cargo run --example pomerium_sign_in -- \
//!     --login demo@example.com --password-env DEMO_PASSWORD
//! ```

#[path = "../okta-emulator/tests/support/rp.rs"]
mod rp;

use std::io::Read;
use std::process::ExitCode;

use serde_json::{json, Value};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// The org URL (where `/api/v1/authn` lives) of an `idp_provider_url`: the URL itself for the
/// org authorization server, without `/oauth2/<server>` for a custom one.
fn org_url(provider_url: &str) -> &str {
    provider_url
        .split_once("/oauth2/")
        .map_or(provider_url, |(org, _)| org)
}

async fn run() -> Result<Value, String> {
    let args: Vec<String> = std::env::args().collect();
    let login = arg(&args, "--login").ok_or("--login is required")?;
    let password_var = arg(&args, "--password-env").ok_or("--password-env is required")?;
    let password =
        std::env::var(&password_var).map_err(|_| format!("{password_var} is not set"))?;
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("reading stdin: {e}"))?;
    let env: Value = serde_json::from_str(&input)
        .map_err(|e| format!("stdin is not Pomerium's env as JSON: {e}"))?;
    let setting = |key: &str| {
        env[key]
            .as_str()
            .map(str::to_string)
            .ok_or(format!("{key} missing from the settings"))
    };
    let provider_url = setting("IDP_PROVIDER_URL")?;
    let callback = format!(
        "{}/oauth2/callback",
        setting("AUTHENTICATE_SERVICE_URL")?.trim_end_matches('/')
    );
    // Pomerium's defaults when IDP_SCOPES is not set.
    let scopes =
        setting("IDP_SCOPES").unwrap_or_else(|_| "openid,profile,email,offline_access".into());
    let scopes: Vec<&str> = scopes.split([',', ' ']).filter(|s| !s.is_empty()).collect();
    let secret = setting("IDP_CLIENT_SECRET")?;
    let party = rp::Rp::discover(
        org_url(&provider_url),
        &provider_url,
        &setting("IDP_CLIENT_ID")?,
        Some(&secret),
        &callback,
    )
    .await
    .map_err(|(e, d)| format!("discovery of {provider_url}: {e}: {d}"))?;
    let tokens = party
        .sign_in(&login, &password, &scopes)
        .await
        .map_err(|(e, d)| format!("sign-in refused: {e}: {d}"))?;
    Ok(json!({
        "sub": tokens.subject(),
        "email": tokens.claims.email().map(|e| e.as_str().to_string()),
        "groups": tokens.groups(),
        "refresh_token_issued": tokens.refresh_token.is_some(),
    }))
}

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pomerium_sign_in: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(seen) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&seen).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pomerium_sign_in: {e}");
            ExitCode::FAILURE
        }
    }
}
