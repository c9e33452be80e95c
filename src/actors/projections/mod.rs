//! Projections: subscribers of the log that keep a view, each written in
//! the same commit as the subscriber's offset.

pub mod board;
pub mod inbox;
pub mod kitchen;
pub mod mypage;
pub mod notifier;
pub mod points;
pub mod ratings;

use super::dispatcher::LogBatch;
use crate::domain::LogRecord;
use crate::error::AppResult;
use crate::storage::{keys, Db, Staged};
use actix::prelude::*;
use notifier::Hub;
use std::sync::Arc;

/// What a projection is built from.
pub struct Deps {
    pub db: Db,
    /// Where the notifier publishes to live WebSockets.
    pub hub: Arc<Hub>,
    /// Whether notifications are also queued for the webhook.
    pub webhook: bool,
}

/// A subscriber that keeps its state in the database, written atomically
/// with its offset.
pub trait Projection: Unpin + Sized + 'static {
    /// Unique name; its offset is stored under `offset/<name>`.
    const NAME: &'static str;

    /// Builds it, with whatever it keeps in memory read from `deps.db`.
    fn build(deps: &Deps) -> AppResult<Self>;

    /// Stages the effect of one record.
    fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()>;

    /// Called once the staged effects of a delivery are committed.
    fn committed(&mut self) {}

    /// Called when a commit failed: forget what `apply` staged in memory.
    fn rolled_back(&mut self) {}
}

/// Runs a projection as an actor.
pub struct ProjectionActor<P: Projection> {
    pub projection: P,
    db: Db,
    offset: u64,
}

impl<P: Projection> ProjectionActor<P> {
    pub fn new(projection: P, db: Db) -> AppResult<Self> {
        let offset = db.get::<u64>(&keys::offset(P::NAME))?.unwrap_or(0);
        Ok(ProjectionActor {
            projection,
            db,
            offset,
        })
    }

    /// The database the projection keeps its state in.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Applies the records past the projection's offset in one commit;
    /// returns the new offset.
    pub fn apply_batch(&mut self, records: &[LogRecord]) -> AppResult<u64> {
        let fresh: Vec<&LogRecord> = records.iter().filter(|r| r.seq > self.offset).collect();
        let Some(last) = fresh.last().map(|r| r.seq) else {
            return Ok(self.offset);
        };
        let mut staged = Staged::new(&self.db);
        let applied = fresh
            .into_iter()
            .try_for_each(|r| self.projection.apply(r, &mut staged))
            .and_then(|()| {
                staged.put(keys::offset(P::NAME), &last)?;
                Ok(self.db.commit(staged.into_batch())?)
            });
        match applied {
            Ok(_) => {
                self.offset = last;
                self.projection.committed();
                Ok(last)
            }
            Err(e) => {
                self.projection.rolled_back();
                Err(e)
            }
        }
    }
}

impl<P: Projection> Actor for ProjectionActor<P> {
    type Context = Context<Self>;
}

impl<P: Projection> Handler<LogBatch> for ProjectionActor<P> {
    type Result = AppResult<u64>;

    fn handle(&mut self, msg: LogBatch, _: &mut Context<Self>) -> Self::Result {
        let _span =
            tracing::debug_span!("deliver", subscriber = P::NAME, records = msg.0.len()).entered();
        self.apply_batch(&msg.0)
    }
}
