//! Serving a provider the way go-plugin does: handshake line on stdout, gRPC over mutually
//! authenticated TLS on 127.0.0.1, go-plugin's controller/stdio/broker services beside tfplugin6,
//! prompt exit on `Shutdown`, and SIGINT ignored (Terraform sends `StopProvider` instead).

use std::io::Write as _;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use super::framework::Provider;
use super::handshake::{self, HandshakeError, LaunchEnv};
use super::proto::plugin;
use super::proto::plugin::grpc_broker_server::{GrpcBroker, GrpcBrokerServer};
use super::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use super::proto::tfplugin6::provider_server::ProviderServer;
use super::service::ProviderService;
use super::tls::{self, ServerIdentity, TlsError};

/// Terraform raises its own limits far above gRPC's 4 MiB default; so do we.
const MAX_MESSAGE_BYTES: usize = 256 << 20;
/// How long in-flight calls may take to finish after `Shutdown` before the process exits.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);
/// A TLS handshake that takes longer than this is abandoned (Terraform's takes milliseconds).
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// go-plugin's controller: `Shutdown` asks the process to exit.
struct Controller {
    shutdown: CancellationToken,
    /// In debug mode the provider outlives any one Terraform run, so Shutdown is ignored.
    honour_shutdown: bool,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(
        &self,
        _request: Request<plugin::Empty>,
    ) -> Result<Response<plugin::Empty>, Status> {
        if self.honour_shutdown {
            tracing::debug!("shutdown requested by Terraform");
            self.shutdown.cancel();
        }
        Ok(Response::new(plugin::Empty {}))
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// A stream that yields nothing and ends at shutdown, so it never holds the process open.
fn idle_until<T: Send + 'static>(shutdown: CancellationToken) -> BoxStream<T> {
    Box::pin(
        futures::stream::once(async move { shutdown.cancelled_owned().await })
            .filter_map(|_| async { None }),
    )
}

/// We write nothing to stdout or stderr that Terraform should relay, so the stream stays quiet.
struct Stdio {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = BoxStream<plugin::StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}

/// Providers never open broker connections; the stream only keeps the client content.
struct Broker {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    type StartStreamStream = BoxStream<plugin::ConnInfo>;

    async fn start_stream(
        &self,
        _request: Request<Streaming<plugin::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}

fn router(
    provider: Arc<dyn Provider>,
    shutdown: &CancellationToken,
    honour_shutdown: bool,
) -> tonic::transport::server::Router {
    let service = ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    tonic::transport::Server::builder()
        .add_service(service)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
            honour_shutdown,
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(Broker {
            shutdown: shutdown.clone(),
        }))
}

/// Accepts TCP connections and completes the mutual TLS handshake before gRPC sees them;
/// connections that fail authentication are dropped here.
fn tls_incoming(
    listener: TcpListener,
    config: rustls::ServerConfig,
    shutdown: CancellationToken,
) -> impl Stream<Item = Result<tokio_rustls::server::TlsStream<tokio::net::TcpStream>, std::io::Error>>
{
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let (tcp, peer) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(stream)) => {
                        let _ = tx.send(Ok(stream)).await;
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(%peer, error = %e, "refused a connection that failed mutual TLS")
                    }
                    Err(_) => tracing::warn!(%peer, "TLS handshake timed out"),
                }
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// Swallows SIGINT until shutdown. The handler must be installed before the handshake line is
/// printed, or a Ctrl-C during Terraform's start-up kills the provider.
async fn ignore_sigint(mut sigint: tokio::signal::unix::Signal, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            got = sigint.recv() => {
                if got.is_none() { return; }
                tracing::info!("received interrupt; ignoring it (Terraform sends StopProvider)");
            }
        }
    }
}

/// Runs the provider as Terraform's managed plugin until Terraform asks it to shut down.
pub async fn serve(provider: Arc<dyn Provider>, env: LaunchEnv) -> Result<(), ServeError> {
    let shutdown = CancellationToken::new();
    let sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    tokio::spawn(ignore_sigint(sigint, shutdown.clone()));
    let listener = handshake::bind_in_range(env.min_port, env.max_port).await?;
    let addr = listener.local_addr()?;
    let router = router(provider, &shutdown, true);

    let server = match env.client_cert_pem.as_deref() {
        Some(pem) => {
            let identity = ServerIdentity::generate()?;
            let config = identity.server_config(tls::parse_client_cert(pem)?)?;
            print_handshake(&handshake::handshake_line(
                addr,
                &identity.handshake_field(),
            ))?;
            let incoming = tls_incoming(listener, config, shutdown.clone());
            tokio::spawn(
                router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned()),
            )
        }
        None => {
            // TF_DISABLE_PLUGIN_TLS: Terraform dials plaintext and expects an empty cert field.
            print_handshake(&handshake::handshake_line(addr, ""))?;
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
            tokio::spawn(
                router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned()),
            )
        }
    };
    finish(server, shutdown).await
}

/// Waits for `Shutdown` (or a server failure), then gives in-flight calls a short grace period.
async fn finish(
    mut server: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    tokio::select! {
        _ = shutdown.cancelled() => {}
        result = &mut server => {
            return match result {
                Ok(r) => r.map_err(ServeError::from),
                Err(e) => Err(std::io::Error::other(e).into()),
            };
        }
    }
    match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
        Ok(Ok(r)) => r.map_err(ServeError::from),
        // Grace period over or the task failed: exit anyway, Terraform is done with us.
        _ => Ok(()),
    }
}

/// `--debug`: serve plaintext on 127.0.0.1 and print the `TF_REATTACH_PROVIDERS` value to use.
/// Runs until interrupted; Terraform does not manage this process.
pub async fn serve_debug(
    provider: Arc<dyn Provider>,
    source_address: &str,
) -> Result<(), ServeError> {
    let shutdown = CancellationToken::new();
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let reattach = reattach_json(source_address, std::process::id(), &addr.to_string());
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Provider started. To attach Terraform, set TF_REATTACH_PROVIDERS in the shell that runs it:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n\nPress Ctrl-C to stop."
    )?;
    out.flush()?;
    drop(out);
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    let server = tokio::spawn(
        router(provider, &shutdown, false)
            .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned()),
    );
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.cancel();
    });
    finish(server, shutdown).await
}

/// The reattach JSON Terraform parses; `"Test": true` is required for protocol 6.
pub fn reattach_json(source_address: &str, pid: u32, addr: &str) -> String {
    serde_json::json!({
        source_address: {
            "Protocol": "grpc",
            "ProtocolVersion": 6,
            "Pid": pid,
            "Test": true,
            "Addr": {"Network": "tcp", "String": addr},
        }
    })
    .to_string()
}

fn print_handshake(line: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_json_marks_test_true() {
        let json = reattach_json("registry.terraform.io/oktaidp/oktaidp", 42, "127.0.0.1:9");
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        let entry = &v["registry.terraform.io/oktaidp/oktaidp"];
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Addr"]["String"], "127.0.0.1:9");
    }
}
