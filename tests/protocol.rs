//! Protocol tests against the real provider binary, started the way Terraform starts it
//! (go-plugin handshake, AutoMTLS with a P-521 client certificate) and driven by our own gRPC
//! client: the handshake line, mutual TLS, every tfplugin6 RPC, values on the wire, numbers,
//! and the process lifecycle (Shutdown, SIGINT, StopProvider, stdio, `--debug`).

#[path = "support/plugin.rs"]
mod plugin;

use std::time::{Duration, Instant};

use oktaidp::provider::data_sources::pomerium_idp as pomerium_idp_data_source;
use oktaidp::tfplugin::framework::Provider as _;
use oktaidp::tfplugin::proto::plugin as goplugin;
use oktaidp::tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
use oktaidp::tfplugin::proto::plugin::grpc_stdio_client::GrpcStdioClient;
use oktaidp::tfplugin::proto::tfplugin6 as pb;
use oktaidp::tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use oktaidp::tfplugin::value::{self, Type, Value};
use plugin::{ClientIdentity, Launch, Running};
use tokio::io::AsyncReadExt as _;
use tonic::transport::Channel;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-oktaidp");
const DATA_SOURCE: &str = pomerium_idp_data_source::TYPE_NAME;
const MAX_MESSAGE: usize = 64 << 20;

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

fn provider_client(channel: Channel) -> ProviderClient<Channel> {
    ProviderClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE)
}

/// A provider started with Terraform's environment and a client connected over mTLS.
async fn start_mtls() -> (Running, ClientIdentity, ProviderClient<Channel>) {
    let client = ClientIdentity::generate();
    let running = Launch::terraform(BIN, Some(&client.cert_pem)).start();
    let channel = running.connect_mtls(&client).await;
    (running, client, provider_client(channel))
}

fn errors(diags: &[pb::Diagnostic]) -> Vec<&pb::Diagnostic> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .collect()
}

fn has_error(diags: &[pb::Diagnostic]) -> bool {
    !errors(diags).is_empty()
}

/// `a.b[0]["k"]` rendering of a diagnostic's attribute path (empty when it has none).
fn path_of(d: &pb::Diagnostic) -> String {
    use pb::attribute_path::step::Selector;
    let Some(path) = &d.attribute else {
        return String::new();
    };
    let mut out = String::new();
    for step in &path.steps {
        match &step.selector {
            Some(Selector::AttributeName(n)) if out.is_empty() => out.push_str(n),
            Some(Selector::AttributeName(n)) => out.push_str(&format!(".{n}")),
            Some(Selector::ElementKeyString(k)) => out.push_str(&format!("[{k:?}]")),
            Some(Selector::ElementKeyInt(i)) => out.push_str(&format!("[{i}]")),
            None => out.push_str("<empty step>"),
        }
    }
    out
}

fn error_paths(diags: &[pb::Diagnostic]) -> Vec<String> {
    errors(diags).into_iter().map(path_of).collect()
}

fn dv(msgpack: Vec<u8>) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

fn data_source_type() -> Type {
    pomerium_idp_data_source::schema().implied_type()
}

fn provider_type() -> Type {
    oktaidp::provider::OktaIdpProvider::with_env(|_| None)
        .schema()
        .implied_type()
}

/// An object of type `ty` with every attribute null except `set`.
fn object(ty: &Type, set: &[(&str, Value)]) -> Value {
    let Type::Object(attrs) = ty else {
        panic!("object type expected")
    };
    for (name, _) in set {
        assert!(attrs.contains_key(*name), "no attribute {name}");
    }
    Value::object(attrs.keys().map(|k| {
        let v = set
            .iter()
            .find(|(n, _)| n == k)
            .map_or(Value::Null, |(_, v)| v.clone());
        (k.clone(), v)
    }))
}

fn msgpack_str(out: &mut Vec<u8>, s: &str) {
    let len = s.len();
    match len {
        0..=31 => out.push(0xa0 | len as u8),
        32..=255 => out.extend([0xd9, len as u8]),
        _ => {
            out.push(0xda);
            out.extend((len as u16).to_be_bytes());
        }
    }
    out.extend(s.as_bytes());
}

/// The msgpack of `value` (an object of type `ty`) as go-cty writes it, except that the
/// attributes in `raw` are written as the given bytes (unknown extensions, numbers as strings).
fn object_msgpack_with(ty: &Type, value: &Value, raw: &[(&str, &[u8])]) -> Vec<u8> {
    let Type::Object(attrs) = ty else {
        panic!("object type expected")
    };
    let mut out = Vec::new();
    let n = attrs.len();
    if n < 16 {
        out.push(0x80 | n as u8);
    } else {
        out.push(0xde);
        out.extend((n as u16).to_be_bytes());
    }
    for (name, attr_ty) in attrs {
        msgpack_str(&mut out, name);
        match raw.iter().find(|(n, _)| n == name) {
            Some((_, bytes)) => out.extend(*bytes),
            None => {
                let v = value.get(name).cloned().unwrap_or(Value::Null);
                out.extend(value::encode_msgpack(&v, attr_ty).expect("encode attribute"));
            }
        }
    }
    out
}

fn known_data_source_config() -> Value {
    object(
        &data_source_type(),
        &[
            (
                "authenticate_service_url",
                Value::string("https://authenticate.example.com"),
            ),
            ("client_id", Value::string("0oa1client")),
            ("client_secret", Value::string("s3cret-value")),
            ("provider_url", Value::string("https://dev-1.okta.com")),
        ],
    )
}

async fn validate_data(
    client: &mut ProviderClient<Channel>,
    msgpack: Vec<u8>,
) -> Vec<pb::Diagnostic> {
    client
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: DATA_SOURCE.to_string(),
            config: dv(msgpack),
        })
        .await
        .expect("ValidateDataResourceConfig answers")
        .into_inner()
        .diagnostics
}

