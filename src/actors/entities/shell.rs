//! The one entity actor: it runs any [`Aggregate`] with supervision,
//! passivation, loading from disk and answer-after-write.
//!
//! An [`Entity`] says what is particular to a kind (its key, how its events
//! are logged, what else its commits write); everything else is here, once.
//! A kind's other messages (an order's `Place`, a store's `QuoteOrder`) are
//! handled by `EntityActor<ThatKind>` in the kind's own module.

use super::passivation::{Idle, Passivates, ABSENT_GRACE};
use crate::actors::registry::{Directory, Env, Registry};
use crate::domain::access::{Cause, Principal};
use crate::domain::aggregate::Aggregate;
use crate::domain::{Event, Timestamp};
use crate::error::{AppError, AppResult};
use crate::storage::{CommitSeq, Db, WriteBatch};
use crate::supervision::{Faults, Restarts, Supervised};
use actix::prelude::*;
use dashmap::DashMap;
use serde::{de::DeserializeOwned, Serialize};

/// An aggregate run by an [`EntityActor`]: what the shell needs to know of
/// its kind.
pub trait Entity:
    Aggregate<Id: Unpin> + Serialize + DeserializeOwned + Unpin + Send + 'static
{
    /// `order`, `store`, `rider` or `customer`: for logs, metrics and
    /// injected faults.
    const KIND: &'static str;

    /// Where its snapshot is kept (`storage::keys`).
    fn key(id: &Self::Id) -> Vec<u8>;

    /// The log record of one of its events, or `None` if its events are
    /// not logged (nothing subscribes to them).
    fn logged(id: &Self::Id, next: &Self, event: &Self::Event) -> Option<Event>;

    /// Writes that go in the same commit as the snapshot and the events:
    /// indexes, and for an order its payment record. `before` is the state
    /// the command was decided on.
    #[allow(clippy::too_many_arguments)]
    fn also_write(
        _db: &Db,
        _id: &Self::Id,
        _before: Option<&Self>,
        _next: &Self,
        _cmd: &Self::Command,
        _events: &[Self::Event],
        _batch: &mut WriteBatch,
        _now: Timestamp,
    ) -> AppResult<()> {
        Ok(())
    }

    /// The registry's directory of this kind's live actors.
    fn live(directory: &Directory) -> &DashMap<Self::Id, Addr<EntityActor<Self>>>;

    /// The id as logs and injected faults name it.
    fn label(id: &Self::Id) -> String;
}

/// A message for one entity: the kind of entity it goes to.
pub trait EntityMessage: Message + Send + Clone + 'static
where
    Self::Result: Send,
{
    type Entity: Entity;
}

/// What a command did: the state after it and its events (none if it
/// changed nothing).
#[derive(Clone, Debug)]
pub struct Outcome<E: Aggregate> {
    pub state: E,
    pub events: Vec<E::Event>,
}

/// Run a command `by` someone on an entity; answered once its write is
/// acknowledged.
#[derive(Clone, Debug)]
pub struct Execute<E: Aggregate> {
    pub by: Principal,
    pub cmd: E::Command,
}

impl<E: Aggregate> Execute<E> {
    pub fn new(by: &Principal, cmd: E::Command) -> Self {
        Execute {
            by: by.clone(),
            cmd,
        }
    }
}

impl<E: Entity> Message for Execute<E> {
    type Result = AppResult<Outcome<E>>;
}

impl<E: Entity> EntityMessage for Execute<E> {
    type Entity = E;
}

/// Decides `cmd`, asked `by` someone, on `state` and writes the new
/// snapshot, its events (recording who caused them) and the kind's other
/// writes as one commit. Shared by the actor and the demo loader (which
/// runs before any actor exists). Answers what it did and the commit to
/// wait for (none if nothing changed).
pub fn execute<E: Entity>(
    db: &Db,
    id: &E::Id,
    state: Option<&E>,
    by: &Principal,
    cmd: &E::Command,
) -> AppResult<(Outcome<E>, CommitSeq)> {
    let now = Timestamp::now();
    let events = E::decide(state, id, by, cmd, now)?;
    let cause = by.cause().unwrap_or_else(Cause::system);
    if events.is_empty() {
        let state = state.cloned().ok_or_else(|| E::not_found(id))?;
        return Ok((Outcome { state, events }, CommitSeq::default()));
    }
    let next = events
        .iter()
        .fold(state.cloned(), |s, e| E::apply_caused(s, e, now, &cause))
        .ok_or_else(|| {
            AppError::Internal(format!(
                "{} {} vanished applying {cmd:?}",
                E::KIND,
                E::label(id)
            ))
        })?;
    let mut batch = WriteBatch::new();
    batch.put(E::key(id), &next)?;
    E::also_write(db, id, state, &next, cmd, &events, &mut batch, now)?;
    for event in &events {
        if let Some(logged) = E::logged(id, &next, event) {
            batch.append_caused(now, cause.clone(), logged);
        }
    }
    let written = db.commit(batch)?;
    Ok((
        Outcome {
            state: next,
            events,
        },
        written,
    ))
}

