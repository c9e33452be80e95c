//! Refunds: a subscriber that has the gateway give money back when an
//! order is revised down, rejected or canceled.
//!
//! The order's actor does the work (`SettleRefunds`): it is the single
//! writer of the payment, whose ledger already holds each refund as
//! requested (written with the event that asked for it), and it records
//! each refund the gateway confirms. Each refund has its own idempotency
//! key, so a delivery repeated after a crash refunds nothing twice.
//!
//! The orders of one delivery are settled concurrently ([`IN_FLIGHT`] at
//! once): each settling waits for flushes (its request on disk before the
//! gateway hears of it, the gateway's books, the confirmation): one at a
//! time, a soak at 812 lifecycles a second (one in seven refunded) left
//! this subscriber millions of events behind (BENCHMARKS.md, "Soak,
//! again").

use crate::actors::dispatcher::LogBatch;
use crate::actors::entities::order::SettleRefunds;
use crate::actors::reactions::{commit_offset, contained, Reaction};
use crate::actors::subscribers::Wiring;
use crate::actors::Registry;
use crate::domain::event::OrderEventOf;
use crate::domain::order::OrderEvent;
use crate::domain::OrderId;
use crate::error::AppResult;
use crate::storage::{keys, Db};
use actix::prelude::*;
use futures_util::StreamExt;

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

/// Orders settled at once.
pub const IN_FLIGHT: usize = 64;

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
            let records: Vec<_> = msg.0.iter().filter(|r| r.seq > start).collect();
            let Some(last) = records.last().map(|r| r.seq) else {
                return Ok(start);
            };
            // Each order once, at the first event that asks (everything it
            // still keeps if any event asks for that), in log order.
            let mut asked: Vec<(OrderId, bool, u64)> = Vec::new();
            for record in &records {
                let Some(OrderEventOf {
                    order_id, event, ..
                }) = record.event.as_order()
                else {
                    continue;
                };
                let Some(whole) = refund_asked(event) else {
                    continue;
                };
                match asked.iter_mut().find(|(id, ..)| *id == order_id) {
                    Some((_, all, _)) => *all |= whole,
                    None => asked.push((order_id, whole, record.seq)),
                }
            }
            let settled: Vec<_> =
                futures_util::stream::iter(asked.iter().map(|&(id, whole, _)| {
                    let registry = registry.clone();
                    async move {
                        registry
                            .send(&id, SettleRefunds { whole })
                            .await
                            .and_then(|r| r)
                    }
                }))
                .buffered(IN_FLIGHT)
                .collect()
                .await;
            let failed = asked
                .iter()
                .zip(settled)
                .find_map(|(&(_, _, seq), settled)| settled.err().map(|e| (seq, e)));
            if let Some((seq, e)) = failed {
                // What is done stays done; from the first failure on, the
                // rest is retried (settling an order again is harmless).
                commit_offset(&db, NAME, start, seq - 1)?;
                return Err(e);
            }
            commit_offset(&db, NAME, start, last)?;
            Ok(last)
        };
        contained(NAME, refund)
    }
}
