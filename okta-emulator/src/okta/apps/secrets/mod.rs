//! `/api/v1/apps/{appId}/credentials/secrets`: client secret rotation.
//!
//! The secret generated (or chosen) at app creation is the first secret object. At most two
//! exist; the only ACTIVE one can't be deactivated and ACTIVE ones can't be deleted.
//!
//! `ops` changes the org, `render` shows a secret as Okta does, `handlers` are the HTTP side.

pub mod handlers;
pub mod ops;
pub mod render;
