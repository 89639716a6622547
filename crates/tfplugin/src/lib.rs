//! The Terraform plugin protocol (tfplugin6 over go-plugin's gRPC transport).
//! Nothing in this crate knows about Okta.

pub mod diag;
pub mod framework;
pub mod function;
pub mod handshake;
// Test support, also for the crates that define resources (their dev-dependency enables the
// `testing` feature).
#[cfg(any(test, feature = "testing"))]
pub mod lifecycle;
pub mod logging;
pub mod model;
pub mod proto;
pub mod schema;
pub mod server;
pub mod service;
pub mod tls;
pub mod typed;
pub mod value;
