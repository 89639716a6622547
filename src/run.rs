//! The provider binary's entry point, kept in the library so that it is tested like the rest.

use std::process::ExitCode;
use std::sync::Arc;

use crate::provider::{OktaIdpProvider, SOURCE_ADDRESS};
use crate::tfplugin::handshake::LaunchEnv;
use crate::tfplugin::{logging, server};

const USAGE: &str = "terraform-provider-oktaidp: Terraform provider for Okta and Pomerium.

Terraform starts this program itself. Options for running it by hand:
  --debug     serve without TLS and print a TF_REATTACH_PROVIDERS value for Terraform
  --version   print the version
  --help      print this text";

pub fn main() -> ExitCode {
    logging::install_panic_hook();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let debug = match args.first().map(String::as_str) {
        None => false,
        Some("--debug" | "-debug") => true,
        Some("--version" | "-version") => {
            println!("{}", crate::version_line("terraform-provider-oktaidp"));
            return ExitCode::SUCCESS;
        }
        Some("--help" | "-help" | "-h") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("unknown argument {other:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let launch = if debug {
        None
    } else {
        match LaunchEnv::from_process_env() {
            Ok(env) => Some(env),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    };
    let level = logging::level_from_env(|k| std::env::var(k).ok());
    logging::init(if debug {
        level.max(tracing_subscriber::filter::LevelFilter::INFO)
    } else {
        level
    });
    tracing::debug!(
        version = crate::VERSION,
        commit = crate::GIT_COMMIT,
        "terraform-provider-oktaidp starting"
    );

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let provider = Arc::new(OktaIdpProvider::new());
    let result = runtime.block_on(async move {
        match launch {
            Some(env) => server::serve(provider, env).await,
            None => server::serve_debug(provider, SOURCE_ADDRESS).await,
        }
    });
    // Do not wait for idle connections or timers: Terraform is done with this process.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "provider stopped with an error");
            eprintln!("terraform-provider-oktaidp: {e}");
            ExitCode::FAILURE
        }
    }
}
