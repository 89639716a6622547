//! Starting the provider binary the way Terraform does, and talking to it like Terraform:
//! a P-521 client certificate like go-plugin's, the handshake line, and gRPC over mutual TLS
//! that pins the server certificate from that line.
//!
//! Shared by `tests/protocol.rs` and `benches/handshake.rs` (both `#[path]`-include this file).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tonic::transport::{Channel, Endpoint, Uri};

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
pub const MIN_PORT: u16 = 10000;
pub const MAX_PORT: u16 = 25000;

/// How long a test waits for the handshake line before giving up.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

// ------------------------------------------------------------------------------------------
// Client certificate (what go-plugin's `generateCert` makes for Terraform)
// ------------------------------------------------------------------------------------------

/// A client certificate and key made like Terraform's: ECDSA P-521, self-signed, CA:TRUE,
/// signed with ecdsa-with-SHA512, SAN DNS:localhost, O=HashiCorp, CN=localhost.
pub struct ClientIdentity {
    pub cert_pem: String,
    pub cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    pub fn generate() -> Self {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512)
            .expect("rcgen (aws_lc_rs) generates ECDSA P-521 keys");
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .expect("certificate params");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "HashiCorp");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyAgreement,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::seconds(30);
        params.not_after = now + time::Duration::hours(262_980);
        let cert = params.self_signed(&key).expect("self-sign P-521");
        Self {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }

    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key_der.clone_key())
    }
}

// ------------------------------------------------------------------------------------------
// Launching the binary
// ------------------------------------------------------------------------------------------

/// Environment variables that would change the provider's behaviour and must come only from
/// the test.
const SCRUBBED_ENV: &[&str] = &[
    MAGIC_COOKIE_KEY,
    "PLUGIN_PROTOCOL_VERSIONS",
    "PLUGIN_MIN_PORT",
    "PLUGIN_MAX_PORT",
    "PLUGIN_CLIENT_CERT",
    "PLUGIN_MULTIPLEX_GRPC",
    "PLUGIN_UNIX_SOCKET_DIR",
    "TF_DISABLE_PLUGIN_TLS",
    "TF_REATTACH_PROVIDERS",
    "TF_LOG",
    "TF_LOG_PROVIDER",
    "TF_LOG_PATH",
    "OKTA_ORG_URL",
    "OKTA_ORG_NAME",
    "OKTA_BASE_URL",
    "OKTA_API_TOKEN",
];

/// How to start the provider: binary, arguments and environment.
#[derive(Clone, Debug)]
pub struct Launch {
    pub bin: PathBuf,
    pub args: Vec<String>,
    /// `None` removes the variable.
    pub env: Vec<(String, Option<String>)>,
}

impl Launch {
    /// The environment Terraform gives a managed provider (go-plugin's AutoMTLS when a client
    /// certificate is given, `TF_DISABLE_PLUGIN_TLS` mode otherwise).
    pub fn terraform(bin: impl AsRef<Path>, client_cert_pem: Option<&str>) -> Self {
        let mut launch = Self::bare(bin)
            .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", &MIN_PORT.to_string())
            .env("PLUGIN_MAX_PORT", &MAX_PORT.to_string());
        launch = match client_cert_pem {
            Some(pem) => launch.env("PLUGIN_CLIENT_CERT", pem),
            None => launch.env("TF_DISABLE_PLUGIN_TLS", "1"),
        };
        launch
    }