async fn read_data(
    client: &mut ProviderClient<Channel>,
    msgpack: Vec<u8>,
) -> pb::read_data_source::Response {
    client
        .read_data_source(pb::read_data_source::Request {
            type_name: DATA_SOURCE.to_string(),
            config: dv(msgpack),
            ..Default::default()
        })
        .await
        .expect("ReadDataSource answers")
        .into_inner()
}

async fn configure(client: &mut ProviderClient<Channel>, msgpack: Vec<u8>) -> Vec<pb::Diagnostic> {
    client
        .configure_provider(pb::configure_provider::Request {
            config: dv(msgpack),
            ..Default::default()
        })
        .await
        .expect("ConfigureProvider answers")
        .into_inner()
        .diagnostics
}

async fn schema(client: &mut ProviderClient<Channel>) -> pb::get_provider_schema::Response {
    client
        .get_provider_schema(pb::get_provider_schema::Request::default())
        .await
        .expect("GetProviderSchema answers")
        .into_inner()
}

/// Asserts that a TLS client with `config` cannot use the provider: the raw connection is
/// closed or fails instead of carrying the server's HTTP/2 preface, and a gRPC call fails.
async fn assert_refused(running: &Running, config: std::sync::Arc<rustls::ClientConfig>) {
    let addr = running.handshake.addr;
    // Raw: TLS 1.3 clients finish their side first, so the refusal shows on the first read.
    if let Ok(mut stream) = plugin::tls_connect(addr, config.clone()).await {
        let mut buf = [0u8; 64];
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {}
            Ok(Ok(n)) => panic!("server sent {n} bytes to an unauthenticated client"),
            Err(_) => panic!("server neither refused nor answered within 5 s"),
        }
    }
    // gRPC: connecting or the first call must fail.
    let attempt = async {
        let channel = plugin::connect_tls_channel(addr, config).await?;
        provider_client(channel)
            .get_provider_schema(pb::get_provider_schema::Request::default())
            .await
            .map(drop)
            .map_err(|s| -> Box<dyn std::error::Error> { Box::new(s) })?;
        Ok::<(), Box<dyn std::error::Error>>(())
    };
    match tokio::time::timeout(Duration::from_secs(10), attempt).await {
        Ok(Err(_)) => {}
        Ok(Ok(())) => panic!("a gRPC call succeeded without the pinned client certificate"),
        Err(_) => panic!("gRPC call neither failed nor succeeded within 10 s"),
    }
}

// ------------------------------------------------------------------------------------------
// Handshake
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn handshake_line_is_go_plugins_six_fields() {
    let client = ClientIdentity::generate();
    let mut running = Launch::terraform(BIN, Some(&client.cert_pem)).start();
    let hs = &running.handshake;
    // Nothing before it: it is the first line on stdout, and it is exactly the expected shape.
    let body = hs.line.trim_end_matches('\n');
    assert_eq!(body.split('|').count(), 6, "{body}");
    let expected = format!(
        "1|6|tcp|127.0.0.1:{}|grpc|{}",
        hs.addr.port(),
        hs.cert_field
    );
    assert_eq!(body, expected);
    assert!(hs.addr.ip().is_loopback());
    assert!(
        (plugin::MIN_PORT..=plugin::MAX_PORT).contains(&hs.addr.port()),
        "port {} outside {}..={}",
        hs.addr.port(),
        plugin::MIN_PORT,
        plugin::MAX_PORT
    );
    assert!(!hs.cert_field.contains('='), "padded base64");
    let der = hs.server_cert_der.as_ref().expect("certificate field");
    let (rest, cert) = x509_parser::parse_x509_certificate(der).expect("DER certificate");
    assert!(rest.is_empty(), "trailing bytes after the certificate");
    let san = cert
        .subject_alternative_name()
        .expect("SAN extension parses")
        .expect("SAN present");
    assert!(
        san.value.general_names.iter().any(
            |n| matches!(n, x509_parser::extensions::GeneralName::DNSName(d) if *d == "localhost")
        ),
        "SAN lacks DNS:localhost: {:?}",
        san.value
    );
    assert!(
        cert.validity().is_valid(),
        "certificate not currently valid"
    );
    // Nothing else is printed on stdout afterwards.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(running.plugin.next_line(Duration::from_millis(1)).is_none());
    assert!(running.plugin.is_running());
}

#[tokio::test]
async fn refuses_to_run_without_the_magic_cookie() {
    let mut plugin = Launch::bare(BIN).spawn();
    let status = plugin
        .wait_exit(Duration::from_secs(10))
        .await
        .expect("exits by itself");
    assert_eq!(status.code(), Some(1));
    assert_eq!(plugin.rest_of_stdout(Duration::from_millis(200)), "");
    let stderr = plugin.stderr();
    assert!(
        stderr.contains("not meant to be run directly"),
        "stderr: {stderr}"
    );
}

#[tokio::test]
async fn refuses_protocol_versions_without_six() {
    let client = ClientIdentity::generate();
    let mut plugin = Launch::terraform(BIN, Some(&client.cert_pem))
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .spawn();
    let status = plugin
        .wait_exit(Duration::from_secs(10))
        .await
        .expect("exits by itself");
    assert_eq!(status.code(), Some(1));
    assert_eq!(plugin.rest_of_stdout(Duration::from_millis(200)), "");
    let stderr = plugin.stderr();
    assert!(
        stderr.contains("4,5") && stderr.contains("protocol 6"),
        "stderr: {stderr}"
    );
}

#[tokio::test]
async fn plaintext_mode_without_a_client_certificate() {
    let running = Launch::terraform(BIN, None).start();
    assert!(
        running.handshake.line.ends_with("|grpc|\n"),
        "{:?}",
        running.handshake.line
    );
    assert!(running.handshake.server_cert_der.is_none());
    let mut client = provider_client(running.connect_plaintext().await);
    let resp = schema(&mut client).await;
    assert!(resp.provider.is_some());
}

