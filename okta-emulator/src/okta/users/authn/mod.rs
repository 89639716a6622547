//! `POST /api/v1/authn`: Okta's (Classic) primary authentication. Public, like Okta's: no
//! `Authorization` header. A correct username (login) and password of an ACTIVE user answer
//! `SUCCESS` with a one-time `sessionToken` valid for five minutes; anything else is 401
//! `E0000004`. The token is kept (hashed) in the org until `Org::redeem_session_token` takes it.
//!
//! `ops.rs` finds the user and opens the session on the org, `render.rs` is the `SUCCESS`
//! answer, `handlers.rs` the HTTP side (the slow password check runs there, outside the lock).

pub mod handlers;
pub mod ops;
mod render;
