//! JOSE: the org's RSA signing keys and compact JWTs (`keys`), public JWKs and JWS parsing
//! (`jwk`), and DPoP proofs (`dpop`).

pub mod dpop;
pub mod jwk;
pub mod keys;
