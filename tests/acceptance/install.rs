//! Installing the provider the way platform teams do, with no dev_overrides: the release archive
//! (made by scripts/release.sh) in a filesystem mirror, unpacked and packed, and in a network
//! mirror over HTTPS; `terraform init` records the published hashes in the dependency lock
//! file; a tampered archive is refused. Then `examples/pomerium` through the installed provider,
//! and the module's own `terraform test` suite.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::pomerium_module;
use crate::terraform::{Kind, Terraform, Workspace, SKIPPED};

const SOURCE: &str = "registry.terraform.io/oktaidp/oktaidp";

/// A release made once per run, and what it published.
pub struct Release {
    pub dist: PathBuf,
    pub version: String,
    pub os_arch: String,
    pub h1: String,
    pub zh: String,
}

impl Release {
    fn zip_name(&self) -> String {
        format!(
            "terraform-provider-oktaidp_{}_{}.zip",
            self.version, self.os_arch
        )
    }

    fn zip(&self) -> PathBuf {
        self.dist.join(self.zip_name())
    }
}

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `scripts/release.sh <crate version>`, run once and shared by the cases.
pub fn release() -> Result<&'static Release, String> {
    static RELEASE: OnceLock<Result<Release, String>> = OnceLock::new();
    RELEASE
        .get_or_init(build_release)
        .as_ref()
        .map_err(Clone::clone)
}

fn build_release() -> Result<Release, String> {
    let version = env!("CARGO_PKG_VERSION").to_string();
    let dist = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("acceptance-dist");
    let out = Command::new("bash")
        .arg(project_root().join("scripts/release.sh"))
        .arg(&version)
        .env("OKTAIDP_DIST_DIR", &dist)
        .output()
        .map_err(|e| format!("running release.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "release.sh failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let os_arch = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "linux_amd64",
        ("linux", "aarch64") => "linux_arm64",
        ("macos", "aarch64") => "darwin_arm64",
        ("macos", "x86_64") => "darwin_amd64",
        (os, arch) => return Err(format!("no release platform for {os}/{arch}")),
    }
    .to_string();
    let hashes_file = dist.join(format!(
        "terraform-provider-oktaidp_{version}_{os_arch}.hashes"
    ));
    let hashes = std::fs::read_to_string(&hashes_file)
        .map_err(|e| format!("{}: {e}", hashes_file.display()))?;
    let find = |prefix: &str| {
        hashes
            .lines()
            .find(|l| l.starts_with(prefix))
            .map(str::to_string)
            .ok_or_else(|| format!("no {prefix} hash in {}", hashes_file.display()))
    };
    Ok(Release {
        h1: find("h1:")?,
        zh: find("zh:")?,
        dist,
        version,
        os_arch,
    })
}

fn temp_dir(prefix: &str) -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|e| e.to_string())
}

/// `scripts/install.sh DIR`: the unpacked layout.
fn install_unpacked(rel: &Release, mirror: &Path) -> Result<(), String> {
    install_sh(
        rel,
        Command::new("bash")
            .arg(project_root().join("scripts/install.sh"))
            .arg(mirror),
    )
}

/// `scripts/install.sh` without DIR: Terraform's implied local mirror under `home`.
fn install_into_home(rel: &Release, home: &Path) -> Result<(), String> {
    install_sh(
        rel,
        Command::new("bash")
            .arg(project_root().join("scripts/install.sh"))
            .env("HOME", home),
    )
}

