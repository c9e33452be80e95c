//! One actor per order: the single place its transitions are decided, so
//! concurrent commands on one order are serialised and exactly one wins.

use super::passivation::Idle;
use super::payment::{Charge, ChargeOutcome};
use super::registry::{Env, Registry};
use crate::domain::order::{self, NewOrder, Order, OrderCommand, OrderLine};
use crate::domain::payment::{Payment, PaymentEvent};
use crate::domain::{DomainError, Event, LatLon, OrderId, Timestamp, Won};
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Ticket, WriteBatch};
use actix::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// An order about to be paid: everything but the transaction id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub customer_id: String,
    pub store_id: String,
    pub store_name: String,
    pub pickup: LatLon,
    pub items: Vec<OrderLine>,
    pub amount: Won,
    pub discount: Won,
    pub address: String,
    pub dropoff: LatLon,
}

impl Draft {
    fn into_new_order(self, id: OrderId, transaction_id: String) -> NewOrder {
        NewOrder {
            id,
            customer_id: self.customer_id,
            store_id: self.store_id,
            store_name: self.store_name,
            pickup: self.pickup,
            items: self.items,
            amount: self.amount,
            discount: self.discount,
            address: self.address,
            dropoff: self.dropoff,
            transaction_id,
        }
    }
}

/// Pay for a draft and, once approved, place the order.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Order>")]
pub struct Place(pub Box<Draft>);

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
        self.finish_payment_in(&mut batch, cmd, now)?;
        self.last_write = self.env.db.commit(batch)?;
        self.state = Some(next.clone());
        Ok(next)
    }

    /// A placement also settles its payment in the same batch.
    fn finish_payment_in(
        &self,
        batch: &mut WriteBatch,
        cmd: &OrderCommand,
        now: Timestamp,
    ) -> AppResult<()> {
        let OrderCommand::Place(new) = cmd else {
            return Ok(());
        };
        let payment = self.pending_payment()?.apply(
            &PaymentEvent::Approved {
                transaction_id: new.transaction_id.clone(),
            },
            now,
        )?;
        batch.put(keys::payment(self.id), &payment)?;
        batch.remove(keys::pending(self.id));
        Ok(())
    }

    fn pending_payment(&self) -> AppResult<Payment> {
        self.env
            .db
            .get::<Payment>(&keys::payment(self.id))?
            .ok_or_else(|| AppError::Internal(format!("order {} has no pending payment", self.id)))
    }

    /// Records the payment as pending, before the gateway is called: a crash
    /// after that call is resolved from this record on restart.
    fn begin_payment(&mut self, draft: &Draft) -> AppResult<Charge> {
        if self.state.is_some() || self.env.db.contains(&keys::payment(self.id))? {
            return Err(DomainError::OrderExists(self.id).into());
        }
        let payment = Payment::pending(
            self.id,
            draft.customer_id.clone(),
            draft.amount,
            Timestamp::now(),
        );
        let mut batch = WriteBatch::new();
        batch.put(keys::payment(self.id), &payment)?;
        batch.put(keys::pending(self.id), draft)?;
        self.last_write = self.env.db.commit(batch)?;
        Ok(Charge {
            order_id: self.id,
            customer_id: draft.customer_id.clone(),
            amount: draft.amount,
        })
    }

    /// Places the order if the gateway approved, else records why not.
    fn settle(&mut self, draft: Draft, outcome: ChargeOutcome) -> AppResult<Order> {
        let (reason, refusal) = match outcome {
            ChargeOutcome::Approved { transaction_id } => {
                let new = draft.into_new_order(self.id, transaction_id);
                return self.execute(&OrderCommand::Place(Box::new(new)));
            }
            ChargeOutcome::Declined { reason } => {
                (reason.clone(), DomainError::PaymentDeclined(reason).into())
            }
            ChargeOutcome::Unavailable { reason } => {
                let message =
                    format!("{reason}; nothing was charged, please pay again in a moment");
                (reason, AppError::unavailable(message, 2))
            }
        };
        let declined = self
            .pending_payment()?
            .apply(&PaymentEvent::Declined { reason }, Timestamp::now())?;
        let mut batch = WriteBatch::new();
        batch.put(keys::payment(self.id), &declined)?;
        batch.remove(keys::pending(self.id));
        self.last_write = self.env.db.commit(batch)?;
        Err(refusal)
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

impl Handler<Place> for OrderActor {
    type Result = AtomicResponse<Self, AppResult<Order>>;

    fn handle(&mut self, msg: Place, _: &mut Context<Self>) -> Self::Result {
        let _span =
            tracing::debug_span!("order.place", order = self.id, amount = msg.0.amount).entered();
        self.idle.touch();
        let draft = *msg.0;
        let charge = self.begin_payment(&draft);
        let payment = self.env.payment.clone();
        AtomicResponse::new(Box::pin(
            async move {
                let charge = charge?;
                Ok(payment.send(charge).await?)
            }
            .into_actor(self)
            .then(move |outcome: AppResult<ChargeOutcome>, act, ctx| {
                let result = outcome.and_then(|outcome| act.settle(draft, outcome));
                // Stopping now would cancel this very answer: stop after it.
                ctx.run_later(Duration::ZERO, |act, ctx| act.stop_if_absent(ctx));
                act.answer(result).into_actor(act)
            }),
        ))
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
