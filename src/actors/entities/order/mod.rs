//! Orders as entities: an order's actor is the single place its transitions
//! are decided, so concurrent commands on one order are serialised and
//! exactly one wins. Checkout (`placement`), revision and the settling of
//! payments left pending (`resolution`) are its own messages; the lifecycle
//! commands go through the shell's `Execute`.

mod placement;
mod refunds;
mod resolution;
mod revision;

pub use placement::{Draft, IdempotencyRecord, PendingPayment, Place};
pub use refunds::SettleRefunds;
pub use resolution::{Resolution, Resolve};
pub use revision::{PendingRevision, ResolveRevision, Revise};

use super::shell::{Entity, EntityActor};
use crate::actors::registry::Directory;
use crate::domain::delivery::Trip;
use crate::domain::order::{Order, OrderCommand, OrderEvent};
use crate::domain::{Event, OrderId, Timestamp};
use crate::error::AppResult;
use crate::storage::{keys, Db, WriteBatch};
use actix::prelude::*;
use dashmap::DashMap;

/// The actor of one order.
pub type OrderActor = EntityActor<Order>;

impl Entity for Order {
    const KIND: &'static str = "order";

    fn key(id: &OrderId) -> Vec<u8> {
        keys::order(*id)
    }

    fn logged(id: &OrderId, next: &Order, event: &OrderEvent) -> Option<Event> {
        Some(Event::Order {
            order_id: *id,
            customer_id: next.customer_id.clone(),
            store_id: next.store_id.clone(),
            event: event.clone(),
        })
    }

    /// The customer's index of orders, when placed; the order's durable
    /// timers (`Order::timers`: those it gained written, those it lost
    /// removed); its rider's trip while picked up (`keys::rider_trip`);
    /// the payment record, settled by a placement or a revision,
    /// or asked for everything back by a reject or cancel, in the same
    /// commit.
    fn also_write(
        db: &Db,
        id: &OrderId,
        before: Option<&Order>,
        next: &Order,
        cmd: &OrderCommand,
        events: &[OrderEvent],
        batch: &mut WriteBatch,
        now: Timestamp,
    ) -> AppResult<()> {
        if before.is_none() {
            batch.put(keys::customer_order(&next.customer_id, *id), &())?;
        }
        let (was, is) = (before.map(Order::timers).unwrap_or_default(), next.timers());
        for (due, timer) in was.iter().filter(|t| !is.contains(t)) {
            batch.remove(keys::order_timer(*due, *id, *timer));
        }
        for (due, timer) in is.iter().filter(|t| !was.contains(t)) {
            batch.put(keys::order_timer(*due, *id, *timer), timer)?;
        }
        // The rider's trip, for live tracking, from pick-up to delivery.
        match (before.and_then(Trip::of), Trip::of(next)) {
            (None, Some((rider, trip))) => batch.put(keys::rider_trip(&rider, *id), &trip)?,
            (Some((rider, _)), None) => batch.remove(keys::rider_trip(&rider, *id)),
            _ => {}
        }
        if events.iter().any(OrderEvent::refunds_payment) {
            return placement::request_refund_in(db, *id, batch, now);
        }
        placement::settle_payment_in(db, *id, batch, cmd, now)
    }

    fn live(directory: &Directory) -> &DashMap<OrderId, Addr<OrderActor>> {
        &directory.orders
    }

    fn label(id: &OrderId) -> String {
        id.to_string()
    }
}