fn install_sh(rel: &Release, cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .env("OKTAIDP_DIST_DIR", &rel.dist)
        .output()
        .map_err(|e| format!("running install.sh: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "install.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The packed layout: the zip itself under `<host>/<namespace>/<type>/`.
fn install_packed(zip: &[u8], rel: &Release, mirror: &Path) -> Result<(), String> {
    let dir = mirror.join(SOURCE);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(rel.zip_name()), zip).map_err(|e| e.to_string())
}

fn fs_mirror_config(mirror: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{SOURCE}\"]\n  }}\n}}\n",
        mirror.display()
    )
}

/// The module's workspace, installing providers as `cli_config` says.
fn module_workspace(tf: &Terraform, cli_config: &str) -> Result<Workspace, String> {
    let mut files = pomerium_module::files()?;
    if tf.kind == Kind::OpenTofu {
        // OpenTofu reads a short source address on its own registry host; the full address
        // names the same provider on both.
        for (_, text) in &mut files {
            *text = text.replace(
                "source = \"oktaidp/oktaidp\"",
                &format!("source = \"{SOURCE}\""),
            );
        }
    }
    let ws = Workspace::new(tf, &files)?;
    ws.write("cli.tfrc", cli_config)?;
    Ok(ws)
}

/// The version and hashes the lock file records for the provider.
fn locked(ws: &Workspace) -> Result<(String, Vec<String>), String> {
    let lock = ws.read(".terraform.lock.hcl")?;
    let block = lock
        .split(&format!("provider \"{SOURCE}\""))
        .nth(1)
        .ok_or_else(|| format!("the lock file has no {SOURCE}:\n{lock}"))?;
    let quoted = |line: &str| line.split('"').nth(1).map(str::to_string);
    let version = block
        .lines()
        .find(|l| l.trim_start().starts_with("version"))
        .and_then(quoted)
        .ok_or("no version in the lock file")?;
    let mut hashes: Vec<String> = block
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("\"h1:") || l.starts_with("\"zh:"))
        .filter_map(quoted)
        .collect();
    hashes.sort();
    Ok((version, hashes))
}

fn expect_locked(ws: &Workspace, rel: &Release, want: &[&str]) -> Result<(), String> {
    let (version, hashes) = locked(ws)?;
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    if version != rel.version || hashes != want {
        return Err(format!(
            "lock file records {version} {hashes:?}, want {} {want:?}",
            rel.version
        ));
    }
    Ok(())
}

pub fn filesystem_mirror_unpacked(tf: &Terraform) -> Result<(), String> {
    let rel = release()?;
    let mirror = temp_dir("oktaidp-mirror-")?;
    install_unpacked(rel, mirror.path())?;
    let ws = module_workspace(tf, &fs_mirror_config(mirror.path()))?;
    ws.run(&["init", "-no-color"])?.ok("terraform init")?;
    // A filesystem mirror yields only Terraform's own h1: hash of the unpacked package.
    expect_locked(&ws, rel, &[&rel.h1])?;
    let lock = ws.read(".terraform.lock.hcl")?;
    println!("  lock file written by terraform {}:\n{lock}", tf.version);
    let mirror_flag = format!("-fs-mirror={}", mirror.path().display());
    let platform = format!("-platform={}", rel.os_arch);
    ws.run(&["providers", "lock", &mirror_flag, &platform])?
        .ok("terraform providers lock")?;
    if ws.read(".terraform.lock.hcl")? != lock {
        return Err("terraform providers lock -fs-mirror changed the lock file".into());
    }
    pomerium_module::exercise(&Emulator::start(&[])?, ws)?;

    // The default: install.sh without DIR, and a CLI configuration without
    // provider_installation; Terraform finds the provider in its implied local mirror.
    let home = temp_dir("oktaidp-home-")?;
    install_into_home(rel, home.path())?;
    let mut ws = module_workspace(tf, "")?;
    ws.set_env("HOME", &home.path().display().to_string());
    ws.run(&["init", "-no-color"])?
        .ok("terraform init (implied local mirror)")?;
    expect_locked(&ws, rel, &[&rel.h1])
}

/// The release zip in a packed filesystem mirror, `terraform init` from it, and the lock file
/// holding the published h1: hash. The mirror lives as long as the returned folder.
fn init_from_packed(
    tf: &Terraform,
    rel: &Release,
) -> Result<(tempfile::TempDir, Workspace), String> {
    let mirror = temp_dir("oktaidp-mirror-")?;
    let zip = std::fs::read(rel.zip()).map_err(|e| e.to_string())?;
    install_packed(&zip, rel, mirror.path())?;
    let ws = module_workspace(tf, &fs_mirror_config(mirror.path()))?;
    ws.run(&["init", "-no-color"])?.ok("terraform init")?;
    expect_locked(&ws, rel, &[&rel.h1])?;
    Ok((mirror, ws))
}

pub fn filesystem_mirror_packed(tf: &Terraform) -> Result<(), String> {
    let (_mirror, ws) = init_from_packed(tf, release()?)?;
    pomerium_module::exercise(&Emulator::start(&[])?, ws)
}