#[tokio::test]
async fn logs_its_version_and_commit_once_at_debug() {
    let running = Launch::terraform(BIN, None).env("TF_LOG", "debug").start();
    let wanted = "terraform-provider-oktaidp starting";
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut stderr = running.plugin.stderr();
    while !stderr.contains(wanted) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        stderr = running.plugin.stderr();
    }
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(wanted)).collect();
    assert_eq!(lines.len(), 1, "stderr:\n{stderr}");
    let line: serde_json::Value = serde_json::from_str(lines[0]).expect("hclog JSON line");
    assert_eq!(line["@level"], "debug", "{line}");
    assert_eq!(line["version"], env!("CARGO_PKG_VERSION"), "{line}");
    assert!(
        line["commit"].as_str().is_some_and(|c| !c.is_empty()),
        "{line}"
    );
}

// ------------------------------------------------------------------------------------------
// Mutual TLS
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn mtls_with_terraforms_p521_certificate_works_and_negotiates_h2() {
    let client = ClientIdentity::generate();
    // The certificate really is Terraform's kind: P-521, ecdsa-with-SHA512, CA, SAN localhost.
    let (_, parsed) = x509_parser::parse_x509_certificate(&client.cert_der).expect("x509");
    assert_eq!(
        parsed.signature_algorithm.algorithm,
        x509_parser::oid_registry::OID_SIG_ECDSA_WITH_SHA512
    );
    let spki = parsed.public_key();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .expect("EC curve parameter");
    assert_eq!(curve, x509_parser::oid_registry::OID_NIST_EC_P521);
    assert!(parsed.is_ca());
    assert_eq!(parsed.issuer(), parsed.subject(), "self-signed");

    let running = Launch::terraform(BIN, Some(&client.cert_pem)).start();
    let der = running.handshake.server_cert_der.clone().expect("cert");
    let config = plugin::tls_client_config(der, Some(&client));

    // Raw TLS: the server negotiates h2 and sends its HTTP/2 preface.
    let mut stream = plugin::tls_connect(running.handshake.addr, config)
        .await
        .expect("mutual TLS handshake");
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let mut buf = [0u8; 9];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut buf))
        .await
        .expect("server preface in time")
        .expect("server preface");
    assert_eq!(buf[3], 0x4, "first frame is SETTINGS");

    // gRPC over the same kind of connection.
    let mut provider = provider_client(running.connect_mtls(&client).await);
    let resp = schema(&mut provider).await;
    assert!(resp.provider.is_some());
}

#[tokio::test]
async fn mtls_refuses_a_client_without_a_certificate() {
    let client = ClientIdentity::generate();
    let running = Launch::terraform(BIN, Some(&client.cert_pem)).start();
    let der = running.handshake.server_cert_der.clone().expect("cert");
    assert_refused(&running, plugin::tls_client_config(der, None)).await;
    // The refused connection did not hurt the server.
    let mut provider = provider_client(running.connect_mtls(&client).await);
    assert!(schema(&mut provider).await.provider.is_some());
}

#[tokio::test]
async fn mtls_refuses_another_p521_certificate() {
    let client = ClientIdentity::generate();
    let impostor = ClientIdentity::generate();
    let running = Launch::terraform(BIN, Some(&client.cert_pem)).start();
    let der = running.handshake.server_cert_der.clone().expect("cert");
    assert_refused(&running, plugin::tls_client_config(der, Some(&impostor))).await;
    let mut provider = provider_client(running.connect_mtls(&client).await);
    assert!(schema(&mut provider).await.provider.is_some());
}

// ------------------------------------------------------------------------------------------
// Every RPC answers
// ------------------------------------------------------------------------------------------

/// What a response must show: an error (unsupported feature, unknown type), no error, or
/// either (the RPC only has to answer).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Error,
    NoError,
    Any,
}

