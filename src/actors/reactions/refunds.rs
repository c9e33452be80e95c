//! Refunds: a subscriber that has the gateway give money back when an
//! order is revised down, rejected or canceled.
//!
//! The order's actor does the work (`SettleRefunds`): it is the single
//! writer of the payment, whose ledger already holds each refund as
//! requested (written with the event that asked for it), and it records
//! each refund the gateway confirms. Each refund has its own idempotency
//! key, so a delivery repeated after a crash refunds nothing twice.

use crate::actors::dispatcher::LogBatch;
use crate::actors::entities::order::SettleRefunds;
use crate::actors::reactions::{commit_offset, contained, Reaction};
use crate::actors::subscribers::Wiring;
use crate::actors::Registry;
use crate::domain::event::OrderEventOf;
use crate::domain::order::OrderEvent;
use crate::error::AppResult;
use crate::storage::{keys, Db};
use actix::prelude::*;

/// The subscriber's name (and offset key).
pub const NAME: &str = "refunds";

/// The refunds subscriber.
pub struct Refunds {
    db: Db,
    registry: Registry,
}

impl Reaction for Refunds {
    const NAME: &'static str = NAME;

    fn build(w: &Wiring) -> Self {
        Refunds {
            db: w.deps.db.clone(),
            registry: w.registry.clone(),
        }
    }
}

impl Actor for Refunds {
    type Context = Context<Self>;
}

/// What an order event asks of the refunds: `Some(whole)` if it gives
/// money back (everything still kept when `whole`).
fn refund_asked(event: &OrderEvent) -> Option<bool> {
    match event {
        OrderEvent::Revised(r) if r.delta < 0 => Some(false),
        e if e.refunds_payment() => Some(true),
        _ => None,
    }
}

impl Handler<LogBatch> for Refunds {
    type Result = ResponseFuture<AppResult<u64>>;

    fn handle(&mut self, msg: LogBatch, _: &mut Context<Self>) -> Self::Result {
        let (db, registry) = (self.db.clone(), self.registry.clone());
        let refund = async move {
            let start = db.get::<u64>(&keys::offset(NAME))?.unwrap_or(0);
            let mut offset = start;
            for record in msg.0.iter().filter(|r| r.seq > start) {
                if let Some(OrderEventOf {
                    order_id, event, ..
                }) = record.event.as_order()
                {
                    if let Some(whole) = refund_asked(event) {
                        let settled = registry.send(&order_id, SettleRefunds { whole }).await;
                        if let Err(e) = settled.and_then(|r| r) {
                            // What is done stays done; the rest is retried.
                            commit_offset(&db, NAME, start, offset)?;
                            return Err(e);
                        }
                    }
                }
                offset = record.seq;
            }
            commit_offset(&db, NAME, start, offset)?;
            Ok(offset)
        };
        contained(NAME, refund)
    }
}
