//! The real Pomerium binary as a test tool (docs/pomerium.md says what is real and what stands in
//! for Envoy). Pomerium runs as it ships, minus Envoy: the harness starts it with the
//! `config_yaml` Terraform rendered, verbatim, plus only harness keys, and plays Envoy's three
//! parts itself:
//! - requests for the authenticate host (and `/.pomerium/` paths of the route's host) go to
//!   Pomerium's own HTTP listener, with `X-Forwarded-Proto: https` as Envoy sends them;
//! - Pomerium's services call each other through Envoy's outbound gRPC listener: here a TCP
//!   byte pipe from `outbound-port` to `grpc-port`;
//! - every other request for the route's host is decided by an ext_authz `Check`
//!   (envoy.service.auth.v3.Authorization) against the gRPC port, with the route's id in the
//!   context extensions, as Envoy's filter sends it.
//!
//! [`Browser`] follows redirects itself, so each hop goes where Envoy (or the emulator) would
//! answer it, and keeps cookies per host.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::terraform::SKIPPED;

pub const AUTHENTICATE_HOST: &str = "authenticate.example.com";
pub const APP_HOST: &str = "app.example.com";

/// How long Pomerium may take to log `server started` (a cold start is about 2 s here).
const START_TIMEOUT: Duration = Duration::from_secs(45);