    /// No go-plugin variables at all (what a user running the binary by hand has).
    pub fn bare(bin: impl AsRef<Path>) -> Self {
        Self {
            bin: bin.as_ref().to_path_buf(),
            args: Vec::new(),
            env: SCRUBBED_ENV.iter().map(|k| (k.to_string(), None)).collect(),
        }
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), Some(value.to_string())));
        self
    }

    pub fn without(mut self, key: &str) -> Self {
        self.env.push((key.to_string(), None));
        self
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_string());
        self
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(&self.args);
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Spawns the process; its output is collected in the background.
    pub fn spawn(&self) -> Plugin {
        let started = Instant::now();
        let mut child = self
            .command()
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send((line, Instant::now())).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let stderr_buf = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&stderr_buf);
        let stderr_reader = std::thread::spawn(move || {
            let mut stderr = stderr;
            let mut chunk = [0u8; 4096];
            loop {
                match stderr.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => sink
                        .lock()
                        .expect("stderr buffer")
                        .extend_from_slice(&chunk[..n]),
                }
            }
        });
        Plugin {
            child,
            started,
            stdout_lines: rx,
            stderr: stderr_buf,
            stderr_reader: Some(stderr_reader),
        }
    }

    /// Spawns the provider and reads its handshake line.
    pub fn start(&self) -> Running {
        let mut plugin = self.spawn();
        let (line, at) = match plugin.next_line(HANDSHAKE_TIMEOUT) {
            Some(pair) => pair,
            None => panic!(
                "no handshake line within {HANDSHAKE_TIMEOUT:?}; exit: {:?}; stderr:\n{}",
                plugin.child.try_wait(),
                plugin.stderr()
            ),
        };
        let handshake = Handshake::parse(&line).unwrap_or_else(|e| {
            panic!(
                "bad handshake line {line:?}: {e}\nstderr:\n{}",
                plugin.stderr()
            )
        });
        let handshake_latency = at.duration_since(plugin.started);
        Running {
            plugin,
            handshake,
            handshake_latency,
        }
    }
}

/// A spawned provider process; killed when dropped.
pub struct Plugin {
    pub child: Child,
    pub started: Instant,
    stdout_lines: mpsc::Receiver<(String, Instant)>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Joined once the process has exited, so `stderr()` then holds everything it wrote.
    stderr_reader: Option<std::thread::JoinHandle<()>>,
}

impl Plugin {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next stdout line (with its newline) and when it was read; `None` on timeout or EOF.
    pub fn next_line(&mut self, timeout: Duration) -> Option<(String, Instant)> {
        self.stdout_lines.recv_timeout(timeout).ok()
    }

    /// Everything on stdout until EOF (the process must be exiting).
    pub fn rest_of_stdout(&mut self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut out = String::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stdout_lines.recv_timeout(left) {
                Ok((line, _)) => out.push_str(&line),
                Err(_) => break,
            }
        }
        out
    }

    /// After exit: waits for the reader to drain the pipe to its end.
    fn finish_stderr(&mut self) {
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().expect("stderr buffer")).into_owned()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for exit without blocking the async runtime; `None` if still running at `timeout`.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.finish_stderr();
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_micros(250)).await;
        }
    }

    /// Blocking variant of [`Plugin::wait_exit`] for code without a runtime.
    pub fn wait_exit_blocking(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.finish_stderr();
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Sends a signal with kill(1) (no libc dependency).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} {} failed", self.pid());
    }

    /// Resident set size from /proc, in bytes.
    pub fn rss_bytes(&self) -> Option<u64> {
        proc_status_kb(self.pid(), "VmRSS").map(|kb| kb * 1024)
    }
}

/// A field of /proc/<pid>/status in kB (or a plain count, e.g. `Threads`).
pub fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A provider that printed its handshake line.
pub struct Running {
    pub plugin: Plugin,
    pub handshake: Handshake,
    /// From spawn to the handshake line being read.
    pub handshake_latency: Duration,
}

impl Running {
    /// gRPC over mutual TLS as Terraform does it, presenting `client`.
    pub async fn connect_mtls(&self, client: &ClientIdentity) -> Channel {
        let der = self
            .handshake
            .server_cert_der
            .clone()
            .expect("handshake line carries a server certificate");
        let config = tls_client_config(der, Some(client));
        connect_tls_channel(self.handshake.addr, config)
            .await
            .expect("mTLS gRPC connection")
    }

    /// Plaintext h2c gRPC (TF_DISABLE_PLUGIN_TLS mode).
    pub async fn connect_plaintext(&self) -> Channel {
        connect_plaintext(self.handshake.addr)
            .await
            .expect("plaintext gRPC connection")
    }
}

// ------------------------------------------------------------------------------------------
// The handshake line
// ------------------------------------------------------------------------------------------

