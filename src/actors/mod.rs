//! The actors, by what they do:
//!
//! - [`entities`]: one actor per order, store, rider and customer, the only
//!   writer of its keys, deciding through the pure domain;
//! - [`projections`]: subscribers of the log that keep views (kitchen
//!   tickets, the delivery board, MyPage, points, ratings, notifications);
//! - [`reactions`]: subscribers of the log that act on the world (refunds,
//!   coupons given back) and the webhook that POSTs notifications;
//! - [`services`]: work across several actors, in no actor of its own
//!   (checkout, the resolver of pending payments);
//! - [`payment`]: the payment actor and its gateway, behind the breaker;
//! - [`dispatcher`] delivers the log to every one of [`subscribers`];
//! - [`registry`] routes a message to an entity's actor, starting it.

pub mod dispatcher;
pub mod entities;
pub mod payment;
pub mod projections;
pub mod reactions;
pub mod registry;
pub mod services;
pub mod subscribers;
pub mod webhooks;

pub use registry::Registry;

use crate::error::AppResult;
use crate::storage::{CommitSeq, Db};

/// An answer sent once the write it speaks of is acknowledged (on disk, in
/// durable mode): nothing is said about a state a crash could still undo.
/// The actor itself does not wait: it handles its next message meanwhile.
pub fn answer_after<T: Send + 'static>(
    db: &Db,
    write: CommitSeq,
    result: AppResult<T>,
) -> actix::ResponseFuture<AppResult<T>> {
    let db = db.clone();
    Box::pin(async move {
        db.acknowledged(write).await?;
        result
    })
}