/// Minimal ext_authz messages: only the fields Pomerium reads or answers. Field numbers are
/// Envoy's (envoy.service.auth.v3, envoy.config.core.v3, envoy.type.v3, google.rpc).
mod ext_authz {
    use std::collections::HashMap;

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct CheckRequest {
        #[prost(message, optional, tag = "1")]
        pub attributes: Option<AttributeContext>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct AttributeContext {
        #[prost(message, optional, tag = "4")]
        pub request: Option<Request>,
        #[prost(map = "string, string", tag = "10")]
        pub context_extensions: HashMap<String, String>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        #[prost(message, optional, tag = "2")]
        pub http: Option<HttpRequest>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct HttpRequest {
        #[prost(string, tag = "1")]
        pub id: String,
        #[prost(string, tag = "2")]
        pub method: String,
        #[prost(map = "string, string", tag = "3")]
        pub headers: HashMap<String, String>,
        #[prost(string, tag = "4")]
        pub path: String,
        #[prost(string, tag = "5")]
        pub host: String,
        #[prost(string, tag = "6")]
        pub scheme: String,
        #[prost(string, tag = "10")]
        pub protocol: String,
    }

    /// `http_response` is a oneof of fields 2 and 3: two optional fields on the wire.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct CheckResponse {
        #[prost(message, optional, tag = "1")]
        pub status: Option<RpcStatus>,
        #[prost(message, optional, tag = "2")]
        pub denied_response: Option<DeniedHttpResponse>,
        #[prost(message, optional, tag = "3")]
        pub ok_response: Option<OkHttpResponse>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct RpcStatus {
        #[prost(int32, tag = "1")]
        pub code: i32,
        #[prost(string, tag = "2")]
        pub message: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct DeniedHttpResponse {
        #[prost(message, optional, tag = "1")]
        pub status: Option<HttpStatus>,
        #[prost(message, repeated, tag = "2")]
        pub headers: Vec<HeaderValueOption>,
        #[prost(string, tag = "3")]
        pub body: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct HttpStatus {
        /// envoy.type.v3.StatusCode: the HTTP status number itself.
        #[prost(int32, tag = "1")]
        pub code: i32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct OkHttpResponse {
        #[prost(message, repeated, tag = "2")]
        pub headers: Vec<HeaderValueOption>,
        #[prost(string, repeated, tag = "5")]
        pub headers_to_remove: Vec<String>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct HeaderValueOption {
        #[prost(message, optional, tag = "1")]
        pub header: Option<HeaderValue>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct HeaderValue {
        #[prost(string, tag = "1")]
        pub key: String,
        #[prost(string, tag = "2")]
        pub value: String,
        #[prost(bytes = "vec", tag = "3")]
        pub raw_value: Vec<u8>,
    }

    /// (lower-case name, value) pairs; newer Envoy APIs put values in `raw_value`.
    pub fn pairs(options: &[HeaderValueOption]) -> Vec<(String, String)> {
        options
            .iter()
            .filter_map(|o| o.header.as_ref())
            .map(|h| {
                let value = if h.value.is_empty() {
                    String::from_utf8_lossy(&h.raw_value).into_owned()
                } else {
                    h.value.clone()
                };
                (h.key.to_ascii_lowercase(), value)
            })
            .collect()
    }
}

/// Envoy's side of route discovery (delta ADS), as far as the harness needs it: the route
/// configurations Pomerium sends, down to the ext_authz context extensions of each route.
/// Field numbers are Envoy's (envoy.service.discovery.v3, envoy.config.route.v3,
/// envoy.extensions.filters.http.ext_authz.v3, google.protobuf.Any).
mod xds {
    use std::collections::HashMap;

    pub const ROUTE_CONFIGURATION: &str =
        "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    pub const EXT_AUTHZ_FILTER: &str = "envoy.filters.http.ext_authz";

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Node {
        #[prost(string, tag = "1")]
        pub id: String,
        #[prost(string, tag = "2")]
        pub cluster: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct DeltaDiscoveryRequest {
        #[prost(message, optional, tag = "1")]
        pub node: Option<Node>,
        #[prost(string, tag = "2")]
        pub type_url: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct DeltaDiscoveryResponse {
        #[prost(message, repeated, tag = "2")]
        pub resources: Vec<Resource>,
        #[prost(string, tag = "4")]
        pub type_url: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Resource {
        #[prost(message, optional, tag = "2")]
        pub resource: Option<Any>,
        #[prost(string, tag = "3")]
        pub name: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Any {
        #[prost(string, tag = "1")]
        pub type_url: String,
        #[prost(bytes = "vec", tag = "2")]
        pub value: Vec<u8>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct RouteConfiguration {
        #[prost(message, repeated, tag = "2")]
        pub virtual_hosts: Vec<VirtualHost>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct VirtualHost {
        #[prost(string, repeated, tag = "2")]
        pub domains: Vec<String>,
        #[prost(message, repeated, tag = "3")]
        pub routes: Vec<Route>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Route {
        #[prost(map = "string, message", tag = "13")]
        pub typed_per_filter_config: HashMap<String, Any>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ExtAuthzPerRoute {
        #[prost(message, optional, tag = "2")]
        pub check_settings: Option<CheckSettings>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct CheckSettings {
        #[prost(map = "string, string", tag = "1")]
        pub context_extensions: HashMap<String, String>,
    }

    /// The ext_authz context extensions of the non-internal routes for `host`.
    pub fn route_extensions(
        response: &DeltaDiscoveryResponse,
        host: &str,
    ) -> Vec<HashMap<String, String>> {
        use prost::Message;
        let mut out = Vec::new();
        for r in &response.resources {
            let Some(any) = &r.resource else { continue };
            let Ok(config) = RouteConfiguration::decode(any.value.as_slice()) else {
                continue;
            };
            for vh in config
                .virtual_hosts
                .iter()
                .filter(|v| v.domains.iter().any(|d| d == host))
            {
                for route in &vh.routes {
                    let Some(per) = route.typed_per_filter_config.get(EXT_AUTHZ_FILTER) else {
                        continue;
                    };
                    let Ok(per) = ExtAuthzPerRoute::decode(per.value.as_slice()) else {
                        continue;
                    };
                    if let Some(cs) = per.check_settings {
                        if cs.context_extensions.get("internal").map(String::as_str)
                            == Some("false")
                        {
                            out.push(cs.context_extensions);
                        }
                    }
                }
            }
        }
        out
    }
}

/// A Pomerium version the harness knows how to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V0_19_1,
    V0_32_0,
}

impl Version {
    pub fn tag(self) -> &'static str {
        match self {
            Version::V0_19_1 => "v0.19.1",
            Version::V0_32_0 => "v0.32.0",
        }
    }

    /// 0.20 removed directory sync (and brought the health-check listener).
    fn has_health_listener(self) -> bool {
        self == Version::V0_32_0
    }
}

/// The binary: `OKTAIDP_POMERIUM_0_32_0` (dots as underscores), else the cache of
/// scripts/install-pomerium.sh. `Err("skipped: ...")` when there is none.
pub fn binary(version: Version) -> Result<PathBuf, String> {
    let tag = version.tag();
    let var = format!(
        "OKTAIDP_POMERIUM_{}",
        tag.trim_start_matches('v').replace('.', "_")
    );
    if let Ok(p) = std::env::var(&var) {
        if !p.is_empty() {
            return Ok(PathBuf::from(p));
        }
    }
    let cache = std::env::var("OKTAIDP_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("XDG_CACHE_HOME").map(|x| PathBuf::from(x).join("oktaidp")))
        .or_else(|_| std::env::var("HOME").map(|h| PathBuf::from(h).join(".cache/oktaidp")))
        .map_err(|_| format!("{SKIPPED}Pomerium {tag}: no HOME to find its cache in"))?;
    let dir = cache.join("pomerium").join(tag);
    let path = dir.join("pomerium");
    if path.is_file() {
        return Ok(path);
    }
    let why = std::fs::read_to_string(dir.join("UNBUILDABLE"))
        .map(|w| format!("not buildable here: {}", w.trim()))
        .unwrap_or_else(|_| "not built".into());
    Err(format!(
        "{SKIPPED}Pomerium {tag} {why} (build it with `scripts/install-pomerium.sh {tag}`: Go and \
         the Go module proxy; or set {var} to a binary)"
    ))
}

/// A free loopback port (bound, then released: Pomerium binds it moments later).
fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("free port: {e}"))
}

fn random_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What the harness adds to the rendered settings.
pub struct HarnessKeys {
    /// The route's policy, as YAML lines under `policy:` (indented by the caller's 6 spaces).
    pub policy: String,
    /// Extra top-level keys, e.g. `idp_refresh_directory_interval: 3s` (0.19 directory sync).
    pub extra: Vec<String>,
}

impl HarnessKeys {
    /// `allow` when the session's `groups` claim holds `group`.
    pub fn claim_group(group: &str) -> Self {
        HarnessKeys {
            policy: format!(
                "      - allow:\n          and:\n            - claim/groups: {group}\n"
            ),
            extra: Vec::new(),
        }
    }
}

/// Secrets that stay the same across restarts of one case's Pomerium (a restart with new IdP
/// settings must still read the browser's cookies).
#[derive(Clone)]
pub struct Secrets {
    shared: String,
    cookie: String,
}

impl Secrets {
    pub fn new() -> Self {
        Secrets {
            shared: random_secret(),
            cookie: random_secret(),
        }
    }
}

/// A running Pomerium and the Envoy parts the harness plays for it.
pub struct Pomerium {
    child: Child,
    pub version: Version,
    dir: tempfile::TempDir,
    pub http_port: u16,
    pub grpc_port: u16,
    pipe_stop: Arc<AtomicBool>,
    rt: tokio::runtime::Runtime,
    /// The route's ext_authz context extensions (`route_id`, ...), learnt as Envoy learns them.
    route_extensions: HashMap<String, String>,
}

impl Drop for Pomerium {
    fn drop(&mut self) {
        self.pipe_stop.store(true, Ordering::SeqCst);
        // OKTAIDP_POMERIUM_LOG_DIR keeps each run's whole log (the errors quote only its tail).
        if let Ok(dir) = std::env::var("OKTAIDP_POMERIUM_LOG_DIR") {
            let name = format!("pomerium-{}-{}.log", self.version.tag(), self.child.id());
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::copy(self.log_path(), PathBuf::from(dir).join(name));
        }
        // Pomerium runs in its own process group with the Envoy stand-in it starts: end both.
        let pgid = self.child.id() as i32;
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

impl Pomerium {
    /// Starts `version` with `rendered` (Terraform's `config_yaml`, verbatim) plus the harness
    /// keys, and waits for `server started`. Errors carry the tail of Pomerium's log.
    pub fn start(
        version: Version,
        rendered: &str,
        keys: &HarnessKeys,
        secrets: &Secrets,
    ) -> Result<Self, String> {
        let bin = binary(version)?;
        let dir = tempfile::Builder::new()
            .prefix("oktaidp-pomerium-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let mut config = rendered.to_string();
        if !config.ends_with('\n') {
            config.push('\n');
        }
        config.push_str("# harness keys (tests/acceptance/pomerium.rs)\n");
        // Envoy's listeners: the stand-in binds none of them, but they must not clash.
        config.push_str(&format!("address: 127.0.0.1:{}\n", free_port()?));
        config.push_str(&format!("grpc_address: 127.0.0.1:{}\n", free_port()?));
        if version.has_health_listener() {
            config.push_str(&format!("health_check_addr: 127.0.0.1:{}\n", free_port()?));
        }
        config.push_str("insecure_server: true\n");
        config.push_str(&format!("shared_secret: {}\n", secrets.shared));
        config.push_str(&format!("cookie_secret: {}\n", secrets.cookie));
        for line in &keys.extra {
            config.push_str(line);
            config.push('\n');
        }
        config.push_str(&format!(
            "routes:\n  - from: https://{APP_HOST}\n    to: http://127.0.0.1:9\n    policy:\n{}",
            keys.policy
        ));
        let config_path = dir.path().join("config.yaml");
        std::fs::write(&config_path, &config).map_err(|e| format!("config.yaml: {e}"))?;
        let log = std::fs::File::create(dir.path().join("pomerium.log"))
            .map_err(|e| format!("pomerium.log: {e}"))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(&bin)
                .arg("--config")
                .arg(&config_path)
                .current_dir(dir.path())
                .env("HOME", dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::from(log))
                .stderr(Stdio::from(log_err))
                .process_group(0)
                .spawn()
                .map_err(|e| format!("starting {}: {e}", bin.display()))?
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let mut pom = Pomerium {
            child,
            version,
            dir,
            http_port: 0,
            grpc_port: 0,
            pipe_stop: Arc::new(AtomicBool::new(false)),
            rt,
            route_extensions: HashMap::new(),
        };
        let ports = pom.wait_started()?;
        pom.grpc_port = ports.0;
        pom.http_port = ports.1;
        pipe(ports.2, ports.0, pom.pipe_stop.clone())
            .map_err(|e| pom.failure(&format!("outbound pipe: {e}")))?;
        let pipe_up = Instant::now();
        pom.wait_http()?;
        pom.route_extensions = pom.discover_route()?;
        // Pomerium's internal gRPC clients dialled the outbound port before the pipe was there
        // (Envoy's listener would have been up): they retry after gRPC's first backoff (1 s,
        // +-20%); until then their calls fail fast. Let that retry happen before a case starts.
        std::thread::sleep(
            (pipe_up + Duration::from_millis(1500)).saturating_duration_since(Instant::now()),
        );
        Ok(pom)
    }

    /// The route's ext_authz context extensions from Pomerium's route discovery (delta ADS on
    /// the gRPC port, where Envoy gets them). v0.19.1 finds the route by URL and gets none.
    fn discover_route(&self) -> Result<HashMap<String, String>, String> {
        if self.version == Version::V0_19_1 {
            return Ok(HashMap::new());
        }
        let port = self.grpc_port;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let answer = self.rt.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), route_configurations(port))
                    .await
                    .unwrap_or_else(|_| Err("route discovery: no answer within 10 s".into()))
            });
            let found = match &answer {
                Ok(r) => xds::route_extensions(r, APP_HOST),
                Err(_) => Vec::new(),
            };
            match found.as_slice() {
                [one] if one.get("route_id").is_some_and(|id| !id.is_empty()) => {
                    return Ok(one.clone())
                }
                [] | [_] if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                _ => {
                    return Err(self.failure(&format!(
                        "route discovery: no single route for {APP_HOST} with a route_id ({:?}; {} found)",
                        answer.err(),
                        found.len()
                    )))
                }
            }
        }
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("pomerium.log")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// The last lines of Pomerium's log, for error messages.
    pub fn log_tail(&self) -> String {
        tail(&self.log(), 25)
    }

    pub fn failure(&self, what: &str) -> String {
        format!(
            "{what}\n--- Pomerium {} log (last lines) ---\n{}",
            self.version.tag(),
            self.log_tail()
        )
    }

    /// (grpc, http, outbound) ports from the `server started` line.
    fn wait_started(&mut self) -> Result<(u16, u16, u16), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            for line in self.log().lines() {
                if !line.contains("server started") {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(line)
                    .map_err(|e| self.failure(&format!("`server started` is not JSON: {e}")))?;
                let port = |k: &str| v[k].as_str().and_then(|p| p.parse::<u16>().ok());
                return match (port("grpc-port"), port("http-port"), port("outbound-port")) {
                    (Some(g), Some(h), Some(o)) => Ok((g, h, o)),
                    _ => Err(self.failure("`server started` without its ports")),
                };
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.failure(&format!(
                    "Pomerium {} exited ({status}) before `server started`",
                    self.version.tag()
                )));
            }
            if Instant::now() > deadline {
                return Err(self.failure("no `server started` within 45 s"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the HTTP listener answers (it is served just after `server started`).
    fn wait_http(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        let http = plain_client()?;
        loop {
            let url = format!("http://127.0.0.1:{}/ping", self.http_port);
            if http.get(&url).send().is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.failure(&format!("Pomerium exited ({status})")));
            }
            if Instant::now() > deadline {
                return Err(self.failure("the HTTP listener did not answer /ping within 15 s"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Envoy's ext_authz call for a request to the route's host.
    pub fn check(&self, method: &str, url: &url::Url, cookie: &str) -> Result<Decision, String> {
        let host = url.host_str().unwrap_or_default().to_string();
        let mut path = url.path().to_string();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        let mut headers = HashMap::from([
            (":authority".to_string(), host.clone()),
            (":method".to_string(), method.to_string()),
            (":path".to_string(), path.clone()),
            (":scheme".to_string(), "https".to_string()),
            ("accept".to_string(), "text/html".to_string()),
            ("user-agent".to_string(), "oktaidp-harness".to_string()),
            ("x-forwarded-proto".to_string(), "https".to_string()),
        ]);
        if !cookie.is_empty() {
            headers.insert("cookie".into(), cookie.to_string());
        }
        let request = ext_authz::CheckRequest {
            attributes: Some(ext_authz::AttributeContext {
                request: Some(ext_authz::Request {
                    http: Some(ext_authz::HttpRequest {
                        id: format!("{}", rand::random::<u64>()),
                        method: method.to_string(),
                        headers,
                        path,
                        host,
                        scheme: "https".into(),
                        protocol: "HTTP/1.1".into(),
                    }),
                }),
                context_extensions: self.route_extensions.clone(),
            }),
        };
        let port = self.grpc_port;
        let answer = self.rt.block_on(async move {
            tokio::time::timeout(Duration::from_secs(20), async move {
                let channel =
                    tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
                        .map_err(|e| e.to_string())?
                        .connect_timeout(Duration::from_secs(5))
                        .timeout(Duration::from_secs(15))
                        .connect()
                        .await
                        .map_err(|e| format!("connecting to the gRPC port: {e}"))?;
                let mut grpc = tonic::client::Grpc::new(channel);
                grpc.ready().await.map_err(|e| e.to_string())?;
                let codec = tonic_prost::ProstCodec::<
                    ext_authz::CheckRequest,
                    ext_authz::CheckResponse,
                >::default();
                let path = http::uri::PathAndQuery::from_static(
                    "/envoy.service.auth.v3.Authorization/Check",
                );
                grpc.unary(tonic::Request::new(request), path, codec)
                    .await
                    .map(tonic::Response::into_inner)
                    .map_err(|s| format!("Check: {} {}", s.code(), s.message()))
            })
            .await
            .unwrap_or_else(|_| Err("Check: no answer within 20 s".into()))
        });
        let response = answer.map_err(|e| self.failure(&e))?;
        if let Some(ok) = response.ok_response {
            return Ok(Decision::Allowed {
                headers: ext_authz::pairs(&ok.headers),
            });
        }
        if let Some(denied) = response.denied_response {
            return Ok(Decision::Denied {
                status: denied.status.map(|s| s.code).unwrap_or(403) as u16,
                headers: ext_authz::pairs(&denied.headers),
                body: denied.body,
            });
        }
        // Envoy reads the gRPC status when no HTTP response is set: OK allows, else 403.
        match response.status {
            Some(s) if s.code != 0 => Ok(Decision::Denied {
                status: 403,
                headers: Vec::new(),
                body: s.message,
            }),
            _ => Ok(Decision::Allowed {
                headers: Vec::new(),
            }),
        }
    }
}

/// One delta ADS exchange: subscribe to route configurations, read the first answer.
async fn route_configurations(port: u16) -> Result<xds::DeltaDiscoveryResponse, String> {
    use futures::StreamExt;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
        .map_err(|e| e.to_string())?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("connecting to the gRPC port: {e}"))?;
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.map_err(|e| e.to_string())?;
    let request = xds::DeltaDiscoveryRequest {
        node: Some(xds::Node {
            id: "oktaidp-harness".into(),
            cluster: "oktaidp-harness".into(),
        }),
        type_url: xds::ROUTE_CONFIGURATION.into(),
    };
    // The stream stays open as Envoy's does: the server answers, then waits for an ACK.
    let outbound = futures::stream::once(async move { request }).chain(futures::stream::pending());
    let codec =
        tonic_prost::ProstCodec::<xds::DeltaDiscoveryRequest, xds::DeltaDiscoveryResponse>::default(
        );
    let path = http::uri::PathAndQuery::from_static(
        "/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources",
    );
    let mut inbound = grpc
        .streaming(tonic::Request::new(outbound), path, codec)
        .await
        .map_err(|s| format!("route discovery: {} {}", s.code(), s.message()))?
        .into_inner();
    match tokio::time::timeout(Duration::from_secs(5), inbound.message()).await {
        Ok(Ok(Some(r))) => Ok(r),
        Ok(Ok(None)) => Err("route discovery: the stream ended without an answer".into()),
        Ok(Err(s)) => Err(format!("route discovery: {} {}", s.code(), s.message())),
        Err(_) => Err("route discovery: no answer within 5 s".into()),
    }
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Envoy's outbound gRPC listener: every connection to `from` is piped to `to`, both ways.
fn pipe(from: u16, to: u16, stop: Arc<AtomicBool>) -> Result<(), String> {
    let listener =
        TcpListener::bind(("127.0.0.1", from)).map_err(|e| format!("bind :{from}: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("listener: {e}"))?;
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((inbound, _)) => {
                    let _ = inbound.set_nonblocking(false);
                    if let Ok(outbound) = TcpStream::connect(("127.0.0.1", to)) {
                        splice(inbound, outbound);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(_) => break,
            }
        }
    });
    Ok(())
}

fn splice(a: TcpStream, b: TcpStream) {
    let (Ok(a2), Ok(b2)) = (a.try_clone(), b.try_clone()) else {
        return;
    };
    fn copy(mut from: TcpStream, mut to: TcpStream) {
        let mut buf = [0u8; 16384];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Write);
    }
    std::thread::spawn(move || copy(a, b2));
    std::thread::spawn(move || copy(b, a2));
}

fn plain_client() -> Result<reqwest::blocking::Client, String> {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| e.to_string())
}

/// Envoy's answer for a request to the route's host.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Forwarded upstream with these headers added (e.g. `x-pomerium-jwt-assertion`).
    Allowed { headers: Vec<(String, String)> },
    Denied {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
}

/// Where a browser's navigation ended.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: url::Url,
    pub status: u16,
    pub body: String,
    /// For the route's host: Pomerium's `Check` allowed the request, with these headers.
    pub upstream_headers: Option<Vec<(String, String)>>,
    /// Every URL visited on the way, in order.
    pub trail: Vec<String>,
}

impl Page {
    pub fn allowed(&self) -> bool {
        self.upstream_headers.is_some()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.upstream_headers
            .as_ref()?
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Status, URL and trail for error messages. Query values are left out (codes, ID-token
    /// hints) except Okta's `error` and `error_description`.
    pub fn describe(&self) -> String {
        let query: Vec<String> = self
            .url
            .query_pairs()
            .map(|(k, v)| match k.as_ref() {
                "error" | "error_description" => format!("{k}={v}"),
                _ => format!("{k}=…"),
            })
            .collect();
        format!(
            "{} {}{}{} via {}\n{}",
            self.status,
            short(&self.url),
            if query.is_empty() { "" } else { "?" },
            query.join("&"),
            self.trail.join(" -> "),
            self.body.chars().take(1500).collect::<String>()
        )
    }
}

/// A browser: cookies per host, redirects followed by hand so each hop reaches whoever answers
/// it behind Envoy (Pomerium's HTTP listener or its `Check`) or the emulator directly.
pub struct Browser {
    http: reqwest::blocking::Client,
    /// host (with port when not 443) -> cookie name -> value.
    jar: HashMap<String, BTreeMap<String, String>>,
    emulator: url::Url,
}

fn jar_key(u: &url::Url) -> String {
    match (u.host_str(), u.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

impl Browser {
    pub fn new(emulator_url: &str) -> Result<Self, String> {
        Ok(Browser {
            http: plain_client()?,
            jar: HashMap::new(),
            emulator: url::Url::parse(emulator_url).map_err(|e| e.to_string())?,
        })
    }

    /// A fresh browser (no cookies), e.g. another user.
    pub fn fresh(&self) -> Result<Self, String> {
        Browser::new(self.emulator.as_str())
    }

    fn cookie_header(&self, u: &url::Url) -> String {
        self.jar
            .get(&jar_key(u))
            .map(|c| {
                c.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }

    fn store(&mut self, u: &url::Url, set_cookies: &[String]) {
        let jar = self.jar.entry(jar_key(u)).or_default();
        for sc in set_cookies {
            let mut parts = sc.split(';');
            let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim().to_string(), value.trim().to_string());
            let expired = parts.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0"
                    || a.starts_with("max-age=-")
                    || a.starts_with("expires=") && a.contains("1970")
            });
            if expired || value.is_empty() {
                jar.remove(&name);
            } else {
                jar.insert(name, value);
            }
        }
    }

    /// GETs `url` and follows redirects until a page that is not one.
    pub fn visit(&mut self, pom: &Pomerium, url: &str) -> Result<Page, String> {
        let u = url::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
        self.follow(pom, "GET", u, None, Vec::new())
    }

    /// Submits the emulator's sign-in form found on `page`.
    pub fn sign_in(
        &mut self,
        pom: &Pomerium,
        page: &Page,
        username: &str,
        password: &str,
    ) -> Result<Page, String> {
        let action = html_attr_after(&page.body, "<form", "action")
            .ok_or_else(|| format!("no sign-in form on {}", page.describe()))?;
        let query = html_attr_after(&page.body, "name=\"authorize_query\"", "value")
            .ok_or_else(|| format!("no authorize_query in the form on {}", page.url))?;
        let target = page
            .url
            .join(&action)
            .map_err(|e| format!("form action {action}: {e}"))?;
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("authorize_query", &query)
            .append_pair("username", username)
            .append_pair("password", password)
            .finish();
        self.follow(pom, "POST", target, Some(body), page.trail.clone())
    }

    fn follow(
        &mut self,
        pom: &Pomerium,
        mut method: &str,
        mut u: url::Url,
        mut body: Option<String>,
        mut trail: Vec<String>,
    ) -> Result<Page, String> {
        for _ in 0..20 {
            trail.push(format!("{method} {}", short(&u)));
            let (status, headers, text, upstream) = self.one(pom, method, &u, body.take())?;
            let location = headers
                .iter()
                .find(|(k, _)| k == "location")
                .map(|(_, v)| v.clone());
            match location {
                Some(loc) if (300..400).contains(&status) => {
                    u = u
                        .join(&loc)
                        .map_err(|e| format!("bad Location {loc:?}: {e}"))?;
                    method = "GET";
                }
                _ => {
                    return Ok(Page {
                        url: u,
                        status,
                        body: text,
                        upstream_headers: upstream,
                        trail,
                    })
                }
            }
        }
        Err(pom.failure(&format!("more than 20 redirects: {}", trail.join(" -> "))))
    }

    /// One request, sent where Envoy (or the emulator) would answer it.
    #[allow(clippy::type_complexity)]
    fn one(
        &mut self,
        pom: &Pomerium,
        method: &str,
        u: &url::Url,
        body: Option<String>,
    ) -> Result<
        (
            u16,
            Vec<(String, String)>,
            String,
            Option<Vec<(String, String)>>,
        ),
        String,
    > {
        let host = u.host_str().unwrap_or_default();
        let cookie = self.cookie_header(u);
        let to_emulator = jar_key(u) == jar_key(&self.emulator);
        let to_pomerium_http =
            host == AUTHENTICATE_HOST || (host == APP_HOST && u.path().starts_with("/.pomerium/"));
        if host == APP_HOST && !to_pomerium_http {
            return match pom.check(method, u, &cookie)? {
                Decision::Allowed { headers } => {
                    Ok((200, Vec::new(), String::new(), Some(headers)))
                }
                Decision::Denied {
                    status,
                    headers,
                    body,
                } => {
                    let cookies: Vec<String> = headers
                        .iter()
                        .filter(|(k, _)| k == "set-cookie")
                        .map(|(_, v)| v.clone())
                        .collect();
                    self.store(u, &cookies);
                    Ok((status, headers, body, None))
                }
            };
        }
        let target = if to_emulator {
            u.to_string()
        } else if to_pomerium_http {
            let mut t = format!("http://127.0.0.1:{}{}", pom.http_port, u.path());
            if let Some(q) = u.query() {
                t.push('?');
                t.push_str(q);
            }
            t
        } else {
            return Err(format!(
                "the browser was sent to {u}, which nothing here serves (trail ends there)"
            ));
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut req = self
            .http
            .request(method, &target)
            .header("Accept", "text/html");
        if to_pomerium_http {
            req = req
                .header("Host", host)
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-For", "127.0.0.1");
        }
        if !cookie.is_empty() {
            req = req.header("Cookie", cookie);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(b);
        }
        let resp = req
            .send()
            .map_err(|e| pom.failure(&format!("{target} (for {u}): {e}")))?;
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let cookies: Vec<String> = headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .map(|(_, v)| v.clone())
            .collect();
        self.store(u, &cookies);
        let text = resp.text().unwrap_or_default();
        Ok((status, headers, text, None))
    }
}

/// `https://host/path` without the query (the trail stays readable and holds no codes).
fn short(u: &url::Url) -> String {
    format!(
        "{}://{}{}",
        u.scheme(),
        u.host_str().unwrap_or_default(),
        u.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + u.path()
}

/// The value of `attr="..."` in the first tag at or after `marker`, HTML-unescaped.
fn html_attr_after(html: &str, marker: &str, attr: &str) -> Option<String> {
    let start = html.find(marker)?;
    let rest = &html[start..];
    let end = rest.find('>')?;
    let tag = &rest[..end];
    let key = format!("{attr}=\"");
    let at = tag.find(&key)? + key.len();
    let value = &tag[at..];
    let value = &value[..value.find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The claims of a JWT (no signature check: Pomerium signed it, the case reads what it says).
pub fn jwt_claims(jwt: &str) -> Result<serde_json::Value, String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).ok_or("not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| format!("JWT payload: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("JWT payload: {e}"))
}
