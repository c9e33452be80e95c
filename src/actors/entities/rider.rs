//! Riders as entities: a rider's location and duty, and the way their
//! pick-ups reach the order (which alone decides: first rider wins).

use super::shell::{Entity, EntityActor, EntityMessage, Execute};
use crate::actors::registry::Directory;
use crate::domain::access::Principal;
use crate::domain::aggregate::Aggregate;
use crate::domain::order::{Order, OrderCommand};
use crate::domain::rider::{Rider, RiderEvent};
use crate::domain::{Event, OrderId};
use crate::error::AppResult;
use crate::storage::keys;
use crate::supervision::Supervised;
use actix::prelude::*;
use dashmap::DashMap;

impl Entity for Rider {
    const KIND: &'static str = "rider";

    fn key(id: &String) -> Vec<u8> {
        keys::rider(id)
    }

    /// Nothing subscribes to riders: their snapshot is all that is kept.
    fn logged(_: &String, _: &Rider, _: &RiderEvent) -> Option<Event> {
        None
    }

    fn live(directory: &Directory) -> &DashMap<String, Addr<EntityActor<Rider>>> {
        &directory.riders
    }

    fn label(id: &String) -> String {
        id.clone()
    }
}

/// What a rider can do to a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RiderAction {
    Pick,
    Complete,
}

/// A rider acting on the delivery of an order; `by` the rider (or an
/// operator acting for them).
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Order>")]
pub struct Act {
    pub by: Principal,
    pub order_id: OrderId,
    pub action: RiderAction,
}

impl EntityMessage for Act {
    type Entity = Rider;
}

impl Handler<Act> for EntityActor<Rider> {
    type Result = ResponseFuture<AppResult<Order>>;

    fn handle(&mut self, msg: Act, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("rider.act", rider = %self.id, order = msg.order_id, action = ?msg.action)
            .entered();
        self.idle.touch();
        let cmd = self.supervised(ctx, |act| {
            let rider_id = act.id.clone();
            Ok(match msg.action {
                RiderAction::Pick => {
                    act.ensure_loaded()?;
                    // Invariant: a rider exists once named (`Rider::initial`).
                    let rider = act
                        .state
                        .as_ref()
                        .ok_or_else(|| Rider::not_found(&act.id))?;
                    rider.check_can_pick()?;
                    OrderCommand::Pick { rider_id }
                }
                RiderAction::Complete => OrderCommand::CompleteDelivery { rider_id },
            })
        });
        let registry = self.registry.clone();
        Box::pin(async move {
            let done = registry
                .send(&msg.order_id, Execute::<Order>::new(&msg.by, cmd?))
                .await??;
            Ok(done.state)
        })
    }
}