pub fn network_mirror(tf: &Terraform) -> Result<(), String> {
    let rel = release()?;
    let ca_dir = temp_dir("oktaidp-ca-")?;
    // A mirror that publishes a hash the archive does not have: Terraform must refuse it,
    // which shows that it checks the archive against what the mirror publishes.
    let wrong = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let lying = MirrorServer::start(rel, &[wrong], ca_dir.path())?;
    expect_checksum_error(&mirror_workspace(tf, &lying)?, "checksum")?;

    let mirror = MirrorServer::start(rel, &[&rel.h1, &rel.zh], ca_dir.path())?;
    let ws = mirror_workspace(tf, &mirror)?;
    ws.run(&["init", "-no-color"])?.ok("terraform init")?;
    // Terraform records the published hash of its preferred scheme, h1:, having verified it;
    // OpenTofu records every hash the mirror published once the archive matched one of them.
    match tf.kind {
        Kind::Terraform => expect_locked(&ws, rel, &[&rel.h1])?,
        Kind::OpenTofu => expect_locked(&ws, rel, &[&rel.h1, &rel.zh])?,
    }
    let served = mirror.requests();
    if !served.iter().any(|p| p.ends_with(".zip")) {
        return Err(format!(
            "the archive was not fetched from the mirror: {served:?}"
        ));
    }
    pomerium_module::exercise(&Emulator::start(&[])?, ws)
}

fn mirror_workspace(tf: &Terraform, mirror: &MirrorServer) -> Result<Workspace, String> {
    let config = format!(
        "provider_installation {{\n  network_mirror {{\n    url = \"{}/\"\n  }}\n}}\n",
        mirror.url
    );
    let mut ws = module_workspace(tf, &config)?;
    // Terraform trusts the test CA through Go's SSL_CERT_FILE.
    ws.set_env("SSL_CERT_FILE", &mirror.ca_file.display().to_string());
    Ok(ws)
}

pub fn tampered_archive_is_refused(tf: &Terraform) -> Result<(), String> {
    let rel = release()?;
    let (mirror, ws) = init_from_packed(tf, rel)?;
    // The same archive with one byte of the provider binary changed, still a valid zip.
    install_packed(&tampered(rel)?, rel, mirror.path())?;
    std::fs::remove_dir_all(ws.dir.path().join(".terraform")).map_err(|e| e.to_string())?;
    expect_checksum_error(
        &ws,
        "doesn't match any of the checksums previously recorded in the dependency lock file",
    )
}

/// `terraform init` must fail with Terraform's checksum error containing `wanted` (Terraform
/// wraps its messages, so white space is compared loosely).
fn expect_checksum_error(ws: &Workspace, wanted: &str) -> Result<(), String> {
    let init = ws.run(&["init", "-no-color"])?;
    let text = init.text();
    if init.code == 0 {
        return Err(format!(
            "terraform init accepted a package that does not match:\n{text}"
        ));
    }
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !words(&text).contains(wanted) {
        return Err(format!(
            "terraform init failed, but not with the checksum error:\n{text}"
        ));
    }
    Ok(())
}

/// The release zip rebuilt with one byte of the binary flipped.
fn tampered(rel: &Release) -> Result<Vec<u8>, String> {
    let out_dir = temp_dir("oktaidp-tampered-")?;
    let out = out_dir.path().join("tampered.zip");
    let script = r#"
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = bytearray(zin.read(info))
        data[len(data) // 2] ^= 0x01
        zout.writestr(info, bytes(data))
"#;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(rel.zip())
        .arg(&out)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("could not write the tampered zip".into());
    }
    std::fs::read(&out).map_err(|e| e.to_string())
}

/// `examples/pomerium/tests/*.tftest.hcl` with `terraform test` (Terraform >= 1.6), the provider
/// installed from the mirror and okta-emulator as the org.
pub fn module_tests_with_terraform_test(tf: &Terraform) -> Result<(), String> {
    if !at_least(&tf.version, 1, 6) {
        return Err(format!(
            "{SKIPPED}terraform test needs Terraform >= 1.6 (this is {})",
            tf.version
        ));
    }
    let rel = release()?;
    let mirror = temp_dir("oktaidp-mirror-")?;
    install_unpacked(rel, mirror.path())?;
    let emu = Emulator::start(&[])?;
    emu.create_group("Engineering")?;
    let mut ws = module_workspace(tf, &fs_mirror_config(mirror.path()))?;
    let tests_dir = ws.dir.path().join("tests");
    std::fs::create_dir_all(&tests_dir).map_err(|e| e.to_string())?;
    let examples = project_root().join("examples/pomerium/tests");
    for entry in std::fs::read_dir(&examples).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|x| x == "hcl") {
            let name = path.file_name().ok_or("no file name")?;
            std::fs::copy(&path, tests_dir.join(name)).map_err(|e| e.to_string())?;
        }
    }
    ws.set_env("OKTA_ORG_URL", &emu.url);
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.run(&["init", "-no-color"])?.ok("terraform init")?;
    let run = ws.run(&["test", "-no-color"])?.ok("terraform test")?;
    if !run.stdout.contains("2 passed, 0 failed") {
        return Err(format!("unexpected terraform test result:\n{}", run.text()));
    }
    // terraform test destroys what its runs created.
    if !emu.apps()?.is_empty() {
        return Err("terraform test left apps behind".into());
    }
    Ok(())
}

