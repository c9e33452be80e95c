//! Coupons given back: a subscriber that restores the coupon of an order
//! that was refunded (rejected or canceled), or of a checkout that ended
//! without an order, through the customer's actor (idempotent).

use crate::actors::dispatcher::LogBatch;
use crate::actors::entities::shell::Execute;
use crate::actors::reactions::{commit_offset, contained, Reaction};
use crate::actors::subscribers::Wiring;
use crate::actors::Registry;
use crate::domain::access::Principal;
use crate::domain::order::Order;
use crate::domain::wallet::{Wallet, WalletCommand};
use crate::domain::{Event, OrderId};
use crate::error::AppResult;
use crate::storage::keys;
use actix::prelude::*;

/// The subscriber's name (and offset key).
pub const NAME: &str = "coupons";

/// The coupons subscriber.
pub struct Coupons {
    registry: Registry,
}

impl Coupons {
    pub fn new(registry: Registry) -> Self {
        Coupons { registry }
    }
}

impl Reaction for Coupons {
    const NAME: &'static str = NAME;

    fn build(w: &Wiring) -> Self {
        Coupons::new(w.registry.clone())
    }
}

impl Actor for Coupons {
    type Context = Context<Self>;
}

/// The coupon to give back for this event, and whose.
fn to_restore(registry: &Registry, event: &Event) -> AppResult<Option<(String, String, OrderId)>> {
    Ok(match event {
        Event::CheckoutAbandoned {
            order_id,
            customer_id,
            coupon_id: Some(coupon),
        } => Some((customer_id.clone(), coupon.clone(), *order_id)),
        Event::Order {
            order_id,
            customer_id,
            event,
            ..
        } if event.refunds_payment() => registry
            .env()
            .db
            .get::<Order>(&keys::order(*order_id))?
            .and_then(|o| o.coupon_id)
            .map(|c| (customer_id.clone(), c, *order_id)),
        _ => None,
    })
}

impl Handler<LogBatch> for Coupons {
    type Result = ResponseFuture<AppResult<u64>>;

    fn handle(&mut self, msg: LogBatch, _: &mut Context<Self>) -> Self::Result {
        let registry = self.registry.clone();
        let restore = async move {
            let db = registry.env().db.clone();
            let start = db.get::<u64>(&keys::offset(NAME))?.unwrap_or(0);
            let mut offset = start;
            for record in msg.0.iter().filter(|r| r.seq > start) {
                if let Some((customer, coupon_id, order_id)) = to_restore(&registry, &record.event)?
                {
                    let cmd = WalletCommand::RestoreCoupon {
                        coupon_id,
                        order_id,
                    };
                    registry
                        .send(&customer, Execute::<Wallet>::new(&Principal::System, cmd))
                        .await??;
                }
                offset = record.seq;
            }
            commit_offset(&registry.env().db, NAME, start, offset)?;
            Ok(offset)
        };
        contained(NAME, restore)
    }
}
