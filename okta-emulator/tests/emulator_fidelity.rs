//! Fidelity of `okta-emulator` against real recorded Okta traffic.
//!
//! Every go-vcr cassette in the recordings directory is replayed, request by request, against an
//! in-process emulator (reset between cassettes). Interactions the emulator does not cover are
//! counted and skipped with a reason. For the rest, the emulator's response is compared with the
//! recorded one: status code, the set of JSON keys at every level (arrays element-wise, or by
//! union when lengths differ), JSON types, error codes and `Link` relations (and the `self` link
//! URL). Recorded ids are mapped to the ids the emulator assigns as they appear (policies by
//! name: a new org has fewer than the recorded one), and the host is substituted. Objects the recorded org already had (an API token) are seeded out of band.
//!
//! Differences that are deliberate are listed in `ACCEPTED` (and in docs/emulator.md) and
//! reported as "accepted difference" with their reason; anything else fails the test.
//!
//! Recordings: `$OKTA_RECORDINGS_DIR`, else `../shared/okta-recordings` next to the workspace. If
//! absent, the test prints a skip message and passes.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    fmt::Write as _,
    path::PathBuf,
};

use okta_emulator::{spawn, EmulatorConfig};
use serde::Deserialize;
use serde_json::{json, Value};

const ADMIN_TOKEN: &str = "fidelity-admin-token";
const RECORDED_HOSTS: &[&str] = &[
    "https://oie-00.dne-okta.com",
    "https://classic-00.dne-okta.com",
];

#[derive(Debug, Deserialize)]
struct Cassette {
    interactions: Vec<Interaction>,
}

#[derive(Debug, Deserialize)]
struct Interaction {
    request: RecordedRequest,
    response: RecordedResponse,
}

#[derive(Debug, Deserialize)]
struct RecordedRequest {
    method: String,
    url: String,
    #[serde(default)]
    body: String,
}

#[derive(Debug, Deserialize)]
struct RecordedResponse {
    code: u16,
    #[serde(default)]
    body: String,
    #[serde(default)]
    headers: BTreeMap<String, Vec<String>>,
}

/// A difference between a recorded response and the emulator's.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Diff {
    Status {
        recorded: u16,
        emulator: u16,
    },
    /// Key present in the recorded response, absent from the emulator's.
    Missing(String),
    /// Key the emulator sends that the recording lacks.
    Extra(String),
    Type {
        path: String,
        recorded: &'static str,
        emulator: &'static str,
    },
    /// One side has elements and the other an empty array.
    Emptiness {
        path: String,
        recorded: usize,
        emulator: usize,
    },
    ErrorCode {
        recorded: String,
        emulator: String,
    },
    LinkRels {
        recorded: BTreeSet<String>,
        emulator: BTreeSet<String>,
    },
    SelfLink {
        recorded: String,
        emulator: String,
    },
    Body(String),
}

impl std::fmt::Display for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Diff::Status { recorded, emulator } => {
                write!(f, "status: recorded {recorded}, emulator {emulator}")
            }
            Diff::Missing(p) => write!(f, "missing key {p}"),
            Diff::Extra(p) => write!(f, "extra key {p}"),
            Diff::Type {
                path,
                recorded,
                emulator,
            } => write!(
                f,
                "type of {path}: recorded {recorded}, emulator {emulator}"
            ),
            Diff::Emptiness {
                path,
                recorded,
                emulator,
            } => write!(
                f,
                "array {path}: recorded {recorded} elements, emulator {emulator}"
            ),
            Diff::ErrorCode { recorded, emulator } => {
                write!(f, "errorCode: recorded {recorded}, emulator {emulator}")
            }
            Diff::LinkRels { recorded, emulator } => {
                write!(f, "Link rels: recorded {recorded:?}, emulator {emulator:?}")
            }
            Diff::SelfLink { recorded, emulator } => {
                write!(f, "self link: recorded {recorded}, emulator {emulator}")
            }
            Diff::Body(m) => write!(f, "body: {m}"),
        }
    }
}

