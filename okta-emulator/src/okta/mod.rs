//! Okta's Management API, one folder per API family. A family may use the layers below it
//! (`base`, `store`, `pipeline`) and the family-neutral helpers here, never another family.

pub mod api_tokens;
pub mod apps;
pub mod authz;
pub mod fields;
pub mod groups;
pub mod objects;
pub mod org;
pub mod policies;
pub mod users;
