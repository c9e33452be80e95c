//! Idle entity actors stop themselves, so that millions of orders fit; the
//! next message rehydrates them from disk.

use actix::{Actor, ActorContext, Addr, AsyncContext, Context};
use std::time::{Duration, Instant};

/// How long an actor that holds nothing (an unknown id) lingers after
/// answering before it stops. Not zero: requests already queued behind the
/// first are answered by it instead of bouncing off a stopping mailbox.
pub const ABSENT_GRACE: Duration = Duration::from_millis(200);

/// When an actor was last used, and how long it may idle.
#[derive(Clone, Copy, Debug)]
pub struct Idle {
    last_used: Instant,
    limit: Duration,
}

impl Idle {
    pub fn new(limit: Duration) -> Self {
        Idle {
            last_used: Instant::now(),
            limit,
        }
    }

    pub fn touch(&mut self) {
        self.last_used = Instant::now();
    }

    pub fn expired(&self) -> bool {
        self.last_used.elapsed() >= self.limit
    }

    /// How often to check: often enough that an actor outlives its limit by
    /// at most half of it.
    pub fn check_every(&self) -> Duration {
        (self.limit / 2).max(Duration::from_millis(100))
    }
}

/// An entity actor that stops itself once idle, leaving the registry first
/// (a message that meets it stopping is re-sent to a fresh actor).
pub trait Passivates: Actor<Context = Context<Self>> {
    fn idle(&self) -> &Idle;

    /// Takes this actor out of the registry.
    fn forget(&self, addr: &Addr<Self>);

    /// Checks now and then whether it idled too long; call from `started`.
    fn passivate_when_idle(&self, ctx: &mut Context<Self>) {
        ctx.run_interval(self.idle().check_every(), |act, ctx| {
            if act.idle().expired() {
                act.forget(&ctx.address());
                ctx.stop();
            }
        });
    }
}
