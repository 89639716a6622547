//! `PUT /api/v1/apps/{appId}/policies/{policyId}`: maps an app to an access (authentication)
//! policy, replacing its previous one. The app's `_links.accessPolicy` follows the mapping.
//! Also `GET /api/v1/policies/{policyId}/app`, the apps mapped to a policy (rendered as apps).
//!
//! `ops` changes the org, `handlers` is the HTTP side (the answer is an empty 204).

pub mod handlers;
pub mod ops;