/// A deliberate difference: which path, what kind, and why.
struct Accepted {
    /// JSON path with array markers (`[]`) and any leading list marker removed.
    path: &'static str,
    kind: AcceptedKind,
    reason: &'static str,
}

#[derive(PartialEq, Eq)]
enum AcceptedKind {
    /// The emulator sends the key; the recording lacks it.
    Extra,
    /// The recording has the key; the emulator does not send it.
    Missing,
    /// The recording has `null` where the emulator has an object.
    NullVsObject,
}

/// Keep in sync with "Deliberate differences" in docs/emulator.md.
const ACCEPTED: &[Accepted] = &[
    Accepted {
        path: "/universalLogout",
        kind: AcceptedKind::NullVsObject,
        reason:
            "org-dependent: orgs without Universal Logout answer null; the emulator reproduces \
                 the newest recorded org (00onkw…, 2026), which returns the DISABLED object",
    },
    Accepted {
        path: "/universalLogout",
        kind: AcceptedKind::Extra,
        reason: "org-dependent: the 2025-03 recording predates the universalLogout field",
    },
    Accepted {
        path: "/settings/emOptInStatus",
        kind: AcceptedKind::Extra,
        reason: "org-dependent: the 2025-03 recording predates the emOptInStatus field",
    },
    Accepted {
        path: "/settings/oauthClient/participate_slo",
        kind: AcceptedKind::Extra,
        reason: "org-dependent: two recorded orgs (00ow8k…, 00oqvhp…) do not report \
                 participate_slo; the other three orgs default it to false",
    },
    Accepted {
        path: "/settings/op4wEnabled",
        kind: AcceptedKind::Missing,
        reason: "org-dependent: an org feature flag only the 2025-03 org reports in \
                 /.well-known/okta-organization",
    },
];

