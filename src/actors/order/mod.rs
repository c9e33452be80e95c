//! One actor per order: the single place its transitions are decided, so
//! concurrent commands on one order are serialised and exactly one wins.

mod placement;

pub use placement::{Draft, Place, Resolution, Resolve};

use super::passivation::Idle;
use super::registry::{Env, Registry};
use crate::domain::order::{self, Order, OrderCommand};
use crate::domain::{Event, OrderId, Timestamp};
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Ticket, WriteBatch};
use actix::prelude::*;

/// A lifecycle command on an existing order.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Order>")]
pub struct Command(pub OrderCommand);

/// The actor of one order.
pub struct OrderActor {
    id: OrderId,
    state: Option<Order>,
    env: Env,
    registry: Registry,
    /// The last write of this actor: every answer waits for it, so nothing
    /// is said about a state that a crash could still undo.
    last_write: Ticket,
    idle: Idle,
}

impl OrderActor {
    /// Loads the order's state from disk (none for a new order).
    pub fn load(id: OrderId, env: Env, registry: Registry, ctx: &mut Context<Self>) -> Self {
        ctx.set_mailbox_capacity(env.mailbox_capacity);
        let state = env.db.get::<Order>(&keys::order(id)).unwrap_or_else(|e| {
            // Stopping here would make the order unreachable; it is loaded
            // again (and the error logged again) when the actor restarts.
            tracing::error!(order = id, error = %e, "cannot load order");
            None
        });
        let idle = Idle::new(env.passivate_after);
        OrderActor {
            id,
            state,
            env,
            registry,
            last_write: Ticket::default(),
            idle,
        }
    }

    /// Decides, persists and applies one command; the state changes only
    /// once its write is in.
    fn execute(&mut self, cmd: &OrderCommand) -> AppResult<Order> {
        let events = order::decide(self.state.as_ref(), self.id, cmd)?;
        let now = Timestamp::now();
        let next = events
            .iter()
            .fold(self.state.clone(), |s, e| order::apply(s, e, now))
            .ok_or_else(|| {
                AppError::Internal(format!("order {} vanished applying {cmd:?}", self.id))
            })?;
        let mut batch = WriteBatch::new();
        batch.put(keys::order(self.id), &next)?;
        if self.state.is_none() {
            batch.put(keys::customer_order(&next.customer_id, self.id), &())?;
        }
        for event in events {
            batch.append(
                now,
                Event::Order {
                    order_id: self.id,
                    customer_id: next.customer_id.clone(),
                    store_id: next.store_id.clone(),
                    event,
                },
            );
        }
        placement::settle_payment_in(self, &mut batch, cmd, now)?;
        self.last_write = self.env.db.commit(batch)?;
        self.state = Some(next.clone());
        Ok(next)
    }

    /// No such order (unknown, or its payment failed): keep no actor for it.
    fn stop_if_absent(&self, ctx: &mut Context<Self>) {
        if self.state.is_none() {
            self.registry.forget_order(self.id, &ctx.address());
            ctx.stop();
        }
    }

    /// Answers after this actor's last write is acknowledged.
    fn answer<T: Send + 'static>(&self, result: AppResult<T>) -> ResponseFuture<AppResult<T>> {
        let (db, ticket) = (self.env.db.clone(), self.last_write);
        Box::pin(async move {
            db.acknowledged(ticket).await;
            result
        })
    }
}

impl Actor for OrderActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(self.idle.check_every(), |act, ctx| {
            if act.idle.expired() {
                act.registry.forget_order(act.id, &ctx.address());
                ctx.stop();
            }
        });
    }
}

impl Handler<Command> for OrderActor {
    type Result = ResponseFuture<AppResult<Order>>;

    fn handle(&mut self, msg: Command, ctx: &mut Context<Self>) -> Self::Result {
        let _span =
            tracing::debug_span!("order.command", order = self.id, command = ?msg.0).entered();
        self.idle.touch();
        let result = self.execute(&msg.0);
        self.stop_if_absent(ctx);
        self.answer(result)
    }
}
