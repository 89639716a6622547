//! The managed resources: one folder per resource type, named after it without `oktaidp_`,
//! holding the resource (`mod.rs`) and the helpers only it uses.

pub mod api_token;
pub mod groups_claim;
pub mod oidc_app;
pub mod oidc_app_redirect_uri;
pub mod oidc_app_refresh_grant;