fn accepted(diff: &Diff) -> Option<&'static str> {
    let (path, kind) = match diff {
        Diff::Extra(p) => (p.as_str(), AcceptedKind::Extra),
        Diff::Missing(p) => (p.as_str(), AcceptedKind::Missing),
        Diff::Type {
            path,
            recorded: "null",
            emulator: "object",
        } => (path.as_str(), AcceptedKind::NullVsObject),
        _ => return None,
    };
    let path = path.trim_start_matches("[]");
    ACCEPTED
        .iter()
        .find(|a| a.path == path && a.kind == kind)
        .map(|a| a.reason)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Merges array elements into one value with the union of their keys (for arrays whose lengths
/// differ, e.g. lists of different size).
fn union(values: &[Value]) -> Value {
    let mut merged: Option<Value> = None;
    for v in values {
        merged = Some(match (merged, v) {
            (None, v) => v.clone(),
            (Some(Value::Object(mut m)), Value::Object(o)) => {
                for (k, x) in o {
                    let joined = match m.remove(k) {
                        Some(prev) => union(&[prev, x.clone()]),
                        None => x.clone(),
                    };
                    m.insert(k.clone(), joined);
                }
                Value::Object(m)
            }
            (Some(Value::Array(mut a)), Value::Array(b)) => {
                a.extend(b.iter().cloned());
                Value::Array(
                    vec![union(&a)]
                        .into_iter()
                        .filter(|x| !x.is_null())
                        .collect(),
                )
            }
            (Some(Value::Null), v) => v.clone(),
            (Some(m), _) => m,
        });
    }
    merged.unwrap_or(Value::Null)
}

fn compare(recorded: &Value, emulator: &Value, path: &str, out: &mut Vec<Diff>) {
    match (recorded, emulator) {
        (Value::Object(r), Value::Object(e)) => {
            for k in r.keys().filter(|k| !e.contains_key(*k)) {
                out.push(Diff::Missing(format!("{path}/{k}")));
            }
            for k in e.keys().filter(|k| !r.contains_key(*k)) {
                out.push(Diff::Extra(format!("{path}/{k}")));
            }
            for (k, rv) in r {
                if let Some(ev) = e.get(k) {
                    compare(rv, ev, &format!("{path}/{k}"), out);
                }
            }
        }
        (Value::Array(r), Value::Array(e)) => {
            let p = format!("{path}[]");
            if r.len() == e.len() {
                for (rv, ev) in r.iter().zip(e) {
                    compare(rv, ev, &p, out);
                }
            } else if r.is_empty() || e.is_empty() {
                out.push(Diff::Emptiness {
                    path: p,
                    recorded: r.len(),
                    emulator: e.len(),
                });
            } else {
                compare(&union(r), &union(e), &p, out);
            }
        }
        (r, e) if type_name(r) != type_name(e) => out.push(Diff::Type {
            path: if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
            recorded: type_name(r),
            emulator: type_name(e),
        }),
        _ => {}
    }
}

fn link_rels(values: &[String]) -> (BTreeSet<String>, Option<String>) {
    let mut rels = BTreeSet::new();
    let mut self_url = None;
    for v in values {
        for part in v.split(", <").map(|p| p.trim_start_matches('<')) {
            let Some((url, rest)) = part.split_once('>') else {
                continue;
            };
            if let Some(rel) = rest
                .split("rel=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
            {
                rels.insert(rel.to_string());
                if rel == "self" {
                    self_url = Some(url.to_string());
                }
            }
        }
    }
    (rels, self_url)
}

/// Recorded id → emulator id (also client secrets), learned as responses come in.
#[derive(Default)]
struct IdMap {
    map: HashMap<String, String>,
}

impl IdMap {
    fn apply(&self, text: &str, base: &str) -> String {
        let mut s = text.to_string();
        for h in RECORDED_HOSTS {
            s = s.replace(h, base);
        }
        let mut pairs: Vec<(&String, &String)> = self.map.iter().collect();
        pairs.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        for (from, to) in pairs {
            if s.contains(from.as_str()) {
                s = s.replace(from.as_str(), to);
            }
        }
        s
    }

    /// A policy list: the recorded org has more policies than a new one, so elements are
    /// paired by name (the policies every org has share Okta's names), not by position.
    fn learn_policies(&mut self, recorded: &Value, emulator: &Value) {
        let (Some(r), Some(e)) = (recorded.as_array(), emulator.as_array()) else {
            return;
        };
        for rp in r {
            let found = e
                .iter()
                .find(|ep| ep["name"] == rp["name"] && ep["system"] == rp["system"]);
            if let (Some(rid), Some(eid)) =
                (rp["id"].as_str(), found.and_then(|ep| ep["id"].as_str()))
            {
                self.map
                    .entry(rid.to_string())
                    .or_insert_with(|| eid.to_string());
            }
        }
    }

    fn learn(&mut self, recorded: &Value, emulator: &Value) {
        match (recorded, emulator) {
            (Value::Object(r), Value::Object(e)) => {
                for key in ["id", "client_secret", "userId"] {
                    if let (Some(Value::String(rv)), Some(Value::String(ev))) =
                        (r.get(key), e.get(key))
                    {
                        if rv != ev && rv.len() >= 6 && !self.map.contains_key(rv) {
                            self.map.insert(rv.clone(), ev.clone());
                        }
                    }
                }
                for (k, rv) in r {
                    if k == "_links" {
                        continue;
                    }
                    if let Some(ev) = e.get(k) {
                        self.learn(rv, ev);
                    }
                }
            }
            (Value::Array(r), Value::Array(e)) => {
                for (rv, ev) in r.iter().zip(e) {
                    self.learn(rv, ev);
                }
            }
            _ => {}
        }
    }
}

enum Scope {
    In,
    Out(String),
}

/// Okta-style object ids in a path (20 alphanumerics with a known prefix).
fn ids_in(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|seg| {
            seg.len() == 20
                && seg.chars().all(|c| c.is_ascii_alphanumeric())
                && ["0oa", "00g", "00u", "00T", "ocs"]
                    .iter()
                    .any(|p| seg.starts_with(p))
        })
        .map(str::to_string)
        .collect()
}

fn classify(method: &str, path: &str, body: &str, out_ids: &HashSet<String>) -> Scope {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if ids_in(path).iter().any(|id| out_ids.contains(id)) {
        return Scope::Out("refers to an out-of-scope (non-OIDC) app".into());
    }
    match segs.as_slice() {
        ["api", "v1", "apps"] => {
            if method == "POST" {
                let name = serde_json::from_str::<Value>(body)
                    .ok()
                    .and_then(|b| b.get("name").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_default();
                if name != "oidc_client" {
                    return Scope::Out("non-OIDC (OIN catalog) app types are not emulated".into());
                }
            }
            Scope::In
        }
        ["api", "v1", "apps", _] => Scope::In,
        ["api", "v1", "apps", _, "lifecycle", "activate" | "deactivate"] => Scope::In,
        ["api", "v1", "apps", _, "credentials", "secrets", ..] => Scope::In,
        ["api", "v1", "apps", _, "groups", ..] => Scope::In,
        ["api", "v1", "apps", _, "policies", _] => Scope::In,
        ["api", "v1", "apps", _, "users", ..] => {
            Scope::Out("app user assignments are not emulated".into())
        }
        ["api", "v1", "internal", "apps", _, "settings", "oauth", "idToken"] => Scope::In,
        ["api", "v1", "internal", ..] => {
            Scope::Out("other internal (undocumented) Okta API is not emulated".into())
        }
        ["api", "v1", "groups"] | ["api", "v1", "groups", _] => Scope::In,
        ["api", "v1", "api-tokens", ..] => Scope::In,
        ["api", "v1", "users", "me"] => Scope::In,
        ["api", "v1", "users", ..] => {
            Scope::Out("Users API beyond /users/me is not emulated".into())
        }
        ["api", "v1", "policies", ..] => Scope::In,
        ["api", "v1", "authenticators", ..] => Scope::Out("authenticators are not emulated".into()),
        ["api", "v1", "meta", ..] => Scope::Out("user schemas are not emulated".into()),
        [".well-known", "okta-organization"] => Scope::In,
        _ => Scope::Out(format!("{method} {path} is not emulated")),
    }
}

#[derive(Default, Clone)]
struct Row {
    name: String,
    total: usize,
    in_scope: usize,
    compared: usize,
    matched: usize,
    accepted: usize,
    mismatched: usize,
}

struct Replay<'a> {
    client: &'a reqwest::Client,
    base: &'a str,
}

struct Answer {
    status: u16,
    body: String,
    links: Vec<String>,
}

impl Replay<'_> {
    async fn send(&self, method: &str, url: &str, body: Option<String>) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("recorded method");
        let mut req = self
            .client
            .request(method, url)
            .header("Accept", "application/json")
            .header("Authorization", format!("SSWS {ADMIN_TOKEN}"));
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        let resp = req.send().await.expect("emulator answers");
        let status = resp.status().as_u16();
        let links = resp
            .headers()
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let body = resp.text().await.expect("body");
        Answer {
            status,
            body,
            links,
        }
    }

    /// Creates objects the recorded org already had, out of band, and maps their ids.
    async fn seed(&self, cassette: &Cassette, path: &str, ids: &mut IdMap) {
        for id in ids_in(path) {
            if ids.map.contains_key(&id) {
                continue;
            }
            let recorded = cassette.interactions.iter().find_map(|i| {
                let v: Value = serde_json::from_str(&i.response.body).ok()?;
                (v.get("id").and_then(Value::as_str) == Some(id.as_str())).then_some(v)
            });
            let Some(recorded) = recorded else { continue };
            if id.starts_with("00T") {
                // Okta has no API to create tokens: mint one through the admin endpoint, then
                // give it the recorded network condition through the normal API.
                let minted: Value = self
                    .client
                    .post(format!("{}/__emulator/tokens", self.base))
                    .json(&json!({"name": recorded["name"]}))
                    .send()
                    .await
                    .expect("mint")
                    .json()
                    .await
                    .expect("mint body");
                let new_id = minted["id"].as_str().expect("minted id").to_string();
                let put = self
                    .send(
                        "PUT",
                        &format!("{}/api/v1/api-tokens/{new_id}", self.base),
                        Some(
                            json!({"name": recorded["name"], "network": recorded["network"]})
                                .to_string(),
                        ),
                    )
                    .await;
                assert_eq!(put.status, 200, "seeding token network: {}", put.body);
                ids.map.insert(id.clone(), new_id);
                if let (Some(r), Some(e)) = (recorded["userId"].as_str(), minted["userId"].as_str())
                {
                    ids.map
                        .entry(r.to_string())
                        .or_insert_with(|| e.to_string());
                }
            } else if id.starts_with("00g") {
                let created = self
                    .send(
                        "POST",
                        &format!("{}/api/v1/groups", self.base),
                        Some(json!({"profile": recorded["profile"]}).to_string()),
                    )
                    .await;
                let v: Value = serde_json::from_str(&created.body).expect("group");
                ids.map
                    .insert(id.clone(), v["id"].as_str().expect("group id").to_string());
            }
        }
    }
}

