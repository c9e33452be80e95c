//! One actor per store: its profile, open flag and menu; it prices orders
//! at checkout so that a menu edit and a checkout never interleave.

use crate::actors::entities::passivation::{Idle, Passivates, ABSENT_GRACE};
use crate::actors::registry::{Env, Registry};
use crate::domain::checkout::{self, OrderRequest, Quote};
use crate::domain::store::{self, Store, StoreCommand};
use crate::domain::{DomainError, Event, Timestamp};
use crate::error::AppResult;
use crate::storage::{keys, Db, Ticket, WriteBatch};
use crate::supervision::{Faults, Restarts, Supervised};
use actix::prelude::*;

/// A store owner's command.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Store>")]
pub struct Command(pub StoreCommand);

/// Price an order request against the current menu.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Quote>")]
pub struct QuoteOrder(pub Box<OrderRequest>);

/// The actor of one store.
pub struct StoreActor {
    id: String,
    state: Option<Store>,
    /// Whether `state` was read from disk (a failed read is retried).
    loaded: bool,
    env: Env,
    registry: Registry,
    last_write: Ticket,
    idle: Idle,
    restarts: Restarts,
}

impl StoreActor {
    pub fn load(id: String, env: Env, registry: Registry, ctx: &mut Context<Self>) -> Self {
        ctx.set_mailbox_capacity(env.mailbox_capacity);
        let idle = Idle::new(env.passivate_after);
        let mut actor = StoreActor {
            id,
            state: None,
            loaded: false,
            env,
            registry,
            last_write: Ticket::default(),
            idle,
            restarts: Restarts::new("store"),
        };
        // A failure is retried by the first message (and answered as one).
        let _ = actor.ensure_loaded();
        actor
    }

    /// Reads the state from disk unless already read: a store that cannot
    /// be read is not mistaken for one that does not exist (and overwritten).
    fn ensure_loaded(&mut self) -> AppResult<()> {
        if !self.loaded {
            self.state = self
                .env
                .db
                .get::<Store>(&keys::store(&self.id))
                .map_err(|e| {
                    tracing::error!(store = %self.id, error = %e, "cannot load store");
                    e
                })?;
            self.loaded = true;
        }
        Ok(())
    }

    fn stop_if_absent(&self, ctx: &mut Context<Self>) {
        ctx.run_later(ABSENT_GRACE, |act, ctx| {
            if act.loaded && act.state.is_none() {
                act.registry.forget_store(&act.id, &ctx.address());
                ctx.stop();
            }
        });
    }
}

/// Decides a store command, writing the new snapshot and its events as one
/// batch. Shared by the actor and the demo loader (which runs before any
/// actor exists).
pub fn execute(
    db: &Db,
    id: &str,
    state: Option<&Store>,
    cmd: &StoreCommand,
) -> AppResult<(Store, Ticket)> {
    let events = store::decide(state, id, cmd)?;
    let next = events
        .iter()
        .fold(state.cloned(), store::apply)
        .ok_or_else(|| DomainError::StoreNotFound(id.to_string()))?;
    if events.is_empty() {
        return Ok((next, Ticket::default()));
    }
    let now = Timestamp::now();
    let mut batch = WriteBatch::new();
    batch.put(keys::store(id), &next)?;
    for event in events {
        batch.append(
            now,
            Event::Store {
                store_id: id.to_string(),
                event,
            },
        );
    }
    Ok((next, db.commit(batch)?))
}

impl Supervised for StoreActor {
    const KIND: &'static str = "store";

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
        self.loaded = false;
        self.state = None;
        let _ = self.ensure_loaded();
    }
}

impl Actor for StoreActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.passivate_when_idle(ctx);
    }
}

impl Passivates for StoreActor {
    fn idle(&self) -> &Idle {
        &self.idle
    }

    fn forget(&self, addr: &Addr<Self>) {
        self.registry.forget_store(&self.id, addr);
    }
}

impl Handler<Command> for StoreActor {
    type Result = ResponseFuture<AppResult<Store>>;

    fn handle(&mut self, msg: Command, ctx: &mut Context<Self>) -> Self::Result {
        let _span =
            tracing::debug_span!("store.command", store = %self.id, command = ?msg.0).entered();
        self.idle.touch();
        let result = self.supervised(ctx, |act| {
            act.ensure_loaded()?;
            let (store, ticket) = execute(&act.env.db, &act.id, act.state.as_ref(), &msg.0)?;
            act.state = Some(store.clone());
            act.last_write = act.last_write.max(ticket);
            Ok(store)
        });
        self.stop_if_absent(ctx);
        crate::actors::answer_after(&self.env.db, self.last_write, result)
    }
}

impl Handler<QuoteOrder> for StoreActor {
    type Result = AppResult<Quote>;

    fn handle(&mut self, msg: QuoteOrder, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("store.quote", store = %self.id).entered();
        self.idle.touch();
        let result = self.supervised(ctx, |act| {
            act.ensure_loaded()?;
            match &act.state {
                Some(store) => Ok(checkout::quote(store, &msg.0)?),
                None => Err(DomainError::StoreNotFound(act.id.clone()).into()),
            }
        });
        self.stop_if_absent(ctx);
        result
    }
}
