//! okta-emulator driven by a client we did not write: the official Okta SDK for Node.js
//! (`@okta/okta-sdk-nodejs`, pinned in `tests/okta-sdk-node/package.json`).
//!
//! Starts the `okta-emulator` binary on a free port, runs `npm ci` in `tests/okta-sdk-node`, then
//! `node check.mjs URL TOKEN --expect-429`, which exercises apps, client secrets, groups, app
//! group assignments, policies (access policies, their rules, an app mapped to one),
//! authorization servers (claims, scopes, policies), API tokens and `users/me`
//! through the SDK's own API and exits non-zero on the first mismatch. The test fails with the
//! script's output. Without `node` or `npm` on PATH it prints a SKIPPED line and passes.
//!
//! A second test runs `oauth-check.mjs` with the SDK in OAuth mode (`authorizationMode:
//! 'PrivateKey'`) against two service apps, one plain and one DPoP-bound, on an emulator with
//! 3-second access tokens: the SDK signs its client assertions and DPoP proofs itself.

use std::{
    io::{BufRead, BufReader, Read},
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

const TOKEN: &str = "00sdk-node-check-token-0123456789abcdef";
const NPM_TIMEOUT: Duration = Duration::from_secs(300);
const CHECK_TIMEOUT: Duration = Duration::from_secs(120);

struct Emulator {
    child: Child,
    url: String,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_emulator() -> Emulator {
    start_emulator_with(&[])
}

fn start_emulator_with(extra: &[&str]) -> Emulator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_okta-emulator"))
        .args(["--listen", "127.0.0.1:0", "--api-token", TOKEN])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting okta-emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reading the ready line");
    let url = line
        .trim()
        .strip_prefix("okta-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected ready line {line:?}"))
        .to_string();
    Emulator { child, url }
}

/// `program --version`, or `None` when it can't be run.
fn version_of(program: &str) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs `cmd` to completion, killing it after `timeout`; stdout and stderr are both captured.
fn run(mut cmd: Command, what: &str, timeout: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    // Drain both pipes on threads so a chatty child never blocks on a full pipe.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let err_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(s) = child.try_wait().expect("waiting") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Output {
        status,
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `npm ci` once per test process: both tests use the same `node_modules`, and two concurrent
/// installs into one directory would trip over each other.
fn npm_ci_once(dir: &Path) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| npm_ci(dir));
}

fn npm_ci(dir: &Path) {
    let mut cmd = Command::new("npm");
    cmd.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir);
    let out = run(cmd, "npm ci", NPM_TIMEOUT);
    assert!(
        out.status.success(),
        "npm ci in {} failed ({}):\n{}",
        dir.display(),
        out.status,
        text(&out)
    );
}

fn admin(http: &reqwest::blocking::Client, method: &str, url: &str, body: Option<Value>) -> Value {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = http
        .request(method, url)
        .header("Authorization", format!("SSWS {TOKEN}"));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().unwrap_or_else(|e| panic!("{url}: {e}"));
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    let text = resp.text().unwrap_or_else(|e| panic!("{url}: {e}"));
    if text.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[test]
fn official_okta_node_sdk_runs_against_the_emulator() {
    let (Some(node), Some(npm)) = (version_of("node"), version_of("npm")) else {
        println!(
            "SKIPPED okta_sdk_node: `node` and `npm` are needed on PATH to run the official Okta \
             SDK for Node.js against okta-emulator"
        );
        return;
    };
    println!("node {node}, npm {npm}");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/okta-sdk-node");
    npm_ci_once(&dir);

    let emu = start_emulator();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    // The first GET /users/me answers 429 once: the script checks the SDK's back-off logic.
    admin(
        &http,
        "POST",
        &format!("{}/__emulator/faults", emu.url),
        Some(json!({"method": "GET", "path": "/api/v1/users/me", "status": 429, "times": 1})),
    );

    let mut cmd = Command::new("node");
    cmd.args(["check.mjs", &emu.url, TOKEN, "--expect-429"])
        .current_dir(&dir);
    // The SDK reads OKTA_CLIENT_* variables and proxies through HTTPS_PROXY; keep it on the
    // emulator and on the arguments given.
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy().to_ascii_uppercase();
        if k.starts_with("OKTA_") || k == "HTTPS_PROXY" || k == "HTTP_PROXY" || k == "ALL_PROXY" {
            cmd.env_remove(&key);
        }
    }
    let out = run(cmd, "node check.mjs", CHECK_TIMEOUT);
    let output = text(&out);
    println!("{output}");
    assert!(
        out.status.success(),
        "the Okta Node SDK check failed ({}):\n{output}",
        out.status
    );
    assert!(
        output
            .lines()
            .any(|l| l.starts_with("all ") && l.ends_with(" checks passed")),
        "no summary line:\n{output}"
    );

    // Every request the SDK made was one the emulator implements, and nothing failed on its side.
    let log = admin(
        &http,
        "GET",
        &format!("{}/__emulator/requests", emu.url),
        None,
    );
    let log = log.as_array().expect("request log is an array");
    assert!(log.len() > 30, "only {} requests logged", log.len());
    let bad: Vec<_> = log
        .iter()
        .filter(|r| r["status"].as_u64().is_some_and(|s| s >= 500))
        .collect();
    assert!(bad.is_empty(), "server errors / unimplemented: {bad:#?}");
    // The fault answered exactly once.
    let limited = log.iter().filter(|r| r["status"] == 429).count();
    assert_eq!(limited, 1, "429 answers");
}

