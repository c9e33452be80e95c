//! Who is calling: passwords (argon2), signed access tokens (JWT, HS256),
//! rotating refresh tokens, and the signing key.
//!
//! - `password`: hashing at sign-up, checking at sign-in (each takes tens
//!   of milliseconds and 19 MiB on purpose);
//! - `hashing`: the few threads of their own where that runs.
//! - `tokens`: access tokens (short-lived, verified in microseconds on every
//!   request) and the shape of refresh tokens.
//! - `secret`: the signing key, from `--auth-secret` or generated once and
//!   kept in the database, so restarts keep sessions valid.
//!
//! Whose token it is becomes a [`Principal`](crate::domain::access::Principal)
//! in [`crate::read::principal`]; what that principal may do is the domain's
//! (`domain::access`).

pub mod hashing;
pub mod password;
pub mod secret;
pub mod tokens;

pub use tokens::{AccessClaims, RefreshToken, Tokens};
