//! The actors: one per order, store and rider, the payment actor, the log's
//! subscribers (kitchen, delivery board, MyPage view, refunds) and the
//! registry that routes to them.

pub mod board;
pub mod checkout;
pub mod coupons;
pub mod customer;
pub mod dispatcher;
pub mod inbox;
pub mod kitchen;
pub mod mypage;
pub mod notifier;
pub mod order;
pub mod passivation;
pub mod payment;
pub mod ratings;
pub mod refunds;
pub mod registry;
pub mod resolver;
pub mod rider;
pub mod store;
pub mod subscribers;
pub mod wallet;
pub mod webhook;

pub use registry::Registry;

use crate::error::AppResult;
use crate::storage::{Db, Ticket};

/// An answer sent once the write it speaks of is acknowledged (on disk, in
/// durable mode): nothing is said about a state a crash could still undo.
/// The actor itself does not wait: it handles its next message meanwhile.
pub fn answer_after<T: Send + 'static>(
    db: &Db,
    write: Ticket,
    result: AppResult<T>,
) -> actix::ResponseFuture<AppResult<T>> {
    let db = db.clone();
    Box::pin(async move {
        db.acknowledged(write).await;
        result
    })
}
