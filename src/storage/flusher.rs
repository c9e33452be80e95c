//! Group commit: one thread flushes for all writers.
//!
//! sled's `flush_async` stalls when many callers wait at once, and a flush per
//! write caps throughput at a few thousand writes per second. Instead writers
//! bump a counter and wake this thread, which notes the newest write, flushes
//! once and publishes how far it got; every command waiting for a write at
//! or below that mark is then acknowledged together.
//!
//! Waiters queue a oneshot each and are woken exactly once, by the flush
//! that covers them: a `watch` per waiter would wake every waiter on every
//! flush, which at high concurrency costs more than the flush itself.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// How far writes are acknowledged: the number of the last acknowledged
/// write, and the log sequence it reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Horizon {
    pub writes: u64,
    pub log_seq: u64,
}

/// What writers have done, guarded by the writers' lock.
#[derive(Debug, Default)]
pub(super) struct Written {
    pub horizon: Horizon,
    /// The next log sequence to hand out.
    pub next_seq: u64,
    /// Why writing stopped: a commit failed half way, and only the next
    /// start can complete it (from the journal record no later commit may
    /// overwrite).
    pub broken: Option<String>,
    pub shutdown: bool,
}

/// Commands waiting for their write to be acknowledged.
#[derive(Default)]
pub(super) struct Waiters {
    /// The number of the last acknowledged write.
    acknowledged: u64,
    /// Each waiter's write number and how to wake it.
    queue: Vec<(u64, oneshot::Sender<()>)>,
}

/// State shared by the writers and the flusher thread.
pub(super) struct Shared {
    pub written: Mutex<Written>,
    pub wake: Condvar,
    /// The acknowledged horizon, for whoever wants to look or be told of
    /// every acknowledgement.
    pub acknowledged: watch::Sender<Horizon>,
    /// The acknowledged log sequence, changed only when the log grows: the
    /// log's subscribers sleep through writes that add no event.
    pub log_seq: watch::Sender<u64>,
    pub waiters: Mutex<Waiters>,
    pub engine: sled::Db,
}

impl Shared {
    /// Shared state for a database whose log ends at `horizon`.
    pub fn new(engine: sled::Db, horizon: Horizon) -> Self {
        Shared {
            written: Mutex::new(Written {
                horizon,
                next_seq: horizon.log_seq + 1,
                broken: None,
                shutdown: false,
            }),
            wake: Condvar::new(),
            acknowledged: watch::channel(horizon).0,
            log_seq: watch::channel(horizon.log_seq).0,
            waiters: Mutex::new(Waiters {
                acknowledged: horizon.writes,
                queue: Vec::new(),
            }),
            engine,
        }
    }

    /// Declares everything up to `horizon` acknowledged and wakes the
    /// commands waiting for it. Writers may publish out of order (relaxed
    /// mode publishes outside the writers' lock), so nothing moves back.
    pub fn publish(&self, horizon: Horizon) {
        let ready: Vec<oneshot::Sender<()>> = {
            let mut w = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
            if horizon.writes <= w.acknowledged {
                return;
            }
            w.acknowledged = horizon.writes;
            let (ready, waiting) = std::mem::take(&mut w.queue)
                .into_iter()
                .partition(|(write, _)| *write <= horizon.writes);
            w.queue = waiting;
            // Still under the lock, so the watches never move back either.
            self.acknowledged.send_replace(horizon);
            self.log_seq.send_if_modified(|seq| {
                let grew = horizon.log_seq > *seq;
                if grew {
                    *seq = horizon.log_seq;
                }
                grew
            });
            ready.into_iter().map(|(_, tx)| tx).collect()
        };
        for tx in ready {
            let _ = tx.send(()); // the waiter may have given up
        }
    }

    /// A receiver told once write number `write` is acknowledged, or `None` if it
    /// already is.
    pub fn wait_for(&self, write: u64) -> Option<oneshot::Receiver<()>> {
        let mut w = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        if write <= w.acknowledged {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        w.queue.push((write, tx));
        Some(rx)
    }
}

/// The running flusher; stops (after a last flush) when dropped.
pub(super) struct Flusher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    /// Durable mode: flush as soon as there is something new.
    pub fn group_commit(shared: Arc<Shared>) -> std::io::Result<Self> {
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("baedal-flusher".into())
            .spawn(move || group_commit_loop(&s))?;
        Ok(Flusher {
            shared,
            thread: Some(thread),
        })
    }

    /// Relaxed mode: writes are acknowledged at once and flushed on a timer.
    pub fn periodic(shared: Arc<Shared>, every: Duration) -> std::io::Result<Self> {
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("baedal-flusher".into())
            .spawn(move || periodic_loop(&s, every))?;
        Ok(Flusher {
            shared,
            thread: Some(thread),
        })
    }
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Written> {
    // A writer that panicked mid-write left nothing half-done in `Written`
    // (its fields are updated after the engine call), so the data is usable.
    shared.written.lock().unwrap_or_else(|p| p.into_inner())
}

fn group_commit_loop(shared: &Shared) {
    let mut flushed = *shared.acknowledged.borrow();
    loop {
        let (target, shutdown) = {
            let mut w = lock(shared);
            while w.horizon == flushed && !w.shutdown {
                w = shared.wake.wait(w).unwrap_or_else(|p| p.into_inner());
            }
            (w.horizon, w.shutdown)
        };
        if target != flushed {
            if let Err(e) = shared.engine.flush() {
                // Nothing is acknowledged past a failed flush; try again.
                tracing::error!(error = %e, "flush failed; retrying");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            flushed = target;
            shared.publish(target);
        }
        if shutdown {
            return;
        }
    }
}

fn periodic_loop(shared: &Shared, every: Duration) {
    loop {
        let shutdown = {
            let w = lock(shared);
            let (w, _) = shared
                .wake
                .wait_timeout_while(w, every, |w| !w.shutdown)
                .unwrap_or_else(|p| p.into_inner());
            w.shutdown
        };
        if let Err(e) = shared.engine.flush() {
            tracing::error!(error = %e, "periodic flush failed");
        }
        if shutdown {
            return;
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        lock(&self.shared).shutdown = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
