//! The Terraform plugin protocol (tfplugin6 over go-plugin's gRPC transport).
//! Nothing in this module tree knows about Okta.

pub mod diag;
pub mod framework;
pub mod function;
pub mod handshake;
#[cfg(test)]
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
