//! One actor per rider: the rider's location and duty, and the way their
//! pick-ups reach the order (which alone decides: first rider wins).

use crate::actors::entities::order::Command;
use crate::actors::entities::passivation::{Idle, Passivates};
use crate::actors::registry::{Env, Registry};
use crate::domain::order::{Order, OrderCommand};
use crate::domain::rider::{self, Rider, RiderCommand};
use crate::domain::{OrderId, Timestamp};
use crate::error::AppResult;
use crate::storage::{keys, Ticket, WriteBatch};
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

/// A rider's location or duty.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Rider>")]
pub struct Update(pub RiderCommand);

/// The actor of one rider.
pub struct RiderActor {
    id: String,
    state: Option<Rider>,
    env: Env,
    registry: Registry,
    last_write: Ticket,
    idle: Idle,
    restarts: Restarts,
}

impl RiderActor {
    pub fn new(id: String, env: Env, registry: Registry, ctx: &mut Context<Self>) -> Self {
        ctx.set_mailbox_capacity(env.mailbox_capacity);
        RiderActor {
            id,
            state: None,
            idle: Idle::new(env.passivate_after),
            env,
            registry,
            last_write: Ticket::default(),
            restarts: Restarts::new("rider"),
        }
    }

    /// The rider, read from disk on first use (a new rider if none).
    fn rider(&mut self) -> AppResult<&Rider> {
        if self.state.is_none() {
            let stored = self.env.db.get::<Rider>(&keys::rider(&self.id))?;
            self.state = Some(stored.unwrap_or_else(|| Rider::new(&self.id)));
        }
        Ok(self.state.get_or_insert_with(|| Rider::new(&self.id)))
    }

    fn update(&mut self, cmd: &RiderCommand) -> AppResult<Rider> {
        let next = rider::apply(self.rider()?, cmd, Timestamp::now());
        let mut batch = WriteBatch::new();
        batch.put(keys::rider(&self.id), &next)?;
        self.last_write = self.env.db.commit(batch)?;
        self.state = Some(next.clone());
        Ok(next)
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

    fn reload(&mut self) {
        self.state = None;
    }
}

impl Actor for RiderActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.passivate_when_idle(ctx);
    }
}

impl Passivates for RiderActor {
    fn idle(&self) -> &Idle {
        &self.idle
    }

    fn forget(&self, addr: &Addr<Self>) {
        self.registry.forget_rider(&self.id, addr);
    }
}

impl Handler<Act> for RiderActor {
    type Result = ResponseFuture<AppResult<Order>>;

    fn handle(&mut self, msg: Act, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("rider.act", rider = %self.id, order = msg.order_id, action = ?msg.action)
            .entered();
        self.idle.touch();
        let cmd = self.supervised(ctx, |act| {
            let rider_id = act.id.clone();
            Ok(match msg.action {
                RiderAction::Pick => {
                    act.rider()?.check_can_pick()?;
                    OrderCommand::Pick { rider_id }
                }
                RiderAction::Complete => OrderCommand::CompleteDelivery { rider_id },
            })
        });
        let registry = self.registry.clone();
        Box::pin(async move { registry.send_order(msg.order_id, Command(cmd?)).await? })
    }
}

impl Handler<Update> for RiderActor {
    type Result = ResponseFuture<AppResult<Rider>>;

    fn handle(&mut self, msg: Update, ctx: &mut Context<Self>) -> Self::Result {
        let _span =
            tracing::debug_span!("rider.update", rider = %self.id, command = ?msg.0).entered();
        self.idle.touch();
        let result = self.supervised(ctx, |act| act.update(&msg.0));
        crate::actors::answer_after(&self.env.db, self.last_write, result)
    }
}
