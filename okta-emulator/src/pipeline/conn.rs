//! A TCP listener whose connections can be reset from a request handler.
//!
//! Fault rules with `"reset": true` must look like a dropped connection to the client. Each
//! accepted stream carries a kill flag, exposed to handlers as connect info; once set, the next
//! I/O on the stream fails and the socket is closed with SO_LINGER 0, which sends a TCP RST.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{Context, Poll},
};

use axum::{extract::connect_info::Connected, serve::IncomingStream};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
};

/// Listener handed to `axum::serve`.
pub struct ResetListener {
    inner: TcpListener,
}

impl ResetListener {
    pub fn new(inner: TcpListener) -> Self {
        ResetListener { inner }
    }
}

impl axum::serve::Listener for ResetListener {
    type Io = ConnIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        ConnIo {
                            stream,
                            kill: Arc::new(AtomicBool::new(false)),
                        },
                        addr,
                    );
                }
                // Transient accept errors (EMFILE, ECONNABORTED …): back off briefly, retry.
                Err(e) => {
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// An accepted connection with a kill switch.
pub struct ConnIo {
    stream: TcpStream,
    kill: Arc<AtomicBool>,
}

impl ConnIo {
    fn check(&self) -> io::Result<()> {
        if self.kill.load(Ordering::Acquire) {
            // Zero linger: closing sends RST instead of FIN, and cannot block.
            let _ = self.stream.set_zero_linger();
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset by fault rule",
            ));
        }
        Ok(())
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Connect info available to handlers: the connection's kill switch.
#[derive(Clone, Debug)]
pub struct ConnHandle {
    kill: Arc<AtomicBool>,
}

impl ConnHandle {
    /// Makes the connection fail with a TCP reset at its next read or write.
    pub fn reset(&self) {
        self.kill.store(true, Ordering::Release);
    }
}

impl Connected<IncomingStream<'_, ResetListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, ResetListener>) -> Self {
        ConnHandle {
            kill: stream.io().kill.clone(),
        }
    }
}