/// Removes the SDK's environment overrides (OKTA_CLIENT_*, proxies) from `cmd`.
fn isolate(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy().to_ascii_uppercase();
        if k.starts_with("OKTA_") || k == "HTTPS_PROXY" || k == "HTTP_PROXY" || k == "ALL_PROXY" {
            cmd.env_remove(&key);
        }
    }
}

/// A fresh RSA key: (PKCS#8 PEM, public JWK with `kid`).
fn rsa_key(kid: &str) -> (String, Value) {
    use aws_lc_rs::{
        encoding::AsDer,
        rsa::KeySize,
        signature::{KeyPair, RsaKeyPair},
    };
    use base64::{
        engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
        Engine,
    };
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let der = pair.as_der().unwrap();
    let b64 = STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    let pk = pair.public_key();
    let jwk = json!({
        "kty": "RSA", "kid": kid,
        "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero()),
        "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero()),
    });
    (pem, jwk)
}

#[test]
fn official_okta_node_sdk_authenticates_with_a_private_key() {
    let (Some(_), Some(_)) = (version_of("node"), version_of("npm")) else {
        println!(
            "SKIPPED okta_sdk_node OAuth: `node` and `npm` are needed on PATH to run the official \
             Okta SDK for Node.js against okta-emulator"
        );
        return;
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/okta-sdk-node");
    npm_ci_once(&dir);
    let emu = start_emulator_with(&["--access-token-lifetime-secs", "3"]);
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let keys = tempfile::tempdir().unwrap();
    for dpop in [false, true] {
        let (pem, jwk) = rsa_key("sdk-key");
        let app = admin(
            &http,
            "POST",
            &format!("{}/api/v1/apps", emu.url),
            Some(json!({
                "name": "oidc_client", "label": format!("sdk-oauth-{dpop}"), "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
                "settings": {"oauthClient": {
                    "application_type": "service", "grant_types": ["client_credentials"],
                    "response_types": ["token"], "dpop_bound_access_tokens": dpop,
                    "jwks": {"keys": [jwk]},
                }},
            })),
        );
        let app_id = app["id"].as_str().unwrap();
        let client_id = app["credentials"]["oauthClient"]["client_id"]
            .as_str()
            .unwrap();
        for scope in ["okta.apps.read", "okta.groups.manage"] {
            admin(
                &http,
                "POST",
                &format!("{}/api/v1/apps/{app_id}/grants", emu.url),
                Some(json!({"issuer": emu.url, "scopeId": scope})),
            );
        }
        admin(
            &http,
            "POST",
            &format!("{}/oauth2/v1/clients/{client_id}/roles", emu.url),
            Some(json!({"type": "ORG_ADMIN"})),
        );
        let pem_file = keys.path().join(format!("{client_id}.pem"));
        std::fs::write(&pem_file, pem).unwrap();
        admin(
            &http,
            "DELETE",
            &format!("{}/__emulator/requests", emu.url),
            None,
        );

        let mut cmd = Command::new("node");
        cmd.arg("oauth-check.mjs")
            .args([emu.url.as_str(), client_id, "sdk-key"])
            .arg(&pem_file)
            .current_dir(&dir);
        // The expiry wait (4 s) once, on the DPoP run, where a new token takes the most steps.
        if dpop {
            cmd.args(["--dpop", "--expire", "3"]);
        }
        isolate(&mut cmd);
        let out = run(cmd, "node oauth-check.mjs", CHECK_TIMEOUT);
        let output = text(&out);
        println!("{output}");
        assert!(
            out.status.success(),
            "the Okta Node SDK OAuth check failed (dpop: {dpop}):\n{output}"
        );
        assert!(output
            .lines()
            .any(|l| l.starts_with("all ") && l.ends_with(" checks passed")));

        // The SDK asked for a token, did the nonce dance when bound, and came back for a new
        // token once the first one expired.
        let log = admin(
            &http,
            "GET",
            &format!("{}/__emulator/requests", emu.url),
            None,
        );
        let token_calls: Vec<u64> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"] == "/oauth2/v1/token")
            .filter_map(|r| r["status"].as_u64())
            .collect();
        // A token (two when the script waited one out; more if one expired while it ran); with
        // DPoP each one after a use_dpop_nonce answer, without DPoP no refusals.
        let issued = token_calls.iter().filter(|s| **s == 200).count();
        let least = if dpop { 2 } else { 1 };
        assert!(
            issued >= least,
            "token requests {token_calls:?} (dpop: {dpop})"
        );
        if dpop {
            let pairs: Vec<&[u64]> = token_calls.chunks(2).collect();
            assert!(
                pairs.iter().all(|p| *p == [400, 200]),
                "token requests {token_calls:?}"
            );
        } else {
            assert!(
                token_calls.iter().all(|s| *s == 200),
                "token requests {token_calls:?}"
            );
        }
        let denied = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"] == "/api/v1/users" && r["status"] == 403)
            .count();
        assert!(denied >= 1, "the out-of-scope call was not refused");
    }
}