#[tokio::test]
async fn every_rpc_answers_and_unsupported_ones_say_so() {
    use futures::StreamExt as _;
    let (_running, _client, mut c) = start_mtls().await;
    let mut results: Vec<(&str, Expect, Result<bool, tonic::Status>)> = Vec::new();
    let nope = || "oktaidp_nope".to_string();

    macro_rules! unary {
        ($name:literal, $expect:expr, $method:ident, $req:expr) => {{
            let res = c
                .$method($req)
                .await
                .map(|r| has_error(&r.into_inner().diagnostics));
            results.push(($name, $expect, res));
        }};
    }

    // Real answers.
    let meta = c
        .get_metadata(pb::get_metadata::Request::default())
        .await
        .map(|r| r.into_inner());
    if let Ok(m) = &meta {
        let names: Vec<&str> = m
            .data_sources
            .iter()
            .map(|d| d.type_name.as_str())
            .collect();
        assert!(
            names.contains(&DATA_SOURCE),
            "GetMetadata data sources: {names:?}"
        );
        let functions: Vec<&str> = m.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(functions, ["idp_service_account", "callback_url"]);
    }
    results.push((
        "GetMetadata",
        Expect::NoError,
        meta.map(|m| has_error(&m.diagnostics)),
    ));
    unary!(
        "GetProviderSchema",
        Expect::NoError,
        get_provider_schema,
        pb::get_provider_schema::Request::default()
    );
    let identity = c
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request::default())
        .await
        .map(|r| r.into_inner());
    if let Ok(i) = &identity {
        assert!(i.identity_schemas.is_empty());
    }
    results.push((
        "GetResourceIdentitySchemas",
        Expect::NoError,
        identity.map(|i| has_error(&i.diagnostics)),
    ));
    unary!(
        "ValidateProviderConfig",
        Expect::NoError,
        validate_provider_config,
        pb::validate_provider_config::Request::default()
    );
    unary!(
        "ConfigureProvider",
        Expect::Any,
        configure_provider,
        pb::configure_provider::Request::default()
    );
    let functions = c
        .get_functions(pb::get_functions::Request::default())
        .await
        .map(|r| r.into_inner());
    if let Ok(f) = &functions {
        assert!(f.functions.contains_key("callback_url"));
        assert!(f.functions.contains_key("idp_service_account"));
    }
    results.push((
        "GetFunctions",
        Expect::NoError,
        functions.map(|f| has_error(&f.diagnostics)),
    ));
    let call = c
        .call_function(pb::call_function::Request {
            name: "nope".into(),
            ..Default::default()
        })
        .await
        .map(|r| r.into_inner().error.is_some());
    results.push(("CallFunction", Expect::Error, call));

    // Unknown resource and data source types.
    unary!(
        "ValidateResourceConfig",
        Expect::Error,
        validate_resource_config,
        pb::validate_resource_config::Request {
            type_name: nope(),
            ..Default::default()
        }
    );
    unary!(
        "UpgradeResourceState",
        Expect::Error,
        upgrade_resource_state,
        pb::upgrade_resource_state::Request {
            type_name: nope(),
            ..Default::default()
        }
    );
    unary!(
        "ReadResource",
        Expect::Error,
        read_resource,
        pb::read_resource::Request {
            type_name: nope(),
            ..Default::default()
        }
    );
    unary!(
        "PlanResourceChange",
        Expect::Error,
        plan_resource_change,
        pb::plan_resource_change::Request {
            type_name: nope(),
            ..Default::default()
        }
    );
    unary!(
        "ApplyResourceChange",
        Expect::Error,
        apply_resource_change,
        pb::apply_resource_change::Request {
            type_name: nope(),
            ..Default::default()
        }
    );
    unary!(
        "ImportResourceState",
        Expect::Error,
        import_resource_state,
        pb::import_resource_state::Request {
            type_name: nope(),
            id: "x".into(),
            ..Default::default()
        }
    );
    unary!(
        "ValidateDataResourceConfig",
        Expect::Error,
        validate_data_resource_config,
        pb::validate_data_resource_config::Request {
            type_name: nope(),
            ..Default::default()
        }
    );
    unary!(
        "ReadDataSource",
        Expect::Error,
        read_data_source,
        pb::read_data_source::Request {
            type_name: nope(),
            ..Default::default()
        }
    );

    // Features this provider does not offer.
    unary!(
        "MoveResourceState",
        Expect::Error,
        move_resource_state,
        pb::move_resource_state::Request::default()
    );
    unary!(
        "UpgradeResourceIdentity",
        Expect::Error,
        upgrade_resource_identity,
        pb::upgrade_resource_identity::Request::default()
    );
    unary!(
        "GenerateResourceConfig",
        Expect::Error,
        generate_resource_config,
        pb::generate_resource_config::Request::default()
    );
    unary!(
        "ValidateEphemeralResourceConfig",
        Expect::Error,
        validate_ephemeral_resource_config,
        pb::validate_ephemeral_resource_config::Request::default()
    );
    unary!(
        "OpenEphemeralResource",
        Expect::Error,
        open_ephemeral_resource,
        pb::open_ephemeral_resource::Request::default()
    );
    unary!(
        "RenewEphemeralResource",
        Expect::Error,
        renew_ephemeral_resource,
        pb::renew_ephemeral_resource::Request::default()
    );
    unary!(
        "CloseEphemeralResource",
        Expect::Error,
        close_ephemeral_resource,
        pb::close_ephemeral_resource::Request::default()
    );
    unary!(
        "ValidateListResourceConfig",
        Expect::Error,
        validate_list_resource_config,
        pb::validate_list_resource_config::Request::default()
    );
    unary!(
        "ValidateActionConfig",
        Expect::Error,
        validate_action_config,
        pb::validate_action_config::Request::default()
    );
    unary!(
        "PlanAction",
        Expect::Error,
        plan_action,
        pb::plan_action::Request::default()
    );
    unary!(
        "ValidateStateStoreConfig",
        Expect::Error,
        validate_state_store_config,
        pb::validate_state_store_config::Request::default()
    );
    unary!(
        "ConfigureStateStore",
        Expect::Error,
        configure_state_store,
        pb::configure_state_store::Request::default()
    );
    unary!(
        "GetStates",
        Expect::Error,
        get_states,
        pb::get_states::Request::default()
    );
    unary!(
        "DeleteState",
        Expect::Error,
        delete_state,
        pb::delete_state::Request::default()
    );
    unary!(
        "LockState",
        Expect::Error,
        lock_state,
        pb::lock_state::Request::default()
    );
    unary!(
        "UnlockState",
        Expect::Error,
        unlock_state,
        pb::unlock_state::Request::default()
    );

    // Streaming RPCs: the first event carries the error.
    let list = match c.list_resource(pb::list_resource::Request::default()).await {
        Ok(r) => {
            let first = r.into_inner().next().await;
            let first = first.expect("ListResource stream has an event");
            first.map(|e| has_error(&e.diagnostic))
        }
        Err(s) => Err(s),
    };
    results.push(("ListResource", Expect::Error, list));
    let invoke = match c.invoke_action(pb::invoke_action::Request::default()).await {
        Ok(r) => {
            let first = r.into_inner().next().await;
            let first = first.expect("InvokeAction stream has an event");
            first.map(|e| match e.r#type {
                Some(pb::invoke_action::event::Type::Completed(done)) => {
                    has_error(&done.diagnostics)
                }
                _ => false,
            })
        }
        Err(s) => Err(s),
    };
    results.push(("InvokeAction", Expect::Error, invoke));
    let read_bytes = match c
        .read_state_bytes(pb::read_state_bytes::Request::default())
        .await
    {
        Ok(r) => {
            let first = r.into_inner().next().await;
            let first = first.expect("ReadStateBytes stream has a chunk");
            first.map(|chunk| has_error(&chunk.diagnostics))
        }
        Err(s) => Err(s),
    };
    results.push(("ReadStateBytes", Expect::Error, read_bytes));
    let chunks = futures::stream::iter([pb::write_state_bytes::RequestChunk {
        meta: Some(pb::RequestChunkMeta {
            type_name: "oktaidp_nope".into(),
            state_id: "default".into(),
        }),
        bytes: b"{}".to_vec(),
        total_length: 2,
        range: None,
    }]);
    let write_bytes = c
        .write_state_bytes(chunks)
        .await
        .map(|r| has_error(&r.into_inner().diagnostics));
    results.push(("WriteStateBytes", Expect::Error, write_bytes));

    // Last, as it cancels in-flight work.
    let stop = c
        .stop_provider(pb::stop_provider::Request::default())
        .await
        .map(|r| !r.into_inner().error.is_empty());
    results.push(("StopProvider", Expect::NoError, stop));

    let mut failures = Vec::new();
    for (name, expect, result) in &results {
        match result {
            Err(status) => failures.push(format!("{name}: gRPC status {status:?}")),
            Ok(errored) => match (expect, errored) {
                (Expect::Error, false) => failures.push(format!("{name}: no error diagnostic")),
                (Expect::NoError, true) => failures.push(format!("{name}: unexpected error")),
                _ => {}
            },
        }
    }
    let mut names: Vec<&str> = results.iter().map(|(n, _, _)| *n).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        36,
        "every tfplugin6 RPC is exercised: {names:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn provider_schema_is_complete_and_types_are_valid_json() {
    let (_running, _client, mut c) = start_mtls().await;
    let resp = schema(&mut c).await;
    assert!(!has_error(&resp.diagnostics), "{:?}", resp.diagnostics);
    let caps = resp
        .server_capabilities
        .as_ref()
        .expect("server capabilities");
    assert!(caps.plan_destroy);
    assert!(caps.get_provider_schema_optional);
    let provider = resp.provider.as_ref().expect("provider schema");
    assert!(resp.data_source_schemas.contains_key(DATA_SOURCE));

    fn check_block(at: &str, block: &pb::schema::Block, checked: &mut usize) {
        for attr in &block.attributes {
            let where_ = format!("{at}.{}", attr.name);
            if let Some(nested) = &attr.nested_type {
                for inner in &nested.attributes {
                    check_attr(&format!("{where_}.{}", inner.name), inner, checked);
                }
            } else {
                check_attr(&where_, attr, checked);
            }
        }
        for nested in &block.block_types {
            let inner = nested.block.as_ref().expect("nested block has a block");
            check_block(&format!("{at}.{}", nested.type_name), inner, checked);
        }
    }
    fn check_attr(at: &str, attr: &pb::schema::Attribute, checked: &mut usize) {
        serde_json::from_slice::<serde_json::Value>(&attr.r#type)
            .unwrap_or_else(|e| panic!("{at}: type is not JSON ({e}): {:?}", attr.r#type));
        Type::from_json_bytes(&attr.r#type)
            .unwrap_or_else(|e| panic!("{at}: type is not a Terraform type: {e}"));
        *checked += 1;
    }

    let mut checked = 0;
    check_block(
        "provider",
        provider.block.as_ref().expect("provider block"),
        &mut checked,
    );
    for (name, s) in resp
        .resource_schemas
        .iter()
        .chain(resp.data_source_schemas.iter())
    {
        check_block(name, s.block.as_ref().expect("block"), &mut checked);
    }
    assert!(checked > 10, "only {checked} attributes checked");
    for (name, f) in &resp.functions {
        assert!(!f.summary.is_empty(), "{name}: no summary");
        for p in &f.parameters {
            Type::from_json_bytes(&p.r#type)
                .unwrap_or_else(|e| panic!("{name}.{}: not a Terraform type: {e}", p.name));
        }
    }
    assert_eq!(resp.functions.len(), 2, "{:?}", resp.functions.keys());
    let mut ephemeral: Vec<&str> = resp
        .ephemeral_resource_schemas
        .keys()
        .map(String::as_str)
        .collect();
    ephemeral.sort();
    assert_eq!(
        ephemeral,
        ["oktaidp_oidc_app_client_secret", "oktaidp_pomerium_idp"]
    );
    // Same arguments and outputs as the data source of that name.
    let attrs = |s: &pb::Schema| -> Vec<String> {
        let mut names: Vec<String> = s
            .block
            .as_ref()
            .map(|b| b.attributes.iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default();
        names.sort();
        names
    };
    assert_eq!(
        attrs(&resp.ephemeral_resource_schemas[DATA_SOURCE]),
        attrs(&resp.data_source_schemas[DATA_SOURCE])
    );
}

async fn call(
    client: &mut ProviderClient<Channel>,
    name: &str,
    args: &[Value],
) -> pb::call_function::Response {
    let arguments = args
        .iter()
        .map(|a| pb::DynamicValue {
            msgpack: value::encode_msgpack(a, &Type::String).expect("encode"),
            json: Vec::new(),
        })
        .collect();
    client
        .call_function(pb::call_function::Request {
            name: name.into(),
            arguments,
        })
        .await
        .expect("CallFunction")
        .into_inner()
}

#[tokio::test]
async fn functions_answer_results_and_point_errors_at_the_argument() {
    let (_running, _client, mut c) = start_mtls().await;
    let ok = call(
        &mut c,
        "callback_url",
        &[Value::string("https://authenticate.example.com/")],
    )
    .await;
    assert!(ok.error.is_none(), "{:?}", ok.error);
    let result = ok.result.expect("result");
    assert_eq!(
        value::decode_msgpack(&result.msgpack, &Type::String).expect("decode"),
        Value::string("https://authenticate.example.com/oauth2/callback")
    );

    let sa = call(&mut c, "idp_service_account", &[Value::string("xy")]).await;
    let result = sa.result.expect("result");
    assert_eq!(
        value::decode_msgpack(&result.msgpack, &Type::String).expect("decode"),
        Value::string("eyJhcGlfa2V5IjoieHkifQ==")
    );

    let bad = call(
        &mut c,
        "callback_url",
        &[Value::string("http://authenticate.example.com")],
    )
    .await;
    let err = bad.error.expect("error");
    assert_eq!(err.function_argument, Some(0));
    assert!(err.text.contains("https"), "{}", err.text);
    assert!(bad.result.is_none());

    let secret = call(
        &mut c,
        "idp_service_account",
        &[Value::string("00secret token")],
    )
    .await;
    let err = secret.error.expect("error");
    assert_eq!(err.function_argument, Some(0));
    assert!(!err.text.contains("00secret"), "{}", err.text);

    let arity = call(&mut c, "callback_url", &[]).await;
    assert!(arity.error.expect("error").function_argument.is_none());
}

// ------------------------------------------------------------------------------------------
// Values on the wire
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn data_source_reads_known_values() {
    let (_running, _client, mut c) = start_mtls().await;
    let ty = data_source_type();
    let config = value::encode_msgpack(&known_data_source_config(), &ty).expect("encode");
    let diags = validate_data(&mut c, config.clone()).await;
    assert!(!has_error(&diags), "{diags:?}");
    let resp = read_data(&mut c, config).await;
    assert!(!has_error(&resp.diagnostics), "{:?}", resp.diagnostics);
    let state = resp.state.expect("state");
    assert!(!state.msgpack.is_empty(), "state is msgpack");
    let decoded = value::decode_msgpack(&state.msgpack, &ty).expect("state decodes");
    assert!(decoded.is_wholly_known());
    assert_eq!(
        decoded.get("callback_url").and_then(Value::as_str),
        Some("https://authenticate.example.com/oauth2/callback")
    );
    assert_eq!(
        decoded.get("idp_provider_url").and_then(Value::as_str),
        Some("https://dev-1.okta.com")
    );
    assert_eq!(
        decoded.get("client_id").and_then(Value::as_str),
        Some("0oa1client")
    );
}

#[tokio::test]
async fn validation_skips_unknown_values() {
    let (_running, _client, mut c) = start_mtls().await;
    let ty = data_source_type();
    let base = known_data_source_config();
    // go-cty's unknown (fixext1 type 0) and Terraform 1.6+ refined unknowns (ext 12):
    // {1: false} (not null) and {1: false, 2: "https://"} (string prefix).
    let plain_unknown: &[u8] = &[0xd4, 0x00, 0x00];
    let refined_not_null: &[u8] = &[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
    let mut refined_prefix = vec![0xc7, 13, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa8];
    refined_prefix.extend(b"https://");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "ext 0 authenticate_service_url",
            object_msgpack_with(&ty, &base, &[("authenticate_service_url", plain_unknown)]),
        ),
        (
            "ext 12 client_id",
            object_msgpack_with(&ty, &base, &[("client_id", refined_not_null)]),
        ),
        (
            "ext 12 provider_url with prefix",
            object_msgpack_with(&ty, &base, &[("provider_url", &refined_prefix)]),
        ),
        (
            "all unknown",
            object_msgpack_with(
                &ty,
                &base,
                &[
                    ("authenticate_service_url", plain_unknown),
                    ("client_id", refined_not_null),
                    ("client_secret", plain_unknown),
                    ("provider_url", &refined_prefix),
                    ("api_token", plain_unknown),
                ],
            ),
        ),
    ];
    for (what, bytes) in cases {
        let diags = validate_data(&mut c, bytes).await;
        assert!(!has_error(&diags), "{what}: {diags:?}");
    }
    // The same encoder, through the library: Value::Unknown becomes d4 00 00.
    let mut with_unknown = base.clone();
    *with_unknown.get_mut("client_secret").expect("attr") = Value::Unknown;
    let bytes = value::encode_msgpack(&with_unknown, &ty).expect("encode");
    assert!(bytes.windows(3).any(|w| w == [0xd4, 0x00, 0x00]));
    assert!(!has_error(&validate_data(&mut c, bytes).await));
}

#[tokio::test]
async fn configured_read_only_attribute_is_an_error_with_its_path() {
    let (_running, _client, mut c) = start_mtls().await;
    let ty = data_source_type();
    let mut config = known_data_source_config();
    *config.get_mut("callback_url").expect("attr") = Value::string("https://evil.example.com");
    let diags = validate_data(&mut c, value::encode_msgpack(&config, &ty).expect("encode")).await;
    assert_eq!(error_paths(&diags), vec!["callback_url"], "{diags:?}");
}

#[tokio::test]
async fn hostile_msgpack_gets_an_error_diagnostic_and_the_process_survives() {
    let (mut running, _client, mut c) = start_mtls().await;
    let ty = data_source_type();
    let good = value::encode_msgpack(&known_data_source_config(), &ty).expect("encode");

    let mut deep = vec![0x91; 1000];
    deep.push(0xc0);
    let mut deep_maps = Vec::new();
    for _ in 0..1000 {
        deep_maps.extend([0x81, 0xa1, b'k']);
    }
    deep_maps.push(0xc0);
    let mut wrong_attr_type = good.clone();
    // client_id's value: replace the string with an integer by re-encoding by hand.
    let client_id_value =
        value::encode_msgpack(&Value::string("0oa1client"), &Type::String).expect("encode");
    let at = good
        .windows(client_id_value.len())
        .position(|w| w == client_id_value.as_slice())
        .expect("client_id value in the encoding");
    wrong_attr_type.splice(at..at + client_id_value.len(), [0x2a]);
    let mut unknown_attr = vec![0x81];
    msgpack_str(&mut unknown_attr, "no_such_attribute");
    unknown_attr.push(0xc0);

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        ("truncated by one byte", good[..good.len() - 1].to_vec()),
        ("trailing bytes", [good.as_slice(), &[0xc0]].concat()),
        (
            "garbage",
            vec![0xc1, 0xff, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef],
        ),
        ("string instead of object", b"\xa5hello".to_vec()),
        ("integer instead of object", vec![0x2a]),
        ("integer instead of string", wrong_attr_type),
        ("too few attributes", vec![0x81, 0xa1, b'x', 0xc0]),
        ("unknown attribute", unknown_attr),
        ("1000-deep arrays", deep),
        ("1000-deep maps", deep_maps),
        (
            "map32 claiming 4 billion entries",
            vec![0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, b'a', 0xc0],
        ),
        (
            "array32 claiming 4 billion items",
            vec![0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0],
        ),
        (
            "str32 claiming 4 GiB",
            [&[0x8f, 0xdb, 0xff, 0xff, 0xff, 0xff][..], b"abc"].concat(),
        ),
        (
            "ext32 claiming 4 GiB",
            vec![0xc9, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01],
        ),
        ("invalid UTF-8 key", vec![0x81, 0xa2, 0xff, 0xfe, 0xc0]),
    ];
    for (what, bytes) in &cases {
        let diags = validate_data(&mut c, bytes.clone()).await;
        assert!(
            has_error(&diags),
            "ValidateDataResourceConfig, {what}: {diags:?}"
        );
        let resp = read_data(&mut c, bytes.clone()).await;
        assert!(
            has_error(&resp.diagnostics),
            "ReadDataSource, {what}: {:?}",
            resp.diagnostics
        );
        assert!(
            resp.state.is_none(),
            "ReadDataSource, {what}: state returned"
        );
        let diags = configure(&mut c, bytes.clone()).await;
        assert!(has_error(&diags), "ConfigureProvider, {what}: {diags:?}");
    }
    // Hostile JSON too (used when msgpack is empty).
    let resp = c
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: DATA_SOURCE.into(),
            config: Some(pb::DynamicValue {
                msgpack: Vec::new(),
                json: [b"[".repeat(100_000), b"]".repeat(100_000)].concat(),
            }),
        })
        .await
        .expect("answers")
        .into_inner();
    assert!(has_error(&resp.diagnostics));

    // Still alive and answering.
    assert!(
        running.plugin.is_running(),
        "stderr:\n{}",
        running.plugin.stderr()
    );
    assert!(schema(&mut c).await.provider.is_some());
    let resp = read_data(&mut c, good).await;
    assert!(!has_error(&resp.diagnostics), "{:?}", resp.diagnostics);
}

#[tokio::test]
async fn configure_provider_accepts_numbers_as_ints_and_decimal_strings() {
    let (_running, _client, mut c) = start_mtls().await;
    let ty = provider_type();
    let nulls = object(&ty, &[]);

    let as_int = object(&ty, &[("max_retries", Value::number(3))]);
    let bytes = value::encode_msgpack(&as_int, &ty).expect("encode");
    let diags = configure(&mut c, bytes).await;
    assert!(!has_error(&diags), "max_retries as int: {diags:?}");

    let as_string = object_msgpack_with(&ty, &nulls, &[("max_retries", b"\xa13")]);
    let diags = configure(&mut c, as_string).await;
    assert!(!has_error(&diags), "max_retries as \"3\": {diags:?}");

    // 0.1 is not exact in float64, so Terraform sends it as a string.
    let fractional = object_msgpack_with(&ty, &nulls, &[("max_api_capacity", b"\xa30.1")]);
    let diags = configure(&mut c, fractional.clone()).await;
    assert_eq!(error_paths(&diags), vec!["max_api_capacity"], "{diags:?}");
    let diags = c
        .validate_provider_config(pb::validate_provider_config::Request {
            config: dv(fractional),
        })
        .await
        .expect("answers")
        .into_inner()
        .diagnostics;
    assert_eq!(error_paths(&diags), vec!["max_api_capacity"], "{diags:?}");

    // A decimal string that is not a number is a decode error, not a crash.
    let garbage = object_msgpack_with(&ty, &nulls, &[("max_retries", b"\xa3abc")]);
    assert!(has_error(&configure(&mut c, garbage).await));
}

// ------------------------------------------------------------------------------------------
// Lifecycle
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn shutdown_makes_the_process_exit_within_a_second() {
    let (mut running, client, mut c) = start_mtls().await;
    assert!(schema(&mut c).await.provider.is_some());
    let mut controller = GrpcControllerClient::new(running.connect_mtls(&client).await);
    let started = Instant::now();
    controller
        .shutdown(goplugin::Empty {})
        .await
        .expect("Shutdown answers");
    // Terraform closes its connection after Shutdown.
    drop(controller);
    drop(c);
    let status = running
        .plugin
        .wait_exit(Duration::from_secs(3))
        .await
        .expect("exits after Shutdown");
    let took = started.elapsed();
    assert!(status.success(), "exit status {status}");
    assert!(
        took < Duration::from_secs(1),
        "took {took:?} from Shutdown to exit"
    );
}

#[tokio::test]
async fn shutdown_exits_promptly_even_with_connections_left_open() {
    let (mut running, client, mut c) = start_mtls().await;
    assert!(schema(&mut c).await.provider.is_some());
    let mut controller = GrpcControllerClient::new(running.connect_mtls(&client).await);
    let mut stdio = GrpcStdioClient::new(running.connect_mtls(&client).await)
        .stream_stdio(())
        .await
        .expect("StreamStdio")
        .into_inner();
    let started = Instant::now();
    controller
        .shutdown(goplugin::Empty {})
        .await
        .expect("Shutdown");
    let status = running
        .plugin
        .wait_exit(Duration::from_secs(3))
        .await
        .expect("exits after Shutdown");
    let took = started.elapsed();
    assert!(status.success(), "exit status {status}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(!matches!(stdio.message().await, Ok(Some(_))));
}

#[tokio::test]
async fn sigint_does_not_kill_the_provider() {
    let (mut running, _client, mut c) = start_mtls().await;
    assert!(schema(&mut c).await.provider.is_some());
    for _ in 0..3 {
        running.plugin.signal("INT");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(
        running.plugin.is_running(),
        "SIGINT killed the provider; stderr:\n{}",
        running.plugin.stderr()
    );
    assert!(schema(&mut c).await.provider.is_some());
    let resp = read_data(
        &mut c,
        value::encode_msgpack(&known_data_source_config(), &data_source_type()).expect("encode"),
    )
    .await;
    assert!(!has_error(&resp.diagnostics));
}

#[tokio::test]
async fn stop_provider_returns_and_the_process_keeps_serving() {
    let (mut running, _client, mut c) = start_mtls().await;
    let resp = c
        .stop_provider(pb::stop_provider::Request::default())
        .await
        .expect("StopProvider answers")
        .into_inner();
    assert_eq!(resp.error, "");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(running.plugin.is_running());
    assert!(schema(&mut c).await.provider.is_some());
    let config =
        value::encode_msgpack(&known_data_source_config(), &data_source_type()).expect("encode");
    assert!(!has_error(&validate_data(&mut c, config).await));
    // A second StopProvider is harmless too.
    c.stop_provider(pb::stop_provider::Request::default())
        .await
        .expect("StopProvider answers again");
    assert!(schema(&mut c).await.provider.is_some());
}

#[tokio::test]
async fn stdio_stream_stays_open_and_quiet_until_shutdown() {
    let (mut running, client, _c) = start_mtls().await;
    let channel = running.connect_mtls(&client).await;
    let mut stdio = GrpcStdioClient::new(channel.clone())
        .stream_stdio(())
        .await
        .expect("StreamStdio opens")
        .into_inner();
    let quiet = tokio::time::timeout(Duration::from_millis(300), stdio.message()).await;
    assert!(quiet.is_err(), "stdio stream yielded or ended: {quiet:?}");

    GrpcControllerClient::new(channel)
        .shutdown(goplugin::Empty {})
        .await
        .expect("Shutdown");
    let ended = tokio::time::timeout(Duration::from_secs(2), stdio.message())
        .await
        .expect("stdio stream ends at shutdown");
    assert!(
        !matches!(ended, Ok(Some(_))),
        "unexpected stdio data: {ended:?}"
    );
    assert!(running
        .plugin
        .wait_exit(Duration::from_secs(2))
        .await
        .is_some());
}

#[tokio::test]
async fn debug_mode_prints_a_reattach_config_that_works() {
    // No cookie, no go-plugin variables: `--debug` is for running by hand.
    let mut plugin = Launch::bare(BIN).arg("--debug").spawn();
    let deadline = Instant::now() + plugin::HANDSHAKE_TIMEOUT;
    let mut seen = String::new();
    let reattach = loop {
        let left = deadline
            .checked_duration_since(Instant::now())
            .unwrap_or_default();
        let Some((line, _)) = plugin.next_line(left) else {
            panic!(
                "no TF_REATTACH_PROVIDERS line; stdout:\n{seen}\nstderr:\n{}",
                plugin.stderr()
            );
        };
        seen.push_str(&line);
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            break rest.strip_suffix('\'').expect("closing quote").to_string();
        }
    };
    let json: serde_json::Value = serde_json::from_str(&reattach).expect("reattach JSON");
    let providers = json.as_object().expect("JSON object");
    assert_eq!(providers.len(), 1);
    let (source, entry) = providers.iter().next().expect("one provider");
    assert_eq!(source, oktaidp::provider::SOURCE_ADDRESS);
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["Pid"], plugin.pid());
    assert_eq!(entry["Addr"]["Network"], "tcp");
    let addr: std::net::SocketAddr = entry["Addr"]["String"]
        .as_str()
        .expect("address string")
        .parse()
        .expect("socket address");
    let channel = plugin::connect_plaintext(addr)
        .await
        .expect("plaintext gRPC");
    let mut c = provider_client(channel);
    assert!(schema(&mut c).await.provider.is_some());
    assert!(plugin.is_running());
    // Dropping `plugin` kills the process.
}

/// StopProvider cancels in-flight Okta work: a data source read stuck on a slow Okta answers
/// promptly with a "cancelled" error instead of waiting it out.
#[tokio::test]
async fn stop_provider_cancels_an_in_flight_okta_request() {
    use okta_emulator::{spawn, EmulatorConfig};
    use oktaidp::provider::data_sources::group as group_data_source;

    const TOKEN: &str = "00protocol-stop-token-0123456789";
    let emu = spawn(EmulatorConfig::ephemeral().with_api_token(TOKEN))
        .await
        .expect("emulator");
    let base = emu.base_url().to_string();
    // Every group listing takes 20 s: far longer than this test is willing to wait.
    let fault = reqwest::Client::new()
        .post(format!("{base}/__emulator/faults"))
        .json(&serde_json::json!({"method": "GET", "path": "/api/v1/groups", "delayMs": 20000, "times": 0}))
        .send()
        .await
        .expect("add fault");
    assert!(fault.status().is_success());

    let (mut running, _client, mut c) = start_mtls().await;
    let provider_config = object(
        &provider_type(),
        &[
            ("org_url", Value::string(base.clone())),
            ("api_token", Value::string(TOKEN)),
        ],
    );
    let diags = configure(
        &mut c,
        value::encode_msgpack(&provider_config, &provider_type()).expect("encode"),
    )
    .await;
    assert!(!has_error(&diags), "{diags:?}");

    let ds_type = group_data_source::schema().implied_type();
    let config = object(&ds_type, &[("name", Value::string("Engineering"))]);
    let msgpack = value::encode_msgpack(&config, &ds_type).expect("encode");
    let mut reader = c.clone();
    let read = tokio::spawn(async move {
        reader
            .read_data_source(pb::read_data_source::Request {
                type_name: group_data_source::TYPE_NAME.to_string(),
                config: dv(msgpack),
                ..Default::default()
            })
            .await
            .expect("ReadDataSource answers")
            .into_inner()
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !read.is_finished(),
        "the read should be stuck on the slow Okta"
    );
    let stopped_at = Instant::now();
    c.stop_provider(pb::stop_provider::Request::default())
        .await
        .expect("StopProvider answers");
    let resp = tokio::time::timeout(Duration::from_secs(2), read)
        .await
        .expect("the read ends promptly after StopProvider")
        .expect("read task");
    let took = stopped_at.elapsed();
    let errs = errors(&resp.diagnostics);
    assert!(
        errs.iter()
            .any(|d| d.summary.contains("Cancelled") || d.detail.contains("cancelled")),
        "{:?}",
        resp.diagnostics
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(
        running.plugin.is_running(),
        "StopProvider must not end the process"
    );
    emu.shutdown().await.expect("emulator shutdown");
}