/// The parsed `1|6|tcp|127.0.0.1:PORT|grpc|CERT` line.
#[derive(Clone, Debug)]
pub struct Handshake {
    pub line: String,
    pub addr: SocketAddr,
    /// The certificate field exactly as printed.
    pub cert_field: String,
    /// The DER it decodes to; `None` when the field is empty (plaintext).
    pub server_cert_der: Option<Vec<u8>>,
}

impl Handshake {
    /// Strict parse: exactly six fields, go-plugin's constants, a TCP address, and a certificate
    /// field that is unpadded standard base64 (Go's `RawStdEncoding`).
    pub fn parse(line: &str) -> Result<Self, String> {
        let body = line
            .strip_suffix('\n')
            .ok_or("the line must end with a newline")?;
        if body.contains('\r') {
            return Err("carriage return in the line".into());
        }
        let fields: Vec<&str> = body.split('|').collect();
        if fields.len() != 6 {
            return Err(format!("{} fields, expected 6", fields.len()));
        }
        if fields[0] != "1" {
            return Err(format!("core protocol {:?}, expected 1", fields[0]));
        }
        if fields[1] != "6" {
            return Err(format!("app protocol {:?}, expected 6", fields[1]));
        }
        if fields[2] != "tcp" {
            return Err(format!("network {:?}, expected tcp", fields[2]));
        }
        let addr: SocketAddr = fields[3]
            .parse()
            .map_err(|e| format!("address {:?}: {e}", fields[3]))?;
        if fields[4] != "grpc" {
            return Err(format!("protocol {:?}, expected grpc", fields[4]));
        }
        let cert_field = fields[5].to_string();
        let server_cert_der = if cert_field.is_empty() {
            None
        } else {
            if !cert_field
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            {
                return Err("certificate field is not unpadded standard base64".into());
            }
            let der = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(&cert_field)
                .map_err(|e| format!("certificate field: {e}"))?;
            Some(der)
        };
        Ok(Self {
            line: line.to_string(),
            addr,
            cert_field,
            server_cert_der,
        })
    }
}

// ------------------------------------------------------------------------------------------
// TLS client
// ------------------------------------------------------------------------------------------

/// Accepts exactly the server certificate from the handshake line (go-plugin puts it alone in
/// `RootCAs`), and checks handshake signatures with aws-lc-rs.
#[derive(Debug)]
pub struct PinnedServerCert {
    expected: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedServerCert {
    pub fn new(expected: Vec<u8>, provider: &CryptoProvider) -> Self {
        Self {
            expected,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ServerCertVerifier for PinnedServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if server_name.to_str() != "localhost" {
            return Err(rustls::Error::General(format!(
                "unexpected server name {server_name:?}"
            )));
        }
        if end_entity.as_ref() == self.expected.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A rustls client configuration like go-plugin's: ALPN h2, server certificate pinned, and the
/// client certificate when given (`None` = present no certificate).
pub fn tls_client_config(
    server_cert_der: Vec<u8>,
    client: Option<&ClientIdentity>,
) -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinnedServerCert::new(server_cert_der, &provider);
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match client {
        Some(id) => builder
            .with_client_auth_cert(vec![id.cert_der.clone()], id.key())
            .expect("client certificate accepted by rustls"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

/// TCP + TLS handshake to the provider, with server name `localhost` (as Terraform dials).
pub async fn tls_connect(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let name = ServerName::try_from("localhost").expect("server name");
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
}

fn endpoint(addr: SocketAddr) -> Endpoint {
    // The scheme is http so that tonic adds no TLS of its own; ours is in the connector.
    Endpoint::from_shared(format!("http://{addr}"))
        .expect("endpoint")
        .connect_timeout(Duration::from_secs(5))
}

/// A tonic channel whose connections are our own mutual-TLS streams.
pub async fn connect_tls_channel(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
) -> Result<Channel, tonic::transport::Error> {
    let connector = tower::service_fn(move |_: Uri| {
        let config = Arc::clone(&config);
        async move {
            let stream = tls_connect(addr, config).await?;
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
        }
    });
    endpoint(addr).connect_with_connector(connector).await
}

/// A plaintext (h2c) tonic channel.
pub async fn connect_plaintext(addr: SocketAddr) -> Result<Channel, tonic::transport::Error> {
    endpoint(addr).connect().await
}
