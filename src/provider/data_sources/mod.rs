//! The data sources: one module per data source type, named after it without `oktaidp_`.

pub mod group;
pub mod pomerium_idp;
