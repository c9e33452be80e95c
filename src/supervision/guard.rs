//! The circuit breaker shared by concurrent calls, with the per-call
//! timeout: what the payment actor wraps every gateway call in.

use super::circuit_breaker::{Breaker, BreakerConfig, Rejection};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Why a guarded call did not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError<E> {
    /// Not attempted: the breaker is open, trying, or the bulkhead is full.
    Rejected(Rejection),
    /// Abandoned after the call timeout: it may or may not have happened.
    TimedOut,
    /// The dependency answered with a failure.
    Failed(E),
}

/// A breaker many tasks share.
#[derive(Clone, Debug)]
pub struct Guard {
    breaker: Arc<Mutex<Breaker>>,
}

impl Guard {
    pub fn new(config: BreakerConfig) -> Self {
        Guard {
            breaker: Arc::new(Mutex::new(Breaker::new(config))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Breaker> {
        // The breaker's methods do not panic half-way; its state stays usable.
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a call could go ahead now (a cheap pre-check, takes nothing).
    pub fn check(&self) -> Result<(), Rejection> {
        self.lock().check(Instant::now())
    }

    /// `closed`, `open` or `half-open`.
    pub fn state_name(&self) -> &'static str {
        self.lock().state_name(Instant::now())
    }

    pub fn times_opened(&self) -> u64 {
        self.lock().times_opened()
    }

    /// Runs `call` if the breaker lets it, abandons it after the timeout,
    /// and records how it went.
    pub async fn call<T, E>(
        &self,
        call: impl Future<Output = Result<T, E>>,
    ) -> Result<T, CallError<E>> {
        let (generation, timeout) = {
            let mut b = self.lock();
            let generation = b.acquire(Instant::now()).map_err(CallError::Rejected)?;
            (generation, b.config().call_timeout)
        };
        // If this future is dropped mid-call, the permit is given back.
        let mut permit = Permit {
            guard: self,
            generation: Some(generation),
        };
        let started = Instant::now();
        let result = tokio::time::timeout(timeout, call).await;
        let failed = !matches!(result, Ok(Ok(_)));
        permit.generation = None;
        self.lock()
            .finish(Instant::now(), generation, failed, started.elapsed());
        match result {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(CallError::Failed(e)),
            Err(_) => Err(CallError::TimedOut),
        }
    }
}

/// A permit held by a call in progress.
struct Permit<'a> {
    guard: &'a Guard,
    /// `None` once the call finished and was recorded.
    generation: Option<u64>,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(generation) = self.generation {
            self.guard.lock().release(generation);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn times_out_fails_and_opens() {
        let guard = Guard::new(BreakerConfig {
            min_calls: 2,
            call_timeout: Duration::from_millis(20),
            open_wait: Duration::from_secs(60),
            ..BreakerConfig::default()
        });
        let slow = guard
            .call(async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok::<_, ()>(1)
            })
            .await;
        assert_eq!(slow, Err(CallError::TimedOut));
        let failed = guard.call(async { Err::<u8, _>("down") }).await;
        assert_eq!(failed, Err(CallError::Failed("down")));
        assert_eq!(guard.state_name(), "open");
        let rejected = guard.call(async { Ok::<_, ()>(1) }).await;
        assert!(matches!(
            rejected,
            Err(CallError::Rejected(Rejection::Open { .. }))
        ));
        assert!(guard.check().is_err());
    }
}
