//! okta-emulator driven by a client we did not write: the official Okta SDK for Node.js
//! (`@okta/okta-sdk-nodejs`, pinned in `tests/okta-sdk-node/package.json`).
//!
//! Starts the `okta-emulator` binary on a free port, runs `npm ci` in `tests/okta-sdk-node`, then
//! `node check.mjs URL TOKEN --expect-429`, which exercises apps, client secrets, groups, app
//! group assignments, authorization servers (claims, scopes, policies), API tokens and `users/me`
//! through the SDK's own API and exits non-zero on the first mismatch. The test fails with the
//! script's output. Without `node` or `npm` on PATH it prints a SKIPPED line and passes.

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
    let mut child = Command::new(env!("CARGO_BIN_EXE_okta-emulator"))
        .args(["--listen", "127.0.0.1:0", "--api-token", TOKEN])
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
    let mut req = http.request(method, url);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().unwrap_or_else(|e| panic!("{url}: {e}"));
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    resp.json().unwrap_or_else(|e| panic!("{url}: {e}"))
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
    npm_ci(&dir);

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
