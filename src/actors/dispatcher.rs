//! The dispatcher: tails the event log and delivers it, in order, to each
//! subscriber.
//!
//! Every subscriber has its own pump and its own offset, so a slow or
//! stopped subscriber (the store side, say) holds back nobody else: its
//! events wait in the log. A subscriber writes its state and its offset in
//! one atomic batch and skips records at or below its offset, so delivery
//! is at least once and its effect exactly once, across crashes too.

use crate::domain::LogRecord;
use crate::error::AppResult;
use crate::storage::{keys, Db};
use crate::supervision::Backoff;
use actix::dev::ToEnvelope;
use actix::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Records read from the log per delivery.
const BATCH: usize = 512;

/// A run of log records, in sequence order.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<u64>")]
pub struct LogBatch(pub Arc<Vec<LogRecord>>);

/// Starts delivering the log to `subscriber`, from the offset it stored,
/// at most once every `gap`: under load the records that arrive meanwhile
/// go in one delivery, one commit, where keys they share are written once.
pub fn pump<A>(name: &'static str, db: Db, subscriber: Addr<A>, gap: Duration) -> AppResult<()>
where
    A: Actor + Handler<LogBatch>,
    A::Context: ToEnvelope<A, LogBatch>,
{
    let mut offset = db.get::<u64>(&keys::offset(name))?.unwrap_or(0);
    actix_rt::spawn(async move {
        let mut horizon = db.log_horizon();
        let mut backoff = Backoff::default();
        let mut delivered = Instant::now();
        let mut backlog = false;
        loop {
            // A backlog (the last read was full) is taken without a pause.
            let since = delivered.elapsed();
            if !backlog && since < gap {
                tokio::time::sleep(gap - since).await;
            }
            // Mark the horizon seen before reading, so a write landing in
            // between wakes the next wait instead of being missed.
            horizon.borrow_and_update();
            let records = match db.read_log(offset, BATCH) {
                Ok(records) => records,
                Err(e) => {
                    tracing::error!(subscriber = name, error = %e, "cannot read the log");
                    backoff.wait().await;
                    continue;
                }
            };
            if records.is_empty() {
                if horizon.changed().await.is_err() {
                    return; // the database is closed
                }
                continue;
            }
            delivered = Instant::now();
            backlog = records.len() == BATCH;
            match subscriber.send(LogBatch(Arc::new(records))).await {
                Ok(Ok(applied)) => {
                    offset = applied;
                    backoff.reset();
                }
                Ok(Err(e)) => {
                    tracing::warn!(subscriber = name, error = %e, "delivery failed; retrying");
                    backoff.wait().await;
                }
                Err(MailboxError::Closed) => {
                    // The subscriber's actor is gone; its events stay in the
                    // log. Keep trying, loudly, rather than end delivery.
                    tracing::error!(subscriber = name, "subscriber stopped; retrying");
                    backoff.wait().await;
                }
                Err(MailboxError::Timeout) => backoff.wait().await,
            }
        }
    });
    Ok(())
}

/// Removes the log records that every one of `subscribers` has applied.
pub fn compact_log(db: &Db, subscribers: &[&str]) -> AppResult<usize> {
    let mut applied = u64::MAX;
    for name in subscribers {
        applied = applied.min(db.get::<u64>(&keys::offset(name))?.unwrap_or(0));
    }
    Ok(db.compact_log(applied)?)
}

/// Compacts the log every `every`, so it holds only what some subscriber
/// still has to apply (a store's kitchen keeps its own backlog while the
/// store is down).
pub fn compact_log_every(db: Db, subscribers: Vec<&'static str>, every: Duration) {
    actix_rt::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            // On a blocking thread: a compaction can remove many records,
            // and this arbiter also runs the pumps.
            let (db, subscribers) = (db.clone(), subscribers.clone());
            match tokio::task::spawn_blocking(move || compact_log(&db, &subscribers)).await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::debug!(records = n, "compacted the log"),
                Ok(Err(e)) => tracing::warn!(error = %e, "cannot compact the log"),
                Err(e) => tracing::error!(error = %e, "log compaction panicked"),
            }
        }
    });
}
