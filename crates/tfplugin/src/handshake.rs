//! go-plugin's start-up contract: the magic cookie, protocol negotiation, the port range and the
//! one handshake line Terraform reads from stdout.

use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's core protocol version.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The only application protocol this provider speaks: tfplugin6.
pub const APP_PROTOCOL_VERSION: u32 = 6;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandshakeError {
    #[error(
        "This binary is a Terraform provider plugin. It is not meant to be run directly: \
         Terraform starts it. To use it, see the provider's README (dev_overrides), or run it \
         with --debug to attach Terraform through TF_REATTACH_PROVIDERS."
    )]
    NotLaunchedByTerraform,
    #[error(
        "Terraform offered plugin protocol versions {offered:?}, but this provider speaks only \
         protocol 6 (Terraform 1.0 and later). Upgrade Terraform to 1.0 or newer."
    )]
    NoCommonProtocol { offered: String },
    #[error("invalid {name}: {value:?} is not a port number")]
    BadPort { name: &'static str, value: String },
    #[error("no free port on 127.0.0.1 between {min} and {max}")]
    NoFreePort { min: u16, max: u16 },
}

/// What Terraform told us through the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchEnv {
    pub min_port: u16,
    pub max_port: u16,
    /// PEM certificate for AutoMTLS; `None` means serve plaintext (TF_DISABLE_PLUGIN_TLS).
    pub client_cert_pem: Option<String>,
}

impl LaunchEnv {
    /// Reads the launch environment through `get` (so tests need not touch the process env).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, HandshakeError> {
        if get(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(HandshakeError::NotLaunchedByTerraform);
        }
        if let Some(offered) = get("PLUGIN_PROTOCOL_VERSIONS") {
            let speaks_six = offered
                .split(',')
                .any(|v| v.trim().parse::<u32>() == Ok(APP_PROTOCOL_VERSION));
            if !speaks_six {
                return Err(HandshakeError::NoCommonProtocol { offered });
            }
        }
        let port = |name: &'static str, default: u16| -> Result<u16, HandshakeError> {
            match get(name) {
                None => Ok(default),
                Some(v) if v.trim().is_empty() => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u16>()
                    .map_err(|_| HandshakeError::BadPort { name, value: v }),
            }
        };
        // go-plugin treats 0/0 as "use the defaults".
        let mut min_port = port("PLUGIN_MIN_PORT", 10000)?;
        let mut max_port = port("PLUGIN_MAX_PORT", 25000)?;
        if min_port == 0 && max_port == 0 {
            (min_port, max_port) = (10000, 25000);
        }
        let client_cert_pem = get("PLUGIN_CLIENT_CERT").filter(|pem| !pem.trim().is_empty());
        Ok(Self {
            min_port,
            max_port,
            client_cert_pem,
        })
    }

    pub fn from_process_env() -> Result<Self, HandshakeError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }
}

/// Binds 127.0.0.1 on a port inside `[min, max]`, starting at a random offset so that the
/// several providers Terraform starts at once do not all race for the same first port.
pub async fn bind_in_range(min: u16, max: u16) -> Result<TcpListener, HandshakeError> {
    if min > max {
        return Err(HandshakeError::NoFreePort { min, max });
    }
    let span = u32::from(max - min) + 1;
    let start = rand::random_range(0..span);
    for i in 0..span {
        let offset = (start + i) % span;
        // `offset < span` keeps the sum within [min, max].
        let port = min + offset as u16;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        if let Ok(listener) = TcpListener::bind(addr).await {
            return Ok(listener);
        }
    }
    Err(HandshakeError::NoFreePort { min, max })
}

/// The six-field line go-plugin clients parse: `1|6|tcp|127.0.0.1:PORT|grpc|CERT`.
pub fn handshake_line(addr: SocketAddr, cert_field: &str) -> String {
    format!("{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|tcp|{addr}|grpc|{cert_field}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn refuses_without_the_cookie() {
        assert_eq!(
            LaunchEnv::from_lookup(env(&[])),
            Err(HandshakeError::NotLaunchedByTerraform)
        );
        assert_eq!(
            LaunchEnv::from_lookup(env(&[(MAGIC_COOKIE_KEY, "wrong")])),
            Err(HandshakeError::NotLaunchedByTerraform)
        );
    }

    #[test]
    fn negotiates_protocol_six_in_any_order() {
        for offered in ["5,6", "6,5", "6", " 5 , 6 "] {
            let got = LaunchEnv::from_lookup(env(&[
                (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
                ("PLUGIN_PROTOCOL_VERSIONS", offered),
            ]));
            assert!(got.is_ok(), "{offered}: {got:?}");
        }
        let err = LaunchEnv::from_lookup(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "4,5"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("only protocol 6"), "{err}");
    }

    #[test]
    fn reads_ports_and_cert() {
        let got = LaunchEnv::from_lookup(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_MIN_PORT", "12000"),
            ("PLUGIN_MAX_PORT", "12010"),
            ("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----"),
        ]))
        .expect("ok");
        assert_eq!((got.min_port, got.max_port), (12000, 12010));
        assert!(got.client_cert_pem.is_some());
        let zero = LaunchEnv::from_lookup(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_MIN_PORT", "0"),
            ("PLUGIN_MAX_PORT", "0"),
        ]))
        .expect("ok");
        assert_eq!((zero.min_port, zero.max_port), (10000, 25000));
        assert!(zero.client_cert_pem.is_none());
        assert!(LaunchEnv::from_lookup(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_MIN_PORT", "x"),
        ]))
        .is_err());
    }

    #[test]
    fn line_has_exactly_six_fields() {
        let line = handshake_line("127.0.0.1:12345".parse().expect("addr"), "QUJD");
        assert_eq!(line, "1|6|tcp|127.0.0.1:12345|grpc|QUJD\n");
        assert_eq!(line.trim_end().split('|').count(), 6);
        let plain = handshake_line("127.0.0.1:1".parse().expect("addr"), "");
        assert_eq!(plain, "1|6|tcp|127.0.0.1:1|grpc|\n");
    }

    #[tokio::test]
    async fn binds_inside_the_range() {
        let l = bind_in_range(20000, 20100).await.expect("bind");
        let port = l.local_addr().expect("addr").port();
        assert!((20000..=20100).contains(&port));
        assert!(l.local_addr().expect("addr").ip().is_loopback());
        assert!(bind_in_range(5, 4).await.is_err());
    }
}
