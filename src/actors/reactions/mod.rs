//! Reactions: subscribers of the log that act on the world (a refund at the
//! gateway, a coupon given back through the customer's actor), and the
//! webhook, which POSTs the notifications the notifier queued.

pub mod coupons;
pub mod refunds;
pub mod webhook;

use super::dispatcher::LogBatch;
use super::subscribers::Wiring;
use actix::prelude::*;

/// A subscriber of the log that acts on the world, then records how far
/// it got: its effects are safe to repeat after a crash.
pub trait Reaction: Actor<Context = Context<Self>> + Handler<LogBatch> {
    /// Unique name; its offset is stored under `offset/<name>`.
    const NAME: &'static str;

    /// Builds it from what the server wires together.
    fn build(w: &Wiring) -> Self;
}
