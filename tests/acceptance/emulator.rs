//! okta-emulator started as a separate process for one acceptance case, plus a small blocking
//! client for its Okta API (out-of-band changes) and admin endpoints (state, request log).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::leaks;

pub const ADMIN_TOKEN: &str = "00acceptance-admin-token-0123456789abcdef";

pub struct Emulator {
    child: Child,
    /// Holds the emulator's log (stderr, at trace level).
    log_dir: tempfile::TempDir,
    pub url: String,
    http: reqwest::blocking::Client,
}

impl Drop for Emulator {
    /// Sweeps every token and client secret the emulator issued into the case's leak check,
    /// then stops it and adds its log to what is searched.
    fn drop(&mut self) {
        match self.admin("GET", "/__emulator/secrets", None) {
            Ok(v) => leaks::secret_values("token or client secret issued by okta-emulator", &v),
            Err(e) => leaks::capture(
                "sweep",
                format!("could not sweep the emulator's secrets: {e}"),
            ),
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log = std::fs::read_to_string(self.log_dir.path().join("emulator.log"));
        leaks::capture("okta-emulator log", log.unwrap_or_default());
    }
}

fn log_dir() -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix("oktaidp-acc-emu-")
        .tempdir()
        .map_err(|e| e.to_string())
}

impl Emulator {
    pub fn start(extra: &[&str]) -> Result<Self, String> {
        let log_dir = log_dir()?;
        let log = std::fs::File::create(log_dir.path().join("emulator.log"))
            .map_err(|e| format!("emulator log: {e}"))?;
        Self::spawn(extra, log_dir, Stdio::from(log))
    }

    /// Like [`Self::start`], with the emulator's own log (stderr) sent to `log`: the caller
    /// searches it itself.
    pub fn start_with_log(extra: &[&str], log: Stdio) -> Result<Self, String> {
        Self::spawn(extra, log_dir()?, log)
    }

    fn spawn(extra: &[&str], log_dir: tempfile::TempDir, log: Stdio) -> Result<Self, String> {
        leaks::secret("API token", ADMIN_TOKEN);
        let mut child = Command::new(crate::emulator_bin::path()?)
            .args(["--listen", "127.0.0.1:0", "--api-token", ADMIN_TOKEN])
            .args(extra)
            .env("RUST_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("starting okta-emulator: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading the emulator's ready line: {e}"))?;
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .ok_or_else(|| format!("unexpected ready line {line:?}"))?
            .to_string();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            child,
            log_dir,
            url,
            http,
        })
    }

    /// An Okta API call with the admin token: (status, JSON body or null).
    pub fn api(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("Authorization", format!("SSWS {ADMIN_TOKEN}"))
            .header("Accept", "application/json");
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status().as_u16();
        let text = resp.text().map_err(|e| e.to_string())?;
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}: {text}"))?
        };
        Ok((status, json))
    }

    pub fn ok(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let (status, json) = self.api(method, path, body)?;
        if (200..300).contains(&status) {
            Ok(json)
        } else {
            Err(format!("{method} {path} -> {status}: {json}"))
        }
    }

    pub fn admin(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status();
        let text = resp.text().map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{path} -> {status}: {text}"));
        }
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
    }

    pub fn create_group(&self, name: &str) -> Result<String, String> {
        let group = self.ok(
            "POST",
            "/api/v1/groups",
            Some(&serde_json::json!({"profile": {"name": name, "description": format!("{name} (acceptance)")}})),
        )?;
        group["id"]
            .as_str()
            .map(str::to_string)
            .ok_or("group without id".into())
    }

    /// Mints an API token in the emulator (as an admin would in the Admin Console) and returns
    /// its value.
    pub fn mint_token(&self, name: &str) -> Result<String, String> {
        let minted = self.admin(
            "POST",
            "/__emulator/tokens",
            Some(&serde_json::json!({ "name": name })),
        )?;
        minted["token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "no token minted".to_string())
    }

    /// An active user `login` (also the email) with `password`, in `groups`; returns its id.
    pub fn create_user(
        &self,
        login: &str,
        password: &str,
        groups: &[&str],
    ) -> Result<String, String> {
        let (first, _) = login.split_once('@').unwrap_or((login, ""));
        let body = serde_json::json!({
            "profile": {"firstName": first, "lastName": "Example", "email": login, "login": login},
            "credentials": {"password": {"value": password}},
            "groupIds": groups,
        });
        let user = self.ok("POST", "/api/v1/users?activate=true", Some(&body))?;
        user["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "user without id".to_string())
    }

    pub fn apps(&self) -> Result<Vec<Value>, String> {
        match self.ok("GET", "/api/v1/apps?limit=200", None)? {
            Value::Array(apps) => Ok(apps),
            other => Err(format!("apps list is not an array: {other}")),
        }
    }

    pub fn app(&self, id: &str) -> Result<Value, String> {
        self.ok("GET", &format!("/api/v1/apps/{id}"), None)
    }

    pub fn app_group_ids(&self, id: &str) -> Result<Vec<String>, String> {
        let list = self.ok("GET", &format!("/api/v1/apps/{id}/groups?limit=200"), None)?;
        let mut ids: Vec<String> = list
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|g| g["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        Ok(ids)
    }

    /// Okta API requests (not admin calls) in the emulator's request log.
    pub fn api_requests(&self) -> Result<Vec<Value>, String> {
        let log = self.admin("GET", "/__emulator/requests", None)?;
        Ok(log
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/api/")))
            .collect())
    }

    pub fn request_count(&self) -> Result<usize, String> {
        Ok(self.api_requests()?.len())
    }
}
