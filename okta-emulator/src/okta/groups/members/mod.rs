//! Group membership: `PUT`/`DELETE /api/v1/groups/{gid}/users/{uid}` (204) and
//! `GET /api/v1/groups/{gid}/users` (paged by user id). The built-in Everyone group holds every
//! user and its membership cannot be changed (403 `E0000006`).
//!
//! `ops.rs` changes and reads memberships on the org; `handlers.rs` is the HTTP side. Members
//! are shown as `okta::objects::user`.

pub mod handlers;
pub mod ops;
