//! Reactions: subscribers of the log that act on the world (a refund at the
//! gateway, a coupon given back through the customer's actor), and the
//! webhook, which POSTs the notifications the notifier queued.

pub mod coupons;
pub mod refunds;
pub mod webhook;

use super::dispatcher::LogBatch;
use super::subscribers::Wiring;
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Db, WriteBatch};
use crate::supervision::panic_message;
use actix::prelude::*;
use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;

/// A subscriber of the log that acts on the world, then records how far
/// it got: its effects are safe to repeat after a crash.
pub trait Reaction: Actor<Context = Context<Self>> + Handler<LogBatch> {
    /// Unique name; its offset is stored under `offset/<name>`.
    const NAME: &'static str;

    /// Builds it from what the server wires together.
    fn build(w: &Wiring) -> Self;
}

/// Runs one delivery of the log to the reaction `name`. A panic in it is a
/// failed delivery (the pump retries it from the offset on disk), not the
/// end of the reaction.
fn contained(
    name: &'static str,
    delivery: impl Future<Output = AppResult<u64>> + 'static,
) -> ResponseFuture<AppResult<u64>> {
    Box::pin(async move {
        AssertUnwindSafe(delivery)
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                Err(AppError::Internal(format!(
                    "{name} panicked: {}",
                    panic_message(&*panic)
                )))
            })
    })
}

/// Records that the reaction `name` got from offset `from` to `to` (nothing
/// if it did not move).
fn commit_offset(db: &Db, name: &str, from: u64, to: u64) -> AppResult<()> {
    if to != from {
        let mut batch = WriteBatch::new();
        batch.put(keys::offset(name), &to)?;
        db.commit(batch)?;
    }
    Ok(())
}
