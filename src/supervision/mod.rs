//! Keeping going under faults: the circuit breaker around the payment
//! gateway, and the backoff shared by everything that retries.

pub mod backoff;
pub mod circuit_breaker;
pub mod guard;

pub use backoff::Backoff;
pub use circuit_breaker::{Breaker, BreakerConfig, Rejection};
pub use guard::{CallError, Guard};