fn at_least(version: &str, major: u32, minor: u32) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

/// A provider network mirror (Terraform's mirror protocol: `index.json`, `VERSION.json`, the
/// archive) over HTTPS on loopback, with a certificate from a throwaway CA.
struct MirrorServer {
    url: String,
    ca_file: PathBuf,
    log: Arc<parking_lot::Mutex<Vec<String>>>,
}

impl MirrorServer {
    /// Serves `rel`'s archive, publishing `hashes` for it.
    fn start(rel: &Release, hashes: &[&str], ca_dir: &Path) -> Result<Self, String> {
        let ca_key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
        let mut ca_params =
            rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "oktaidp acceptance CA");
        let ca =
            rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(|e| e.to_string())?;
        let ca_file = ca_dir.join("ca.pem");
        std::fs::write(&ca_file, ca.pem()).map_err(|e| e.to_string())?;
        let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
        let params = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .map_err(|e| e.to_string())?;
        let cert = params.signed_by(&key, &ca).map_err(|e| e.to_string())?;
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .map_err(|e| e.to_string())?;
        let tls = Arc::new(tls);

        let base = format!("/{SOURCE}");
        let version_doc = serde_json::json!({
            "archives": {
                rel.os_arch.clone(): {"url": rel.zip_name(), "hashes": hashes}
            }
        });
        let index_doc = serde_json::json!({"versions": {rel.version.clone(): {}}});
        let zip = std::fs::read(rel.zip()).map_err(|e| e.to_string())?;
        let files: Arc<Vec<(String, Vec<u8>)>> = Arc::new(vec![
            (
                format!("{base}/index.json"),
                index_doc.to_string().into_bytes(),
            ),
            (
                format!("{base}/{}.json", rel.version),
                version_doc.to_string().into_bytes(),
            ),
            (format!("{base}/{}", rel.zip_name()), zip),
        ]);

        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let log = Arc::new(parking_lot::Mutex::new(Vec::new()));
        let server_log = Arc::clone(&log);
        // Serves until the test process ends; one thread per connection, one request each.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (tls, files, log) = (
                    Arc::clone(&tls),
                    Arc::clone(&files),
                    Arc::clone(&server_log),
                );
                std::thread::spawn(move || {
                    let _ = serve_one(stream, tls, &files, &log);
                });
            }
        });
        Ok(Self {
            url: format!("https://localhost:{port}"),
            ca_file,
            log,
        })
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().clone()
    }
}

fn serve_one(
    stream: std::net::TcpStream,
    tls: Arc<rustls::ServerConfig>,
    files: &[(String, Vec<u8>)],
    log: &parking_lot::Mutex<Vec<String>>,
) -> Result<(), String> {
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let conn = rustls::ServerConnection::new(tls).map_err(|e| e.to_string())?;
    let mut tls_stream = rustls::StreamOwned::new(conn, stream);
    let mut reader = BufReader::new(&mut tls_stream);
    let mut request_line = String::new();
    reader
        .read_line(&mut request_line)
        .map_err(|e| e.to_string())?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_err(|e| e.to_string())? == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    log.lock().push(path.clone());
    let found = files.iter().find(|(p, _)| *p == path);
    let (status, body): (&str, &[u8]) = match found {
        Some((_, body)) => ("200 OK", body),
        None => ("404 Not Found", b"not found"),
    };
    let content_type = if path.ends_with(".json") {
        "application/json"
    } else {
        "application/octet-stream"
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    tls_stream
        .write_all(head.as_bytes())
        .map_err(|e| e.to_string())?;
    tls_stream.write_all(body).map_err(|e| e.to_string())?;
    tls_stream.conn.send_close_notify();
    tls_stream.flush().map_err(|e| e.to_string())?;
    let mut rest = Vec::new();
    let _ = tls_stream.read_to_end(&mut rest);
    Ok(())
}
