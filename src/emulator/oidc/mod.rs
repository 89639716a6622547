//! OIDC endpoints (being built).

pub mod grants;
