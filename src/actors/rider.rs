//! One actor per rider: a rider's requests pass through it on their way to
//! the order, which alone decides (first rider wins).

use super::order::Command;
use super::passivation::Idle;
use super::registry::{Env, Registry};
use crate::domain::order::{Order, OrderCommand};
use crate::domain::OrderId;
use crate::error::AppResult;
use crate::supervision::{Faults, Restarts, Supervised};
use actix::prelude::*;

/// What a rider can do to a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RiderAction {
    Pick,
    Complete,
}

/// A rider acting on the delivery of an order.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Order>")]
pub struct Act {
    pub order_id: OrderId,
    pub action: RiderAction,
}

/// The actor of one rider.
pub struct RiderActor {
    id: String,
    env: Env,
    registry: Registry,
    idle: Idle,
    restarts: Restarts,
}

impl RiderActor {
    pub fn new(id: String, env: Env, registry: Registry, ctx: &mut Context<Self>) -> Self {
        ctx.set_mailbox_capacity(env.mailbox_capacity);
        RiderActor {
            id,
            idle: Idle::new(env.passivate_after),
            env,
            registry,
            restarts: Restarts::new("rider"),
        }
    }
}

impl Supervised for RiderActor {
    const KIND: &'static str = "rider";

    fn id(&self) -> String {
        self.id.clone()
    }

    fn faults(&self) -> &Faults {
        &self.env.faults
    }

    fn restarts(&mut self) -> &mut Restarts {
        &mut self.restarts
    }

    /// A rider keeps nothing that needs reloading.
    fn reload(&mut self) {}
}

impl Actor for RiderActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(self.idle.check_every(), |act, ctx| {
            if act.idle.expired() {
                act.registry.forget_rider(&act.id, &ctx.address());
                ctx.stop();
            }
        });
    }
}

impl Handler<Act> for RiderActor {
    type Result = ResponseFuture<AppResult<Order>>;

    fn handle(&mut self, msg: Act, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("rider.act", rider = %self.id, order = msg.order_id, action = ?msg.action).entered();
        self.idle.touch();
        let cmd = self.supervised(ctx, |act| {
            let rider_id = act.id.clone();
            Ok(match msg.action {
                RiderAction::Pick => OrderCommand::Pick { rider_id },
                RiderAction::Complete => OrderCommand::CompleteDelivery { rider_id },
            })
        });
        let registry = self.registry.clone();
        Box::pin(async move { registry.send_order(msg.order_id, Command(cmd?)).await? })
    }
}
