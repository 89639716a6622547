//! The bottom layer: what any part of the emulator may use and that knows nothing of the org,
//! the HTTP pipeline or any Okta API family. Ids, the clock, the one Okta error catalogue,
//! search filters, password hashing and JOSE (signing keys, JWKs, compact JWTs, DPoP proofs).

pub mod clock;
pub mod errors;
pub mod ids;
pub mod jose;
pub mod password;
pub mod search;
