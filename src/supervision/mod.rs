//! Keeping going under faults: the circuit breaker around the payment
//! gateway, and the backoff shared by everything that retries.

pub mod backoff;
pub mod circuit_breaker;
pub mod faults;
pub mod guard;
pub mod restart;

pub use backoff::Backoff;
pub use circuit_breaker::{Breaker, BreakerConfig, Rejection};
pub use faults::Faults;
pub use guard::{CallError, Guard};
pub use restart::{catch, Restarts, Supervised};

/// The message of a caught panic, for logs and error replies.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}