fn recordings_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("OKTA_RECORDINGS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/okta-recordings")
        });
    dir.is_dir().then_some(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_recorded_okta_traffic() {
    let Some(dir) = recordings_dir() else {
        println!(
            "SKIPPED emulator fidelity: no recordings directory (set OKTA_RECORDINGS_DIR or provide ../shared/okta-recordings)"
        );
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read recordings dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    if files.is_empty() {
        println!(
            "SKIPPED emulator fidelity: no .yaml cassettes in {}",
            dir.display()
        );
        return;
    }

    let emu = spawn(
        EmulatorConfig::ephemeral()
            .with_api_token(ADMIN_TOKEN)
            .with_rate_limit(1_000_000),
    )
    .await
    .expect("emulator starts");
    let base = emu.base_url().to_string();
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let replay = Replay {
        client: &client,
        base: &base,
    };

    let mut rows = Vec::new();
    let mut out_reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut accepted_seen: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
    let mut failures = String::new();

    for file in &files {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(file).expect("read cassette");
        let cassette: Cassette = serde_yaml::from_str(&text).expect("parse cassette");
        let status = client
            .post(format!("{base}/__emulator/reset"))
            .send()
            .await
            .expect("reset")
            .status();
        assert_eq!(status.as_u16(), 204);

        let mut row = Row {
            name: name.clone(),
            total: cassette.interactions.len(),
            ..Row::default()
        };
        let mut ids = IdMap::default();
        let mut out_ids: HashSet<String> = HashSet::new();
        for (n, it) in cassette.interactions.iter().enumerate() {
            let url = &it.request.url;
            let path_and_query = RECORDED_HOSTS
                .iter()
                .find_map(|h| url.strip_prefix(h))
                .unwrap_or(url);
            let path = path_and_query.split('?').next().unwrap_or("");
            match classify(&it.request.method, path, &it.request.body, &out_ids) {
                Scope::Out(reason) => {
                    // Remember non-OIDC apps so later calls on them are skipped too.
                    if it.request.method == "POST" && path == "/api/v1/apps" {
                        if let Some(id) = serde_json::from_str::<Value>(&it.response.body)
                            .ok()
                            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
                        {
                            out_ids.insert(id);
                        }
                    }
                    *out_reasons.entry(reason).or_default() += 1;
                    continue;
                }
                Scope::In => {}
            }
            row.in_scope += 1;
            replay.seed(&cassette, path, &mut ids).await;
            let target = ids.apply(&format!("{base}{path_and_query}"), &base);
            let body =
                (!it.request.body.trim().is_empty()).then(|| ids.apply(&it.request.body, &base));
            let answer = replay.send(&it.request.method, &target, body).await;
            row.compared += 1;

            let mut diffs = Vec::new();
            if answer.status != it.response.code {
                diffs.push(Diff::Status {
                    recorded: it.response.code,
                    emulator: answer.status,
                });
            }
            let rec_body = it.response.body.trim();
            let emu_body = answer.body.trim();
            match (rec_body.is_empty(), emu_body.is_empty()) {
                (true, true) => {}
                (true, false) | (false, true) => diffs.push(Diff::Body(format!(
                    "recorded {} bytes, emulator {} bytes",
                    rec_body.len(),
                    emu_body.len()
                ))),
                (false, false) => {
                    match (
                        serde_json::from_str::<Value>(rec_body),
                        serde_json::from_str::<Value>(emu_body),
                    ) {
                        (Ok(r), Ok(e)) => {
                            if let Some(rc) = r.get("errorCode").and_then(Value::as_str) {
                                let ec = e.get("errorCode").and_then(Value::as_str).unwrap_or("");
                                if rc != ec {
                                    diffs.push(Diff::ErrorCode {
                                        recorded: rc.into(),
                                        emulator: ec.into(),
                                    });
                                }
                            }
                            compare(&r, &e, "", &mut diffs);
                            if answer.status == it.response.code {
                                if path == "/api/v1/policies" {
                                    ids.learn_policies(&r, &e);
                                } else {
                                    ids.learn(&r, &e);
                                }
                            }
                        }
                        _ => diffs.push(Diff::Body("not JSON on one side".into())),
                    }
                }
            }
            let recorded_links = it
                .response
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("link"))
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let (rec_rels, rec_self) = link_rels(&recorded_links);
            let (emu_rels, emu_self) = link_rels(&answer.links);
            if rec_rels != emu_rels {
                diffs.push(Diff::LinkRels {
                    recorded: rec_rels,
                    emulator: emu_rels,
                });
            }
            if let (Some(r), Some(e)) = (rec_self, emu_self) {
                let r = ids.apply(&r, &base);
                if r != e {
                    diffs.push(Diff::SelfLink {
                        recorded: r,
                        emulator: e,
                    });
                }
            }

            let mut unaccepted = Vec::new();
            for d in &diffs {
                match accepted(d) {
                    Some(reason) => {
                        *accepted_seen.entry((reason, d.to_string())).or_default() += 1;
                    }
                    None => unaccepted.push(d),
                }
            }
            if diffs.is_empty() {
                row.matched += 1;
            } else if unaccepted.is_empty() {
                row.accepted += 1;
            } else {
                row.mismatched += 1;
                let _ = writeln!(failures, "{name} #{n} {} {path}:", it.request.method);
                for d in unaccepted.iter().take(12) {
                    let _ = writeln!(failures, "    {d}");
                }
                if answer.status != it.response.code {
                    let _ = writeln!(failures, "    emulator body: {}", answer.body);
                }
            }
        }
        rows.push(row);
    }

    // ---- report -----------------------------------------------------------------------------
    let mut total = Row {
        name: "TOTAL".into(),
        ..Row::default()
    };
    for r in &rows {
        total.total += r.total;
        total.in_scope += r.in_scope;
        total.compared += r.compared;
        total.matched += r.matched;
        total.accepted += r.accepted;
        total.mismatched += r.mismatched;
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "\nokta-emulator fidelity against {} recordings in {}\n",
        rows.len(),
        dir.display()
    );
    let _ = writeln!(
        report,
        "{:<70} {:>6} {:>9} {:>9} {:>8} {:>9} {:>11}",
        "recording", "total", "in scope", "compared", "matched", "accepted", "mismatched"
    );
    for r in rows.iter().chain(std::iter::once(&total)) {
        let _ = writeln!(
            report,
            "{:<70} {:>6} {:>9} {:>9} {:>8} {:>9} {:>11}",
            r.name, r.total, r.in_scope, r.compared, r.matched, r.accepted, r.mismatched
        );
    }
    let _ = writeln!(
        report,
        "\n(matched = identical status, key sets, types, error codes and Link relations; \
         accepted = differs only by accepted differences)"
    );
    let _ = writeln!(report, "\nOut of scope, skipped:");
    for (reason, count) in &out_reasons {
        let _ = writeln!(report, "  {count:>5}  {reason}");
    }
    let _ = writeln!(report, "\nAccepted differences:");
    if accepted_seen.is_empty() {
        let _ = writeln!(report, "  none");
    }
    for ((reason, diff), count) in &accepted_seen {
        let _ = writeln!(
            report,
            "  {count:>5}  accepted difference: {diff} — {reason}"
        );
    }
    println!("{report}");
    if !failures.is_empty() {
        println!("Mismatches:\n{failures}");
    }
    emu.shutdown().await.expect("shutdown");

    assert!(total.in_scope > 0, "no in-scope interactions found");
    assert_eq!(total.compared, total.in_scope);
    assert_eq!(total.mismatched, 0, "unaccepted differences:\n{failures}");
}

#[test]
fn compare_reports_keys_types_and_unions() {
    let mut d = Vec::new();
    compare(
        &json!({"a": 1, "b": {"c": null}, "l": [{"x": 1}, {"y": 2}], "e": []}),
        &json!({"a": "1", "b": {"c": {}}, "l": [{"x": 1, "y": 2, "z": 3}], "e": [], "n": 0}),
        "",
        &mut d,
    );
    assert!(d.contains(&Diff::Extra("/n".into())));
    assert!(d.contains(&Diff::Type {
        path: "/a".into(),
        recorded: "number",
        emulator: "string"
    }));
    assert!(d.contains(&Diff::Extra("/l[]/z".into())));
    assert_eq!(
        accepted(&Diff::Type {
            path: "/b/c".into(),
            recorded: "null",
            emulator: "object"
        }),
        None
    );
    assert!(accepted(&Diff::Type {
        path: "[]/universalLogout".into(),
        recorded: "null",
        emulator: "object"
    })
    .is_some());
    assert!(d.contains(&Diff::Type {
        path: "/b/c".into(),
        recorded: "null",
        emulator: "object"
    }));
    assert_eq!(d.len(), 4, "{d:?}");
}

#[test]
fn link_headers_parse() {
    let (rels, self_url) = link_rels(&[
        "<https://h/api/v1/users?limit=1>; rel=\"self\"".into(),
        "<https://h/api/v1/users?after=x&limit=1>; rel=\"next\"".into(),
    ]);
    assert_eq!(rels.into_iter().collect::<Vec<_>>(), vec!["next", "self"]);
    assert_eq!(self_url.as_deref(), Some("https://h/api/v1/users?limit=1"));
}

#[test]
fn policies_pair_by_name_not_position() {
    let mut ids = IdMap::default();
    ids.learn_policies(
        &json!([
            {"id": "rstRECORDEDcustom001", "name": "Someone's policy", "system": false},
            {"id": "rstRECORDEDdefault01", "name": "Any two factors", "system": true}
        ]),
        &json!([
            {"id": "rstEMULATORdash0001", "name": "Okta Dashboard", "system": false},
            {"id": "rstEMULATORdefault1", "name": "Any two factors", "system": true}
        ]),
    );
    assert_eq!(
        ids.map.get("rstRECORDEDdefault01").map(String::as_str),
        Some("rstEMULATORdefault1")
    );
    assert!(!ids.map.contains_key("rstRECORDEDcustom001"));
}
