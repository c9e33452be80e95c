//! Who is calling: passwords (argon2), signed access tokens (JWT, HS256),
//! rotating refresh tokens, and the signing key.
//!
//! - `password`: hashing at sign-up, checking at sign-in (in a blocking
//!   thread: each takes tens of milliseconds on purpose).
//! - `tokens`: access tokens (short-lived, verified in microseconds on every
//!   request) and the shape of refresh tokens.
//! - `secret`: the signing key, from `--auth-secret` or generated once and
//!   kept in the database, so restarts keep sessions valid.
//!
//! Whose token it is becomes a [`Principal`](crate::domain::access::Principal)
//! in [`crate::read::principal`]; what that principal may do is the domain's
//! (`domain::access`).

pub mod password;
pub mod secret;
pub mod tokens;

pub use tokens::{AccessClaims, RefreshToken, Tokens};
