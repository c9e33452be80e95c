//! One actor per order: the single place its transitions are decided, so
//! concurrent commands on one order are serialised and exactly one wins.

mod placement;
mod resolution;
mod revision;

pub use placement::{Draft, IdempotencyRecord, PendingPayment, Place};
pub use resolution::{Resolution, Resolve};
pub use revision::{PendingRevision, ResolveRevision, Revise, PARTIAL_REFUND};

use crate::actors::entities::passivation::{Idle, Passivates, ABSENT_GRACE};
use crate::actors::registry::{Env, Registry};
use crate::domain::order::{self, Order, OrderCommand};
use crate::domain::{Event, OrderId, Timestamp};
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Ticket, WriteBatch};
use crate::supervision::{Faults, Restarts, Supervised};
use actix::prelude::*;

/// A lifecycle command on an existing order.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Order>")]
pub struct Command(pub OrderCommand);

/// The actor of one order.
pub struct OrderActor {
    id: OrderId,
    state: Option<Order>,
    /// Whether `state` was read from disk (a failed read is retried).
    loaded: bool,
    env: Env,
    registry: Registry,
    /// The last write of this actor: every answer waits for it, so nothing
    /// is said about a state that a crash could still undo.
    last_write: Ticket,
    idle: Idle,
    restarts: Restarts,
}

impl OrderActor {
    /// Loads the order's state from disk (none for a new order).
    pub fn load(id: OrderId, env: Env, registry: Registry, ctx: &mut Context<Self>) -> Self {
        ctx.set_mailbox_capacity(env.mailbox_capacity);
        let idle = Idle::new(env.passivate_after);
        let mut actor = OrderActor {
            id,
            state: None,
            loaded: false,
            env,
            registry,
            last_write: Ticket::default(),
            idle,
            restarts: Restarts::new("order"),
        };
        // A failure is retried by the first message (and answered as one).
        let _ = actor.ensure_loaded();
        actor
    }

    /// Reads the state from disk unless already read: an order that cannot
    /// be read is not mistaken for one that does not exist.
    fn ensure_loaded(&mut self) -> AppResult<()> {
        if !self.loaded {
            self.state = self
                .env
                .db
                .get::<Order>(&keys::order(self.id))
                .map_err(|e| {
                    tracing::error!(order = self.id, error = %e, "cannot load order");
                    e
                })?;
            self.loaded = true;
        }
        Ok(())
    }

    /// Decides, persists and applies one command; the state changes only
    /// once its write is in.
    fn execute(&mut self, cmd: &OrderCommand) -> AppResult<Order> {
        self.ensure_loaded()?;
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
        ctx.run_later(ABSENT_GRACE, |act, ctx| {
            if act.loaded && act.state.is_none() {
                act.registry.forget_order(act.id, &ctx.address());
                ctx.stop();
            }
        });
    }

    /// Answers after this actor's last write is acknowledged.
    fn answer<T: Send + 'static>(&self, result: AppResult<T>) -> ResponseFuture<AppResult<T>> {
        crate::actors::answer_after(&self.env.db, self.last_write, result)
    }
}

impl Supervised for OrderActor {
    const KIND: &'static str = "order";

    fn id(&self) -> String {
        self.id.to_string()
    }

    fn faults(&self) -> &Faults {
        &self.env.faults
    }

    fn restarts(&mut self) -> &mut Restarts {
        &mut self.restarts
    }

    fn reload(&mut self) {
        self.loaded = false;
        self.state = None;
        let _ = self.ensure_loaded();
    }
}

impl Actor for OrderActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.passivate_when_idle(ctx);
    }
}

impl Passivates for OrderActor {
    fn idle(&self) -> &Idle {
        &self.idle
    }

    fn forget(&self, addr: &Addr<Self>) {
        self.registry.forget_order(self.id, addr);
    }
}

impl Handler<Command> for OrderActor {
    type Result = ResponseFuture<AppResult<Order>>;

    fn handle(&mut self, msg: Command, ctx: &mut Context<Self>) -> Self::Result {
        let _span =
            tracing::debug_span!("order.command", order = self.id, command = ?msg.0).entered();
        self.idle.touch();
        let result = self.supervised(ctx, |act| act.execute(&msg.0));
        self.stop_if_absent(ctx);
        self.answer(result)
    }
}
