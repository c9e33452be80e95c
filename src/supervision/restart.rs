//! Restarting entity actors after a panic.
//!
//! actix's `Supervisor` restarts an actor that stopped, not one that
//! panicked (the panic kills the actor's task and everything queued in its
//! mailbox). So entity actors run each handler under `catch`: a panic
//! answers that one request with an error, and the actor restarts in place
//! (its state reloaded from disk), its mailbox and address intact. Panics in
//! a row pause the actor for a growing, capped time, and are counted.

use super::{panic_message, Backoff};
use prometheus::IntCounterVec;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::LazyLock;
use std::time::Duration;

/// Restarts of entity actors after a panic, by kind.
pub static RESTARTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    // Invariant: the name and labels are valid Prometheus identifiers.
    IntCounterVec::new(
        prometheus::Opts::new(
            "baedal_actor_restarts_total",
            "Entity actors restarted after a panic, by kind",
        ),
        &["kind"],
    )
    .expect("a valid metric")
});

/// Runs `f`, turning a panic into its message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| panic_message(&*p))
}

/// One actor's record of its panics.
#[derive(Debug)]
pub struct Restarts {
    kind: &'static str,
    backoff: Backoff,
}

impl Restarts {
    pub fn new(kind: &'static str) -> Self {
        Restarts {
            kind,
            backoff: Backoff::new(Duration::from_millis(10), Duration::from_secs(2)),
        }
    }

    /// Notes a panic; returns how long the actor should pause before its
    /// next message (longer for each panic in a row).
    pub fn panicked(&mut self, id: &str, message: &str) -> Duration {
        RESTARTS.with_label_values(&[self.kind]).inc();
        let pause = self.backoff.next_delay();
        tracing::error!(
            kind = self.kind,
            id,
            panic = message,
            in_a_row = self.backoff.failures(),
            pause_ms = pause.as_millis() as u64,
            "actor panicked; restarting from its saved state"
        );
        pause
    }

    /// Notes a message handled without panicking.
    pub fn succeeded(&mut self) {
        self.backoff.reset();
    }
}

/// An entity actor whose handlers run under supervision.
pub trait Supervised: actix::Actor<Context = actix::Context<Self>> {
    /// `order`, `store` or `rider`: for logs, metrics and injected faults.
    const KIND: &'static str;

    fn id(&self) -> String;
    fn faults(&self) -> &super::Faults;
    fn restarts(&mut self) -> &mut Restarts;
    /// Forgets the state in memory and reads it again from disk.
    fn reload(&mut self);

    /// Runs a handler's body; a panic answers this request with an error,
    /// restarts the actor from its saved state and pauses it briefly.
    fn supervised<T>(
        &mut self,
        ctx: &mut actix::Context<Self>,
        body: impl FnOnce(&mut Self) -> crate::error::AppResult<T>,
    ) -> crate::error::AppResult<T> {
        use actix::{ActorContext, AsyncContext, WrapFuture};
        let id = self.id();
        let caught = catch(|| {
            self.faults().maybe_panic(Self::KIND, &id);
            body(self)
        });
        match caught {
            Ok(result) => {
                self.restarts().succeeded();
                result
            }
            Err(message) => {
                let pause = self.restarts().panicked(&id, &message);
                self.reload();
                ctx.wait(tokio::time::sleep(pause).into_actor(self));
                let _ = ctx.state(); // the actor keeps running
                Err(crate::error::AppError::Internal(format!(
                    "{} {id} failed while handling this request and restarted from its saved state; try again",
                    Self::KIND
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_panics_and_backs_off() {
        assert_eq!(catch(|| 7), Ok(7));
        let caught = catch(|| -> u8 { panic!("boom {}", 1) });
        assert_eq!(caught, Err("boom 1".to_string()));
        let mut r = Restarts::new("test");
        let first = r.panicked("1", "boom");
        let second = r.panicked("1", "boom");
        assert!(second > first);
        r.succeeded();
        assert_eq!(r.panicked("1", "boom"), first);
        assert_eq!(RESTARTS.with_label_values(&["test"]).get(), 3);
    }
}