/// The actor of one entity.
pub struct EntityActor<E: Entity> {
    pub(crate) id: E::Id,
    /// `None` until created (orders, stores) or while not yet read.
    pub(crate) state: Option<E>,
    /// Whether `state` was read from disk (a failed read is retried).
    loaded: bool,
    pub(crate) env: Env,
    pub(crate) registry: Registry,
    /// The last write of this actor: every answer waits for it, so nothing
    /// is said about a state that a crash could still undo.
    pub(crate) last_write: CommitSeq,
    pub(crate) idle: Idle,
    restarts: Restarts,
}

impl<E: Entity> EntityActor<E> {
    /// An actor for `id`, its state read from disk (a failure is retried by
    /// the first message, and answered as one).
    pub fn load(id: E::Id, env: Env, registry: Registry, ctx: &mut Context<Self>) -> Self {
        ctx.set_mailbox_capacity(env.mailbox_capacity);
        let idle = Idle::new(env.passivate_after);
        let mut actor = EntityActor {
            id,
            state: None,
            loaded: false,
            env,
            registry,
            last_write: CommitSeq::default(),
            idle,
            restarts: Restarts::new(E::KIND),
        };
        let _ = actor.ensure_loaded();
        actor
    }

    /// Reads the state from disk unless already read: an entity that
    /// cannot be read is not mistaken for one that does not exist (and
    /// overwritten).
    pub(crate) fn ensure_loaded(&mut self) -> AppResult<()> {
        if !self.loaded {
            let stored = self.env.db.get::<E>(&E::key(&self.id)).map_err(|e| {
                tracing::error!(kind = E::KIND, id = %E::label(&self.id), error = %e, "cannot load");
                e
            })?;
            self.state = stored.or_else(|| E::initial(&self.id));
            self.loaded = true;
        }
        Ok(())
    }

    /// Decides, writes and applies one command; the state changes only
    /// once its write is in.
    pub(crate) fn execute(&mut self, by: &Principal, cmd: &E::Command) -> AppResult<Outcome<E>> {
        self.ensure_loaded()?;
        let (outcome, written) = execute(&self.env.db, &self.id, self.state.as_ref(), by, cmd)?;
        self.last_write = self.last_write.max(written);
        self.state = Some(outcome.state.clone());
        Ok(outcome)
    }

    /// No such entity (an unknown order or store): keep no actor for it.
    pub(crate) fn stop_if_absent(&self, ctx: &mut Context<Self>) {
        if self.state.is_some() {
            return;
        }
        ctx.run_later(ABSENT_GRACE, |act, ctx| {
            if act.loaded && act.state.is_none() {
                act.registry.forget::<E>(&act.id, &ctx.address());
                ctx.stop();
            }
        });
    }

    /// Answers after this actor's last write is acknowledged.
    pub(crate) fn answer<T: Send + 'static>(
        &self,
        result: AppResult<T>,
    ) -> ResponseFuture<AppResult<T>> {
        crate::actors::answer_after(&self.env.db, self.last_write, result)
    }
}

impl<E: Entity> Supervised for EntityActor<E> {
    const KIND: &'static str = E::KIND;

    fn id(&self) -> String {
        E::label(&self.id)
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

impl<E: Entity> Actor for EntityActor<E> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.passivate_when_idle(ctx);
    }
}

impl<E: Entity> Passivates for EntityActor<E> {
    fn idle(&self) -> &Idle {
        &self.idle
    }

    fn forget(&self, addr: &Addr<Self>) {
        self.registry.forget::<E>(&self.id, addr);
    }
}

impl<E: Entity> Handler<Execute<E>> for EntityActor<E> {
    type Result = ResponseFuture<AppResult<Outcome<E>>>;

    fn handle(&mut self, msg: Execute<E>, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("entity.execute", kind = E::KIND, id = %E::label(&self.id), command = ?msg.cmd)
            .entered();
        self.idle.touch();
        let result = self.supervised(ctx, |act| act.execute(&msg.by, &msg.cmd));
        self.stop_if_absent(ctx);
        self.answer(result)
    }
}
