//! One actor per customer: their wallet (coupons and reviews), so a coupon
//! is used once, and a review and its coupon never disagree.

use crate::actors::entities::passivation::{Idle, Passivates};
use crate::actors::registry::{Env, Registry};
use crate::domain::wallet::{self, Wallet, WalletCommand, WalletEvent};
use crate::domain::{Event, OrderId, Timestamp, Won};
use crate::error::AppResult;
use crate::storage::{keys, Ticket, WriteBatch};
use crate::supervision::{Faults, Restarts, Supervised};
use actix::prelude::*;

/// A wallet command; answers the wallet after it and what happened.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<(Wallet, Vec<WalletEvent>)>")]
pub struct Command(pub WalletCommand);

/// The actor of one customer.
pub struct CustomerActor {
    id: String,
    state: Option<Wallet>,
    env: Env,
    registry: Registry,
    last_write: Ticket,
    idle: Idle,
    restarts: Restarts,
}

impl CustomerActor {
    pub fn new(id: String, env: Env, registry: Registry, ctx: &mut Context<Self>) -> Self {
        ctx.set_mailbox_capacity(env.mailbox_capacity);
        CustomerActor {
            id,
            state: None,
            idle: Idle::new(env.passivate_after),
            env,
            registry,
            last_write: Ticket::default(),
            restarts: Restarts::new("customer"),
        }
    }

    /// The wallet, read from disk on first use (an empty one if none).
    fn wallet(&mut self) -> AppResult<&Wallet> {
        if self.state.is_none() {
            let stored = self.env.db.get::<Wallet>(&keys::wallet(&self.id))?;
            self.state = Some(stored.unwrap_or_else(|| Wallet::new(&self.id)));
        }
        Ok(self.state.get_or_insert_with(|| Wallet::new(&self.id)))
    }

    fn execute(&mut self, cmd: &WalletCommand) -> AppResult<(Wallet, Vec<WalletEvent>)> {
        let now = Timestamp::now();
        let current = self.wallet()?.clone();
        let events = wallet::decide(&current, cmd, now)?;
        if events.is_empty() {
            return Ok((current, events));
        }
        let next = events.iter().fold(current, wallet::apply);
        let mut batch = WriteBatch::new();
        batch.put(keys::wallet(&self.id), &next)?;
        for event in &events {
            if let WalletEvent::ReviewWritten { review, .. } = event {
                batch.put(keys::review_owner(review.id), &self.id)?;
            }
            batch.append(
                now,
                Event::Wallet {
                    customer_id: self.id.clone(),
                    event: event.clone(),
                },
            );
        }
        self.last_write = self.env.db.commit(batch)?;
        self.state = Some(next.clone());
        Ok((next, events))
    }
}

impl Supervised for CustomerActor {
    const KIND: &'static str = "customer";

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

impl Actor for CustomerActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.passivate_when_idle(ctx);
    }
}

impl Passivates for CustomerActor {
    fn idle(&self) -> &Idle {
        &self.idle
    }

    fn forget(&self, addr: &Addr<Self>) {
        self.registry.forget_customer(&self.id, addr);
    }
}

impl Handler<Command> for CustomerActor {
    type Result = ResponseFuture<AppResult<(Wallet, Vec<WalletEvent>)>>;

    fn handle(&mut self, msg: Command, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("customer.command", customer = %self.id, command = ?msg.0)
            .entered();
        self.idle.touch();
        let result = self.supervised(ctx, |act| act.execute(&msg.0));
        crate::actors::answer_after(&self.env.db, self.last_write, result)
    }
}

/// Uses a coupon of `customer` on the order `order_id`; answers its discount.
pub async fn use_coupon(
    registry: &Registry,
    customer: &str,
    coupon_id: &str,
    order_id: OrderId,
    subtotal: Won,
) -> AppResult<Won> {
    let cmd = WalletCommand::UseCoupon {
        coupon_id: coupon_id.to_string(),
        order_id,
        subtotal,
    };
    let (_, events) = registry.send_customer(customer, Command(cmd)).await??;
    Ok(events
        .iter()
        .map(|e| match e {
            WalletEvent::CouponUsed { discount, .. } => *discount,
            _ => 0,
        })
        .sum())
}
